"""Two workers on one store share the outbox: 1 000 documents, none taken twice."""

from __future__ import annotations

import collections
import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vbdt_exchange.adapters.base import SentMessage
from vbdt_exchange.engine import Engine, EngineSettings, open_store
from vbdt_exchange.engine.store import Store

COUNT = 1000


class CountingChannel:
    """Takes every package and counts how often each one was sent."""

    system_id = "000.00.00.H29"

    def __init__(self) -> None:
        self.sent_by: dict[str, list[str]] = collections.defaultdict(list)
        self._lock = threading.Lock()

    def send(self, package: bytes, **kw: Any) -> SentMessage:
        sha = hashlib.sha256(package).hexdigest()
        with self._lock:
            self.sent_by[sha].append(threading.current_thread().name)
        return SentMessage(f"axis-{sha[:12]}", "edoc", sha, len(package))


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    opened: list[Store] = []
    if request.param == "sqlite":
        target, schema = str(tmp_path / "engine.db"), None
    else:
        target = request.getfixturevalue("postgres_dsn")
        schema = f"vbdt_workers_{uuid.uuid4().hex[:12]}"

    def make() -> Store:
        store = open_store(target, schema=schema)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
    if schema:
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_two_workers_take_no_document_twice(
    opener: Callable[[], Store], make_edoc: Callable[..., bytes]
) -> None:
    channel = CountingChannel()
    settings = EngineSettings(batch=7)
    loader = Engine(channel, opener(), None, settings)  # type: ignore[arg-type]
    for n in range(COUNT):
        loader.submit(make_edoc(str(n + 1)), key=f"doc-{n}")
    workers = [
        Engine(channel, opener(), None, settings, owner=f"w{i}")  # type: ignore[arg-type]
        for i in range(2)
    ]
    errors: list[BaseException] = []

    def work(engine: Engine) -> None:
        try:
            while engine.run_once().sent:
                pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,), name=w.owner) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert errors == []
    assert len(channel.sent_by) == COUNT
    assert all(len(names) == 1 for names in channel.sent_by.values())
    if "workers_" in str(getattr(loader.store, "schema", "")):
        # PostgreSQL: both workers really worked side by side (SQLite serialises writers, and
        # one may be starved of the lock until the other is done: still never a double take)
        assert {names[0] for names in channel.sent_by.values()} == {"w0", "w1"}
    items = loader.store.outbox()
    assert len(items) == COUNT
    assert {i.state for i in items} == {"sent"}
    sends = [e for e in loader.store.events() if e.event == "send"]
    assert len(sends) == COUNT
