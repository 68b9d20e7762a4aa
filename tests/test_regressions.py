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


def _with_trace(doc_type: int) -> EdocPackage:
    trace = TraceHeaderList(
        headers=(TraceHeader("000.00.00.G22", datetime.datetime(2020, 1, 2, 3, 4, 5)),),
        business=Business(doc_type=doc_type),
    )
    return _package(trace=trace)


def test_unknown_business_type_is_an_xsd_error_not_only_a_warning():
    data = v.to_bytes(_with_trace(7), strict=False)
    report = v.validate(data)
    rules = {(f.rule, f.severity.value) for f in report.findings}
    assert ("EDX212", "warning") in rules
    assert ("EDX501", "error") in rules  # was: hidden by the reader's warning at the same path
    assert not report.ok


def test_unpack_result_reads_from_the_written_files(tmp_path):
    m = _package([Attachment.from_bytes("a.txt", b"hello", content_id="c1")])
    result = v.unpack(v.to_bytes(m), tmp_path / "out")
    (attachment,) = result.package.attachments
    with attachment.data.open() as stream:  # was: the closed spool file
        assert stream.read() == b"hello"
    assert result.files[0].path == (tmp_path / "out" / "a.txt").resolve()


def test_closed_spool_raises_a_library_error():
    m = _package([Attachment.from_bytes("a.txt", b"hello", content_id="c1")])
    result = v.read(v.to_bytes(m))
    data = result.package.attachments[0].data
    result.close()
    with pytest.raises(v.AttachmentError, match="closed"):  # was: FileNotFoundError
        data.open()


def test_json_converts_aware_timestamps_to_vietnam_time():
    aware = datetime.datetime(2020, 1, 2, 0, 0, 0, tzinfo=datetime.UTC)
    trace = TraceHeaderList(headers=(TraceHeader("000.00.00.G22", aware),))
    data = v.package_to_json(_package(trace=trace))
    assert data["trace"][0]["timestamp"] == "2020-01-02T07:00:00"  # was: 00:00:00, zone dropped
    assert b"2020/01/02 07:00:00" in v.to_bytes(_package(trace=trace))


def test_json_of_a_newer_format_is_refused():
    data = v.package_to_json(_package())
    data["format"] = 99
    with pytest.raises(v.MetadataError, match="format 99"):
        v.package_from_json(data)


def test_missing_file_has_its_own_rule(tmp_path):
    report = v.validate(tmp_path / "nope.edxml")
    assert not report.readable
    assert [f.rule for f in report.findings] == ["EDX008"]  # was: EDX001, not well-formed
    assert "không mở được" in report.findings[0].message_vi


def test_empty_to_is_absent():
    data = v.to_bytes(_package()).replace(b"</To>", b"</To>\n        <To/>", 1)
    result = v.read(data)
    assert len(result.package.to) == 1  # was: an empty Organization kept in `to`
    assert "EDX108" in {f.rule for f in result.findings}


def test_whitespace_before_the_declaration_is_stray_bytes():
    data = b"  \n" + v.example_path().read_bytes()
    with pytest.raises(v.EnvelopeReadError) as info:
        v.read(data)
    assert info.value.rule == "EDX002"  # was: EDX001 from libxml2, readable only by step 3
    result = v.read(data, recover=True)
    assert [f.rule for f in result.findings] == ["EDX002"]


def test_attribute_on_a_known_element_is_reported():
    data = v.example_path().read_bytes().replace(b"<Subject>", b'<Subject foo="1">', 1)
    (finding,) = v.read(data).findings  # was: dropped without a word
    assert finding.rule == "EDX112"
    assert "Subject/@foo" in finding.message
