"""The engine on the in-process MemoryAxis: flows, de-duplication, retries, reconciliation."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import pytest

from vbdt_exchange.adapters.base import DeliveryState, Notice
from vbdt_exchange.adapters.errors import (
    AxisAmbiguous,
    AxisAuthError,
    AxisRefused,
    AxisUnavailable,
    Outcome,
)
from vbdt_exchange.adapters.memory import MemoryAxis, MemoryChannel
from vbdt_exchange.engine import Engine, EngineSettings, RetrySchedule, open_store
from vbdt_exchange.engine.store import Store

SENDER = "000.00.00.H29"
RECEIVER = "000.00.00.G22"
FAST = RetrySchedule(delays=(0,), jitter=0.0, max_attempts=3)


class FlakyChannel:
    """A MemoryChannel whose sends fail as scripted, and whose inbox can hold foreign bytes."""

    def __init__(self, inner: MemoryChannel) -> None:
        self.inner = inner
        self.script: list[str] = []  # per send: "ok", "down", "ambiguous", "lost", ...
        self.sends = 0
        self.foreign: dict[str, bytes] = {}
        self.acks: list[tuple[str, DeliveryState]] = []

    @property
    def system_id(self) -> str:
        return self.inner.system_id

    def send(self, package: Any, **kw: Any) -> Any:
        self.sends += 1
        step = self.script.pop(0) if self.script else "ok"
        if step == "down":
            raise AxisUnavailable("connection refused", operation="sendEdoc")
        if step == "ambiguous":
            raise AxisAmbiguous("no answer", operation="sendEdoc")
        if step == "lost":  # taken by the axis, answer lost
            self.inner.send(package, **kw)
            raise AxisAmbiguous("no answer after upload", operation="sendEdoc")
        if step == "bad":
            raise AxisRefused("edXML invalid", code="10", outcome=Outcome.REJECTED_PACKAGE)
        if step == "unknown-receiver":
            raise AxisRefused("no receiver", code="18", outcome=Outcome.REJECTED_ADDRESSING)
        if step == "auth":
            raise AxisAuthError("bad secret", code="15")
        if step == "boom":
            raise RuntimeError("a bug in the channel")
        return self.inner.send(package, **kw)

    def received(self, message_type: Any = "edoc") -> list[Notice]:
        extra = [Notice(doc_id, message_type=message_type) for doc_id in self.foreign]
        return [*self.inner.received(message_type), *extra]

    def fetch(self, doc_id: str, into: Any) -> Any:
        if doc_id in self.foreign:
            into.write(self.foreign[doc_id])
            return None
        return self.inner.fetch(doc_id, into)

    def acknowledge(self, doc_id: str, state: Any) -> Any:
        self.acks.append((doc_id, DeliveryState.parse(str(getattr(state, "value", state)))))
        if doc_id in self.foreign:
            del self.foreign[doc_id]
            return None
        return self.inner.acknowledge(doc_id, state)

    def sent(self, doc_id: str | None = None, message_type: Any = "edoc") -> Any:
        return self.inner.sent(doc_id, message_type)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def axis() -> MemoryAxis:
    axis = MemoryAxis()
    axis.register(SENDER)
    axis.register(RECEIVER)
    return axis


@pytest.fixture
def stores() -> Any:
    opened: list[Store] = []

    def make() -> Store:
        store = open_store(":memory:")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def _engine(channel: Any, store: Store, host: Any, **settings: Any) -> Engine:
    settings.setdefault("retry", FAST)
    return Engine(channel, store, host, EngineSettings(**settings), rng=random.Random(1))


def test_document_goes_and_status_01_comes_back(
    axis: MemoryAxis, stores: Callable[[], Store], host: Any, make_edoc: Callable[..., bytes]
) -> None:
    other = type(host)()
    sender = _engine(axis.channel(SENDER), stores(), other)
    receiver = _engine(axis.channel(RECEIVER), stores(), host)
    other.queue["dms-1"] = make_edoc("1")

    first = sender.run_once()
    assert (first.taken, first.sent) == (1, 1)
    assert other.queue == {}
    got = receiver.run_once()
    assert (got.received, got.sent) == (1, 1)  # the document, then status 01 sent back
    assert len(host.documents) == 1
    document = next(iter(host.documents.values()))
    assert document.sender == SENDER
    assert not document.signed
    assert document.package.subject == "Công văn thử 1"
    assert axis.channel(RECEIVER).received() == []  # acknowledged: nothing open

    back = sender.run_once()
    assert back.statuses == 1
    status = next(iter(other.statuses.values()))
    assert (status.code, status.document_key, status.organ_id) == ("01", "dms-1", RECEIVER)

    (out,) = sender.store.documents()
    assert (out.direction, out.state, out.agency, out.counterparts) == (
        "out",
        "sent",
        SENDER,
        (RECEIVER,),
    )
    assert [(s.code, s.direction) for s in out.statuses] == [("01", "in")]
    (inn,) = receiver.store.documents()
    assert (inn.direction, inn.state, inn.counterpart) == ("in", "done", SENDER)
    assert inn.document_id == out.document_id == "000.00.00.H29,2026/11/22,1/UBND-VP"
    assert inn.type_name == out.type_name == "Công văn"  # the label statistics count by
    assert [(s.code, s.direction) for s in inn.statuses] == [("01", "out")]
    events = [e.event for e in receiver.store.events(inn.key)]
    assert events == ["fetched", "handed", "acknowledged"]


def test_redelivered_document_reaches_the_host_once(
    axis: MemoryAxis, stores: Callable[[], Store], host: Any, make_edoc: Callable[..., bytes]
) -> None:
    channel = axis.channel(SENDER)
    channel.send(make_edoc("7"))
    # the same document again, in different bytes (another subject wording): same DocumentId
    channel.send(make_edoc("7", subject="Công văn gửi lại"))
    receiver = _engine(axis.channel(RECEIVER), stores(), host, auto_received=False)
    report = receiver.run_once()
    assert (report.received, report.duplicates) == (1, 1)
    assert len(host.documents) == 1
    assert len(host.calls) == 1
    # both copies are acknowledged, so the axis stops offering them
    assert axis.channel(RECEIVER).received() == []
    key = next(iter(host.documents))
    assert [e.event for e in receiver.store.events(key)][:2] == ["fetched", "handed"]
    assert any(
        e.event == "duplicate" and "different bytes" in (e.detail or "")
        for e in receiver.store.events(key)
    )
    assert receiver.run_once().received == 0


def test_host_failure_is_not_acknowledged_and_is_offered_again(
    axis: MemoryAxis, stores: Callable[[], Store], host: Any, make_edoc: Callable[..., bytes]
) -> None:
    axis.channel(SENDER).send(make_edoc("2"))
    receiver = _engine(axis.channel(RECEIVER), stores(), host, auto_received=False)
    host.fail_next = 1
    report = receiver.run_once()
    assert report.received == 0
    assert "disk full" in report.errors[0]
    assert [n.state for n in axis.channel(RECEIVER).received()] == [DeliveryState.INITIAL]
    assert receiver.run_once().received == 1
    assert len(host.calls) == 2
    assert len(set(host.calls)) == 1
    assert axis.channel(RECEIVER).received() == []


def test_unreadable_package_is_refused_with_fail(
    axis: MemoryAxis, stores: Callable[[], Store], host: Any
) -> None:
    channel = FlakyChannel(axis.channel(RECEIVER))
    channel.foreign["x-1"] = b"<html>not a package</html>"
    receiver = _engine(channel, stores(), host)
    report = receiver.run_once()
    assert report.rejected == 1
    assert host.calls == []
    assert channel.acks == [("x-1", DeliveryState.FAIL)]
    assert receiver.store.counts()["inbox"] == {"rejected": 1}


@pytest.mark.parametrize(
    ("script", "state", "outcome"),
    [
        (["down", "ok"], "sent", None),
        (["down", "down", "down"], "held", "transient"),
        (["bad"], "failed", "rejected-package"),
        (["unknown-receiver"], "held", "rejected-addressing"),
        (["auth"], "held", "rejected-credentials"),
    ],
)
def test_send_failures_are_classified(
    axis: MemoryAxis,
    stores: Callable[[], Store],
    make_edoc: Callable[..., bytes],
    script: list[str],
    state: str,
    outcome: str | None,
) -> None:
    channel = FlakyChannel(axis.channel(SENDER))
    channel.script = list(script)
    engine = _engine(channel, stores(), None)
    key = engine.submit(make_edoc("3"))
    for _ in range(4):
        engine.run_once()
    item = engine.store.outbox_item(key)
    assert item is not None
    assert (item.state, item.outcome) == (state, outcome)
    assert channel.sends == len(script)
    (record,) = engine.store.documents()
    assert record.state == state
    events = [e.event for e in engine.store.events(key)]
    assert events[0] == "submitted"
    assert events.count("send") == len(script)


def test_held_item_is_released_by_a_human(
    axis: MemoryAxis, stores: Callable[[], Store], make_edoc: Callable[..., bytes]
) -> None:
    channel = FlakyChannel(axis.channel(SENDER))
    channel.script = ["unknown-receiver"]
    engine = _engine(channel, stores(), None)
    key = engine.submit(make_edoc("4"))
    engine.run_once()
    assert engine.run_once().sent == 0
    assert engine.release(key)
    assert engine.run_once().sent == 1
    assert not engine.release(key)


def test_lost_answer_is_reconciled_not_resent(
    axis: MemoryAxis, stores: Callable[[], Store], make_edoc: Callable[..., bytes]
) -> None:
    channel = FlakyChannel(axis.channel(SENDER))
    channel.script = ["lost"]
    engine = _engine(channel, stores(), None)
    key = engine.submit(make_edoc("5"))
    first = engine.run_once()
    assert first.retried == 1
    assert engine.store.outbox_item(key).state == "ambiguous"  # type: ignore[union-attr]
    second = engine.run_once()
    assert second.sent == 1
    assert channel.sends == 1  # found in the sent list: not sent again
    item = engine.store.outbox_item(key)
    assert item is not None
    assert item.state == "sent"
    assert item.axis_doc_id
    assert "reconciled" in [e.event for e in engine.store.events(key)]
    assert len(axis.channel(RECEIVER).received()) == 1


def test_ambiguous_send_not_taken_is_sent_again(
    axis: MemoryAxis, stores: Callable[[], Store], make_edoc: Callable[..., bytes]
) -> None:
    channel = FlakyChannel(axis.channel(SENDER))
    channel.script = ["ambiguous"]
    engine = _engine(channel, stores(), None)
    key = engine.submit(make_edoc("6"))
    engine.run_once()
    engine.run_once()
    assert channel.sends == 2
    assert engine.store.outbox_item(key).state == "sent"  # type: ignore[union-attr]
    assert len(axis.channel(RECEIVER).received()) == 1


def test_submit_is_idempotent_and_refuses_garbage(
    stores: Callable[[], Store], axis: MemoryAxis, make_edoc: Callable[..., bytes]
) -> None:
    from vbdt_exchange.errors import EnvelopeError

    engine = _engine(axis.channel(SENDER), stores(), None)
    data = make_edoc("8")
    assert engine.submit(data, key="k") == engine.submit(data, key="k") == "k"
    assert len(engine.store.outbox()) == 1
    with pytest.raises(EnvelopeError):
        engine.submit(b"\x00\x01 not xml")
    assert len(engine.store.outbox()) == 1


def test_retry_schedule_jitter_and_validation() -> None:
    from vbdt_exchange.engine import EngineConfigError

    schedule = RetrySchedule(delays=(10, 100), jitter=0.5, max_attempts=2)
    rng = random.Random(7)
    values = [schedule.delay(2, rng) for _ in range(200)]
    assert all(50 <= v <= 150 for v in values)
    assert len({round(v, 6) for v in values}) > 100  # really jittered
    for bad in ({"delays": ()}, {"delays": (-1,)}, {"jitter": 1.5}, {"max_attempts": 0}):
        with pytest.raises(EngineConfigError):
            RetrySchedule(**bad)  # type: ignore[arg-type]


def test_fetch_into_stream_is_bytes(axis: MemoryAxis, make_edoc: Callable[..., bytes]) -> None:
    # guard for the FlakyChannel above: a MemoryChannel writes what was sent
    data = make_edoc("9")
    axis.channel(SENDER).send(data)
    (notice,) = axis.channel(RECEIVER).received()
    buffer = io.BytesIO()
    axis.channel(RECEIVER).fetch(notice.doc_id, buffer)
    assert buffer.getvalue() == data


def test_statuses_the_host_sends_are_journaled_on_the_received_document(
    axis: MemoryAxis, stores: Callable[[], Store], host: Any, make_edoc: Callable[..., bytes]
) -> None:
    from vbdt_exchange.envelope import to_bytes
    from vbdt_exchange.status.build import status_for

    axis.channel(SENDER).send(make_edoc("11"))
    receiver = _engine(axis.channel(RECEIVER), stores(), host)
    receiver.run_once()
    (document,) = host.documents.values()
    later = status_for(document.package, "03", from_=RECEIVER)
    host.queue["st-03"] = to_bytes(later)
    report = receiver.run_once()
    assert (report.taken, report.sent) == (1, 1)
    (record,) = receiver.store.documents(direction="in")
    assert [(s.code, s.direction, s.organ_id) for s in record.statuses] == [
        ("01", "out", RECEIVER),
        ("03", "out", RECEIVER),
    ]
    assert [n.message_type for n in axis.channel(SENDER).received("status")] == ["status"] * 2


def test_run_stops_after_the_cycles_and_reports_each(
    axis: MemoryAxis, stores: Callable[[], Store], make_edoc: Callable[..., bytes]
) -> None:
    engine = _engine(axis.channel(SENDER), stores(), None)
    engine.submit(make_edoc("12"))
    seen: list[int] = []
    engine.run(interval=0, cycles=3, on_cycle=lambda r: seen.append(r.sent))
    assert seen == [1, 0, 0]


def test_documents_filter_by_direction_and_time(
    axis: MemoryAxis, stores: Callable[[], Store], make_edoc: Callable[..., bytes]
) -> None:
    import datetime

    engine = _engine(axis.channel(SENDER), stores(), None)
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    engine.submit(make_edoc("21"), key="a")
    engine.submit(make_edoc("22"), key="b")
    after = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)
    assert [r.key for r in engine.store.documents(direction="out", since=before)] == ["a", "b"]
    assert engine.store.documents(direction="in") == []
    assert engine.store.documents(since=after) == []
    assert engine.store.documents(until=before) == []
    assert engine.store.counts() == {
        "outbox": {"pending": 2},
        "inbox": {},
        "documents": {"out:pending": 2},
    }


def test_a_bug_in_the_channel_holds_the_item_and_the_others_go(
    axis: MemoryAxis, stores: Callable[[], Store], make_edoc: Callable[..., bytes]
) -> None:
    channel = FlakyChannel(axis.channel(SENDER))
    channel.script = ["boom", "ok"]
    engine = _engine(channel, stores(), None)
    first = engine.submit(make_edoc("31"), key="first")
    engine.submit(make_edoc("32"), key="second")
    report = engine.run_once()
    assert (report.held, report.sent) == (1, 1)
    assert "a bug in the channel" in report.errors[0]
    item = engine.store.outbox_item(first)
    assert item is not None
    assert item.state == "held"
    assert item.uncertain  # released, it is looked up before being sent again
