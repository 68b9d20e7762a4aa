"""Fold edoc and status packages into a timeline per (document, receiver). Pure: no I/O.

:class:`DocumentTracker` takes packages in any order with :meth:`~DocumentTracker.add`:

* an edoc package adds one event per receiver (its ``To`` list; for an update also the
  receivers of ``BussinessDocumentInfo``), under the document it concerns: the MessageHeader
  ``DocumentId`` for a new document, a revocation and a replacement, ``Bussiness/DocumentId``
  (when given) for an update (``edxml.md`` §11);
* a status package adds one event under ``ResponseFor/DocumentId`` for one receiver, addressed
  as ``edxml.md`` §12.3 says: for 01–06, 15, 16 (and unknown codes) the receiver is ``From``;
  for 13 it is ``ResponseFor/OrganId`` (``From`` is the original sender).

Document ids are compared after NFC normalisation
(:func:`vbdt_exchange.catalog.document_id.compact`).
The state is computed by replaying each receiver's events sorted by timestamp (then by code),
so it does not depend on the order of the adds; events are checked with the inferred rules of
:mod:`vbdt_exchange.status.transitions` (``lenient`` by default). Nothing is lost: every add is
in a timeline, or in :attr:`~DocumentTracker.anomalies` (a duplicate, a package that names no
document or receiver). Refused transitions stay in the timeline (``accepted=False``) and are
reported as anomalies; the state never moves back.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from vbdt_exchange.catalog import document_id as document_ids
from vbdt_exchange.envelope.models import EdocPackage, Package, StatusPackage
from vbdt_exchange.status.codes import StatusCode, StatusError
from vbdt_exchange.status.transitions import Mode, Transitions, load_transitions

__all__ = ["Anomaly", "DocumentTracker", "Event", "ReceiverState"]

EventKind = Literal["edoc", "status"]
_DOC_TYPES = {0: "new", 1: "revocation", 2: "update", 3: "replacement"}
_EDOC_RANK = {"new": 0, "revocation": 1, "update": 2, "replacement": 3}


@attrs.frozen
class Event:
    """One thing that happened to a document at one receiver.

    :ivar seq: the arrival number of the package (0 for the first :meth:`DocumentTracker.add`);
        the events of one edoc package share it.
    :ivar document_id: the document (NFC). :ivar organ_id: the receiver.
    :ivar kind: ``"status"`` or ``"edoc"``.
    :ivar code: the status code as written (``"03"``, ``"07"``), or for an edoc package its
        business type: ``new``, ``revocation``, ``update``, ``replacement`` (``doc-type:X`` for
        a type the standard does not define).
    :ivar time: the status ``Timestamp``, or for an edoc package the last ``TraceHeader``
        timestamp; ``None`` when absent or unreadable (then ``time_text`` keeps the text).
    :ivar from_organ: ``From/OrganId`` of the package.
    :ivar description: the status ``Description``, or the edoc's ``BussinessDocReason``.
    :ivar out_of_order: it arrived after an event of the same receiver with a later time.
    :ivar accepted: the transition rules accepted it (always true for edoc events).
    :ivar rule: the transition rule that decided (status events), else ``None``.
    """

    seq: int
    document_id: str
    organ_id: str
    kind: EventKind
    code: str
    time: datetime.datetime | None
    from_organ: str | None = None
    description: str | None = None
    time_text: str | None = None
    out_of_order: bool = False
    accepted: bool = True
    rule: str | None = None

    @property
    def status(self) -> StatusCode | None:
        """The status code of a status event (known or not)."""
        return StatusCode.parse(self.code) if self.kind == "status" else None

    def sort_key(self) -> tuple[object, ...]:
        rank = _EDOC_RANK.get(self.code, 9) if self.kind == "edoc" else 10
        return (
            self.time is None,
            comparable(self.time) if self.time else _EARLIEST,
            rank,
            self.code,
            self.from_organ or "",
            self.description or "",
            self.time_text or "",
            self.seq,
        )


@attrs.frozen
class ReceiverState:
    """Where a document stands at one receiver.

    :ivar progress: the last accepted code of 01–06, ``None`` before any.
    :ivar answer: the last accepted 13/15/16, ``None`` before any.
    :ivar update_pending: an update package awaits the receiver's 15/16.
    :ivar taken_back: the receiver agreed (15) to a take-back request (13).
    :ivar revoked, updated, replaced: such an edoc package was sent to this receiver.
    """

    organ_id: str
    progress: StatusCode | None = None
    answer: StatusCode | None = None
    update_pending: bool = False
    taken_back: bool = False
    revoked: bool = False
    updated: bool = False
    replaced: bool = False

    @property
    def is_final(self) -> bool:
        """Nothing more is expected: refused (02), finished (06), or taken back."""
        return self.taken_back or (self.progress is not None and self.progress.is_final)

    def to_json(self) -> dict[str, object]:
        return {
            "progress": self.progress.code if self.progress else None,
            "answer": self.answer.code if self.answer else None,
            "final": self.is_final,
            "taken_back": self.taken_back,
            "update_pending": self.update_pending,
            "revoked": self.revoked,
            "updated": self.updated,
            "replaced": self.replaced,
        }


@attrs.frozen
class Anomaly:
    """Something a tracker noticed.

    ``kind`` is one of: ``duplicate`` (the same package again: recorded once),
    ``out-of-order`` (arrived after a later event of the same receiver), ``unseen-document``
    (statuses about a document no edoc package was added for), ``no-document`` /
    ``no-receiver`` (the package cannot be placed; it is kept here), ``unknown-code``,
    ``unknown-doc-type``, or the ``anomaly`` of the transition rule that refused an event
    (``contradiction``, ``regression``, ``after-final``, ``repeat``, ``skipped``,
    ``unsolicited-answer``, ``after-take-back``, ``wrong-track``, ``refused``).
    """

    kind: str
    seq: int
    document_id: str | None
    organ_id: str | None
    code: str | None
    message: str
    rule: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "seq": self.seq,
            "document_id": self.document_id,
            "organ_id": self.organ_id,
            "code": self.code,
            "rule": self.rule,
            "message": self.message,
        }


def _organ(value: str | None) -> str | None:
    value = value.strip() if value else None
    return value or None


def _document(value: str | None) -> str | None:
    if value is None:
        return None
    return document_ids.compact(value) or None


VIETNAM_TIME = datetime.timezone(datetime.timedelta(hours=7), "ICT")
"""The zone of a time written without an offset (edXML writes local Vietnam time)."""
_EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def comparable(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` with an offset, so times with and without one compare (a package built here,
    a status read from a peer): a time without an offset is Vietnam time. Events keep the time
    as written; only comparisons use this."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM_TIME)


def _time(value: object) -> tuple[datetime.datetime | None, str | None]:
    if isinstance(value, datetime.datetime):
        return value, None
    if value is None:
        return None, None
    return None, str(value)


class DocumentTracker:
    """Fold packages into per-receiver timelines and states (see the module docs).

    :param mode: ``"lenient"`` (default) or ``"strict"`` transition checking; a strict tracker
        still records everything, it only refuses (and reports) more.
    :param transitions: a rule set (default: the bundled one).
    """

    def __init__(self, mode: Mode = "lenient", transitions: Transitions | None = None) -> None:
        if mode not in ("strict", "lenient"):
            raise StatusError(f"mode is 'strict' or 'lenient', not {mode!r}")
        self.mode: Mode = mode
        self.transitions = transitions or load_transitions()
        self._count = 0
        self._events: list[Event] = []
        self._keys: set[tuple[object, ...]] = set()
        self._arrival: list[Anomaly] = []
        self._latest: dict[tuple[str, str], datetime.datetime] = {}

    # -- adding ---------------------------------------------------------------------------------
    @property
    def added(self) -> int:
        """How many times :meth:`add` was called."""
        return self._count

    def add(self, package: Package) -> int:
        """Fold one package; return its arrival number (``seq``)."""
        seq = self._count
        self._count += 1
        if isinstance(package, StatusPackage):
            self._add_status(seq, package)
        elif isinstance(package, EdocPackage):
            self._add_edoc(seq, package)
        else:
            raise StatusError(f"not a package: {type(package).__name__}")
        return seq

    def add_all(self, packages: Iterable[Package]) -> None:
        for package in packages:
            self.add(package)

    def _add_status(self, seq: int, package: StatusPackage) -> None:
        code = StatusCode.parse(package.status_code or "")
        rf = package.response_for
        sender = _organ(package.from_.organ_id if package.from_ else None)
        document = _document(rf.document_id if rf else None)
        receiver = _organ(rf.organ_id if rf else None) if code.sender == "sender" else sender
        time, time_text = _time(package.timestamp)
        if document is None or receiver is None:
            kind = "no-document" if document is None else "no-receiver"
            what = "ResponseFor/DocumentId" if document is None else "the receiver's OrganId"
            self._arrival.append(
                Anomaly(kind, seq, document, receiver, code.code, f"status without {what}")
            )
            return
        key = ("status", document, receiver, sender, code.code, time, time_text)
        if self._duplicate(seq, key, document, receiver, code.code):
            return
        self._record(
            Event(
                seq,
                document,
                receiver,
                "status",
                code.code,
                time,
                sender,
                package.description,
                time_text,
            )
        )

    def _add_edoc(self, seq: int, package: EdocPackage) -> None:
        business = package.business
        doc_type = business.doc_type if business else 0
        code = (
            _DOC_TYPES.get(doc_type, f"doc-type:{doc_type}")
            if isinstance(doc_type, int)
            else f"doc-type:{doc_type}"
        )
        if doc_type is None:
            code = "new"
        document = _document(package.document_id)
        if code == "update" and business and business.document_id:
            document = _document(business.document_id)
        receivers = [_organ(o.organ_id) for o in package.to]
        if code == "update" and business and business.document_info:
            receivers += [_organ(r.organ_id) for r in business.document_info.receivers]
        found = sorted({r for r in receivers if r})
        sender = _organ(package.from_.organ_id if package.from_ else None)
        times = [h.timestamp for h in (package.trace.headers if package.trace else ())]
        time, time_text = _time(times[-1] if times else None)
        if document is None or not found:
            kind = "no-document" if document is None else "no-receiver"
            self._arrival.append(
                Anomaly(kind, seq, document, None, code, f"{code} package without {kind[3:]}")
            )
            return
        key = ("edoc", document, sender, code, time, time_text, tuple(found))
        if self._duplicate(seq, key, document, None, code):
            return
        if code.startswith("doc-type:"):
            self._arrival.append(
                Anomaly("unknown-doc-type", seq, document, None, code, "unknown BussinessDocType")
            )
        reason = business.reason if business else None
        for receiver in found:
            self._record(
                Event(seq, document, receiver, "edoc", code, time, sender, reason, time_text)
            )

    def _duplicate(
        self, seq: int, key: tuple[object, ...], document: str, receiver: str | None, code: str
    ) -> bool:
        if key in self._keys:
            self._arrival.append(
                Anomaly("duplicate", seq, document, receiver, code, "same package again")
            )
            return True
        self._keys.add(key)
        return False

    def _record(self, event: Event) -> None:
        where = (event.document_id, event.organ_id)
        latest = self._latest.get(where)
        time = event.time
        if time is not None:
            if latest is not None and comparable(time) < comparable(latest):
                event = attrs.evolve(event, out_of_order=True)
                self._arrival.append(
                    Anomaly(
                        "out-of-order",
                        event.seq,
                        event.document_id,
                        event.organ_id,
                        event.code,
                        f"arrived after an event timed {latest.isoformat()}",
                    )
                )
            else:
                self._latest[where] = time
        self._events.append(event)

    # -- querying -------------------------------------------------------------------------------
    def documents(self) -> tuple[str, ...]:
        """Every document id with at least one event, sorted."""
        return tuple(sorted({e.document_id for e in self._events}))

    def receivers(self, document_id: str) -> tuple[str, ...]:
        document = document_ids.compact(document_id)
        return tuple(sorted({e.organ_id for e in self._events if e.document_id == document}))

    def timeline(self, document_id: str) -> Mapping[str, tuple[Event, ...]]:
        """Per receiver (sorted by OrganId), the events in time order, each with the rule
        that decided it."""
        return {organ: steps for organ, (steps, _, _) in self._fold(document_id).items()}

    def current(self, document_id: str) -> Mapping[str, ReceiverState]:
        """Per receiver, the state reached by replaying its events in time order."""
        return {organ: state for organ, (_, state, _) in self._fold(document_id).items()}

    @property
    def anomalies(self) -> tuple[Anomaly, ...]:
        """Everything noticed: at arrival (duplicates, out-of-order, unplaceable packages), then
        per document from the replay (refused transitions, unknown codes, unseen documents)."""
        found = list(self._arrival)
        for document in self.documents():
            found += self._replay_anomalies(document)
        return tuple(found)

    def anomalies_for(self, document_id: str | None) -> tuple[Anomaly, ...]:
        """The anomalies about one document (``None``: those naming no document)."""
        key = _document(document_id)
        return tuple(a for a in self.anomalies if a.document_id == key)

    def _replay_anomalies(self, document: str) -> list[Anomaly]:
        found: list[Anomaly] = []
        events = [e for e in self._events if e.document_id == document]
        if not any(e.kind == "edoc" for e in events):
            first = min(e.seq for e in events)
            found.append(
                Anomaly(
                    "unseen-document",
                    first,
                    document,
                    None,
                    None,
                    "statuses about a document no edoc package was added for",
                )
            )
        for _, _, anomalies in self._fold(document).values():
            found += anomalies
        return found

    def _fold(
        self, document_id: str
    ) -> dict[str, tuple[tuple[Event, ...], ReceiverState, list[Anomaly]]]:
        document = document_ids.compact(document_id)
        per: dict[str, list[Event]] = {}
        for event in self._events:
            if event.document_id == document:
                per.setdefault(event.organ_id, []).append(event)
        return {organ: self._replay(organ, per[organ]) for organ in sorted(per)}

    def _replay(
        self, organ: str, events: list[Event]
    ) -> tuple[tuple[Event, ...], ReceiverState, list[Anomaly]]:
        state = ReceiverState(organ)
        steps: list[Event] = []
        anomalies: list[Anomaly] = []
        for event in sorted(events, key=Event.sort_key):
            if event.kind == "edoc":
                state = _apply_edoc(state, event.code)
                steps.append(event)
                continue
            code = StatusCode.parse(event.code)
            track = self.transitions.track_of(code)
            previous: StatusCode | str | None = state.progress
            if track == "answer":
                previous = "update" if state.update_pending else state.answer
            result = self.transitions.check(previous, code, self.mode, taken_back=state.taken_back)
            steps.append(attrs.evolve(event, accepted=result.allowed, rule=result.rule.id))
            if not code.known:
                anomalies.append(
                    Anomaly(
                        "unknown-code",
                        event.seq,
                        event.document_id,
                        organ,
                        code.code,
                        f"status code {code.code!r} is not defined by the standard",
                        result.rule.id,
                    )
                )
            if not result.allowed:
                if code.known:
                    anomalies.append(
                        Anomaly(
                            result.rule.anomaly or "refused",
                            event.seq,
                            event.document_id,
                            organ,
                            code.code,
                            f"{result.previous} → {code.code}: {result.reason}",
                            result.rule.id,
                        )
                    )
                continue
            if not result.moves:
                continue
            if track == "progress":
                state = attrs.evolve(state, progress=code)
            elif track == "answer":
                taken = state.taken_back or (code.code == "15" and result.previous == "13")
                pending = state.update_pending and code.code not in ("15", "16")
                state = attrs.evolve(state, answer=code, taken_back=taken, update_pending=pending)
        return tuple(steps), state, anomalies


def _apply_edoc(state: ReceiverState, code: str) -> ReceiverState:
    if code == "revocation":
        return attrs.evolve(state, revoked=True)
    if code == "update":
        return attrs.evolve(state, updated=True, update_pending=True)
    if code == "replacement":
        return attrs.evolve(state, replaced=True)
    return state
