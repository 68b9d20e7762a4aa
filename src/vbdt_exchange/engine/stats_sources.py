"""Where exchange statistics come from: the engine's journal, or a local axis store.

Both readers give :class:`~vbdt_exchange.engine.stats.ExchangeRecord` values for
:func:`~vbdt_exchange.engine.stats.aggregate`. They only read: a store is opened read-only and
never created, migrated or changed.

**The local axis store** (:func:`records_from_axis`, the database of ``vbdt hub``): every edoc
message is one *sent* record of its ``From`` agency, at the time the axis accepted it, with the
receivers the axis could deliver to as its counterparts; every delivery the axis could route is
one *received* record of the ``To`` agency, at the same time (when the document became
available to it). A delivery to an organ id no system receives for is not a received document.
A document sent again under the same ``DocumentId`` (other bytes, after a lost answer say) is
one document, and each receiver receives it once. Status messages are matched to documents by
``DocumentId``: for a sent document the statuses its receivers sent, for a received one the
statuses the receiving agency sent, at the time the axis accepted them. Type, ``Paper`` and
signature come from each package's header (read with a hardened pull parser that stops before
the attachments); *signed* there means the package **carries** an XML signature with a value —
the axis does not verify it. A package that cannot be read still counts, with its type, paper
flag and signature unknown (a warning is logged).

**The engine's journal** (:func:`records_from_journal`): each journal document is one record;
``out`` documents are *sent* and ``in`` ones *received*, at the journal's time (when the axis
took it; when it was received); documents not exchanged (yet) are left out: outgoing ones not
sent (``pending``, ``sending``, ``retry``, ``ambiguous``, ``failed``, ``held``) and incoming
ones ``rejected``; *signed* is what the engine recorded
(received: a signature was verified; sent: the package carried one); statuses are those
received from the counterparts for sent documents and those the agency sent for received ones.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import attrs
from lxml import etree

from vbdt_exchange.engine.stats import (
    VIETNAM,
    Direction,
    ExchangeRecord,
    StatsSourceError,
    StatusEvent,
)
from vbdt_exchange.errors import VbdtError
from vbdt_exchange.hub.model import HubStoreError
from vbdt_exchange.hub.packs import Slice
from vbdt_exchange.hub.store import APPLICATION_ID, SCHEMA_VERSION, pack_file, package_file

__all__ = [
    "NOT_EXCHANGED",
    "PackageFacts",
    "agency_names",
    "package_facts",
    "records_from_axis",
    "records_from_journal",
]

log = logging.getLogger(__name__)

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_STATUS_CODE = re.compile(r"(\d{2})\s*$")
#: Stop reading a package's header after this many bytes (the header is at the start).
HEADER_LIMIT = 16 * 1024 * 1024


# -- package headers ------------------------------------------------------------------------------


@attrs.frozen
class PackageFacts:
    """What statistics need from a package's header.

    :ivar type_name: ``DocumentType/TypeName``, or ``None``.
    :ivar paper: the ``Paper`` flag (``TraceHeaderList/Bussiness/Paper`` or
        ``TraceHeaderList/Paper``), or ``None`` when absent or not a number.
    :ivar signed: whether ``edXMLHeader`` holds a ``Signature`` with a non-empty
        ``SignatureValue`` (not verified), or ``None`` when the header could not be read.
    """

    type_name: str | None = None
    paper: int | None = None
    signed: bool | None = None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(parent: Any, *names: str) -> Any:
    node = parent
    for name in names:
        node = next((c for c in node if _local(c.tag) == name), None)
        if node is None:
            return None
    return node


def _text(node: Any) -> str | None:
    if node is None:
        return None
    value = unicodedata.normalize("NFC", "".join(node.itertext())).strip()
    return value or None


def package_facts(
    path: str | os.PathLike[str] | BinaryIO, *, limit: int = HEADER_LIMIT
) -> PackageFacts:
    """Read the type, paper flag and signature presence from a package file's header.

    :param path: the package file, or a binary file open on it (read from where it is; left
        open).

    The parser resolves no entity, loads no DTD (a ``<!DOCTYPE`` is refused), touches no
    network and stops at the end of ``edXMLHeader``; attachments are never decoded.

    :raises StatsSourceError: the file cannot be read or is not an edXML package.
    """
    parser = etree.XMLPullParser(
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    header: Any = None
    seen = 0
    try:
        opened: contextlib.AbstractContextManager[BinaryIO]
        if isinstance(path, (str, os.PathLike)):
            opened = open(path, "rb")  # noqa: SIM115 (entered below)
        else:
            opened = contextlib.nullcontext(path)
            path = str(getattr(path, "name", "package"))
        with opened as stream:
            while header is None:
                chunk = stream.read(64 * 1024)
                if not chunk:
                    break
                if _DOCTYPE.search(chunk):
                    raise StatsSourceError(f"{path}: a DOCTYPE (refused for safety)")
                seen += len(chunk)
                if seen > limit:
                    raise StatsSourceError(f"{path}: no edXMLHeader in the first {limit} bytes")
                parser.feed(chunk)
                for _, element in parser.read_events():
                    if _local(element.tag) in ("edXMLHeader", "edXMLBody", "AttachmentEncoded"):
                        header = element
                        break
    except etree.XMLSyntaxError as exc:
        raise StatsSourceError(f"{path}: not well-formed XML ({exc})") from None
    except OSError as exc:
        raise StatsSourceError(f"{path}: {exc.strerror or exc}") from None
    if header is None or _local(header.tag) != "edXMLHeader":
        raise StatsSourceError(f"{path}: not an edXML package (no edXMLHeader)")
    message = _child(header, "MessageHeader")
    type_name = _text(_child(message, "DocumentType", "TypeName")) if message is not None else None
    trace = _child(header, "TraceHeaderList")
    paper: int | None = None
    if trace is not None:
        for node in (
            _child(trace, "Bussiness", "Paper"),
            _child(trace, "Business", "Paper"),
            _child(trace, "Paper"),
        ):
            value = _text(node)
            if value is not None and value.isdigit() and len(value) < 6:
                paper = int(value)
                break
    signature = _child(header, "Signature")
    signed = signature is not None and _text(_child(signature, "SignatureValue")) is not None
    return PackageFacts(type_name[:200] if type_name else None, paper, signed)


# -- the local axis store -------------------------------------------------------------------------


def _open_readonly(path: Path) -> tuple[sqlite3.Connection, int]:
    """The axis database opened read-only, and its schema version."""
    if not path.is_file():
        raise StatsSourceError(f"{path}: no such axis database")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StatsSourceError(f"{path}: cannot open the axis database ({exc})") from None
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StatsSourceError(f"{path}: not an axis database ({exc})") from None
    if app_id != APPLICATION_ID or version < 1:
        conn.close()
        raise StatsSourceError(f"{path}: not an axis database (vbdt hub store)")
    if version > SCHEMA_VERSION:
        conn.close()
        raise StatsSourceError(
            f"{path}: axis schema version {version} is newer than this vbdt_exchange knows "
            f"({SCHEMA_VERSION}): upgrade vbdt_exchange"
        )
    return conn, int(version)


def _hub_time(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    return moment.replace(tzinfo=VIETNAM) if moment.tzinfo is None else moment


def records_from_axis(
    db_path: str | os.PathLike[str],
    *,
    blob_dir: str | os.PathLike[str] | None = None,
    read_packages: bool = True,
) -> list[ExchangeRecord]:
    """The sent and received documents recorded by a local axis store (``vbdt hub --db``).

    :param db_path: the axis database.
    :param blob_dir: its package folder (default ``<db_path>.blobs``).
    :param read_packages: read each package's header for its type, paper flag and signature;
        with ``False`` those are unknown (faster on a large store).
    :raises StatsSourceError: the file is missing or not an axis database.
    """
    path = Path(db_path)
    blobs = Path(blob_dir) if blob_dir is not None else Path(f"{path}.blobs")
    conn, version = _open_readonly(path)
    # where each package is: a pack file and an offset (schema 4), or a file named by SHA-256
    where = "pack, pack_offset, size" if version >= 4 else "NULL, NULL, size"
    try:
        try:
            messages = conn.execute(
                "SELECT doc_id, from_organ, message_type, sha256, document_id, title, created, "  # noqa: S608 (constant)
                f"{where} FROM messages ORDER BY created, doc_id"
            ).fetchall()
            deliveries = conn.execute(
                "SELECT message_id, to_organ, sent FROM deliveries ORDER BY seq"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StatsSourceError(f"{path}: cannot read the axis database ({exc})") from None
    finally:
        conn.close()

    to_organs: dict[str, list[tuple[str, bool]]] = {}
    for message_id, to_organ, sent in deliveries:
        to_organs.setdefault(str(message_id), []).append((str(to_organ), bool(sent)))
    statuses: dict[str, list[StatusEvent]] = {}
    for _, from_organ, kind, _, document_id, title, created, *_ in messages:
        if kind != "status" or not document_id:
            continue
        m = _STATUS_CODE.search(str(title))
        if m is None:
            continue
        statuses.setdefault(str(document_id), []).append(
            StatusEvent(m.group(1), _hub_time(str(created)), str(from_organ))
        )

    records: list[ExchangeRecord] = []
    seen_sent: set[tuple[str, str]] = set()  # (From, DocumentId)
    seen_received: set[tuple[str, str, str]] = set()  # (To, From, DocumentId)
    resent = 0
    for doc_id, from_organ, kind, sha256, document_id, _, created, pack, offset, size in messages:
        if kind != "edoc":
            continue
        sender = str(from_organ)
        routed_to = tuple(organ for organ, routed in to_organs.get(str(doc_id), []) if routed)
        first = True
        receivers = routed_to
        if document_id:  # the same document sent again (other bytes) is one document
            first = (sender, str(document_id)) not in seen_sent
            seen_sent.add((sender, str(document_id)))
            receivers = tuple(
                o for o in routed_to if (o, sender, str(document_id)) not in seen_received
            )
            seen_received.update((o, sender, str(document_id)) for o in routed_to)
        if not first and not receivers:
            resent += 1
            continue
        facts = PackageFacts()
        if read_packages:
            try:
                if pack is None:
                    facts = package_facts(package_file(blobs, str(sha256)))
                else:
                    with Slice(pack_file(blobs, str(pack)), offset, size).open() as stream:
                        facts = package_facts(stream)
            except (StatsSourceError, HubStoreError, OSError) as exc:
                log.warning("axis message %s: type, paper and signature unknown: %s", doc_id, exc)
        at = _hub_time(str(created))
        answers = statuses.get(str(document_id), []) if document_id else []
        common = {
            "at": at,
            "document_id": document_id,
            "type_name": facts.type_name,
            "signed": facts.signed,
            "paper": facts.paper,
        }
        if first:
            records.append(
                ExchangeRecord(
                    agency=sender,
                    direction="sent",
                    counterparts=routed_to,
                    statuses=tuple(s for s in answers if s.organ_id in routed_to),
                    key=str(doc_id),
                    **common,
                )
            )
        for organ in receivers:
            records.append(
                ExchangeRecord(
                    agency=organ,
                    direction="received",
                    counterparts=(sender,),
                    statuses=tuple(s for s in answers if s.organ_id == organ),
                    key=f"{doc_id}:{organ}",
                    **common,
                )
            )
    if resent:
        log.info("axis store %s: %d package(s) re-sent an earlier DocumentId", path, resent)
    log.info("axis store %s: %d record(s) from %d message(s)", path, len(records), len(messages))
    return records


def agency_names(db_path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Agency names by organ id: the catalogue's bundled directory, and the names a local axis
    store registered (``registerAgency``), which win.

    :raises StatsSourceError: ``db_path`` is given but is not an axis database.
    """
    from vbdt_exchange.catalog.directory import AgencyDirectory

    names = {a.code: a.name for a in AgencyDirectory.bundled() if a.code and a.name}
    if db_path is not None:
        path = Path(db_path)
        conn, _ = _open_readonly(path)
        try:
            rows = conn.execute("SELECT organ_id, name FROM organs WHERE name != ''").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StatsSourceError(f"{path}: cannot read the axis database ({exc})") from None
        finally:
            conn.close()
        names.update({str(organ): str(name) for organ, name in rows})
    return names


# -- the engine's journal -------------------------------------------------------------------------


#: Journal states that are not (yet) an exchanged document: not sent, or refused on arrival.
NOT_EXCHANGED = frozenset(
    {"pending", "sending", "retry", "ambiguous", "failed", "held", "rejected"}
)


def _journal_records(store: Any, since: Any, until: Any) -> Iterator[ExchangeRecord]:
    for doc in store.documents(since=since, until=until):
        if str(getattr(doc, "state", "")) in NOT_EXCHANGED:
            continue
        direction: Direction = "sent" if doc.direction == "out" else "received"
        answers = "in" if doc.direction == "out" else "out"
        statuses = tuple(
            StatusEvent(str(s.code), s.at, s.organ_id)
            for s in doc.statuses
            if getattr(s, "direction", answers) == answers
        )
        type_name = getattr(doc, "type_name", None)
        yield ExchangeRecord(
            agency=str(doc.agency),
            direction=direction,
            at=doc.at,
            counterparts=tuple(doc.counterparts),
            document_id=doc.document_id,
            type_name=type_name,
            signed=None if doc.signed is None else bool(doc.signed),
            paper=doc.paper,
            statuses=statuses,
            key=str(doc.key),
        )


def _check_journal_file(path: Path) -> None:
    """Refuse a file that is not an engine journal before the engine's store opens it (opening
    creates the engine's tables: never in another application's database)."""
    if not path.is_file():
        raise StatsSourceError(f"{path}: no such engine journal")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StatsSourceError(f"{path}: cannot open the engine journal ({exc})") from None
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vbdt_documents'"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise StatsSourceError(f"{path}: not an engine journal ({exc})") from None
    finally:
        conn.close()
    if not found:
        raise StatsSourceError(f"{path}: not an engine journal (no vbdt_documents table)")


def records_from_journal(
    source: Any,
    *,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    schema: str | None = None,
) -> list[ExchangeRecord]:
    """The documents the engine journaled.

    :param source: an open engine store (anything with the journal's ``documents(since=,
        until=)`` method), or the store's path or PostgreSQL DSN (opened with
        ``vbdt_exchange.engine.store.open_store`` and closed again).
    :param since: only documents from this moment (passed to the store).
    :param until: only documents before this moment.
    :param schema: PostgreSQL only: the schema the engine keeps its tables in.
    :raises StatsSourceError: the journal cannot be opened or read.
    """
    if hasattr(source, "documents"):
        return _read_journal(source, since, until)
    text = os.fspath(source)
    if "://" not in text:
        _check_journal_file(Path(text))
    from vbdt_exchange.engine.store import open_store

    try:
        store = open_store(text, schema=schema)
    except VbdtError as exc:
        raise StatsSourceError(f"cannot open the engine journal: {exc}") from None
    try:
        return _read_journal(store, since, until)
    finally:
        store.close()


def _read_journal(store: Any, since: Any, until: Any) -> list[ExchangeRecord]:
    try:
        return list(_journal_records(store, since, until))
    except (VbdtError, sqlite3.Error) as exc:
        raise StatsSourceError(f"cannot read the engine journal: {exc}") from None
