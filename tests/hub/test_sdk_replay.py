"""The official SDK's flow, replayed byte for byte against the hub over a real socket.

The requests are the captured ones (tests/hub/vectors/sdk_capture.json: header names, order and
values, User-Agent, version, the literal reused timestamp, the trailing CRLF on the body). The
capture's hash-file is for a package we do not have, so for a real body hash-file and the HMAC
are recomputed here with hashlib/hmac, not with the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

CAPTURE = json.loads((Path(__file__).parent / "vectors" / "sdk_capture.json").read_text("utf-8"))
SECRET = CAPTURE["secret"]
CAPTURED = dict(CAPTURE["headers"])
SENDER = CAPTURED["XroadVnpt-systemid"]
RECEIVER = "000.00.00.G22"
RECEIVER_SECRET = "receiver-secret"


def unpadded(data: bytes) -> str:
    return "".join(format(b, "x") for b in hashlib.sha256(data).digest())


def raw_post(url: str, operation: str, headers: list[tuple[str, str]], body: bytes) -> Any:
    """POST over a plain socket, headers exactly in this order (then the ones Apache
    HttpClient adds); returns (HTTP status, parsed JSON or raw bytes)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    lines = [f"POST /{operation} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += [
        f"Content-Length: {len(body)}",
        f"Host: {host}:{port}",
        "Connection: Keep-Alive",
        "Accept-Encoding: gzip,deflate",
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, "connection closed before the response headers"
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")[1:]
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed before the response body"
            rest += chunk
    return status, json.loads(rest)


def captured_send(package: bytes) -> list[tuple[str, str]]:
    """The captured sendEdoc headers with hash-file (and so the HMAC) recomputed for package."""
    old = CAPTURED["XroadVnpt-hash-file"]
    new = unpadded(package)
    sign_header = CAPTURED["XroadVnpt-sign-header"].replace(old, new)
    headers = []
    for name, value in CAPTURE["headers"]:
        if name == "XroadVnpt-hash-file":
            value = new
        elif name == "XroadVnpt-sign-header":
            value = sign_header
        elif name == "XroadVnpt-hash-header":
            value = hmac.new(SECRET.encode(), sign_header.encode(), hashlib.sha256).hexdigest()
        headers.append((name, value))
    return headers


def sdk_headers(
    operation: str, system_id: str, secret: str, params: dict[str, str]
) -> list[tuple[str, str]]:
    """Headers the SDK sends for a JSON operation (same layout as the captured sendEdoc)."""
    spec = CAPTURE["operations"][operation]
    values = {
        "systemid": system_id,
        "timestamp": CAPTURED["XroadVnpt-timestamp"],
        "Content-Type": spec["content_type"],
        **params,
    }
    names = [n for n in spec["order"] if n in values]
    headers = [(f"XroadVnpt-{n}", values[n]) for n in names]
    sign_header = json.dumps(dict(headers), separators=(",", ":"))
    return [
        *headers,
        ("XroadVnpt-sign-header-key", ";".join(names)),
        ("XroadVnpt-sign-header", sign_header),
        (
            "XroadVnpt-hash-header",
            hmac.new(secret.encode(), sign_header.encode(), hashlib.sha256).hexdigest(),
        ),
        ("XroadVnpt-version", CAPTURED["XroadVnpt-version"]),
        ("User-Agent", CAPTURED["User-Agent"]),
        ("Content-Type", spec["content_type"]),
    ]


def test_the_capture_vector_is_self_consistent() -> None:
    computed = hmac.new(
        SECRET.encode(), CAPTURED["XroadVnpt-sign-header"].encode(), hashlib.sha256
    ).hexdigest()
    assert computed == CAPTURED["XroadVnpt-hash-header"]
    signed = json.loads(CAPTURED["XroadVnpt-sign-header"])
    keys = CAPTURED["XroadVnpt-sign-header-key"].split(";")
    assert list(signed) == [f"XroadVnpt-{k}" for k in keys]
    assert all(CAPTURED[name] == value for name, value in signed.items())


@pytest.fixture
def sdk_axis() -> Any:
    with LocalAxis([AxisSystem(SENDER, SECRET), AxisSystem(RECEIVER, RECEIVER_SECRET)]) as running:
        yield running


def test_official_sdk_flow_byte_for_byte(sdk_axis: LocalAxis) -> None:
    factory = PackageFactory()
    package = factory(from_=SENDER, to=[RECEIVER])
    url = sdk_axis.url

    # sendEdoc: the captured request, raw body + CRLF
    status, sent = raw_post(url, "sendEdoc", captured_send(package), package + b"\r\n")
    assert status == 200
    assert (sent["status"], sent["ErrorCode"]) == ("OK", "0"), sent
    doc_id = sent["DocId"]
    assert isinstance(doc_id, str)
    assert doc_id

    # the receiver's loop: list, fetch (with the SDK's filePath leak), updateStatus(done)
    params = {"servicetype": "eDoc", "messagetype": "edoc"}
    status, listed = raw_post(
        url,
        "getReceivedEdocList",
        sdk_headers("getReceivedEdocList", RECEIVER, RECEIVER_SECRET, params),
        b"",
    )
    assert status == 200
    assert listed["status"] == "OK"
    assert [(i["from"], i["to"], i["status"]) for i in listed["data"]] == [
        (SENDER, RECEIVER, "initial")
    ]
    item = listed["data"][0]
    assert set(item) >= {
        "docId",
        "serviceType",
        "messageType",
        "created_time",
        "updated_time",
        "from",
        "to",
        "status",
        "status_desc",
    }
    receiver_doc = item["docId"]

    headers = sdk_headers(
        "getEdoc", RECEIVER, RECEIVER_SECRET, {"docId": receiver_doc, "filePath": "/opt/sdk/store"}
    )
    status, fetched = raw_post(url, "getEdoc", headers, b"{}")
    assert status == 200
    assert fetched["status"] == "OK"
    assert isinstance(fetched["data"], str)  # the SDK throws on an array
    assert base64.b64decode(fetched["data"]) == package

    headers = sdk_headers(
        "updateStatus", RECEIVER, RECEIVER_SECRET, {"docId": receiver_doc, "status": "done"}
    )
    status, updated = raw_post(url, "updateStatus", headers, b"{}")
    assert (status, updated["status"], updated["ErrorCode"]) == (200, "OK", "0")

    params = {"servicetype": "eDoc", "messagetype": "edoc"}
    _, listed = raw_post(
        url,
        "getReceivedEdocList",
        sdk_headers("getReceivedEdocList", RECEIVER, RECEIVER_SECRET, params),
        b"",
    )
    assert listed["data"] == []

    # the receiver answers with a status package (messagetype=status), same timestamp reused
    reply = factory.status(package, "01", from_=RECEIVER)
    send_headers = []
    sign_params = {
        "systemid": RECEIVER,
        "servicetype": "eDoc",
        "messagetype": "status",
        "hash-file": unpadded(reply),
        "from": RECEIVER,
        "timestamp": CAPTURED["XroadVnpt-timestamp"],
        "Content-Type": "application/octet-stream",
    }
    names = CAPTURED["XroadVnpt-sign-header-key"].split(";")
    send_headers = [(f"XroadVnpt-{n}", sign_params[n]) for n in names]
    sign_header = json.dumps(dict(send_headers), separators=(",", ":"))
    send_headers += [
        ("XroadVnpt-sign-header-key", ";".join(names)),
        ("XroadVnpt-sign-header", sign_header),
        (
            "XroadVnpt-hash-header",
            hmac.new(RECEIVER_SECRET.encode(), sign_header.encode(), hashlib.sha256).hexdigest(),
        ),
        ("XroadVnpt-version", "3.0.201608"),
        ("User-Agent", "JAVASDKAgent/1.0.0 XRoad/VPCP"),
        ("Content-Type", "application/octet-stream"),
    ]
    status, sent_status = raw_post(url, "sendEdoc", send_headers, reply + b"\r\n")
    assert (status, sent_status["status"]) == (200, "OK"), sent_status

    # the original sender finds it in its status queue, not in its edoc queue
    for message_type, expected in (("edoc", 0), ("status", 1)):
        _, listed = raw_post(
            url,
            "getReceivedEdocList",
            sdk_headers(
                "getReceivedEdocList",
                SENDER,
                SECRET,
                {"servicetype": "eDoc", "messagetype": message_type},
            ),
            b"",
        )
        assert len(listed["data"]) == expected
    item = listed["data"][0]
    assert (item["messageType"], item["from"], item["to"]) == ("status", RECEIVER, SENDER)
    _, fetched = raw_post(
        url, "getEdoc", sdk_headers("getEdoc", SENDER, SECRET, {"docId": item["docId"]}), b"{}"
    )
    assert base64.b64decode(fetched["data"]) == reply


def test_a_long_lived_sdk_service_resends_stale_keys(sdk_axis: LocalAxis) -> None:
    """The SDK keeps keys of earlier calls in its map (hash-file, from, messagetype ...): a
    later getEdoc or updateStatus signs them too, and the hub must not mind."""
    package = PackageFactory()(from_=SENDER, to=[RECEIVER])
    status, sent = raw_post(sdk_axis.url, "sendEdoc", captured_send(package), package + b"\r\n")
    assert sent["status"] == "OK"
    spec_order = [
        "systemid",
        "servicetype",
        "messagetype",
        "hash-file",
        "docId",
        "from",
        "timestamp",
        "Content-Type",
        "status",
    ]
    assert sdk_axis.store is not None
    (delivery,) = sdk_axis.store.received(RECEIVER)
    values = {
        "systemid": RECEIVER,
        "servicetype": "eDoc",
        "messagetype": "edoc",
        "hash-file": "abc",
        "docId": delivery.doc_id,
        "from": RECEIVER,
        "timestamp": CAPTURED["XroadVnpt-timestamp"],
        "Content-Type": "application/json",
        "status": "done",
    }
    headers = [(f"XroadVnpt-{n}", values[n]) for n in spec_order]
    sign_header = json.dumps(dict(headers), separators=(",", ":"))
    headers += [
        ("XroadVnpt-sign-header-key", ";".join(spec_order)),
        ("XroadVnpt-sign-header", sign_header),
        (
            "XroadVnpt-hash-header",
            hmac.new(RECEIVER_SECRET.encode(), sign_header.encode(), hashlib.sha256).hexdigest(),
        ),
        ("Content-Type", "application/json"),
    ]
    status, answer = raw_post(sdk_axis.url, "updateStatus", headers, b"{}")
    assert (status, answer["status"]) == (200, "OK"), answer
    assert sdk_axis.store.received(RECEIVER) == []
