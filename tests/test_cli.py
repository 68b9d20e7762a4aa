"""The ``vbdt`` command line: inspect, validate, pack, unpack, --recover, and clean errors.

Most tests drive the click group in-process with :class:`click.testing.CliRunner`; a few run the
installed console script (and ``python -m vbdt_exchange``) as real processes, since that is
where a stray traceback would show.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import vbdt_exchange as vbdt
import vbdt_exchange.cli.envelope  # registers the commands on the group
from vbdt_exchange.cli._main import cli

CASES = Path(__file__).parent / "hostile" / "cases"
OLD_SAMPLE = CASES / "peer-undeclared-xlink-prefix.edxml"  # PVN resources__edoc.edxml
STRAY_BYTES = CASES / "peer-bytes-before-declaration.edxml"  # PVN resources__edoc_new.edxml
EXAMPLE_PDF = "3244-UBND-VP.pdf"
VBDT = Path(sys.executable).parent / "vbdt"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def assert_one_error_line(result: Result, exit_code: int = 2) -> str:
    """The command failed cleanly: the exit code, one ``vbdt: error:`` line, no traceback."""
    lines = result.stderr.splitlines()
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    assert len(lines) == 1, lines
    assert lines[0].startswith("vbdt: error: "), lines
    assert "Traceback" not in result.output
    assert "internal error" not in lines[0]
    return lines[0]


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "cong-van.edxml"
    shutil.copyfile(vbdt.example_path(), path)
    return path


def _variant(tmp_path: Path, name: str, old: bytes, new: bytes) -> Path:
    data = vbdt.example_path().read_bytes()
    assert old in data
    path = tmp_path / name
    path.write_bytes(data.replace(old, new))
    return path


@pytest.fixture
def with_errors(tmp_path: Path) -> Path:
    """The example with an impossible promulgation date (EDX203, an error)."""
    return _variant(
        tmp_path, "errors.edxml", b"<PromulgationDate>2026/11/20", b"<PromulgationDate>2026/02/30"
    )


@pytest.fixture
def with_warnings(tmp_path: Path) -> Path:
    """The example with a receiver OrganId not in the QCVN 102 form (EDX209, a warning)."""
    return _variant(
        tmp_path, "warnings.edxml", b"<OrganId>000.00.00.G22</OrganId>", b"<OrganId>G22</OrganId>"
    )


@pytest.fixture
def junk(tmp_path: Path) -> Path:
    path = tmp_path / "junk.bin"
    path.write_bytes(bytes(range(256)) * 8 + b"\x00\xff<\x00")
    return path


# -- inspect --------------------------------------------------------------------------------------


def test_inspect_summary(example: Path) -> None:
    result = invoke("inspect", example)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Kind", "edoc"]
    assert "From          000.00.00.H41 - Ủy ban nhân dân tỉnh Nghệ An" in lines
    assert "DocumentId    000.00.00.H41,2026/11/20,3244/UBND-VP" in lines
    assert any(
        line.startswith("Attachment    3244-UBND-VP.pdf (application/pdf, 598 bytes")
        for line in lines
    )
    assert lines[-1] == "Findings      0 error(s), 0 warning(s)"
    assert result.stderr == ""


def test_inspect_summary_lists_findings(with_warnings: Path) -> None:
    result = invoke("inspect", with_warnings)
    assert result.exit_code == 0
    assert "Findings      0 error(s), 1 warning(s)" in result.stdout
    assert "warning EDX209" in result.stdout


def test_inspect_json(example: Path) -> None:
    result = invoke("inspect", "--json", example)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["kind"] == "edoc"
    assert data["document_id"] == "000.00.00.H41,2026/11/20,3244/UBND-VP"
    assert data["subject"].startswith("V/v triển khai")
    (attachment,) = data["attachments"]
    assert attachment["name"] == EXAMPLE_PDF
    assert attachment["size"] == 598
    expected = vbdt.read(example).package.attachments[0].sha256()
    assert attachment["sha256"] == expected


def test_inspect_json_matches_the_library(example: Path) -> None:
    with vbdt.read(example) as read:
        expected = vbdt.package_to_json(read.package, read.findings)
    assert json.loads(invoke("inspect", "--json", example).stdout) == expected


# -- validate -------------------------------------------------------------------------------------
# (needs vbdt_exchange._schemas for files that can be read)


def test_validate_clean_file_exits_0(example: Path) -> None:
    result = invoke("validate", example)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{example}: OK (0 error(s), 0 warning(s))"


def test_validate_errors_exit_1(with_errors: Path) -> None:
    result = invoke("validate", with_errors)
    assert result.exit_code == 1, result.output
    assert f"{with_errors}: ERRORS" in result.stdout
    assert "error EDX203" in result.stdout


def test_validate_warnings_do_not_change_the_exit_code(with_warnings: Path) -> None:
    result = invoke("validate", with_warnings)
    assert result.exit_code == 0, result.output
    assert "warning EDX209" in result.stdout
    assert f"{with_warnings}: OK" in result.stdout


def test_validate_unreadable_exits_2(junk: Path) -> None:
    result = invoke("validate", junk)
    assert result.exit_code == 2
    assert f"{junk}: UNREADABLE" in result.stdout
    assert "error EDX002" in result.stdout
    assert "Traceback" not in result.output


def test_validate_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.edxml"
    result = invoke("validate", missing)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{missing}: UNREADABLE (1 error(s), 0 warning(s))",
        f"  error EDX008 cannot open {missing}: No such file or directory",
    ]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("names", "code"),
    [
        (["example", "with_warnings"], 0),
        (["example", "with_errors"], 1),
        (["with_errors", "junk", "example"], 2),
        (["junk", "with_errors"], 2),
    ],
    ids=["clean+warnings", "clean+errors", "errors+unreadable+clean", "unreadable+errors"],
)
def test_validate_several_files(
    names: list[str], code: int, request: pytest.FixtureRequest
) -> None:
    files = [request.getfixturevalue(name) for name in names]
    result = invoke("validate", *files)
    assert result.exit_code == code, result.output
    for file in files:  # every file is reported, whatever comes before it
        assert f"{file}: " in result.stdout


def test_validate_json_one_file(with_errors: Path) -> None:
    result = invoke("validate", "--json", with_errors)
    assert result.exit_code == 1
    (report,) = json.loads(result.stdout)  # a list, even for one file
    assert report["source"] == str(with_errors)
    assert (report["readable"], report["ok"]) == (True, False)
    assert report["errors"] >= 1
    assert "EDX203" in [f["rule"] for f in report["findings"]]


def test_validate_json_several_files(example: Path, with_warnings: Path, junk: Path) -> None:
    result = invoke("validate", "--json", example, with_warnings, junk)
    assert result.exit_code == 2
    reports = json.loads(result.stdout)
    assert [r["source"] for r in reports] == [str(example), str(with_warnings), str(junk)]
    assert [(r["readable"], r["ok"]) for r in reports] == [
        (True, True),
        (True, True),
        (False, False),
    ]
    assert reports[1]["warnings"] == 1
    assert reports[2]["findings"][0]["rule"] == "EDX002"


# -- pack and unpack ------------------------------------------------------------------------------


def test_round_trip_inspect_unpack_pack(example: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.json"
    meta.write_text(invoke("inspect", "--json", example).stdout, "utf-8")
    files = tmp_path / "files"
    assert invoke("unpack", example, "-d", files).exit_code == 0
    out = tmp_path / "new.edxml"
    result = invoke("pack", meta, "--attach", files / EXAMPLE_PDF, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {out} (")
    assert result.stderr == ""
    with vbdt.read(example) as original, vbdt.read(out) as rebuilt:
        assert rebuilt.package == original.package
        assert rebuilt.findings == ()


def test_round_trip_through_package_json(tmp_path: Path) -> None:
    """Several attachments, one SDK-zipped, and a Vietnamese file name."""
    original = vbdt.EdocPackage(
        **{
            **{
                f: getattr(vbdt.read(vbdt.example_path()).package, f)
                for f in (
                    "from_",
                    "to",
                    "code",
                    "promulgation",
                    "document_type",
                    "subject",
                    "steering_type",
                    "document_id",
                    "trace",
                )
            },
            "attachments": (
                vbdt.Attachment.from_bytes("báo cáo.txt", "nội dung".encode()),
                vbdt.Attachment.from_bytes("b.pdf", b"%PDF-1.7\n" + bytes(range(256))),
            ),
        }
    )
    source = tmp_path / "source.edxml"
    vbdt.write(original, source, attachment_form="sdk-zip")
    files = tmp_path / "files"
    assert invoke("unpack", source, "-d", files).exit_code == 0
    out = tmp_path / "new.edxml"
    result = invoke(
        "pack",
        files / "package.json",
        "--attach",
        files / "báo cáo.txt",
        "--attach",
        files / "b.pdf",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    with vbdt.read(source) as first, vbdt.read(out) as second:
        assert second.package == first.package
        assert [a.sdk_zipped for a in first.package.attachments] == [True, True]
        assert [a.sdk_zipped for a in second.package.attachments] == [False, False]


def test_pack_sdk_zip(example: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.json"
    meta.write_text(invoke("inspect", "--json", example).stdout, "utf-8")
    files = tmp_path / "files"
    invoke("unpack", example, "-d", files)
    out = tmp_path / "sdk.edxml"
    result = invoke("pack", meta, "--attach", files / EXAMPLE_PDF, "-o", out, "--sdk-zip")
    assert result.exit_code == 0, result.output
    with vbdt.read(out) as read, vbdt.read(example) as original:
        (attachment,) = read.package.attachments
        assert attachment.sdk_zipped
        assert [f.rule for f in read.findings] == ["EDX302"]
        assert read.package == original.package
        with attachment.wrapped.open() as stream:  # type: ignore[union-attr]
            assert stream.read(4) == b"PK\x03\x04"
    assert b"<ContentType>application/zip</ContentType>" in out.read_bytes()


def test_pack_reports_a_changed_attachment(example: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.json"
    meta.write_text(invoke("inspect", "--json", example).stdout, "utf-8")
    changed = tmp_path / EXAMPLE_PDF
    changed.write_bytes(b"%PDF-1.7 another file")
    result = invoke("pack", meta, "--attach", changed, "-o", tmp_path / "new.edxml")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"vbdt: note: {EXAMPLE_PDF} differs from the file META")


def test_pack_with_an_attachment_file_missing(example: Path, tmp_path: Path) -> None:
    meta = tmp_path / "meta.json"
    meta.write_text(invoke("inspect", "--json", example).stdout, "utf-8")
    out = tmp_path / "new.edxml"
    line = assert_one_error_line(invoke("pack", meta, "-o", out))
    assert f"no data given for attachment '{EXAMPLE_PDF}'" in line
    assert "$.attachments[0]" in line
    assert not out.exists()
    assert set(tmp_path.iterdir()) == {example, meta}


def test_pack_refuses_an_incomplete_package(tmp_path: Path) -> None:
    meta = tmp_path / "meta.json"
    meta.write_text('{"kind": "edoc", "subject": "x"}')
    result = invoke("pack", meta, "-o", tmp_path / "new.edxml")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"vbdt: error: {meta}: cannot write a standard package:"
    assert "  - From is missing" in lines
    assert lines[-1] == "  (use --lenient to write it anyway)"
    assert not (tmp_path / "new.edxml").exists()


def test_unpack_writes_files_and_package_json(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("unpack", example, "-d", out)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"wrote {out / EXAMPLE_PDF}",
        f"wrote {out / 'package.json'}",
    ]
    assert sorted(p.name for p in out.iterdir()) == [EXAMPLE_PDF, "package.json"]
    document = json.loads((out / "package.json").read_text("utf-8"))
    assert document["attachments"][0]["file"] == EXAMPLE_PDF
    with vbdt.read(example) as read, read.package.attachments[0].data.open() as stream:
        assert (out / EXAMPLE_PDF).read_bytes() == stream.read()


def test_unpack_never_overwrites(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / EXAMPLE_PDF).write_text("mine")
    (out / "package.json").write_text("mine too")
    first = invoke("unpack", example, "-d", out)
    second = invoke("unpack", example, "-d", out)
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert (out / EXAMPLE_PDF).read_text() == "mine"
    assert (out / "package.json").read_text() == "mine too"
    assert sorted(p.name for p in out.iterdir()) == [
        "3244-UBND-VP (2).pdf",
        "3244-UBND-VP (3).pdf",
        EXAMPLE_PDF,
        "package (2).json",
        "package (3).json",
        "package.json",
    ]


def test_unpack_makes_names_safe(tmp_path: Path) -> None:
    data = (
        vbdt.example_path()
        .read_bytes()
        .replace(
            b"<AttachmentName>3244-UBND-VP.pdf</AttachmentName>",
            b"<AttachmentName>../../../tmp/evil.pdf</AttachmentName>",
        )
    )
    source = tmp_path / "evil.edxml"
    source.write_bytes(data)
    out = tmp_path / "deep" / "out"
    result = invoke("unpack", source, "-d", out)
    assert result.exit_code == 0
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {source, out / "evil.pdf", out / "package.json"}


def test_unpack_of_an_attachment_without_valid_data(tmp_path: Path) -> None:
    result = invoke("unpack", "--recover", OLD_SAMPLE, "-d", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "skipped 'GUIDE_INSTALL OPENVPN.SIGNED.PDF': no valid data"
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["package.json"]


# -- --recover on the malformed peer samples ------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "rule"),
    [(OLD_SAMPLE, "EDX003"), (STRAY_BYTES, "EDX002")],
    ids=["undeclared-xlink-prefix", "bytes-before-declaration"],
)
def test_malformed_sample_needs_recover(sample: Path, rule: str) -> None:
    for command in (["inspect"], ["inspect", "--json"]):
        line = assert_one_error_line(invoke(*command, sample))
        assert f"[{rule}]" in line
        assert line.endswith("; --recover reads it anyway")


def test_recover_reads_the_undeclared_prefix_sample() -> None:
    result = invoke("inspect", "--recover", OLD_SAMPLE)
    assert result.exit_code == 0
    assert "warning EDX003 line 116" in result.stdout
    assert "error EDX301 line 130" in result.stdout
    assert "GUIDE_INSTALL OPENVPN.SIGNED.PDF (application/pdf, no valid data)" in result.stdout
    data = json.loads(invoke("inspect", "--json", "--recover", OLD_SAMPLE).stdout)
    assert data["subject"] == "Văn bản liên thông chỉ đạo - 190701"


def test_recover_reads_the_stray_bytes_sample(tmp_path: Path) -> None:
    result = invoke("inspect", "--recover", STRAY_BYTES)
    assert result.exit_code == 0
    assert "warning EDX002 line 1: 4 byte(s) before the XML declaration ('1212')" in result.stdout
    assert "1896_QD-TTg_m_294779.doc (application/msword, 388347 bytes" in result.stdout
    out = tmp_path / "out"
    assert invoke("unpack", "--recover", STRAY_BYTES, "-d", out).exit_code == 0
    assert (out / "1896_QD-TTg_m_294779.doc").stat().st_size == 388_347


def test_validate_recover() -> None:
    for sample in (STRAY_BYTES, OLD_SAMPLE):
        strict = invoke("validate", sample)
        assert strict.exit_code == 2
        assert f"{sample}: UNREADABLE" in strict.stdout
    result = invoke("validate", "--recover", STRAY_BYTES)
    assert result.exit_code == 0, result.output  # warnings only
    assert f"{STRAY_BYTES}: OK (0 error(s)," in result.stdout
    assert "warning EDX002 line 1" in result.stdout
    result = invoke("validate", "--recover", OLD_SAMPLE)
    assert result.exit_code == 1, result.output  # the placeholder payload is an error
    assert "warning EDX003 line 116" in result.stdout
    assert "error EDX301 line 130" in result.stdout


# -- bad input: one line on stderr, never a traceback ---------------------------------------------


def _bad_inputs(tmp_path: Path, example: Path) -> dict[str, Path]:
    files = {
        "empty": b"",
        "binary-junk": bytes(range(256)) * 4,
        "truncated-xml": example.read_bytes()[:1500],
        "truncated-in-payload": example.read_bytes()[:-300],
        "not-xml-text": "Đây không phải XML\n".encode(),
        "html": b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
        "xxe": (CASES / "xxe-system-file.xml").read_bytes(),
        "nul-bytes": bytes(1000),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.edxml"
        paths[name].write_bytes(data)
    paths["missing"] = tmp_path / "missing.edxml"
    return paths


BAD_PACKAGES = [
    "missing",
    "empty",
    "binary-junk",
    "truncated-xml",
    "truncated-in-payload",
    "not-xml-text",
    "html",
    "xxe",
    "nul-bytes",
]


@pytest.mark.parametrize("bad", BAD_PACKAGES)
@pytest.mark.parametrize(
    "command",
    [["inspect"], ["inspect", "--json"], ["inspect", "--recover"], ["unpack", "-d", "OUT"]],
    ids=["inspect", "inspect-json", "inspect-recover", "unpack"],
)
def test_bad_package_gives_one_error_line(
    command: list[str], bad: str, tmp_path: Path, example: Path
) -> None:
    path = _bad_inputs(tmp_path, example)[bad]
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    result = invoke(*args, path)
    if "--recover" in command and result.exit_code == 0:
        # the recovery parser reads some of these; when it does, it must say so
        assert any(rule in result.stdout for rule in ("EDX002", "EDX003", "EDX007"))
        assert "Traceback" not in result.output
        return
    line = assert_one_error_line(result)
    assert result.stdout == ""
    if bad == "xxe":
        assert "[EDX004]" in line
    if bad != "missing":
        assert "[EDX" in line


BAD_META = {
    "not-json": "{'kind': 'edoc'",
    "empty": "",
    "binary-junk": bytes(range(256)) * 4,
    "json-array": "[1, 2]",
    "json-null": "null",
    "kind-wrong-type": '{"kind": 5}',
    "unknown-kind": '{"kind": "letter"}',
    "from-wrong-type": '{"from": "000.00.00.H41"}',
    "to-items-wrong-type": '{"to": [1]}',
    "attachments-wrong-type": '{"attachments": "a.pdf"}',
    "attachment-name-wrong-type": '{"attachments": [{"name": 5}]}',
    "date-wrong-type": '{"promulgation": {"date": 20261120}}',
    "integer-wrong-type": '{"steering_type": [1]}',
    "boolean-as-integer": '{"other_info": {"priority": true}}',
    "float-overflow": '{"steering_type": 1e400}',
    "extension-not-xml": '{"extensions": ["<x"]}',
    "extension-with-dtd": '{"extensions": ["<!DOCTYPE x [<!ENTITY a SYSTEM \\"file:///etc/passwd\\">]><x>&a;</x>"]}',
    "status-answering-two": '{"kind": "status", "response_for": [{}, {}]}',
}


@pytest.mark.parametrize("bad", sorted(BAD_META))
def test_bad_meta_gives_one_error_line(bad: str, tmp_path: Path) -> None:
    meta = tmp_path / "meta.json"
    content = BAD_META[bad]
    meta.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = tmp_path / "out.edxml"
    line = assert_one_error_line(invoke("pack", meta, "-o", out))
    assert not out.exists()
    if bad in ("not-json", "empty", "binary-junk"):
        assert line.startswith(f"vbdt: error: {meta}: not JSON (")
    elif bad == "extension-with-dtd":
        assert "(DTD) is not allowed" in line
    else:
        assert "$" in line  # names where in the JSON the problem is


def test_usage_errors_exit_2() -> None:
    result = invoke("inspect")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert invoke("no-such-command").exit_code == 2


# -- real processes -------------------------------------------------------------------------------


def test_python_m_vbdt_exchange_help() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "vbdt_exchange", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Usage: ")
    for command in ("inspect", "validate", "pack", "unpack"):
        assert command in run.stdout


def test_console_script_inspect(example: Path) -> None:
    run = subprocess.run(
        [str(VBDT), "inspect", "--json", str(example)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["kind"] == "edoc"
    assert run.stderr == ""


@pytest.mark.parametrize("bad", ["missing", "binary-junk", "truncated-xml", "xxe"])
def test_console_script_bad_input(bad: str, tmp_path: Path, example: Path) -> None:
    path = _bad_inputs(tmp_path, example)[bad]
    run = subprocess.run(
        [str(VBDT), "inspect", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("vbdt: error: ")
    assert "Traceback" not in run.stderr


def test_console_script_pack_round_trip(example: Path, tmp_path: Path) -> None:
    def vbdt_run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(VBDT), *map(str, args)], capture_output=True, text=True, timeout=60, check=False
        )

    meta = tmp_path / "meta.json"
    meta.write_text(vbdt_run("inspect", "--json", example).stdout, "utf-8")
    assert vbdt_run("unpack", example, "-d", tmp_path / "files").returncode == 0
    out = tmp_path / "new.edxml"
    run = vbdt_run("pack", meta, "--attach", tmp_path / "files" / EXAMPLE_PDF, "-o", out)
    assert run.returncode == 0, run.stderr
    assert vbdt.read(out).package == vbdt.read(example).package


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    run = subprocess.run(
        [str(VBDT), "--debug", "inspect", str(tmp_path / "missing.edxml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" in run.stderr
    assert run.stderr.splitlines()[-1].startswith("vbdt: error: ")
