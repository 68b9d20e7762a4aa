"""``vbdt status make``: a status package for a received edoc package, and its errors."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import vbdt_exchange as vbdt
import vbdt_exchange.cli.status_make  # registers `vbdt status make`
from vbdt_exchange import StaffInfo, StatusPackage
from vbdt_exchange.cli._main import cli
from vbdt_exchange.cli.status import status
from vbdt_exchange.status.build import KNOWN_CODES, STATUS_LABELS

PEERS = Path(__file__).parents[1] / "vectors" / "peers" / "PVN-Organization__API-Gateway-iOffice"
UPDATE = PEERS / "resources__edoc_update.edxml"
DOCUMENT_ID = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    """The command is on the group during each test; the group is restored afterwards."""
    saved = dict(status.commands)
    status.add_command(vbdt_exchange.cli.status_make.make, "make")
    yield
    status.commands.clear()
    status.commands.update(saved)


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["status", "make", *map(str, args)])


def _status(path: Path) -> StatusPackage:
    with vbdt.read(path) as result:
        assert isinstance(result.package, StatusPackage)
        return result.package


@pytest.mark.parametrize("code", KNOWN_CODES)
def test_make_every_code(tmp_path: Path, code: str) -> None:
    out = tmp_path / f"status-{code}.edxml"
    sender, to = (
        ("000.00.00.G22", ["--to", "000.00.00.H41"]) if code == "13" else ("000.00.00.H41", [])
    )
    result = invoke("--for", UPDATE, "--code", code, "--from", sender, *to, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {out} (status {code} for {DOCUMENT_ID})\n"
    assert result.stderr == ""
    status_package = _status(out)
    assert status_package.status_code == code
    assert status_package.description == STATUS_LABELS[code]
    assert status_package.from_ is not None
    assert status_package.from_.organ_id == sender
    ref = status_package.response_for
    assert ref is not None
    assert ref.document_id == DOCUMENT_ID
    assert ref.organ_id == ("000.00.00.H41" if code == "13" else "000.00.00.G22")
    assert isinstance(status_package.timestamp, datetime.datetime)
    assert vbdt.validate(out).errors == ()


def test_make_with_staff_and_description(tmp_path: Path) -> None:
    out = tmp_path / "s.edxml"
    result = invoke(
        "--for", UPDATE, "--code", "02", "--from", "000.00.00.H14",
        "--description", "Không đúng thẩm quyền", "--staff", "Nguyễn Văn A",
        "--department", "Văn phòng", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    made = _status(out)
    assert made.description == "Không đúng thẩm quyền"
    assert made.staff == StaffInfo(department="Văn phòng", staff="Nguyễn Văn A")


def test_recover(tmp_path: Path) -> None:
    broken = tmp_path / "broken.edxml"
    broken.write_bytes(b"\xef\xbb\xbf  garbage" + UPDATE.read_bytes())
    out = tmp_path / "s.edxml"
    refused = invoke("--for", broken, "--code", "01", "--from", "000.00.00.H41", "-o", out)
    assert refused.exit_code == 2
    assert not out.exists()
    result = invoke(
        "--for", broken, "--code", "01", "--from", "000.00.00.H41", "-o", out, "--recover"
    )
    assert result.exit_code == 0, result.stderr
    assert _status(out).status_code == "01"


def _one_error(result: Result) -> str:
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vbdt: error: ")
    return lines[0]


def test_missing_package(tmp_path: Path) -> None:
    out = tmp_path / "s.edxml"
    line = _one_error(
        invoke("--for", tmp_path / "nope.edxml", "--code", "03", "--from", "X", "-o", out)
    )
    assert "nope.edxml" in line
    assert not out.exists()


@pytest.mark.parametrize("code", ["07", "3", "103", "xx"])
def test_unknown_code(tmp_path: Path, code: str) -> None:
    out = tmp_path / "s.edxml"
    line = _one_error(invoke("--for", UPDATE, "--code", code, "--from", "000.00.00.H41", "-o", out))
    assert f"unknown status code '{code}'" in line
    assert line.endswith("01, 02, 03, 04, 05, 06, 13, 15, 16")
    assert not out.exists()


def test_thirteen_without_to(tmp_path: Path) -> None:
    out = tmp_path / "s.edxml"
    line = _one_error(invoke("--for", UPDATE, "--code", "13", "--from", "000.00.00.G22", "-o", out))
    assert "--to" in line
    assert not out.exists()


def test_status_package_given(tmp_path: Path) -> None:
    out = tmp_path / "s.edxml"
    sample = PEERS / "resources__status_inbox_01.edxml"
    line = _one_error(invoke("--for", sample, "--code", "03", "--from", "X", "-o", out))
    assert "status package" in line


def test_missing_option(tmp_path: Path) -> None:
    line = _one_error(invoke("--for", UPDATE, "--code", "03", "-o", tmp_path / "s.edxml"))
    assert "--from" in line
