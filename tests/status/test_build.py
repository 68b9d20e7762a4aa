"""Status packages and lifecycle packages built by ``vbdt_exchange.status.build``.

Every package built is written strictly, read back identically and accepted by the validator;
its shape is compared with the official samples of PVN-Organization/API-Gateway-iOffice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import vbdt_exchange as vbdt
from vbdt_exchange import EdocPackage, Organization, StaffInfo, StatusPackage
from vbdt_exchange.envelope.writer import check
from vbdt_exchange.errors import EnvelopeWriteError, VbdtError
from vbdt_exchange.status.build import (
    KNOWN_CODES,
    RECEIVER_CODES,
    STATUS_LABELS,
    UnknownStatusCode,
    agree,
    refuse,
    replacement,
    revocation,
    status_for,
    take_back,
    update,
)

PEERS = Path(__file__).parents[1] / "vectors" / "peers" / "PVN-Organization__API-Gateway-iOffice"
SAMPLES = {
    "01": "resources__status_inbox_01.edxml",
    "02": "resources__status_rejection_02.edxml",
    "03": "resources__status_acceptance_03.edxml",
    "04": "resources__status_assignment_04.edxml",
    "05": "resources__status_processing_05.edxml",
    "06": "resources__status_finish_06.edxml",
    "13": "resources__status_cancellation_13.edxml",
    "15": "resources__status_change-acceptance_15.edxml",
    "16": "resources__status_change-rejection_16.edxml",
}
SENDER = "000.00.00.G22"  # Văn phòng Chính phủ, From of the official edoc samples
RECEIVER = "000.00.00.H41"  # UBND tỉnh Nghệ An, its first receiver
AT = datetime.datetime(2026, 11, 21, 8, 30, 15)
STAFF = StaffInfo(department="Văn thư", staff="Nguyễn Thị Ngọc Trâm", mobile="84912000001")


def _read(name: str) -> vbdt.Package:
    with vbdt.read(PEERS / name) as result:
        return result.package


@pytest.fixture(scope="module")
def original() -> Iterator[EdocPackage]:
    """The official update sample (a document sent by G22 to H41, H14 and G17), kept open so
    that its attachment can be written again."""
    with vbdt.read(PEERS / "resources__edoc_update.edxml") as result:
        assert isinstance(result.package, EdocPackage)
        yield result.package


@pytest.fixture(scope="module")
def new_doc() -> EdocPackage:
    return vbdt.new_edoc(
        from_=Organization(SENDER, organ_name="Văn phòng Chính phủ"),
        to=[Organization(RECEIVER, organ_name="UBND tỉnh Nghệ An"), Organization("000.00.00.H14")],
        number="7900",
        notation="VPCP-TTĐT",
        date=datetime.date(2026, 11, 20),
        subject="V/v kết nối, liên thông phần mềm quản lý văn bản",
        attachments=[vbdt.Attachment.from_bytes("cv.pdf", b"%PDF-1.7\n", content_id="1")],
        sent_at=datetime.datetime(2026, 11, 20, 9, 0),
    )


def roundtrip(package: vbdt.Package) -> None:
    """Strictly writable, read back identically, and accepted by the validator."""
    assert check(package) == []
    data = vbdt.to_bytes(package)
    with vbdt.read(data) as result:
        assert result.package == package
    report = vbdt.validate(data)
    assert report.errors == (), report.errors
    report.close()


def _status(original: EdocPackage, code: str) -> StatusPackage:
    if code == "13":
        return status_for(original, code, from_=SENDER, to=RECEIVER, staff=STAFF, timestamp=AT)
    return status_for(original, code, from_=RECEIVER, staff=STAFF, timestamp=AT)


# -- status_for ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", KNOWN_CODES)
def test_status_for_every_code(original: EdocPackage, code: str) -> None:
    status = _status(original, code)
    roundtrip(status)
    assert status.status_code == code
    assert status.description == STATUS_LABELS[code]
    assert status.timestamp == AT
    assert status.staff == STAFF
    ref = status.response_for
    assert ref is not None
    assert ref.document_id == original.document_id
    assert ref.code == "7816/VPCP-TTĐT"
    assert ref.promulgation_date == datetime.date(2018, 9, 28)
    assert status.from_ is not None
    if code in RECEIVER_CODES:
        assert (status.from_.organ_id, ref.organ_id) == (RECEIVER, SENDER)
        assert status.from_ == original.to[0]  # completed from the package's To
    else:
        assert (status.from_.organ_id, ref.organ_id) == (SENDER, RECEIVER)
        assert status.from_ == original.from_


@pytest.mark.parametrize("code", KNOWN_CODES)
def test_addressing_matches_the_official_sample(original: EdocPackage, code: str) -> None:
    sample = _read(SAMPLES[code])
    assert isinstance(sample, StatusPackage)
    ours = _status(original, code)
    assert sample.status_code == ours.status_code == code
    assert sample.from_ is not None
    assert ours.from_ is not None
    assert sample.response_for is not None
    assert ours.response_for is not None
    # The same From / ResponseFor relationship: who speaks, to whom, about which document.
    assert sample.from_.organ_id == ours.from_.organ_id
    assert sample.response_for.organ_id == ours.response_for.organ_id
    assert sample.response_for.document_id == ours.response_for.document_id
    # The same elements filled.
    filled = [
        name
        for name in ("from_", "response_for", "staff", "status_code", "description", "timestamp")
        if getattr(sample, name) is not None
    ]
    assert [n for n in filled if getattr(ours, n) is None] == []
    assert ours.trace is None
    assert ours.signature is None


def test_thirteen_is_addressed_to_the_receiver() -> None:
    sample = _read(SAMPLES["13"])
    assert isinstance(sample, StatusPackage)
    assert sample.response_for is not None
    assert sample.from_ is not None
    assert sample.response_for.document_id is not None
    # The original sender speaks, to the receiver, about its own document.
    assert sample.response_for.document_id.startswith(sample.from_.organ_id or "?")
    assert sample.response_for.organ_id == RECEIVER


def test_labels_are_the_samples_descriptions() -> None:
    for code, name in SAMPLES.items():
        sample = _read(name)
        assert isinstance(sample, StatusPackage)
        if code != "03":  # the sample says "Văn thư cơ", a typo
            assert STATUS_LABELS[code] == sample.description
    assert set(STATUS_LABELS) == set(KNOWN_CODES)


def test_description_and_to_override(original: EdocPackage) -> None:
    status = status_for(
        original,
        "02",
        from_=Organization("000.00.00.H14"),
        to="000.00.00.G17",
        description="Sai thẩm quyền",
        timestamp=AT,
    )
    assert status.description == "Sai thẩm quyền"
    assert status.response_for is not None
    assert status.response_for.organ_id == "000.00.00.G17"
    assert status.from_ == Organization("000.00.00.H14")
    roundtrip(status)


def test_timestamp_default_and_aware() -> None:
    package = _read("resources__edoc_update.edxml")
    assert isinstance(package, EdocPackage)
    status = status_for(package, "01", from_=RECEIVER)
    assert isinstance(status.timestamp, datetime.datetime)
    assert status.timestamp.tzinfo is None
    assert status.timestamp.microsecond == 0
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7)))
    assert abs(now.replace(tzinfo=None) - status.timestamp) < datetime.timedelta(minutes=1)
    utc = datetime.datetime(2026, 11, 21, 1, 30, 15, 999, tzinfo=datetime.UTC)
    assert status_for(package, "01", from_=RECEIVER, timestamp=utc).timestamp == AT


@pytest.mark.parametrize("code", ["07", "14", "00", "3", "103", "", "ab", 3])
def test_unknown_code_refused(original: EdocPackage, code: object) -> None:
    with pytest.raises(UnknownStatusCode) as caught:
        status_for(original, code, from_=RECEIVER)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, VbdtError)
    assert "01, 02, 03, 04, 05, 06, 13, 15, 16" in str(caught.value)


def test_thirteen_needs_to(original: EdocPackage) -> None:
    with pytest.raises(EnvelopeWriteError, match="to="):
        status_for(original, "13", from_=SENDER)


def test_incomplete_package_refused(original: EdocPackage) -> None:
    with pytest.raises(EnvelopeWriteError, match="ResponseFor/OrganId"):
        status_for(attrs.evolve(original, from_=None), "03", from_=RECEIVER)
    with pytest.raises(EnvelopeWriteError, match="ResponseFor/DocumentId"):
        status_for(attrs.evolve(original, document_id=None), "03", from_=RECEIVER)
    with pytest.raises(EnvelopeWriteError, match="ResponseFor/PromulgationDate"):
        status_for(attrs.evolve(original, promulgation=None), "03", from_=RECEIVER)


# -- take back, agree, refuse ---------------------------------------------------------------------


def test_take_back_and_answers(new_doc: EdocPackage) -> None:
    request = take_back(new_doc, receiver=RECEIVER, reason="Sai số văn bản", timestamp=AT)
    assert request.status_code == "13"
    assert request.description == "Sai số văn bản"
    assert request.from_ == new_doc.from_
    assert request.response_for is not None
    assert request.response_for.organ_id == RECEIVER
    roundtrip(request)
    for answer, code in ((agree, "15"), (refuse, "16")):
        status = answer(request, timestamp=AT)
        assert status.status_code == code
        assert status.description == STATUS_LABELS[code]
        assert status.from_ is not None
        assert status.from_.organ_id == RECEIVER
        assert status.response_for is not None
        assert status.response_for.organ_id == SENDER
        assert status.response_for.document_id == new_doc.document_id
        assert status.response_for.code == "7900/VPCP-TTĐT"
        roundtrip(status)


def test_answers_to_an_update(original: EdocPackage) -> None:
    status = agree(original, from_=RECEIVER, staff=STAFF, timestamp=AT)
    assert status.status_code == "15"
    assert status.response_for is not None
    assert status.response_for.organ_id == SENDER
    roundtrip(status)
    assert refuse(original, from_=RECEIVER, timestamp=AT).status_code == "16"
    with pytest.raises(EnvelopeWriteError, match="from_"):
        agree(original)


def test_answers_refuse_other_requests(new_doc: EdocPackage, original: EdocPackage) -> None:
    with pytest.raises(EnvelopeWriteError, match="BussinessDocType"):
        agree(new_doc, from_=RECEIVER)
    with pytest.raises(EnvelopeWriteError, match="status 13"):
        refuse(_status(original, "03"))


# -- lifecycle packages ---------------------------------------------------------------------------


def test_revocation(new_doc: EdocPackage) -> None:
    revoked = revocation(new_doc, staff=STAFF, sent_at=AT)
    roundtrip(revoked)
    sample = _read("resources__edoc_revocation.edxml")
    assert isinstance(sample, EdocPackage)
    assert sample.business is not None
    business = revoked.business
    assert business is not None
    assert business.doc_type == sample.business.doc_type == 1
    assert business.reason == sample.business.reason == "Thu hồi văn bản điện tử"
    assert business.document_id == new_doc.document_id
    assert business.paper == 0
    assert business.staff == STAFF
    # The header repeats the original: same DocumentId, receivers, files; ResponseFor to it.
    assert revoked.document_id == new_doc.document_id
    assert (revoked.to, revoked.subject, revoked.attachments) == (
        new_doc.to,
        new_doc.subject,
        new_doc.attachments,
    )
    assert len(sample.response_for) == len(revoked.response_for) == 1
    ref = revoked.response_for[0]
    assert (ref.organ_id, ref.document_id, ref.code) == (
        SENDER,
        new_doc.document_id,
        "7900/VPCP-TTĐT",
    )
    assert revoked.trace is not None
    assert revoked.trace.headers[0].timestamp == AT
    assert revoked.trace.headers[0].organ_id == SENDER


def test_revocation_of_a_read_package(original: EdocPackage) -> None:
    revoked = revocation(original, reason="Thu hồi do sai sót", sent_at=AT)
    assert revoked.signature is None
    assert original.signature is not None
    assert revoked.business is not None
    assert revoked.business.reason == "Thu hồi do sai sót"
    roundtrip(revoked)


def test_update(new_doc: EdocPackage) -> None:
    updated = update(
        new_doc,
        added=[Organization("000.00.00.G17", organ_name="Sở TT&TT Hải Phòng")],
        removed=["000.00.00.H14"],
        subject="V/v kết nối (sửa đổi)",
        staff=STAFF,
        sent_at=AT,
    )
    roundtrip(updated)
    business = updated.business
    assert business is not None
    assert business.document_info is not None
    assert (business.doc_type, business.reason) == (2, "Cập nhật văn bản điện tử")
    assert business.document_id == new_doc.document_id == updated.document_id
    info = business.document_info
    assert (info.document_info, info.document_receiver) == (1, 1)
    assert [(r.organ_id, r.receiver_type) for r in info.receivers] == [
        ("000.00.00.H14", 0),
        ("000.00.00.G17", 1),
    ]
    assert [o.organ_id for o in updated.to] == [RECEIVER, "000.00.00.H14", "000.00.00.G17"]
    assert updated.subject == "V/v kết nối (sửa đổi)"
    # The same elements as the official sample's Bussiness.
    sample = _read("resources__edoc_update.edxml")
    assert isinstance(sample, EdocPackage)
    assert sample.business is not None
    for name in ("doc_type", "reason", "document_info", "document_id", "staff", "paper"):
        assert (getattr(sample.business, name) is None) == (getattr(business, name) is None), name


def test_update_flags(new_doc: EdocPackage) -> None:
    files = [vbdt.Attachment.from_bytes("cv-v2.pdf", b"%PDF-1.7\n2", content_id="2")]
    only_files = update(new_doc, attachments=files, sent_at=AT)
    assert only_files.attachments == tuple(files)
    info = only_files.business.document_info if only_files.business else None
    assert info is not None
    assert (info.document_info, info.document_receiver) == (1, 0)
    assert info.receivers == ()
    roundtrip(only_files)
    only_receivers = update(new_doc, added=["000.00.00.G17"], sent_at=AT)
    info = only_receivers.business.document_info if only_receivers.business else None
    assert info is not None
    assert (info.document_info, info.document_receiver) == (0, 1)
    roundtrip(only_receivers)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "nothing changes"),
        ({"added": [RECEIVER]}, "already a receiver"),
        ({"removed": ["000.00.00.G17"]}, "not a receiver"),
        ({"added": ["000.00.00.G17"], "removed": ["000.00.00.G17"]}, "both added and removed"),
    ],
)
def test_update_refused(new_doc: EdocPackage, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(EnvelopeWriteError, match=message):
        update(new_doc, **kwargs)  # type: ignore[arg-type]


def test_replacement(new_doc: EdocPackage) -> None:
    old_a = "000.00.00.G22,2026/11/01,7806/VPCP-TTĐT"
    old_b = "000.00.00.G22,2026/11/02,7807/VPCP-TTĐT"
    replacing = replacement(new_doc, {old_a: [RECEIVER], old_b: []}, staff=STAFF)
    roundtrip(replacing)
    business = replacing.business
    assert business is not None
    assert (business.doc_type, business.reason) == (3, "Văn bản thay thế")
    assert [(r.document_id, r.organ_ids) for r in business.replacements] == [
        (old_a, (RECEIVER,)),
        (old_b, (RECEIVER, "000.00.00.H14")),
    ]
    assert new_doc.trace is not None
    assert replacing.trace == attrs.evolve(new_doc.trace, business=business)
    assert replacing.document_id == new_doc.document_id
    sample = _read("resources__edoc_replacement.edxml")
    assert isinstance(sample, EdocPackage)
    assert sample.business is not None
    for name in ("doc_type", "reason", "document_info", "staff", "paper"):
        assert (getattr(sample.business, name) is None) == (getattr(business, name) is None), name
    assert sample.business.replacements
    assert business.replacements
    fresh = replacement(new_doc, {old_a: ["000.00.00.H14"]}, sent_at=AT)
    assert fresh.trace is not None
    assert fresh.trace.headers == (vbdt.TraceHeader(SENDER, AT),)


def test_replacement_refused(new_doc: EdocPackage) -> None:
    with pytest.raises(EnvelopeWriteError, match="no replaced DocumentId"):
        replacement(new_doc, {})
    with pytest.raises(EnvelopeWriteError, match="no receiver"):
        replacement(attrs.evolve(new_doc, to=()), {"x": []})


def test_models_are_frozen(new_doc: EdocPackage) -> None:
    status = _status(new_doc, "03")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        status.status_code = "04"  # type: ignore[misc]
