"""Organisation identifiers: every example of identifiers.md, the lenient forms, junk input."""

from __future__ import annotations

import csv
import importlib.resources
import importlib.util
import re
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from vbdt_exchange.catalog import organ_id
from vbdt_exchange.catalog.organ_id import InvalidOrganId, UnknownOrganId
from vbdt_exchange.errors import CatalogError

# -- the strict form (identifiers.md §2, §3.1, §4) ----------------------------------------------

STRICT_EXAMPLES = [
    # code, level, parent, root, letter
    ("000.00.00.G12", 1, None, "000.00.00.G12", "G"),
    ("000.00.18.G12", 2, "000.00.00.G12", "000.00.00.G12", "G"),
    ("000.00.12.G12", 2, "000.00.00.G12", "000.00.00.G12", "G"),
    ("000.00.34.G12", 2, "000.00.00.G12", "000.00.00.G12", "G"),
    ("000.00.04.G14", 2, "000.00.00.G14", "000.00.00.G14", "G"),
    ("000.00.00.G22", 1, None, "000.00.00.G22", "G"),
    ("000.00.00.G17", 1, None, "000.00.00.G17", "G"),
    ("000.00.00.K41", 1, None, "000.00.00.K41", "K"),
    ("000.00.00.K57", 1, None, "000.00.00.K57", "K"),
    ("000.00.01.A53", 2, "000.00.00.A53", "000.00.00.A53", "A"),
    ("000.00.11.H53", 2, "000.00.00.H53", "000.00.00.H53", "H"),
    ("000.00.14.H56", 2, "000.00.00.H56", "000.00.00.H56", "H"),
    ("000.00.15.H51", 2, "000.00.00.H51", "000.00.00.H51", "H"),
    ("002.00.20.H13", 4, "000.00.20.H13", "000.00.00.H13", "H"),
    ("001.02.03.H41", 4, "000.02.03.H41", "000.00.00.H41", "H"),
    ("000.02.03.H41", 3, "000.00.03.H41", "000.00.00.H41", "H"),
]


@pytest.mark.parametrize(("code", "lvl", "up", "top", "letter"), STRICT_EXAMPLES)
def test_strict_examples(code: str, lvl: int, up: str | None, top: str, letter: str) -> None:
    assert organ_id.is_valid(code)
    assert organ_id.validate(code) == code
    assert organ_id.format(code.lower()) == code
    assert organ_id.level(code) == lvl
    assert organ_id.parent(code) == up
    assert organ_id.root(code) == top
    assert organ_id.group_letter(code) == letter
    result = organ_id.check(code)
    assert (result.valid, result.strict, result.value) == (True, True, code)
    assert (result.level, result.parent, result.root, result.group) == (lvl, up, top, letter)
    assert result.warning is None
    assert result.error is None


def test_parent_chain_ends_at_the_root() -> None:
    chain = ["001.02.03.H41"]
    while (up := organ_id.parent(chain[-1])) is not None:
        chain.append(up)
    assert chain == ["001.02.03.H41", "000.02.03.H41", "000.00.03.H41", "000.00.00.H41"]
    assert [organ_id.level(c) for c in chain] == [4, 3, 2, 1]


def test_every_ministry_and_province_of_the_spec_is_strict() -> None:
    for nn in [*range(1, 23), 24, 27, 28, 30]:
        assert organ_id.is_valid(f"000.00.00.G{nn:02d}")
    for nn in range(1, 64):
        code = f"000.00.00.H{nn:02d}"
        assert organ_id.is_valid(code)
        assert organ_id.province(code) == f"{nn:02d}"


def test_group_meanings_known_and_unknown() -> None:
    assert "Government" in (organ_id.group_meaning("G") or "")
    assert "People's Committee" in (organ_id.group_meaning("h") or "")
    assert "People's Council" in (organ_id.group_meaning("K") or "")
    for letter in ("A", "B", "J", "T", "Z", "", "GG", None, 7):
        assert organ_id.group_meaning(letter) is None


def test_province_only_for_h_and_k() -> None:
    assert organ_id.province("000.00.00.H41") == "41"
    assert organ_id.province("000.00.00.K57") == "57"
    assert organ_id.province("000.00.14.H56") == "56"
    assert organ_id.province("000.00.00.G22") is None
    assert organ_id.province("000.00.01.A53") is None
    assert organ_id.province("H37.DN.001") is None


def test_compact_upper_cases_only_the_qcvn_form() -> None:
    assert organ_id.compact(" 000.00.00.g22 ") == "000.00.00.G22"
    assert organ_id.compact("000.00. 00.G22") == "000.00.00.G22"
    assert organ_id.compact("vxp.saas.03") == "vxp.saas.03"
    assert organ_id.compact("\t000.00.18.g12\n") == "000.00.18.G12"


def test_inner_whitespace_of_a_strict_code_is_removed_with_a_warning() -> None:
    result = organ_id.check("000.00. 18.G12")
    assert (result.valid, result.strict, result.value) == (True, True, "000.00.18.G12")
    assert result.warning == "whitespace removed"
    assert organ_id.check(" 000.00.18.G12 ").warning is None


# -- the lenient forms (identifiers.md §3) -----------------------------------------------------

LENIENT = {
    "vxp.saas.03": "3 dot-separated groups, not 4",
    "vxp.saas.02": "3 dot-separated groups, not 4",
    "01.02.G22": "3 dot-separated groups, not 4",
    "28.22.H17": "3 dot-separated groups, not 4",
    "001.00.20.TT2": "the level-1 group 'TT2' is not a letter and 2 digits",
    "001.00.20.JB2": "the level-1 group 'JB2' is not a letter and 2 digits",
    "999.010.01.H22": "the level-3 group '010' is not 2 digits",
    "H37.DN.001": "3 dot-separated groups, not 4",
    "99.99.99.G21": "the level-4 group '99' is not 3 digits",
}


@pytest.mark.parametrize(("code", "why"), LENIENT.items())
def test_lenient_forms_are_valid_with_a_warning(code: str, why: str) -> None:
    result = organ_id.check(code)
    assert result.valid
    assert not result.strict
    assert result.value == code
    assert result.warning == f"not in the QCVN 102 form DDD.CC.BB.Ann: {why}"
    assert result.error is None
    assert (result.level, result.parent, result.root, result.group) == (None, None, None, None)
    # strict by default: the envelope reader's meaning of is_valid
    assert not organ_id.is_valid(code)
    assert organ_id.is_valid(code, strict=False)
    assert organ_id.validate(code, strict=False) == code
    with pytest.raises(InvalidOrganId, match=re.escape(why)):
        organ_id.validate(code)
    # the helpers answer "unknown" rather than guess
    assert organ_id.level(code) is None
    assert organ_id.parent(code) is None
    assert organ_id.root(code) is None
    assert organ_id.group_letter(code) is None
    assert organ_id.province(code) is None


def test_lenient_keeps_the_case_the_axis_registered() -> None:
    assert organ_id.check(" vxp.saas.03 ").value == "vxp.saas.03"
    assert organ_id.validate("VXP.SAAS.03", strict=False) == "VXP.SAAS.03"


def test_single_group_is_accepted_leniently() -> None:
    result = organ_id.check("0100109106")
    assert (result.valid, result.strict) == (True, False)
    assert result.warning is not None
    assert "1 dot-separated group, not 4" in result.warning


# -- garbage ------------------------------------------------------------------------------------

GARBAGE = {
    "": "empty",
    "   ": "empty",
    "\t\n": "empty",
    "x" * 10000: "10000 characters long (at most 64)",
    "vxp saas 03": "whitespace inside the identifier",
    "000.00.00 G22 x": "whitespace inside the identifier",
    "000.00.00.G22\x00": "control or invisible character U+0000",
    "000.00.00.G22\u200b": "control or invisible character U+200B",
    "\x1b[31m000.00.00.G22": "control or invisible character U+001B",
    "000.00.00.Ğ22": "non-ASCII character 'Ğ'",
    "٠٠٠.٠٠.٠٠.G٢٢": "non-ASCII character '٠'",
    "000..00.G22": "only letters and digits separated by '.', '-', '_' or ':' are accepted",
    ".000.00.00.G22": "only letters and digits separated by '.', '-', '_' or ':' are accepted",
    "<OrganId/>": "only letters and digits separated by '.', '-', '_' or ':' are accepted",
    "null;": "only letters and digits separated by '.', '-', '_' or ':' are accepted",
}


@pytest.mark.parametrize(("value", "error"), GARBAGE.items(), ids=repr)
def test_garbage_is_rejected_with_an_error(value: str, error: str) -> None:
    result = organ_id.check(value)
    assert not result.valid
    assert not result.strict
    assert result.value is None
    assert result.error == error
    assert result.warning is None
    assert not organ_id.is_valid(value)
    assert not organ_id.is_valid(value, strict=False)
    with pytest.raises(InvalidOrganId, match="is not an organisation identifier"):
        organ_id.validate(value, strict=False)


JUNK: list[object] = [
    None,
    "",
    "   ",
    "x" * 10000,
    "\x00",
    "\ud800",
    b"000.00.00.G22",
    bytearray(b"000.00.00.G22"),
    object(),
    12,
    1.5,
    ["000.00.00.G22"],
    {"code": "000.00.00.G22"},
    "🙂",
    "000.00.00.G22" * 5,
    unicodedata.normalize("NFD", "000.00.00.G22đ"),
]


@pytest.mark.parametrize("value", JUNK, ids=lambda v: repr(v)[:30])
def test_junk_never_raises_from_is_valid_or_check(value: object) -> None:
    assert organ_id.is_valid(value) is False
    assert organ_id.is_valid(value, strict=False, known_only=True) is False
    result = organ_id.check(value)
    assert result.valid is False
    assert result.input is value
    assert result.error
    assert organ_id.lookup(value) is None
    assert organ_id.known(value) is False
    for helper in (organ_id.level, organ_id.parent, organ_id.root, organ_id.group_letter):
        assert helper(value) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("value", JUNK, ids=lambda v: repr(v)[:30])
def test_junk_raises_only_catalog_errors_from_validate(value: object) -> None:
    for strict in (True, False):
        with pytest.raises(CatalogError):
            organ_id.validate(value, strict=strict)  # type: ignore[arg-type]
        with pytest.raises(InvalidOrganId):
            organ_id.format(value)  # type: ignore[arg-type]


def test_non_text_is_named_in_the_error() -> None:
    assert organ_id.check(b"000.00.00.G22").error == (
        "an organisation identifier is text, not bytes"
    )
    with pytest.raises(InvalidOrganId, match="not NoneType"):
        organ_id.validate(None)  # type: ignore[arg-type]


def test_nfd_and_nfc_inputs_give_the_same_answer() -> None:
    nfc = "Ệ.saas.03"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    assert organ_id.check(nfc).error == organ_id.check(nfd).error == "non-ASCII character 'Ệ'"


def test_a_hostile_directory_does_not_make_is_valid_raise() -> None:
    class Hostile:
        def __contains__(self, item: object) -> bool:
            raise RuntimeError("boom")

    assert organ_id.is_valid("000.00.00.G22", known_only=True, directory=Hostile()) is False


# -- known_only and the bundled table ------------------------------------------------------------


def test_known_only_uses_the_bundled_table_by_default() -> None:
    assert organ_id.validate("000.00.00.g22", known_only=True) == "000.00.00.G22"
    with pytest.raises(UnknownOrganId, match=r"'000\.00\.00\.G23' is not a known identifier"):
        organ_id.validate("000.00.00.G23", known_only=True)
    assert organ_id.is_valid("000.00.00.G23")
    assert not organ_id.is_valid("000.00.00.G23", known_only=True)
    assert organ_id.is_valid("vxp.saas.03", strict=False, known_only=True)
    assert not organ_id.is_valid("vxp.saas.99", strict=False, known_only=True)


def test_known_only_with_a_given_directory() -> None:
    directory = {"000.00.00.G23"}
    assert organ_id.validate("000.00.00.G23", known_only=True, directory=directory)
    with pytest.raises(UnknownOrganId):
        organ_id.validate("000.00.00.G22", known_only=True, directory=directory)
    assert issubclass(UnknownOrganId, InvalidOrganId)
    assert issubclass(InvalidOrganId, CatalogError)
    assert issubclass(InvalidOrganId, ValueError)


def _data_rows() -> list[dict[str, str]]:
    text = (
        (importlib.resources.files("vbdt_exchange.catalog") / "data" / "organ_ids.csv")
        .read_text("utf-8")
        .splitlines()
    )
    return list(csv.DictReader(line for line in text if not line.startswith("#")))


def test_data_file_has_a_provenance_header() -> None:
    text = (
        importlib.resources.files("vbdt_exchange.catalog") / "data" / "organ_ids.csv"
    ).read_text("utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    joined = "\n".join(header)
    for word in ("source:", "date:", "confirmed", "reconstructed", "code_qd20"):
        assert word in joined


def test_data_file_rows_are_well_formed() -> None:
    rows = _data_rows()
    assert list(rows[0]) == [
        "code102",
        "code_qd20",
        "name",
        "level",
        "status",
        "confidence",
        "note",
        "source",
    ]
    codes = [row["code102"] for row in rows]
    assert len(codes) == len(set(codes))
    for row in rows:
        assert row["status"] in ("confirmed", "reconstructed")
        assert row["confidence"] in ("A", "B", "C")
        assert (row["status"] == "confirmed") == (row["confidence"] in ("A", "B"))
        assert row["name"]
        assert unicodedata.normalize("NFC", row["name"]) == row["name"]
        assert organ_id.check(row["code102"]).valid
        if organ_id.is_valid(row["code102"]):
            assert row["level"] == str(organ_id.level(row["code102"]))
        else:
            assert row["level"] == ""


def test_bundled_table_matches_the_spec_tags() -> None:
    confirmed = {"14", "22", "29", "30", "37", "38", "41", "55", "56", "57"}
    for nn in range(1, 64):
        entry = organ_id.lookup(f"000.00.00.H{nn:02d}")
        assert entry is not None
        want = "confirmed" if f"{nn:02d}" in confirmed else "reconstructed"
        assert entry.status == want, nn
    g = {e.code102: e for e in organ_id.entries() if e.code102.startswith("000.00.00.G")}
    assert len(g) == 26
    assert g["000.00.00.G22"].confidence == "A"
    assert g["000.00.00.G13"].status == "reconstructed"
    assert g["000.00.00.G04"].note == "before 2025"
    assert organ_id.lookup("000.00.00.H56").name == "Ủy ban nhân dân tỉnh Thanh Hóa"  # type: ignore[union-attr]
    assert organ_id.lookup("000.00.00.H26").status == "reconstructed"  # type: ignore[union-attr]
    assert organ_id.lookup("000.00.01.A53").status == "reconstructed"  # type: ignore[union-attr]
    assert organ_id.lookup("vxp.saas.03").level is None  # type: ignore[union-attr]
    assert all(e.code_qd20 is None for e in organ_id.entries())


def test_lookup_and_known() -> None:
    assert organ_id.known("000.00.18.g12")
    assert organ_id.lookup("000.00.18.G12").name == "Tổng cục Thuế"  # type: ignore[union-attr]
    assert not organ_id.known("000.00.00.G99")
    assert organ_id.entries() is organ_id.entries()  # loaded once, cached


# -- the documentation table is generated from the data -----------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    path = ROOT / "scripts" / "catalog_docs_organisations.py"
    spec = importlib.util.spec_from_file_location("catalog_docs_organisations", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_table_is_the_generator_output() -> None:
    generator = _generator()
    page = (ROOT / "docs" / "catalog" / "organisations.md").read_text("utf-8")
    start = page.index("<!-- generated:start -->")
    end = page.index("<!-- generated:end -->") + len("<!-- generated:end -->")
    assert page[start:end] == generator.generate(), (
        "docs/catalog/organisations.md is stale: run scripts/catalog_docs_organisations.py"
    )
    assert generator.render(page) == page


def test_docs_table_lists_every_bundled_identifier() -> None:
    table = _generator().generate()
    for entry in organ_id.entries():
        assert f"| `{entry.code102}` |" in table
    assert table.count("\n| `") == len(organ_id.entries())
