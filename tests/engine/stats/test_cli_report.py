"""``vbdt report``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from vbdt_exchange.cli._main import load_commands

A, B = "000.00.00.H29", "000.00.00.G22"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(load_commands(), list(args))
    return result.exit_code, result.stdout, result.stderr


def test_csv_to_stdout(q3_axis) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("report", "--period", "2026-Q3", "--axis-db", str(q3_axis.path))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    quarter = {
        (r["agency"], r["direction"]): r["documents"] for r in rows if r["period"] == "2026-Q3"
    }
    assert quarter[(A, "sent")] == "3"
    assert quarter[("*", "received")] == "5"


def test_json_for_one_agency_and_one_month(q3_axis) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        "report", "--period", "2026-09", "--agency", B, "--format", "json",
        "--axis-db", str(q3_axis.path),
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["agencies"] == [B]
    assert [(r["agency"], r["period"]) for r in data["rows"]] == [(B, "2026-09"), (None, "2026-09")]
    assert data["rows"][0]["sent"]["documents"] == 1  # document 3, 30 September 23:30
    assert data["rows"][0]["received"]["documents"] == 1  # document 4
    assert data["source"] == f"axis store {q3_axis.path}"
    assert data["names"] == {B: "Văn phòng Chính phủ"}


def test_html_to_a_file_by_quarter(q3_axis, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "reports" / "q.html"
    out.parent.mkdir()
    code, stdout, stderr = run(
        "report", "--period", "2026", "--by", "quarter", "--format", "html", "-o", str(out),
        "--axis-db", str(q3_axis.path),
    )  # fmt: skip
    assert code == 0, stderr
    assert stdout == ""
    assert f"wrote {out} (html, 3 agencies, 2026)" in stderr
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'data-chart="parts"' in page
    assert 'data-category="2026-Q2"' in page
    assert 'data-category="2026-Q4"' in page
    assert [p.name for p in out.parent.iterdir()] == ["q.html"]  # no temporary file left


def test_from_to_and_profile(q3_axis) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        "report", "--from", "2026-09-01", "--to", "2026-09-30", "--by", "none", "--format", "json",
        "--profile", "hai-duong-2020", "--axis-db", str(q3_axis.path),
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["period"]["label"] == "2026-09-01..2026-09-30"
    assert data["policy"] == "hai-duong-2020"
    received = next(r for r in data["rows"] if r["agency"] == A)["received"]
    assert received["paperless_eligible"] == 1  # Biên bản: eligible in Hải Dương


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-Q5", "--axis-db", "x.db"], "is not a period"),
        (["--axis-db", "x.db"], "give --period"),
        (["--from", "2026-01-01", "--axis-db", "x.db"], "both --from and --to"),
        (["--period", "2026", "--from", "2026-01-01", "--axis-db", "x.db"], "not both"),
        (["--from", "2026-02-30", "--to", "2026-03-01", "--axis-db", "x.db"], "not a date"),
        (["--period", "2026"], "exactly one source"),
        (["--period", "2026", "--axis-db", "a.db", "--engine-db", "e.db"], "exactly one source"),
        (["--period", "2026", "--axis-db", "missing.db"], "no such axis database"),
        (["--period", "2026", "--engine-db", "missing.db"], "no such engine journal"),
        (["--period", "2026", "--axis-db", "x.db", "--profile", "nope"], "nope"),
        (["--period", "2026", "--axis-db", "x.db", "--format", "pdf"], "pdf"),
    ],
)
def test_bad_command_lines_exit_2(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("report", *args)
    assert code == 2
    assert out == ""
    assert err.startswith("vbdt: error: ")
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "missing.db").exists()


def test_not_an_axis_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("hello")
    code, _, err = run("report", "--period", "2026", "--axis-db", str(junk))
    assert code == 2
    assert "not an axis database" in err
