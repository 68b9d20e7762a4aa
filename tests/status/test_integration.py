"""The builders and the tracker agree: what one builds, the other files under one document."""

from __future__ import annotations

import datetime

import vbdt_exchange as vbdt
from vbdt_exchange.status import DocumentTracker, agree, status_for, take_back, update

T0 = datetime.datetime(2026, 11, 21, 8, 0)


def test_update_then_agree_is_one_document_for_the_tracker() -> None:
    original = vbdt.read(vbdt.example_path()).package
    assert isinstance(original, vbdt.EdocPackage)
    changed = update(original, subject="V/v triển khai (sửa đổi)", sent_at=T0)
    answer = agree(changed, from_="000.00.00.G22", timestamp=T0 + datetime.timedelta(hours=1))
    assert answer.response_for is not None
    assert changed.business is not None
    # the answer names the document the update concerns, as the tracker files the update
    assert answer.response_for.document_id == changed.business.document_id
    tracker = DocumentTracker()
    tracker.add_all([original, changed, answer])
    assert tracker.documents() == (original.document_id,)
    assert not [a for a in tracker.anomalies if a.kind == "unseen-document"]
    for package in (changed, answer):
        assert vbdt.validate(vbdt.to_bytes(package)).errors == ()


def test_status_and_take_back_flow_through_the_tracker() -> None:
    original = vbdt.read(vbdt.example_path()).package
    assert isinstance(original, vbdt.EdocPackage)
    arrived = status_for(original, "01", from_="000.00.00.G22", timestamp=T0)
    accepted = status_for(
        original, "03", from_="000.00.00.G22", timestamp=T0 + datetime.timedelta(1)
    )
    back = take_back(
        original, receiver="000.00.00.G22", reason="Sai sót", timestamp=T0 + datetime.timedelta(2)
    )
    tracker = DocumentTracker()
    tracker.add_all([back, accepted, original, arrived])  # any order
    (state,) = tracker.current(original.document_id or "").values()
    assert state.progress is not None
    assert state.progress.code == "03"
    assert [e.code for e in tracker.timeline(original.document_id or "")["000.00.00.G22"]] == [
        "new",
        "01",
        "03",
        "13",
    ]
