"""Bad input around the engine: broken stores, garbage from the host or the axis."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vbdt_exchange.adapters.base import Notice
from vbdt_exchange.adapters.errors import AxisUnavailable
from vbdt_exchange.adapters.memory import MemoryAxis
from vbdt_exchange.engine import Engine, EngineSettings, EngineStoreError, open_store
from vbdt_exchange.envelope import Organization, new_edoc, to_bytes
from vbdt_exchange.status.build import status_for

SENDER, RECEIVER = "000.00.00.H29", "000.00.00.G22"


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "engine.db"
    bad.write_bytes(b"this is not sqlite " * 100)
    with pytest.raises(EngineStoreError, match="cannot open the engine store"):
        open_store(bad)


def test_unreachable_postgresql_is_refused_clearly() -> None:
    with pytest.raises(EngineStoreError, match="cannot connect to PostgreSQL"):
        open_store("postgresql://nobody:x@127.0.0.1:9/none?connect_timeout=2")


def test_schema_is_for_postgresql_only(tmp_path: Path) -> None:
    with pytest.raises(EngineStoreError, match="PostgreSQL"):
        open_store(tmp_path / "e.db", schema="x")


def test_garbage_from_the_host_is_reported_and_kept_offered(host: Any) -> None:
    axis = MemoryAxis()
    host.queue["junk"] = b"<not-edxml/>"
    with open_store(":memory:") as store:
        engine = Engine(axis.channel(SENDER), store, host)
        report = engine.run_once()
        assert report.taken == 0
        assert "junk" in report.errors[0]
        assert store.outbox() == []
    assert "junk" in host.queue  # not handed over: the host still has it to fix


class _OneMessage:
    """A channel whose edoc inbox holds one given package."""

    system_id = RECEIVER

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.acks: list[tuple[str, str]] = []

    def received(self, message_type: str = "edoc") -> list[Notice]:
        if message_type != "edoc" or self.acks:
            return []
        return [Notice("m-1", from_=SENDER)]

    def fetch(self, doc_id: str, into: Any) -> None:
        into.write(self.data)

    def acknowledge(self, doc_id: str, state: Any) -> None:
        self.acks.append((doc_id, str(getattr(state, "value", state))))


def test_status_package_in_the_edoc_queue_is_refused(
    host: Any, make_edoc: Callable[..., bytes]
) -> None:
    from vbdt_exchange.envelope import read

    with read(make_edoc("1", sender=RECEIVER, receivers=(SENDER,))) as original:
        status = status_for(original.package, "01", from_=SENDER)  # type: ignore[arg-type]
    channel = _OneMessage(to_bytes(status))
    with open_store(":memory:") as store:
        engine = Engine(channel, store, host)  # type: ignore[arg-type]
        report = engine.run_once()
    assert report.rejected == 1
    assert host.calls == []
    assert channel.acks == [("m-1", "fail")]


def test_documents_without_document_id_are_deduplicated_by_number(host: Any) -> None:
    axis = MemoryAxis()
    axis.register(RECEIVER)

    def package(subject: str) -> bytes:
        p = new_edoc(
            from_=Organization(organ_id=SENDER, organ_name="S"),
            to=[Organization(organ_id=RECEIVER, organ_name="R")],
            number="9",
            notation="UBND-VP",
            date=datetime.date(2026, 11, 22),
            subject=subject,
        )
        data = to_bytes(p)
        assert p.document_id is not None
        return data.replace(f"<DocumentId>{p.document_id}</DocumentId>".encode(), b"")

    first, second = package("Lần một"), package("Lần hai")
    assert b"DocumentId>" not in first
    axis.channel(SENDER).send(first)
    axis.channel(SENDER).send(second)
    with open_store(":memory:") as store:
        engine = Engine(axis.channel(RECEIVER), store, host, EngineSettings(auto_received=False))
        report = engine.run_once()
    assert (report.received, report.duplicates) == (1, 1)


def test_a_fetch_that_fails_is_retried_next_cycle(
    host: Any, make_edoc: Callable[..., bytes]
) -> None:
    axis = MemoryAxis()
    axis.register(RECEIVER)
    axis.channel(SENDER).send(make_edoc("3"))
    channel = axis.channel(RECEIVER)
    real_fetch = channel.fetch
    calls = {"n": 0}

    def flaky(doc_id: str, into: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise AxisUnavailable("reset", operation="getEdoc")
        return real_fetch(doc_id, into)

    channel.fetch = flaky  # type: ignore[method-assign]
    with open_store(":memory:") as store:
        engine = Engine(channel, store, host, EngineSettings(auto_received=False))
        first = engine.run_once()
        assert first.received == 0
        assert "reset" in first.errors[0]
        assert engine.run_once().received == 1
    assert len(host.documents) == 1


def test_an_oversized_package_is_refused_without_reading_it_all(
    host: Any, make_edoc: Callable[..., bytes]
) -> None:
    data = make_edoc("4")
    channel = _OneMessage(data)
    with open_store(":memory:") as store:
        engine = Engine(
            channel,  # type: ignore[arg-type]
            store,
            host,
            EngineSettings(max_package_bytes=len(data) - 1),
        )
        report = engine.run_once()
        (event,) = store.events()
    assert report.rejected == 1
    assert host.calls == []
    assert channel.acks == [("m-1", "fail")]
    assert "max_package_bytes" in (event.detail or "")
