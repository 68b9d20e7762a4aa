"""Numbers and symbols: every one in the seeds, every example of the spec, malformed ones, junk."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from vbdt_exchange.catalog import number
from vbdt_exchange.catalog.number import InvalidNumber
from vbdt_exchange.errors import CatalogError

SEEDS = Path("/work/shared/seeds")

# (seed file, as printed, number, year, type abbreviation, type name, issuer, unit, party,
#  canonical form). Every number and symbol that appears in the five seeds.
SEED_NUMBERS: list[
    tuple[str, str, int, int | None, str | None, str | None, str, str | None, bool, str]
] = [
    (
        "000_0050a8493311bfa3.txt",
        "3244/UBND-VP",
        3244,
        None,
        None,
        "Công văn",
        "UBND",
        "VP",
        False,
        "3244/UBND-VP",
    ),
    (
        "000_0050a8493311bfa3.txt",
        "30/2020/NĐ-CP",
        30,
        2020,
        "NĐ",
        "Nghị định",
        "CP",
        None,
        False,
        "30/2020/NĐ-CP",
    ),
    (
        "001_144714b76144bfff.txt",
        "Số:4679/UBND-CNTT",
        4679,
        None,
        None,
        "Công văn",
        "UBND",
        "CNTT",
        False,
        "4679/UBND-CNTT",
    ),
    (
        "001_144714b76144bfff.txt",
        "28/2018/QĐ-TTg",
        28,
        2018,
        "QĐ",
        "Quyết định của Thủ tướng Chính phủ",
        "TTg",
        None,
        False,
        "28/2018/QĐ-TTg",
    ),
    (
        "001_144714b76144bfff.txt",
        "1118/QĐ-UBND",
        1118,
        None,
        "QĐ",
        "Quyết định (cá biệt)",
        "UBND",
        None,
        False,
        "1118/QĐ-UBND",
    ),
    (
        "001_144714b76144bfff.txt",
        "17/NQ-CP",
        17,
        None,
        "NQ",
        "Nghị quyết (cá biệt)",
        "CP",
        None,
        False,
        "17/NQ-CP",
    ),
    (
        "001_144714b76144bfff.txt",
        "2764/2017/QĐ-UBND",
        2764,
        2017,
        "QĐ",
        "Quyết định của Ủy ban nhân dân",
        "UBND",
        None,
        False,
        "2764/2017/QĐ-UBND",
    ),
    (
        "002_0169100b6e299f33.txt",
        "13/UBND-VP1",
        13,
        None,
        None,
        "Công văn",
        "UBND",
        "VP1",
        False,
        "13/UBND-VP1",
    ),
    (
        "003_b2275f787926202a.txt",
        "3321/UBND-KSTTHC",
        3321,
        None,
        None,
        "Công văn",
        "UBND",
        "KSTTHC",
        False,
        "3321/UBND-KSTTHC",
    ),
    (
        "003_b2275f787926202a.txt",
        "01/2019/TT-BNV",
        1,
        2019,
        "TT",
        "Thông tư",
        "BNV",
        None,
        False,
        "01/2019/TT-BNV",
    ),
    (
        "004_5a0f866f50e7b39a.txt",
        "Số 145 - CV/TU",
        145,
        None,
        "CV",
        "Công văn (Đảng)",
        "TU",
        None,
        True,
        "145-CV/TU",
    ),
    ("004_5a0f866f50e7b39a.txt", "32-QĐ/TU", 32, None, "QĐ", None, "TU", None, True, "32-QĐ/TU"),
    (
        "004_5a0f866f50e7b39a.txt",
        "26-NQ/TU",
        26,
        None,
        "NQ",
        "Nghị quyết (Đảng)",
        "TU",
        None,
        True,
        "26-NQ/TU",
    ),
]


@pytest.mark.parametrize(
    (
        "seed",
        "text",
        "num",
        "year",
        "abbreviation",
        "type_name",
        "issuer",
        "unit",
        "party",
        "canonical",
    ),
    SEED_NUMBERS,
    ids=[f"{row[0]}:{row[1]}" for row in SEED_NUMBERS],
)
def test_seed_numbers_parse_to_their_parts(
    seed: str, text: str, num: int, year: int | None, abbreviation: str | None,
    type_name: str | None, issuer: str, unit: str | None, party: bool, canonical: str,
) -> None:  # fmt: skip
    parsed = number.parse(text)
    assert parsed.number == num
    assert parsed.year == year
    assert parsed.type_abbreviation == abbreviation
    assert (parsed.type.name if parsed.type else None) == type_name
    assert parsed.issuer == issuer
    assert parsed.unit == unit
    assert parsed.party is party
    assert parsed.format() == canonical
    assert number.is_valid(text)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds are not available")
@pytest.mark.parametrize("seed", sorted({row[0] for row in SEED_NUMBERS}))
def test_the_table_holds_every_number_printed_in_the_seed(seed: str) -> None:
    """Scan the seed for anything shaped like a number and symbol; all must be in the table."""
    import re

    text = unicodedata.normalize("NFC", (SEEDS / seed).read_text("utf-8"))
    shape = re.compile(r"\d+\s*(?:/\s*\d{4})?\s*[/-]\s*[A-ZĐ][\wĐ]*(?:\s*[-/]\s*[\wĐ]+)+")
    found = {number.compact(m.group(0)) for m in shape.finditer(text)}
    found = {f for f in found if not re.fullmatch(r"[\d/-]+", f)}
    table = {number.compact(row[1]) for row in SEED_NUMBERS if row[0] == seed}
    assert found <= table, f"numbers in {seed} missing from the table: {found - table}"
    assert table <= found, f"numbers in the table not found in {seed}: {table - found}"


SPEC_EXAMPLES = [
    ("15/QĐ-BNV", "administrative", "QĐ", "BNV", None),
    ("05/BNV-VP", "official_letter", None, "BNV", "VP"),
    ("12/UBND-VX", "official_letter", None, "UBND", "VX"),
    ("05/BKHCN-CĐSQG", "official_letter", None, "BKHCN", "CĐSQG"),
    ("15/2025/TT-BKHCN", "legal", "TT", "BKHCN", None),
    ("165/2025/QĐ-UBND", "legal", "QĐ", "UBND", None),
    ("144/2025/QĐ-CTUBND", "legal", "QĐ", "CTUBND", None),
    ("64/2025/QH15", "law", None, "QH15", None),
    ("14748-CV/VPTW", "party", "CV", "VPTW", None),
    ("57-NQ/TW", "party", "NQ", "TW", None),
    ("366-QĐ/TW", "party", "QĐ", "TW", None),
    ("43-HD/BTCTW", "party", "HD", "BTCTW", None),
    ("121-KL/TW", "party", "KL", "TW", None),
    ("70-TTr/ĐU", "party", "TTr", "ĐU", None),
    ("07-TB/CQTTBCĐ", "party", "TB", "CQTTBCĐ", None),
    ("36-HD/VPTW", "party", "HD", "VPTW", None),
    ("05/SY-UBND", "copy", "SY", "UBND", None),
    ("7816/VPCP-TTĐT", "official_letter", None, "VPCP", "TTĐT"),
]


@pytest.mark.parametrize(("text", "form", "abbreviation", "issuer", "unit"), SPEC_EXAMPLES)
def test_spec_examples(
    text: str, form: str, abbreviation: str | None, issuer: str, unit: str | None
) -> None:
    parsed = number.parse(text)
    assert (parsed.form, parsed.type_abbreviation, parsed.issuer, parsed.unit) == (
        form, abbreviation, issuer, unit,
    )  # fmt: skip
    assert parsed.warnings == ()
    assert number.format(text) == text


def test_party_qd_is_not_settled_and_lists_both_meanings() -> None:
    parsed = number.parse("32-QĐ/TU")
    assert parsed.type is None
    assert {t.name for t in parsed.type_candidates} == {"Quyết định (Đảng)", "Quy định (Đảng)"}


def test_legal_type_is_settled_by_the_issuer() -> None:
    assert number.parse("30/2019/NQ-HĐND").type.name == "Nghị quyết của Hội đồng nhân dân"  # type: ignore[union-attr]
    assert number.parse("01/2020/NQ-CP").type.name == "Nghị quyết của Chính phủ"  # type: ignore[union-attr]
    assert number.parse("01/2020/QĐ-XYZ").type is None


def test_leading_zero_rule() -> None:
    assert number.format("1/2019/TT-BNV") == "01/2019/TT-BNV"
    assert number.format("9/QĐ-BNV") == "09/QĐ-BNV"
    assert number.format("10/QĐ-BNV") == "10/QĐ-BNV"
    assert "leading zero" in number.parse("1/QĐ-BNV").warnings[0]
    assert "padded beyond two digits" in number.parse("005/QĐ-BNV").warnings[0]
    assert number.parse("01/QĐ-BNV").warnings == ()
    with pytest.raises(InvalidNumber, match="leading zero"):
        number.validate("1/QĐ-BNV", strict=True)
    assert number.validate("1/QĐ-BNV") == "1/QĐ-BNV"


def test_wrong_case_abbreviation_is_corrected_with_a_warning() -> None:
    parsed = number.parse("12/QYĐ-UBND")
    assert parsed.type_abbreviation == "QyĐ"
    assert parsed.type.name == "Quy định"  # type: ignore[union-attr]
    assert parsed.format() == "12/QyĐ-UBND"
    assert any("QYĐ" in w for w in parsed.warnings)


def test_make_builds_every_form() -> None:
    assert number.make(3244, "UBND", unit="VP") == "3244/UBND-VP"
    assert number.make(1, "BNV", type_abbreviation="TT", year=2019) == "01/2019/TT-BNV"
    assert number.make(145, "TU", type_abbreviation="CV", party=True) == "145-CV/TU"
    with pytest.raises(InvalidNumber):
        number.make(145, "TU", party=True)
    with pytest.raises(InvalidNumber):
        number.make("1", "BNV")  # type: ignore[arg-type]


MALFORMED = [
    ("", "empty"),
    ("   ", "empty"),
    ("Số:", "nothing after"),
    ("QĐ-BNV", "does not start with the number"),
    ("15", "notation"),
    ("15/", "notation"),
    ("15.QĐ-BNV", "after the number comes '/'"),
    ("15/QĐ BNV", "space inside the notation"),
    ("15/QĐ--BNV", "empty group"),
    ("15/QĐ-", "empty group"),
    ("15/QĐ", "type but no issuer"),
    ("0/QĐ-BNV", "the number is 0"),
    ("123456789012/QĐ-BNV", "digits"),
    ("30/2020/NĐ", "type-issuer"),
    ("30/1900/NĐ-CP", "out of range"),
    ("30/2020/NĐ-CP/X", "too many '/'"),
    ("145/CV/TU", "too many '/'"),
    ("145-CV", "needs '/'"),
    ("145-/TU", "type abbreviation"),
    ("145-CV/", "issuing body"),
    ("145-CV/TU/X", "not type/body"),
    ("15/QĐ-\x00BNV", "control character"),
    ("15/QĐ-\u200bBNV", "control character"),
    ("1" * 101, "too long"),
]


@pytest.mark.parametrize(("text", "reason"), MALFORMED)
def test_malformed_numbers_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(InvalidNumber) as info:
        number.parse(text)
    assert reason in info.value.reason
    assert reason in str(info.value)
    assert not number.is_valid(text)


JUNK: list[Any] = [
    None, "", "   ", "x" * 10000, b"15/QD-BNV", object(), 15, 1.5, [], {}, "\x00", "\u202e",
    "🙂", "15/🙂-BNV", "\ud800", "Số", "/", "-", "//", "1/1/1/1", "1-1/1", "\n\t",
    unicodedata.normalize("NFD", "30/2020/NĐ-CP"),
]  # fmt: skip


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_never_raises_from_is_valid_and_only_catalog_errors_otherwise(junk: Any) -> None:
    assert number.is_valid(junk) in (True, False)
    assert number.is_valid(junk, strict=True) in (True, False)
    for func in (number.parse, number.validate, number.format, number.compact):
        try:
            func(junk)
        except CatalogError:
            pass
        except (TypeError, AttributeError):
            assert func is number.compact  # compact is documented for text only
            assert not isinstance(junk, str)


def test_nfd_and_nfc_parse_alike() -> None:
    nfd = unicodedata.normalize("NFD", "30/2020/NĐ-CP")
    nfd_party = unicodedata.normalize("NFD", "32-QĐ/TU")
    assert number.parse(nfd) == number.parse("30/2020/NĐ-CP")
    assert number.format(nfd_party) == "32-QĐ/TU"
    assert number.validate("  15 / QĐ - BNV ") == "15/QĐ-BNV"
