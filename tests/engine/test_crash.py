"""Crash safety: the engine runs in a child process that is killed (SIGKILL) at each step, then
restarted; every document reaches the host exactly once and every outgoing one is sent once.

The axis is a real LocalAxis (the hub over HTTP, in a thread of the test process); the engine
talks to it with the VDXP client; the host is docs/examples/engine_host.py.
"""

from __future__ import annotations

import datetime
import json
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vbdt_exchange.adapters.vdxp import VdxpClient, VdxpConfig
from vbdt_exchange.engine import open_store
from vbdt_exchange.envelope import Organization, new_edoc, to_bytes
from vbdt_exchange.testing.axis import LocalAxis

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).parent / "crash" / "child.py"
EXAMPLES = ROOT / "docs" / "examples"
SENDER, RECEIVER = "000.00.00.H29", "000.00.00.G22"
INBOUND = ("after-fetch", "after-host", "before-ack", "after-ack")
OUTBOUND = ("after-submit", "before-send", "after-send")


def _package(number: str, subject: str = "Công văn") -> bytes:
    return to_bytes(
        new_edoc(
            from_=Organization(organ_id=SENDER, organ_name="UBND tỉnh"),
            to=[Organization(organ_id=RECEIVER, organ_name="Sở Nội vụ")],
            number=number,
            notation="UBND-VP",
            date=datetime.date(2026, 11, 22),
            subject=f"{subject} số {number}",
        )
    )


@pytest.fixture
def axis(tmp_path: Path) -> Iterator[LocalAxis]:
    with LocalAxis(db=tmp_path / "axis.db") as axis:
        yield axis


@pytest.fixture
def client(axis: LocalAxis) -> Iterator[Callable[[str], VdxpClient]]:
    opened: list[VdxpClient] = []

    def make(system_id: str) -> VdxpClient:
        system = axis.system(system_id)
        c = VdxpClient(VdxpConfig(axis.url, system_id, secret=system.secret, test=True))
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield {"store": str(tmp_path / "engine.db")}
        return
    dsn = request.getfixturevalue("postgres_dsn")
    schema = f"vbdt_crash_{uuid.uuid4().hex[:12]}"
    yield {"store": dsn, "schema": schema}
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _run(tmp_path: Path, settings: dict[str, Any]) -> int:
    path = tmp_path / f"child-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps({**settings, "examples": str(EXAMPLES)}))
    done = subprocess.run(
        [sys.executable, "-W", "error", str(CHILD), str(path)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    if done.returncode not in (0, -signal.SIGKILL):
        pytest.fail(f"the engine child failed ({done.returncode}):\n{done.stderr.decode()}")
    return done.returncode


def _base(
    axis: LocalAxis, system_id: str, tmp_path: Path, target: dict[str, Any]
) -> dict[str, Any]:
    return {
        "url": axis.url,
        "system_id": system_id,
        "secret": axis.system(system_id).secret,
        "host_db": str(tmp_path / "dms.db"),
        **target,
    }


@pytest.mark.parametrize("point", INBOUND)
def test_inbound_crash_then_restart_delivers_each_document_once(
    point: str,
    axis: LocalAxis,
    client: Callable[[str], VdxpClient],
    tmp_path: Path,
    store_target: dict[str, Any],
) -> None:
    sender = client(SENDER)
    for number in ("1", "2", "3"):
        sender.send(_package(number))
    sender.send(_package("2", subject="Gửi lại công văn"))  # a redelivery: same DocumentId
    settings = _base(axis, RECEIVER, tmp_path, store_target)

    assert _run(tmp_path, {**settings, "crash_at": point, "crash_on": 2}) == -signal.SIGKILL
    assert _run(tmp_path, settings) == 0

    with sqlite3.connect(settings["host_db"]) as dms:
        rows = dms.execute("SELECT document_id FROM dms_documents ORDER BY document_id").fetchall()
    dms.close()
    assert [r[0] for r in rows] == [f"{SENDER},2026/11/22,{n}/UBND-VP" for n in ("1", "2", "3")]
    receiver = client(RECEIVER)
    assert [n for n in receiver.received() if n.state is not None and n.state.value != "done"] == []
    # one status 01 per document came back to the sender
    statuses = sender.received("status")
    assert len(statuses) == 3
    with open_store(settings["store"], schema=settings.get("schema")) as store:
        records = store.documents(direction="in")
        assert len(records) == 3
        assert all(r.state in ("done", "delivered") for r in records)
        assert [s.code for r in records for s in r.statuses] == ["01", "01", "01"]
        handed = [e for e in store.events() if e.event == "handed"]
        assert len({e.key for e in handed}) == 3


@pytest.mark.parametrize("point", OUTBOUND)
def test_outbound_crash_then_restart_sends_each_document_once(
    point: str,
    axis: LocalAxis,
    client: Callable[[str], VdxpClient],
    tmp_path: Path,
    store_target: dict[str, Any],
) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        from engine_host import ExampleHost  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    settings = _base(axis, SENDER, tmp_path, store_target)
    host = ExampleHost(settings["host_db"])
    for number in ("1", "2", "3"):
        host.queue(f"cv-{number}", _package(number))
    host.close()

    assert _run(tmp_path, {**settings, "crash_at": point, "crash_on": 2}) == -signal.SIGKILL
    time.sleep(0.6)  # the dead worker's lease runs out
    assert _run(tmp_path, settings) == 0

    notices = client(RECEIVER).received()
    assert len(notices) == 3
    with open_store(settings["store"], schema=settings.get("schema")) as store:
        items = store.outbox()
        assert sorted(i.key for i in items) == ["cv-1", "cv-2", "cv-3"]
        assert {i.state for i in items} == {"sent"}
        assert len({i.axis_doc_id for i in items}) == 3
        assert {r.state for r in store.documents(direction="out")} == {"sent"}
    with sqlite3.connect(settings["host_db"]) as dms:
        assert dms.execute("SELECT COUNT(*) FROM dms_outgoing WHERE handed = 1").fetchone() == (3,)
    dms.close()


@pytest.mark.parametrize("point", ["after-host", "before-ack"])
def test_status_crash_then_restart_delivers_each_status_once(
    point: str,
    axis: LocalAxis,
    client: Callable[[str], VdxpClient],
    tmp_path: Path,
    store_target: dict[str, Any],
) -> None:
    sender = client(SENDER)
    for number in ("1", "2", "3"):
        sender.send(_package(number))
    receiving = tmp_path / "receiving"
    receiving.mkdir()
    target = dict(store_target)
    if "schema" not in target:
        target["store"] = str(receiving / "engine.db")
    else:  # the receiver keeps its tables in a schema of its own, dropped by the fixture too
        target["schema"] = store_target["schema"] + "_r"
    try:
        # the receiver takes the three documents and sends status 01 for each
        assert _run(tmp_path, _base(axis, RECEIVER, receiving, target)) == 0
        # the sender's engine receives the statuses and dies at `point` on the second
        settings = _base(axis, SENDER, tmp_path, store_target)
        assert _run(tmp_path, {**settings, "crash_at": point, "crash_on": 2}) == -signal.SIGKILL
        assert _run(tmp_path, settings) == 0
    finally:
        if "schema" in target:
            import psycopg

            with psycopg.connect(target["store"], autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{target["schema"]}" CASCADE')
    with sqlite3.connect(settings["host_db"]) as dms:
        rows = dms.execute("SELECT code, organ_id FROM dms_statuses").fetchall()
    dms.close()
    assert rows == [("01", RECEIVER)] * 3
    assert sender.received("status") == []  # all acknowledged
