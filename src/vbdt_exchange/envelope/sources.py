"""Attachment data sources: where an attachment's bytes come from, without loading them.

A package never has to sit in memory: an :class:`~vbdt_exchange.envelope.Attachment` holds an
:class:`AttachmentSource`, which the writer streams and the reader fills from a spool file.
Sources compare equal when they hold the same bytes (same size and SHA-256); the digest is
computed once, on first need, by streaming.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

import attrs

from vbdt_exchange.errors import AttachmentError

__all__ = [
    "CHUNK_SIZE",
    "AttachmentSource",
    "BytesSource",
    "InvalidPayload",
    "PathSource",
    "StreamSource",
    "same_data",
]

CHUNK_SIZE = 1024 * 1024


@runtime_checkable
class AttachmentSource(Protocol):
    """Where an attachment's bytes come from."""

    def open(self) -> BinaryIO:
        """A new binary stream positioned at the first byte."""
        ...

    @property
    def size(self) -> int | None:
        """The number of bytes, when known without reading."""
        ...

    def sha256(self) -> str:
        """The SHA-256 of the bytes, as lower-case hex (computed by streaming, then cached)."""
        ...


def _digest(stream: BinaryIO) -> tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    with stream:
        while chunk := stream.read(CHUNK_SIZE):
            h.update(chunk)
            n += len(chunk)
    return n, h.hexdigest()


def iter_chunks(source: AttachmentSource, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield the bytes of ``source`` in chunks."""
    with source.open() as stream:
        while chunk := stream.read(chunk_size):
            yield chunk


@attrs.frozen(eq=False)
class BytesSource:
    """Bytes held in memory (small attachments, tests)."""

    data: bytes = attrs.field(repr=lambda d: f"<{len(d)} bytes>")

    def open(self) -> BinaryIO:
        return io.BytesIO(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@attrs.frozen(eq=False)
class PathSource:
    """A file on disk, read when needed.

    ``known_size`` and ``known_sha256`` may be given when already known (the reader knows them
    for the files it spools), so that comparing and reporting never re-reads the file.
    """

    path: Path = attrs.field(converter=Path)
    known_size: int | None = None
    known_sha256: str | None = None
    _cache: dict[str, object] = attrs.field(factory=dict, init=False, repr=False)

    def open(self) -> BinaryIO:
        return open(self.path, "rb")

    @property
    def size(self) -> int:
        if self.known_size is not None:
            return self.known_size
        return os.stat(self.path).st_size

    def sha256(self) -> str:
        if self.known_sha256 is not None:
            return self.known_sha256
        if "sha256" not in self._cache:
            self._cache["size"], self._cache["sha256"] = _digest(self.open())
        return str(self._cache["sha256"])


@attrs.frozen(eq=False)
class StreamSource:
    """A callable that opens a new stream each time (e.g. a database blob or an HTTP body)."""

    opener: Callable[[], BinaryIO]
    known_size: int | None = None
    _cache: dict[str, object] = attrs.field(factory=dict, init=False, repr=False)

    def open(self) -> BinaryIO:
        return self.opener()

    @property
    def size(self) -> int | None:
        if self.known_size is not None:
            return self.known_size
        size = self._cache.get("size")
        return size if isinstance(size, int) else None

    def sha256(self) -> str:
        if "sha256" not in self._cache:
            self._cache["size"], self._cache["sha256"] = _digest(self.open())
        return str(self._cache["sha256"])


@attrs.frozen(eq=False)
class InvalidPayload:
    """A payload that could not be decoded, kept as found so that nothing is lost.

    ``text`` is the text of ``ContentTransferEncoded`` as it stood in the package (``None``
    when it was too large to keep); ``reason`` says what is wrong. Opening it raises
    :class:`~vbdt_exchange.errors.AttachmentError`; a lenient writer writes ``text`` back.
    """

    reason: str
    text: str | None = None
    rule: str = "EDX301"

    def open(self) -> BinaryIO:
        raise AttachmentError(self.reason, rule=self.rule)

    @property
    def size(self) -> None:
        return None

    def sha256(self) -> str:
        raise AttachmentError(self.reason, rule=self.rule)


def same_data(a: AttachmentSource, b: AttachmentSource) -> bool:
    """Whether two sources hold the same bytes (compared by size and SHA-256)."""
    if a is b:
        return True
    if isinstance(a, InvalidPayload) or isinstance(b, InvalidPayload):
        return (
            isinstance(a, InvalidPayload)
            and isinstance(b, InvalidPayload)
            and a.text == b.text
            and a.rule == b.rule
        )
    if a.size is not None and b.size is not None and a.size != b.size:
        return False
    return a.sha256() == b.sha256()
