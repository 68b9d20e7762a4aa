"""``vbdt catalog organ-id`` and ``vbdt catalog agencies`` through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import vbdt_exchange.cli.catalog_organ  # noqa: F401 - registers the commands
from vbdt_exchange.cli._main import cli

VECTORS = Path(__file__).parent / "vectors"
KEYS = ["input", "valid", "strict", "level", "parent", "root", "group", "warning", "error"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["catalog", *args], standalone_mode=False)
    code = result.return_value if isinstance(result.return_value, int) else result.exit_code
    return code, result.output


def test_organ_id_json_has_exactly_the_documented_keys() -> None:
    code, out = run("organ-id", "000.00.18.G12", "vxp.saas.03", "--json")
    assert code == 0
    data = json.loads(out)
    assert [list(item) for item in data] == [KEYS, KEYS]
    assert data[0] == {
        "input": "000.00.18.G12",
        "valid": True,
        "strict": True,
        "level": 2,
        "parent": "000.00.00.G12",
        "root": "000.00.00.G12",
        "group": "G",
        "warning": None,
        "error": None,
    }
    assert data[1]["valid"] is True
    assert data[1]["strict"] is False
    assert data[1]["warning"].startswith("not in the QCVN 102 form")


def test_organ_id_exit_1_when_any_is_invalid() -> None:
    code, out = run("organ-id", "000.00.00.G22", "vxp saas", "--json")
    assert code == 1
    data = json.loads(out)
    assert [d["valid"] for d in data] == [True, False]
    assert data[1]["error"] == "whitespace inside the identifier"


def test_organ_id_text_output_one_line_per_id() -> None:
    code, out = run("organ-id", "000.00.00.g22", "H37.DN.001", "")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("000.00.00.G22: valid; level 1; group G (Government")
    assert "Văn phòng Chính phủ [confirmed]" in lines[0]
    assert lines[1].startswith("H37.DN.001: valid (not strict): not in the QCVN 102 form")
    assert lines[2] == ": invalid: empty"


def test_organ_id_unknown_letter_is_reported_unknown() -> None:
    code, out = run("organ-id", "000.00.00.Z99")
    assert code == 0
    assert "group Z (unknown)" in out


def test_organ_id_needs_an_argument() -> None:
    result = CliRunner().invoke(cli, ["catalog", "organ-id"])
    assert result.exit_code == 2


def test_agencies_find_in_bundled_table() -> None:
    code, out = run("agencies", "--find", "DAK LAK")
    assert code == 0
    assert out.splitlines() == ["000.00.00.H16\tỦy ban nhân dân tỉnh Đắk Lắk"]


def test_agencies_from_json_by_code() -> None:
    code, out = run(
        "agencies", str(VECTORS / "agencies_qd20.json"), "--code", "000.00.00.g22", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert [(d["code102"], d["code_qd20"]) for d in data] == [("000.00.00.G22", "QD20.G22")]


def test_agencies_from_csv_text() -> None:
    code, out = run("agencies", str(VECTORS / "agencies.csv"), "--find", "nghe an")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "000.00.00.H41",
        "000.00.00.K41",
    ]


def test_agencies_no_match_exits_1() -> None:
    code, out = run("agencies", "--find", "khong co co quan nay")
    assert code == 1
    assert out == ""


def test_agencies_malformed_file_is_one_line_exit_2() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vbdt_exchange",
            "catalog",
            "agencies",
            str(VECTORS / "agencies_bad_row.json"),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().endswith("agencies_bad_row.json: data[1]: missing key 'name'")
    assert "Traceback" not in result.stderr


def test_console_script_runs_organ_id() -> None:
    vbdt = Path(sys.executable).parent / "vbdt"
    result = subprocess.run(
        [str(vbdt), "catalog", "organ-id", "000.00.00.G22"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("000.00.00.G22: valid; level 1")
