"""Attachment payloads (``ContentTransferEncoded``): broken base64, markup inside, spoofed
spool markers, payloads that never close."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from _hostile import CASES, attachment, by_rule, only, package, reference

import vbdt_exchange as vbdt
from vbdt_exchange import AttachmentError, EnvelopeReadError, Limits, ReadOptions, Severity
from vbdt_exchange.envelope import InvalidPayload

INVALID = [
    ("bad-character", "aGVs*G8=", "'*' is not in the base64 alphabet"),
    ("non-ascii-letter", "aGVsbG8ở", "not in the base64 alphabet"),
    ("padding-in-the-middle", "aGV=bG8=", "padding"),
    ("padding-then-more-data", "aGVsbG8=\naGVsbG8=", "padding"),
    ("truncated-length", "aGVsb", "truncated"),
    ("jmeter-placeholder", "${__StringFromFile(test.txt,,,)}", "'$' is not in the base64 alphabet"),
    ("escaped-ampersand", "aGVs&amp;bG8=", "'&' is not in the base64 alphabet"),
    ("character-reference-to-a-letter-outside-base64", "aGVs&#x10FFFF;bG8=", "base64 alphabet"),
    ("cdata-hiding-markup", "<![CDATA[aGVs<bG8=]]>", "'<' is not in the base64 alphabet"),
]

VALID = [
    ("cdata-wrapped", "<![CDATA[aGVsbG8=]]>"),
    ("cdata-around-part", "aGVs<![CDATA[bG8=]]>"),
    ("character-reference-newline", "aGVs&#10;bG8="),
    ("character-references-crlf", "aGVs&#13;&#10;bG8="),
    ("mime-lines-crlf", "aGVs\r\nbG8=\r\n"),
    ("tabs-and-spaces", " \taGVs bG8= \t"),
    ("missing-padding", "aGVsbG8"),
    ("comment-inside", "aGVs<!-- not base64 -->bG8="),
    ("processing-instruction-inside", "aGVs<?pi QUFB?>bG8="),
]


@pytest.mark.parametrize(
    ("payload", "reason"), [(p, r) for _, p, r in INVALID], ids=[i for i, _, _ in INVALID]
)
def test_invalid_base64_is_an_error_finding(payload: str, reason: str) -> None:
    result = vbdt.read(package(payload=payload))
    finding = only(result.findings, "EDX301", Severity.ERROR)
    assert reason in finding.message
    assert finding.line == 27
    assert finding.path == "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"
    (att,) = result.package.attachments
    assert isinstance(att.data, InvalidPayload)
    assert att.size is None
    with pytest.raises(AttachmentError) as info:
        att.data.open()
    assert info.value.rule == "EDX301"
    # nothing else is wrong with the package
    assert [f.rule for f in result.findings] == ["EDX301"]


@pytest.mark.parametrize("payload", [p for _, p in VALID], ids=[i for i, _ in VALID])
def test_valid_base64_in_unusual_form_reads(payload: str) -> None:
    result = vbdt.read(package(payload=payload))
    assert result.findings == ()
    (att,) = result.package.attachments
    with att.data.open() as stream:
        assert stream.read() == b"hello"


def test_payload_split_across_read_chunks(tmp_path: Path) -> None:
    """Base64 lines that straddle the scanner's 2 MiB read boundary, with CR LF line ends."""
    data = bytes(range(256)) * 20_000  # 5 MB
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n").decode()
    path = tmp_path / "big.edxml"
    path.write_bytes(package(payload=encoded))
    with vbdt.read(path) as result:
        assert result.findings == ()
        (att,) = result.package.attachments
        assert att.size == len(data)
        with att.data.open() as stream:
            assert stream.read() == data


def test_empty_payload_is_an_empty_file() -> None:
    for payload in ("", " \n\t "):
        result = vbdt.read(package(payload=payload))
        assert result.findings == ()
        assert result.package.attachments[0].size == 0


def test_payload_that_never_closes(private_tmp: Path) -> None:
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(CASES / "payload-never-closes.xml")
    assert (info.value.rule, info.value.line) == ("EDX001", 27)
    assert "ContentTransferEncoded" in info.value.message
    assert list(private_tmp.iterdir()) == []  # the spool is gone


def test_large_payload_that_never_closes(private_tmp: Path) -> None:
    head = package(payload="\x00").split(b"\x00")[0]
    data = head + base64.encodebytes(bytes(3 * 1024 * 1024))
    with pytest.raises(EnvelopeReadError) as info:
        vbdt.read(data)
    assert info.value.rule == "EDX001"
    assert list(private_tmp.iterdir()) == []


def test_spoofed_spool_marker_is_not_mistaken_for_a_payload() -> None:
    result = vbdt.read(CASES / "payload-spoofs-spool-marker.xml")
    finding = only(result.findings, "EDX301", Severity.ERROR)
    assert "'-' is not in the base64 alphabet" in finding.message
    (att,) = result.package.attachments
    assert isinstance(att.data, InvalidPayload)
    assert att.data.text == "vbdt-spool-0000-0"


@pytest.mark.parametrize(
    "spoof",
    [
        "vbdt-spool-0000-1",
        "<![CDATA[vbdt-spool-0000-1]]>",
        "<!-- -->vbdt-spool-0000-1",
        "vbdt-spool-{marker}-1",
    ],
    ids=["plain", "in-cdata", "after-comment", "shaped-like-the-real-marker"],
)
def test_spoofed_marker_cannot_borrow_another_attachments_payload(spoof: str) -> None:
    """The first attachment names the second one's spool index; it must not get its bytes."""
    spoof = spoof.format(marker="0" * 32)
    data = package(
        attachments=[
            attachment(spoof, cid="a", name="spoof.txt"),
            attachment(base64.b64encode(b"second").decode(), cid="b", name="real.txt"),
        ],
        references=[reference(cid="a", name="spoof.txt"), reference(cid="b", name="real.txt")],
    )
    result = vbdt.read(data)
    spoofed, real = result.package.attachments
    assert isinstance(spoofed.data, InvalidPayload)
    assert [f.rule for f in result.findings] == ["EDX301"]
    with real.data.open() as stream:
        assert stream.read() == b"second"


def test_comment_inside_a_payload_is_not_part_of_the_data() -> None:
    result = vbdt.read(CASES / "payload-with-comment.xml")
    assert result.findings == ()
    with result.package.attachments[0].data.open() as stream:
        assert stream.read() == b"hello"


def test_comment_mentioning_the_element_inside_a_payload() -> None:
    payload = "aGVs<!-- </ContentTransferEncoded> <ContentTransferEncoded> -->bG8="
    result = vbdt.read(package(payload=payload))
    assert result.findings == ()
    with result.package.attachments[0].data.open() as stream:
        assert stream.read() == b"hello"


def test_markup_mentioning_the_element_outside_payloads_is_left_alone() -> None:
    """Comments, CDATA and processing instructions that name ContentTransferEncoded in the
    header are not payloads."""
    tricks = (
        "<!-- <ContentTransferEncoded>QUFB</ContentTransferEncoded> -->"
        "<?note <ContentTransferEncoded>QUFB?>"
    )
    data = package(subject="<![CDATA[<ContentTransferEncoded>QUFB</ContentTransferEncoded>]]>")
    data = data.replace(b"<edXMLEnvelope>", tricks.encode() + b"<edXMLEnvelope>")
    result = vbdt.read(data)
    assert result.findings == ()
    assert result.package.subject == "<ContentTransferEncoded>QUFB</ContentTransferEncoded>"
    assert len(result.package.attachments) == 1


def test_invalid_payload_too_large_to_keep() -> None:
    payload = "*" * 5000
    options = ReadOptions(limits=Limits(max_invalid_payload_bytes=1000))
    result = vbdt.read(package(payload=payload), options=options)
    finding = only(result.findings, "EDX301", Severity.ERROR)
    assert "too large to keep" in finding.message
    (att,) = result.package.attachments
    assert isinstance(att.data, InvalidPayload)
    assert att.data.text is None


def test_huge_invalid_payload_is_not_held_in_memory() -> None:
    """3 MB of text that is not base64: kept only up to max_invalid_payload_bytes (1 MiB)."""
    result = vbdt.read(package(payload="$" * (3 * 1024 * 1024)))
    finding = only(result.findings, "EDX301", Severity.ERROR)
    assert "too large to keep" in finding.message
    assert result.package.attachments[0].data.text is None


def test_attachment_without_payload() -> None:
    data = package().replace(b"<ContentTransferEncoded>aGVsbG8=</ContentTransferEncoded>", b"")
    result = vbdt.read(data)
    finding = only(result.findings, "EDX311", Severity.ERROR)
    assert "ContentTransferEncoded" in finding.message
    assert isinstance(result.package.attachments[0].data, InvalidPayload)


def test_damaged_pdf_payload_is_flagged() -> None:
    """A PDF that went through a text decoding (edXML §9.5): every non-ASCII byte is U+FFFD."""
    pdf = b"%PDF-1.7\n" + "\ufffd".encode() * 64
    data = package(
        attachments=[
            attachment(base64.b64encode(pdf).decode(), name="a.pdf", content_type="application/pdf")
        ],
        references=[reference(name="a.pdf", content_type="application/pdf")],
    )
    result = vbdt.read(data)
    finding = only(result.findings, "EDX310", Severity.WARNING)
    assert "64" in finding.message
    assert by_rule(result.findings, "EDX301") == []
