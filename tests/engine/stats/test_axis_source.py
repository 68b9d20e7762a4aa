"""Statistics from a local axis store whose content is known (conftest.py ``q3_axis``).

2026-Q3 holds, in Vietnam time:

1. A → B, C on 10 July 09:00, Công văn, signed, no paper; B: 01 after 5 min, 03 after 2 h
   (and a duplicate 03 an hour later), 06 after a day; C: 03 after 4 h.
2. A → B on 5 August 14:00, Quyết định, unsigned, paper 1; B: 03 after 1 h.
3. B → A on 30 September 23:30, Biên bản (not in the paperless list), signed, paper 1; A: 03
   after 30 min (already 1 October), 06 after 3 h.
4. A → B, X on 15 September, no TypeName, unsigned, no paper; X is routed to no system.

Outside it: A → C on 30 June 23:59 (with C's 03 in July) and C → A on 1 October 00:00.
"""

from __future__ import annotations

import datetime
import hashlib
import sqlite3
from pathlib import Path

import pytest

from vbdt_exchange.engine.stats import StatsSourceError, aggregate
from vbdt_exchange.engine.stats_sources import agency_names, package_facts, records_from_axis

A, B, C, X = "000.00.00.H29", "000.00.00.G22", "000.00.00.G09", "000.00.00.G99"  # as conftest.py


@pytest.fixture
def q3(q3_axis):  # type: ignore[no-untyped-def]
    return aggregate(records_from_axis(q3_axis.path), "2026-Q3", source="axis")


def test_counts_per_agency_and_direction(q3) -> None:  # type: ignore[no-untyped-def]
    assert q3.agencies == (C, B, A)  # sorted
    a, b, c = q3.row(A), q3.row(B), q3.row(C)
    assert (a.sent.documents, a.received.documents) == (3, 1)
    assert (b.sent.documents, b.received.documents) == (1, 3)
    assert (c.sent.documents, c.received.documents) == (0, 1)
    total = q3.row(None)
    assert (total.sent.documents, total.received.documents) == (4, 5)  # X received nothing
    assert X not in q3.agencies
    assert q3.outside == 4  # June and October, each a sent and a received record


def test_months_split_the_quarter(q3) -> None:  # type: ignore[no-untyped-def]
    assert [p.label for p in q3.parts] == ["2026-07", "2026-08", "2026-09"]
    assert [q3.row(A, m).sent.documents for m in ("2026-07", "2026-08", "2026-09")] == [1, 1, 1]
    # 30 September 23:30 Vietnam time is a September document
    assert q3.row(B, "2026-09").sent.documents == 1
    assert q3.row(None, "2026-07").received.documents == 2


def test_types_signatures_and_paper(q3) -> None:  # type: ignore[no-untyped-def]
    sent = q3.row(A).sent
    assert dict(sent.by_type) == {"Công văn": 1, "Quyết định": 1, "": 1}
    assert (sent.signed, sent.signature_unknown, sent.signed_share) == (1, 0, 0.3333)
    assert (sent.with_paper, sent.paper_flag_missing) == (1, 0)
    # Công văn and Quyết định may go without paper; only the Công văn did
    assert (sent.paperless_eligible, sent.paperless_eligible_sent_paperless) == (2, 1)
    assert sent.paperless_share == 0.5
    assert sent.type_unknown == 1
    received = q3.row(A).received
    assert dict(received.by_type) == {"Biên bản": 1}
    assert (received.paper_required, received.paperless_eligible) == (1, 0)
    assert received.paperless_share is None
    assert received.signed_share == 1.0


def test_time_to_accepted_and_finished(q3) -> None:  # type: ignore[no-untyped-def]
    sent = q3.row(A).sent
    # per receiver copy: doc 1 B 2 h, C 4 h; doc 2 B 1 h; doc 4 B waits (X was never routed)
    assert sent.to_accepted.count == 3
    assert sent.to_accepted.waiting == 1
    assert sent.to_accepted.median_seconds == 7200
    assert sent.to_accepted.mean_seconds == 8400
    assert sent.to_accepted.max_seconds == 14400
    assert (sent.to_finished.count, sent.to_finished.waiting) == (1, 3)
    assert sent.to_finished.median_seconds == 86400
    received = q3.row(A).received  # A's own handling of document 3
    assert received.to_accepted.median_seconds == 1800
    assert received.to_finished.median_seconds == 3 * 3600
    b = q3.row(B).received  # B accepted doc 1 after 2 h, doc 2 after 1 h, doc 4 not yet
    assert (b.to_accepted.count, b.to_accepted.waiting, b.to_accepted.median_seconds) == (
        2,
        1,
        5400,
    )


def test_agency_filter(q3_axis) -> None:  # type: ignore[no-untyped-def]
    report = aggregate(records_from_axis(q3_axis.path), "2026-Q3", agencies=[B], by=None)
    assert report.agencies == (B,)
    assert [(r.agency, r.period.label) for r in report.rows] == [(B, "2026-Q3"), (None, "2026-Q3")]
    assert report.row(None).received.documents == 3


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))  # SQLite's own reader files
    }


def test_the_store_is_only_read(q3_axis) -> None:  # type: ignore[no-untyped-def]
    q3_axis.close()
    before = _snapshot(q3_axis.path.parent)
    records_from_axis(q3_axis.path)
    assert _snapshot(q3_axis.path.parent) == before


def test_a_missing_store_is_not_created(tmp_path: Path) -> None:
    with pytest.raises(StatsSourceError, match="no such axis database"):
        records_from_axis(tmp_path / "nothing.db")
    assert list(tmp_path.iterdir()) == []


def test_other_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE messages (x)")
    conn.commit()
    conn.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 50)
    for path in (other, junk):
        with pytest.raises(StatsSourceError, match="not an axis database"):
            records_from_axis(path)


def test_without_reading_packages(q3_axis) -> None:  # type: ignore[no-untyped-def]
    records = records_from_axis(q3_axis.path, read_packages=False)
    assert records
    assert all(r.type_name is None and r.signed is None for r in records)
    sent = aggregate(records, "2026-Q3").row(A).sent
    assert (sent.documents, sent.signature_unknown, sent.signed_share) == (3, 3, None)


def test_damaged_packages_count_with_unknown_facts(q3_axis, caplog) -> None:  # type: ignore[no-untyped-def]
    blobs = [
        p
        for p in (q3_axis.path.parent / "hub.db.blobs").rglob("*")
        if p.is_file() and p.parent.name != "incoming"
    ]
    hostile = [
        b"",
        b"not xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b"<edXML><edXMLEnvelope><edXMLHeader><MessageHeader>",  # cut short
    ]
    for i, blob in enumerate(blobs):
        if i < len(hostile):
            blob.write_bytes(hostile[i])
        else:
            blob.unlink()
    records = records_from_axis(q3_axis.path)
    report = aggregate(records, "2026-Q3")
    assert report.row(None).sent.documents == 4  # still counted
    assert report.row(None).sent.signature_unknown == 4
    assert report.row(None).sent.type_unknown == 4
    assert "type, paper and signature unknown" in caplog.text


def test_package_facts(q3_axis, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """From a package file's path, and from a binary file open on a package in a pack."""
    store = q3_axis.store
    ids = [row[0] for row in store._connection().execute("SELECT doc_id FROM messages")]
    messages = [store.message(doc_id) for doc_id in ids]
    assert {m.pack is None for m in messages} == {True, False}  # both layouts
    found = []
    for message in messages:
        if message.pack is None:
            found.append(package_facts(store.blob_path(message.sha256)))
        else:
            with store.open_package(message) as stream:
                found.append(package_facts(stream))
    facts = {(f.type_name, f.paper, f.signed) for f in found if f.type_name or f.paper is not None}
    assert ("Công văn", 0, True) in facts
    assert ("Quyết định", 1, False) in facts
    assert ("Biên bản", 1, True) in facts


def test_a_document_sent_again_counts_once(axis) -> None:  # type: ignore[no-untyped-def]
    first = axis.send(A, [B], datetime.datetime(2026, 9, 1, 8, 0))
    axis.resend(first, datetime.datetime(2026, 9, 1, 9, 0))  # the answer was lost: same receivers
    axis.resend(first, datetime.datetime(2026, 9, 2, 9, 0), to=[C])  # a receiver added later
    report = aggregate(records_from_axis(axis.path), "2026-09")
    assert report.row(A).sent.documents == 1
    assert report.row(B).received.documents == 1
    assert report.row(C).received.documents == 1
    assert report.row(None).received.documents == 2


def test_agency_names_from_the_directory_and_the_store(q3_axis) -> None:  # type: ignore[no-untyped-def]
    q3_axis.store.add_organ(A, "000.01.00.H29", name="Sở Thông tin và Truyền thông")
    names = agency_names(q3_axis.path)
    assert names[B] == "Văn phòng Chính phủ"  # the bundled directory
    assert names["000.01.00.H29"] == "Sở Thông tin và Truyền thông"  # registered on the axis
    assert agency_names()[B] == "Văn phòng Chính phủ"
