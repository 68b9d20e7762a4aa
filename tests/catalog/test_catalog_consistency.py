"""The catalogue's data agree with each other, and every function survives junk input."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import pytest

from vbdt_exchange.catalog import codes, doctypes, document_id, number, organ_id, policy
from vbdt_exchange.errors import CatalogError


def _policy_types() -> list[dict[str, Any]]:
    data = (files("vbdt_exchange.catalog") / "data" / "policies" / "_doctypes.toml").read_text(
        "utf-8"
    )
    types: list[dict[str, Any]] = tomllib.loads(data)["types"]
    return types


@pytest.mark.parametrize("entry", _policy_types(), ids=lambda e: e["id"])
def test_policy_types_match_the_document_type_catalogue(entry: dict[str, Any]) -> None:
    """policies/_doctypes.toml and data/doctypes.csv describe the same NĐ 30 types."""
    if entry["art7"]:
        (match,) = [
            t
            for t in doctypes.all_types()
            if t.kind == "administrative" and t.position == entry["art7"]
        ]
        assert match.name == entry["name"]
        assert (match.abbreviation or "") == entry["abbreviation"]
    else:  # a legal or Party type: one of its names is known to the catalogue
        names = [entry["name"], *entry["aliases"]]
        assert any(doctypes.is_valid(n) for n in names), names


def test_policy_unknown_type_is_a_document_type_error() -> None:
    assert issubclass(policy.UnknownDocumentType, doctypes.UnknownDocumentType)
    with pytest.raises(doctypes.UnknownDocumentType):
        policy.check("không có loại này", date=None)


JUNK: list[object] = [
    "",
    "   ",
    "\t\n",
    "x" * 10_000,
    "\x00",
    "a\x07b",
    "\ud800",
    unicodedata.normalize("NFD", "Quyết định"),
    "ＱĐ",  # full-width letters
    "💥/2020/NĐ-CP",
    None,
    b"000.00.00.G22",
    42,
    object(),
]

FUNCTIONS: dict[str, Callable[[Any], object]] = {
    "organ_id.compact": organ_id.compact,
    "organ_id.validate": organ_id.validate,
    "organ_id.format": organ_id.format,
    "organ_id.check": organ_id.check,
    "document_id.parse": document_id.parse,
    "document_id.compact": document_id.compact,
    "doctypes.lookup": doctypes.lookup,
    "doctypes.validate": doctypes.validate,
    "number.parse": number.parse,
    "number.validate": number.validate,
    "number.compact": number.compact,
    "codes.code_list": codes.code_list,
    "codes.priority": lambda v: codes.code_list("priority").lookup(v),
    "policy.check": lambda v: policy.check(v),
}
VALIDITY: dict[str, Callable[[Any], bool]] = {
    "organ_id": organ_id.is_valid,
    "document_id": document_id.is_valid,
    "doctypes": doctypes.is_valid,
    "number": number.is_valid,
}


@pytest.mark.parametrize("value", JUNK, ids=lambda v: repr(v)[:24])
@pytest.mark.parametrize("name", sorted(VALIDITY))
def test_is_valid_never_raises(name: str, value: object) -> None:
    assert VALIDITY[name](value) in (True, False)


@pytest.mark.parametrize("value", JUNK, ids=lambda v: repr(v)[:24])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functions_raise_only_catalog_errors(name: str, value: object) -> None:
    try:
        FUNCTIONS[name](value)
    except CatalogError as exc:
        message = str(exc)  # a message saying what is wrong
    else:
        return
    assert message


def test_thanh_hoa_personnel_exception_knows_the_everyday_word() -> None:
    import datetime

    decision = policy.check(
        "Quyết định", topics=("nhân sự",), profile="thanh-hoa-2019", date=datetime.date(2020, 1, 1)
    )
    assert decision.verdict == "paper_also"  # seed 001: tổ chức cán bộ (personnel) go with paper
    assert decision.rule == "seed001-thanh-hoa-personnel"
