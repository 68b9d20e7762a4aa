"""The hub's persistent store: SQLite (WAL) for the records, files for the packages.

A store is one SQLite database file and a folder of package files next to it (``<db>.blobs/``).
Packages never sit in the database. A package small enough to be received in memory
(``reading="header"``) is appended to the pack file of the hub process
(:mod:`vbdt_exchange.hub.packs`: ``packs/``, one file for many packages); any other is streamed
to a temporary file in that folder and renamed into place (named by its SHA-256). The
database holds the registered systems (with their secrets: keep the file private, it is created
with mode 0600), the messages, and one delivery row per receiver.

Every thread gets its own connection (WAL lets readers run beside the one writer); writes are
short ``BEGIN IMMEDIATE`` transactions. ``synchronous=NORMAL``: a committed send survives the
process dying at any moment; a power failure may lose the last few transactions (the package
files are not fsynced either) — right for a development and test axis.

The store may live in PostgreSQL instead (``Store("postgresql://user:pw@host/db", blob_dir=...,
schema=...)``, needs the ``postgres`` extra, psycopg 3): the same tables in one schema, the
schema version in a small ``hub_meta`` table, the packages still in files under ``blob_dir``
(shared by every hub process on that database). Writes are serialised per schema by a
transaction-level advisory lock (PostgreSQL's counterpart of ``BEGIN IMMEDIATE``) on top of the
unique constraints, so several hub processes on one database never deliver a message twice.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp, Store(pathlib.Path(tmp) / "hub.db") as store:
...     store.add_system("000.00.00.H29", b"s3cret", organ_ids=["000.01.00.H29"])
...     store.route("000.01.00.H29")
System(system_id='000.00.00.H29', organ_ids=('000.01.00.H29',))
'000.00.00.H29'
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard
from urllib.parse import urlsplit, urlunsplit

from vbdt_exchange.hub.model import (
    Delivery,
    DeliveryState,
    HubStoreError,
    Message,
    System,
    UnknownSystem,
)
from vbdt_exchange.hub.packs import PackWriter, Slice, check_pack_name

__all__ = ["SCHEMA_VERSION", "Store"]

log = logging.getLogger(__name__)

APPLICATION_ID = 0x56445850  # "VDXP"
SCHEMA_VERSION = 4
_PACKS = "packs"  # the folder of pack files under blob_dir
_VIETNAM = datetime.timezone(datetime.timedelta(hours=7), "ICT")

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE systems (
        system_id TEXT PRIMARY KEY,
        secret BLOB NOT NULL,
        created TEXT NOT NULL
    );
    CREATE TABLE organs (
        organ_id TEXT PRIMARY KEY,
        system_id TEXT NOT NULL REFERENCES systems(system_id) ON DELETE CASCADE,
        name TEXT NOT NULL DEFAULT '',
        mail TEXT NOT NULL DEFAULT '',
        pcode TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX organs_system ON organs(system_id);
    CREATE TABLE messages (
        doc_id TEXT PRIMARY KEY,
        sender TEXT NOT NULL,
        from_organ TEXT NOT NULL,
        message_type TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        document_id TEXT,
        title TEXT NOT NULL,
        notation TEXT NOT NULL,
        created TEXT NOT NULL,
        UNIQUE (sender, sha256)
    );
    CREATE TABLE deliveries (
        doc_id TEXT PRIMARY KEY,
        message_id TEXT NOT NULL REFERENCES messages(doc_id),
        seq INTEGER NOT NULL,
        to_organ TEXT NOT NULL,
        receiver TEXT,
        sent INTEGER NOT NULL,
        state TEXT NOT NULL,
        updated TEXT NOT NULL,
        received TEXT,
        UNIQUE (message_id, to_organ)
    );
    CREATE INDEX deliveries_inbox ON deliveries(receiver, state, seq);
    CREATE INDEX deliveries_message ON deliveries(message_id);
    """,
    # the next delivery's sequence number is max(seq) + 1: without an index every send read
    # the whole table
    2: """
    CREATE INDEX deliveries_seq ON deliveries(seq);
    """,
    # signed requests seen, for refusing replays across every hub process on the store
    # (HubConfig.replay_cache = "store"); rows live until ``expires`` (Unix time)
    3: """
    CREATE TABLE seen_requests (
        signature TEXT PRIMARY KEY,
        expires DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX seen_requests_expires ON seen_requests(expires);
    """,
    # where a package appended to a pack file is (NULL for a package in a file of its own)
    4: """
    ALTER TABLE messages ADD COLUMN pack TEXT;
    ALTER TABLE messages ADD COLUMN pack_offset BIGINT
    """,
}

_PG_META = """
CREATE TABLE IF NOT EXISTS hub_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"""
_HUB_TABLES = ("systems", "organs", "messages", "deliveries", "seen_requests", "hub_meta")

_DELIVERY_COLUMNS = (
    "d.doc_id, d.to_organ, d.receiver, d.sent, d.state, d.updated, d.received, "
    "m.doc_id, m.sender, m.from_organ, m.message_type, m.sha256, m.size, m.document_id, "
    "m.title, m.notation, m.created, m.pack, m.pack_offset"
)
_MESSAGE_COLUMNS = (
    "doc_id, sender, from_organ, message_type, sha256, size, document_id, title, notation, "
    "created, pack, pack_offset"
)
_CREDENTIALS = (
    "SELECT s.secret, json_group_array(o.organ_id) FROM systems s "
    "LEFT JOIN organs o ON o.system_id = s.system_id WHERE s.system_id = ? "
    "GROUP BY s.system_id"
)
_CREDENTIALS_PG = _CREDENTIALS.replace("json_group_array(o.organ_id)", "json_agg(o.organ_id)::text")
_OPEN_STATES = (DeliveryState.INITIAL.value, DeliveryState.PROCESSING.value)


def package_file(blob_dir: Path, sha256: str) -> Path:
    """Where a package stored as a file of its own is: named by its SHA-256 under ``blob_dir``."""
    return blob_dir / sha256[:2] / sha256


def pack_file(blob_dir: Path, name: str) -> Path:
    """Where the pack file ``name`` (as a message row records it) is under ``blob_dir``.

    :raises HubStoreError: ``name`` is not a pack's name (a damaged or foreign database).
    """
    return blob_dir / _PACKS / check_pack_name(name)


def now() -> datetime.datetime:
    """The hub's clock: Vietnam time, naive, to the second (as the axis shows times)."""
    return datetime.datetime.now(_VIETNAM).replace(tzinfo=None, microsecond=0)


def _time(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


def is_postgres(location: object) -> TypeGuard[str]:
    """Whether ``location`` names a PostgreSQL database (a ``postgresql://`` DSN)."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def redact(dsn: str) -> str:
    """``dsn`` without its password (for messages and logs)."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


class _PgConnection:
    """A psycopg connection speaking the SQLite store's SQL (``?`` placeholders)."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, args: Sequence[object] = ()) -> Any:
        return self.raw.execute(sql.replace("?", "%s"), tuple(args))

    def close(self) -> None:
        self.raw.close()


class Store:
    """The hub's store: SQLite, or PostgreSQL given a ``postgresql://`` DSN.

    :param path: the database file (created when missing); ``None`` for a throw-away store in a
        temporary directory, removed by :meth:`close`; or a ``postgresql://`` DSN.
    :param blob_dir: where package files go; default ``<path>.blobs`` next to a SQLite
        database; required with PostgreSQL (one folder shared by every hub process on it).
    :param schema: with PostgreSQL, the schema holding the hub's tables (created when missing);
        default the connection's current schema (usually ``public``).
    :raises HubStoreError: the file is not a hub database, or one of a newer schema; the
        PostgreSQL database cannot be reached; psycopg is not installed.
    :ivar path: the SQLite file (``None`` with PostgreSQL).
    :ivar location: what the store is, for messages: the file, or the DSN without its password.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        *,
        blob_dir: str | os.PathLike[str] | None = None,
        schema: str | None = None,
    ):
        self._tmp: str | None = None
        self._dsn: str | None = None
        self.schema = schema
        self.path: Path | None
        if is_postgres(path):
            if blob_dir is None:
                raise HubStoreError(
                    "a PostgreSQL hub store needs blob_dir= (the folder for package files)"
                )
            self._dsn = path
            self.path = None
            self.location = redact(path) + (f" (schema {schema})" if schema else "")
        else:
            if schema is not None:
                raise HubStoreError("schema= applies to a PostgreSQL store only")
            if path is None:
                self._tmp = tempfile.mkdtemp(prefix="vbdt-hub-")
                path = Path(self._tmp) / "hub.db"
            self.path = Path(path)
            self.location = str(self.path)
        self.blob_dir = Path(blob_dir) if blob_dir is not None else Path(f"{self.path}.blobs")
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False
        self._checked = False
        self._blob_dirs: set[Path] = set()  # the blob folders known to exist
        self._packs = PackWriter(self.blob_dir / _PACKS)
        self._pack_paths: dict[str, Path] = {}  # pack name -> its checked path
        try:
            self.blob_dir.mkdir(parents=True, exist_ok=True)
            (self.blob_dir / "incoming").mkdir(exist_ok=True)
            if self.path is not None and not self.path.exists():
                fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            if self._dsn is not None:
                self._migrate_pg()
            else:
                self._migrate(self._connection())
            self._sweep_incoming()
        except BaseException:
            self.close()
            raise

    @property
    def postgres(self) -> bool:
        """Whether the records are in PostgreSQL."""
        return self._dsn is not None

    # -- connections ----------------------------------------------------------------------------

    def _connection(self) -> Any:
        if self._closed:
            raise HubStoreError("the hub store is closed")
        conn: Any = getattr(self._local, "conn", None)
        if conn is not None and self._dsn is not None and conn.raw.closed:
            # the server went away (restart, idle timeout): connect again rather than fail
            # every later call on this thread
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()
            conn = None
        if conn is not None:
            return conn
        if self._dsn is not None:
            conn = self._pg_connect()
            with self._lock:
                self._connections.append(conn)
            self._local.conn = conn
            return conn
        assert self.path is not None
        try:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            if self._checked:  # never switch another application's database to WAL
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            raise HubStoreError(f"{self.path} is not a hub database ({exc})") from None
        with self._lock:
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    def _pg_connect(self) -> _PgConnection:
        try:
            import psycopg
            from psycopg import sql
        except ImportError:  # pragma: no cover - psycopg is optional
            raise HubStoreError(
                "a PostgreSQL hub store needs psycopg 3: pip install 'vbdt_exchange[postgres]'"
            ) from None
        assert self._dsn is not None
        try:
            raw = psycopg.connect(self._dsn, autocommit=True, connect_timeout=30)
        except psycopg.Error as exc:
            reason = str(exc).replace(self._dsn, redact(self._dsn)).strip()
            raise HubStoreError(f"cannot open the hub store {self.location}: {reason}") from None
        try:
            if self.schema is not None:
                raw.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.schema)))
        except psycopg.Error as exc:
            raw.close()
            raise HubStoreError(f"hub store {self.location}: {exc}") from None
        return _PgConnection(raw)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        conn = self._connection()
        if self._dsn is not None:
            conn.execute("BEGIN")
            try:
                # one writer per schema at a time, across processes (as BEGIN IMMEDIATE)
                conn.execute(
                    "SELECT pg_advisory_xact_lock(?, hashtext(current_schema()))",
                    (APPLICATION_ID,),
                )
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise HubStoreError(f"{self.path} is not a hub database: {exc}") from None
        if app_id != APPLICATION_ID and (app_id != 0 or tables):
            raise HubStoreError(f"{self.path} is not a hub database (another SQLite database)")
        if version > SCHEMA_VERSION:
            raise HubStoreError(
                f"{self.path} has hub schema version {version}; this version of vbdt_exchange "
                f"knows versions up to {SCHEMA_VERSION}: upgrade vbdt_exchange"
            )
        self._checked = True
        conn.execute("PRAGMA journal_mode=WAL")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._write():
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={target}")
            log.info("hub store %s: schema version %d", self.path, target)

    def _migrate_pg(self) -> None:
        import psycopg
        from psycopg import sql

        conn = self._connection()
        try:
            if self.schema is not None:
                # the lock first: two processes creating one schema at once would collide
                with conn.raw.transaction():
                    conn.execute(
                        "SELECT pg_advisory_xact_lock(?, hashtext(?))",
                        (APPLICATION_ID, self.schema),
                    )
                    conn.raw.execute(
                        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                            sql.Identifier(self.schema)
                        )
                    )
            with self._write():
                if conn.execute("SELECT current_schema()").fetchone()[0] is None:
                    raise HubStoreError(f"hub store {self.location}: no schema to create tables in")
                names = {
                    str(row[0])
                    for row in conn.execute(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema()"
                    )
                }
                version = 0
                if "hub_meta" in names:
                    rows = dict(conn.execute("SELECT key, value FROM hub_meta").fetchall())
                    if rows.get("application") != str(APPLICATION_ID):
                        raise HubStoreError(
                            f"{self.location} is not a hub database (hub_meta of another kind)"
                        )
                    version = int(rows.get("schema_version", "0"))
                elif names & set(_HUB_TABLES):
                    raise HubStoreError(
                        f"{self.location} is not a hub database (it has tables "
                        f"{', '.join(sorted(names & set(_HUB_TABLES)))} but no hub_meta)"
                    )
                if version > SCHEMA_VERSION:
                    raise HubStoreError(
                        f"{self.location} has hub schema version {version}; this version of "
                        f"vbdt_exchange knows versions up to {SCHEMA_VERSION}: upgrade "
                        "vbdt_exchange"
                    )
                conn.execute(_PG_META)
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in _MIGRATIONS[target].split(";"):
                        if statement.strip():
                            conn.execute(statement.replace(" BLOB ", " BYTEA "))
                    conn.execute(
                        "INSERT INTO hub_meta VALUES ('application', ?), ('schema_version', ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (str(APPLICATION_ID), str(target)),
                    )
                    log.info("hub store %s: schema version %d", self.location, target)
        except psycopg.Error as exc:
            raise HubStoreError(f"hub store {self.location}: {exc}") from None

    def _sweep_incoming(self, older_than: float = 3600.0) -> None:
        """Remove request bodies left behind by a process that died while receiving them."""
        horizon = time.time() - older_than
        for leftover in (self.blob_dir / "incoming").iterdir():
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < horizon:
                    leftover.unlink()
                    log.info("hub store: removed the stale upload %s", leftover.name)

    def close(self) -> None:
        """Close every connection (and remove a throw-away store)."""
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._packs.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- systems --------------------------------------------------------------------------------

    def add_system(self, system_id: str, secret: bytes, *, organ_ids: Iterable[str] = ()) -> System:
        """Register a system, or replace the secret of a registered one and add organ ids.

        :raises HubError: an organ id already belongs to another system, or an id is empty.
        """
        organ_ids = [o.strip() for o in organ_ids]
        if not system_id.strip() or not all(organ_ids) or not secret:
            raise UnknownSystem("a system id, its organ ids and its secret must not be empty")
        with self._write() as conn:
            taken = conn.execute(
                "SELECT system_id FROM organs WHERE organ_id = ? AND system_id != ?",
                (system_id, system_id),
            ).fetchone()
            if taken:
                raise HubStoreError(f"{system_id} is already an organ id of system {taken[0]}")
            conn.execute(
                "INSERT INTO systems(system_id, secret, created) VALUES (?, ?, ?) "
                "ON CONFLICT(system_id) DO UPDATE SET secret = excluded.secret",
                (system_id, secret, now().isoformat(" ")),
            )
            for organ in organ_ids:
                self._add_organ(conn, system_id, organ)
        log.info("hub: system %s registered (%d organ ids)", system_id, len(organ_ids))
        return self.system(system_id)

    def _add_organ(
        self, conn: Any, system_id: str, organ: str, name: str = "", mail: str = ""
    ) -> None:
        owner = conn.execute(
            "SELECT system_id FROM organs WHERE organ_id = ? "
            "UNION SELECT system_id FROM systems WHERE system_id = ?",
            (organ, organ),
        ).fetchall()
        others = [row[0] for row in owner if row[0] != system_id]
        if others:
            raise HubStoreError(f"organ id {organ} already belongs to system {others[0]}")
        if organ == system_id:
            return
        conn.execute(
            "INSERT INTO organs(organ_id, system_id, name, mail) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(organ_id) DO UPDATE SET name = excluded.name, mail = excluded.mail",
            (organ, system_id, name, mail),
        )

    def add_organ(self, system_id: str, organ_id: str, *, name: str = "", mail: str = "") -> None:
        """Let ``system_id`` send and receive for ``organ_id`` too (``registerAgency``)."""
        if not organ_id.strip():
            raise HubStoreError("an organ id must not be empty")
        with self._write() as conn:
            self._add_organ(conn, system_id, organ_id.strip(), name, mail)

    def remove_organ(self, system_id: str, organ_id: str) -> bool:
        """Stop ``system_id`` speaking for ``organ_id`` (``deleteAgency``); whether it did."""
        with self._write() as conn:
            cur = conn.execute(
                "DELETE FROM organs WHERE organ_id = ? AND system_id = ?", (organ_id, system_id)
            )
            return bool(cur.rowcount > 0)

    def remove_system(self, system_id: str) -> bool:
        """Unregister a system and its organ ids (its messages stay); whether it existed."""
        with self._write() as conn:
            cur = conn.execute("DELETE FROM systems WHERE system_id = ?", (system_id,))
            return bool(cur.rowcount > 0)

    def system(self, system_id: str) -> System:
        """The registered system ``system_id``.

        :raises UnknownSystem: it is not registered.
        """
        conn = self._connection()
        if not conn.execute("SELECT 1 FROM systems WHERE system_id = ?", (system_id,)).fetchone():
            raise UnknownSystem(f"system {system_id!r} is not registered with the hub")
        organs = conn.execute(
            "SELECT organ_id FROM organs WHERE system_id = ? ORDER BY organ_id", (system_id,)
        ).fetchall()
        return System(system_id, tuple(row[0] for row in organs))

    def systems(self) -> list[System]:
        """Every registered system, by id."""
        conn = self._connection()
        ids = [row[0] for row in conn.execute("SELECT system_id FROM systems ORDER BY system_id")]
        return [self.system(system_id) for system_id in ids]

    def agencies(self) -> list[tuple[str, str, str, str, str]]:
        """``(code, system id, name, mail, pcode)`` of every organ id the hub routes to."""
        conn = self._connection()
        return [
            (row[0], row[1], row[2], row[3], row[4])
            for row in conn.execute(
                "SELECT system_id, system_id, '', '', '' FROM systems "
                "UNION ALL SELECT organ_id, system_id, name, mail, pcode FROM organs "
                "ORDER BY 1"
            )
        ]

    def credentials(self, system_id: str) -> tuple[bytes, System] | None:
        """The secret and the record of a registered system (one query), or ``None``."""
        row = (
            self._connection()
            .execute(
                _CREDENTIALS_PG if self._dsn else _CREDENTIALS,
                (system_id,),
            )
            .fetchone()
        )
        if row is None:
            return None
        organs = tuple(sorted(o for o in json.loads(row[1]) if o is not None))
        return bytes(row[0]), System(system_id, organs)

    def secret_for(self, system_id: str) -> bytes | None:
        """The secret of a registered system, or ``None``."""
        row = (
            self._connection()
            .execute("SELECT secret FROM systems WHERE system_id = ?", (system_id,))
            .fetchone()
        )
        return bytes(row[0]) if row else None

    def route(self, organ_id: str) -> str | None:
        """The system that receives for ``organ_id``, or ``None``."""
        row = (
            self._connection()
            .execute(
                "SELECT system_id FROM systems WHERE system_id = ? "
                "UNION ALL SELECT system_id FROM organs WHERE organ_id = ? LIMIT 1",
                (organ_id, organ_id),
            )
            .fetchone()
        )
        return str(row[0]) if row else None

    # -- messages -------------------------------------------------------------------------------

    def incoming_file(self) -> tuple[BinaryIO, Path]:
        """A new temporary file in the store's folder, for a request body being received."""
        fd, name = tempfile.mkstemp(dir=self.blob_dir / "incoming", prefix="body-")
        return os.fdopen(fd, "w+b"), Path(name)

    def blob_path(self, sha256: str) -> Path:
        """Where the package with this SHA-256 is kept."""
        return package_file(self.blob_dir, sha256)

    def stored(self, message: Message) -> Slice:
        """Where the bytes of ``message`` are (a pack file and an offset, or a file)."""
        if message.pack is None:
            return Slice(self.blob_path(message.sha256), 0, message.size)
        path = self._pack_paths.get(message.pack)
        if path is None:
            path = pack_file(self.blob_dir, message.pack)
            if len(self._pack_paths) < 4096:  # a pack is 256 MiB: that is a terabyte
                self._pack_paths[message.pack] = path
        return Slice(path, message.pack_offset or 0, message.size)

    def open_package(self, message: Message) -> BinaryIO:
        """The stored bytes of ``message``, as a binary file."""
        return self.stored(message).open()

    def accept(
        self,
        *,
        sender: str,
        from_organ: str,
        message_type: str,
        sha256: str,
        size: int,
        body: Path | bytes,
        document_id: str | None,
        title: str,
        notation: str,
        to_organs: Sequence[str],
    ) -> tuple[Message, bool]:
        """Store a package and one delivery per organ id of ``to_organs``, idempotently.

        ``body`` (a file from :meth:`incoming_file`) is moved into the store, or removed when
        the same sender already sent the same bytes: then the earlier message is returned and
        nothing is delivered again. ``body`` may also be the package's bytes: they are appended
        to this process's pack file.

        :returns: the message, and whether it is new.
        """
        appended: tuple[str, int, int] | None = None
        committing = False
        try:
            with self._write() as conn:
                row = conn.execute(
                    "SELECT doc_id FROM messages WHERE sender = ? AND sha256 = ?",
                    (sender, sha256),
                ).fetchone()
                if row:
                    if isinstance(body, Path):
                        body.unlink(missing_ok=True)
                    return self.message(str(row[0])), False
                pack: str | None = None
                offset: int | None = None
                if isinstance(body, Path):
                    target = self.blob_path(sha256)
                    if target.parent not in self._blob_dirs:
                        target.parent.mkdir(exist_ok=True)
                        self._blob_dirs.add(target.parent)
                    os.replace(body, target)
                else:
                    pack, offset = self._packs.append(body)
                    appended = (pack, offset, len(body))
                message = Message(
                    doc_id=str(uuid.uuid4()),
                    sender=sender,
                    from_organ=from_organ,
                    message_type=message_type,
                    sha256=sha256,
                    size=size,
                    document_id=document_id,
                    title=title,
                    notation=notation,
                    created=now(),
                    pack=pack,
                    pack_offset=offset,
                )
                conn.execute(
                    f"INSERT INTO messages ({_MESSAGE_COLUMNS}) "  # noqa: S608 (constant)
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        message.doc_id,
                        sender,
                        from_organ,
                        message_type,
                        sha256,
                        size,
                        document_id,
                        title,
                        notation,
                        message.created.isoformat(" "),
                        pack,
                        offset,
                    ),
                )
                self._deliver(conn, message, to_organs)
                committing = True
        except BaseException:
            # rolled back before the commit: no message names those bytes, the next package
            # takes their place (a failed COMMIT may still have committed: they stay)
            if appended is not None and not committing:
                self._packs.undo(*appended)
            raise
        return message, True

    def _deliver(self, conn: Any, message: Message, to_organs: Sequence[str]) -> None:
        """One delivery row per distinct organ of ``to_organs`` (in ``accept``'s transaction)."""
        created = message.created.isoformat(" ")
        seq = conn.execute("SELECT coalesce(max(seq), 0) FROM deliveries").fetchone()[0]
        seen: set[str] = set()
        for organ in to_organs:
            if organ in seen:
                continue
            seen.add(organ)
            receiver = self.route(organ)
            seq += 1
            conn.execute(
                "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    str(uuid.uuid4()),
                    message.doc_id,
                    seq,
                    organ,
                    receiver,
                    int(receiver is not None),
                    DeliveryState.INITIAL.value if receiver else DeliveryState.FAIL.value,
                    created,
                ),
            )

    def message(self, doc_id: str) -> Message:
        """The message whose sender-side id is ``doc_id``.

        :raises KeyError: there is none.
        """
        row = (
            self._connection()
            .execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE doc_id = ?",  # noqa: S608 (constant)
                (doc_id,),
            )
            .fetchone()
        )
        if row is None:
            raise KeyError(doc_id)
        return _message(row)

    def received(
        self, receiver: str, *, message_type: str | None = None, limit: int = 1000
    ) -> list[Delivery]:
        """The deliveries to ``receiver`` still waiting (``initial`` or ``processing``), oldest
        first."""
        sql = (
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d JOIN messages m "  # noqa: S608 (constant)
            "ON m.doc_id = d.message_id WHERE d.receiver = ? AND d.state IN (?, ?)"
        )
        args: list[object] = [receiver, *_OPEN_STATES]
        if message_type is not None:
            sql += " AND m.message_type = ?"
            args.append(message_type)
        sql += " ORDER BY d.seq LIMIT ?"
        args.append(limit if limit >= 0 or not self._dsn else None)  # PostgreSQL: LIMIT NULL
        return [_delivery(row) for row in self._connection().execute(sql, args)]

    def sent(
        self,
        sender: str,
        *,
        message_type: str | None = None,
        doc_id: str | None = None,
        limit: int = 1000,
    ) -> list[Delivery]:
        """One row per receiver of what ``sender`` sent (optionally of one message)."""
        sql = (
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d JOIN messages m "  # noqa: S608 (constant)
            "ON m.doc_id = d.message_id WHERE m.sender = ?"
        )
        args: list[object] = [sender]
        if message_type is not None:
            sql += " AND m.message_type = ?"
            args.append(message_type)
        if doc_id is not None:
            sql += " AND m.doc_id = ?"
            args.append(doc_id)
        sql += " ORDER BY d.seq LIMIT ?"
        args.append(limit if limit >= 0 or not self._dsn else None)  # PostgreSQL: LIMIT NULL
        return [_delivery(row) for row in self._connection().execute(sql, args)]

    def delivery(self, doc_id: str) -> Delivery | None:
        """The delivery whose receiver-side id is ``doc_id``, if any."""
        row = (
            self._connection()
            .execute(
                f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d JOIN messages m "  # noqa: S608 (constant)
                "ON m.doc_id = d.message_id WHERE d.doc_id = ?",
                (doc_id,),
            )
            .fetchone()
        )
        return _delivery(row) if row else None

    def mark_received(self, doc_id: str) -> None:
        """Note the first time the receiver fetched a delivery."""
        # one statement: atomic on its own, no transaction around it
        self._connection().execute(
            "UPDATE deliveries SET received = ? WHERE doc_id = ? AND received IS NULL",
            (now().isoformat(" "), doc_id),
        )

    def set_state(self, doc_id: str, state: DeliveryState) -> Delivery:
        """Set a delivery's transport status (the caller checked who may); ``done`` is final:
        a delivery that is ``done`` keeps it whatever is asked (the one returned says so)."""
        # one statement, the guard inside it: two acknowledgements racing cannot undo a done
        self._connection().execute(
            "UPDATE deliveries SET state = ?, updated = ? "
            "WHERE doc_id = ? AND state != ? AND state != ?",
            (state.value, now().isoformat(" "), doc_id, state.value, DeliveryState.DONE.value),
        )
        found = self.delivery(doc_id)
        if found is None:
            raise KeyError(doc_id)
        return found

    def remember_request(self, signature: str, *, ttl: float) -> bool:
        """Record a signed request's signature for ``ttl`` seconds; ``False`` when it is
        already recorded and not yet expired (a replay).

        One short transaction, shared by every process on the store: what
        ``HubConfig.replay_cache = "store"`` uses so that a request replayed to another hub
        worker is refused too. Expired signatures are removed on the way.
        """
        moment = time.time()
        with self._write() as conn:
            conn.execute("DELETE FROM seen_requests WHERE expires < ?", (moment,))
            cursor = conn.execute(
                "INSERT INTO seen_requests (signature, expires) VALUES (?, ?) "
                "ON CONFLICT (signature) DO NOTHING",
                (signature, moment + ttl),
            )
            return bool(cursor.rowcount == 1)

    def counts(self) -> dict[str, int]:
        """How many systems, messages and deliveries the store holds."""
        conn = self._connection()
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
            for table in ("systems", "messages", "deliveries")
        }


def _message(row: Sequence[object]) -> Message:
    return Message(
        doc_id=str(row[0]),
        sender=str(row[1]),
        from_organ=str(row[2]),
        message_type=str(row[3]),
        sha256=str(row[4]),
        size=int(row[5]),  # type: ignore[call-overload]
        document_id=None if row[6] is None else str(row[6]),
        title=str(row[7]),
        notation=str(row[8]),
        created=datetime.datetime.fromisoformat(str(row[9])),
        pack=None if row[10] is None else str(row[10]),
        pack_offset=None if row[11] is None else int(row[11]),  # type: ignore[call-overload]
    )


def _delivery(row: Sequence[object]) -> Delivery:
    return Delivery(
        doc_id=str(row[0]),
        message=_message(row[7:19]),
        to_organ=str(row[1]),
        receiver=None if row[2] is None else str(row[2]),
        sent=bool(row[3]),
        state=DeliveryState(str(row[4])),
        updated=datetime.datetime.fromisoformat(str(row[5])),
        received=_time(None if row[6] is None else str(row[6])),
    )
