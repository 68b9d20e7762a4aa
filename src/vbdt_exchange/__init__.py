"""vbdt_exchange: Vietnam's electronic-document exchange standard (QCVN 102:2016/BTTTT).

The curated public API. Everything here is stable within a minor version; modules whose name
starts with an underscore are private.

>>> import vbdt_exchange as vbdt
>>> result = vbdt.read(vbdt.example_path())
>>> result.package.kind
'edoc'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vbdt_exchange.envelope import (
    Attachment,
    Business,
    Code,
    DocumentType,
    EdocPackage,
    Limits,
    MetadataError,
    Organization,
    OtherInfo,
    Package,
    PromulgationInfo,
    ReadOptions,
    ReadResult,
    Report,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
    TraceHeaderList,
    WriteResult,
    new_edoc,
    package_from_json,
    package_to_json,
    read,
    to_bytes,
    unpack,
    validate,
    write,
)
from vbdt_exchange.errors import (
    AttachmentError,
    CatalogError,
    EnvelopeError,
    EnvelopeReadError,
    EnvelopeValidationError,
    EnvelopeWriteError,
    ResourceLimitError,
    UnsafeXMLError,
    VbdtError,
)
from vbdt_exchange.findings import Finding, Severity

__all__ = [
    "Attachment",
    "AttachmentError",
    "Business",
    "CatalogError",
    "Code",
    "DocumentType",
    "EdocPackage",
    "EnvelopeError",
    "EnvelopeReadError",
    "EnvelopeValidationError",
    "EnvelopeWriteError",
    "Finding",
    "Limits",
    "MetadataError",
    "Organization",
    "OtherInfo",
    "Package",
    "PromulgationInfo",
    "ReadOptions",
    "ReadResult",
    "Report",
    "ResourceLimitError",
    "ResponseFor",
    "Severity",
    "SignerInfo",
    "StaffInfo",
    "StatusPackage",
    "TraceHeader",
    "TraceHeaderList",
    "UnsafeXMLError",
    "VbdtError",
    "WriteResult",
    "__version__",
    "example_path",
    "new_edoc",
    "package_from_json",
    "package_to_json",
    "read",
    "to_bytes",
    "unpack",
    "validate",
    "write",
]


def example_path() -> Path:
    """The bundled example package (a công văn with one PDF), for demos and tests."""
    from importlib.resources import files

    return Path(str(files("vbdt_exchange") / "examples" / "cong-van.edxml"))


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("vbdt-exchange")
    raise AttributeError(f"module 'vbdt_exchange' has no attribute {name!r}")
