"""Attachment names and ContentIds: path traversal, duplicates, manifest mismatches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _hostile import attachment, by_rule, only, package, reference
from click.testing import CliRunner

import vbdt_exchange as vbdt
import vbdt_exchange.cli.envelope
from vbdt_exchange import Severity
from vbdt_exchange.cli._main import cli

# (hostile AttachmentName, the plain name unpack writes it under)
TRAVERSAL = [
    ("../../etc/passwd", "passwd"),
    ("/etc/passwd", "passwd"),
    ("C:\\Windows\\x", "x"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("subdir/../../../x.txt", "x.txt"),
    ("..", "attachment-1"),
    ("./../.ssh/authorized_keys", "authorized_keys"),
]
TRAVERSAL_IDS = [
    "dotdot-posix",
    "absolute-posix",
    "windows-drive",
    "dotdot-windows",
    "dotdot-after-subdir",
    "dotdot-alone",
    "dot-dotdot-hidden",
]


def _named(name: str, payload: str = "aGVsbG8=") -> bytes:
    escaped = name.replace("&", "&amp;").replace("<", "&lt;")
    return package(
        attachments=[attachment(payload, name=escaped)], references=[reference(name=escaped)]
    )


def _all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(("name", "safe"), TRAVERSAL, ids=TRAVERSAL_IDS)
def test_unsafe_attachment_name_is_reported(name: str, safe: str) -> None:
    result = vbdt.read(_named(name))
    finding = only(result.findings, "EDX312", Severity.WARNING)
    assert repr(name) in finding.message
    assert finding.line == 27
    assert result.package.attachments[0].name == name  # kept as found, for the record
    assert [f.rule for f in result.findings] == ["EDX312"]


@pytest.mark.parametrize("name", ["báo cáo.pdf", "3244-UBND-VP.pdf", ".hidden", "a..b.txt"])
def test_plain_names_are_not_reported(name: str) -> None:
    assert by_rule(vbdt.read(_named(name)).findings, "EDX312") == []


@pytest.mark.parametrize(("name", "safe"), TRAVERSAL, ids=TRAVERSAL_IDS)
def test_unpack_keeps_files_inside_the_directory(name: str, safe: str, tmp_path: Path) -> None:
    source = tmp_path / "in.edxml"
    source.write_bytes(_named(name))
    out = tmp_path / "a" / "b" / "out"
    result = vbdt.unpack(source, out)
    (item,) = result.files
    assert item.path == out / safe
    assert item.path.read_bytes() == b"hello"
    assert _all_files(tmp_path) == {source, out / safe, out / "package.json"}


@pytest.mark.parametrize(("name", "safe"), TRAVERSAL, ids=TRAVERSAL_IDS)
def test_vbdt_unpack_keeps_files_inside_the_directory(name: str, safe: str, tmp_path: Path) -> None:
    source = tmp_path / "in.edxml"
    source.write_bytes(_named(name))
    out = tmp_path / "a" / "b" / "out"
    run = CliRunner().invoke(cli, ["unpack", str(source), "-d", str(out)])
    assert run.exit_code == 0, run.output
    assert _all_files(tmp_path) == {source, out / safe, out / "package.json"}
    listed = json.loads((out / "package.json").read_text("utf-8"))
    assert listed["attachments"][0]["file"] == safe


def test_unpack_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "passwd").write_text("keep me")
    (out / "package.json").write_text("{}")
    data = package(
        attachments=[
            attachment("aGVsbG8=", cid="a", name="../../etc/passwd"),
            attachment("aGVsbG8=", cid="b", name="/etc/passwd"),
        ],
        references=[
            reference(cid="a", name="../../etc/passwd"),
            reference(cid="b", name="/etc/passwd"),
        ],
    )
    result = vbdt.unpack(data, out)
    assert [f.path.name for f in result.files if f.path] == ["passwd (2)", "passwd (3)"]
    assert (out / "passwd").read_text() == "keep me"
    assert (out / "package.json").read_text() == "{}"
    assert result.package_json.name == "package (2).json"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("CON", "attachment-1_CON"),
        ("nul.txt", "attachment-1_nul.txt"),
        ('a|b?c*"d".txt', "a_b_c__d_.txt"),
        (" . ", "attachment-1"),
    ],
    ids=["device", "device-with-extension", "windows-reserved-characters", "dots-and-spaces"],
)
def test_unpack_makes_odd_names_safe(name: str, safe: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (item,) = vbdt.unpack(_named(name), out).files
    assert item.path == out / safe


def test_unpack_shortens_very_long_names(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (item,) = vbdt.unpack(_named("x" * 300 + ".pdf"), out).files
    assert item.path is not None
    assert item.path.parent == out
    assert len(item.path.name.encode()) <= 200
    assert item.path.suffix == ".pdf"


# -- ContentIds and the manifest ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("dup-1", "dup-1"), ("dup-1", "DUP-1"), ("cid:dup-1", "dup-1"), ("dup-1", " dup-1 ")],
    ids=["identical", "case", "cid-prefix-on-one-side", "whitespace"],
)
def test_duplicate_content_ids(first: str, second: str) -> None:
    def att(cid: str, name: str) -> str:
        return attachment("aGVsbG8=", name=name).replace(
            "<ContentId>cid:7f1c0d7e-5a4b-4c1e-9a53-2f0e8c6b1d20</ContentId>",
            f"<ContentId>{cid}</ContentId>",
        )

    data = package(
        attachments=[att(first, "a.txt"), att(second, "b.txt")],
        references=[reference(cid="dup-1", name="a.txt")],
    )
    result = vbdt.read(data)
    finding = only(result.findings, "EDX307", Severity.ERROR)
    assert "dup-1" in finding.message.lower()
    assert finding.path == "/edXML/AttachmentEncoded/Attachment[2]"
    assert [a.name for a in result.package.attachments] == ["a.txt", "b.txt"]


def test_many_duplicate_content_ids() -> None:
    data = package(
        attachments=[attachment("aGVsbG8=", name=f"{i}.txt") for i in range(50)],
        references=[reference()],
    )
    result = vbdt.read(data)
    assert len(by_rule(result.findings, "EDX307")) == 49
    assert all(f.severity is Severity.ERROR for f in by_rule(result.findings, "EDX307"))


def test_manifest_entry_without_attachment() -> None:
    data = package(references=[reference(), reference(cid="ghost", name="ghost.pdf")])
    result = vbdt.read(data)
    finding = only(result.findings, "EDX305", Severity.WARNING)
    assert "'ghost'" in finding.message
    assert finding.path == "/edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference[2]"
    (orphan,) = result.package.orphan_references
    assert orphan.content_id == "ghost"
    assert orphan.name == "ghost.pdf"


def test_attachment_without_manifest_entry() -> None:
    result = vbdt.read(package(references=[]))
    finding = only(result.findings, "EDX306", Severity.WARNING)
    assert "7f1c0d7e-5a4b-4c1e-9a53-2f0e8c6b1d20" in finding.message
    assert len(result.package.attachments) == 1


def test_manifest_and_attachments_entirely_disjoint() -> None:
    data = package(
        attachments=[attachment("aGVsbG8=", cid=f"att-{i}") for i in range(3)],
        references=[reference(cid=f"ref-{i}") for i in range(2)],
    )
    result = vbdt.read(data)
    assert len(by_rule(result.findings, "EDX305")) == 2
    assert len(by_rule(result.findings, "EDX306")) == 3
    assert not result.errors


def test_cid_prefix_on_one_side_only_matches() -> None:
    """edXML §9.2: the .NET template omits ``cid:`` on the Attachment side."""
    data = package().replace(b"<ContentId>cid:7f1c", b"<ContentId>CID:7f1c", 1)
    data = data.replace(b"<ContentId>cid:7f1c", b"<ContentId> 7f1c", 1)
    result = vbdt.read(data)
    assert by_rule(result.findings, "EDX305") == []
    assert by_rule(result.findings, "EDX306") == []
