"""``vbdt policy check`` and ``vbdt policy list``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import vbdt_exchange.cli.policy  # noqa: F401  (registers the commands)
from vbdt_exchange.cli._main import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["policy", *args])
    return result.exit_code, result.stdout, result.stderr


def test_check_cong_van_default_profile() -> None:
    code, out, _ = run("check", "--type", "Công văn")
    assert code == 0
    assert out.startswith("electronic_only")
    assert "seed002-26-types" in out
    assert "002_0169100b6e299f33.txt" in out


def test_check_json_has_exactly_the_four_keys() -> None:
    code, out, _ = run("check", "--type", "Công văn", "--date", "2024-01-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data == {
        "verdict": "electronic_only",
        "rule": "seed002-26-types",
        "source": data["source"],
        "profile": "national",
    }
    assert set(data) == {"verdict", "rule", "source", "profile"}


def test_check_paper_also_exits_0() -> None:
    code, out, _ = run("check", "--type", "Biên bản", "--json")
    assert code == 0
    assert json.loads(out)["verdict"] == "paper_also"


def test_check_secret_exits_1() -> None:
    code, out, _ = run("check", "--type", "Công văn", "--secrecy", "Mật", "--json")
    assert code == 1
    assert json.loads(out) == {
        "verdict": "not_electronic",
        "rule": "secret-never",
        "source": json.loads(out)["source"],
        "profile": "national",
    }


def test_check_topics_and_profile() -> None:
    code, out, _ = run(
        "check",
        "--type",
        "Quyết định",
        "--profile",
        "thanh-hoa-2019",
        "--date",
        "2019-06-01",
        "--topic",
        "weather",
        "--topic",
        "tổ chức cán bộ",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["rule"] == "seed001-thanh-hoa-personnel"


def test_check_reports_unknown_topics_in_text_mode() -> None:
    code, out, _ = run("check", "--type", "Công văn", "--topic", "weather")
    assert code == 0
    assert "weather" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "xyz"], "unknown document type"),
        (["--type", "Công văn", "--profile", "nope"], "unknown policy profile"),
        (["--type", "Công văn", "--secrecy", "very"], "secrecy"),
        (["--type", "Công văn", "--date", "2021-13-01"], "not a date"),
        (["--type", "QĐ", "--profile", "hai-duong-party-2021"], "ambiguous"),
        (["--type", ""], "document type"),
        (["--type", "Công văn", "--profile", "/nonexistent/p.toml"], "cannot be read"),
    ],
)
def test_check_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    code, out, err = run("check", *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("vbdt: error: ")
    assert message in lines[0]


def test_check_requires_type() -> None:
    code, _, err = run("check")
    assert code == 2
    assert "--type" in err


def test_check_user_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'schema = 1\nname = "mine"\ntitle_vi = "x"\ntitle_en = "y"\n'
        '[source]\nfile = "f"\ndocument = "d"\narticle = "a"\n'
        "[effective]\n"
        '[allowed]\nrule = "mine-ok"\narticle = "a"\nreason_vi = "v"\nreason_en = "e"\n'
        'types = ["Báo cáo"]\n',
        "utf-8",
    )
    code, out, _ = run("check", "--type", "BC", "--profile", str(path), "--json")
    assert code == 0
    assert json.loads(out) == {
        "verdict": "electronic_only",
        "rule": "mine-ok",
        "source": "f, d, a",
        "profile": "mine",
    }
    path.write_text("name = [", "utf-8")
    code, _, err = run("check", "--type", "BC", "--profile", str(path))
    assert code == 2
    assert "not valid TOML" in err


def test_list_text_and_json() -> None:
    code, out, _ = run("list")
    assert code == 0
    assert [line.split()[0] for line in out.strip().splitlines()] == [
        "dak-lak-2019-pilot",
        "hai-duong-2020",
        "hai-duong-party-2021",
        "national",
        "thanh-hoa-2019",
    ]
    code, out, _ = run("list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {r["name"] for r in rows} >= {"national", "hai-duong-party-2021"}
    pilot = next(r for r in rows if r["name"] == "dak-lak-2019-pilot")
    assert (pilot["effective_from"], pilot["effective_until"]) == ("2019-05-02", "2019-06-15")
