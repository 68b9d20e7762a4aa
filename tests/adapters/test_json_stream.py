"""The incremental base64-in-JSON decoder: any chunking gives the same bytes; hostile and
malformed answers fail with AxisProtocolError, never another exception."""

from __future__ import annotations

import base64
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbdt_exchange.adapters import AxisProtocolError
from vbdt_exchange.adapters._http import Base64Decoder, JsonBase64Stream


def _decode(body: bytes, cuts: list[int]) -> tuple[bytes, dict[str, object], bool]:
    out = io.BytesIO()
    parser = JsonBase64Stream("data", out.write, "getEdoc", max_other_bytes=4096)
    start = 0
    for cut in [*sorted({c % (len(body) + 1) for c in cuts}), len(body)]:
        parser.feed(body[start:cut])
        start = max(start, cut)
    parser.finish()
    return out.getvalue(), parser.members, parser.found


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=3000),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=20),
    before=st.dictionaries(
        st.sampled_from(["status", "ErrorCode", "ErrorDesc", "x"]),
        st.one_of(
            st.text(max_size=20),
            st.integers(),
            st.none(),
            st.lists(st.text(max_size=5), max_size=3),
        ),
    ),
    gson=st.booleans(),
    slash=st.booleans(),
    data_first=st.booleans(),
    indent=st.sampled_from([None, 1]),
)
def test_any_chunking_and_escaping_decodes_the_same(
    data: bytes,
    cuts: list[int],
    before: dict[str, object],
    gson: bool,
    slash: bool,
    data_first: bool,
    indent: int | None,
) -> None:
    encoded = base64.b64encode(data).decode()
    members = {"data": "@DATA@", **before} if data_first else {**before, "data": "@DATA@"}
    text = json.dumps(members, ensure_ascii=False, indent=indent)
    if gson:
        encoded = encoded.replace("=", "\\u003d")
    if slash:
        encoded = encoded.replace("/", "\\/")
    body = text.replace("@DATA@", encoded).encode("utf-8")
    decoded, others, found = _decode(body, cuts)
    assert decoded == data
    assert found
    assert others == before


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"[1,2]", "does not start"),
        (b'{"data":"QUJD"} extra', "after the object"),
        (b'{"data":"QUJD"', "ends before"),
        (b'{"data":"QU\\"JD"}', "cannot be base64"),
        (b'{"data":"QUJD\\u00e9"}', "non-ASCII"),
        (b'{"data":"QUJD\\uZZZZ"}', "malformed"),
        (b'{"data":"QUJDRA==QUJD"}', "after the padding"),
        (b'{"data":"QUJDR"}', "truncated"),
        (b'{"data":"QU*D"}', "not valid base64"),
        (b'{"data":{"nested":"QUJD"}}', "not a string"),
        (b'{"x":tru}', "malformed value"),
        (b'{"x" 1}', "':' was expected"),
        (b'{"x":1 "y":2}', "',' or '}' was expected"),
        (b"{,}", "member name"),
        (b'{"x":1,}', "member name"),
        (b'{"x":]}', "unbalanced"),
        (b'{"x":' + b"[" * 2000 + b"]" * 2000 + b"}", "malformed value"),
        (b'{"x":"' + b"a" * 5000 + b'"}', "besides the package"),
        (b"", "ends before"),
    ],
)
def test_malformed_answers(body: bytes, match: str) -> None:
    with pytest.raises(AxisProtocolError, match=match):
        _decode(body, [3, 7])


def test_null_data_is_not_found() -> None:
    decoded, members, found = _decode(b'{"status":"FAIL","data":null}', [])
    assert (decoded, found, members) == (b"", False, {"status": "FAIL", "data": None})


def test_unpadded_base64_is_accepted() -> None:
    out: list[bytes] = []
    decoder = Base64Decoder(out.append, "x")
    decoder.feed(b"QUJ")
    decoder.feed(b"DRA")
    decoder.finish()
    assert b"".join(out) == b"ABCD"


def test_large_package_is_decoded_without_per_byte_overhead() -> None:
    data = bytes(range(256)) * 40_000  # ~10 MB
    body = json.dumps({"status": "OK", "data": base64.b64encode(data).decode()}).encode()
    decoded, _, _ = _decode(body, list(range(0, len(body), 65536)))
    assert decoded == data
