"""Resource bounds applied while reading a package. Every bound is configurable."""

from __future__ import annotations

import attrs

__all__ = ["Limits"]

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@attrs.frozen
class Limits:
    """Bounds that protect a reader from hostile or absurd packages.

    The defaults accept every package seen on real axes (which cap packages near 50 MB) with a
    wide margin, and stop what no real producer sends. Change them with :func:`attrs.evolve`.

    :ivar max_package_bytes: size of the whole ``.edxml`` file.
    :ivar max_header_bytes: size of the package once the attachment payloads are taken out
        (the part that is parsed as XML).
    :ivar max_attachments: number of attachments.
    :ivar max_attachment_bytes: decoded size of one attachment (and of the file inside an
        official-SDK ZIP wrapper).
    :ivar max_zip_ratio: the largest uncompressed/compressed ratio accepted when unwrapping
        the SDK's ZIP wrapper (defeats ZIP bombs; deflate cannot exceed about 1032, and office
        documents and PDFs stay far below 200).
    :ivar max_depth: element nesting depth.
    :ivar max_elements: number of elements outside the payloads.
    :ivar max_attributes: attributes of one element, and namespaces in scope of one element
        (keeping an unknown element costs more with each).
    :ivar max_invalid_payload_bytes: how much of a payload that is not plain base64 is kept in
        memory (to repair or report it); beyond that it is reported as too large to keep.
    """

    max_package_bytes: int = 8 * GiB
    max_header_bytes: int = 16 * MiB
    max_attachments: int = 1000
    max_attachment_bytes: int = 4 * GiB
    max_zip_ratio: int = 200
    max_depth: int = 64
    max_elements: int = 200_000
    max_attributes: int = 256
    max_invalid_payload_bytes: int = 1 * MiB
