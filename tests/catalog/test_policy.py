"""The paperless-exchange policies reproduce the seeds (../shared/seeds/)."""

from __future__ import annotations

import datetime
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from vbdt_exchange.catalog import policy as policy_module
from vbdt_exchange.catalog.codes import UnknownCode
from vbdt_exchange.catalog.policy import (
    InvalidCheckDate,
    Policy,
    PolicyError,
    PolicyFileError,
    UnknownDocumentType,
    UnknownPolicy,
    check,
    doc_types,
    find_doc_type,
    get_policy,
    load_policy,
    policies,
    policy_names,
)
from vbdt_exchange.errors import CatalogError

SEED000 = "000_0050a8493311bfa3.txt"
SEED001 = "001_144714b76144bfff.txt"
SEED002 = "002_0169100b6e299f33.txt"
SEED003 = "003_b2275f787926202a.txt"
SEED004 = "004_5a0f866f50e7b39a.txt"

NATIONAL_26 = [
    "Thông tư",
    "Thông tư liên tịch",
    "Nghị quyết của HĐND cấp tỉnh, huyện, xã",
    "Quyết định của UBND cấp tỉnh, huyện, xã",
    "Nghị quyết (cá biệt)",
    "Quyết định (cá biệt)",
    "Chỉ thị",
    "Quy chế",
    "Quy định",
    "Thông cáo",
    "Thông báo",
    "Hướng dẫn",
    "Chương trình",
    "Kế hoạch",
    "Phương án",
    "Đề án",
    "Dự án",
    "Báo cáo",
    "Tờ trình",
    "Công văn",
    "Công điện",
    "Giấy ủy quyền",
    "Giấy mời",
    "Phiếu gửi",
    "Phiếu chuyển",
    "Phiếu báo",
]
NOT_IN_26 = [
    "Biên bản",
    "Hợp đồng",
    "Bản ghi nhớ",
    "Bản thỏa thuận",
    "Giấy giới thiệu",
    "Giấy nghỉ phép",
    "Thư công",
]
PILOT_14 = [
    "Quyết định",
    "Chỉ thị",
    "Báo cáo",
    "Chương trình",
    "Kế hoạch",
    "Tờ trình",
    "Quy chế",
    "Quy định",
    "Hướng dẫn",
    "Phiếu chuyển",
    "Giấy mời",
    "Thông báo",
    "Công văn",
    "Công điện",
]
SECRET = ["Mật", "Tối mật", "Tuyệt mật"]


def test_shipped_profile_names() -> None:
    assert policy_names() == (
        "dak-lak-2019-pilot",
        "hai-duong-2020",
        "hai-duong-party-2021",
        "national",
        "thanh-hoa-2019",
    )


def test_every_profile_names_its_seed() -> None:
    seeds = {p.name: p.source_file for p in policies()}
    assert seeds == {
        "national": SEED002,
        "hai-duong-2020": SEED000,
        "thanh-hoa-2019": SEED001,
        "dak-lak-2019-pilot": SEED003,
        "hai-duong-party-2021": SEED004,
    }
    seed_dir = Path("/work/shared/seeds")
    if seed_dir.is_dir():
        for p in policies():
            text = (seed_dir / p.source_file).read_text("utf-8")
            number = p.source_document.split()[1]
            printed = number.replace("-CV/TU", " - CV/TU")
            assert number in text or printed in text, p.name


# -- seed 002: the national 26-type list --------------------------------------------------------


def test_seed002_list_has_26_types() -> None:
    national = get_policy("national")
    assert len(national.allowed_types) == 26
    assert not national.allow_all


@pytest.mark.parametrize("name", NATIONAL_26)
def test_seed002_listed_types_electronic(name: str) -> None:
    d = check(name, date="2024-01-01")
    assert (d.verdict, d.rule, d.profile) == ("electronic_only", "seed002-26-types", "national")
    assert SEED002 in d.source


@pytest.mark.parametrize("name", NOT_IN_26)
def test_seed002_unlisted_types_paper_also(name: str) -> None:
    d = check(name, date="2024-01-01")
    assert (d.verdict, d.rule) == ("paper_also", "seed002-not-listed")
    assert d.paper == 1


@pytest.mark.parametrize(
    "spelling",
    ["Công văn", "cong van", "CÔNG VĂN", unicodedata.normalize("NFD", "Công văn"), " công  văn "],
)
def test_seed002_cong_van_electronic(spelling: str) -> None:
    d = check(spelling, date="2024-01-01")
    assert d.verdict == "electronic_only"
    assert d.doc_type == "Công văn"
    assert d.paper == 0


@pytest.mark.parametrize(
    ("abbr", "name"),
    [("QyĐ", "Quy định"), ("QĐ", "Quyết định (cá biệt)"), ("ĐA", "Đề án"), ("DA", "Dự án")],
)
def test_seed002_abbreviations(abbr: str, name: str) -> None:
    d = check(abbr, date="2024-01-01")
    assert d.verdict == "electronic_only"
    assert d.doc_type == name


def test_seed002_bien_ban_by_abbreviation_paper_also() -> None:
    assert check("BB", date="2024-01-01").verdict == "paper_also"


def test_seed002_before_the_list_not_in_force() -> None:
    d = check("Công văn", date="2020-01-31")
    assert (d.verdict, d.rule) == ("paper_also", "not-in-force")
    assert check("Công văn", date="2020-02-10").verdict == "electronic_only"


def test_national_is_the_default_profile() -> None:
    assert check("Công văn").profile == "national"


# -- secret documents ---------------------------------------------------------------------------


@pytest.mark.parametrize("profile", policy_names())
@pytest.mark.parametrize("level", [*SECRET, "MẬT", "toi mat", 3, "3"])
def test_secret_never(profile: str, level: object) -> None:
    d = check("Công văn", secrecy=level, profile=profile, date="2021-06-01")  # type: ignore[arg-type]
    assert d.verdict == "not_electronic"
    assert d.paper == 0


def test_secret_never_rule_ids_cite_the_seeds() -> None:
    when = "2021-06-01"
    assert check("Công văn", secrecy="Mật", date=when).rule == "secret-never"
    d0 = check("Công văn", secrecy="Mật", profile="hai-duong-2020", date=when)
    assert (d0.rule, SEED000 in d0.source) == ("seed000-secret-excluded", True)
    d1 = check("Công văn", secrecy="Mật", profile="thanh-hoa-2019", date=when)
    assert (d1.rule, SEED001 in d1.source) == ("seed001-secret-excluded", True)
    d4 = check("CV", secrecy="Mật", profile="hai-duong-party-2021", date=when)
    assert (d4.rule, SEED004 in d4.source) == ("seed004-mat-excluded", True)


def test_secret_never_even_outside_the_effective_range() -> None:
    d = check("Công văn", secrecy="Tuyệt mật", profile="dak-lak-2019-pilot", date="2000-01-01")
    assert d.verdict == "not_electronic"


def test_not_secret_level_zero_is_ordinary() -> None:
    assert check("Công văn", secrecy="Không mật", date="2024-01-01").verdict == "electronic_only"
    assert check("Công văn", secrecy=0, date="2024-01-01").verdict == "electronic_only"


def test_user_profile_cannot_allow_secret_documents(tmp_path: Path) -> None:
    path = _write(tmp_path, _minimal(secrecy=""))
    d = check("Công văn", secrecy="Mật", profile=load_policy(path), date="2024-01-01")
    assert (d.verdict, d.rule) == ("not_electronic", "secret-never")


def test_unknown_secrecy_level() -> None:
    with pytest.raises(UnknownCode):
        check("Công văn", secrecy="very secret")


# -- seed 003: the Đắk Lắk pilot ----------------------------------------------------------------


@pytest.mark.parametrize("name", PILOT_14)
def test_seed003_pilot_types_electronic(name: str) -> None:
    d = check(name, profile="dak-lak-2019-pilot", date="2019-05-15")
    assert (d.verdict, d.rule) == ("electronic_only", "seed003-14-pilot-types")
    assert SEED003 in d.source


@pytest.mark.parametrize("name", ["Phiếu gửi", "Thông cáo", "Giấy ủy quyền", "Thông tư", "Đề án"])
def test_seed003_not_in_pilot_paper_also(name: str) -> None:
    d = check(name, profile="dak-lak-2019-pilot", date="2019-05-15")
    assert (d.verdict, d.rule) == ("paper_also", "seed003-not-in-pilot")


@pytest.mark.parametrize(
    ("date", "verdict"),
    [
        ("2019-05-01", "paper_also"),
        ("2019-05-02", "electronic_only"),
        ("2019-06-15", "electronic_only"),
        ("2019-06-16", "paper_also"),
        (None, "paper_also"),  # today: the pilot is over
    ],
)
def test_seed003_pilot_dates(date: str | None, verdict: str) -> None:
    assert check("Công văn", profile="dak-lak-2019-pilot", date=date).verdict == verdict


def test_seed003_pilot_has_14_types() -> None:
    assert len(get_policy("dak-lak-2019-pilot").allowed_types) == 14


# -- seed 001: Thanh Hoá 2019 parallel paper ---------------------------------------------------

TH = {"profile": "thanh-hoa-2019", "date": "2019-06-01"}


def test_seed001_thanh_hoa_ordinary_electronic() -> None:
    d = check("Công văn", **TH)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("electronic_only", "seed001-all-documents")


def test_seed001_thanh_hoa_all_types_electronic() -> None:
    assert check("Biên bản", **TH).verdict == "electronic_only"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "topic", ["tổ chức cán bộ", "to-chuc-can-bo", "personnel", "TỔ CHỨC CÁN BỘ"]
)
def test_seed001_thanh_hoa_personnel_paper_also(topic: str) -> None:
    d = check("Quyết định", topics=[topic], **TH)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("paper_also", "seed001-thanh-hoa-personnel")
    assert SEED001 in d.source
    assert d.unmatched_topics == ()


@pytest.mark.parametrize("topic", ["khiếu nại, tố cáo", "tố cáo", "complaints", "khieu nai"])
def test_seed001_thanh_hoa_complaints_paper_also(topic: str) -> None:
    d = check("Công văn", topics=[topic], **TH)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("paper_also", "seed001-thanh-hoa-complaints")


@pytest.mark.parametrize("name", ["Quyết định", "QĐ", "Quyết định của UBND"])
def test_seed001_thanh_hoa_finance_decision_paper_also(name: str) -> None:
    d = check(name, topics=["tài chính"], **TH)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("paper_also", "seed001-thanh-hoa-finance-investment")
    d = check(name, topics=["investment"], **TH)  # type: ignore[arg-type]
    assert d.rule == "seed001-thanh-hoa-finance-investment"


def test_seed001_thanh_hoa_finance_only_for_decisions() -> None:
    d = check("Công văn", topics=["tài chính"], **TH)  # type: ignore[arg-type]
    assert d.verdict == "electronic_only"


def test_seed001_thanh_hoa_admin_procedures_paper_also() -> None:
    d = check("Công văn", topics=["thủ tục hành chính"], **TH)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("paper_also", "seed001-thanh-hoa-admin-procedures")


def test_seed001_thanh_hoa_before_2019_05_01() -> None:
    d = check("Công văn", profile="thanh-hoa-2019", date="2019-04-30")
    assert (d.verdict, d.rule) == ("paper_also", "not-in-force")


def test_seed001_thanh_hoa_unknown_topic_reported() -> None:
    d = check("Công văn", topics=["weather"], **TH)  # type: ignore[arg-type]
    assert d.verdict == "electronic_only"
    assert d.unmatched_topics == ("weather",)


# -- seed 000: Hải Dương 2020 -------------------------------------------------------------------

HD = {"profile": "hai-duong-2020"}


def test_seed000_hai_duong_electronic_from_2020_10_01() -> None:
    d = check("Công văn", date="2020-10-01", **HD)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("electronic_only", "seed000-all-documents-from-2020-10-01")
    assert SEED000 in d.source
    assert check("Hợp đồng", date="2021-01-01", **HD).verdict == "electronic_only"  # type: ignore[arg-type]


def test_seed000_hai_duong_before_2020_10_01_paper_also() -> None:
    d = check("Công văn", date="2020-09-30", **HD)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("paper_also", "seed000-before-2020-10-01-paper-also")


def test_seed000_hai_duong_before_issue_not_in_force() -> None:
    d = check("Công văn", date="2020-01-01", **HD)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("paper_also", "not-in-force")


# -- seed 004: Hải Dương Party bodies 2021 ------------------------------------------------------

PARTY = {"profile": "hai-duong-party-2021", "date": "2021-06-01"}


def test_seed004_party_no_paper() -> None:
    d = check("CV", **PARTY)  # type: ignore[arg-type]
    assert (d.verdict, d.rule, d.doc_type) == (
        "electronic_only",
        "seed004-party-no-paper",
        "Công văn",
    )
    assert SEED004 in d.source


def test_seed004_party_tinh_uy_meeting_one_paper_copy() -> None:
    for topic in ("kỳ họp Tỉnh ủy", "ky hop tinh uy", "provincial Party committee meeting"):
        d = check("Báo cáo", topics=[topic], **PARTY)  # type: ignore[arg-type]
        assert (d.verdict, d.rule) == ("paper_also", "seed004-tinh-uy-meeting-one-paper-copy")


def test_seed004_party_dieu_8_paper_also() -> None:
    d = check("Công văn", topics=["quy-dinh-32-dieu-8"], **PARTY)  # type: ignore[arg-type]
    assert (d.verdict, d.rule) == ("paper_also", "seed004-quy-dinh-32-dieu-8")


def test_seed004_party_qd_is_ambiguous() -> None:
    # seed 004: "Quy định số 32-QĐ/TU" - in Party practice QĐ is quy định as well as quyết định
    with pytest.raises(UnknownDocumentType, match="ambiguous"):
        check("QĐ", **PARTY)  # type: ignore[arg-type]
    assert find_doc_type("QĐ").name == "Quyết định (cá biệt)"


def test_seed004_party_from_may_2021() -> None:
    assert check("CV", profile="hai-duong-party-2021", date="2021-04-30").rule == "not-in-force"
    assert check("CV", profile="hai-duong-party-2021", date="2021-05-01").verdict == (
        "electronic_only"
    )


# -- document types -----------------------------------------------------------------------------


def test_doc_types_cover_nd30_art7() -> None:
    art7 = sorted(t.art7 for t in doc_types() if t.art7)
    assert art7 == list(range(1, 30))
    assert find_doc_type("Thư công").abbreviation == ""


@pytest.mark.parametrize(
    ("value", "numbering", "message"),
    [("QĐ", "party", "ambiguous"), ("qđ", "party", "ambiguous"), ("Lệnh", "state", "unknown")],
)
def test_doc_type_errors(value: str, numbering: str, message: str) -> None:
    with pytest.raises(UnknownDocumentType, match=message):
        find_doc_type(value, numbering=numbering)


def test_da_and_dj_a_are_told_apart_by_case_folding_only() -> None:
    assert find_doc_type("da").name == "Dự án"
    assert find_doc_type("đa").name == "Đề án"


def test_qyd_spelling() -> None:
    assert find_doc_type("QYĐ").name == "Quy định"
    assert find_doc_type("qyđ").name == "Quy định"


# -- dates ---------------------------------------------------------------------------------------


def test_dates_accept_date_datetime_and_iso() -> None:
    a = check("Công văn", profile="dak-lak-2019-pilot", date=datetime.date(2019, 5, 10))
    b = check("Công văn", profile="dak-lak-2019-pilot", date=datetime.datetime(2019, 5, 10, 8))
    c = check("Công văn", profile="dak-lak-2019-pilot", date=" 2019-05-10 ")
    assert a == b == c
    assert a.verdict == "electronic_only"


@pytest.mark.parametrize("date", ["2019-02-30", "10/05/2019", "", "x" * 10000, 20190510, "\x00"])
def test_bad_dates(date: object) -> None:
    with pytest.raises(InvalidCheckDate):
        check("Công văn", date=date)  # type: ignore[arg-type]


# -- user profiles -------------------------------------------------------------------------------


def _minimal(**over: str) -> str:
    parts = {
        "head": 'schema = 1\nname = "my-office"\ntitle_vi = "Văn phòng"\ntitle_en = "Office"\n',
        "source": '[source]\nfile = "memo.txt"\ndocument = "Công văn 1/VP"\narticle = "Điều 1"\n',
        "effective": "[effective]\nfrom = 2024-01-01\nuntil = 2024-12-31\n",
        "allowed": (
            '[allowed]\nrule = "my-list"\narticle = "Điều 2"\nreason_vi = "Được phép."\n'
            'reason_en = "Allowed."\ntypes = ["Công văn", "QyĐ", "Tờ khai"]\n'
        ),
        "secrecy": '[secrecy]\nrule = "my-secret"\nexcluded = ["Mật"]\n',
        "extra": (
            '[[special_rules]]\nid = "my-board"\nverdict = "not_electronic"\narticle = "Điều 3"\n'
            'reason_vi = "Không."\nreason_en = "No."\ntopics = ["board"]\n'
        ),
    }
    parts.update(over)
    return "\n".join(parts.values())


def _write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_user_profile_loads_and_decides(tmp_path: Path) -> None:
    mine = load_policy(_write(tmp_path, _minimal()))
    assert isinstance(mine, Policy)
    assert mine.name == "my-office"
    kw: dict[str, Any] = {"profile": mine, "date": "2024-06-01"}
    assert check("Công văn", **kw).rule == "my-list"
    assert check("Quy định", **kw).verdict == "electronic_only"
    assert check("tờ khai", **kw).verdict == "electronic_only"  # a name the profile adds
    assert (check("Báo cáo", **kw).verdict, check("Báo cáo", **kw).rule) == (
        "paper_also",
        "my-office-not-listed",
    )
    assert check("Công văn", topics=["Board"], **kw).verdict == "not_electronic"
    assert check("Công văn", secrecy="Mật", **kw).rule == "my-secret"
    assert check("Công văn", secrecy="Tối mật", **kw).rule == "secret-never"
    assert check("Công văn", profile=mine, date="2025-01-01").rule == "not-in-force"
    assert "memo.txt" in check("Công văn", **kw).source


def test_shipped_profile_files_load_with_load_policy() -> None:
    folder = Path(policy_module.__file__).parent / "data" / "policies"
    for p in policies():
        assert load_policy(folder / f"{p.name}.toml").allowed_types == p.allowed_types


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema = 1\nname = [", "not valid TOML"),
        (_minimal(head='schema = 1\nname = "my-office"\ntitle_vi = "x"\n'), "'title_en'"),
        (_minimal(head='schema = 2\nname = "a"\ntitle_vi = "x"\ntitle_en = "y"\n'), "'schema'"),
        (
            _minimal(head='schema = 1\nname = "My Office"\ntitle_vi = "x"\ntitle_en = "y"\n'),
            "'name'",
        ),
        (_minimal(source='[source]\nfile = 3\ndocument = "d"\narticle = "a"\n'), "'file'"),
        (_minimal(effective="[effective]\nfrom = 2024-01-01\nuntil = 2023-01-01\n"), "until"),
        (_minimal(effective='[effective]\nfrom = "soon"\n'), "'from'"),
        (_minimal(effective="[effective]\nsince = 2024-01-01\n"), "unknown key 'since'"),
        (
            _minimal(
                allowed='[allowed]\nrule = "r"\narticle = "a"\nreason_vi = "v"\n'
                'reason_en = "e"\ntypes = "all"\n'
            ),
            "'types'",
        ),
        (
            _minimal(
                allowed='[allowed]\nrule = "r"\narticle = "a"\nreason_vi = "v"\n'
                'reason_en = "e"\ntypes = ["", 3]\n'
            ),
            "'types'",
        ),
        (_minimal(secrecy='[secrecy]\nexcluded = ["Bí mật quốc gia"]\n'), "'excluded'"),
        (
            _minimal(
                extra='[[special_rules]]\nid = "x"\nverdict = "maybe"\narticle = "a"\n'
                'reason_vi = "v"\nreason_en = "e"\n'
            ),
            "'verdict'",
        ),
        (
            _minimal(extra='[[exceptions]]\nid = "x"\narticle = "a"\nreason_vi = "v"\n'),
            "'reason_en'",
        ),
        (_minimal(extra="exceptions = 3\n"), "'exceptions'"),
        (_minimal(extra='colour = "red"\n'), "unknown key 'colour'"),
        (
            _minimal(
                extra='[[exceptions]]\nid = "d"\narticle = "a"\nreason_vi = "v"\nreason_en = "e"\n'
                '[[special_rules]]\nid = "d"\narticle = "a"\nreason_vi = "v"\nreason_en = "e"\n'
            ),
            "unique",
        ),
    ],
)
def test_malformed_user_profiles(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyFileError, match=message) as info:
        load_policy(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, CatalogError)


def test_unreadable_user_profiles(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="cannot be read"):
        load_policy(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("name = 'Hà'".encode("latin-1"))
    with pytest.raises(PolicyFileError, match="cannot be read"):
        load_policy(bad)
    with pytest.raises(PolicyFileError, match="cannot be read"):
        load_policy(tmp_path)


# -- robustness ---------------------------------------------------------------------------------

JUNK: list[object] = [
    None,
    "",
    "   ",
    "\t\n\r",
    "x" * 10000,
    "\x00\x07\x1b[0m",
    "Công văn\x00",
    "😀",
    unicodedata.normalize("NFD", "Đề án") + "\u0301",
    3,
    1.5,
    b"Cong van",
    [],
    object(),
]


@pytest.mark.parametrize("junk", JUNK, ids=lambda v: repr(v)[:30])
def test_junk_raises_only_documented_errors(junk: object) -> None:
    documented = (UnknownDocumentType, UnknownPolicy, UnknownCode, InvalidCheckDate, PolicyError)
    for call in (
        lambda: check(junk),  # type: ignore[arg-type]
        lambda: check("Công văn", secrecy=junk),  # type: ignore[arg-type]
        lambda: check("Công văn", date=junk),  # type: ignore[arg-type]
        lambda: check("Công văn", profile=junk),  # type: ignore[arg-type]
        lambda: check("Công văn", topics=junk),  # type: ignore[arg-type]
        lambda: check("Công văn", topics=[junk]),  # type: ignore[list-item]
        lambda: find_doc_type(junk),
        lambda: get_policy(junk),
    ):
        try:
            result = call()
        except documented:
            continue
        assert result is not None


def test_junk_checks_answer_or_raise_specifically() -> None:
    with pytest.raises(UnknownDocumentType):
        check(None)  # type: ignore[arg-type]
    with pytest.raises(UnknownPolicy):
        check("Công văn", profile="")
    # names compare without punctuation or control characters
    assert check("Công văn\x00", date="2024-01-01").doc_type == "Công văn"
    with pytest.raises(UnknownDocumentType):
        check("\x00\x01")
    assert check("Công văn", topics=["", "  ", "\x00"], date="2024-01-01").verdict == (
        "electronic_only"
    )
    assert check(
        "Công văn", topics="personnel", profile="thanh-hoa-2019", date="2020-01-01"
    ).rule == ("seed001-thanh-hoa-personnel")


def test_decision_json_has_exactly_four_keys() -> None:
    assert set(check("Công văn").as_json()) == {"verdict", "rule", "source", "profile"}


def test_decisions_are_frozen() -> None:
    d = check("Công văn")
    with pytest.raises(AttributeError):
        d.verdict = "paper_also"  # type: ignore[misc]


def test_module_exports_exist() -> None:
    for name in policy_module.__all__:
        assert hasattr(policy_module, name), name


def test_policies_page_is_the_generator_output() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "catalog_docs_policies.py"
    spec = importlib.util.spec_from_file_location("catalog_docs_policies", path)
    assert spec is not None
    assert spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    page = gen.POLICIES_PAGE
    text = page.read_text("utf-8")
    assert text == gen.pages()[page], "run python scripts/catalog_docs_policies.py"
    for p in policies():
        assert f"### `{p.name}`" in text
        for rule in (*p.exceptions, *p.special_rules):
            assert rule.id in text


# -- one case per seed rule, named after the seed file ----------------------------------------

SEED_RULES = [
    ("seed002-cong-van-electronic", "Công văn", {}, "electronic_only", "seed002-26-types"),
    ("seed002-thong-tu-electronic", "Thông tư", {}, "electronic_only", "seed002-26-types"),
    ("seed002-bien-ban-paper-also", "Biên bản", {}, "paper_also", "seed002-not-listed"),
    ("secret-never", "Công văn", {"secrecy": "Mật"}, "not_electronic", "secret-never"),
    (
        "seed003-dak-lak-pilot-cong-dien-electronic",
        "Công điện",
        {"profile": "dak-lak-2019-pilot", "date": "2019-05-02"},
        "electronic_only",
        "seed003-14-pilot-types",
    ),
    (
        "seed003-dak-lak-pilot-phieu-gui-paper-also",
        "Phiếu gửi",
        {"profile": "dak-lak-2019-pilot", "date": "2019-05-02"},
        "paper_also",
        "seed003-not-in-pilot",
    ),
    (
        "seed003-dak-lak-pilot-ended",
        "Công văn",
        {"profile": "dak-lak-2019-pilot", "date": "2019-06-16"},
        "paper_also",
        "not-in-force",
    ),
    (
        "seed001-thanh-hoa-personnel-paper-also",
        "Công văn",
        {"profile": "thanh-hoa-2019", "date": "2019-05-01", "topics": ["personnel"]},
        "paper_also",
        "seed001-thanh-hoa-personnel",
    ),
    (
        "seed001-thanh-hoa-complaints-paper-also",
        "Công văn",
        {"profile": "thanh-hoa-2019", "date": "2019-05-01", "topics": ["khiếu nại"]},
        "paper_also",
        "seed001-thanh-hoa-complaints",
    ),
    (
        "seed001-thanh-hoa-finance-decision-paper-also",
        "Quyết định",
        {"profile": "thanh-hoa-2019", "date": "2019-05-01", "topics": ["đầu tư"]},
        "paper_also",
        "seed001-thanh-hoa-finance-investment",
    ),
    (
        "seed001-thanh-hoa-admin-procedures-paper-also",
        "Thông báo",
        {"profile": "thanh-hoa-2019", "date": "2019-05-01", "topics": ["thủ tục hành chính"]},
        "paper_also",
        "seed001-thanh-hoa-admin-procedures",
    ),
    (
        "seed001-thanh-hoa-secret-not-electronic",
        "Công văn",
        {"profile": "thanh-hoa-2019", "date": "2019-05-01", "secrecy": "Mật"},
        "not_electronic",
        "seed001-secret-excluded",
    ),
    (
        "seed000-hai-duong-electronic-from-2020-10-01",
        "Tờ trình",
        {"profile": "hai-duong-2020", "date": "2020-10-01"},
        "electronic_only",
        "seed000-all-documents-from-2020-10-01",
    ),
    (
        "seed000-hai-duong-before-2020-10-01-paper-also",
        "Tờ trình",
        {"profile": "hai-duong-2020", "date": "2020-09-30"},
        "paper_also",
        "seed000-before-2020-10-01-paper-also",
    ),
    (
        "seed000-hai-duong-mat-not-electronic",
        "Tờ trình",
        {"profile": "hai-duong-2020", "date": "2020-10-01", "secrecy": "Mật"},
        "not_electronic",
        "seed000-secret-excluded",
    ),
    (
        "seed004-party-cv-no-paper",
        "CV",
        {"profile": "hai-duong-party-2021", "date": "2021-05-01"},
        "electronic_only",
        "seed004-party-no-paper",
    ),
    (
        "seed004-party-tinh-uy-meeting-one-paper-copy",
        "Nghị quyết",
        {"profile": "hai-duong-party-2021", "date": "2021-05-01", "topics": ["họp Tỉnh ủy"]},
        "paper_also",
        "seed004-tinh-uy-meeting-one-paper-copy",
    ),
    (
        "seed004-party-dieu-8-paper-also",
        "Kết luận",
        {"profile": "hai-duong-party-2021", "date": "2021-05-01", "topics": ["qd32-dieu-8"]},
        "paper_also",
        "seed004-quy-dinh-32-dieu-8",
    ),
    (
        "seed004-party-mat-not-electronic",
        "CV",
        {"profile": "hai-duong-party-2021", "date": "2021-05-01", "secrecy": "MẬT"},
        "not_electronic",
        "seed004-mat-excluded",
    ),
]


@pytest.mark.parametrize(
    ("doc_type", "kwargs", "verdict", "rule"),
    [pytest.param(*case[1:], id=case[0]) for case in SEED_RULES],
)
def test_seed_rule(doc_type: str, kwargs: dict[str, Any], verdict: str, rule: str) -> None:
    kwargs.setdefault("date", "2024-01-01")
    d = check(doc_type, **kwargs)
    assert (d.verdict, d.rule) == (verdict, rule)
    assert d.reason_vi
    assert d.reason_en
