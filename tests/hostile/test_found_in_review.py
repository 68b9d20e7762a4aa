"""Hostile inputs that once got past the reader or the CLI: each test pins the fix."""

from __future__ import annotations

import base64
import io
import json
import random
import struct
import zipfile
from pathlib import Path

import pytest
from _hostile import UUID_ENTRY, package, sdk_zip
from click.testing import CliRunner

import vbdt_exchange as vbdt
import vbdt_exchange.cli.envelope
from vbdt_exchange.cli._main import cli
from vbdt_exchange.findings import Severity


@pytest.mark.parametrize("payload", ["Q==", "Q=", "aGVsA==", "aGVsbG8=Q"])
def test_truncated_but_padded_base64_is_a_finding(payload: str) -> None:
    result = vbdt.read(package(payload=payload))  # was: binascii.Error escaped read()
    (finding,) = [f for f in result.findings if f.rule == "EDX301"]
    assert finding.severity is Severity.ERROR
    assert isinstance(result.package.attachments[0].data, vbdt.envelope.InvalidPayload)


def test_corrupt_deflate_stream_in_an_sdk_wrapper_is_a_finding() -> None:
    good = sdk_zip(random.Random(1).randbytes(2000))  # incompressible: a long deflate stream
    header_end = 30 + len(UUID_ENTRY)
    broken = good[:header_end] + b"\xff" * 40 + good[header_end + 40 :]
    result = vbdt.read(package(payload=base64.b64encode(broken).decode()))  # was: zlib.error
    (finding,) = [f for f in result.findings if f.rule == "EDX304"]
    assert finding.severity is Severity.ERROR
    assert not result.package.attachments[0].sdk_zipped


@pytest.mark.parametrize(
    "extra",
    ["<foo:Note>x</foo:Note>", '<Note foo:x="1">x</Note>'],
    ids=["element", "attribute"],
)
def test_unknown_undeclared_prefix_reads_in_recovery_mode(extra: str) -> None:
    data = package().replace(b"<SteeringType>", extra.encode() + b"<SteeringType>", 1)
    with pytest.raises(vbdt.EnvelopeReadError) as info:
        vbdt.read(data)
    assert info.value.rule == "EDX003"
    result = vbdt.read(data, recover=True)  # was: ValueError: Invalid tag name 'foo:Note'
    assert any(f.rule == "EDX003" and "'foo'" in f.message for f in result.findings)
    (kept,) = result.package.extensions
    assert "urn:vbdt-exchange:undeclared-prefix:foo" in kept.xml


def test_utf7_cannot_smuggle_a_doctype() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-7"?>'
        b'+ADw-!DOCTYPE edXML +AFs-+ADw-!ENTITY e SYSTEM "file:///etc/passwd"+AD4-+AF0-+AD4-'
        + package().split(b"?>", 1)[1]
    )
    with pytest.raises(vbdt.UnsafeXMLError) as info:  # was: read with a warning only
        vbdt.read(data)
    assert info.value.rule == "EDX009"


def test_start_tag_over_the_bound_is_refused_even_inside_one_read() -> None:
    data = package(extra_root_children='<x a="' + "A" * 1_500_000 + '"/>')
    with pytest.raises(vbdt.ResourceLimitError, match="start tag"):  # was: read with EDX104
        vbdt.read(data)


def test_content_transfer_encoded_outside_an_attachment_is_kept_as_written() -> None:
    extra = "<Foo><ContentTransferEncoded>aGVsbG8=</ContentTransferEncoded></Foo>"
    result = vbdt.read(package(extra_root_children=extra))
    (_, kept) = result.package.structural_extensions[0]
    assert "aGVsbG8=" in kept.xml  # was: the reader's internal spool marker
    assert "vbdt-spool" not in kept.xml
    assert len(result.package.attachments) == 1


def test_element_flood_stops_while_scanning() -> None:
    data = package(extra_root_children="<y>a</y>" * 5000)
    options = vbdt.ReadOptions(limits=vbdt.Limits(max_elements=1000))
    with pytest.raises(vbdt.ResourceLimitError, match="number of elements") as info:
        vbdt.read(data, options=options)
    assert info.value.line is not None


def test_elements_inside_a_payload_are_not_merged() -> None:
    result = vbdt.read(package(payload="aGVs<x>bG8=</x>"))  # was: read as b"hello", silently
    (finding,) = [f for f in result.findings if f.rule == "EDX301"]
    assert "elements inside the payload" in finding.message


def test_zip_holding_less_than_it_declares_is_not_unwrapped() -> None:
    archive = bytearray(sdk_zip(random.Random(2).randbytes(1000)))
    with zipfile.ZipFile(io.BytesIO(bytes(archive))) as z:
        info = z.infolist()[0]
    # patch the uncompressed size in the central directory (and the local header) to 5000
    central = archive.rfind(b"PK\x01\x02")
    struct.pack_into("<I", archive, central + 24, 5000)
    struct.pack_into("<I", archive, 22, 5000)
    assert info.file_size == 1000
    result = vbdt.read(package(payload=base64.b64encode(bytes(archive)).decode()))
    (finding,) = [f for f in result.findings if f.rule == "EDX304"]
    assert "declares 5000 bytes but holds 1000" in finding.message


# -- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["inspect", "DIR"], ["validate", "DIR"], ["unpack", "DIR", "-d", "OUT"], ["bogus"], []],
    ids=["inspect-dir", "validate-dir", "unpack-dir", "unknown-command", "no-command"],
)
def test_usage_errors_are_one_line(args: list[str], tmp_path: Path) -> None:
    args = [
        str(tmp_path) if a == "DIR" else str(tmp_path / "out") if a == "OUT" else a for a in args
    ]
    result = CliRunner().invoke(cli, args)
    if not args:  # plain `vbdt` shows the help (on stderr, exit 2), not a squashed line
        assert result.exit_code == 2
        assert result.stderr.startswith("Usage: ")
        return
    assert result.exit_code == 2  # was: three lines (Usage, Try, Error)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vbdt: error: ")


def test_multi_line_parser_messages_become_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "cdata.edxml"
    bad.write_bytes(package().replace(b"<Subject>", b"<Subject><![CDATA[never closed", 1))
    result = CliRunner().invoke(cli, ["inspect", str(bad)])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject", "a\u0000b", "U+0000"),
        ("subject", "a\u0007b", "U+0007"),
        ("subject", "\ud800", "U+D800"),
        ("trace_attributes", {"xmlns": "urn:x"}, "attribute name"),
        ("structural_extensions", [{"parent": "Nowhere", "xml": "<x/>"}], "parent 'Nowhere'"),
    ],
    ids=["nul", "bell", "lone-surrogate", "xmlns-attribute", "unknown-parent"],
)
def test_pack_refuses_what_xml_cannot_carry(
    field: str, value: object, message: str, tmp_path: Path
) -> None:
    data = vbdt.package_to_json(vbdt.read(vbdt.example_path()).package)
    data[field] = value
    if field == "trace_attributes":
        data["trace"] = data["trace"] or [{"organ_id": "000.00.00.H41", "timestamp": None}]
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps(data), "utf-8")
    pdf = tmp_path / "3244-UBND-VP.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    result = CliRunner().invoke(
        cli, ["pack", str(meta), "--attach", str(pdf), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2  # was: "internal error"
    assert result.stderr.startswith("vbdt: error: ")
    assert message in result.stderr
    assert "internal error" not in result.stderr
