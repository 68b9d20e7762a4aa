"""The in-memory axis has the semantics of an axis: routing by To, per-receiver delivery state,
idempotent repeated sends, the sender check, and the transport state kept apart from business
status."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from vbdt_exchange.adapters import (
    Agency,
    AxisAuthError,
    AxisRefused,
    Channel,
    DeliveryState,
    MemoryAxis,
    Outcome,
)

SENDER, RECEIVER, OTHER = "000.00.00.H29", "000.00.00.G22", "000.00.00.G10"


def test_routing_by_to_and_per_receiver_state(edoc: Callable[..., bytes], tmp_path: Path) -> None:
    axis = MemoryAxis()
    sender, receiver, other = (axis.channel(s) for s in (SENDER, RECEIVER, OTHER))
    assert isinstance(sender, Channel)
    unknown = "000.00.00.X99"
    sent = sender.send(edoc(to=(RECEIVER, unknown)))
    assert [n.doc_id for n in other.received()] == []
    (notice,) = receiver.received()
    rows = {r.to: r for r in sender.sent(sent.doc_id)}
    assert rows[RECEIVER].send_status == "done"
    assert rows[RECEIVER].receive_state is DeliveryState.INITIAL
    assert rows[unknown].send_status == "fail"
    assert rows[unknown].receive_state is None
    receiver.fetch(notice.doc_id, tmp_path / "p.edxml")
    assert sender.sent(sent.doc_id)[0].received is not None
    receiver.acknowledge(notice.doc_id, DeliveryState.DONE)
    assert receiver.received() == []
    assert {r.to: r.receive_state for r in sender.sent()}[RECEIVER] is DeliveryState.DONE


def test_repeated_send_is_idempotent(edoc: Callable[..., bytes]) -> None:
    axis = MemoryAxis()
    sender, receiver = axis.channel(SENDER), axis.channel(RECEIVER)
    package = edoc()
    first, second = sender.send(package), sender.send(io.BytesIO(package))
    assert first.doc_id == second.doc_id
    assert len(receiver.received()) == 1
    assert sender.send(edoc(number="13")).doc_id != first.doc_id


def test_the_sender_must_be_the_system_or_one_of_its_organs(edoc: Callable[..., bytes]) -> None:
    axis = MemoryAxis()
    axis.channel(RECEIVER)
    hub = axis.register("000.00.00.H37", "000.01.00.H37")
    with pytest.raises(AxisRefused) as info:
        hub.send(edoc(from_=SENDER))
    assert info.value.code == "13"
    assert info.value.outcome is Outcome.REJECTED_ADDRESSING
    assert "khong dung voi ma da dang ky" in str(info.value)
    assert hub.send(edoc(from_="000.01.00.H37")).doc_id


def test_status_packages_go_to_the_status_queue_of_the_addressee(
    edoc: Callable[..., bytes], status_package: Callable[..., bytes]
) -> None:
    axis = MemoryAxis()
    sender, receiver = axis.channel(SENDER), axis.channel(RECEIVER)
    package = edoc()
    sender.send(package)
    sent = receiver.send(status_package("03", about=package))
    assert sent.message_type == "status"
    assert sender.received() == []
    assert len(sender.received("status")) == 1
    assert len(receiver.sent(message_type="status")) == 1


def test_refusals(edoc: Callable[..., bytes], status_package: Callable[..., bytes]) -> None:
    axis = MemoryAxis(max_package_bytes=100_000)
    sender, receiver = axis.channel(SENDER), axis.channel(RECEIVER)
    with pytest.raises(AxisRefused) as bad:
        sender.send(b"<not-edxml/>")
    assert bad.value.code == "10"
    assert bad.value.outcome is Outcome.REJECTED_PACKAGE
    with pytest.raises(AxisRefused) as kind:
        sender.send(edoc(), message_type="status")
    assert kind.value.code == "10"
    with pytest.raises(AxisRefused) as big:
        sender.send(edoc(attachment=bytes(200_000)))
    assert big.value.code == "12"
    with pytest.raises(AxisRefused) as foreign:
        receiver.fetch("d-999", io.BytesIO())
    assert foreign.value.code == "30"
    sent = sender.send(edoc())
    (notice,) = receiver.received()
    with pytest.raises(AxisRefused):  # the sender cannot acknowledge the receiver's copy
        sender.acknowledge(notice.doc_id, "done")
    receiver.acknowledge(notice.doc_id, "done")
    with pytest.raises(AxisRefused) as final:
        receiver.acknowledge(notice.doc_id, "fail")
    assert final.value.code == "32"
    receiver.acknowledge(notice.doc_id, "done")  # repeating the same state is fine
    assert sent.doc_id
    with pytest.raises(AxisAuthError):
        axis.channel(SENDER).axis._received("nobody", "edoc")


def test_delivery_state_is_not_a_business_status() -> None:
    with pytest.raises(ValueError, match=r"not a delivery status.*business StatusCode"):
        DeliveryState.parse("01")
    assert DeliveryState.parse(" Processing ") is DeliveryState.PROCESSING
    assert DeliveryState.maybe(3) is None


def test_directory(edoc: Callable[..., bytes]) -> None:
    axis = MemoryAxis()
    sender, receiver = axis.channel(SENDER), axis.channel(RECEIVER)
    sender.register_agency(Agency(code="001.01.29.H29", name="Sở Nội vụ"))
    assert [a.code for a in receiver.agencies()] == [
        "000.00.00.G22",
        "000.00.00.H29",
        "001.01.29.H29",
    ]
    # a unit under a system receives through it
    receiver.send(edoc(from_=RECEIVER, to=("001.01.29.H29",)))
    assert len(sender.received()) == 1
    with pytest.raises(AxisRefused):
        receiver.delete_agency("001.01.29.H29")
    sender.delete_agency("001.01.29.H29")
    assert "001.01.29.H29" not in {a.code for a in sender.agencies()}
