"""``HubConfig(reading="header")``: routing from the header alone, hostile input still refused;
``refuse_invalid``: packages with error findings refused."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from vbdt_exchange.hub import HubConfig
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

from .conftest import OTHER, RECEIVER, SENDER, Caller


@pytest.fixture
def header_axis() -> Iterator[tuple[LocalAxis, Caller]]:
    systems = [AxisSystem(SENDER, "s"), AxisSystem(RECEIVER, "r"), AxisSystem(OTHER, "o")]
    with LocalAxis(systems, config=HubConfig(reading="header")) as axis, httpx.Client() as client:
        yield axis, Caller(client, axis.url)


def test_header_reading_routes_edoc_and_status(header_axis: tuple[LocalAxis, Caller]) -> None:
    axis, call = header_axis
    factory = PackageFactory()
    package = factory(to=[RECEIVER, OTHER], attachments={"a.pdf": b"%PDF" * 50_000})
    answer = call.send(axis.system(SENDER), package).json()
    assert answer["status"] == "OK", answer
    for system in (RECEIVER, OTHER):
        (item,) = call.inbox(axis.system(system))
        assert (item["from"], item["to"]) == (SENDER, system)
    rows = call(axis.system(SENDER), "getSentEdocList", {"docId": answer["DocId"]}).json()
    assert {r["notation"] for r in rows["data"]} == {"1/VP"}
    assert {r["title"] for r in rows["data"]} == {"Văn bản thử nghiệm số 1"}
    status = factory.status(package, "02", from_=RECEIVER)
    assert call.send(axis.system(RECEIVER), status, message_type="status").json()["status"] == "OK"
    (item,) = call.inbox(axis.system(SENDER), "status")
    assert (item["from"], item["to"]) == (RECEIVER, SENDER)
    # the checks that need only the header still apply
    assert (
        call.send(axis.system(SENDER), package, message_type="status").json()["ErrorCode"] == "10"
    )
    wrong_from = factory(from_=OTHER, to=[RECEIVER])
    assert call.send(axis.system(SENDER), wrong_from).json()["ErrorCode"] == "13"
    nobody = factory(to=["000.00.00.Z09"])
    assert call.send(axis.system(SENDER), nobody).json()["ErrorCode"] == "18"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x "y">]><edXML>&x;</edXML>',
        b"<edXML><edXMLEnvelope><edXMLHeader><MessageHeader><From>",
        b"<other><MessageHeader/></other>",
        b'<?xml version="1.0"?><edXML xmlns="urn:x"><edXMLEnvelope/></edXML>',
        # a DOCTYPE cut in two by the reader's 4 KiB chunks ("<!DOC" | "TYPE")
        b'<?xml version="1.0"?>'
        + b" " * (4096 - 21 - 5)
        + b'<!DOCTYPE edXML [<!ENTITY x "y">]><edXML>&x;</edXML>',
    ],
)
def test_header_reading_refuses_unreadable_bodies(
    header_axis: tuple[LocalAxis, Caller], body: bytes
) -> None:
    axis, call = header_axis
    answer = call.send(axis.system(SENDER), body).json()
    assert (answer["status"], answer["ErrorCode"]) == ("FAIL", "10"), answer
    assert axis.store is not None
    assert axis.store.counts()["messages"] == 0


def test_refuse_invalid() -> None:
    factory = PackageFactory()
    package = factory(to=[RECEIVER])
    # a promulgation date that cannot be right: an error finding, but the package is readable
    broken = package.replace(b"<PromulgationDate>", b"<PromulgationDate>2026-02-31x", 1)
    assert broken != package
    systems = [AxisSystem(SENDER, "s"), AxisSystem(RECEIVER, "r")]
    with (
        LocalAxis(systems, config=HubConfig(refuse_invalid=True)) as axis,
        httpx.Client() as client,
    ):
        call = Caller(client, axis.url)
        answer = call.send(axis.system(SENDER), broken).json()
        assert (answer["status"], answer["ErrorCode"]) == ("FAIL", "10"), answer
        assert "[EDX" in answer["ErrorDesc"]
        assert call.send(axis.system(SENDER), package).json()["status"] == "OK"
    with LocalAxis(systems) as axis, httpx.Client() as client:  # the default accepts it
        answer = Caller(client, axis.url).send(axis.system(SENDER), broken).json()
        assert answer["status"] == "OK", answer
