"""DocumentId: the old parse/make/compact/is_valid meaning, and the number-and-symbol helpers."""

from __future__ import annotations

import contextlib
import datetime
import unicodedata
from typing import Any

import pytest

from vbdt_exchange.catalog import document_id
from vbdt_exchange.catalog.document_id import InvalidDocumentId
from vbdt_exchange.catalog.number import InvalidNumber
from vbdt_exchange.errors import CatalogError


def test_parse_and_make_keep_their_meaning() -> None:
    parts = document_id.parse("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
    assert parts == ("000.00.00.G22", "2015/09/30", "7816", "VPCP-TTĐT")
    assert parts.code == "7816/VPCP-TTĐT"
    party = document_id.parse("000.00.00.H29,2021/04/28,145/CV/TU")
    assert (party.number, party.notation) == ("145", "CV/TU")
    assert document_id.make("A", "2020/01/02", "1", "X-Y") == "A,2020/01/02,1/X-Y"
    nfd = unicodedata.normalize("NFD", " A,2020/01/02,1/TTĐT ")
    assert document_id.compact(nfd) == "A,2020/01/02,1/TTĐT"
    assert document_id.is_valid("9fbfbad2-f1f8-4256-a2eb-50fb1061cddb") is False
    assert document_id.is_valid("000.00.14.H56,2020/06/02,808/VNPTTEST")


@pytest.mark.parametrize(
    "value",
    ["", "a,b", "A,2020-01-02,1/X", "A,2020/01/02,1X", ",2020/01/02,1/X", "A,2020/01/02,/X"],
)
def test_malformed_document_ids(value: str) -> None:
    with pytest.raises(InvalidDocumentId, match="OrganId,yyyy/MM/dd,Number/Notation"):
        document_id.parse(value)
    assert not document_id.is_valid(value)


@pytest.mark.parametrize(
    ("text", "default", "alternative"),
    [
        ("3244/UBND-VP", ("3244", "UBND-VP"), ("3244", "UBND-VP")),
        ("5/QĐ-BNV", ("05", "QĐ-BNV"), ("05", "QĐ-BNV")),
        ("145-CV/TU", ("145", "CV/TU"), ("145-CV", "TU")),
        ("30/2020/NĐ-CP", ("30", "2020/NĐ-CP"), ("30/2020", "NĐ-CP")),
    ],
)
def test_code_fields_split_choices(
    text: str, default: tuple[str, str], alternative: tuple[str, str]
) -> None:
    assert document_id.code_fields(text) == default
    assert (
        document_id.code_fields(text, party_split="number-and-type", legal_split="number-and-year")
        == alternative
    )


def test_from_number_round_trips_through_parse_and_number_of() -> None:
    for text in ["3244/UBND-VP", "145-CV/TU", "30/2020/NĐ-CP", "26-NQ/TU", "01/2019/TT-BNV"]:
        for split in document_id.PARTY_SPLITS:
            value = document_id.from_number(
                "000.00.00.H29", datetime.date(2021, 4, 28), text, party_split=split
            )
            assert document_id.is_valid(value)
            parts = document_id.parse(value)
            assert parts.date == "2021/04/28"
            assert document_id.code_fields(text, party_split=split) == (
                parts.number,
                parts.notation,
            )
            assert document_id.number_of(value).format() == text


def test_from_number_accepts_a_parsed_number_and_a_date_string() -> None:
    from vbdt_exchange.catalog import number

    value = document_id.from_number("G22", "2020/03/05", number.parse("Số 30/2020/NĐ-CP"))
    assert value == "G22,2020/03/05,30/2020/NĐ-CP"


@pytest.mark.parametrize(
    ("organ", "date", "text", "error"),
    [
        ("", "2020/01/01", "1/QĐ-BNV", InvalidDocumentId),
        ("A,B", "2020/01/01", "01/QĐ-BNV", InvalidDocumentId),
        ("A B", "2020/01/01", "01/QĐ-BNV", InvalidDocumentId),
        ("A", "01/01/2020", "01/QĐ-BNV", InvalidDocumentId),
        ("A", None, "01/QĐ-BNV", InvalidDocumentId),
        ("A", "2020/01/01", "QĐ-BNV", InvalidNumber),
        ("A", "2020/01/01", 5, InvalidDocumentId),
    ],
)
def test_from_number_rejects_bad_parts(organ: Any, date: Any, text: Any, error: type) -> None:
    with pytest.raises(error):
        document_id.from_number(organ, date, text)


def test_code_fields_rejects_an_unknown_split() -> None:
    with pytest.raises(InvalidDocumentId, match="party_split"):
        document_id.code_fields("145-CV/TU", party_split="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidDocumentId, match="legal_split"):
        document_id.code_fields("145-CV/TU", legal_split="x")  # type: ignore[arg-type]


def test_parse_code_accepts_the_sdk_party_join_only_for_party_types() -> None:
    assert document_id.parse_code("145/CV/TU").format() == "145-CV/TU"
    with pytest.raises(InvalidNumber, match="too many '/'"):
        document_id.parse_code("145/XX/TU")


JUNK: list[Any] = [
    None, "", "   ", "x" * 10000, b"A,2020/01/01,1/X", object(), 1, "\x00", "A,2020/01/01,\x00/X",
    unicodedata.normalize("NFD", "A,2020/01/01,1/TTĐT"), "A,2020/01/01,1/X" + "Y" * 10000,
]  # fmt: skip


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk(junk: Any) -> None:
    assert document_id.is_valid(junk) in (True, False)
    functions: list[Any] = [
        document_id.parse,
        document_id.validate,
        document_id.format,
        document_id.number_of,
        document_id.parse_code,
        document_id.code_fields,
    ]
    for func in functions:
        with contextlib.suppress(CatalogError):
            func(junk)
    assert not document_id.is_valid(None)
    assert not document_id.is_valid(b"A,2020/01/01,1/X")
