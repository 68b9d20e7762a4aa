"""A small document system plugged into the vbdt exchange engine (runnable example).

It keeps its own SQLite tables:

* ``dms_documents`` — received documents, one row per engine key (the primary key makes
  ``store_document`` idempotent: a key already stored is ignored);
* ``dms_statuses`` — statuses received about the documents we sent;
* ``dms_outgoing`` — documents clerks want sent; ``handed`` is set once the engine has them.

Use it from a config file (``host = "engine_host:make_host"`` with this directory on
``PYTHONPATH`` and ``[host] db = "dms.db"``), or run it to see one exchange on a local axis::

    python docs/examples/engine_host.py
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from vbdt_exchange.engine import IncomingDocument, IncomingStatus, OutgoingDocument

SCHEMA = """
CREATE TABLE IF NOT EXISTS dms_documents (
    key TEXT PRIMARY KEY,
    sender TEXT,
    document_id TEXT,
    subject TEXT,
    signed INTEGER NOT NULL,
    package BLOB NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dms_statuses (
    key TEXT PRIMARY KEY,
    document_id TEXT,
    code TEXT NOT NULL,
    organ_id TEXT
);
CREATE TABLE IF NOT EXISTS dms_outgoing (
    key TEXT PRIMARY KEY,
    package BLOB NOT NULL,
    handed INTEGER NOT NULL DEFAULT 0
);
"""


class ExampleHost:
    """The engine's :class:`~vbdt_exchange.engine.Host` on a SQLite file."""

    def __init__(self, db: str | Path) -> None:
        self.db = sqlite3.connect(db, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    def store_document(self, document: IncomingDocument) -> None:
        # committed before returning: the engine acknowledges only after this returns
        self.db.execute(
            "INSERT INTO dms_documents VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (
                document.key,
                document.sender,
                document.package.document_id,
                document.package.subject,
                int(document.signed),
                document.data,
                datetime.datetime.now(datetime.UTC).isoformat(),
            ),
        )

    def store_status(self, status: IncomingStatus) -> None:
        self.db.execute(
            "INSERT INTO dms_statuses VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (status.key, status.document_id, status.code, status.organ_id),
        )

    def outgoing(self) -> Iterator[OutgoingDocument]:
        rows = self.db.execute("SELECT key, package FROM dms_outgoing WHERE handed = 0").fetchall()
        for key, package in rows:
            yield OutgoingDocument(key, package)

    def handed_over(self, key: str) -> None:
        self.db.execute("UPDATE dms_outgoing SET handed = 1 WHERE key = ?", (key,))

    # what the clerks' side of the document system would do
    def queue(self, key: str, package: bytes) -> None:
        """Ask for a package to be sent (idempotent on ``key``)."""
        self.db.execute(
            "INSERT INTO dms_outgoing (key, package) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (key, package),
        )

    def close(self) -> None:
        self.db.close()


def make_host(db: str = "dms.db") -> ExampleHost:
    """The factory a config file names (``host = "engine_host:make_host"``)."""
    return ExampleHost(db)


def main() -> None:
    """Send one document from one system to another over a local axis, both with engines."""
    import tempfile

    from vbdt_exchange.adapters.vdxp import VdxpClient, VdxpConfig
    from vbdt_exchange.engine import Engine, open_store
    from vbdt_exchange.envelope import Organization, new_edoc, to_bytes
    from vbdt_exchange.testing.axis import LocalAxis

    with tempfile.TemporaryDirectory() as tmp, LocalAxis() as axis:
        sender_id, receiver_id = axis.systems[0].system_id, axis.systems[1].system_id
        hosts, engines = [], []
        for system in axis.systems:
            host = ExampleHost(Path(tmp) / f"{system.system_id}.db")
            channel = VdxpClient(
                VdxpConfig(axis.url, system.system_id, secret=system.secret, test=True)
            )
            store = open_store(Path(tmp) / f"engine-{system.system_id}.db")
            hosts.append(host)
            engines.append(Engine(channel, store, host))
        package = new_edoc(
            from_=Organization(organ_id=sender_id, organ_name="UBND tỉnh"),
            to=[Organization(organ_id=receiver_id, organ_name="Sở Nội vụ")],
            number="12",
            notation="UBND-VP",
            date=datetime.date(2026, 11, 22),
            subject="Về việc thử nghiệm trục",
        )
        hosts[0].queue("cv-12", to_bytes(package))
        for _ in range(2):
            for engine in engines:
                engine.run_once()
        hosts[1].db.execute("SELECT subject FROM dms_documents").fetchall()
        hosts[0].db.execute("SELECT code, organ_id FROM dms_statuses").fetchall()
        for engine, host in zip(engines, hosts, strict=True):
            engine.channel.close()
            engine.store.close()
            host.close()


if __name__ == "__main__":
    main()
