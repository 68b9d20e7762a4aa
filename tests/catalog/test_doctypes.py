"""Document types: the NĐ 30 list, lookups, search, the edXML mapping, junk."""

from __future__ import annotations

import contextlib
import unicodedata
from typing import Any

import pytest

from vbdt_exchange.catalog import doctypes
from vbdt_exchange.catalog.doctypes import EdxmlTypeMapping, UnknownDocumentType
from vbdt_exchange.errors import CatalogError

ARTICLE_7 = [
    ("Nghị quyết (cá biệt)", "NQ"), ("Quyết định (cá biệt)", "QĐ"), ("Chỉ thị", "CT"),
    ("Quy chế", "QC"), ("Quy định", "QyĐ"), ("Thông cáo", "TC"), ("Thông báo", "TB"),
    ("Hướng dẫn", "HD"), ("Chương trình", "CTr"), ("Kế hoạch", "KH"), ("Phương án", "PA"),
    ("Đề án", "ĐA"), ("Dự án", "DA"), ("Báo cáo", "BC"), ("Biên bản", "BB"),
    ("Tờ trình", "TTr"), ("Hợp đồng", "HĐ"), ("Công văn", None), ("Công điện", "CĐ"),
    ("Bản ghi nhớ", "BGN"), ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"),
    ("Giấy mời", "GM"), ("Giấy giới thiệu", "GGT"), ("Giấy nghỉ phép", "GNP"),
    ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"), ("Thư công", None),
]  # fmt: skip


def test_the_29_administrative_types_in_article_7_order() -> None:
    admin = [t for t in doctypes.all_types() if t.kind == "administrative"]
    assert [(t.name, t.abbreviation) for t in admin] == ARTICLE_7
    assert [t.position for t in admin] == list(range(1, 30))
    assert all(t.article7_position == t.position for t in admin)
    assert sum(1 for t in admin if t.abbreviation) == 27


def test_copy_forms_legal_categories_and_party_types() -> None:
    copies = [t.abbreviation for t in doctypes.all_types() if t.kind == "copy"]
    assert copies == ["SY", "SL", "TrS"]
    legal = {t.abbreviation for t in doctypes.all_types() if t.kind == "legal"}
    assert {"NĐ", "TT", "QĐ", "NQ", "TTLT"} <= legal
    party = {t.abbreviation for t in doctypes.all_types() if t.kind == "party"}
    assert {"CV", "QĐ", "NQ", "HD", "KL"} <= party  # the seeds' and 36-HD/VPTW's types
    assert all(
        t.article7_position is None for t in doctypes.all_types() if t.kind != "administrative"
    )


def test_every_name_and_abbreviation_is_nfc() -> None:
    for info in doctypes.all_types():
        assert unicodedata.is_normalized("NFC", info.name)
        assert info.abbreviation is None or unicodedata.is_normalized("NFC", info.abbreviation)
        assert info.english


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Quyết định", "Quyết định (cá biệt)"),
        ("QUYẾT ĐỊNH", "Quyết định (cá biệt)"),
        ("quyet dinh", "Quyết định (cá biệt)"),
        ("quy dinh", "Quy định"),
        ("Quy định", "Quy định"),
        (unicodedata.normalize("NFD", "Quy định"), "Quy định"),
        ("  cong   van ", "Công văn"),
        ("de an", "Đề án"),
        ("du an", "Dự án"),
        ("thong tu", "Thông tư"),
        ("Nghị quyết (cá biệt)", "Nghị quyết (cá biệt)"),
        ("QĐ", "Quyết định (cá biệt)"),
        ("QyĐ", "Quy định"),
        ("QYĐ", "Quy định"),
        ("qyđ", "Quy định"),
        ("qđ", "Quyết định (cá biệt)"),
        ("ĐA", "Đề án"),
        ("DA", "Dự án"),
        ("CTr", "Chương trình"),
        ("ctr", "Chương trình"),
        ("TrS", "Bản trích sao"),
        ("NĐ", "Nghị định"),
        ("CV", "Công văn (Đảng)"),
        ("KL", "Kết luận (Đảng)"),
    ],
)
def test_lookup_by_name_or_abbreviation(query: str, name: str) -> None:
    assert doctypes.lookup(query).name == name
    assert doctypes.is_valid(query)


def test_case_insensitive_abbreviation_match_warns() -> None:
    found = doctypes.match("QYĐ")
    assert found.matched_by == "abbreviation-case-insensitive"
    assert found.warning is not None
    assert "QyĐ" in found.warning
    exact = doctypes.match("QyĐ")
    assert (exact.matched_by, exact.warning) == ("abbreviation", None)


def test_kind_filter() -> None:
    assert doctypes.lookup("QĐ", kind="party").name == "Quyết định (Đảng)"
    assert doctypes.lookup("QĐ", kind="legal").kind == "legal"
    with pytest.raises(UnknownDocumentType, match="of kind copy"):
        doctypes.lookup("QĐ", kind="copy")


def test_validate_and_format() -> None:
    assert doctypes.validate("quy dinh") == "QyĐ"
    assert doctypes.validate("Thư công") == "Thư công"
    assert doctypes.format("TTr") == "Tờ trình"


def test_search_finds_all_matches() -> None:
    names = [t.name for t in doctypes.search("quyết định")]
    assert names[0] == "Quyết định (cá biệt)"
    assert "Quyết định của Thủ tướng Chính phủ" in names
    assert "Quyết định (Đảng)" in names
    assert [t.kind for t in doctypes.search("qđ") if t.kind == "party"] == ["party", "party"]
    assert doctypes.search("circular")[0].abbreviation == "TT"
    assert doctypes.search("zzz") == ()


@pytest.mark.parametrize("query", ["XYZ", "Quyết", "QD", "TTDT", "dinh"])
def test_unknown_types_are_rejected(query: str) -> None:
    with pytest.raises(UnknownDocumentType, match="neither the name nor the abbreviation"):
        doctypes.lookup(query)
    assert not doctypes.is_valid(query)


def test_edxml_mapping_schemes() -> None:
    letter, circular = doctypes.lookup("Công văn"), doctypes.lookup("Thông tư")
    deployed = EdxmlTypeMapping()
    assert deployed.to_edxml(letter).type == 1
    assert deployed.to_edxml(circular).type == 1
    assert deployed.to_edxml(doctypes.lookup("NQ")).type_name == "Nghị quyết"
    assert EdxmlTypeMapping(deployed_type=0).to_edxml(letter).type == 0
    article7 = EdxmlTypeMapping(scheme="article7")
    assert article7.to_edxml(letter).type == 18
    assert article7.to_edxml(circular).type == 1
    klass = EdxmlTypeMapping(scheme="class")
    assert (klass.to_edxml(circular).type, klass.to_edxml(letter).type) == (1, 2)
    assert klass.to_edxml(letter).type_detail == 0
    assert article7.from_edxml(None, 29).name == "Thư công"  # type: ignore[union-attr]
    assert deployed.from_edxml("Báo cáo", 2).abbreviation == "BC"  # type: ignore[union-attr]
    assert deployed.from_edxml("???", 18) is None
    with pytest.raises(CatalogError, match="scheme"):
        EdxmlTypeMapping(scheme="bogus")  # type: ignore[arg-type]


JUNK: list[Any] = [
    None, "", "   ", "x" * 10000, b"QD", object(), 1, [], "\x00", "Q\x00Đ", "\u200b", "🙂",
    "\ud800", unicodedata.normalize("NFD", "Quyết định"),
]  # fmt: skip


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk(junk: Any) -> None:
    assert doctypes.is_valid(junk) in (True, False)
    assert isinstance(doctypes.search(junk), tuple)
    assert isinstance(doctypes.by_abbreviation(junk), tuple)
    for func in (doctypes.lookup, doctypes.validate, doctypes.format, doctypes.match):
        with contextlib.suppress(CatalogError):
            func(junk)


def test_junk_is_invalid_but_nfd_is_valid() -> None:
    assert not doctypes.is_valid(None)
    assert not doctypes.is_valid("x" * 10000)
    assert not doctypes.is_valid("Q\x00Đ")
    assert doctypes.is_valid(unicodedata.normalize("NFD", "Quyết định"))


def _generator() -> Any:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "catalog_docs_documents.py"
    spec = importlib.util.spec_from_file_location("catalog_docs_documents", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_documents_page_tables_are_the_generator_output() -> None:
    generator = _generator()
    page = generator.TARGET.read_text("utf-8")
    assert generator.committed(page) == generator.render(), (
        "docs/catalog/documents.md is stale: run scripts/catalog_docs_documents.py"
    )
    for info in doctypes.all_types():
        assert f"| {info.name} |" in page
        if info.abbreviation:
            assert f"`{info.abbreviation}`" in page
