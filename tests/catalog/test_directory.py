"""The agency directory: the axis's JSON shapes, CSV, look-ups, legacy <-> QĐ 20, export."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from vbdt_exchange.catalog.directory import (
    CSV_COLUMNS,
    Agency,
    AgencyDirectory,
    DirectoryError,
    fold,
)
from vbdt_exchange.errors import CatalogError

VECTORS = Path(__file__).parent / "vectors"


@pytest.fixture
def legacy() -> AgencyDirectory:
    return AgencyDirectory.from_json(VECTORS / "agencies_legacy.json")


@pytest.fixture
def qd20() -> AgencyDirectory:
    return AgencyDirectory.from_json(VECTORS / "agencies_qd20.json")


def test_legacy_list(legacy: AgencyDirectory) -> None:
    assert len(legacy) == 7
    tax = legacy.get("000.00.18.G12")
    assert tax == Agency(
        name="Tổng cục Thuế", code102="000.00.18.G12", id="12", pid="11", mail=None
    )
    assert legacy.get("000.00.00.g22").mail == "vpcp@chinhphu.vn"  # type: ignore[union-attr]
    assert legacy.get("vxp.saas.03").name == "Hệ thống thử nghiệm SaaS 03"  # type: ignore[union-attr]
    assert "000.00.00.H56" in legacy
    assert "000.00.00.H41" not in legacy
    assert legacy.to_qd20("000.00.00.G22") is None
    assert legacy.duplicates == ()


def test_qd20_list_maps_both_ways(qd20: AgencyDirectory) -> None:
    assert len(qd20) == 4
    assert qd20.to_qd20("000.00.00.G12") == "QD20.G12"
    assert qd20.to_code102("QD20.H56") == "000.00.00.H56"
    assert qd20.to_code102("QD20.NEW1") is None
    assert qd20.to_qd20("000.00.00.H41") is None
    new = qd20.get("QD20.NEW1")
    assert new is not None
    assert new.code == "QD20.NEW1"
    assert qd20.get("000.00.00.G22") is qd20.get("QD20.G22")


def test_sync_list_keeps_the_deleted_flag() -> None:
    sync = AgencyDirectory.from_json(VECTORS / "agencies_sync.json")
    assert [a.deleted for a in sync] == [False, True]
    assert sync.get("000.00.05.G22").pid == "10"  # type: ignore[union-attr]


def test_paginated_lgsp_list() -> None:
    paged = AgencyDirectory.from_json(VECTORS / "agencies_lgsp_paged.json")
    assert [a.code for a in paged] == ["000.00.00.H37", "H37.DN.001"]


def test_json_from_text_bytes_and_objects() -> None:
    row = {"code": "000.00.00.G22", "name": "Văn phòng Chính phủ"}
    for source in (json.dumps([row]), json.dumps([row]).encode(), [row], {"data": [row]}):
        directory = AgencyDirectory.from_json(source)
        assert directory.get("000.00.00.G22") is not None


def test_merge_legacy_and_qd20(legacy: AgencyDirectory, qd20: AgencyDirectory) -> None:
    both = legacy.merged(qd20)
    assert len(both) == 8  # 7 legacy rows + the one QĐ 20 row without a legacy code
    assert both.to_qd20("000.00.00.G22") == "QD20.G22"
    assert both.to_code102("QD20.G12") == "000.00.00.G12"
    assert both.get("000.00.18.G12").code_qd20 is None  # type: ignore[union-attr]
    assert both.get("QD20.NEW1").name == "Bộ Nông nghiệp và Môi trường"  # type: ignore[union-attr]


def test_find_by_name_ignores_case_and_diacritics(legacy: AgencyDirectory) -> None:
    assert [a.code for a in legacy.find("dak lak")] == ["000.00.00.H16"]
    assert [a.code for a in legacy.find("ĐẮK LẮK")] == ["000.00.00.H16"]
    assert [a.code for a in legacy.find("thanh hoa")] == ["000.00.00.H56", "000.00.14.H56"]
    assert [a.code for a in legacy.find("Tong cuc thue", exact=True)] == ["000.00.18.G12"]
    assert legacy.find("tong cuc", exact=True) == []
    assert legacy.find("") == []
    assert legacy.find(None) == []


def test_exact_matches_come_first() -> None:
    directory = AgencyDirectory(
        [
            Agency("Sở Tài chính tỉnh Nghệ An", "000.00.01.H41"),
            Agency("Sở Tài chính", "000.00.01.H56"),
        ]
    )
    assert [a.code for a in directory.find("so tai chinh")] == ["000.00.01.H56", "000.00.01.H41"]


def test_fold() -> None:
    assert fold("Đường   Đắk Lắk") == "duong dak lak"
    assert fold("Thừa Thiên Huế") == fold("THUA THIEN HUE")


def test_duplicate_codes_are_reported_and_the_first_wins() -> None:
    directory = AgencyDirectory.from_json(
        [{"code": "000.00.00.G22", "name": "first"}, {"code": "000.00.00.G22", "name": "second"}]
    )
    assert directory.duplicates == ("000.00.00.G22",)
    assert directory.get("000.00.00.G22").name == "first"  # type: ignore[union-attr]


def test_csv_load(tmp_path: Path) -> None:
    directory = AgencyDirectory.from_csv(VECTORS / "agencies.csv")
    assert len(directory) == 3
    assert directory.to_qd20("000.00.00.G22") == "QD20.G22"
    assert directory.get("000.00.00.K41").id == "71"  # type: ignore[union-attr]
    assert [a.code for a in directory.find("nghe an")] == ["000.00.00.H41", "000.00.00.K41"]


def test_csv_and_json_export_round_trip(legacy: AgencyDirectory, qd20: AgencyDirectory) -> None:
    both = legacy.merged(qd20)
    text = both.to_csv()
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    again = AgencyDirectory.from_csv(io.StringIO(text))
    assert again.agencies == both.agencies
    out = io.StringIO()
    assert both.to_csv(out) == out.getvalue()
    data = both.to_json()
    assert data[0]["code102"] == "000.00.00.G22"
    assert data[0]["code_qd20"] == "QD20.G22"
    assert list(data[0]) == list(CSV_COLUMNS)
    json.dumps(data)  # JSON-ready


def test_bundled_directory() -> None:
    directory = AgencyDirectory.bundled()
    assert len(directory) > 90
    assert [a.code for a in directory.find("van phong chinh phu")] == ["000.00.00.G22"]
    assert "000.00.00.H56" in directory


# -- malformed input: the file and the row or key are named ---------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("agencies_bad_status.json", "agencies_bad_status.json: the axis answered FAIL (15): "),
        ("agencies_bad_row.json", "agencies_bad_row.json: data[1]: missing key 'name'"),
        ("agencies_bad_code.json", "agencies_bad_code.json: data[0].code: '000.00.00 G22 x'"),
        ("agencies_bad_syntax.json", "agencies_bad_syntax.json: not JSON: "),
    ],
)
def test_malformed_json_fixtures(name: str, message: str) -> None:
    with pytest.raises(DirectoryError) as info:
        AgencyDirectory.from_json(VECTORS / name)
    assert message in str(info.value)
    assert isinstance(info.value, CatalogError)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "OK"}, "<json>: no 'data' key in the response"),
        ({"data": {"items": []}}, "<json>: data is an object without a 'content' list"),
        ({"data": "x"}, "<json>: data is str, not a list of agencies"),
        (42, "<json>: $ is int, not a list of agencies"),
        ([[1]], "<json>: $[0]: list, not an object"),
        ([{"name": "x"}], "<json>: $[0]: missing key 'code'"),
        ([{"name": "x", "code": ["a"]}], "<json>: $[0].code: list, not text"),
        ([{"name": True, "code": "a.b"}], "<json>: $[0].name: bool, not text"),
        ([{"name": "x", "code": "a.b", "deleted": "maybe"}], "$[0].deleted: 'maybe' is not a"),
        ([{"name": "x", "code": ""}], "<json>: $[0]: missing key 'code'"),
    ],
)
def test_malformed_json_objects(data: object, message: str) -> None:
    with pytest.raises(DirectoryError) as info:
        AgencyDirectory.from_json(data)
    assert message in str(info.value)


def test_malformed_csv_fixture() -> None:
    with pytest.raises(DirectoryError, match=r"agencies_bad_columns\.csv: line 3: 3 fields"):
        AgencyDirectory.from_csv(VECTORS / "agencies_bad_columns.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "t.csv: no header line"),
        ("# only a comment\n", "t.csv: no header line"),
        ("code,name\n", "t.csv: line 1: the header needs 'name' and 'code102'"),
        ("code102,name\n,Bộ X\n", "t.csv: line 2: neither 'code102' nor 'code_qd20'"),
        ("code102,name\n000.00.00.G22,\n", "t.csv: line 2: empty 'name'"),
        (
            "# c\ncode102,name\n000 .00.00.G22 x,A\n",
            "t.csv: line 3, column 'code102': '000 .00.00.G22 x' is not an identifier",
        ),
        ("code102,name,deleted\na.b,A,perhaps\n", "line 2, column 'deleted': 'perhaps'"),
    ],
)
def test_malformed_csv_text(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(DirectoryError) as info:
        AgencyDirectory.from_csv(path, where="t.csv")
    assert message in str(info.value)


def test_not_utf8_csv(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("code102,name\n000.00.00.G22,Bộ\n".encode("utf-16"))
    with pytest.raises(DirectoryError, match=r"latin\.csv: not UTF-8 text"):
        AgencyDirectory.from_csv(path)


def test_junk_lookups_never_raise(legacy: AgencyDirectory) -> None:
    for junk in (None, b"000.00.00.G22", 3, object(), "", "x" * 10000, "\x00"):
        assert legacy.get(junk) is None
        assert junk not in legacy
        assert legacy.find(junk) == []
