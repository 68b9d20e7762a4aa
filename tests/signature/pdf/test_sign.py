"""Signing: the four Nghị định 30/2020 appearances, the levels, the keys, bad input."""

from __future__ import annotations

import datetime
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import cms
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from vbdt_exchange.signature import keys
from vbdt_exchange.signature._pdf_text import _glyphs, find_text
from vbdt_exchange.signature.keys import KeySigner, load_pem, load_pkcs12
from vbdt_exchange.signature.pdf import (
    VIETNAM_TIME,
    AttachmentStamp,
    CopyStamp,
    EncryptedPdfError,
    OrganisationSeal,
    PdfSignatureError,
    PersonSignature,
    SignedPdf,
    copy_number,
    seal_box,
    sign_pdf,
)
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.testing.pki import TestPKI
from vbdt_exchange.testing.tsa import TSAServer

MOMENT = datetime.datetime(2026, 11, 21, 2, 30, 15, tzinfo=datetime.UTC)


def _reader(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data))


def _signer_info(data: bytes, index: int = -1) -> cms.SignerInfo:
    sig = list(_reader(data).embedded_regular_signatures)[index]
    return sig.signer_info


def _stamp_text(data: bytes, field: str) -> str:
    """The text drawn in a signature field's appearance, decoded through its ToUnicode map."""
    reader = _reader(data)
    for sig in reader.embedded_signatures:
        if sig.field_name == field:
            widget = sig.sig_field
            break
    else:
        raise AssertionError(f"no field {field}")
    appearance = widget["/AP"]["/N"]
    glyphs = _glyphs([appearance], appearance.get("/Resources"), (1, 0, 0, 1, 0, 0))
    lines: dict[int, list] = {}
    for g in glyphs:
        lines.setdefault(round(g.y), []).append(g)
    return "\n".join(
        "".join(g.char for g in sorted(row, key=lambda g: g.x0))
        for _, row in sorted(lines.items(), reverse=True)
    )


# -- the person and the organisation -----------------------------------------------------------


def test_pdfsig_accepts_the_signer_then_organisation_pair(
    pair: SignedPdf, pdfsig: Callable[[bytes], list[str]]
) -> None:
    assert pdfsig(pair.data) == ["Signature is Valid.", "Signature is Valid."]


def test_the_person_image_is_centred_above_the_name(person_signed: SignedPdf) -> None:
    reader = _reader(person_signed.data)
    name = find_text(reader, 1, "Nguyễn Văn An")
    assert name is not None
    assert person_signed.page == 1  # the last page of two
    assert person_signed.box is not None
    x1, y1, x2, y2 = person_signed.box
    assert abs((x1 + x2) / 2 - (name.x1 + name.x2) / 2) <= 1
    assert name.y2 < y1 < name.y2 + 10
    assert y2 - y1 == pytest.approx(56.0, abs=1)
    assert x2 - x1 == pytest.approx(56 * 300 / 120, abs=1)


def test_the_seal_box_comes_from_the_person_field(
    person_signed: SignedPdf, pair: SignedPdf
) -> None:
    assert person_signed.box is not None
    assert pair.box == tuple(float(round(v)) for v in seal_box(person_signed.box, 40.0))
    assert pair.page == person_signed.page
    x1, _y1, x2, _y2 = pair.box
    assert x2 - x1 == pytest.approx(40 * 72 / 25.4, abs=1)  # the seal's real size
    px1, _, px2, _ = person_signed.box
    assert x2 == pytest.approx(px1 + (px2 - px1) / 3, abs=0.5)


def test_rendered_seal_covers_the_left_third_of_the_signature(
    pair: SignedPdf,
    person_signed: SignedPdf,
    require_tool: Callable[[str, str], str],
    tmp_path: Path,
) -> None:
    tool = require_tool("pdftoppm", "poppler-utils")
    path = tmp_path / "pair.pdf"
    path.write_bytes(pair.data)
    dpi = 72
    subprocess.run(
        [tool, "-r", str(dpi), "-f", "2", "-l", "2", "-png", str(path), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as opened:
        image = opened.convert("RGB")
    height = image.height
    assert person_signed.box is not None
    x1, y1, x2, y2 = person_signed.box
    third = x1 + (x2 - x1) / 3

    def count(colour: str, left: float, right: float) -> int:
        found = 0
        for x in range(int(left), int(right)):
            for y in range(int(height - y2), int(height - y1)):
                r, g, b = image.getpixel((x, y))  # type: ignore[misc]
                if colour == "red" and r > 150 and g < 90 and b < 90:
                    found += 1
                if colour == "blue" and b > 150 and r < 90 and g < 120:
                    found += 1
        return found

    assert count("red", x1, third) > 50  # the seal over the left third of the image
    assert count("blue", third + 2, x2) > 50  # the signature shows to its right
    assert count("red", third + 2, x2) == 0  # and the seal stops at the third


def test_seal_over_a_named_field_and_refusals(
    document: bytes, person_signed: SignedPdf, organisation: KeySigner, seal: bytes
) -> None:
    named = sign_pdf(
        person_signed.data, organisation, appearance=OrganisationSeal(seal, over="NguoiKy")
    )
    assert named.box is not None
    with pytest.raises(PdfSignatureError, match="no signed, visible signature field named 'X'"):
        sign_pdf(person_signed.data, organisation, appearance=OrganisationSeal(seal, over="X"))
    with pytest.raises(PdfSignatureError, match="no signed, visible signature field"):
        sign_pdf(document, organisation, appearance=OrganisationSeal(seal))
    with pytest.raises(PdfSignatureError, match="already has a signature field named 'NguoiKy'"):
        sign_pdf(
            person_signed.data,
            organisation,
            appearance=PersonSignature(seal, box=(10, 10, 50, 50), field_name="NguoiKy"),
        )


def test_person_signature_by_box_and_bad_placements(
    document: bytes, person: KeySigner, scribble: bytes
) -> None:
    signed = sign_pdf(
        document, person, appearance=PersonSignature(scribble, box=(360, 160, 520, 224), page=0)
    )
    assert (signed.page, signed.box) == (0, (360.0, 160.0, 520.0, 224.0))
    with pytest.raises(PdfSignatureError, match="the text 'Trần Thị Bình' is not on page 2"):
        sign_pdf(
            document, person, appearance=PersonSignature(scribble, anchor_text="Trần Thị Bình")
        )
    with pytest.raises(
        PdfSignatureError, match=r"page index 5 is out of range: the PDF has 2 page\(s\)"
    ):
        sign_pdf(document, person, appearance=PersonSignature(scribble, box=(1, 1, 9, 9), page=5))
    with pytest.raises(PdfSignatureError, match="is empty"):
        sign_pdf(document, person, appearance=PersonSignature(scribble, box=(9, 9, 1, 1)))
    with pytest.raises(PdfSignatureError, match="either a box or anchor text"):
        PersonSignature(scribble)
    with pytest.raises(PdfSignatureError, match="the image cannot be read"):
        sign_pdf(document, person, appearance=PersonSignature(b"not a png", box=(1, 1, 9, 9)))


# -- attachment and copy stamps -----------------------------------------------------------------


def test_attachment_stamp_top_right_with_number_and_iso_time(
    document: bytes, organisation: KeySigner, pdfsig: Callable[[bytes], list[str]]
) -> None:
    signed = sign_pdf(
        document, organisation, appearance=AttachmentStamp("3244/UBND-VP"), signing_time=MOMENT
    )
    assert pdfsig(signed.data) == ["Signature is Valid."]
    assert signed.page == 0
    assert signed.box is not None
    _x1, _y1, x2, y2 = signed.box
    assert x2 == pytest.approx(595.28 - 20 * 72 / 25.4, abs=0.5)  # right margin
    assert y2 > 780  # in the top margin
    assert _stamp_text(signed.data, "VanThu") == "3244/UBND-VP\n2026-11-21T09:30:15+07:00"
    assert signed.signing_time == MOMENT.astimezone(VIETNAM_TIME)
    # the signature claims the same time as the stamp shows
    (sig,) = _reader(signed.data).embedded_regular_signatures
    assert sig.self_reported_timestamp == MOMENT


def test_copy_stamp_with_vietnamese_text(
    document: bytes, organisation: KeySigner, pdfsig: Callable[[bytes], list[str]]
) -> None:
    stamp = CopyStamp(
        "SAO LỤC", "Văn phòng Ủy ban nhân dân tỉnh Nghệ An", copy_number(5, "UBND", "SAO LỤC")
    )
    signed = sign_pdf(document, organisation, appearance=stamp, signing_time=MOMENT)
    assert pdfsig(signed.data) == ["Signature is Valid."]
    assert _stamp_text(signed.data, "BanSao") == (
        "SAO LỤC\nVăn phòng Ủy ban nhân dân tỉnh Nghệ An\n05/SL-UBND\n2026-11-21T09:30:15+07:00"
    )


def test_stamp_inputs_are_checked(document: bytes, organisation: KeySigner) -> None:
    with pytest.raises(PdfSignatureError, match="number and notation is not valid"):
        sign_pdf(document, organisation, appearance=AttachmentStamp("3244 UBND"))
    with pytest.raises(PdfSignatureError, match="unknown copy form"):
        CopyStamp("BẢN SAO", "UBND")  # type: ignore[arg-type]
    with pytest.raises(PdfSignatureError, match="copying organisation is empty"):
        CopyStamp("SAO Y", "  ")
    assert copy_number(5, "UBND") == "05/SY-UBND"
    assert copy_number(123, "VPCP", "TRÍCH SAO") == "123/TrS-VPCP"
    # a percent sign in the organisation is text, not a template
    signed = sign_pdf(document, organisation, appearance=CopyStamp("SAO Y", "100% UBND"))
    assert "100% UBND" in _stamp_text(signed.data, "BanSao")


# -- levels and keys ----------------------------------------------------------------------------


def test_levels_need_what_they_need(document: bytes, person: KeySigner, tsa: TSAServer) -> None:
    with pytest.raises(PdfSignatureError, match="level b-t needs a time-stamping server"):
        sign_pdf(document, person, level="b-t")
    with pytest.raises(PdfSignatureError, match="level b-lt needs trust anchors"):
        sign_pdf(document, person, level="b-lt", tsa_url=tsa.url)
    with pytest.raises(PdfSignatureError, match="unknown level 'b-x'"):
        sign_pdf(document, person, level="b-x")  # type: ignore[arg-type]
    with pytest.raises(PdfSignatureError, match="the time-stamp could not be had"):
        sign_pdf(document, person, level="b-t", tsa_url="http://127.0.0.1:9/")


def test_b_lt_without_revocation_data_is_refused(
    document: bytes, person: KeySigner, tsa: TSAServer, trust: TrustStore
) -> None:
    with pytest.raises(PdfSignatureError, match="revocation data cannot be had"):
        sign_pdf(document, person, level="b-lt", tsa_url=tsa.url, trust=trust)


def test_pss_and_ec_keys(
    document: bytes, person: KeySigner, pdfsig: Callable[[bytes], list[str]]
) -> None:
    signed = sign_pdf(document, person, pss=True)
    info = _signer_info(signed.data)
    assert info["signature_algorithm"]["algorithm"].native == "rsassa_pss"
    assert info["signature_algorithm"]["parameters"]["salt_length"].native == 32
    assert pdfsig(signed.data) == ["Signature is Valid."]
    ec_pki = TestPKI.generate(key_type="ec")
    ec_signer = KeySigner(
        ec_pki.person.private_key, ec_pki.person.certificate, ec_pki.person.chain[1:-1]
    )
    signed = sign_pdf(document, ec_signer, digest="sha384")
    info = _signer_info(signed.data)
    assert info["signature_algorithm"]["algorithm"].native == "sha384_ecdsa"
    assert pdfsig(signed.data) == ["Signature is Valid."]
    with pytest.raises(PdfSignatureError, match="RSASSA-PSS needs an RSA key"):
        sign_pdf(document, ec_signer, pss=True)
    with pytest.raises(PdfSignatureError, match="unsupported digest 'sha1'"):
        sign_pdf(document, person, digest="sha1")


def test_keys_from_pkcs12_and_pem(
    pki: TestPKI, document: bytes, tmp_path: Path, pdfsig: Callable[[bytes], list[str]]
) -> None:
    files = pki.person.write(tmp_path, password=b"mat-khau")
    from_p12 = load_pkcs12(files["pkcs12"], "mat-khau")
    from_pem = load_pem(files["key"], files["chain"], "mat-khau")
    for signer in (from_p12, from_pem):
        signed = sign_pdf(document, signer)
        assert pdfsig(signed.data) == ["Signature is Valid."]


def test_any_keys_signer_works(pki: TestPKI, document: bytes) -> None:
    """A remote or token signer is just the protocol: the adapter never sees a key."""
    inner = KeySigner(pki.person.private_key, pki.person.certificate, pki.person.chain[1:-1])
    calls: list[str] = []

    class Remote:
        certificate = pki.person.certificate
        chain = tuple(pki.person.chain[1:-1])

        def sign(self, data: bytes, algorithm: keys.SignatureAlgorithm) -> bytes:
            calls.append(algorithm)
            return inner.sign(data, algorithm)

    assert isinstance(Remote(), keys.Signer)
    sign_pdf(document, Remote())
    assert calls == ["rsa-sha256"]  # once: the size estimate never reaches the signer


# -- bad input ----------------------------------------------------------------------------------


def test_encrypted_broken_and_non_pdf_input(
    document: bytes, person: KeySigner, tmp_path: Path, encrypted_pdf: bytes
) -> None:
    with pytest.raises(EncryptedPdfError, match="encrypted"):
        sign_pdf(encrypted_pdf, person)
    with pytest.raises(PdfSignatureError, match="not a PDF"):
        sign_pdf(b"PK\x03\x04 a zip file", person)
    with pytest.raises(PdfSignatureError, match="cannot"):
        sign_pdf(document[: len(document) // 2], person)
    with pytest.raises(PdfSignatureError, match="cannot"):
        sign_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 100, person)
    with pytest.raises(FileNotFoundError):
        sign_pdf(tmp_path / "missing.pdf", person)
    with pytest.raises(PdfSignatureError, match=r"is not a keys\.Signer"):
        sign_pdf(document, object())  # type: ignore[arg-type]


def _hand_made(pages_dict: bytes) -> bytes:
    """A tiny PDF whose page tree is ``pages_dict``, with a correct cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", pages_dict]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.mark.parametrize(
    "pages",
    [
        b"<< /Type /Pages /Kids [] /Count 1000000000 >>",  # lies about its size
        b"<< /Type /Pages /Kids [ 9 0 R ] /Count 1 >>",  # a page that does not exist
        b"<< /Type /Pages /Kids 7 /Count 1 >>",  # not an array
    ],
)
def test_hostile_page_trees_give_clear_errors(
    pages: bytes, organisation: KeySigner, seal: bytes, scribble: bytes
) -> None:
    data = _hand_made(pages)
    for appearance in (
        AttachmentStamp("3244/UBND-VP"),
        PersonSignature(scribble, anchor_text="Nguyễn Văn An"),
        OrganisationSeal(seal),
    ):
        with pytest.raises(PdfSignatureError):
            sign_pdf(data, organisation, appearance=appearance)


def test_oversized_image_is_refused(document: bytes, person: KeySigner) -> None:
    with pytest.raises(PdfSignatureError, match="larger than 16 MiB"):
        sign_pdf(
            document,
            person,
            appearance=PersonSignature(b"\x89PNG" + bytes(16 * 1024 * 1024), box=(1, 1, 9, 9)),
        )
