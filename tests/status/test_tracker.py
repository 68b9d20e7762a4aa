"""DocumentTracker: the pinned timeline of the official samples, and its properties."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vbdt_exchange
from vbdt_exchange.envelope.models import (
    Business,
    EdocPackage,
    Organization,
    ResponseFor,
    StatusPackage,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.status.codes import StatusError
from vbdt_exchange.status.tracker import DocumentTracker

HERE = Path(__file__).parent
PEERS = HERE.parent / "vectors" / "peers" / "PVN-Organization__API-Gateway-iOffice"
VECTORS = HERE / "vectors" / "timelines.json"
DOC = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
SENDER, RECEIVER = "000.00.00.G22", "000.00.00.H41"


def fold_samples(names: list[str]) -> DocumentTracker:
    tracker = DocumentTracker()
    for name in names:
        with vbdt_exchange.read(PEERS / name, recover=True) as result:
            tracker.add(result.package)
    return tracker


def snapshot(tracker: DocumentTracker) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    for document in tracker.documents():
        current = tracker.current(document)
        documents[document] = {
            organ: {
                "state": current[organ].to_json(),
                "events": [
                    [
                        e.time.isoformat() if e.time else None,
                        e.kind,
                        e.code,
                        e.from_organ,
                        e.accepted,
                        e.rule,
                        e.out_of_order,
                    ]
                    for e in events
                ],
            }
            for organ, events in tracker.timeline(document).items()
        }
    anomalies = [[a.kind, a.seq, a.organ_id, a.code, a.rule] for a in tracker.anomalies]
    return {"documents": documents, "anomalies": anomalies}


def test_samples_pinned() -> None:
    vectors = json.loads(VECTORS.read_text("utf-8"))
    tracker = fold_samples(vectors["add_order"])
    got = snapshot(tracker)
    if os.environ.get("VBDT_REGEN_VECTORS"):
        VECTORS.write_text(
            json.dumps({"add_order": vectors["add_order"], **got}, ensure_ascii=False, indent=1)
            + "\n",
            "utf-8",
        )
    assert got["documents"] == vectors["documents"]
    assert got["anomalies"] == vectors["anomalies"]
    assert tracker.added == 14


def test_samples_every_one_is_folded() -> None:
    vectors = json.loads(VECTORS.read_text("utf-8"))
    names = vectors["add_order"]
    assert len([n for n in names if n.startswith("resources__status")]) == 10
    tracker = fold_samples(names)
    seqs = {e.seq for d in tracker.documents() for ev in tracker.timeline(d).values() for e in ev}
    assert seqs | {a.seq for a in tracker.anomalies if a.kind == "duplicate"} == set(range(14))


def test_samples_state_by_hand() -> None:
    """Checked by eye against edxml §12: 01 then 02 at the same instant wins over 03–06; the
    13 is answered by 15 (taken back), the 16 contradicts it; the later 01 comes too late."""
    vectors = json.loads(VECTORS.read_text("utf-8"))
    tracker = fold_samples(vectors["add_order"])
    state = tracker.current(DOC)[RECEIVER]
    assert state.progress is not None
    assert state.progress.code == "02"
    assert state.answer is not None
    assert state.answer.code == "15"
    assert state.taken_back
    assert state.is_final
    assert state.revoked
    assert state.replaced
    update = tracker.current("000.00.00.G22,2014/02/30,7806/VPCP-TTĐT")
    assert set(update) == {"000.00.00.G17", "000.00.00.H14", RECEIVER}
    assert all(s.update_pending for s in update.values())


def test_sample_order_insensitive() -> None:
    vectors = json.loads(VECTORS.read_text("utf-8"))
    forward = fold_samples(vectors["add_order"])
    backward = fold_samples(list(reversed(vectors["add_order"])))
    for document in forward.documents():
        assert forward.current(document) == backward.current(document)


# -- synthetic packages ---------------------------------------------------------------------

T0 = datetime.datetime(2024, 1, 2, 8, 0)


def status(code: str, minutes: int, *, organ: str = RECEIVER, doc: str = DOC) -> StatusPackage:
    by_sender = code == "13"
    return StatusPackage(
        from_=Organization(organ_id=SENDER if by_sender else organ),
        response_for=ResponseFor(organ_id=organ if by_sender else SENDER, document_id=doc),
        status_code=code,
        description=f"status {code}",
        timestamp=T0 + datetime.timedelta(minutes=minutes),
    )


def edoc(doc_type: int, minutes: int, receivers: tuple[str, ...] = (RECEIVER,)) -> EdocPackage:
    return EdocPackage(
        from_=Organization(organ_id=SENDER),
        to=tuple(Organization(organ_id=r) for r in receivers),
        document_id=DOC,
        trace=TraceHeaderList(
            headers=(TraceHeader(SENDER, T0 + datetime.timedelta(minutes=minutes)),),
            business=Business(doc_type=doc_type),
        ),
    )


def kinds(tracker: DocumentTracker) -> list[str]:
    return [a.kind for a in tracker.anomalies]


def test_workflow_and_addressing() -> None:
    tracker = DocumentTracker()
    tracker.add_all([edoc(0, 0), status("01", 1), status("03", 2), status("05", 3)])
    tracker.add(status("13", 4))
    tracker.add(status("16", 5))
    state = tracker.current(DOC)[RECEIVER]
    assert state.progress is not None
    assert state.progress.code == "05"
    assert state.answer is not None
    assert state.answer.code == "16"
    assert not state.taken_back
    assert not state.is_final
    assert tracker.anomalies == ()
    events = tracker.timeline(DOC)[RECEIVER]
    assert [e.code for e in events] == ["new", "01", "03", "05", "13", "16"]
    assert events[4].from_organ == SENDER  # 13 comes from the original sender


def test_nfc_document_key() -> None:
    tracker = DocumentTracker()
    decomposed = DOC.replace("Đ", "Đ").replace("T", "T")
    import unicodedata

    tracker.add(edoc(0, 0))
    tracker.add(status("01", 1, doc=unicodedata.normalize("NFD", decomposed)))
    assert tracker.documents() == (DOC,)


def test_duplicate_recorded_once() -> None:
    tracker = DocumentTracker()
    tracker.add_all([edoc(0, 0), status("01", 1), status("01", 1), edoc(0, 0)])
    assert [e.code for e in tracker.timeline(DOC)[RECEIVER]] == ["new", "01"]
    assert kinds(tracker) == ["duplicate", "duplicate"]


def test_out_of_order_and_regression() -> None:
    tracker = DocumentTracker()
    tracker.add_all([edoc(0, 0), status("05", 10), status("03", 5), status("04", 20)])
    tracker.add(status("03", 30))
    events = tracker.timeline(DOC)[RECEIVER]
    assert [(e.code, e.accepted) for e in events] == [
        ("new", True),
        ("03", True),
        ("05", True),
        ("04", False),
        ("03", False),
    ]
    assert events[1].out_of_order
    state = tracker.current(DOC)[RECEIVER]
    assert state.progress is not None
    assert state.progress.code == "05"
    assert kinds(tracker) == ["out-of-order", "regression", "regression"]


def test_contradictions() -> None:
    tracker = DocumentTracker()
    tracker.add_all([edoc(0, 0), status("03", 1), status("02", 2)])
    tracker.add_all([status("13", 3), status("15", 4), status("16", 5)])
    assert kinds(tracker) == ["contradiction", "contradiction"]
    assert tracker.current(DOC)[RECEIVER].taken_back


def test_unseen_document_and_unknown_code() -> None:
    tracker = DocumentTracker()
    tracker.add(status("07", 1))
    assert [e.code for e in tracker.timeline(DOC)[RECEIVER]] == ["07"]
    assert kinds(tracker) == ["unseen-document", "unknown-code"]
    assert tracker.current(DOC)[RECEIVER].progress is None


def test_unplaceable_status_kept_as_anomaly() -> None:
    tracker = DocumentTracker()
    tracker.add(StatusPackage(status_code="01"))
    assert tracker.documents() == ()
    assert kinds(tracker) == ["no-document"]
    assert tracker.anomalies_for(None)[0].seq == 0


def test_update_opens_a_request() -> None:
    tracker = DocumentTracker("strict")
    tracker.add_all([edoc(0, 0), status("01", 1), edoc(2, 2), status("15", 3)])
    state = tracker.current(DOC)[RECEIVER]
    assert state.updated
    assert not state.update_pending
    assert not state.taken_back
    assert tracker.anomalies == ()


def test_strict_reports_more() -> None:
    packages = [edoc(0, 0), status("03", 1)]
    lenient, strict = DocumentTracker(), DocumentTracker("strict")
    lenient.add_all(packages)
    strict.add_all(packages)
    assert kinds(lenient) == []
    assert kinds(strict) == ["skipped"]


def test_bad_mode() -> None:
    with pytest.raises(StatusError):
        DocumentTracker("loose")  # type: ignore[arg-type]


# -- properties -----------------------------------------------------------------------------

CODES = ["01", "02", "03", "04", "05", "06", "13", "15", "16", "07", "1"]
ORGANS = [RECEIVER, "000.00.00.H14"]


@st.composite
def packages(draw: st.DrawFn) -> list[StatusPackage | EdocPackage]:
    found: list[StatusPackage | EdocPackage] = []
    for _ in range(draw(st.integers(0, 12))):
        minutes = draw(st.integers(0, 6))
        if draw(st.integers(0, 5)) == 0:
            found.append(edoc(draw(st.integers(0, 4)), minutes, tuple(ORGANS)))
        else:
            pkg = status(draw(st.sampled_from(CODES)), minutes, organ=draw(st.sampled_from(ORGANS)))
            if draw(st.booleans()) and draw(st.booleans()):
                pkg = attrs.evolve(pkg, response_for=None)
            found.append(pkg)
    if found and draw(st.booleans()):
        found.append(draw(st.sampled_from(found)))  # a duplicate
    return found


@settings(max_examples=150, deadline=None)
@given(packages(), st.sampled_from(["strict", "lenient"]))
def test_never_loses_an_event(pkgs: list[StatusPackage | EdocPackage], mode: str) -> None:
    tracker = DocumentTracker(mode)  # type: ignore[arg-type]
    tracker.add_all(pkgs)
    in_timelines = {
        e.seq for d in tracker.documents() for ev in tracker.timeline(d).values() for e in ev
    }
    placed = {a.seq for a in tracker.anomalies if a.kind in ("duplicate", "no-document")}
    assert in_timelines | placed == set(range(len(pkgs)))
    assert not in_timelines & {a.seq for a in tracker.anomalies if a.kind == "duplicate"}
    status_events = sum(
        1
        for d in tracker.documents()
        for ev in tracker.timeline(d).values()
        for e in ev
        if e.kind == "status"
    )
    statuses = sum(1 for p in pkgs if isinstance(p, StatusPackage))
    dropped = sum(
        1
        for a in tracker.anomalies
        if a.kind in ("duplicate", "no-document")
        and a.code not in {"new", "update"}
        and not (a.code or "").startswith(("revocation", "replacement", "doc-type"))
    )
    assert status_events + dropped == statuses


@settings(max_examples=150, deadline=None)
@given(packages(), st.randoms(use_true_random=False), st.sampled_from(["strict", "lenient"]))
def test_order_insensitive(pkgs: list[StatusPackage | EdocPackage], rnd: Any, mode: str) -> None:
    shuffled = list(pkgs)
    rnd.shuffle(shuffled)
    one, two = DocumentTracker(mode), DocumentTracker(mode)  # type: ignore[arg-type]
    one.add_all(pkgs)
    two.add_all(shuffled)
    assert one.documents() == two.documents()
    for document in one.documents():
        assert one.current(document) == two.current(document)
        codes_one = {
            k: [(e.code, e.accepted) for e in v] for k, v in one.timeline(document).items()
        }
        codes_two = {
            k: [(e.code, e.accepted) for e in v] for k, v in two.timeline(document).items()
        }
        assert codes_one == codes_two


def test_times_with_and_without_an_offset_compare_as_vietnam_time() -> None:
    """A package built here (aware times) and statuses read from a peer (naive) share a timeline.

    Found by the demo exchange: comparing them raised TypeError. A naive time is Vietnam time.
    """
    ict = datetime.timezone(datetime.timedelta(hours=7))
    tracker = DocumentTracker()
    sent = edoc(0, 0)
    aware = T0.replace(tzinfo=ict)
    sent = attrs.evolve(sent, trace=attrs.evolve(sent.trace, headers=(TraceHeader(SENDER, aware),)))
    tracker.add(sent)
    tracker.add(status("03", 5))  # naive, 5 minutes later in Vietnam time
    tracker.add(status("01", 1))
    # 16:00 UTC is 23:00 in Vietnam: after every naive (Vietnam) time of the morning
    late = T0.replace(tzinfo=datetime.UTC) + datetime.timedelta(hours=8)
    tracker.add(attrs.evolve(status("06", 0), timestamp=late))
    events = tracker.timeline(DOC)[RECEIVER]
    assert [e.code for e in events] == ["new", "01", "03", "06"]
    assert [e.out_of_order for e in events] == [False, True, False, False]
