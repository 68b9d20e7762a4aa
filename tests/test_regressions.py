"""Regressions: each test pins a bug found in review (the comment says what was wrong)."""

import datetime
from pathlib import Path

import attrs
import pytest

import vbdt_exchange as v
from vbdt_exchange import (
    Attachment,
    Business,
    Code,
    EdocPackage,
    Organization,
    PromulgationInfo,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.envelope import BytesSource, PathSource

PEERS = Path(__file__).parent / "vectors" / "peers"


def _package(attachments=(), trace=None):
    return EdocPackage(
        from_=Organization(organ_id="000.00.00.G22"),
        to=(Organization(organ_id="000.00.00.H41"),),
        code=Code("1", "VP"),
        promulgation=PromulgationInfo(date=datetime.date(2020, 1, 2)),
        subject="S",
        steering_type=1,
        document_id="000.00.00.G22,2020/01/02,1/VP",
        trace=trace,
        attachments=tuple(attachments),
    )


def test_bug1_attachments_with_same_bytes_in_different_sources_are_equal(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"x")
    a = Attachment("a.txt", "text/plain", BytesSource(b"x"), content_id="c")
    assert a == attrs.evolve(
        a, data=PathSource(path)
    )  # was: cmp_using required the same source type


def test_bug1b_read_of_written_model_equals_model():
    m = _package([Attachment.from_bytes("a.txt", b"hello", content_id="c1")])
    assert v.read(v.to_bytes(m)).package == m  # was: BytesSource vs SpooledSource


def test_bug2_bare_business_block_is_read():
    trace = TraceHeaderList(
        headers=(TraceHeader("000.00.00.G22", datetime.datetime(2020, 1, 2, 3, 4, 5)),),
        business=Business(),
    )  # BussinessDocType 0 only
    result = v.read(v.to_bytes(_package(trace=trace)))
    assert result.package.trace.business == Business()  # was: None (equal to the defaults)
    assert "EDX402" not in {f.rule for f in result.findings}  # was: a spurious EDX402


@pytest.mark.parametrize("name", ["báo cáo.đoc", "a.tar-gz"])
def test_bug3_sdk_zip_form_round_trips_every_name(name):
    m = _package(
        [
            Attachment.from_bytes(
                name, b"hello", content_id="c1", content_type="application/octet-stream"
            )
        ]
    )
    got = v.read(v.to_bytes(m, attachment_form="sdk-zip")).package.attachments[0]
    assert got.sdk_zipped  # was: the entry name kept a non-ASCII extension the reader refused
    assert got.sha256() == m.attachments[0].sha256()


def test_bug3b_sdk_zip_form_does_not_wrap_a_zip():
    m = _package(
        [
            Attachment.from_bytes(
                "data.zip", b"hello", content_id="c1", content_type="application/octet-stream"
            )
        ]
    )
    written = v.to_bytes(m, attachment_form="sdk-zip")
    got = v.read(written).package
    assert got == m  # was: wrapped, and readers never unwrap an attachment named *.zip
    assert not got.attachments[0].sdk_zipped
    assert b"<ContentType>application/zip</ContentType>" not in written


def test_bug4_sdk_zip_form_keeps_a_zip_content_type():
    m = _package(
        [Attachment.from_bytes("a.pdf", b"hello", content_id="c1", content_type="application/zip")]
    )
    got = v.read(v.to_bytes(m, attachment_form="sdk-zip")).package.attachments[0]
    assert got.content_type == "application/zip"  # was: 'application/pdf'


def test_bug5_recovery_reports_every_prefix_it_declared():
    result = v.read(
        PEERS / "PVN-Organization__API-Gateway-iOffice/resources__edoc.edxml", recover=True
    )
    repairs = " ".join(f.message for f in result.findings if f.rule == "EDX003")
    assert "'xlink'" in repairs
    assert "'edXML'" in repairs  # was: edXML:AttachmentEncoded repaired silently


def test_bug6_base64_error_names_the_character_found():
    result = v.read(PEERS / "tungsfer512__ss_adapter/form.edxml")
    (finding,) = [f for f in result.findings if f.rule == "EDX301"]
    assert "'đ'" in finding.message  # was: 'Ä', one byte of the UTF-8


def test_bug7_raw_attachment_starting_with_zip_magic_is_not_an_error():
    m = _package(
        [
            Attachment.from_bytes(
                "a.bin", b"PK\x03\x04junk", content_id="c1", content_type="application/octet-stream"
            )
        ]
    )
    result = v.read(v.to_bytes(m))
    assert result.errors == ()  # was: EDX304 "the archive is damaged"
