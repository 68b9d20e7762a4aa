"""Hostile ``XroadVnpt-*`` headers: :func:`check_request` refuses with a ``WireAuthError`` and
a documented ``reason``; the hub answers them with its JSON code ``15``, never a 500.

Found by ``fuzz/atheris_wire.py`` and ``tests/fuzz/test_fuzz_hub.py``: a non-ASCII
``XroadVnpt-hash-header`` made :func:`hmac.compare_digest` raise ``TypeError`` (it refuses
``str`` with non-ASCII characters), and a lone surrogate in the signed JSON made the HMAC's
``str.encode`` raise ``UnicodeEncodeError``.
"""

from __future__ import annotations

import httpx
import pytest

from vbdt_exchange.adapters.vdxp_wire import WireAuthError, check_request, sign_request
from vbdt_exchange.hub import HubApp, Store, SyncASGITransport

SYSTEM, SECRET = "000.00.00.H41", b"s3cret"


def _signed() -> dict[str, str]:
    return sign_request(
        [("servicetype", "eDoc"), ("messagetype", "edoc")],
        system_id=SYSTEM,
        secret=SECRET,
        content_type="application/json",
        timestamp="22112026T000518+0709",
    )


def _secret(system_id: str) -> bytes | None:
    return SECRET if system_id == SYSTEM else None


def test_control() -> None:
    assert check_request(_signed(), _secret).system_id == SYSTEM


HOSTILE = {
    "hash-non-ascii": ("XroadVnpt-hash-header", "é" * 64, "bad-hmac"),
    "hash-vietnamese": ("XroadVnpt-hash-header", "chữ ký", "bad-hmac"),
    "hash-surrogate": ("XroadVnpt-hash-header", "\ud800", "bad-hmac"),
    "hash-nul": ("XroadVnpt-hash-header", "\x00" * 64, "bad-hmac"),
    "hash-crlf": ("XroadVnpt-hash-header", "\r\nX-Injected: 1", "bad-hmac"),
    "hash-huge": ("XroadVnpt-hash-header", "a" * 1_000_000, "bad-hmac"),
    "sign-surrogate-value": (
        "XroadVnpt-sign-header",
        '{"XroadVnpt-systemid":"000.00.00.H41","XroadVnpt-x":"\ud800"}',
        "malformed",
    ),
    "sign-escaped-surrogate": (
        "XroadVnpt-sign-header",
        '{"XroadVnpt-systemid":"000.00.00.H41","XroadVnpt-x":"\\ud800"}',
        "bad-hmac",
    ),
    "sign-nested-deep": ("XroadVnpt-sign-header", "[" * 100_000, "malformed"),
    "sign-not-object": ("XroadVnpt-sign-header", '["XroadVnpt-systemid"]', "malformed"),
    "sign-number-value": ("XroadVnpt-sign-header", '{"XroadVnpt-systemid":1}', "malformed"),
    "sign-no-systemid": ("XroadVnpt-sign-header", '{"XroadVnpt-x":"y"}', "missing-header"),
    "sign-unknown-system": (
        "XroadVnpt-sign-header",
        '{"XroadVnpt-systemid":"000.00.00.Z99"}',
        "unknown-system",
    ),
    "sign-empty-systemid": ("XroadVnpt-sign-header", '{"XroadVnpt-systemid":""}', "missing-header"),
    "key-list-missing": ("XroadVnpt-sign-header-key", None, "missing-header"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_check_request_refuses(case: str) -> None:
    name, value, reason = HOSTILE[case]
    headers = _signed()
    if value is None:
        del headers[name]
    else:
        headers[name] = value
    with pytest.raises(WireAuthError) as caught:
        check_request(headers, _secret)
    assert caught.value.reason == reason, str(caught.value)
    assert str(caught.value)


def test_unsigned_header_differing_from_its_signed_value() -> None:
    headers = _signed()
    headers["xroadvnpt-MESSAGETYPE"] = "status"  # names compare case-insensitively
    headers.pop("XroadVnpt-messagetype")
    with pytest.raises(WireAuthError) as caught:
        check_request(headers, _secret)
    assert caught.value.reason == "header-mismatch"


@pytest.mark.parametrize("value", ["é" * 64, "chữ ký".encode().decode("latin-1")])
def test_hub_answers_a_non_ascii_hash_with_code_15(value: str) -> None:
    headers = [(k.encode(), v.encode()) for k, v in _signed().items()]
    headers = [(k, v) for k, v in headers if k != b"XroadVnpt-hash-header"]
    headers.append((b"XroadVnpt-hash-header", value.encode("utf-8")))
    with Store(None) as store, SyncASGITransport(HubApp(store)) as transport:
        store.add_system(SYSTEM, SECRET)
        with httpx.Client(transport=transport, base_url="http://axis") as client:
            response = client.send(
                httpx.Request(
                    "POST", "http://axis/getReceivedEdocList", headers=headers, content=b"{}"
                )
            )
    assert response.status_code == 401
    answer = response.json()
    assert answer["status"] == "FAIL"
    assert answer["ErrorCode"] == "15"
