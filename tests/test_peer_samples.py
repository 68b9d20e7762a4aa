"""The 21 real packages of ``tests/vectors/peers/`` read as pinned in ``expected.json``.

The pinned values were computed without ``vbdt_exchange`` (standard library only; see
``tests/vectors/peers/PROVENANCE.md``), so a wrong reading shows up here as a mismatch instead of
being copied into the expectation.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import vbdt_exchange
import vbdt_exchange.cli.envelope  # registers the commands on the group
from vbdt_exchange import EdocPackage, EnvelopeReadError, Severity, StatusPackage
from vbdt_exchange.cli._main import cli
from vbdt_exchange.envelope import InvalidPayload

VECTORS = Path(__file__).parent / "vectors" / "peers"
EXPECTED: dict[str, dict[str, Any]] = json.loads((VECTORS / "expected.json").read_text("utf-8"))

PVN = "PVN-Organization__API-Gateway-iOffice"
OLD_SAMPLE = f"{PVN}/resources__edoc.edxml"  # undeclared xlink: and edXML: prefixes
STRAY_BYTES = f"{PVN}/resources__edoc_new.edxml"  # "1212" before <?xml
TEMPLATE = "tungsfer512__ss_adapter/form.edxml"  # explanatory text in typed values
BKAV = "QuangChuIT__edoc-integrator/edoc-service__edoc_new.edxml"  # dd/MM/yyyy date
GATEWAY_2025 = f"{PVN}/xml__2025__10__874e0f18-90dc-45fb-989a-65401470ba84.edxml"  # zipped PDF

#: file -> (rule, line, column) of the EnvelopeReadError the strict reader must raise
MALFORMED = {OLD_SAMPLE: ("EDX003", 116, 39), STRAY_BYTES: ("EDX002", 1, None)}
ALL = sorted(EXPECTED)
CLEAN = [name for name in ALL if name not in MALFORMED and name != TEMPLATE]
HEADER = "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader"
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}


def _ids(names: list[str]) -> list[str]:
    return [Path(name).name for name in names]


def _pinned(name: str) -> dict[str, Any]:
    """The pinned values that the package itself must give (not the file's own digest)."""
    expected = dict(EXPECTED[name])
    del expected["file_sha256"], expected["file_size"]
    expected["attachments"] = [
        {k: v for k, v in att.items() if k != "declared_content_type"}
        for att in expected["attachments"]
    ]
    return expected


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _observed(package: EdocPackage | StatusPackage) -> dict[str, Any]:
    """The same keys as :func:`_pinned`, taken from the model the reader built."""
    business = package.trace.business if package.trace else None
    common = {
        "kind": package.kind,
        "from_organ_id": package.from_.organ_id if package.from_ else None,
        "business_doc_type": business.doc_type if business else None,
    }
    if isinstance(package, StatusPackage):
        return {
            **common,
            "to_organ_ids": [],
            "document_id": package.response_for.document_id if package.response_for else None,
            "code_number": None,
            "code_notation": None,
            "subject": None,
            "promulgation_date": None,
            "status_code": package.status_code,
            "attachments": [],
        }
    attachments = []
    for att in package.attachments:
        valid = not isinstance(att.data, InvalidPayload)
        attachments.append(
            {
                "name": att.name,
                "content_id": att.content_id,
                "sdk_zipped": att.sdk_zipped,
                "sha256": att.sha256() if valid else None,
                "size": att.size if valid else None,
            }
        )
    return {
        **common,
        "to_organ_ids": [org.organ_id for org in package.to],
        "document_id": package.document_id,
        "code_number": package.code.number if package.code else None,
        "code_notation": package.code.notation if package.code else None,
        "subject": package.subject,
        "promulgation_date": _iso(package.promulgation.date) if package.promulgation else None,
        "status_code": None,
        "attachments": attachments,
    }


def _from_json(data: dict[str, Any]) -> dict[str, Any]:
    """The pinned keys from ``vbdt inspect --json`` output, through the documented contract keys
    only: ``kind``, ``from.organ_id``, ``to[*].organ_id``, ``document_id``,
    ``code.number/notation``, ``subject``, ``promulgation.date``, ``status.code``,
    ``business.doc_type``, ``attachments[*].name/sha256/size``."""
    code = data["code"] or {}
    return {
        "kind": data["kind"],
        "from_organ_id": (data["from"] or {}).get("organ_id"),
        "to_organ_ids": [org["organ_id"] for org in data["to"]],
        "document_id": data["document_id"],
        "code_number": code.get("number"),
        "code_notation": code.get("notation"),
        "subject": data["subject"],
        "promulgation_date": (data["promulgation"] or {}).get("date"),
        "status_code": (data["status"] or {}).get("code"),
        "business_doc_type": (data["business"] or {}).get("doc_type"),
        "attachments": [
            {"name": a["name"], "sha256": a["sha256"], "size": a["size"]}
            for a in data["attachments"]
        ],
    }


def _contract(expected: dict[str, Any]) -> dict[str, Any]:
    return {
        **expected,
        "attachments": [
            {"name": a["name"], "sha256": a["sha256"], "size": a["size"]}
            for a in expected["attachments"]
        ],
    }


def _rules(findings: object, severity: Severity | None = None) -> list[str]:
    return [f.rule for f in findings if severity is None or f.severity is severity]  # type: ignore[attr-defined]


def _zip_labelled_as_content(name: str) -> set[str]:
    """Attachments that are SDK-zipped although their declared type is not a ZIP type."""
    return {
        att["name"]
        for att in EXPECTED[name]["attachments"]
        if att["sdk_zipped"] and (att["declared_content_type"] or "").lower() not in ZIP_TYPES
    }


# -- the vectors themselves ---------------------------------------------------------------------


def test_every_vector_is_pinned() -> None:
    on_disk = sorted(
        str(p.relative_to(VECTORS)) for p in VECTORS.glob("*/*") if p.suffix in (".edxml", ".xml")
    )
    assert on_disk == ALL
    assert len(ALL) == 21
    assert len(CLEAN) == 18
    assert (VECTORS / "PROVENANCE.md").is_file()


@pytest.mark.parametrize("name", ALL, ids=_ids(ALL))
def test_vector_bytes_unchanged(name: str) -> None:
    data = (VECTORS / name).read_bytes()
    assert len(data) == EXPECTED[name]["file_size"]
    assert hashlib.sha256(data).hexdigest() == EXPECTED[name]["file_sha256"]


# -- the 18 readable samples --------------------------------------------------------------------


@pytest.mark.parametrize("name", CLEAN, ids=_ids(CLEAN))
def test_clean_sample_reads_as_pinned(name: str) -> None:
    with vbdt_exchange.read(VECTORS / name) as result:
        assert _rules(result.findings, Severity.ERROR) == []
        assert _observed(result.package) == _pinned(name)
        # EDX303 exactly where a zipped payload is labelled with its content's type
        assert ("EDX303" in _rules(result.findings)) is bool(_zip_labelled_as_content(name))


def test_bkav_date_in_day_month_year_form_is_read_with_a_warning() -> None:
    with vbdt_exchange.read(VECTORS / BKAV) as result:
        package = result.package
        assert isinstance(package, EdocPackage)
        assert package.promulgation is not None
        assert package.promulgation.date == datetime.date(2020, 10, 30)
        found = [f for f in result.findings if f.rule == "EDX202"]
        assert len(found) == 1
        assert found[0].severity is Severity.WARNING
        assert found[0].path == f"{HEADER}/PromulgationInfo/PromulgationDate"
        assert found[0].line == 33
        assert "30/10/2020" in found[0].message


def test_gateway_2025_zipped_pdf_labelled_pdf_gives_the_pdf() -> None:
    with vbdt_exchange.read(VECTORS / GATEWAY_2025) as result:
        package = result.package
        assert isinstance(package, EdocPackage)
        (attachment,) = package.attachments
        with attachment.data.open() as stream:
            data = stream.read()
        assert data.startswith(b"%PDF")
        pinned = EXPECTED[GATEWAY_2025]["attachments"][0]
        assert hashlib.sha256(data).hexdigest() == pinned["sha256"]
        assert len(data) == pinned["size"]
        assert attachment.sdk_zipped
        assert attachment.content_type == "application/pdf"
        assert attachment.wrapped is not None
        with attachment.wrapped.open() as stream:
            assert stream.read(4) == b"PK\x03\x04"
        found = [f for f in result.findings if f.rule == "EDX303"]
        assert len(found) == 1
        assert found[0].severity is Severity.WARNING
        assert found[0].path == "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"


# -- the two files that are not well-formed -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MALFORMED), ids=_ids(sorted(MALFORMED)))
def test_malformed_sample_is_refused_where_it_breaks(name: str) -> None:
    rule, line, column = MALFORMED[name]
    with pytest.raises(EnvelopeReadError) as caught:
        vbdt_exchange.read(VECTORS / name)
    error = caught.value
    assert error.rule == rule
    assert error.line == line
    assert error.column == column or (column is None and error.column in (None, 1))
    assert f"line {line}" in str(error)
    # the numbers point at the defect in the file itself
    text = (VECTORS / name).read_bytes()
    if rule == "EDX002":
        assert text.startswith(b"1212<?xml")
    else:
        source_line = text.split(b"\n")[line - 1].decode("utf-8")
        start_tag_end = source_line.index(">", source_line.index("xlink:href")) + 1
        assert start_tag_end == column  # libxml2 reports the end of the offending start tag
        assert 'xlink:href=""' in source_line
        assert b"xmlns:xlink" not in text


@pytest.mark.parametrize("name", sorted(MALFORMED), ids=_ids(sorted(MALFORMED)))
def test_malformed_sample_reads_in_recovery_mode(name: str) -> None:
    rule, line, _ = MALFORMED[name]
    with vbdt_exchange.read(VECTORS / name, recover=True) as result:
        assert _observed(result.package) == _pinned(name)
        repairs = [f for f in result.findings if f.rule == rule]
        assert len(repairs) == 1
        assert repairs[0].severity is Severity.WARNING
        assert repairs[0].line == line
        errors = _rules(result.findings, Severity.ERROR)
        if name == OLD_SAMPLE:
            assert errors == ["EDX301"]  # the JMeter placeholder payload
        else:
            assert errors == []


def test_old_sample_keeps_its_placeholder_payload_as_invalid() -> None:
    with vbdt_exchange.read(VECTORS / OLD_SAMPLE, recover=True) as result:
        package = result.package
        assert isinstance(package, EdocPackage)
        (attachment,) = package.attachments
        assert attachment.name == "GUIDE_INSTALL OPENVPN.SIGNED.PDF"
        assert isinstance(attachment.data, InvalidPayload)
        assert attachment.data.text == "${__StringFromFile(test.txt,,,)}"
        assert attachment.size is None
        with pytest.raises(vbdt_exchange.AttachmentError):
            attachment.data.open()
        (error,) = [f for f in result.findings if f.rule == "EDX301"]
        assert error.severity is Severity.ERROR
        assert error.path == "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"
        assert error.line == 130
        # the signature in the XML-DSig namespace and the header fields survive the repair
        assert package.signature is not None
        assert package.signature.tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
        assert package.signer is not None
        assert package.signer.full_name == "Trương Minh Tuấn"
        assert package.response_for == ()  # <ResponseFor> with empty children is absent


# -- the annotated template ------------------------------------------------------------------------

#: (rule, path) of the typed values that carry explanatory text in form.edxml
TEMPLATE_ERRORS = {
    ("EDX201", f"{HEADER}/PromulgationInfo/PromulgationDate"),
    ("EDX201", f"{HEADER}/DueDate"),
    ("EDX205", f"{HEADER}/DocumentType/Type"),
    ("EDX205", f"{HEADER}/OtherInfo/Priority"),
    ("EDX205", f"{HEADER}/OtherInfo/PromulgationAmount"),
    ("EDX205", f"{HEADER}/OtherInfo/PageAmount"),
    ("EDX205", f"{HEADER}/SteeringType"),
    ("EDX301", "/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"),
}


def test_template_reads_without_exception() -> None:
    with vbdt_exchange.read(VECTORS / TEMPLATE) as result:
        package = result.package
        assert isinstance(package, EdocPackage)
        assert _observed(package) == _pinned(TEMPLATE)
        # values that cannot be read as their type are kept as the text found
        assert package.steering_type == (
            "1(Loại chỉ đạo: 1-Không phải chỉ đạo, 2-Chỉ đạo, 3-Báo cáo chỉ đạo)"
        )
        assert package.other_info is not None
        assert isinstance(package.other_info.priority, str)
        assert package.other_info.priority.startswith("0(Độ ưu tiên VB")
        assert package.trace is not None
        assert package.trace.attributes == (
            ("id", "3490sdo9"),
            ("version", "1.0"),
            ("mustUnderstand", "1"),
            ("actor", "http://schemas.xmlsoap.org/soap/actor/next"),
        )
        # root-level Boundary, ContentId, ContentType; DigitalSignature in the header
        assert [parent for parent, _ in package.structural_extensions] == [
            "edXML",
            "edXML",
            "edXML",
            "edXMLHeader",
        ]


def test_template_validation_reports_the_explanatory_text() -> None:
    with vbdt_exchange.validate(VECTORS / TEMPLATE) as report:
        assert report.readable
        assert not report.ok
        errors = {(f.rule, f.path) for f in report.errors}
        assert errors >= TEMPLATE_ERRORS
        # a bad date in a *reference* field is a warning, never an error (edxml.md §5)
        response_date = f"{HEADER}/ResponseFor/PromulgationDate"
        assert not any(f.path == response_date for f in report.errors)  # not even EDX501
        assert any(
            f.rule == "EDX201" and f.path == response_date and f.severity is Severity.WARNING
            for f in report.findings
        )
        for finding in report.errors:
            assert finding.line is not None, finding


# -- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL, ids=_ids(ALL))
def test_inspect_json_gives_the_pinned_values(name: str) -> None:
    args = ["inspect", "--json", str(VECTORS / name)]
    if name in MALFORMED:
        args.append("--recover")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert _from_json(data) == _contract(_pinned(name))
    rules = {f["rule"] for f in data["findings"]}
    if name in MALFORMED:
        assert MALFORMED[name][0] in rules
    if name in CLEAN:
        assert all(f["severity"] != "error" for f in data["findings"])


@pytest.mark.parametrize("name", sorted(MALFORMED), ids=_ids(sorted(MALFORMED)))
def test_inspect_without_recover_fails_with_the_rule(name: str) -> None:
    rule, line, _ = MALFORMED[name]
    result = CliRunner().invoke(cli, ["inspect", "--json", str(VECTORS / name)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"[{rule}]" in result.stderr
    assert f"line {line}" in result.stderr
    assert "--recover" in result.stderr


def test_validate_command_exits_1_on_the_template_and_0_on_a_clean_sample() -> None:
    runner = CliRunner()
    template = runner.invoke(cli, ["validate", str(VECTORS / TEMPLATE)])
    assert template.exit_code == 1, template.output
    assert "EDX201" in template.stdout
    clean = runner.invoke(cli, ["validate", str(VECTORS / CLEAN[0])])
    assert clean.exit_code == 0, clean.output
