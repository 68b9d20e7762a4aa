"""The VDXP client signs exactly as the official SDK does, checked against independent
recomputation (hmac, hashlib, json here) and the literal captured request."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from vbdt_exchange.adapters import vdxp_wire
from vbdt_exchange.adapters.vdxp_wire import sdk_hash_file, sign_request

# The captured sendEdoc of SDKVXP 2.0.1 (axis-wire-capture.md), system 000.00.00.H29, secret s3cret.
CAPTURED_HASH_FILE = "a940157260b5639340a965b134e4ccf982af38b81a176b155e7528858ee55"
CAPTURED_SIGN_HEADER = (
    '{"XroadVnpt-systemid":"000.00.00.H29","XroadVnpt-servicetype":"eDoc",'
    '"XroadVnpt-messagetype":"edoc","XroadVnpt-hash-file":'
    '"a940157260b5639340a965b134e4ccf982af38b81a176b155e7528858ee55",'
    '"XroadVnpt-from":"000.00.00.H29","XroadVnpt-timestamp":"22112026T000518+0709",'
    '"XroadVnpt-Content-Type":"application/octet-stream"}'
)
CAPTURED_KEYS = "systemid;servicetype;messagetype;hash-file;from;timestamp;Content-Type"
CAPTURED_HASH_HEADER_PREFIX = "d521357e"


def _hmac(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def test_captured_hash_header_is_hmac_sha256_of_the_sign_header() -> None:
    expected = "d521357ec6c28861cdcafcbf5bab6dab466c8aaf235d311f92e45e0c33420bfa"
    assert _hmac(b"s3cret", CAPTURED_SIGN_HEADER) == expected


def test_sign_request_reproduces_the_captured_request_byte_for_byte() -> None:
    headers = sign_request(
        [
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("from", "000.00.00.H29"),
            ("hash-file", CAPTURED_HASH_FILE),
        ],
        system_id="000.00.00.H29",
        secret=b"s3cret",
        content_type="application/octet-stream",
        timestamp="22112026T000518+0709",
    )
    assert headers["XroadVnpt-sign-header"] == CAPTURED_SIGN_HEADER
    assert headers["XroadVnpt-sign-header-key"] == CAPTURED_KEYS
    assert headers["XroadVnpt-hash-header"].startswith(CAPTURED_HASH_HEADER_PREFIX)
    assert headers["XroadVnpt-hash-header"] == _hmac(b"s3cret", CAPTURED_SIGN_HEADER)
    assert headers["User-Agent"] == "JAVASDKAgent/1.0.0 XRoad/VPCP"
    assert headers["XroadVnpt-version"] == "3.0.201608"
    assert headers["Content-Type"] == "application/octet-stream"


def test_captured_hash_file_is_the_unpadded_61_character_form() -> None:
    assert len(CAPTURED_HASH_FILE) == 61
    # independent: each byte as %x, no zero padding
    digest = bytes.fromhex("0f00a1" + "10" * 29)
    assert sdk_hash_file(digest=digest) == "f0a1" + "10" * 29
    data = b"any package bytes"
    own = "".join(f"{b:x}" for b in hashlib.sha256(data).digest())
    assert sdk_hash_file(data) == own


def _sent(fake: Any, operation: str) -> list[Any]:
    return fake.calls(operation)


def test_client_send_is_signed_as_the_sdk_signs(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    package = edoc()
    with vdxp_client() as client:
        client.send(package)
    (request,) = _sent(fake_vdxp, "sendEdoc")
    h = request.headers
    sign_header = h["XroadVnpt-sign-header"]
    # independent recomputation of the HMAC over the transmitted string
    assert h["XroadVnpt-hash-header"] == _hmac(b"s3cret", sign_header)
    signed = json.loads(sign_header)
    assert list(signed) == [f"XroadVnpt-{k}" for k in CAPTURED_KEYS.split(";")]
    assert h["XroadVnpt-sign-header-key"] == CAPTURED_KEYS
    own_hash_file = "".join(f"{b:x}" for b in hashlib.sha256(package).digest())
    assert signed["XroadVnpt-hash-file"] == own_hash_file == h["XroadVnpt-hash-file"]
    assert signed["XroadVnpt-from"] == signed["XroadVnpt-systemid"] == "000.00.00.H29"
    assert signed["XroadVnpt-servicetype"] == "eDoc"
    assert signed["XroadVnpt-messagetype"] == "edoc"
    assert signed["XroadVnpt-Content-Type"] == "application/octet-stream"
    assert h["Content-Type"] == "application/octet-stream"
    # the body as the SDK sends it: the raw package and CRLF, no multipart
    assert request.content == package + b"\r\n"
    assert h["Content-Length"] == str(len(package) + 2)
    assert "transfer-encoding" not in h
    assert re.fullmatch(r"\d{8}T\d{6}\+\d{4}", signed["XroadVnpt-timestamp"])
    assert "filePath" not in sign_header


def test_each_request_gets_a_fresh_timestamp(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamps = iter(["22112026T000518+0001", "22112026T000518+0002", "22112026T000519+0003"])
    monkeypatch.setattr(vdxp_wire, "sdk_timestamp", lambda moment=None: next(stamps))
    with vdxp_client() as client:
        client.received()
        client.received("status")
        client.agencies()
    seen = [
        json.loads(r.headers["XroadVnpt-sign-header"])["XroadVnpt-timestamp"]
        for r in fake_vdxp.requests
    ]
    assert seen == ["22112026T000518+0001", "22112026T000518+0002", "22112026T000519+0003"]


def test_json_operations_carry_only_their_own_parameters(
    vdxp_client: Callable[..., Any], fake_vdxp: Any
) -> None:
    """Unlike the SDK, no parameter of an earlier call leaks into a later one."""
    with vdxp_client() as client:
        client.received("status")
        client.sent(doc_id="m-1")
    first, second = fake_vdxp.requests
    assert first.headers["XroadVnpt-sign-header-key"].split(";") == [
        "systemid",
        "servicetype",
        "messagetype",
        "timestamp",
        "Content-Type",
    ]
    assert json.loads(first.headers["XroadVnpt-sign-header"])["XroadVnpt-messagetype"] == "status"
    assert first.headers["Content-Type"] == "application/json"
    keys = set(second.headers["XroadVnpt-sign-header-key"].split(";"))
    assert keys == {"systemid", "servicetype", "messagetype", "docId", "timestamp", "Content-Type"}
    assert "hash-file" not in second.headers["XroadVnpt-sign-header"]


def test_to_travels_as_signed_json_text(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    with vdxp_client() as client:
        client.send(edoc(), to=["000.00.00.G22", "000.00.00.G10"])
    (request,) = fake_vdxp.calls("sendEdoc")
    signed = json.loads(request.headers["XroadVnpt-sign-header"])
    assert signed["XroadVnpt-to"] == '["000.00.00.G22","000.00.00.G10"]'
    assert request.headers["XroadVnpt-to"] == signed["XroadVnpt-to"]
    assert "to" in request.headers["XroadVnpt-sign-header-key"].split(";")
