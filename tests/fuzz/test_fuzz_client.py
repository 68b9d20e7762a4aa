"""Hypothesis fuzz of the VDXP client's answer handling (issue 8, item 2).

Hostile axis answers are mostly covered by ``tests/adapters``; this adds a differential fuzz of
the incremental base64-in-JSON decoder (:class:`JsonBase64Stream`) against :func:`json.loads`
and :func:`base64.b64decode` over mutated and arbitrary bodies in arbitrary chunks, and a fuzz
of :func:`check_envelope` over arbitrary JSON answers and HTTP statuses. The contract: only
:class:`~vbdt_exchange.adapters.AxisError` subclasses are raised, and what the streaming
decoder accepts is exactly what the one-shot parsers read.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbdt_exchange.adapters import AxisProtocolError
from vbdt_exchange.adapters._http import JsonBase64Stream
from vbdt_exchange.adapters.vdxp import check_envelope
from vbdt_exchange.errors import AxisError

BUDGET = os.environ.get("VBDT_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(BUDGET or "200"),
    deadline=None,
    database=None,
    derandomize=BUDGET is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_OTHER = 4096

SEEDS = [
    b'{"status":"OK","ErrorCode":"0","data":"' + base64.b64encode(b"<edXML/>" * 20) + b'"}',
    b'{"data":"QUJD\\u003d","status":"OK"}',
    b'{"status":"FAIL","ErrorCode":"30","ErrorDesc":"Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y",'
    b'"data":null}',
    b'{\n "data": "QU\\/D",\n "x": [1, {"y": [true, false, null, -1.5e3]}]\n}',
]
TOKENS = [
    b'"',
    b"\\",
    b"\\u",
    b"\\u003d",
    b"=",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"null",
    b"\xc3",
    b"\x00",
    b" ",
    b"\n",
    b"1e999",
    b'"data"',
    b"/",
    b"+",
]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=300))
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["token", "delete", "flip"]))
        if kind == "token":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 8))]
        elif pos < len(data):
            data[pos] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


def _explains(exc: Exception, part: str) -> None:
    """A refusal says what is wrong (and names ``part``)."""
    assert str(exc)
    assert part in str(exc) or part == getattr(exc, "operation", None)


def stream(body: bytes, cuts: list[int]) -> tuple[bytes, dict[str, Any], bool]:
    out = io.BytesIO()
    parser = JsonBase64Stream("data", out.write, "getEdoc", max_other_bytes=MAX_OTHER)
    start = 0
    for cut in [*sorted({c % (len(body) + 1) for c in cuts}), len(body)]:
        parser.feed(body[start:cut])
        start = max(start, cut)
    parser.finish()
    return out.getvalue(), parser.members, parser.found


def one_shot(body: bytes) -> tuple[bytes, dict[str, Any], bool] | None:
    """What json + base64 make of ``body``, or ``None`` when they refuse it."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    if value.get("data") is None:  # absent, or null (kept among the other members)
        return b"", value, False
    data = value.pop("data")
    if not isinstance(data, str):
        return None
    text = "".join(data.split())
    try:
        text.encode("ascii")
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (ValueError, binascii.Error):
        return None
    return decoded, value, True


@FUZZ
@given(bodies(), st.lists(st.integers(0, 2000), max_size=12))
def test_streaming_decoder_agrees_with_one_shot_parsing(body: bytes, cuts: list[int]) -> None:
    expected = one_shot(body)
    try:
        got = stream(body, cuts)
    except AxisProtocolError as exc:
        _explains(exc, "getEdoc")
        return
    # the streaming decoder accepted: the one-shot parsers must read the same thing
    assert expected is not None, ("accepted what json/base64 refuse", body)
    decoded, members, found = got
    assert found == expected[2]
    if found:
        assert decoded == expected[0]
    assert members == expected[1]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
ENVELOPE_VALUES = st.one_of(
    JSON, st.sampled_from(["OK", "ok", "FAIL", "0", "", " 0 ", "15", "20", "99", "-1", 0, 15])
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["status", "ErrorCode", "ErrorDesc", "message", "data", "x"]),
        ENVELOPE_VALUES,
        max_size=5,
    ),
    st.integers(100, 599),
)
def test_check_envelope(answer: dict[str, Any], http_status: int) -> None:
    try:
        check_envelope(answer, "getEdoc", http_status)
    except AxisError as exc:
        _explains(exc, "getEdoc")
        return
    # accepted: an OK status and a 2xx answer
    assert 200 <= http_status < 300
    assert str(answer.get("status")).upper() == "OK"
