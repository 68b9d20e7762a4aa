"""The streaming multipart reader of ``sendEdoc``: delimiters split across reads, hostile
bodies."""

from __future__ import annotations

import io

import pytest

from vbdt_exchange.hub.app import _multipart_part, _Refusal

BOUNDARY = b"b0undary"


class Trickle(io.RawIOBase):
    """A stream that returns at most ``step`` bytes per read."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data = data
        self.step = step
        self.pos = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.data[self.pos : self.pos + self.step]
        self.pos += len(chunk)
        return chunk


def body(*parts: tuple[bytes, bytes], preamble: bytes = b"") -> bytes:
    out = preamble
    for name, content in parts:
        out += b"--" + BOUNDARY + b"\r\n"
        out += b'Content-Disposition: form-data; name="' + name + b'"\r\n\r\n'
        out += content + b"\r\n"
    return out + b"--" + BOUNDARY + b"--\r\n"


PAYLOAD = b"<edXML>" + b"x\r\n--b0undar" * 50 + b"</edXML>\r\n"  # near-delimiters inside


@pytest.mark.parametrize("step", [1, 2, 3, 7, 11, 64, 1 << 20])
def test_the_part_is_found_whatever_the_read_sizes(step: int) -> None:
    data = body((b"note", b"hello"), (b"file_doc", PAYLOAD), (b"after", b"1"), preamble=b"junk")
    out = io.BytesIO()
    assert _multipart_part(Trickle(data, step), BOUNDARY, b"file_doc", out)  # type: ignore[arg-type]
    assert out.getvalue() == PAYLOAD


def test_filename_is_not_name() -> None:
    data = (
        b"--" + BOUNDARY + b"\r\n"
        b'Content-Disposition: form-data; filename="file_doc"; name="other"\r\n\r\n'
        b"nope\r\n--" + BOUNDARY + b"--"
    )
    assert not _multipart_part(io.BytesIO(data), BOUNDARY, b"file_doc", io.BytesIO())


@pytest.mark.parametrize(
    "data",
    [
        b"--" + BOUNDARY + b"\r\n" + b"X" * 20000,  # part headers that never end
        b"--" + BOUNDARY + b"x" * 2000,  # a delimiter line that never ends
    ],
)
def test_malformed_bodies_are_refused(data: bytes) -> None:
    with pytest.raises(_Refusal, match="malformed multipart") as refused:
        _multipart_part(io.BytesIO(data), BOUNDARY, b"file_doc", io.BytesIO())
    assert refused.value.code == "10"


def test_a_part_without_its_closing_delimiter_is_not_found() -> None:
    data = b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file_doc"\r\n\r\nabc'
    assert not _multipart_part(io.BytesIO(data), BOUNDARY, b"file_doc", io.BytesIO())


def test_no_part_at_all() -> None:
    assert not _multipart_part(io.BytesIO(b"plain text"), BOUNDARY, b"file_doc", io.BytesIO())
