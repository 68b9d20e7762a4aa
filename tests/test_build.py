"""new_edoc(): the defaults of edXML §6, checked like the strict writer."""

from __future__ import annotations

import datetime

import pytest

import vbdt_exchange as vbdt
from vbdt_exchange import Attachment, Organization

SENDER = Organization("000.00.00.H41", organ_name="Ủy ban nhân dân tỉnh Nghệ An")
RECEIVER = Organization("000.00.00.G22", organ_name="Văn phòng Chính phủ")


def _new(**overrides: object) -> vbdt.EdocPackage:
    values: dict[str, object] = {
        "from_": SENDER,
        "to": [RECEIVER],
        "number": "3245",
        "notation": "UBND-VP",
        "date": datetime.date(2026, 11, 21),
        "subject": "V/v báo cáo",
        "attachments": [Attachment.from_bytes("a.pdf", b"%PDF-1.7\n")],
        "sent_at": datetime.datetime(2026, 11, 21, 8, 0),
    }
    values.update(overrides)
    return vbdt.new_edoc(**values)  # type: ignore[arg-type]


def test_defaults_follow_the_standard() -> None:
    package = _new()
    assert package.document_id == "000.00.00.H41,2026/11/21,3245/UBND-VP"
    assert package.steering_type == 1
    assert package.trace is not None
    assert [(h.organ_id, h.timestamp) for h in package.trace.headers] == [
        ("000.00.00.H41", datetime.datetime(2026, 11, 21, 8, 0))
    ]
    business = package.business
    assert business is not None
    assert (business.doc_type, business.reason, business.paper) == (0, "Văn bản điện tử mới", 0)


def test_written_package_validates_without_any_finding() -> None:
    with vbdt.validate(vbdt.to_bytes(_new())) as report:
        assert report.findings == ()


def test_sent_at_defaults_to_now_in_vietnam_time() -> None:
    before = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=7)
    package = _new(sent_at=None)
    after = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=7)
    assert package.trace is not None
    stamp = package.trace.headers[0].timestamp
    assert isinstance(stamp, datetime.datetime)
    assert stamp.tzinfo is None
    assert stamp.microsecond == 0
    assert before.replace(tzinfo=None, microsecond=0) <= stamp <= after.replace(tzinfo=None)


def test_missing_values_are_listed() -> None:
    with pytest.raises(vbdt.EnvelopeWriteError) as info:
        _new(to=[], subject="", from_=Organization())
    message = str(info.value)
    for missing in ("To is missing", "Subject is missing", "From/OrganId is missing"):
        assert missing in message
