"""Statistics from the engine's journal (``vbdt_exchange.engine.store``) with known content."""

from __future__ import annotations

import csv
import datetime
import io
import json
import sqlite3
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from vbdt_exchange.cli._main import load_commands
from vbdt_exchange.engine.stats import StatsSourceError, aggregate
from vbdt_exchange.engine.stats_sources import records_from_journal
from vbdt_exchange.engine.store import DocumentRecord, open_store

UTC = datetime.UTC
A, B, C = "000.00.00.H29", "000.00.00.G22", "000.00.00.G09"


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def _doc(key: str, direction: str, agency: str, others: tuple[str, ...], at: datetime.datetime,
         state: str, *, paper: int | None = 0, signed: bool = False) -> DocumentRecord:  # fmt: skip
    return DocumentRecord(
        key=key,
        direction=direction,  # type: ignore[arg-type]
        agency=agency,
        counterparts=others,
        document_id=f"{agency},2026/09/01,{key}/VP",
        document_type="1",
        type_detail="0",
        paper=paper,
        signed=signed,
        at=at,
        state=state,
    )


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    """September 2026 for A (times UTC; Hà Nội is UTC+7):

    * out-1 to B and C, sent 1 Sept 01:00 UTC, signed; B 03 after 1 h, B 06 after 5 h, C 03
      after 3 h (statuses received: direction in);
    * out-2 to B, sent 30 Sept 17:30 UTC = 1 October 00:30 in Hà Nội: an October document;
    * out-3 to B, still pending: not sent, not counted;
    * in-1 from C, received 10 Sept 02:00 UTC, paper 1; A sent 01 at once, 03 after 2 h;
    * in-2 from B, rejected on arrival: not counted.
    """
    path = tmp_path / "engine.db"
    store = open_store(path)
    try:
        with store.transaction() as cur:
            for record in (
                _doc("out-1", "out", A, (B, C), utc(2026, 9, 1, 1, 0), "sent", signed=True),
                _doc("out-2", "out", A, (B,), utc(2026, 9, 30, 17, 30), "sent"),
                _doc("out-3", "out", A, (B,), utc(2026, 9, 2, 1, 0), "pending"),
                _doc("in-1", "in", A, (C,), utc(2026, 9, 10, 2, 0), "done", paper=1),
                _doc("in-2", "in", A, (B,), utc(2026, 9, 11, 2, 0), "rejected"),
            ):
                store.add_document(cur, record, sha256=record.key)
            statuses = [
                ("s1", "out-1", "03", utc(2026, 9, 1, 2, 0), B, "in"),
                ("s2", "out-1", "06", utc(2026, 9, 1, 6, 0), B, "in"),
                ("s3", "out-1", "03", utc(2026, 9, 1, 4, 0), C, "in"),
                ("s4", "in-1", "01", utc(2026, 9, 10, 2, 0), A, "out"),
                ("s5", "in-1", "03", utc(2026, 9, 10, 4, 0), A, "out"),
            ]
            for key, doc, code, at, organ, direction in statuses:
                store.add_status(
                    cur, key, doc_key=doc, document_id=None, code=code, at=at, organ_id=organ,
                    direction=direction, state="done",  # type: ignore[arg-type]
                )  # fmt: skip
    finally:
        store.close()
    return path


def test_journal_totals(journal: Path) -> None:
    report = aggregate(records_from_journal(journal), "2026-09", source="journal")
    a = report.row(A)
    assert (a.sent.documents, a.received.documents) == (1, 1)  # pending, rejected, October: out
    assert report.outside == 1  # out-2 is October in Hà Nội
    assert a.sent.signed == 1
    assert (a.sent.to_accepted.count, a.sent.to_accepted.median_seconds) == (2, 2 * 3600)
    assert (a.sent.to_finished.count, a.sent.to_finished.waiting) == (1, 1)
    assert a.received.to_accepted.median_seconds == 2 * 3600
    assert a.received.with_paper == 1
    october = aggregate(records_from_journal(journal), "2026-10")
    assert october.row(A).sent.documents == 1


def test_document_type_1_is_not_taken_for_a_type_name(journal: Path) -> None:
    records = records_from_journal(journal)
    # DocumentType/Type ("1" for everything in the samples) says nothing about the type: only a
    # TypeName in the journal gives one
    assert {r.type_name for r in records} == {None}
    assert aggregate(records, "2026-09").row(A).sent.type_unknown == 1


def test_an_open_store_or_anything_with_documents(journal: Path) -> None:
    store = open_store(journal)
    try:
        assert len(records_from_journal(store)) == 3  # out-1, out-2 (October), in-1
    finally:
        store.close()

    @attrs.frozen
    class Doc:
        key: str = "k"
        direction: str = "in"
        agency: str = A
        counterparts: tuple[str, ...] = (B,)
        document_id: str | None = None
        type_name: str | None = "Công văn"
        paper: int | None = None
        signed: bool = True
        at: datetime.datetime = datetime.datetime(2026, 9, 5, tzinfo=UTC)
        state: str = "delivered"
        statuses: tuple[object, ...] = ()

    class Journal:
        def documents(self, *, since: object, until: object) -> list[Doc]:
            return [Doc()]

    (record,) = records_from_journal(Journal())
    assert (record.direction, record.type_name, record.signed) == ("received", "Công văn", True)


def test_the_cli_reads_the_journal(journal: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        load_commands(),
        ["report", "--period", "2026-09", "--engine-db", str(journal), "--format", "json"],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    row = next(r for r in data["rows"] if r["agency"] == A)
    assert (row["sent"]["documents"], row["received"]["documents"]) == (1, 1)
    config = tmp_path / "engine.toml"
    config.write_text(f'[engine]\nstore = "{journal.name}"\n', encoding="utf-8")
    result = CliRunner().invoke(
        load_commands(), ["report", "--period", "2026-Q3", "--engine-config", str(config)]
    )
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    september = {
        (r["agency"], r["direction"]): r["documents"] for r in rows if r["period"] == "2026-09"
    }
    assert september[(A, "sent")] == "1"
    assert september[(A, "received")] == "1"


def test_other_databases_are_not_touched(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StatsSourceError, match="not an engine journal"):
        records_from_journal(other)
    conn = sqlite3.connect(other)
    tables = conn.execute("SELECT name FROM sqlite_master").fetchall()
    conn.close()
    assert tables == [("mine",)]  # no engine table was created in it
    with pytest.raises(StatsSourceError, match="no such engine journal"):
        records_from_journal(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_a_postgresql_journal(postgres_dsn: str) -> None:
    import uuid

    import psycopg

    schema = f"vbdt_stats_{uuid.uuid4().hex[:12]}"
    store = open_store(postgres_dsn, schema=schema)
    try:
        with store.transaction() as cur:
            store.add_document(
                cur, _doc("out-1", "out", A, (B,), utc(2026, 9, 1, 1, 0), "sent"), sha256="s"
            )
            store.add_status(
                cur, "s1", doc_key="out-1", document_id=None, code="03",
                at=utc(2026, 9, 1, 1, 30), organ_id=B, direction="in", state="done",
            )  # fmt: skip
        report = aggregate(records_from_journal(postgres_dsn, schema=schema), "2026-09")
        assert report.row(A).sent.documents == 1
        assert report.row(A).sent.to_accepted.median_seconds == 1800
    finally:
        store.close()
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
