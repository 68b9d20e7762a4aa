"""Refusals: each is in the axis's error shape, with its code and HTTP status, and stores
nothing."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from vbdt_exchange.hub import ERROR_CODES, HubConfig
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

from .conftest import OTHER, RECEIVER, SENDER, Caller, signed_headers, unpadded_hex

pytestmark = pytest.mark.filterwarnings("error")


def refused(response: httpx.Response, code: str, *, contains: str = "") -> dict[str, Any]:
    answer: dict[str, Any] = response.json()
    assert answer["status"] == "FAIL", answer
    assert answer["ErrorCode"] == code, answer
    assert contains in answer["ErrorDesc"], answer
    assert response.status_code == ERROR_CODES[code]
    assert set(answer) == {"status", "ErrorCode", "ErrorDesc"}
    return answer


NOTHING = {"systems": 3, "messages": 0, "deliveries": 0}


def test_wrong_secret(
    call: Caller, axis: LocalAxis, packages: PackageFactory, counts: Callable[[], dict[str, int]]
) -> None:
    sender = axis.system(SENDER)
    refused(
        call.send(sender, packages(), secret="not-the-secret"),
        "15",
        contains="does not match the signed headers",
    )
    assert counts() == NOTHING


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("XroadVnpt-messagetype", "status"),  # a signed header changed in transit
        ("XroadVnpt-from", "000.00.00.G22"),
        ("XroadVnpt-hash-file", "0" * 64),
        ("XroadVnpt-systemid", "000.00.00.G22"),
    ],
)
def test_tampered_header(
    call: Caller,
    axis: LocalAxis,
    packages: PackageFactory,
    counts: Callable[[], dict[str, int]],
    header: str,
    value: str,
) -> None:
    response = call.send(axis.system(SENDER), packages(), extra_headers={header: value})
    refused(response, "15", contains="differs from its signed value")
    assert counts() == NOTHING


def test_tampered_sign_header(
    call: Caller, axis: LocalAxis, packages: PackageFactory, counts: Callable[[], dict[str, int]]
) -> None:
    sender = axis.system(SENDER)
    package = packages()
    headers = signed_headers(
        [
            ("systemid", SENDER),
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("hash-file", unpadded_hex(package)),
            ("from", SENDER),
            ("timestamp", "x"),
            ("Content-Type", "application/octet-stream"),
        ],
        system_id=SENDER,
        secret=sender.secret,
        content_type="application/octet-stream",
    )
    headers["XroadVnpt-sign-header"] = headers["XroadVnpt-sign-header"].replace('"eDoc"', '"eDoc "')
    response = call.client.post(f"{call.base}/sendEdoc", headers=headers, content=package)
    refused(response, "15", contains="does not match")
    assert counts() == NOTHING


def test_unknown_system(
    call: Caller, packages: PackageFactory, counts: Callable[[], dict[str, int]]
) -> None:
    stranger = AxisSystem("000.00.00.X99", "whatever")
    refused(call.send(stranger, packages(from_="000.00.00.X99")), "19", contains="000.00.00.X99")
    refused(call(stranger, "getReceivedEdocList"), "19")
    assert counts() == NOTHING


@pytest.mark.parametrize(
    "missing", ["XroadVnpt-sign-header", "XroadVnpt-hash-header", "XroadVnpt-sign-header-key"]
)
def test_missing_signature_headers(call: Caller, axis: LocalAxis, missing: str) -> None:
    system = axis.system(RECEIVER)
    headers = signed_headers(
        [("systemid", RECEIVER), ("timestamp", "t"), ("Content-Type", "")],
        system_id=RECEIVER,
        secret=system.secret,
        content_type="application/json",
    )
    del headers[missing]
    refused(
        call.client.post(f"{call.base}/getReceivedEdocList", headers=headers),
        "15",
        contains="missing",
    )


def test_sign_header_not_json(call: Caller) -> None:
    headers = {
        "XroadVnpt-sign-header": "{not json",
        "XroadVnpt-hash-header": "00",
        "XroadVnpt-sign-header-key": "systemid",
    }
    refused(call.client.post(f"{call.base}/getEdoc", headers=headers), "15", contains="not JSON")


def test_hash_file_that_does_not_match(
    call: Caller, axis: LocalAxis, packages: PackageFactory, counts: Callable[[], dict[str, int]]
) -> None:
    sender = axis.system(SENDER)
    package = packages()
    other = packages()
    response = call.send(sender, package, params={"hash-file": unpadded_hex(other)})
    refused(response, "11", contains="hash-file")
    # the body changed after signing: the same refusal
    response = call(
        sender,
        "sendEdoc",
        {
            "servicetype": "eDoc",
            "messagetype": "edoc",
            "from": SENDER,
            "hash-file": unpadded_hex(package),
        },
        body=package.replace(b"</edXML>", b"<!-- x --></edXML>"),
        content_type="application/octet-stream",
    )
    refused(response, "11")
    assert counts() == NOTHING
    assert not list((axis.store.blob_dir / "incoming").iterdir())  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "contains"),
    [
        (b"", "not a readable package"),
        (b"not xml at all", "not a readable package"),
        (b"<?xml version='1.0'?><edXML><unclosed>", "not a readable package"),
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><edXML>&e;</edXML>', "not a readable package"),
        (b"<html><body>hello</body></html>", "not a readable package"),
        (b"\x00\xff" * 100, "not a readable package"),
    ],
)
def test_malformed_body(
    call: Caller, axis: LocalAxis, counts: Callable[[], dict[str, int]], body: bytes, contains: str
) -> None:
    response = call.send(axis.system(SENDER), body)
    refused(response, "10", contains=contains)
    assert counts() == NOTHING


def test_from_must_be_the_senders_id(
    call: Caller, axis: LocalAxis, packages: PackageFactory, counts: Callable[[], dict[str, int]]
) -> None:
    # signed by H29, but the package says it comes from G09 (a registered system too)
    response = call.send(axis.system(SENDER), packages(from_=OTHER))
    answer = refused(response, "13")
    assert answer["ErrorDesc"] == f"Don vi gui {OTHER} khong dung voi ma da dang ky: {SENDER}"
    # the `from` parameter is checked too
    response = call.send(axis.system(SENDER), packages(), params={"from": OTHER})
    refused(response, "13", contains=OTHER)
    assert counts() == NOTHING


def test_message_type_must_match_the_package(
    call: Caller, axis: LocalAxis, packages: PackageFactory, counts: Callable[[], dict[str, int]]
) -> None:
    package = packages()
    refused(
        call.send(axis.system(SENDER), package, message_type="status"),
        "10",
        contains="edoc package",
    )
    status = packages.status(package, "01", from_=RECEIVER)
    refused(
        call.send(axis.system(RECEIVER), status, message_type="edoc"),
        "10",
        contains="status package",
    )
    refused(call.send(axis.system(SENDER), package, message_type="fax"), "31")
    assert counts() == NOTHING


def test_no_registered_receiver(
    call: Caller, axis: LocalAxis, packages: PackageFactory, counts: Callable[[], dict[str, int]]
) -> None:
    response = call.send(axis.system(SENDER), packages(to=["000.00.00.Z01", "000.00.00.Z02"]))
    refused(response, "18", contains="000.00.00.Z01, 000.00.00.Z02")
    assert counts() == NOTHING


def test_body_too_large() -> None:
    factory = PackageFactory()
    package = factory(from_=SENDER, to=[RECEIVER], attachments={"big.pdf": b"%PDF" * 4096})
    config = HubConfig(max_body_bytes=len(package) // 2)
    with (
        LocalAxis([AxisSystem(SENDER, "a"), AxisSystem(RECEIVER, "b")], config=config) as axis,
        httpx.Client() as client,
    ):
        response = Caller(client, axis.url).send(axis.system(SENDER), package)
        refused(response, "12", contains=str(len(package) // 2))
        assert axis.store is not None
        assert axis.store.counts()["messages"] == 0
        assert not list((axis.store.blob_dir / "incoming").iterdir())


def test_stale_timestamp_with_a_skew_configured() -> None:
    config = HubConfig(max_clock_skew=datetime.timedelta(minutes=5), refuse_replays=True)
    with LocalAxis([AxisSystem(RECEIVER, "b")], config=config) as axis, httpx.Client() as client:
        call = Caller(client, axis.url)
        me = axis.system(RECEIVER)
        # the SDK's reused timestamp of the capture: far in the past (or future) here
        refused(
            call(
                me, "getReceivedEdocList", {"servicetype": "eDoc"}, timestamp="22112020T000518+0709"
            ),
            "15",
            contains="away from the hub's clock",
        )
        refused(
            call(me, "getReceivedEdocList", {"servicetype": "eDoc"}, timestamp="yesterday"),
            "15",
            contains="not a timestamp",
        )
        now = datetime.datetime.now()
        fresh = f"{now:%d%m%Y}T{now:%H%M%S}+{now.microsecond // 1000:04d}"
        first = call(me, "getReceivedEdocList", {"servicetype": "eDoc"}, timestamp=fresh)
        assert first.json()["status"] == "OK"
        again = call(me, "getReceivedEdocList", {"servicetype": "eDoc"}, timestamp=fresh)
        refused(again, "15", contains="already received")


def test_default_accepts_the_sdks_old_timestamp(call: Caller, axis: LocalAxis) -> None:
    me = axis.system(RECEIVER)
    for _ in range(2):  # and the identical request twice: no replay check by default
        answer = call(
            me, "getReceivedEdocList", {"servicetype": "eDoc"}, timestamp="01012020T000000+0000"
        ).json()
        assert answer["status"] == "OK"


def test_http_errors_off_answers_200() -> None:
    with (
        LocalAxis([AxisSystem(RECEIVER, "b")], config=HubConfig(http_errors=False)) as axis,
        httpx.Client() as client,
    ):
        response = Caller(client, axis.url)(
            axis.system(RECEIVER), "getEdoc", {"docId": "nope"}, secret="wrong"
        )
        assert response.status_code == 200
        assert response.json()["ErrorCode"] == "15"


def test_unknown_operation_and_method(call: Caller, axis: LocalAxis) -> None:
    refused(call(axis.system(RECEIVER), "launchMissiles"), "40", contains="launchMissiles")
    response = call.client.put(f"{call.base}/getEdoc")
    assert response.status_code == 405
    assert response.json()["ErrorCode"] == "40"


def test_parameters(call: Caller, axis: LocalAxis) -> None:
    me = axis.system(RECEIVER)
    refused(call(me, "getEdoc", {}), "31", contains="docId")
    refused(call(me, "getEdoc", {"docId": "no-such-id"}), "30", contains="no-such-id")
    refused(
        call(me, "updateStatus", {"docId": "x", "status": "02"}),
        "31",
        contains="initial, processing, done or fail",
    )
    refused(call(me, "getReceivedEdocList", {"messagetype": "fax"}), "31")
    refused(call(me, "registerAgency", body=b"[1, 2]"), "31", contains="JSON object")
    refused(call(me, "registerAgency", body=b"{oops"), "31", contains="JSON object")
    refused(call(me, "deleteAgency", {}), "31", contains="AgencyCode")
    refused(call(me, "deleteAgency", {"AgencyCode": "000.09.00.G22"}), "30")
    # a signed header with a non-string value
    headers = {
        "XroadVnpt-sign-header": json.dumps({"XroadVnpt-systemid": 5}),
        "XroadVnpt-hash-header": "00",
        "XroadVnpt-sign-header-key": "systemid",
    }
    refused(call.client.post(f"{call.base}/getEdoc", headers=headers), "15")


@pytest.mark.parametrize("depth", [5000, 50000])
def test_deeply_nested_json_is_refused_not_a_crash(
    call: Caller, axis: LocalAxis, depth: int
) -> None:
    headers = {
        # within the server's 16 KiB bound on a request head (past it, the HTTP server answers
        # a plain 400 when the head arrives in more than one read)
        "XroadVnpt-sign-header": "[" * min(depth, 15000),
        "XroadVnpt-hash-header": "00",
        "XroadVnpt-sign-header-key": "systemid",
    }
    refused(
        call.client.post(f"{call.base}/getEdoc", headers=headers),
        "15",
        contains="XroadVnpt-sign-header is not JSON",
    )
    refused(
        call(axis.system(RECEIVER), "registerAgency", body=b"[" * depth),
        "31",
        contains="JSON object",
    )


def test_secrets_are_never_logged(
    call: Caller, axis: LocalAxis, packages: PackageFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    sender, receiver = axis.system(SENDER), axis.system(RECEIVER)
    package = packages()
    call.send(sender, package)
    call.send(sender, package, secret="wrong-secret")
    for item in call.inbox(receiver):
        call.fetch(receiver, item["docId"])
        call.ack(receiver, item["docId"])
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "hub: 000.00.00.H29 sent edoc message" in text  # something was logged
    for secret in (sender.secret, receiver.secret, "wrong-secret"):
        assert secret not in text
