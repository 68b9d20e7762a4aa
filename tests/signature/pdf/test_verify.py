"""Verification: integrity, coverage, changes after signing, levels, trust through the shared
trust layer, the bilingual report."""

from __future__ import annotations

import io
import json

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject

from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.pdf import (
    Coverage,
    EncryptedPdfError,
    PdfSignatureError,
    SignedPdf,
    sign_pdf,
    verify_pdf,
)
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.testing.pki import TestPKI
from vbdt_exchange.testing.tsa import TSAServer


def _rules(report: object) -> set[str]:
    return {f.rule for f in report.findings}  # type: ignore[attr-defined]


def test_the_pair_passes(pair: SignedPdf, trust: TrustStore, policy: VerificationPolicy) -> None:
    report = verify_pdf(pair.data, trust=trust, policy=policy)
    assert report.indication is Indication.PASSED
    person, org = report.signatures
    assert (person.field, org.field) == ("NguoiKy", "CoQuan")
    assert person.signer_name == "Nguyễn Văn An (TEST)"
    assert org.signer_name == "Văn phòng Chính phủ (TEST)"
    assert (person.level, org.level) == ("b-t", "b-b")
    assert person.timestamp is not None
    assert org.timestamp is None
    assert person.coverage is Coverage.REVISION
    assert org.coverage is Coverage.WHOLE_FILE
    assert (person.revision, org.revision, person.revisions) == (2, 3, 3)
    assert person.modification == "form-filling"
    assert person.changes_allowed
    assert org.modification == "none"
    assert person.certificate is not None
    assert person.certificate.revocation == "good"
    assert "SIG302" in _rules(person)
    assert "SIG305" in _rules(org)
    # what the person signed: the file as it was after revision 2
    assert pair.data.startswith(person.signed_data)
    assert len(person.signed_data) < len(pair.data)
    assert org.signed_data == pair.data


def test_the_report_speaks_vietnamese_and_english(
    pair: SignedPdf, trust: TrustStore, policy: VerificationPolicy
) -> None:
    report = verify_pdf(pair.data, trust=trust, policy=policy)
    vi = report.render("vi")
    for label in (
        "Chữ ký hợp lệ",
        "Người ký",
        "Tổ chức cấp chứng thư",
        "Đơn vị quản lý chứng thư",
        "Thời điểm ký",
        "Dấu thời gian",
        "Toàn vẹn dữ liệu",
        "Hiệu lực chứng thư tại thời điểm ký",
        "Thời hạn hiệu lực của chứng thư",
        "Kết quả: PASSED (2 chữ ký)",
    ):
        assert label in vi, label
    en = report.render("en")
    assert "Signature valid [PASSED]" in en
    assert "Result: PASSED (2 signature(s))" in en
    data = report.to_dict()
    json.dumps(data)
    assert [s["field"] for s in data["signatures"]] == ["NguoiKy", "CoQuan"]
    assert data["signatures"][0]["signing_time"].endswith("+07:00")


def test_one_changed_byte_fails(
    document: bytes, pair: SignedPdf, trust: TrustStore, policy: VerificationPolicy
) -> None:
    data = bytearray(pair.data)
    # the middle of the original document's longest stream (the embedded font), which both
    # signatures cover: the structure stays readable
    spans, start = [], 0
    while (start := document.find(b"stream\n", start)) >= 0:
        end = document.find(b"endstream", start)
        spans.append((end - start, start))
        start = end
    length, start = max(spans)
    data[start + length // 2] ^= 0x01
    report = verify_pdf(bytes(data), trust=trust, policy=policy)
    assert report.indication is Indication.FAILED
    assert all(not s.intact for s in report.signatures)
    assert all("SIG301" in _rules(s) for s in report.signatures)
    assert "Chữ ký không hợp lệ" in report.render("vi")


def _add_page(data: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    content = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 720 Td ET"))
    writer.insert_page(PageObject(contents=content, media_box=[0, 0, 595, 842]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_page_added_after_signing_fails(
    pair: SignedPdf, trust: TrustStore, policy: VerificationPolicy
) -> None:
    report = verify_pdf(_add_page(pair.data), trust=trust, policy=policy)
    assert report.indication is Indication.FAILED
    for sig in report.signatures:
        assert sig.intact
        assert sig.valid
        assert sig.modification == "other"
        assert not sig.changes_allowed
        assert "SIG303" in _rules(sig)
        assert sig.indication is Indication.FAILED
    assert "KHÔNG được phép" in report.render("vi")


@pytest.mark.parametrize("who", ["revoked", "expired"])
def test_revoked_and_expired_signers_fail(
    who: str,
    pki: TestPKI,
    document: bytes,
    trust: TrustStore,
    policy: VerificationPolicy,
) -> None:
    party = getattr(pki, who)
    signer = KeySigner(party.private_key, party.certificate, party.chain[1:-1])
    report = verify_pdf(sign_pdf(document, signer).data, trust=trust, policy=policy)
    (sig,) = report.signatures
    assert sig.intact
    assert sig.valid
    assert sig.indication is Indication.FAILED
    assert report.indication is Indication.FAILED
    assert sig.certificate is not None
    assert sig.certificate.indication is Indication.FAILED
    if who == "revoked":
        assert sig.certificate.revocation == "revoked"
    assert any(f.rule.startswith("SIG2") and f.is_error for f in sig.findings)


def test_untrusted_signer_is_indeterminate(pair: SignedPdf, policy: VerificationPolicy) -> None:
    other = TestPKI.generate()
    report = verify_pdf(pair.data, trust=TrustStore(roots=(other.root.certificate,)), policy=policy)
    assert report.indication is Indication.INDETERMINATE
    assert all(s.intact for s in report.signatures)


def test_levels_b_lt_and_b_lta(
    document: bytes,
    person: KeySigner,
    tsa: TSAServer,
    trust: TrustStore,
    policy: VerificationPolicy,
    pdfsig: object,
) -> None:
    lt = sign_pdf(document, person, level="b-lt", tsa_url=tsa.url, trust=trust, policy=policy)
    report = verify_pdf(lt.data, trust=trust, policy=VerificationPolicy(revocation="hard-fail"))
    (sig,) = report.signatures
    assert sig.level == "b-lt"
    assert sig.certificate is not None
    assert sig.certificate.revocation == "good"
    assert report.indication is Indication.PASSED
    lta = sign_pdf(document, person, level="b-lta", tsa_url=tsa.url, trust=trust, policy=policy)
    report = verify_pdf(lta.data, trust=trust, policy=VerificationPolicy(revocation="hard-fail"))
    (sig,) = report.signatures
    assert sig.level == "b-lta"
    ((_, when, intact),) = report.document_timestamps
    assert intact
    assert when is not None
    assert report.indication is Indication.PASSED
    # poppler checks the signature; it does not check document timestamps (ETSI.RFC3161)
    assert pdfsig(lta.data) == ["Signature is Valid.", "Signature has not yet been verified."]  # type: ignore[operator]


def test_unsigned_encrypted_and_broken_files(
    document: bytes, trust: TrustStore, pair: SignedPdf, encrypted_pdf: bytes
) -> None:
    report = verify_pdf(document, trust=trust)
    assert report.indication is Indication.FAILED
    assert report.signatures == ()
    assert "SIG309" in _rules(report)
    with pytest.raises(PdfSignatureError, match="not a PDF"):
        verify_pdf(b"hello", trust=trust)
    with pytest.raises(PdfSignatureError):
        verify_pdf(pair.data[:2000], trust=trust)
    with pytest.raises(EncryptedPdfError, match="decrypt it"):
        verify_pdf(encrypted_pdf, trust=trust)
