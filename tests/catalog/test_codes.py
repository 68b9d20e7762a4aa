"""The code lists of vbdt_exchange.catalog.codes."""

from __future__ import annotations

import unicodedata

import pytest

from vbdt_exchange.catalog import codes
from vbdt_exchange.catalog.codes import (
    BUSINESS_DOC_TYPE,
    CODE_LISTS,
    PAPER,
    PRIORITY,
    RECEIVER_TYPE,
    SECRECY,
    URGENCY,
    SteeringScheme,
    UnknownCode,
    code_list,
    fold,
    steering_types,
)
from vbdt_exchange.errors import CatalogError

JUNK = [
    None,
    "",
    "   ",
    "\t\n",
    "x" * 10000,
    "\x00\x01\x1b",
    "Kh\u1ea9n\x00",
    "😀",
    b"1",
    1.5,
    -1,
    10**100,
    True,
    object(),
    [],
    {},
]


def test_priority_is_0_to_4_with_labels() -> None:
    assert PRIORITY.codes_only() == (0, 1, 2, 3, 4)
    assert [c.label_vi for c in PRIORITY] == [
        "Thường",
        "Khẩn",
        "Thượng khẩn",
        "Hỏa tốc",
        "Hỏa tốc hẹn giờ",
    ]
    assert all(c.label_en for c in PRIORITY)


def test_priority_4_is_marked_legacy() -> None:
    assert "legacy" in PRIORITY.lookup(4).note


def test_urgency_levels_of_nd30_map_to_priority() -> None:
    assert [c.label_vi for c in URGENCY] == ["Khẩn", "Thượng khẩn", "Hỏa tốc"]
    for level in URGENCY:
        assert PRIORITY.lookup(level.code).label_vi == level.label_vi


def test_secrecy_levels() -> None:
    assert [c.label_vi for c in SECRECY] == ["Không mật", "Mật", "Tối mật", "Tuyệt mật"]
    assert SECRECY.lookup("MẬT").code == 1
    assert SECRECY.lookup("toi mat").code == 2
    assert SECRECY.lookup("Top secret").code == 3


def test_steering_default_scheme_is_deployed_1_2_3() -> None:
    assert steering_types().codes_only() == (1, 2, 3)
    assert steering_types() is steering_types(SteeringScheme.DEPLOYED)
    assert CODE_LISTS["steering_type"].codes_only() == (1, 2, 3)
    assert steering_types().lookup(2).label_vi == "Văn bản chỉ đạo"


def test_steering_recollected_scheme_is_0_1_2() -> None:
    recollected = steering_types("Recollected")
    assert recollected.codes_only() == (0, 1, 2)
    assert recollected.lookup(0).label_en == "Not a steering document"
    assert recollected.lookup(1).label_vi == steering_types().lookup(2).label_vi


@pytest.mark.parametrize("scheme", ["", "1/2/3", None, 3, "x" * 10000])
def test_steering_unknown_scheme(scheme: object) -> None:
    with pytest.raises(UnknownCode, match="scheme"):
        steering_types(scheme)  # type: ignore[arg-type]


def test_business_doc_type_receiver_type_paper() -> None:
    assert [c.label_en for c in BUSINESS_DOC_TYPE] == [
        "New document",
        "Revocation",
        "Update",
        "Replacement",
    ]
    assert RECEIVER_TYPE.lookup(0).label_en == "Recipient removed"
    assert RECEIVER_TYPE.lookup(1).label_en == "Recipient added"
    assert PAPER.lookup(1).label_vi == "Gửi kèm bản giấy"
    assert code_list("document_info").codes_only() == (0, 1)
    assert code_list("DOCUMENT-RECEIVER").lookup(1).label_en == "Recipient list changed"


def test_every_list_has_bilingual_labels_and_unique_codes() -> None:
    for lst in [*CODE_LISTS.values(), steering_types("recollected")]:
        assert lst.source
        assert len(set(lst.codes_only())) == len(lst)
        for c in lst:
            assert c.label_vi.strip()
            assert c.label_en.strip()
            assert unicodedata.is_normalized("NFC", c.label_vi)
            assert lst.get(c.code) is c
            assert lst.get(c.label_vi) is c
            assert lst.get(c.label_en) is c


def test_labels_do_not_collide_within_a_list() -> None:
    for lst in CODE_LISTS.values():
        owner: dict[str, int] = {}
        for c in lst:
            for label in c.labels():
                assert owner.setdefault(fold(label), c.code) == c.code, (lst.name, label)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Thượng khẩn", 2),
        ("THƯỢNG KHẨN", 2),
        ("thuong khan", 2),
        (unicodedata.normalize("NFD", "Thượng khẩn"), 2),
        ("  Hỏa   tốc ", 3),
        ("Hoả tốc", 3),
        ("hoa toc hen gio", 4),
        (" 1 ", 1),
        ("Very urgent", 2),
    ],
)
def test_priority_by_label_is_diacritic_insensitive(text: str, code: int) -> None:
    assert PRIORITY.lookup(text).code == code


def test_unknown_code_is_a_catalog_error_naming_the_list() -> None:
    with pytest.raises(UnknownCode, match="priority") as info:
        PRIORITY.lookup(5)
    assert isinstance(info.value, CatalogError)
    assert isinstance(info.value, ValueError)


def test_unknown_code_list() -> None:
    with pytest.raises(UnknownCode, match="unknown code list"):
        code_list("colours")


def test_fold() -> None:
    assert fold("Đắk Lắk") == "dak lak"
    assert fold(unicodedata.normalize("NFD", "Đắk Lắk")) == "dak lak"
    assert fold("a\t\nb") == "a b"
    assert fold(3) == ""


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_junk_get_returns_none_lookup_raises_unknown_code(junk: object) -> None:
    for lst in [*CODE_LISTS.values(), steering_types("recollected")]:
        if junk is True or (isinstance(junk, int) and 0 <= junk <= 4):
            continue
        assert lst.get(junk) is None
        with pytest.raises(UnknownCode):
            lst.lookup(junk)


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_junk_other_functions_raise_only_documented_errors(junk: object) -> None:
    assert isinstance(fold(junk), str)
    with pytest.raises(UnknownCode):
        code_list(junk)  # type: ignore[arg-type]
    with pytest.raises(UnknownCode):
        steering_types(junk)  # type: ignore[arg-type]


def test_bool_is_not_a_code() -> None:
    assert PAPER.get(True) is None
    assert PAPER.get(False) is None


def test_module_exports_exist() -> None:
    for name in codes.__all__:
        assert hasattr(codes, name), name


def _generator() -> object:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "catalog_docs_policies.py"
    spec = importlib.util.spec_from_file_location("catalog_docs_policies", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_codes_page_is_the_generator_output() -> None:
    gen: object = _generator()
    page = gen.CODES_PAGE  # type: ignore[attr-defined]
    assert page.read_text("utf-8") == gen.pages()[page]  # type: ignore[attr-defined]
    text = page.read_text("utf-8")
    for lst in CODE_LISTS.values():
        for c in lst:
            assert c.label_vi in text
