"""Plumbing the HTTP adapters share: upload bodies, bounded reads, base64-in-JSON decoding,
error classification and the retry loop."""

from __future__ import annotations

import binascii
import hashlib
import io
import json
import logging
import os
import random
import shutil
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

import attrs
import httpx

from vbdt_exchange.adapters.base import Destination, Fetched, PackageSource
from vbdt_exchange.adapters.errors import (
    AxisAmbiguous,
    AxisConfigError,
    AxisError,
    AxisProtocolError,
    AxisUnavailable,
)

log = logging.getLogger("vbdt_exchange.adapters")

CHUNK = 64 * 1024
KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
T = TypeVar("T")


# -- timeouts and retries ---------------------------------------------------------------------


@attrs.frozen
class Timeouts:
    """Timeouts of one channel, in seconds.

    :ivar connect: to open a connection.
    :ivar read: to wait for an answer to an ordinary call (between two bytes received).
    :ivar write: to send one chunk of a request.
    :ivar transfer_read: ``read`` for the calls that move a package (send, fetch): the axis may
        take long to answer a big one.
    :ivar pool: to wait for a free connection.
    """

    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    transfer_read: float = 120.0
    pool: float = 10.0

    def httpx(self, *, transfer: bool = False) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect,
            read=self.transfer_read if transfer else self.read,
            write=self.write,
            pool=self.pool,
        )


@attrs.frozen
class RetryPolicy:
    """How calls that are safe to repeat are repeated after a transient failure.

    Only :class:`~vbdt_exchange.adapters.errors.AxisUnavailable` is retried, and only for
    operations that are safe to repeat (reading lists and packages, setting a delivery state). A
    send is repeated only when the connection could not be opened at all (nothing was sent).

    :ivar attempts: the most calls in all (1 = no retry).
    :ivar backoff: the first pause, in seconds; it doubles each time, with jitter.
    :ivar max_backoff: the longest pause.
    """

    attempts: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0

    def pauses(self) -> Iterator[float]:
        pause = self.backoff
        for _ in range(self.attempts - 1):
            yield min(self.max_backoff, pause) * (0.5 + random.random() / 2)  # noqa: S311
            pause *= 2


def with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    operation: str,
    sleep: Callable[[float], None] = time.sleep,
    retry_if: Callable[[AxisError], bool] | None = None,
) -> T:
    """``call()``, repeated after a retryable failure as ``policy`` says."""
    pauses = policy.pauses()
    while True:
        try:
            return call()
        except AxisError as exc:
            ok = retry_if(exc) if retry_if else getattr(exc, "retryable", False)
            pause = next(pauses, None) if ok else None
            if pause is None:
                raise
            log.info("%s failed (%s); retrying in %.1f s", operation, exc, pause)
            sleep(pause)


def warn_if_plain_http(url: str, what: str, *, test: bool) -> None:
    """Log a warning when a secret-bearing channel talks plain HTTP outside a test setting."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme == "http" and not test:
        log.warning(
            "%s: %s uses plain http://, so its credentials and packages travel unencrypted; "
            "use https:// (or set test=True for a test axis)",
            what,
            url,
        )
    elif scheme not in ("http", "https"):
        raise AxisConfigError(f"{what}: endpoint must be an http:// or https:// URL, not {url!r}")


# -- transport errors -----------------------------------------------------------------------


def transport_error(exc: httpx.TransportError, operation: str, *, uploading: bool) -> AxisError:
    """The adapter error for an httpx transport failure.

    ``uploading``: the request carried a package to be taken (a send). Then a failure after the
    request was written (read timeout, connection closed before the answer) is ambiguous.
    """
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.UnsupportedProtocol):
        return AxisConfigError(f"unsupported URL ({detail})", operation=operation)
    if uploading and isinstance(
        exc, httpx.ReadTimeout | httpx.ReadError | httpx.RemoteProtocolError
    ):
        return AxisAmbiguous(
            f"the package was sent but no answer came ({detail}); the axis may have taken it: "
            "check the sent list before sending it again",
            operation=operation,
        )
    return AxisUnavailable(f"the axis could not be reached ({detail})", operation=operation)


def nothing_sent(exc: AxisError) -> bool:
    """Whether a failure happened before any byte of the request left (safe to resend)."""
    cause = exc.__cause__
    return isinstance(exc, AxisUnavailable) and isinstance(
        cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
    )


# -- bodies ---------------------------------------------------------------------------------


class Upload:
    """A package to upload: its size and SHA-256 known before sending, its bytes streamed.

    A path or a seekable stream is read twice (hash, then send) and never held whole in memory;
    a stream that cannot seek is first copied to a temporary file. Iterating yields the package
    then ``suffix``; it can be iterated again (a retried request), and :meth:`close` removes
    any temporary copy.
    """

    def __init__(self, source: PackageSource, *, suffix: bytes = b"", max_bytes: int) -> None:
        self.suffix = suffix
        self._data: bytes | None = None
        self._path: Path | None = None
        self._stream: BinaryIO | None = None
        self._start = 0
        self._spool: BinaryIO | None = None
        digest = hashlib.sha256()
        size = 0
        if isinstance(source, bytes | bytearray | memoryview):
            self._data = bytes(source)
            size = len(self._data)
            if size > max_bytes:
                raise AxisConfigError(f"the package is larger than the limit of {max_bytes} bytes")
            digest.update(self._data)
        elif isinstance(source, str | os.PathLike):
            self._path = Path(source)
            with open(self._path, "rb") as f:
                size = _hash_into(f, digest, max_bytes)
        else:
            if isinstance(source, io.IOBase):
                seekable = source.seekable()
            else:
                seekable = hasattr(source, "seek")
            if seekable:
                self._stream = source
                self._start = source.tell()
                size = _hash_into(source, digest, max_bytes)
            else:
                spool: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
                self._spool = spool
                try:
                    size = _hash_into(source, digest, max_bytes, copy_to=spool)
                except BaseException:
                    spool.close()
                    raise
                self._stream = spool
        self.size = size
        self.digest = digest.digest()
        self.sha256 = digest.hexdigest()

    @property
    def content_length(self) -> int:
        return self.size + len(self.suffix)

    def head(self, limit: int = MiB) -> bytes:
        if self._data is not None:
            return self._data[:limit]
        with self._open() as f:
            return f.read(limit)

    @contextmanager
    def _open(self) -> Iterator[BinaryIO]:
        if self._path is not None:
            with open(self._path, "rb") as f:
                yield f
        else:
            assert self._stream is not None
            self._stream.seek(self._start)
            yield self._stream

    @contextmanager
    def as_file(self) -> Iterator[BinaryIO]:
        """The package as a file object positioned at its start (for multipart encoders,
        which rewind to 0)."""
        if self._data is not None:
            yield io.BytesIO(self._data)
        elif self._path is not None:
            with open(self._path, "rb") as f:
                yield f
        elif self._start == 0:
            assert self._stream is not None
            self._stream.seek(0)
            yield self._stream
        else:
            with tempfile.TemporaryFile() as copy:
                for chunk in self.chunks(suffix=False):
                    copy.write(chunk)
                copy.seek(0)
                yield cast(BinaryIO, copy)

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks()

    def chunks(self, *, suffix: bool = True) -> Iterator[bytes]:
        """The package in chunks of 64 KiB, then :attr:`suffix` unless ``suffix=False``."""
        if self._data is not None:
            for i in range(0, len(self._data), CHUNK):
                yield self._data[i : i + CHUNK]
        else:
            with self._open() as f:
                left = self.size
                while left > 0:
                    chunk = f.read(min(CHUNK, left))
                    if not chunk:
                        raise AxisProtocolError("the package changed while it was being sent")
                    left -= len(chunk)
                    yield chunk
        if suffix and self.suffix:
            yield self.suffix

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def __enter__(self) -> Upload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _hash_into(
    stream: BinaryIO, digest: Any, max_bytes: int, *, copy_to: BinaryIO | None = None
) -> int:
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise AxisConfigError(f"the package is larger than the limit of {max_bytes} bytes")
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return size


def read_bounded(response: httpx.Response, limit: int, operation: str) -> bytes:
    """The body of a streamed response, refusing more than ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise AxisProtocolError(
                f"the answer is larger than the limit of {limit} bytes", operation=operation
            )
        parts.append(chunk)
    return b"".join(parts)


def parse_json(body: bytes, operation: str, http_status: int | None = None) -> Any:
    try:
        return json.loads(body)
    except RecursionError:
        raise AxisProtocolError(
            "the answer is JSON nested too deeply", operation=operation, http_status=http_status
        ) from None
    except ValueError:
        snippet = body[:120].decode("utf-8", "replace")
        raise AxisProtocolError(
            f"the answer is not JSON (HTTP {http_status}): {snippet!r}",
            operation=operation,
            http_status=http_status,
        ) from None


# -- destinations ---------------------------------------------------------------------------


class Sink:
    """Where a fetched package is spooled until the axis's answer is known to be a success.

    Bytes go to a temporary file (next to the destination when it is a path); :meth:`commit`
    moves it into place (atomically for a path, copied for a stream), :meth:`discard` drops it.
    Nothing reaches the destination unless the whole answer was good.
    """

    def __init__(self, doc_id: str, into: Destination, max_bytes: int, operation: str) -> None:
        self.doc_id = doc_id
        self.into = into
        self.max_bytes = max_bytes
        self.operation = operation
        self.size = 0
        self._digest = hashlib.sha256()
        if isinstance(into, str | os.PathLike):
            target = Path(into)
            fd, name = tempfile.mkstemp(prefix=".vbdt-fetch-", dir=target.parent)
            self._tmp_path: Path | None = Path(name)
            self._file: BinaryIO = os.fdopen(fd, "w+b")
        else:
            self._tmp_path = None
            self._file = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=8 * MiB))  # noqa: SIM115

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.max_bytes:
            raise AxisProtocolError(
                f"the package is larger than the limit of {self.max_bytes} bytes",
                operation=self.operation,
            )
        self._digest.update(data)
        self._file.write(data)

    def reset(self) -> None:
        """Forget what was written (a repeated attempt)."""
        self._file.seek(0)
        self._file.truncate()
        self.size = 0
        self._digest = hashlib.sha256()

    def commit(self) -> Fetched:
        path: Path | None = None
        if self._tmp_path is not None:
            assert isinstance(self.into, str | os.PathLike)
            self._file.close()
            path = Path(self.into)
            os.replace(self._tmp_path, path)
            self._tmp_path = None
        else:
            stream = self.into
            assert not isinstance(stream, str | os.PathLike)
            self._file.seek(0)
            shutil.copyfileobj(self._file, stream, CHUNK)
            self._file.close()
        return Fetched(
            doc_id=self.doc_id, size=self.size, sha256=self._digest.hexdigest(), path=path
        )

    def discard(self) -> None:
        self._file.close()
        if self._tmp_path is not None:
            self._tmp_path.unlink(missing_ok=True)
            self._tmp_path = None


@contextmanager
def sink(doc_id: str, into: Destination, max_bytes: int, operation: str) -> Iterator[Sink]:
    """A :class:`Sink` that is discarded unless committed inside the block."""
    s = Sink(doc_id, into, max_bytes, operation)
    try:
        yield s
    finally:
        s.discard()


# -- base64 inside a JSON answer, decoded as it arrives ---------------------------------------

_WS = b" \t\r\n"


class Base64Decoder:
    """Decode base64 arriving in pieces; whitespace is ignored, anything else invalid fails."""

    def __init__(self, out: Callable[[bytes], None], operation: str) -> None:
        self._out = out
        self._buf = b""
        self._operation = operation

    def feed(self, text: bytes) -> None:
        text = text.translate(None, _WS)
        if not text:
            return
        self._buf += text
        padding = self._buf.find(b"=")
        whole = (len(self._buf) if padding < 0 else padding) // 4 * 4
        if whole:
            self._decode(self._buf[:whole])
            self._buf = self._buf[whole:]
        if padding >= 0 and len(self._buf) > 4:
            self._bad("data after the padding")

    def finish(self) -> None:
        if not self._buf:
            return
        if len(self._buf) % 4 == 1 or (b"=" in self._buf and len(self._buf) != 4):
            self._bad("a truncated last group")
        self._decode(self._buf + b"=" * (-len(self._buf) % 4))
        self._buf = b""

    def _decode(self, text: bytes) -> None:
        try:
            self._out(binascii.a2b_base64(text, strict_mode=True))
        except binascii.Error as exc:
            self._bad(str(exc))

    def _bad(self, why: str) -> None:
        raise AxisProtocolError(
            f"the package in the answer is not valid base64 ({why})", operation=self._operation
        )


class JsonBase64Stream:
    """Read a top-level JSON object as it arrives; the string value of ``key`` is base64
    decoded into ``out`` without ever holding it whole; every other member is kept (bounded).

    Handles escapes inside the string (``\\/``, ``\\u003d`` as Gson writes ``=``).
    After :meth:`finish`, :attr:`members` holds the other members and :attr:`found` tells whether
    ``key`` was a string (``null`` leaves it unset).
    """

    _START, _KEY_OR_END, _KEY, _COLON, _VALUE, _DATA, _ESC, _UESC, _RAW, _AFTER, _DONE = range(11)

    def __init__(
        self,
        key: str,
        out: Callable[[bytes], None],
        operation: str,
        *,
        max_other_bytes: int = MiB,
    ) -> None:
        self.key = key
        self.members: dict[str, Any] = {}
        self.found = False
        self.operation = operation
        self._decoder = Base64Decoder(out, operation)
        self._state = self._START
        self._buf = bytearray()
        self._current_key = ""
        self._escape = False
        self._in_string = False
        self._depth = 0
        self._uesc = bytearray()
        self._other = 0
        self._max_other = max_other_bytes
        self._expect_key = False

    def _bad(self, why: str) -> AxisProtocolError:
        return AxisProtocolError(
            f"the answer is not the expected JSON object ({why})", operation=self.operation
        )

    def feed(self, chunk: bytes) -> None:
        i = 0
        n = len(chunk)
        while i < n:
            state = self._state
            if state == self._DATA:
                j = _find_any(chunk, i, b'"\\')
                if j < 0:
                    self._decoder.feed(chunk[i:])
                    return
                self._decoder.feed(chunk[i:j])
                if chunk[j] == 0x22:  # "
                    self._decoder.finish()
                    self.found = True
                    self._state = self._AFTER
                else:
                    self._state = self._ESC
                i = j + 1
                continue
            b = chunk[i]
            i += 1
            if state == self._ESC:
                if b == 0x75:  # u
                    self._uesc.clear()
                    self._state = self._UESC
                elif b in b"/":
                    self._decoder.feed(b"/")
                    self._state = self._DATA
                elif b in b"nrt":
                    self._state = self._DATA
                else:
                    raise self._bad("an escape that cannot be base64 in the package string")
            elif state == self._UESC:
                self._uesc.append(b)
                if len(self._uesc) == 4:
                    try:
                        code = int(self._uesc.decode("ascii"), 16)
                    except ValueError:
                        raise self._bad("a malformed \\u escape") from None
                    if code > 0x7F:
                        raise self._bad("a non-ASCII character in the package string")
                    self._decoder.feed(bytes([code]))
                    self._state = self._DATA
            elif b in _WS and state in (
                self._START,
                self._KEY_OR_END,
                self._COLON,
                self._VALUE,
                self._AFTER,
                self._DONE,
            ):
                continue
            elif state == self._START:
                if b != 0x7B:
                    raise self._bad("it does not start with '{'")
                self._state = self._KEY_OR_END
            elif state == self._KEY_OR_END:
                if b == 0x7D and not self._expect_key:
                    self._state = self._DONE
                elif b == 0x22:
                    self._buf = bytearray(b'"')
                    self._escape = False
                    self._state = self._KEY
                else:
                    raise self._bad("a member name was expected")
            elif state == self._KEY:
                self._grow(b)
                if self._escape:
                    self._escape = False
                elif b == 0x5C:
                    self._escape = True
                elif b == 0x22:
                    try:
                        self._current_key = json.loads(bytes(self._buf))
                    except ValueError:
                        raise self._bad("a malformed member name") from None
                    self._state = self._COLON
            elif state == self._COLON:
                if b != 0x3A:
                    raise self._bad("':' was expected")
                self._state = self._VALUE
            elif state == self._VALUE:
                self._expect_key = False
                if self._current_key == self.key and b == 0x22:
                    self._state = self._DATA
                else:
                    self._buf = bytearray()
                    self._depth = 0
                    self._in_string = False
                    self._escape = False
                    self._state = self._RAW
                    i -= 1  # the RAW state reads this byte
            elif state == self._RAW:
                ended = self._raw_byte(b)
                if ended:
                    self._end_raw()
                    if ended == 1:
                        i -= 1  # the delimiter is not the value's: AFTER reads it
                    self._state = self._AFTER
            elif state == self._AFTER:
                if b == 0x2C:
                    self._expect_key = True
                    self._state = self._KEY_OR_END
                elif b == 0x7D:
                    self._state = self._DONE
                else:
                    raise self._bad("',' or '}' was expected")
            elif state == self._DONE:
                raise self._bad("data after the object")

    def _grow(self, b: int) -> None:
        self._buf.append(b)
        self._other += 1
        if self._other > self._max_other:
            raise self._bad(f"more than {self._max_other} bytes besides the package")

    def _raw_byte(self, b: int) -> int:
        """Add one byte of a non-package value: 0 the value goes on, 1 it ended *before* this
        byte (a scalar's delimiter), 2 it ended *with* it (a closing quote or bracket)."""
        if self._in_string:
            self._grow(b)
            if self._escape:
                self._escape = False
            elif b == 0x5C:
                self._escape = True
            elif b == 0x22:
                self._in_string = False
                return 2 if self._depth == 0 else 0
            return 0
        if self._depth == 0 and self._buf and b in b",}" + _WS:
            return 1
        self._grow(b)
        if b == 0x22:
            self._in_string = True
        elif b in b"{[":
            self._depth += 1
        elif b in b"}]":
            self._depth -= 1
            if self._depth < 0:
                raise self._bad("unbalanced brackets")
            return 2 if self._depth == 0 else 0
        return 0

    def _end_raw(self) -> None:
        try:
            value = json.loads(bytes(self._buf))
        except (ValueError, RecursionError):
            raise self._bad(f"a malformed value for {self._current_key!r}") from None
        if self._current_key == self.key and value is not None:
            raise self._bad(f"{self.key!r} is a {type(value).__name__}, not a string")
        self.members[self._current_key] = value

    def finish(self) -> None:
        if self._state == self._RAW and self._buf:
            raise self._bad("it ends inside a value")
        if self._state != self._DONE:
            raise self._bad("it ends before the object does")


def _find_any(data: bytes, start: int, chars: bytes) -> int:
    found = [p for p in (data.find(bytes([c]), start) for c in chars) if p >= 0]
    return min(found) if found else -1
