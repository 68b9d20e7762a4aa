"""The VDXP client drives the local reference axis over real HTTP on loopback, for every
operation the hub serves, and gets the hub's refusals as typed errors."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vbdt_exchange.adapters import (
    Agency,
    AxisAuthError,
    AxisRefused,
    DeliveryState,
    Outcome,
    RetryPolicy,
    VdxpClient,
    VdxpConfig,
)
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis

SENDER, RECEIVER, OTHER = "000.00.00.H29", "000.00.00.G22", "000.00.00.G10"


@pytest.fixture(scope="module")
def axis() -> Iterator[LocalAxis]:
    with LocalAxis([SENDER, RECEIVER, AxisSystem(OTHER, "other-secret")]) as running:
        yield running


@pytest.fixture
def client(axis: LocalAxis) -> Iterator[Callable[..., VdxpClient]]:
    opened: list[VdxpClient] = []

    def make(system_id: str, secret: str | None = None) -> VdxpClient:
        system = next(s for s in axis.systems if s.system_id == system_id)
        config = VdxpConfig(
            axis.url,
            system_id,
            secret=secret or system.secret,
            test=True,
            retry=RetryPolicy(attempts=2, backoff=0.0),
        )
        opened.append(VdxpClient(config))
        return opened[-1]

    yield make
    for c in opened:
        c.close()


def test_every_operation_over_loopback(
    axis: LocalAxis,
    client: Callable[..., VdxpClient],
    edoc: Callable[..., bytes],
    status_package: Callable[..., bytes],
    tmp_path: Path,
) -> None:
    assert axis.url.startswith("http://127.0.0.1:")
    sender, receiver, other = client(SENDER), client(RECEIVER), client(OTHER)
    package = edoc(to=(RECEIVER, OTHER), attachment=bytes(range(256)) * 8192, number="101")
    path = tmp_path / "out.edxml"
    path.write_bytes(package)

    sent = sender.send(path)
    assert sent.sha256 == hashlib.sha256(package).hexdigest()
    assert sender.send(path).doc_id == sent.doc_id  # same bytes: the same message

    assert receiver.count() >= 1
    notice = next(n for n in receiver.received() if n.from_ == SENDER)
    assert notice.state is DeliveryState.INITIAL
    assert notice.message_type == "edoc"
    fetched = receiver.fetch(notice.doc_id, tmp_path / "in.edxml")
    assert (tmp_path / "in.edxml").read_bytes() == package
    assert fetched.sha256 == sent.sha256
    stream = io.BytesIO()
    receiver.download(notice.doc_id, stream)
    assert stream.getvalue() == package

    rows = {r.to: r for r in sender.sent(sent.doc_id)}
    assert set(rows) == {RECEIVER, OTHER}
    assert all(r.sender_doc_id == sent.doc_id for r in rows.values())
    assert rows[RECEIVER].receive_state is DeliveryState.INITIAL

    receiver.acknowledge(notice.doc_id, DeliveryState.PROCESSING)
    receiver.acknowledge(notice.doc_id, "done")
    assert notice.doc_id not in {n.doc_id for n in receiver.received()}
    assert {r.to: r.receive_state for r in sender.sent(sent.doc_id)}[RECEIVER] is DeliveryState.DONE
    with pytest.raises(AxisRefused) as info:
        receiver.acknowledge(notice.doc_id, "processing")
    assert info.value.code == "32"

    status = receiver.send(status_package("01", about=package))
    assert status.message_type == "status"
    back = [n for n in sender.received("status") if n.from_ == RECEIVER]
    assert len(back) == 1
    assert sender.count("status") >= 1
    assert other.received()[0].from_ == SENDER

    sender.register_agency(Agency(code="001.01.29.H29", name="Sở Nội vụ", parent=SENDER))
    assert "001.01.29.H29" in {a.code for a in sender.agencies()}
    sender.delete_agency("001.01.29.H29")
    assert "001.01.29.H29" not in {a.code for a in sender.agencies()}


def test_refusals_of_the_local_axis_are_typed(
    client: Callable[..., VdxpClient], edoc: Callable[..., bytes]
) -> None:
    with pytest.raises(AxisAuthError) as auth:
        client(SENDER, secret="not-the-secret").received()
    assert auth.value.code == "15"
    assert auth.value.http_status == 401

    with pytest.raises(AxisRefused) as sender_check:
        client(SENDER).send(edoc(from_="002.00.20.H13"))
    assert sender_check.value.code == "13"
    assert sender_check.value.outcome is Outcome.REJECTED_ADDRESSING

    with pytest.raises(AxisRefused) as unknown:
        client(RECEIVER).fetch("no-such-doc", io.BytesIO())
    assert unknown.value.code == "30"
    assert unknown.value.http_status == 404


def test_a_package_the_axis_cannot_read_is_rejected_as_package(
    client: Callable[..., VdxpClient], edoc: Callable[..., bytes]
) -> None:
    broken = edoc().replace(b"</edXML>", b"")  # not well-formed
    with pytest.raises(AxisRefused) as info:
        client(SENDER).send(broken, message_type="edoc")
    assert info.value.code == "10"
    assert info.value.outcome is Outcome.REJECTED_PACKAGE


def test_the_axis_refuses_a_wrong_message_type(
    client: Callable[..., VdxpClient], edoc: Callable[..., bytes]
) -> None:
    with pytest.raises(AxisRefused) as info:
        client(SENDER).send(edoc(number="77"), message_type="status")
    assert info.value.outcome is Outcome.REJECTED_PACKAGE
