"""``vbdt catalog doctype`` and ``vbdt catalog number`` through click's CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from vbdt_exchange.cli._main import cli

KEYS = ["input", "valid", "number", "year", "type_abbreviation", "type_name", "issuer", "unit",
        "party", "error"]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _commands() -> Iterator[None]:
    """Register the catalog commands for these tests only: other tests (the CLI reference page)
    look at the commands registered in the shared ``cli`` group."""
    before = dict(cli.commands)
    import vbdt_exchange.cli.catalog_types  # noqa: F401 - registers the commands

    yield
    cli.commands.clear()
    cli.commands.update(before)


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_number_json_has_exactly_the_documented_keys() -> None:
    result = run("catalog", "number", "30/2020/NĐ-CP", "Số 145 - CV/TU", "3244/UBND-VP", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [list(item) for item in data] == [KEYS] * 3
    assert data[0] == {
        "input": "30/2020/NĐ-CP", "valid": True, "number": 30, "year": 2020,
        "type_abbreviation": "NĐ", "type_name": "Nghị định", "issuer": "CP", "unit": None,
        "party": False, "error": None,
    }  # fmt: skip
    assert (data[1]["party"], data[1]["type_abbreviation"], data[1]["issuer"]) == (True, "CV", "TU")
    assert (data[2]["type_abbreviation"], data[2]["type_name"], data[2]["unit"]) == (
        None, "Công văn", "VP",
    )  # fmt: skip


def test_number_exit_1_when_any_is_invalid() -> None:
    result = run("catalog", "number", "15/QĐ-BNV", "QĐ-BNV", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [d["valid"] for d in data] == [True, False]
    assert "does not start with the number" in data[1]["error"]
    assert data[1]["party"] is False
    assert data[1]["number"] is None


def test_number_text_output() -> None:
    result = run("catalog", "number", "5/QĐ-BNV", "32-QĐ/TU")
    assert result.exit_code == 0
    assert "formatted: 05/QĐ-BNV" in result.output
    assert "leading zero" in result.output
    assert "Quyết định (Đảng) or Quy định (Đảng)" in result.output
    bad = run("catalog", "number", "15/QĐ BNV")
    assert bad.exit_code == 1
    assert "space inside the notation" in bad.output


def test_number_needs_an_argument() -> None:
    result = run("catalog", "number")
    assert result.exit_code == 2


def test_doctype_lookup() -> None:
    result = run("catalog", "doctype", "quy dinh")
    assert result.exit_code == 0
    assert "QyĐ" in result.output
    assert "Quy định" in result.output
    data = json.loads(run("catalog", "doctype", "QYĐ", "--json").output)
    assert data["match"]["abbreviation"] == "QyĐ"
    assert data["match"]["article7_position"] == 5
    assert "QyĐ" in data["warning"]
    qd = json.loads(run("catalog", "doctype", "QĐ", "--json").output)
    assert qd["match"]["kind"] == "administrative"
    assert {o["kind"] for o in qd["others"]} == {"legal", "party"}


def test_doctype_partial_and_unknown() -> None:
    partial = run("catalog", "doctype", "giấy")
    assert partial.exit_code == 0
    assert "Giấy mời" in partial.output
    unknown = run("catalog", "doctype", "zzz")
    assert unknown.exit_code == 1
    assert "neither the name nor the abbreviation" in unknown.output
    unknown_json = run("catalog", "doctype", "zzz", "--json")
    assert unknown_json.exit_code == 1
    assert json.loads(unknown_json.output)["match"] is None
