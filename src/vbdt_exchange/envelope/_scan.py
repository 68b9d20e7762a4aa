"""Split attachment payloads out of a package before it is parsed (design notes §1).

A package is one XML file whose attachments are base64 text nodes. The scanner reads the file
as bytes, finds each ``ContentTransferEncoded`` element (any prefix), streams the base64 text
between its tags to a spool file (decoding and hashing as it goes), and leaves a small
*skeleton* document in which each payload is replaced by a marker. The skeleton is then parsed
with the hardened parser, whose size limits it fits well inside.

The base64 alphabet has no ``<`` or ``&``, so a payload ends at the first ``<``. Anything that is
not plain base64 (entity references, CDATA, comments, junk) is left in the skeleton verbatim when
it is small, so the XML parser reads it properly and the reader decides what it is.
"""

from __future__ import annotations

import binascii
import codecs
import contextlib
import hashlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

import attrs

from vbdt_exchange.envelope.limits import Limits
from vbdt_exchange.envelope.rules import RULES
from vbdt_exchange.errors import EnvelopeReadError, ResourceLimitError, UnsafeXMLError

__all__ = ["Payload", "ScanResult", "scan"]

READ_SIZE = 2 * 1024 * 1024
_WS = b" \t\r\n"
_NOT_B64 = re.compile(rb"[^A-Za-z0-9+/=]")
_START_TAG = re.compile(
    rb"<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>", re.DOTALL
)
_END_CTE = re.compile(rb"</(?:[^\s/>:]+:)?ContentTransferEncoded\s*>")
_CTE = b"ContentTransferEncoded"
_MAX_TAG = 1024 * 1024


@attrs.define
class Payload:
    """One ``ContentTransferEncoded`` payload as the scanner found it."""

    index: int
    path: Path | None = None  # decoded bytes, when the payload was plain base64
    size: int = 0
    sha256: str = ""
    error: str | None = None  # why the payload is not plain, valid base64
    kept_verbatim: bool = False  # the text was left in the skeleton for the parser
    line: int = 0  # line of the ContentTransferEncoded start tag in the original file
    raw_path: Path | None = None  # the base64 text exactly as in the file (``keep_raw``)


@attrs.define
class ScanResult:
    skeleton: bytes
    marker_prefix: str
    payloads: list[Payload]
    line_shifts: list[tuple[int, int]]  # (skeleton line, original lines removed after it)
    stray_prefix: bytes = b""  # bytes skipped before the first '<' (recovery mode only)
    transcoded_from: str | None = None
    total_bytes: int = 0

    def original_line(self, skeleton_line: int | None) -> int | None:
        """Map a line of the skeleton back to the line in the original file."""
        if skeleton_line is None:
            return None
        shift = sum(n for at, n in self.line_shifts if at < skeleton_line)
        return skeleton_line + shift


class _Transcoder:
    """A binary stream that re-encodes UTF-16 input as UTF-8, incrementally."""

    def __init__(self, stream: BinaryIO, head: bytes, encoding: str) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._pending = head
        self._done = False

    def read(self, n: int) -> bytes:
        if self._done:
            return b""
        raw = self._pending + self._stream.read(n)
        self._pending = b""
        final = not raw
        try:
            text = self._decoder.decode(raw, final=final)
        except UnicodeDecodeError as exc:
            raise _error("EDX001", detail=f"invalid UTF-16: {exc.reason}") from None
        if final:
            self._done = True
        return text.encode("utf-8") if text or final else self.read(n)


def _error(
    rule_id: str, *, line: int | None = None, column: int | None = None, **details: object
) -> EnvelopeReadError:
    rule = RULES[rule_id]
    return EnvelopeReadError(
        rule.en.format(**details),
        rule=rule_id,
        line=line,
        column=column,
        message_vi=rule.vi.format(**details),
    )


def limit_error(what: str, what_vi: str, limit: int, line: int | None = None) -> ResourceLimitError:
    rule = RULES["EDX005"]
    return ResourceLimitError(
        rule.en.format(what=what, limit=limit),
        rule="EDX005",
        line=line,
        message_vi=rule.vi.format(what_vi=what_vi, limit=limit),
    )


class _Scanner:
    def __init__(
        self,
        stream: BinaryIO,
        *,
        limits: Limits,
        recover: bool,
        spool_dir: Path,
        keep_raw: bool = False,
        decode: bool = True,
    ) -> None:
        self.stream = stream
        self.keep_raw = keep_raw
        self.decode = decode
        self.limits = limits
        self.recover = recover
        self.spool_dir = spool_dir
        self.buf = b""
        self.pos = 0
        self.eof = False
        self.total = 0
        self.out: list[bytes] = []
        self.out_size = 0
        self.out_lines = 1  # current line of the skeleton
        self.in_lines = 1  # current line of the original
        self.payloads: list[Payload] = []
        self.shifts: list[tuple[int, int]] = []
        self.marker = f"vbdt-spool-{secrets.token_hex(16)}-"
        self.stack: list[bytes] = []  # local names of the open elements
        self.elements = 0

    # -- buffer management -------------------------------------------------------------------
    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(READ_SIZE)
        if not chunk:
            self.eof = True
            return False
        self.total += len(chunk)
        if self.total > self.limits.max_package_bytes:
            raise limit_error(
                "the package size", "kích thước gói tin", self.limits.max_package_bytes
            )
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _emit(self, data: bytes) -> None:
        if not data:
            return
        self.out.append(data)
        self.out_size += len(data)
        n = data.count(b"\n")
        self.out_lines += n
        self.in_lines += n
        if self.out_size > self.limits.max_header_bytes:
            raise limit_error(
                "the package without its attachment payloads",
                "gói tin (không kể tệp đính kèm)",
                self.limits.max_header_bytes,
                self.in_lines,
            )

    def _find(self, needle: bytes, start_offset: int = 0) -> int:
        """Index of ``needle`` at or after ``pos + start_offset``, reading more as needed."""
        while True:
            i = self.buf.find(needle, self.pos + start_offset)
            if i >= 0:
                return i
            if len(self.buf) - self.pos > self.limits.max_header_bytes:
                raise limit_error(
                    "a markup construct", "một cấu trúc đánh dấu", self.limits.max_header_bytes
                )
            if not self._more():
                return -1

    def _ensure(self, n: int) -> None:
        while len(self.buf) - self.pos < n and self._more():
            pass

    # -- main loop -----------------------------------------------------------------------------
    def run(self) -> tuple[bytes, bytes]:
        stray = self._prolog()
        while True:
            i = self._find(b"<")
            if i < 0:
                self._emit(self.buf[self.pos :])
                self.pos = len(self.buf)
                break
            self._emit(self.buf[self.pos : i])
            self.pos = i
            self._markup()
        return b"".join(self.out), stray

    def _prolog(self) -> bytes:
        self._ensure(4)
        head = self.buf[self.pos : self.pos + 4]
        if head.startswith(b"\xef\xbb\xbf"):
            self.pos += 3  # a UTF-8 byte order mark: harmless, dropped
        i = self._find(b"<")
        if i > self.pos:
            stray = self.buf[self.pos : i]
            # junk, or whitespace before the XML declaration (which must come first)
            self._ensure(i - self.pos + 5)
            if stray.strip(_WS) or self.buf.startswith(b"<?xml", i):
                if not self.recover:
                    raise _error(
                        "EDX002",
                        line=1,
                        column=1,
                        count=len(stray),
                        preview=stray[:16].decode("latin-1"),
                    )
                self.pos = i
                lines = stray.count(b"\n")
                if lines:
                    self.in_lines += lines
                    self.shifts.append((0, lines))
                return stray
        return b""

    def _copy_until(self, terminator: bytes, start_offset: int) -> None:
        j = self._find(terminator, start_offset)
        if j < 0:  # unterminated: hand the rest to the parser, which reports it
            j = len(self.buf) - len(terminator)
        end = j + len(terminator)
        self._emit(self.buf[self.pos : end])
        self.pos = end

    def _markup(self) -> None:
        self._ensure(9)
        rest = self.buf[self.pos : self.pos + 9]
        if rest.startswith(b"<!--"):
            self._copy_until(b"-->", 4)
        elif rest.startswith(b"<![CDATA["):
            self._copy_until(b"]]>", 9)
        elif rest.startswith(b"<?"):
            self._copy_until(b"?>", 2)
        elif rest.startswith(b"<!"):
            if rest[2:9].upper() == b"DOCTYPE":
                rule = RULES["EDX004"]
                raise UnsafeXMLError(rule.en, rule="EDX004", line=self.in_lines, message_vi=rule.vi)
            self._copy_until(b">", 2)
        elif rest.startswith(b"</"):
            self._copy_until(b">", 2)
            if self.stack:
                self.stack.pop()
        else:
            self._start_tag()

    def _start_tag(self) -> None:
        while True:
            m = _START_TAG.match(self.buf, self.pos)
            if m:
                break
            gt = self.buf.find(b">", self.pos)
            # a '>' inside a quoted attribute value can end the search early: read on until the
            # tag matches, the tag grows absurd, or the input ends.
            if len(self.buf) - self.pos > _MAX_TAG:
                raise limit_error("a start tag", "một thẻ mở", _MAX_TAG, self.in_lines)
            if not self._more():
                if gt < 0:
                    gt = len(self.buf) - 1
                self._emit(self.buf[self.pos : gt + 1])  # malformed: the parser reports it
                self.pos = gt + 1
                return
        if m.end() - m.start() > _MAX_TAG:
            raise limit_error("a start tag", "một thẻ mở", _MAX_TAG, self.in_lines)
        self.elements += 1
        if self.elements > self.limits.max_elements:
            raise limit_error(
                "the number of elements", "số phần tử", self.limits.max_elements, self.in_lines
            )
        name, selfclosing = m.group(1), m.group(3)
        self._emit(m.group(0))
        self.pos = m.end()
        if selfclosing:
            return
        local = name.rsplit(b":", 1)[-1]
        parent = self.stack[-1] if self.stack else b""
        self.stack.append(local)
        if local == _CTE and parent == b"Attachment":
            # only an attachment's payload is spooled; any other ContentTransferEncoded (in
            # an unknown extension) stays in the skeleton, to be kept as it is
            self._payload()

    # -- payloads ----------------------------------------------------------------------------
    def _payload(self) -> None:
        index = len(self.payloads)
        if index >= self.limits.max_attachments:
            raise limit_error(
                "the number of attachments",
                "số tệp đính kèm",
                self.limits.max_attachments,
                self.in_lines,
            )
        payload = Payload(index=index, line=self.in_lines)
        self.payloads.append(payload)
        cap = self.limits.max_invalid_payload_bytes
        raw: list[bytes] | None = []  # the payload text, while it is small enough to keep
        raw_size = 0
        newlines = 0
        fd, name = tempfile.mkstemp(prefix=f"payload-{index}-", suffix=".bin", dir=self.spool_dir)
        payload.path = Path(name)
        sha = hashlib.sha256()
        carry = b""
        padded = False
        size = 0
        raw_out: BinaryIO | None = None
        if self.keep_raw:  # the text as written, for signature digests (signature.xml)
            raw_fd, raw_name = tempfile.mkstemp(
                prefix=f"payload-{index}-", suffix=".b64", dir=self.spool_dir
            )
            payload.raw_path = Path(raw_name)
            raw_out = os.fdopen(raw_fd, "wb")
        with os.fdopen(fd, "wb") as out, raw_out or contextlib.nullcontext():
            while True:
                i = self.buf.find(b"<", self.pos)
                end = i if i >= 0 else len(self.buf)
                segment = self.buf[self.pos : end]
                self.pos = end
                if segment:
                    if raw_out is not None:
                        raw_out.write(segment)
                    if b"\n" in segment:  # the SDK writes base64 on one line: usually none
                        newlines += segment.count(b"\n")
                    if raw is not None:
                        raw.append(segment)
                        raw_size += len(segment)
                        if raw_size > cap:
                            raw = None
                    if payload.error is None and self.decode:
                        data = carry + _strip_ws(segment)
                        if padded and data:
                            payload.error = "data after the '=' padding"
                        else:
                            n = len(data) // 4 * 4
                            try:
                                decoded = binascii.a2b_base64(data[:n], strict_mode=True)
                            except binascii.Error as exc:
                                payload.error = _b64_reason(data[:n], exc)
                            else:
                                carry = data[n:]
                                padded = data[n - 1 : n] == b"=" if n else padded
                                size += len(decoded)
                                if size > self.limits.max_attachment_bytes:
                                    raise limit_error(
                                        "an attachment's decoded size",
                                        "kích thước tệp đính kèm sau giải mã",
                                        self.limits.max_attachment_bytes,
                                        payload.line,
                                    )
                                sha.update(decoded)
                                out.write(decoded)
                if i >= 0:
                    self._ensure(len(_CTE) + 64)
                    m = _END_CTE.match(self.buf, self.pos)
                    if m:
                        break
                    # CDATA, a comment, an entity or an element inside the payload: not plain
                    payload.error = payload.error or "markup inside the payload"
                    newlines, raw, raw_size = self._skip_to_end(raw, raw_size, newlines, cap)
                    break
                if not self._more():
                    payload.error = payload.error or "the payload is not closed"
                    break
            if payload.error is None and carry and self.decode:
                # missing '=' padding is accepted, as Java's and .NET's decoders do
                try:
                    if len(carry) == 1 or b"=" in carry:
                        raise binascii.Error("truncated")
                    decoded = binascii.a2b_base64(carry + b"=" * (4 - len(carry)), strict_mode=True)
                except binascii.Error:
                    payload.error = "the base64 text is truncated (length is not a multiple of 4)"
                else:
                    size += len(decoded)
                    sha.update(decoded)
                    out.write(decoded)
        if payload.error is None:
            payload.size, payload.sha256 = size, sha.hexdigest()
            self._emit(self.marker.encode() + str(index).encode())
            self.in_lines += newlines
            if newlines:
                self.shifts.append((self.out_lines, newlines))
            return
        # not plain base64: keep the text for the parser when it is small enough
        payload.path.unlink(missing_ok=True)
        payload.path = None
        if payload.raw_path is not None:
            payload.raw_path.unlink(missing_ok=True)
            payload.raw_path = None
        if raw is not None:
            payload.kept_verbatim = True
            self._emit(b"".join(raw))
        else:
            self._emit(self.marker.encode() + str(index).encode())
            self.in_lines += newlines
            if newlines:
                self.shifts.append((self.out_lines, newlines))

    def _skip_to_end(
        self, raw: list[bytes] | None, raw_size: int, newlines: int, cap: int
    ) -> tuple[int, list[bytes] | None, int]:
        """Consume up to (not including) the closing tag, keeping the text while small."""
        while True:
            m = _END_CTE.search(self.buf, self.pos)
            # without a match, keep a tail that might hold the start of the closing tag
            end = m.start() if m else max(self.pos, len(self.buf) - (len(_CTE) + 64))
            segment = self.buf[self.pos : end]
            self.pos = end
            newlines += segment.count(b"\n")
            if raw is not None:
                raw.append(segment)
                raw_size += len(segment)
                if raw_size > cap:
                    raw = None
            if m:
                return newlines, raw, raw_size
            if not self._more():
                segment = self.buf[self.pos :]
                self.pos = len(self.buf)
                if raw is not None:
                    raw.append(segment)
                return newlines, raw, raw_size


def _strip_ws(segment: bytes) -> bytes:
    """``segment`` without whitespace; cheap when it has none (the usual one-line base64)."""
    for ws in (b"\n", b"\r", b" ", b"\t"):
        if ws in segment:
            segment = segment.replace(ws, b"")
    return segment


def _b64_reason(data: bytes, exc: binascii.Error) -> str:
    bad = _NOT_B64.search(data)
    if bad is not None:
        char = data[bad.start() : bad.start() + 4].decode("utf-8", "replace")[0]
        return f"character {char!r} is not in the base64 alphabet"
    return str(exc).rstrip(".").lower() or "invalid base64"


def _open_transcoding(stream: BinaryIO) -> tuple[BinaryIO, str | None]:
    head = stream.read(4)
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom) and not head.startswith(codecs.BOM_UTF32_LE):
            return _Transcoder(stream, head[2:], encoding), "UTF-16"  # type: ignore[return-value]
    if head[:2] == b"<\x00":
        return _Transcoder(stream, head, "utf-16-le"), "UTF-16"  # type: ignore[return-value]
    if head[:2] == b"\x00<":
        return _Transcoder(stream, head, "utf-16-be"), "UTF-16"  # type: ignore[return-value]
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _error("EDX001", detail="UTF-32 is not supported")
    return _Prepend(stream, head), None  # type: ignore[return-value]


class _Prepend:
    def __init__(self, stream: BinaryIO, head: bytes) -> None:
        self._stream, self._head = stream, head

    def read(self, n: int) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head + self._stream.read(max(n - len(head), 0))
        return self._stream.read(n)


_DECL_ENCODING = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*)([\"'])[^\"']*\2")


def scan(
    stream: BinaryIO,
    *,
    limits: Limits,
    recover: bool,
    spool_dir: Path,
    keep_raw: bool = False,
    decode: bool = True,
) -> ScanResult:
    """Scan ``stream`` (a binary file positioned at the start of the package).

    ``keep_raw`` also spools each plain payload's text exactly as it is in the file
    (:attr:`Payload.raw_path`), for digests over the document as written. ``decode=False``
    (with ``keep_raw``, for a file this library just wrote) skips decoding: the payloads'
    ``path`` files stay empty and their text is not checked.
    """
    source, transcoded = _open_transcoding(stream)
    scanner = _Scanner(
        source,
        limits=limits,
        recover=recover,
        spool_dir=spool_dir,
        keep_raw=keep_raw,
        decode=decode,
    )
    skeleton, stray = scanner.run()
    if transcoded:
        skeleton = _DECL_ENCODING.sub(rb'\1"UTF-8"', skeleton, count=1)
    return ScanResult(
        skeleton=skeleton,
        marker_prefix=scanner.marker,
        payloads=scanner.payloads,
        line_shifts=scanner.shifts,
        stray_prefix=stray,
        transcoded_from=transcoded,
        total_bytes=scanner.total,
    )


def payload_index(text: str, prefix: str) -> int | None:
    """The payload a marker text names, or ``None`` when ``text`` is not a marker."""
    if text.startswith(prefix) and text[len(prefix) :].isdigit():
        return int(text[len(prefix) :])
    return None
