"""The bilingual report (Thông tư 15/2025 Art. 6 items), its catalogue and its JSON form."""

from __future__ import annotations

import datetime
import json
import tomllib
from importlib import resources

import pytest

from vbdt_exchange.signature.policy import VerificationPolicy
from vbdt_exchange.signature.trust import CertificateReport, TrustStore, check_certificate
from vbdt_exchange.testing.pki import TestPKI


@pytest.fixture(scope="module")
def passed(pki: TestPKI, trust: TrustStore) -> CertificateReport:
    return check_certificate(
        pki.organisation.certificate,
        trust=trust,
        policy=VerificationPolicy(crls=(pki.crl_der(),)),
        at=pki.now,
    )


@pytest.fixture(scope="module")
def revoked(pki: TestPKI, trust: TrustStore) -> CertificateReport:
    return check_certificate(
        pki.revoked.certificate,
        trust=trust,
        policy=VerificationPolicy(crls=(pki.crl_der(),)),
        at=pki.now,
    )


def test_catalogue_languages_have_the_same_keys() -> None:
    text = (
        resources.files("vbdt_exchange.signature")
        .joinpath("data/labels.toml")
        .read_text(encoding="utf-8")
    )
    table = tomllib.loads(text)
    assert set(table) == {"vi", "en"}
    assert set(table["vi"]) == set(table["en"])
    assert all(table["vi"][k] != table["en"][k] for k in table["vi"])


def test_vietnamese_report(passed: CertificateReport) -> None:
    signing = datetime.datetime(2026, 1, 15, 2, 30, 15, tzinfo=datetime.UTC)
    text = passed.render("vi", signing_time=signing, integrity=True)
    assert text.splitlines()[:8] == [
        "Kết quả kiểm tra: Chữ ký hợp lệ",
        "Tổ chức cấp chứng thư: Vietnam Government Signing CA (TEST)",
        "Người ký: Văn phòng Chính phủ (TEST)",
        "Đơn vị quản lý chứng thư: Văn phòng Chính phủ (TEST)",
        "Thời điểm ký: 2026-01-15T02:30:15Z",
        "Toàn vẹn dữ liệu: Dữ liệu toàn vẹn",
        "Hiệu lực chứng thư tại thời điểm ký: Có hiệu lực",
        "Thời hạn hiệu lực của chứng thư: 2025-01-15T09:30:00Z – 2028-01-15T09:30:00Z",
    ]
    assert "Thông tin SIG216: chứng thư của Văn phòng Chính phủ (TEST) chưa bị thu hồi" in text


def test_english_report(passed: CertificateReport) -> None:
    items = dict(passed.items("en", timestamp=True))
    assert items["Result"] == "Signature valid"
    assert items["Issuing CA"] == "Vietnam Government Signing CA (TEST)"
    assert items["Signer"] == "Văn phòng Chính phủ (TEST)"
    assert items["Timestamp"] == "2026-01-15T09:30:00Z"  # validated_at when not given
    assert items["Data integrity"] == "Not checked"
    assert items["Certificate valid at signing time"] == "Valid"


def test_failed_report(revoked: CertificateReport) -> None:
    vi = dict(revoked.items("vi", integrity=False))
    assert vi["Kết quả kiểm tra"] == "Chữ ký không hợp lệ"
    assert vi["Toàn vẹn dữ liệu"] == "Dữ liệu đã bị thay đổi"
    assert vi["Hiệu lực chứng thư tại thời điểm ký"] == (
        "Không có hiệu lực (chứng thư đã bị thu hồi)"
    )
    text = revoked.render("en")
    assert "Error SIG205: the certificate of Lê Văn Cường (TEST) was revoked" in text
    assert "Lỗi SIG205: chứng thư của Lê Văn Cường (TEST) đã bị thu hồi" in revoked.render()


def test_unknown_language(passed: CertificateReport) -> None:
    with pytest.raises(ValueError, match="'vi' or 'en'"):
        passed.render("fr")  # type: ignore[arg-type]


def test_to_dict_is_json(revoked: CertificateReport, pki: TestPKI) -> None:
    data = json.loads(json.dumps(revoked.to_dict(), ensure_ascii=False))
    assert data["indication"] == "FAILED"
    assert data["revocation"] == "revoked"
    assert data["trusted"] is True
    assert data["validated_at"] == "2026-01-15T09:30:00Z"
    assert data["subject"].startswith("CN=Lê Văn Cường (TEST)")
    assert data["serial_number"] == format(pki.revoked.serial_number, "x")
    assert [f["rule"] for f in data["findings"]] == ["SIG205"]
    assert data["findings"][0]["message_vi"].startswith("chứng thư của Lê Văn Cường")
    assert len(data["evidence"]["certificates"]) == 3
    assert data["evidence"]["certificates"][0].startswith("-----BEGIN CERTIFICATE-----")
    assert len(data["evidence"]["crls"]) == 1
    assert data["evidence"]["ocsp_responses"] == []


def test_indeterminate_report(pki: TestPKI) -> None:
    report = check_certificate(
        pki.person.certificate, trust=TrustStore(), policy=VerificationPolicy(), at=pki.now
    )
    en = dict(report.items("en"))
    assert en["Result"] == "Signature validity could not be established"
    assert en["Certificate valid at signing time"] == (
        "Undetermined (revocation status could not be checked)"
    )
    vi = dict(report.items("vi"))
    assert vi["Kết quả kiểm tra"] == "Chưa xác định được tính hợp lệ của chữ ký"
