"""The engine's durable state: outbox, inbox, documents, statuses and the attempt journal.

One schema, two databases: SQLite by default (a file, WAL mode, ``BEGIN IMMEDIATE`` for the
few writes that must not interleave) and PostgreSQL (``postgresql://`` DSN, psycopg 3) where
several workers share the outbox and claim rows with ``SELECT ... FOR UPDATE SKIP LOCKED``.
The SQL is the same; a small :class:`Dialect` supplies the parameter style, the blob and
serial types and the locking clause.

Tables (all prefixed ``vbdt_``, so they can live in the host's own database):

* ``vbdt_outbox`` — what is to be sent: the package bytes, a state (``pending``, ``sending``,
  ``retry``, ``ambiguous``, ``sent``, ``failed``, ``held``), attempts, the next attempt time, a
  lease (owner, until) and ``uncertain`` (a send was started and its outcome is not known);
* ``vbdt_inbox`` — one row per axis message id received (``edoc`` or ``status``): the document
  or status key it carries, and whether it was acknowledged;
* ``vbdt_documents`` — one row per document (in or out), the journal record statistics read
  (:class:`DocumentRecord`);
* ``vbdt_statuses`` — status packages received or sent, keyed as axis spec §8.1 key 3;
* ``vbdt_attempts`` — every step and attempt, in order (:class:`JournalEvent`).

>>> with open_store(":memory:") as store:
...     store.documents()
[]
"""

from __future__ import annotations

import datetime
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

import attrs

from vbdt_exchange.engine.errors import EngineStoreError

__all__ = [
    "Dialect",
    "DocumentRecord",
    "JournalEvent",
    "OutboxItem",
    "StatusRecord",
    "Store",
    "open_store",
    "utcnow",
]

log = logging.getLogger(__name__)

Direction = Literal["in", "out"]

_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def utcnow() -> datetime.datetime:
    """The current time, UTC, aware."""
    return datetime.datetime.now(datetime.UTC)


def _t(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime(_TIME)


def _parse_t(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, _TIME).replace(tzinfo=datetime.UTC)


@attrs.frozen
class Dialect:
    """What differs between the SQL databases the store runs on.

    :ivar name: ``sqlite`` or ``postgresql``.
    :ivar param: the parameter placeholder (``?`` or ``%s``).
    :ivar blob: the type of a byte column.
    :ivar serial: the type of an auto-numbered key column.
    :ivar lock: the clause that claims rows without waiting on other workers' claims.
    """

    name: str
    param: str
    blob: str
    serial: str
    lock: str


SQLITE = Dialect("sqlite", "?", "BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT", "")
POSTGRESQL = Dialect(
    "postgresql", "%s", "BYTEA", "BIGSERIAL PRIMARY KEY", " FOR UPDATE SKIP LOCKED"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {p}outbox (
    key TEXT PRIMARY KEY,
    message_type TEXT NOT NULL,
    data {blob} NOT NULL,
    sha256 TEXT NOT NULL,
    doc_key TEXT,
    title TEXT NOT NULL DEFAULT '',
    notation TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    uncertain INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    owner TEXT,
    lease_until TEXT,
    axis_doc_id TEXT,
    outcome TEXT,
    last_error TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS vbdt_outbox_due ON {p}outbox (state, next_at);
CREATE TABLE IF NOT EXISTS {p}inbox (
    message_type TEXT NOT NULL,
    axis_doc_id TEXT NOT NULL,
    key TEXT,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL,
    duplicate INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    received TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (message_type, axis_doc_id)
);
CREATE TABLE IF NOT EXISTS {p}documents (
    key TEXT PRIMARY KEY,
    direction TEXT NOT NULL,
    agency TEXT NOT NULL,
    counterparts TEXT NOT NULL,
    document_id TEXT,
    document_type TEXT,
    type_detail TEXT,
    type_name TEXT,
    paper INTEGER,
    signed INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS vbdt_documents_id ON {p}documents (document_id);
CREATE TABLE IF NOT EXISTS {p}statuses (
    id {serial},
    key TEXT NOT NULL UNIQUE,
    doc_key TEXT,
    document_id TEXT,
    code TEXT NOT NULL,
    at TEXT NOT NULL,
    organ_id TEXT,
    direction TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS vbdt_statuses_doc ON {p}statuses (doc_key);
CREATE TABLE IF NOT EXISTS {p}attempts (
    id {serial},
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    direction TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS vbdt_attempts_key ON {p}attempts (key);
"""


@attrs.frozen
class StatusRecord:
    """A business status about a document, as the journal keeps it.

    :ivar code: the status code (``01`` … ``16``).
    :ivar at: when it was set (the status's timestamp, else when the engine saw it), UTC.
    :ivar organ_id: who set it.
    :ivar direction: ``in`` (received from the counterpart) or ``out`` (sent by us).
    """

    code: str
    at: datetime.datetime
    organ_id: str | None
    direction: Direction


@attrs.frozen
class DocumentRecord:
    """One document the engine received or sent: the journal's read model.

    :ivar key: the engine's stable key of the document (the host sees the same).
    :ivar direction: ``in`` or ``out``.
    :ivar agency: our organ id (``From`` when sending; the organ it was received for).
    :ivar counterparts: the other side: the receivers (out) or the sender (in).
    :ivar document_id: the edXML ``DocumentId``, when the package has one.
    :ivar document_type: ``DocumentType/Type`` as text.
    :ivar type_detail: ``DocumentType/TypeDetail`` as text.
    :ivar type_name: ``DocumentType/TypeName`` (the reliable label, e.g. ``Công văn``).
    :ivar paper: ``Business/Paper`` (0 or 1), when present.
    :ivar signed: in: a signature was verified (PASSED); out: the package carries a signature.
    :ivar at: when the axis took it (out) or it was received (in), UTC.
    :ivar state: out: ``pending``, ``sending``, ``retry``, ``ambiguous``, ``sent``, ``failed``,
        ``held``; in: ``received``, ``delivered`` (the host has it), ``done`` (acknowledged).
    :ivar statuses: the statuses about it, in time order.
    """

    key: str
    direction: Direction
    agency: str
    counterparts: tuple[str, ...]
    document_id: str | None
    document_type: str | None
    type_detail: str | None
    paper: int | None
    signed: bool
    at: datetime.datetime
    state: str
    statuses: tuple[StatusRecord, ...] = ()
    type_name: str | None = None

    @property
    def counterpart(self) -> str | None:
        """The first counterpart, or None."""
        return self.counterparts[0] if self.counterparts else None


@attrs.frozen
class JournalEvent:
    """One step or attempt, as journaled.

    :ivar at: when, UTC.
    :ivar key: the document, status or outbox key it is about.
    :ivar direction: ``in`` or ``out``.
    :ivar event: what happened (``submitted``, ``send``, ``sent``, ``retry``, ``ambiguous``,
        ``reconciled``, ``failed``, ``held``, ``fetched``, ``handed``, ``duplicate``,
        ``rejected``, ``acknowledged``).
    :ivar detail: more, in words (an error, the axis's id).
    """

    at: datetime.datetime
    key: str
    direction: Direction
    event: str
    detail: str | None


@attrs.frozen
class OutboxItem:
    """A row of the outbox.

    :ivar key: the stable key the host gave (or the package's SHA-256).
    :ivar message_type: ``edoc`` or ``status``.
    :ivar data: the package bytes.
    :ivar sha256: their SHA-256 (hex).
    :ivar state: see :class:`DocumentRecord` (out).
    :ivar uncertain: a send was started and its outcome is unknown: reconcile before re-sending.
    :ivar attempts: sends tried so far.
    :ivar title: the package's subject (to recognise it in the sent list).
    :ivar notation: its ``number/notation``.
    :ivar axis_doc_id: the axis's id once sent.
    :ivar outcome: the last failure's :class:`~vbdt_exchange.adapters.errors.Outcome` value.
    :ivar last_error: the last failure, in words.
    :ivar doc_key: the document record (edoc) it belongs to.
    """

    key: str
    message_type: str
    data: bytes = attrs.field(repr=False)
    sha256: str
    state: str
    uncertain: bool
    attempts: int
    title: str
    notation: str
    axis_doc_id: str | None
    outcome: str | None
    last_error: str | None
    doc_key: str | None


class _Cursor(Protocol):
    rowcount: int

    def execute(self, sql: Any, params: Any = ...) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


_OUTBOX_COLUMNS = (
    "key, message_type, data, sha256, state, uncertain, attempts, title, notation, "
    "axis_doc_id, outcome, last_error, doc_key"
)


def _item(row: Sequence[Any]) -> OutboxItem:
    return OutboxItem(
        key=row[0],
        message_type=row[1],
        data=bytes(row[2]),
        sha256=row[3],
        state=row[4],
        uncertain=bool(row[5]),
        attempts=int(row[6]),
        title=row[7],
        notation=row[8],
        axis_doc_id=row[9],
        outcome=row[10],
        last_error=row[11],
        doc_key=row[12],
    )


class Store:
    """The engine's tables on one database connection (thread-safe: one lock).

    Use :func:`open_store` to open one. Every write is one short transaction; the engine never
    keeps a transaction open while it talks to the axis or the host.

    :param connection: an open ``sqlite3`` or ``psycopg`` connection (the store closes it).
    :param dialect: :data:`SQLITE` or :data:`POSTGRESQL`.
    :param schema: a PostgreSQL schema to create the tables in (default: the search path).
    """

    def __init__(self, connection: Any, dialect: Dialect, *, schema: str | None = None) -> None:
        self._conn = connection
        self.dialect = dialect
        self.schema = schema
        self._prefix = (f'"{schema}".' if schema else "") + "vbdt_"
        self._lock = threading.RLock()
        try:
            self._create()
        except BaseException:
            connection.close()
            raise

    # -- plumbing -------------------------------------------------------------------------------

    def _sql(self, text: str) -> str:
        text = text.replace("{p}", self._prefix)
        return text.replace("?", self.dialect.param) if self.dialect.param != "?" else text

    @contextmanager
    def transaction(self) -> Iterator[_Cursor]:
        """A cursor inside one transaction (committed on exit, rolled back on an error)."""
        with self._lock:
            try:
                if self.dialect is SQLITE:
                    cur = self._conn.cursor()
                    cur.execute("BEGIN IMMEDIATE")
                    try:
                        yield cur
                    except BaseException:
                        self._conn.rollback()
                        raise
                    self._conn.commit()
                    cur.close()
                else:
                    with self._conn.transaction(), self._conn.cursor() as cur:
                        yield cur
            except (sqlite3.Error, _pg_error()) as exc:
                raise EngineStoreError(f"the engine store failed: {exc}") from exc

    def _run(self, cur: _Cursor, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        cur.execute(self._sql(sql), tuple(params))
        return cur

    def _create(self) -> None:
        statements = _SCHEMA.format(
            p=self._prefix, blob=self.dialect.blob, serial=self.dialect.serial
        ).split(";")
        with self.transaction() as cur:
            if self.schema:
                cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            for statement in statements:
                if statement.strip():
                    cur.execute(statement)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- journal --------------------------------------------------------------------------------

    def journal(
        self, cur: _Cursor, key: str, direction: Direction, event: str, detail: str | None = None
    ) -> None:
        """Append an event (inside the caller's transaction)."""
        self._run(
            cur,
            "INSERT INTO {p}attempts (at, key, direction, event, detail) VALUES (?, ?, ?, ?, ?)",
            (_t(utcnow()), key, direction, event, detail),
        )
        log.debug("%s %s: %s %s", direction, key, event, detail or "")

    def events(self, key: str | None = None) -> list[JournalEvent]:
        """The journal, oldest first (only ``key``'s events when given)."""
        where, params = ("WHERE key = ?", (key,)) if key else ("", ())
        with self.transaction() as cur:
            rows = self._run(
                cur,
                f"SELECT at, key, direction, event, detail FROM {{p}}attempts {where} ORDER BY id",  # noqa: S608 - internal table names
                params,
            ).fetchall()
        return [JournalEvent(_parse_t(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    # -- documents and statuses -----------------------------------------------------------------

    def add_document(self, cur: _Cursor, record: DocumentRecord, sha256: str) -> bool:
        """Insert a document record unless its key exists; whether it was inserted."""
        self._run(
            cur,
            "INSERT INTO {p}documents (key, direction, agency, counterparts, document_id, "
            "document_type, type_detail, type_name, paper, signed, sha256, at, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (
                record.key,
                record.direction,
                record.agency,
                json.dumps(list(record.counterparts)),
                record.document_id,
                record.document_type,
                record.type_detail,
                record.type_name,
                record.paper,
                int(record.signed),
                sha256,
                _t(record.at),
                record.state,
            ),
        )
        return cur.rowcount == 1

    def document_state(self, cur: _Cursor, key: str) -> tuple[str, str] | None:
        """(state, sha256) of a document, or None."""
        row = self._run(
            cur, "SELECT state, sha256 FROM {p}documents WHERE key = ?", (key,)
        ).fetchone()
        return (row[0], row[1]) if row else None

    def set_document(
        self, cur: _Cursor, key: str, state: str, at: datetime.datetime | None = None
    ) -> None:
        """Change a document's state (and its time, when given)."""
        if at is None:
            self._run(cur, "UPDATE {p}documents SET state = ? WHERE key = ?", (state, key))
        else:
            self._run(
                cur, "UPDATE {p}documents SET state = ?, at = ? WHERE key = ?", (state, _t(at), key)
            )

    def find_document(self, cur: _Cursor, direction: Direction, document_id: str) -> str | None:
        """The key of the ``direction`` document with ``document_id``, or None."""
        row = self._run(
            cur,
            "SELECT key FROM {p}documents WHERE direction = ? AND document_id = ? "
            "ORDER BY at LIMIT 1",
            (direction, document_id),
        ).fetchone()
        return row[0] if row else None

    def add_status(
        self,
        cur: _Cursor,
        key: str,
        *,
        doc_key: str | None,
        document_id: str | None,
        code: str,
        at: datetime.datetime,
        organ_id: str | None,
        direction: Direction,
        state: str,
    ) -> bool:
        """Insert a status unless its key exists; whether it was inserted."""
        self._run(
            cur,
            "INSERT INTO {p}statuses (key, doc_key, document_id, code, at, organ_id, direction, "
            "state) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (key, doc_key, document_id, code, _t(at), organ_id, direction, state),
        )
        return cur.rowcount == 1

    def status_state(self, cur: _Cursor, key: str) -> str | None:
        """The state of a status (``received``, ``delivered``, ``done``), or None."""
        row = self._run(cur, "SELECT state FROM {p}statuses WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_status(self, cur: _Cursor, key: str, state: str) -> None:
        """Change a status's state."""
        self._run(cur, "UPDATE {p}statuses SET state = ? WHERE key = ?", (state, key))

    def documents(
        self,
        *,
        direction: Direction | None = None,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
    ) -> list[DocumentRecord]:
        """The documents in the journal, oldest first, with their statuses.

        :param direction: only ``in`` or ``out`` documents.
        :param since: only documents at or after this time.
        :param until: only documents before this time.
        """
        where: list[str] = []
        params: list[str] = []
        if direction:
            where.append("direction = ?")
            params.append(direction)
        if since:
            where.append("at >= ?")
            params.append(_t(since))
        if until:
            where.append("at < ?")
            params.append(_t(until))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self.transaction() as cur:
            rows = self._run(
                cur,
                "SELECT key, direction, agency, counterparts, document_id, document_type, "  # noqa: S608 - internal table names
                f"type_detail, paper, signed, at, state, type_name FROM {{p}}documents {clause} "
                "ORDER BY at, key",
                params,
            ).fetchall()
            statuses: dict[str, list[StatusRecord]] = {}
            for s in self._run(
                cur,
                "SELECT doc_key, code, at, organ_id, direction FROM {p}statuses "
                "WHERE doc_key IS NOT NULL ORDER BY at, id",
            ).fetchall():
                statuses.setdefault(s[0], []).append(StatusRecord(s[1], _parse_t(s[2]), s[3], s[4]))
        return [
            DocumentRecord(
                key=r[0],
                direction=r[1],
                agency=r[2],
                counterparts=tuple(json.loads(r[3])),
                document_id=r[4],
                document_type=r[5],
                type_detail=r[6],
                paper=r[7],
                signed=bool(r[8]),
                at=_parse_t(r[9]),
                state=r[10],
                statuses=tuple(statuses.get(r[0], ())),
                type_name=r[11],
            )
            for r in rows
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        """The number of rows per state: ``{"outbox": {...}, "inbox": {...}, "documents": ...}``."""
        result: dict[str, dict[str, int]] = {}
        with self.transaction() as cur:
            for table, column in (
                ("outbox", "state"),
                ("inbox", "state"),
                ("documents", "direction || ':' || state"),
            ):
                rows = self._run(
                    cur,
                    f"SELECT {column}, COUNT(*) FROM {{p}}{table} GROUP BY {column} ORDER BY 1",  # noqa: S608 - internal table names
                ).fetchall()
                result[table] = {str(r[0]): int(r[1]) for r in rows}
        return result

    # -- inbox ----------------------------------------------------------------------------------

    def inbox_state(self, message_type: str, axis_doc_id: str) -> tuple[str, str | None] | None:
        """(state, key) of a received axis message, or None when never seen."""
        with self.transaction() as cur:
            row = self._run(
                cur,
                "SELECT state, key FROM {p}inbox WHERE message_type = ? AND axis_doc_id = ?",
                (message_type, axis_doc_id),
            ).fetchone()
        return (row[0], row[1]) if row else None

    def add_inbox(
        self,
        cur: _Cursor,
        message_type: str,
        axis_doc_id: str,
        *,
        key: str | None,
        sha256: str,
        state: str,
        duplicate: bool = False,
        reason: str | None = None,
    ) -> bool:
        """Record a received axis message unless already recorded; whether it was inserted."""
        now = _t(utcnow())
        self._run(
            cur,
            "INSERT INTO {p}inbox (message_type, axis_doc_id, key, sha256, state, duplicate, "
            "reason, received, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_type, axis_doc_id) DO NOTHING",
            (message_type, axis_doc_id, key, sha256, state, int(duplicate), reason, now, now),
        )
        return cur.rowcount == 1

    def set_inbox(self, message_type: str, axis_doc_id: str, state: str) -> None:
        """Change the state of a received axis message."""
        with self.transaction() as cur:
            self._run(
                cur,
                "UPDATE {p}inbox SET state = ?, updated = ? "
                "WHERE message_type = ? AND axis_doc_id = ?",
                (state, _t(utcnow()), message_type, axis_doc_id),
            )

    # -- outbox ---------------------------------------------------------------------------------

    def add_outbox(
        self,
        cur: _Cursor,
        *,
        key: str,
        message_type: str,
        data: bytes,
        sha256: str,
        doc_key: str | None,
        title: str,
        notation: str,
    ) -> bool:
        """Queue a package unless ``key`` is queued already; whether it was inserted."""
        now = _t(utcnow())
        self._run(
            cur,
            "INSERT INTO {p}outbox (key, message_type, data, sha256, doc_key, title, notation, "
            "state, next_at, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING",
            (key, message_type, data, sha256, doc_key, title, notation, now, now, now),
        )
        return cur.rowcount == 1

    def outbox_item(self, key: str) -> OutboxItem | None:
        """The outbox row ``key``, or None."""
        with self.transaction() as cur:
            row = self._run(
                cur,
                f"SELECT {_OUTBOX_COLUMNS} FROM {{p}}outbox WHERE key = ?",  # noqa: S608 - internal
                (key,),
            ).fetchone()
        return _item(row) if row else None

    def outbox(self, state: str | None = None) -> list[OutboxItem]:
        """The outbox rows (in ``state`` only when given), oldest first."""
        where, params = ("WHERE state = ?", (state,)) if state else ("", ())
        with self.transaction() as cur:
            rows = self._run(
                cur,
                f"SELECT {_OUTBOX_COLUMNS} FROM {{p}}outbox {where} ORDER BY created, key",  # noqa: S608 - internal table names
                params,
            ).fetchall()
        return [_item(r) for r in rows]

    def claim(self, owner: str, *, lease: float, limit: int) -> list[OutboxItem]:
        """Take up to ``limit`` due outbox rows for ``owner`` for ``lease`` seconds.

        Due: ``pending``/``retry``/``ambiguous`` rows whose next attempt time has come, and
        ``sending`` rows whose lease ran out (their worker died mid-send: they are
        ``uncertain``). On PostgreSQL rows another worker is claiming are skipped, never waited
        for or taken twice.
        """
        now = utcnow()
        with self.transaction() as cur:
            rows = self._run(
                cur,
                "SELECT key FROM {p}outbox WHERE "  # noqa: S608 - internal table names
                "(state IN ('pending', 'retry', 'ambiguous') AND next_at <= ?) "
                "OR (state = 'sending' AND lease_until <= ?) "
                f"ORDER BY next_at, key LIMIT ?{self.dialect.lock}",
                (_t(now), _t(now), limit),
            ).fetchall()
            keys = [r[0] for r in rows]
            items = []
            for key in keys:
                self._run(
                    cur,
                    "UPDATE {p}outbox SET state = 'sending', owner = ?, lease_until = ?, "
                    "updated = ? WHERE key = ?",
                    (owner, _t(now + datetime.timedelta(seconds=lease)), _t(now), key),
                )
                row = self._run(
                    cur,
                    f"SELECT {_OUTBOX_COLUMNS} FROM {{p}}outbox WHERE key = ?",  # noqa: S608 - internal
                    (key,),
                ).fetchone()
                items.append(_item(row))
        return items

    def start_send(self, key: str, owner: str) -> bool:
        """Mark that a send of ``key`` begins (``uncertain`` until its outcome is recorded).

        Whether ``owner`` still holds the row (a worker whose lease was taken over stops).
        """
        with self.transaction() as cur:
            self._run(
                cur,
                "UPDATE {p}outbox SET uncertain = 1, attempts = attempts + 1, updated = ? "
                "WHERE key = ? AND owner = ? AND state = 'sending'",
                (_t(utcnow()), key, owner),
            )
            ok = cur.rowcount == 1
            if ok:
                self.journal(cur, key, "out", "send")
        return ok

    def finish(
        self,
        key: str,
        *,
        state: str,
        event: str,
        uncertain: bool = False,
        next_at: datetime.datetime | None = None,
        axis_doc_id: str | None = None,
        outcome: str | None = None,
        error: str | None = None,
        doc_key: str | None = None,
    ) -> None:
        """Record the outcome of a send (or reconciliation) of ``key`` and journal it."""
        now = utcnow()
        with self.transaction() as cur:
            self._run(
                cur,
                "UPDATE {p}outbox SET state = ?, uncertain = ?, next_at = ?, owner = NULL, "
                "lease_until = NULL, axis_doc_id = COALESCE(?, axis_doc_id), outcome = ?, "
                "last_error = ?, updated = ? WHERE key = ?",
                (
                    state,
                    int(uncertain),
                    _t(next_at or now),
                    axis_doc_id,
                    outcome,
                    error,
                    _t(now),
                    key,
                ),
            )
            if doc_key:
                self.set_document(cur, doc_key, state, now if state == "sent" else None)
            self.journal(cur, key, "out", event, axis_doc_id or error)

    def release(self, key: str) -> bool:
        """Put a ``held`` or ``failed`` row back to be sent now; whether there was one."""
        with self.transaction() as cur:
            self._run(
                cur,
                "UPDATE {p}outbox SET state = 'retry', next_at = ?, updated = ? "
                "WHERE key = ? AND state IN ('held', 'failed')",
                (_t(utcnow()), _t(utcnow()), key),
            )
            ok = cur.rowcount == 1
            if ok:
                self.journal(cur, key, "out", "released")
        return ok


def _pg_error() -> type[Exception]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is optional
        return sqlite3.Error
    return psycopg.Error


def open_store(target: str | Path, *, schema: str | None = None) -> Store:
    """Open (and create) the engine's store.

    :param target: a SQLite file path (``:memory:`` for a throw-away one), or a PostgreSQL DSN
        (``postgresql://user:password@host/db``; needs ``psycopg``).
    :param schema: PostgreSQL only: the schema to keep the tables in.
    :raises EngineStoreError: the database cannot be opened.
    """
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is optional
            raise EngineStoreError(
                "a PostgreSQL store needs psycopg 3: pip install 'psycopg[binary]'"
            ) from None
        try:
            conn = psycopg.connect(text, autocommit=True)
        except psycopg.Error as exc:
            raise EngineStoreError(f"cannot connect to PostgreSQL: {exc}") from None
        return Store(conn, POSTGRESQL, schema=schema)
    if schema is not None:
        raise EngineStoreError("schema= is for PostgreSQL stores only")
    try:
        lite = sqlite3.connect(text, isolation_level=None, check_same_thread=False, timeout=30)
    except sqlite3.Error as exc:
        raise EngineStoreError(f"cannot open the engine store {text}: {exc}") from None
    try:
        lite.execute("PRAGMA journal_mode=WAL")
        lite.execute("PRAGMA synchronous=FULL")
    except sqlite3.Error as exc:
        lite.close()
        raise EngineStoreError(f"cannot open the engine store {text}: {exc}") from None
    return Store(lite, SQLITE)
