"""The exchange engine: an outbox and an inbox between a :class:`~vbdt_exchange.engine.host.Host`
and a :class:`~vbdt_exchange.adapters.base.Channel`, on a durable
:class:`~vbdt_exchange.engine.store.Store`.

One :meth:`Engine.run_once` cycle:

1. takes the host's outgoing documents into the outbox (idempotent by the host's key);
2. receives edoc packages: fetch → verify (with a trust store) → de-duplicate (sender +
   ``DocumentId``) → hand to the host → queue status ``01`` → acknowledge ``done``;
3. receives status packages the same way (de-duplicated by document, organ, code and time);
4. sends what is due in the outbox, classifying failures (retry with back-off, give up, hold
   for a human) and reconciling ambiguous sends with the axis's sent list before sending again.

Every step is recorded before the next begins, so a process killed at any point resumes
where it stopped: a document reaches the host exactly once (the host is idempotent on the key
it is given, and a redelivered package is recognised and only acknowledged), and every
outgoing package is sent (a send whose outcome was lost is looked up before it is repeated).

>>> from vbdt_exchange.adapters.memory import MemoryAxis
>>> from vbdt_exchange.engine.store import open_store
>>> axis = MemoryAxis()
>>> with open_store(":memory:") as store:
...     engine = Engine(axis.channel("000.00.00.G22"), store, host=None)
...     report = engine.run_once()
>>> report.sent, report.received, report.errors
(0, 0, ())
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import os
import random
import socket
import threading
from collections.abc import Callable
from typing import Any

import attrs

from vbdt_exchange.adapters.base import Channel, DeliveryState, MessageType, Notice
from vbdt_exchange.adapters.errors import AxisError, AxisUnsupported
from vbdt_exchange.engine.errors import EngineError, HostError
from vbdt_exchange.engine.host import Host, IncomingDocument, IncomingStatus
from vbdt_exchange.engine.retry import RetrySchedule, decide
from vbdt_exchange.engine.store import DocumentRecord, OutboxItem, Store, utcnow
from vbdt_exchange.envelope.models import EdocPackage, StatusPackage
from vbdt_exchange.envelope.reader import ReadOptions, read
from vbdt_exchange.envelope.writer import to_bytes
from vbdt_exchange.errors import EnvelopeError, SignatureError
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.signature.xml import verify_package
from vbdt_exchange.status.build import status_for
from vbdt_exchange.status.codes import StatusError

__all__ = ["CRASH_POINTS", "CycleReport", "Engine", "EngineSettings"]

log = logging.getLogger(__name__)

CRASH_POINTS = (
    "after-submit",
    "after-fetch",
    "after-host",
    "before-ack",
    "after-ack",
    "before-send",
    "after-send",
)
"""The points where :class:`Engine` calls its ``crash_points`` hook (tests kill it there)."""

_VN = datetime.timezone(datetime.timedelta(hours=7))
_XMLDSIG = b"http://www.w3.org/2000/09/xmldsig#"


@attrs.frozen
class EngineSettings:
    """How the engine behaves.

    :ivar agency: our organ id (default: the channel's ``system_id``).
    :ivar trust: trust anchors: when given, every received edoc is verified and only a PASSED
        signature (or, unless ``require_signature``, no signature at all) is accepted; a
        failed or untrusted signature is refused (delivery state ``fail``).
    :ivar policy: the verification policy (SHA-1, revocation, time).
    :ivar require_signature: refuse unsigned documents (needs ``trust``).
    :ivar auto_received: send status ``01`` (received) for each new document.
    :ivar retry: the outbox's :class:`~vbdt_exchange.engine.retry.RetrySchedule`.
    :ivar lease: seconds a worker holds an outbox row it claimed; a row whose worker died
        mid-send is taken over (and reconciled) after it.
    :ivar batch: outbox rows claimed per cycle.
    :ivar read_options: how received packages are read (bounds).
    :ivar max_package_bytes: the largest package received (held in memory while it is
        verified and handed over); a larger one is refused with delivery state ``fail``.
    """

    agency: str | None = None
    trust: TrustStore | None = None
    policy: VerificationPolicy | None = None
    require_signature: bool = False
    auto_received: bool = True
    retry: RetrySchedule = attrs.field(factory=RetrySchedule)
    lease: float = 300.0
    batch: int = 50
    read_options: ReadOptions | None = None
    max_package_bytes: int = 256 * 1024 * 1024


@attrs.frozen
class CycleReport:
    """What one :meth:`Engine.run_once` did.

    :ivar taken: outgoing documents taken from the host into the outbox.
    :ivar received: new documents handed to the host.
    :ivar duplicates: redelivered documents or statuses (acknowledged, not handed again).
    :ivar rejected: received packages refused (unreadable, bad signature).
    :ivar statuses: new statuses handed to the host.
    :ivar sent: packages the axis took (or that reconciliation found taken).
    :ivar retried: sends that failed transiently or ambiguously and are scheduled again.
    :ivar failed: sends given up (the package must be fixed).
    :ivar held: sends held for a human (addressing, credentials, retries exhausted).
    :ivar errors: what went wrong in this cycle, in words (the axis unreachable, a host error).
    """

    taken: int = 0
    received: int = 0
    duplicates: int = 0
    rejected: int = 0
    statuses: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    errors: tuple[str, ...] = ()


class _Rejected(Exception):
    pass


class _Bounded(io.BytesIO):
    """A buffer that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise _Rejected(f"the package is larger than max_package_bytes ({self.limit})")
        return super().write(data)


def _hash(*parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _when(value: object) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=_VN)
    return utcnow()


def _organ(org: object) -> str | None:
    return getattr(org, "organ_id", None) if org is not None else None


def _document_id(package: EdocPackage) -> str | None:
    business = package.business
    return package.document_id or (business.document_id if business else None)


def _notation(package: EdocPackage) -> str:
    code = package.code
    if code is None:
        return ""
    return "/".join(p for p in (code.number, code.notation) if p)


def document_key(package: EdocPackage, sha256: str) -> str:
    """The stable key of a received document (axis spec §8.1 key 2): the sender and the
    ``DocumentId``; without one, the sender, number, notation and promulgation date; without
    those, the content hash."""
    sender = _organ(package.from_)
    doc_id = _document_id(package)
    if doc_id:
        return "in-" + _hash(sender, doc_id)
    code = package.code
    date = package.promulgation.date if package.promulgation else None
    if code is not None and (code.number or code.notation):
        return "in-" + _hash(sender, code.number, code.notation, date)
    return "in-" + _hash("sha256", sha256)


def status_key(package: StatusPackage) -> str:
    """The stable key of a status (axis spec §8.1 key 3): the document it is about, the organ
    that set it, the code and the time."""
    rf = package.response_for
    return "st-" + _hash(
        rf.document_id if rf else None,
        _organ(package.from_),
        package.status_code,
        package.timestamp,
    )


class Engine:
    """The host-side exchange engine on one channel and one store.

    :param channel: the axis channel (any :class:`~vbdt_exchange.adapters.base.Channel`).
    :param store: the durable state (:func:`~vbdt_exchange.engine.store.open_store`).
    :param host: the document system (:class:`~vbdt_exchange.engine.host.Host`); ``None``
        only sends what is :meth:`submit`-ted and leaves received packages on the axis.
    :param settings: :class:`EngineSettings`.
    :param crash_points: test hook: called with each name of :data:`CRASH_POINTS` as the
        engine passes it (a crash test kills the process there). Not for production use.
    :param owner: this worker's name in outbox leases (default: host, pid and a random part).
    :param rng: the random source for retry jitter.
    """

    def __init__(
        self,
        channel: Channel,
        store: Store,
        host: Host | None,
        settings: EngineSettings | None = None,
        *,
        crash_points: Callable[[str], None] | None = None,
        owner: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.channel = channel
        self.store = store
        self.host = host
        self.settings = settings or EngineSettings()
        self._crash = crash_points
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(32):08x}"
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets

    @property
    def agency(self) -> str:
        """Our organ id."""
        return self.settings.agency or self.channel.system_id

    def _point(self, name: str) -> None:
        if self._crash is not None:
            self._crash(name)

    # -- outgoing -------------------------------------------------------------------------------

    def submit(self, data: bytes, *, key: str | None = None) -> str:
        """Queue a package (edoc or status bytes) to be sent; returns its outbox key.

        Idempotent: a key already queued (default key: the package's SHA-256) queues nothing.

        :raises EnvelopeError: the bytes are not a readable edXML package.
        """
        sha = hashlib.sha256(data).hexdigest()
        key = key or "out-" + sha[:40]
        with read(data, options=self.settings.read_options) as result:
            package = result.package
        now = utcnow()
        with self.store.transaction() as cur:
            if isinstance(package, EdocPackage):
                doc_key = key
                inserted = self.store.add_outbox(
                    cur,
                    key=key,
                    message_type="edoc",
                    data=data,
                    sha256=sha,
                    doc_key=doc_key,
                    title=package.subject or "",
                    notation=_notation(package),
                )
                if inserted:
                    dtype = package.document_type
                    business = package.business
                    self.store.add_document(
                        cur,
                        DocumentRecord(
                            key=doc_key,
                            direction="out",
                            agency=_organ(package.from_) or self.agency,
                            counterparts=tuple(o.organ_id for o in package.to if o.organ_id),
                            document_id=_document_id(package),
                            document_type=_text(dtype.type) if dtype else None,
                            type_detail=_text(dtype.type_detail) if dtype else None,
                            type_name=_text(dtype.type_name) if dtype else None,
                            paper=_int(business.paper) if business else None,
                            signed=package.signature is not None or _XMLDSIG in data,
                            at=now,
                            state="pending",
                        ),
                        sha,
                    )
            else:
                inserted = self.store.add_outbox(
                    cur,
                    key=key,
                    message_type="status",
                    data=data,
                    sha256=sha,
                    doc_key=None,
                    title="",
                    notation="",
                )
                if inserted and package.status_code:
                    rf = package.response_for
                    doc_id = rf.document_id if rf else None
                    self.store.add_status(
                        cur,
                        status_key(package),
                        doc_key=self.store.find_document(cur, "in", doc_id) if doc_id else None,
                        document_id=doc_id,
                        code=package.status_code,
                        at=_when(package.timestamp),
                        organ_id=_organ(package.from_),
                        direction="out",
                        state="queued",
                    )
            if inserted:
                self.store.journal(cur, key, "out", "submitted", sha)
        if inserted:
            self._point("after-submit")
        return key

    def _take_from_host(self, report: dict[str, Any]) -> None:
        if self.host is None:
            return
        for outgoing in self.host.outgoing():
            try:
                self.submit(outgoing.data, key=outgoing.key)
            except EnvelopeError as exc:
                report["errors"].append(f"outgoing {outgoing.key}: not a package: {exc}")
                continue
            self.host.handed_over(outgoing.key)
            report["taken"] += 1

    def _send_due(self, report: dict[str, Any]) -> None:
        items = self.store.claim(self.owner, lease=self.settings.lease, limit=self.settings.batch)
        for item in items:
            try:
                self._send(item, report)
            except AxisError as exc:  # reconciliation could not look
                report["errors"].append(f"{item.key}: {exc}")
                self._later(item, "ambiguous", "reconcile-failed", str(exc), uncertain=True)
                report["retried"] += 1
            except Exception as exc:  # a bug in a channel: hold it, keep the others going
                log.exception("sending %s failed unexpectedly", item.key)
                error = f"unexpected {type(exc).__name__}: {exc}"
                report["errors"].append(f"{item.key}: {error}")
                self.store.finish(
                    item.key,
                    state="held",
                    event="held",
                    error=error,
                    uncertain=True,
                    doc_key=item.doc_key,
                )
                report["held"] += 1

    def _later(
        self,
        item: OutboxItem,
        state: str,
        event: str,
        error: str,
        *,
        uncertain: bool,
        outcome: str | None = None,
    ) -> None:
        delay = self.settings.retry.delay(max(item.attempts, 1), self._rng)
        self.store.finish(
            item.key,
            state=state,
            event=event,
            uncertain=uncertain,
            next_at=utcnow() + datetime.timedelta(seconds=delay),
            outcome=outcome,
            error=error,
            doc_key=item.doc_key,
        )

    def _send(self, item: OutboxItem, report: dict[str, Any]) -> None:
        if item.uncertain:
            found = self._reconcile(item)
            if found:
                self.store.finish(
                    item.key,
                    state="sent",
                    event="reconciled",
                    axis_doc_id=found,
                    doc_key=item.doc_key,
                )
                report["sent"] += 1
                return
        if not self.store.start_send(item.key, self.owner):
            return  # the lease was taken over by another worker
        attempts = item.attempts + 1
        self._point("before-send")
        try:
            sent = self.channel.send(item.data, message_type=_mt(item.message_type))
        except AxisError as exc:
            decision = decide(exc, attempts=attempts, schedule=self.settings.retry)
            log.warning("send of %s failed (%s): %s", item.key, decision.action, exc)
            item = attrs.evolve(item, attempts=attempts)
            outcome = decision.outcome.value
            if decision.action == "reconcile" and attempts < self.settings.retry.max_attempts:
                self._later(
                    item, "ambiguous", "ambiguous", decision.reason, uncertain=True, outcome=outcome
                )
                report["retried"] += 1
            elif decision.action == "retry":
                self._later(
                    item, "retry", "retry", decision.reason, uncertain=False, outcome=outcome
                )
                report["retried"] += 1
            else:
                state = "failed" if decision.action == "failed" else "held"
                self.store.finish(
                    item.key,
                    state=state,
                    event=state,
                    error=decision.reason,
                    outcome=outcome,
                    uncertain=decision.action == "reconcile",
                    doc_key=item.doc_key,
                )
                report[state] += 1
            return
        self._point("after-send")
        self.store.finish(
            item.key, state="sent", event="sent", axis_doc_id=sent.doc_id, doc_key=item.doc_key
        )
        report["sent"] += 1

    def _reconcile(self, item: OutboxItem) -> str | None:
        """The axis id of ``item`` if the sent list shows the axis took it, else None."""
        if not (item.title or item.notation):
            return None  # nothing to recognise it by: re-send the same bytes (axes de-dup them)
        try:
            rows = self.channel.sent(message_type=_mt(item.message_type))
        except AxisUnsupported:
            return None
        senders = {self.agency, self.channel.system_id}
        for row in rows:
            if (
                row.sender_doc_id
                and (row.title or "") == item.title
                and (row.notation or "") == item.notation
                and (row.from_ is None or row.from_ in senders)
            ):
                log.info("reconciled %s: the axis has it as %s", item.key, row.sender_doc_id)
                return row.sender_doc_id
        return None

    def release(self, key: str) -> bool:
        """Put a held or failed outbox item back to be sent now; whether there was one."""
        return self.store.release(key)

    # -- incoming -------------------------------------------------------------------------------

    def _receive_all(self, message_type: MessageType, report: dict[str, Any]) -> None:
        try:
            notices = self.channel.received(message_type)
        except AxisError as exc:
            report["errors"].append(f"receiving {message_type}: {exc}")
            return
        for notice in notices:
            if notice.state not in (None, DeliveryState.INITIAL, DeliveryState.PROCESSING):
                continue
            try:
                self._receive(notice, message_type, report)
            except (AxisError, HostError) as exc:
                log.warning("%s %s: %s", message_type, notice.doc_id, exc)
                report["errors"].append(f"{message_type} {notice.doc_id}: {exc}")

    def _receive(self, notice: Notice, mt: MessageType, report: dict[str, Any]) -> None:
        seen = self.store.inbox_state(mt, notice.doc_id)
        if seen is not None and seen[0] in ("done", "rejected"):
            # acknowledged before, but the axis did not record it: acknowledge again
            state = DeliveryState.DONE if seen[0] == "done" else DeliveryState.FAIL
            self.channel.acknowledge(notice.doc_id, state)
            return
        buffer = _Bounded(self.settings.max_package_bytes)
        try:
            self.channel.fetch(notice.doc_id, buffer)
        except _Rejected as exc:
            self._reject(notice, mt, "", str(exc), report)
            return
        data = buffer.getvalue()
        sha = hashlib.sha256(data).hexdigest()
        self._point("after-fetch")
        if mt == "edoc":
            self._receive_edoc(notice, data, sha, report)
        else:
            self._receive_status(notice, data, sha, report)

    def _open_edoc(self, data: bytes) -> tuple[EdocPackage, bool, Callable[[], None]]:
        settings = self.settings
        if settings.trust is not None:
            verification = verify_package(
                data, trust=settings.trust, policy=settings.policy, options=settings.read_options
            )
            real = [c for c in verification.signatures if not c.placeholder]
            if verification.indication is Indication.PASSED and verification.package:
                package = verification.package
                if not isinstance(package, EdocPackage):
                    verification.close()
                    raise _Rejected("not an edoc package")
                return package, True, verification.close
            verification.close()
            if real:
                raise _Rejected(f"signature {verification.indication}: {_first(verification)}")
            if settings.require_signature:
                raise _Rejected("the package is not signed")
        result = read(data, options=settings.read_options)
        if not isinstance(result.package, EdocPackage):
            result.close()
            raise _Rejected("a status package in the edoc queue")
        return result.package, False, result.close

    def _reject(
        self, notice: Notice, mt: MessageType, sha: str, reason: str, report: dict[str, Any]
    ) -> None:
        log.warning("refused %s %s: %s", mt, notice.doc_id, reason)
        with self.store.transaction() as cur:
            self.store.add_inbox(
                cur, mt, notice.doc_id, key=None, sha256=sha, state="rejected", reason=reason
            )
            self.store.journal(cur, notice.doc_id, "in", "rejected", reason)
        report["rejected"] += 1
        self.channel.acknowledge(notice.doc_id, DeliveryState.FAIL)

    def _receive_edoc(self, notice: Notice, data: bytes, sha: str, report: dict[str, Any]) -> None:
        try:
            package, signed, close = self._open_edoc(data)
        except (_Rejected, EnvelopeError, SignatureError) as exc:
            self._reject(notice, "edoc", sha, str(exc), report)
            return
        try:
            key = document_key(package, sha)
            now = utcnow()
            dtype = package.document_type
            business = package.business
            sender = _organ(package.from_) or notice.from_
            record = DocumentRecord(
                key=key,
                direction="in",
                agency=notice.to or self.agency,
                counterparts=(sender,) if sender else (),
                document_id=_document_id(package),
                document_type=_text(dtype.type) if dtype else None,
                type_detail=_text(dtype.type_detail) if dtype else None,
                type_name=_text(dtype.type_name) if dtype else None,
                paper=_int(business.paper) if business else None,
                signed=signed,
                at=now,
                state="received",
            )
            with self.store.transaction() as cur:
                new = self.store.add_document(cur, record, sha)
                state, first_sha = self.store.document_state(cur, key) or ("received", sha)
                fresh_id = self.store.add_inbox(
                    cur,
                    "edoc",
                    notice.doc_id,
                    key=key,
                    sha256=sha,
                    state="received",
                    duplicate=not new,
                )
                if new:
                    self.store.journal(cur, key, "in", "fetched", notice.doc_id)
                elif fresh_id:
                    differs = "" if first_sha == sha else " (different bytes)"
                    self.store.journal(cur, key, "in", "duplicate", notice.doc_id + differs)
                    report["duplicates"] += 1
            if state == "received":
                self._hand_document(
                    IncomingDocument(
                        key=key,
                        data=data,
                        package=package,
                        sha256=sha,
                        axis_doc_id=notice.doc_id,
                        sender=sender,
                        signed=signed,
                        received=now,
                    )
                )
                self._point("after-host")
                with self.store.transaction() as cur:
                    self.store.set_document(cur, key, "delivered")
                    self.store.journal(cur, key, "in", "handed", notice.doc_id)
                report["received"] += 1
                state = "delivered"
            if state == "delivered" and self.settings.auto_received:
                self._auto_received(package, key)
        finally:
            close()
        self._point("before-ack")
        self.channel.acknowledge(notice.doc_id, DeliveryState.DONE)
        self._point("after-ack")
        self.store.set_inbox("edoc", notice.doc_id, "done")
        with self.store.transaction() as cur:
            if state == "delivered":
                self.store.set_document(cur, key, "done")
            self.store.journal(cur, key, "in", "acknowledged", notice.doc_id)

    def _hand_document(self, document: IncomingDocument) -> None:
        if self.host is None:
            raise HostError("no host to hand the document to")
        try:
            self.host.store_document(document)
        except Exception as exc:
            raise HostError(f"the host did not take {document.key}: {exc}") from exc

    def _auto_received(self, package: EdocPackage, key: str) -> None:
        try:
            status = status_for(package, "01", from_=self.agency)
            data = to_bytes(status)
        except (EnvelopeError, StatusError) as exc:
            log.warning("no status 01 for %s: %s", key, exc)
            with self.store.transaction() as cur:
                self.store.journal(cur, key, "in", "no-status-01", str(exc))
            return
        self.submit(data, key="01-" + key)

    def _receive_status(
        self, notice: Notice, data: bytes, sha: str, report: dict[str, Any]
    ) -> None:
        try:
            result = read(data, options=self.settings.read_options)
        except EnvelopeError as exc:
            self._reject(notice, "status", sha, str(exc), report)
            return
        with result:
            package = result.package
            if not isinstance(package, StatusPackage) or not package.status_code:
                self._reject(notice, "status", sha, "not a status package", report)
                return
            key = status_key(package)
            rf = package.response_for
            doc_id = rf.document_id if rf else None
            organ = _organ(package.from_) or notice.from_
            with self.store.transaction() as cur:
                doc_key = self.store.find_document(cur, "out", doc_id) if doc_id else None
                new = self.store.add_status(
                    cur,
                    key,
                    doc_key=doc_key,
                    document_id=doc_id,
                    code=package.status_code,
                    at=_when(package.timestamp),
                    organ_id=organ,
                    direction="in",
                    state="received",
                )
                state = self.store.status_state(cur, key) or "received"
                fresh_id = self.store.add_inbox(
                    cur,
                    "status",
                    notice.doc_id,
                    key=key,
                    sha256=sha,
                    state="received",
                    duplicate=not new,
                )
                if new:
                    self.store.journal(cur, key, "in", "fetched", notice.doc_id)
                elif fresh_id:
                    self.store.journal(cur, key, "in", "duplicate", notice.doc_id)
                    report["duplicates"] += 1
            if state == "received":
                if self.host is None:
                    raise HostError("no host to hand the status to")
                try:
                    self.host.store_status(
                        IncomingStatus(
                            key=key,
                            package=package,
                            code=package.status_code,
                            document_id=doc_id,
                            document_key=doc_key,
                            organ_id=organ,
                            axis_doc_id=notice.doc_id,
                        )
                    )
                except Exception as exc:
                    raise HostError(f"the host did not take status {key}: {exc}") from exc
                self._point("after-host")
                with self.store.transaction() as cur:
                    self.store.set_status(cur, key, "delivered")
                    self.store.journal(cur, key, "in", "handed", notice.doc_id)
                report["statuses"] += 1
        self._point("before-ack")
        self.channel.acknowledge(notice.doc_id, DeliveryState.DONE)
        self._point("after-ack")
        self.store.set_inbox("status", notice.doc_id, "done")
        with self.store.transaction() as cur:
            self.store.set_status(cur, key, "done")
            self.store.journal(cur, key, "in", "acknowledged", notice.doc_id)

    # -- cycles ---------------------------------------------------------------------------------

    def run_once(self) -> CycleReport:
        """One cycle: take from the host, receive edocs and statuses, send what is due."""
        report: dict[str, Any] = dict.fromkeys(attrs.fields_dict(CycleReport), 0)
        report["errors"] = []
        self._take_from_host(report)
        if self.host is not None:
            self._receive_all("edoc", report)
            self._receive_all("status", report)
        self._send_due(report)
        report["errors"] = tuple(report["errors"])
        return CycleReport(**report)

    def run(
        self,
        *,
        interval: float = 30.0,
        stop: threading.Event | None = None,
        cycles: int | None = None,
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        """Run cycles every ``interval`` seconds until ``stop`` is set (or ``cycles`` ran).

        A cycle that found work is followed by the next one at once.
        """
        stop = stop or threading.Event()
        done = 0
        while not stop.is_set():
            report = self.run_once()
            done += 1
            if on_cycle is not None:
                on_cycle(report)
            if cycles is not None and done >= cycles:
                return
            busy = report.received or report.sent or report.statuses or report.taken
            if not busy:
                stop.wait(interval)


def _mt(value: str) -> MessageType:
    if value not in ("edoc", "status"):
        raise EngineError(f"unknown message type in the outbox: {value!r}")
    return "edoc" if value == "edoc" else "status"


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def _first(verification: Any) -> str:
    findings = getattr(verification, "findings", ())
    return findings[0].message if findings else "no detail"
