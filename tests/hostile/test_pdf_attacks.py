"""PDF attacks on signed documents (issue 8): every case is a signed PDF changed after signing
the way a published attack does it, and asserts the verdict and the rule that catches it.

* **Shadow attacks** (Mainka, Mladenov, Rohlmann, Schwenk: "Shadow Attacks: Hiding and
  Replacing Content in Signed PDFs", NDSS 2021) — *hide*: an overlay added in an incremental
  update covers content; *replace*: an update redefines a signed object (a page content stream,
  the font, a signature appearance XObject); *hide-and-replace*: the update swaps the whole
  catalog and page tree.
* **Evil annotations** (Mainka et al., "Breaking the Certification", IEEE S&P 2021): a FreeText,
  Stamp or opaque Square annotation added after signing; a form field filled after a
  certification that allows no changes.
* **Partial ranges**: bytes appended without an xref; a ``/ByteRange`` with a gap beyond
  ``/Contents``; a ``/ByteRange`` over the first part of the file only; a later signature whose
  range stops at an earlier revision. The forged ranges are *validly signed* by the real key
  (the CMS is remade over the forged range), so only the coverage check can catch them.
* **Incremental saving attacks** (Mladenov et al., "1 Trillion Dollar Refund", CCS 2019): a page
  deleted; the metadata changed. (A page *added* is ``test_a_page_added_after_signing_fails``
  in ``tests/signature/pdf/test_verify.py``.)
* **Controls**: the additions PAdES allows (a second signature, a DSS update at B-LT, a document
  timestamp at B-LTA) still PASS.

Verdicts (this library is stricter than the PDF default): after a signature, only LTV updates
(DSS, document timestamps) and form filling / new signatures are allowed (pyHanko's
``ModificationLevel`` up to ``FORM_FILLING``, within the DocMDP permissions); annotations and
anything else fail with SIG303.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from collections.abc import Iterator

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from vbdt_exchange.signature._pdf_sample import sample_pdf
from vbdt_exchange.signature._pdf_signer import KeysSignerAdapter
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.pdf import (
    AttachmentStamp,
    Coverage,
    Level,
    PdfVerificationReport,
    SignedPdf,
    sign_pdf,
    verify_pdf,
)
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.testing.pki import Party, TestPKI
from vbdt_exchange.testing.tsa import TSAServer

# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate(key_type="ec")  # valid now: the checks run at the signing time


def _signer(party: Party) -> KeySigner:
    return KeySigner(party.private_key, party.certificate, party.chain[1:-1])


@pytest.fixture(scope="module")
def person(pki: TestPKI) -> KeySigner:
    return _signer(pki.person)


@pytest.fixture(scope="module")
def organisation(pki: TestPKI) -> KeySigner:
    return _signer(pki.organisation)


@pytest.fixture(scope="module")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore(roots=(pki.root.certificate,))


@pytest.fixture(scope="module")
def policy(pki: TestPKI) -> VerificationPolicy:
    return VerificationPolicy(crls=(pki.crl_der(),))


@pytest.fixture(scope="module")
def tsa(pki: TestPKI) -> Iterator[TSAServer]:
    with TSAServer(pki) as server:  # loopback: no network
        yield server


@pytest.fixture(scope="module")
def signed(person: KeySigner) -> bytes:
    """A two-page document signed once (invisible, PAdES B-B): the victim of every attack."""
    return sign_pdf(sample_pdf(pages=2), person).data


@pytest.fixture(scope="module")
def form_pdf() -> bytes:
    """A one-page document with a filled-in text field ``SoVanBan`` = ``3244``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(sample_pdf()))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    field = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
                generic.NameObject("/FT"): generic.NameObject("/Tx"),
                generic.NameObject("/T"): generic.TextStringObject("SoVanBan"),
                generic.NameObject("/V"): generic.TextStringObject("3244"),
                generic.NameObject("/Rect"): generic.ArrayObject(
                    [generic.FloatObject(v) for v in (72, 600, 272, 620)]
                ),
                generic.NameObject("/P"): page_ref,
                generic.NameObject("/AP"): generic.DictionaryObject(
                    {generic.NameObject("/N"): writer.add_object(_appearance(b"3244"))}
                ),
            }
        )
    )
    page = page_ref.get_object()
    page[generic.NameObject("/Annots")] = generic.ArrayObject([field])
    writer.update_container(page)
    writer.root[generic.NameObject("/AcroForm")] = generic.DictionaryObject(
        {generic.NameObject("/Fields"): generic.ArrayObject([field])}
    )
    writer.update_root()
    return _written(writer)


def _appearance(text: bytes) -> generic.StreamObject:
    return generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 200, 20)]
            ),
        },
        stream_data=b"BT /Helv 12 Tf 2 5 Td (" + text + b") Tj ET",
    )


# -- helpers ----------------------------------------------------------------------------------


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _update(data: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(io.BytesIO(data))


def _rules(report: PdfVerificationReport) -> set[str]:
    rules = {f.rule for f in report.findings}
    for sig in report.signatures:
        rules |= {f.rule for f in sig.findings}
    return rules


def _verify(
    data: bytes, trust: TrustStore, policy: VerificationPolicy | None = None
) -> PdfVerificationReport:
    return verify_pdf(data, trust=trust, policy=policy or VerificationPolicy())


def _assert_caught(
    report: PdfVerificationReport, rule: str, modification: tuple[str, ...] = ("other",)
) -> None:
    """The signature is intact (the attack does not touch its bytes) and FAILS on ``rule``;
    for SIG303 pyHanko's modification level is one of ``modification``."""
    assert report.indication is Indication.FAILED
    sig = report.signatures[0]
    assert sig.indication is Indication.FAILED
    assert rule in {f.rule for f in sig.findings}, sig.findings
    if rule == "SIG303":
        assert sig.intact
        assert sig.valid
        assert sig.modification in modification
        assert not sig.changes_allowed
        assert "KHÔNG được phép" in report.render("vi")


def _set_data(stream: generic.StreamObject, data: bytes) -> None:
    """Give ``stream`` new (unfiltered) content, keeping its object number."""
    stream._data = data
    stream._encoded_data = None
    stream.pop("/Filter", None)
    stream.pop("/DecodeParms", None)


def _page(writer: IncrementalPdfFileWriter, index: int = 0) -> generic.DictionaryObject:
    page_ref, _ = writer.find_page_for_modification(index)
    page: generic.DictionaryObject = page_ref.get_object()
    return page


def _add_annotation(data: bytes, subtype: str, extra: dict[str, generic.PdfObject]) -> bytes:
    writer = _update(data)
    page_ref, _ = writer.find_page_for_modification(0)
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject(subtype),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (60, 400, 540, 740)]
            ),
            generic.NameObject("/P"): page_ref,
            **{generic.NameObject(k): v for k, v in extra.items()},
        }
    )
    page = page_ref.get_object()
    annots = page.get("/Annots")
    annots = generic.ArrayObject(list(annots) if annots else [])
    annots.append(writer.add_object(annot))
    page[generic.NameObject("/Annots")] = annots
    writer.update_container(page)
    return _written(writer)


# -- shadow attacks ---------------------------------------------------------------------------

ANNOTATED = ("annotations", "other")  # "other" when pyHanko cannot explain the /Annots update
WHITE_BOX = b"q 1 1 1 rg 60 380 480 360 re f Q\nBT /F1 13 Tf 85 700 Td (Forged) Tj ET"


def test_shadow_hide_overlay_content_stream(signed: bytes, trust: TrustStore) -> None:
    """Hide: a new content stream appended to page 1 paints over the signed text."""
    writer = _update(signed)
    page = _page(writer)
    overlay = writer.add_object(generic.StreamObject(stream_data=WHITE_BOX))
    old = page.raw_get("/Contents")
    contents = list(old) if isinstance(old, generic.ArrayObject) else [old]
    page[generic.NameObject("/Contents")] = generic.ArrayObject([*contents, overlay])
    writer.update_container(page)
    _assert_caught(_verify(_written(writer), trust), "SIG303")


def test_shadow_hide_opaque_annotation(signed: bytes, trust: TrustStore) -> None:
    """Hide: an opaque white Square annotation over the body text."""
    attacked = _add_annotation(
        signed,
        "/Square",
        {"/IC": generic.ArrayObject([generic.FloatObject(1)] * 3), "/CA": generic.FloatObject(1)},
    )
    _assert_caught(_verify(attacked, trust), "SIG303", ANNOTATED)


def test_shadow_replace_page_content_stream(signed: bytes, trust: TrustStore) -> None:
    """Replace: the update redefines page 1's content stream object (same object number)."""
    writer = _update(signed)
    ref = _page(writer).raw_get("/Contents")
    assert isinstance(ref, generic.IndirectObject)
    stream = ref.get_object()
    _set_data(stream, b"BT /F1 13 Tf 85 700 Td (Forged) Tj ET")
    writer.mark_update(ref)
    _assert_caught(_verify(_written(writer), trust), "SIG303")


def test_shadow_replace_font(signed: bytes, trust: TrustStore) -> None:
    """Replace: the update redefines the font the signed text is set in."""
    writer = _update(signed)
    font = _page(writer)["/Resources"]["/Font"].raw_get("/F1")
    assert isinstance(font, generic.IndirectObject)
    font_dict = font.get_object()
    font_dict[generic.NameObject("/BaseFont")] = generic.NameObject("/Helvetica")
    writer.mark_update(font)
    _assert_caught(_verify(_written(writer), trust), "SIG303")


def test_shadow_replace_signature_appearance(
    person: KeySigner, trust: TrustStore, scribble_pdf: SignedPdf
) -> None:
    """Replace: the update redraws the visible signature's appearance XObject."""
    writer = _update(scribble_pdf.data)
    for _name, _value, field_ref in fields.enumerate_sig_fields(writer.prev):
        ap = field_ref.get_object()["/AP"].raw_get("/N")
        break
    else:  # pragma: no cover - the fixture signs visibly
        raise AssertionError("no signature field")
    writer.mark_update(ap)
    stream = ap.get_object()
    _set_data(stream, b"BT /Helv 40 Tf 0 0 Td (APPROVED) Tj ET")
    _assert_caught(_verify(_written(writer), trust), "SIG303")


@pytest.fixture(scope="module")
def scribble_pdf(person: KeySigner) -> SignedPdf:
    from PIL import Image

    from vbdt_exchange.signature.pdf import PersonSignature

    image = Image.new("RGBA", (60, 24), (20, 40, 200, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return sign_pdf(
        sample_pdf(),
        person,
        appearance=PersonSignature(out.getvalue(), anchor_text="Nguyễn Văn An"),
    )


def test_shadow_hide_and_replace_root(signed: bytes, trust: TrustStore) -> None:
    """Hide-and-replace: the update points the trailer at a new catalog with a new page tree
    (the signature field still there, so a viewer shows it signed)."""
    writer = _update(signed)
    content = writer.add_object(generic.StreamObject(stream_data=WHITE_BOX))
    pages = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Pages"),
            generic.NameObject("/Count"): generic.NumberObject(1),
        }
    )
    pages_ref = writer.add_object(pages)
    page = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/Parent"): pages_ref,
                generic.NameObject("/Contents"): content,
                generic.NameObject("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (0, 0, 595, 842)]
                ),
                generic.NameObject("/Resources"): _page(writer)["/Resources"],
            }
        )
    )
    pages[generic.NameObject("/Kids")] = generic.ArrayObject([page])
    root = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Catalog"),
            generic.NameObject("/Pages"): pages_ref,
            generic.NameObject("/AcroForm"): writer.root.raw_get("/AcroForm"),
        }
    )
    writer.trailer[generic.NameObject("/Root")] = writer.add_object(root)
    writer._root = writer.trailer.raw_get("/Root")  # the writer writes its cached root
    attacked = _written(writer)
    assert _update(attacked).root["/Pages"]["/Count"] == 1  # a reader sees the new tree
    _assert_caught(_verify(attacked, trust), "SIG303")


# -- evil annotations and form filling --------------------------------------------------------


@pytest.mark.parametrize(
    ("subtype", "extra"),
    [
        ("/FreeText", {"/Contents": generic.TextStringObject("Đã hủy bỏ — Cancelled")}),
        ("/Stamp", {"/Name": generic.NameObject("/Approved")}),
    ],
    ids=["freetext", "stamp"],
)
def test_evil_annotation_added_after_signing(
    signed: bytes, trust: TrustStore, subtype: str, extra: dict[str, generic.PdfObject]
) -> None:
    _assert_caught(_verify(_add_annotation(signed, subtype, extra), trust), "SIG303", ANNOTATED)


def _certify(data: bytes, signer: KeySigner, permission: fields.MDPPerm) -> bytes:
    """A certification signature with DocMDP ``permission`` (made with pyHanko directly:
    :func:`sign_pdf` makes approval signatures only)."""
    meta = signers.PdfSignatureMetadata(
        field_name="ChungThuc",
        certify=True,
        docmdp_permissions=permission,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    out = signers.PdfSigner(meta, KeysSignerAdapter(signer)).sign_pdf(_update(data))
    return bytes(out.getvalue())


def _fill(data: bytes, value: bytes) -> bytes:
    """Change the text field ``SoVanBan``: its value and its appearance."""
    writer = _update(data)
    field_ref = writer.root["/AcroForm"]["/Fields"].raw_get(0)
    field = field_ref.get_object()
    field[generic.NameObject("/V")] = generic.TextStringObject(value.decode())
    field[generic.NameObject("/AP")] = generic.DictionaryObject(
        {generic.NameObject("/N"): writer.add_object(_appearance(value))}
    )
    writer.mark_update(field_ref)
    return _written(writer)


def test_form_filled_after_a_no_changes_certification(
    form_pdf: bytes, person: KeySigner, trust: TrustStore
) -> None:
    """The field's value and appearance changed after a certification allowing no changes."""
    certified = _certify(form_pdf, person, fields.MDPPerm.NO_CHANGES)
    assert _verify(certified, trust).indication is Indication.PASSED
    _assert_caught(_verify(_fill(certified, b"9999"), trust), "SIG303", ("form-filling",))


def test_form_filled_after_a_form_filling_certification_passes(
    form_pdf: bytes, person: KeySigner, trust: TrustStore
) -> None:
    """Control: the same change after a certification that allows form filling is allowed
    and reported (SIG302, the signature covers an earlier revision)."""
    certified = _certify(form_pdf, person, fields.MDPPerm.FILL_FORMS)
    report = _verify(_fill(certified, b"9999"), trust)
    assert report.indication is Indication.PASSED
    (sig,) = report.signatures
    assert sig.modification == "form-filling"
    assert sig.coverage is Coverage.REVISION
    assert "SIG302" in _rules(report)


# -- partial ranges ---------------------------------------------------------------------------

_RANGE = re.compile(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\] *")


def _forge(data: bytes, signer: KeySigner, ranges: tuple[int, int, int, int]) -> bytes:
    """Rewrite the last signature's ``/ByteRange`` to ``ranges`` and sign it again with the
    real key over exactly those bytes: a forged range with a valid signature value."""
    *_, match = _RANGE.finditer(data)
    _, contents_start, contents_end, _ = (int(v) for v in match.groups())
    text = b"/ByteRange [%d %d %d %d]" % ranges
    assert len(text) <= len(match.group(0))
    out = bytearray(data)
    out[match.start() : match.end()] = text.ljust(len(match.group(0)))
    start1, length1, start2, length2 = ranges
    digest = hashlib.sha256(
        bytes(out[start1 : start1 + length1]) + bytes(out[start2 : start2 + length2])
    ).digest()
    cms = asyncio.run(KeysSignerAdapter(signer).async_sign(digest, "sha256", use_pades=True))
    hexed = cms.dump().hex().encode()
    room = contents_end - contents_start - 2  # between < and >
    assert len(hexed) <= room
    out[contents_start + 1 : contents_end - 1] = hexed.ljust(room, b"0")
    return bytes(out)


def _ranges(data: bytes) -> tuple[int, int, int, int]:
    *_, match = _RANGE.finditer(data)
    a, b, c, d = (int(v) for v in match.groups())
    return a, b, c, d


def test_forged_range_control_passes(signed: bytes, person: KeySigner, trust: TrustStore) -> None:
    """Control for the forgeries below: re-signing the genuine range passes, so each of them
    fails on its range alone."""
    report = _verify(_forge(signed, person, _ranges(signed)), trust)
    assert report.indication is Indication.PASSED
    assert report.signatures[0].coverage is Coverage.WHOLE_FILE


def test_range_with_a_gap_beyond_contents(
    signed: bytes, person: KeySigner, trust: TrustStore
) -> None:
    """The second range starts 40 bytes after ``/Contents`` ends: those bytes are unsigned."""
    a, b, c, d = _ranges(signed)
    report = _verify(_forge(signed, person, (a, b, c + 40, d - 40)), trust)
    assert report.indication is Indication.FAILED
    sig = report.signatures[0]
    assert sig.indication is Indication.FAILED
    assert sig.coverage is Coverage.UNCLEAR
    assert "SIG304" in {f.rule for f in sig.findings}
    assert "unclear" in report.render("en")
    assert "không rõ ràng" in report.render("vi")


def test_range_over_the_first_part_only(
    signed: bytes, person: KeySigner, trust: TrustStore
) -> None:
    """The second range stops before the signed revision's cross-reference section."""
    a, b, c, d = _ranges(signed)
    tail = len(signed) - signed.rfind(b"endobj", 0, len(signed) - 300)
    report = _verify(_forge(signed, person, (a, b, c, d - tail)), trust)
    assert report.indication is Indication.FAILED
    sig = report.signatures[0]
    assert sig.coverage is Coverage.UNCLEAR
    assert "SIG304" in {f.rule for f in sig.findings}


def test_bytes_appended_without_an_xref(
    signed: bytes, organisation: KeySigner, trust: TrustStore
) -> None:
    """Objects appended after ``%%EOF`` with no cross-reference section: no reader-visible
    revision, but the signature no longer covers the whole file."""
    tail = b"5 0 obj\n<< /Type /Page /Contents 99 0 R >>\nendobj\n99 0 obj\n<< >>\nendobj\n"
    report = _verify(signed + tail, trust)
    _assert_caught(report, "SIG303")
    sig = report.signatures[0]
    assert sig.coverage is Coverage.REVISION
    assert f"{len(tail.strip())} bytes after the last revision" in sig.findings[0].message
    # the same tail after a later, allowed revision is caught too
    both = sign_pdf(signed, organisation, appearance=AttachmentStamp("3244/UBND-VP")).data
    report = _verify(both + tail, trust)
    assert report.indication is Indication.FAILED
    assert all("SIG303" in {f.rule for f in s.findings} for s in report.signatures)


def test_whitespace_after_the_last_revision_passes(signed: bytes, trust: TrustStore) -> None:
    """Control: trailing line ends and NULs (some transports pad files) are not content."""
    report = _verify(signed + b"\r\n\x00\x00 \n", trust)
    assert report.indication is Indication.PASSED


def test_second_signature_replaying_the_first_range(
    signed: bytes, organisation: KeySigner, trust: TrustStore
) -> None:
    """A second signature whose range is the first one's (revision 1 only): its own revision,
    and the signature dictionary in it, are not covered."""
    first = _ranges(signed)
    both = sign_pdf(signed, organisation, appearance=AttachmentStamp("3244/UBND-VP")).data
    report = _verify(_forge(both, organisation, first), trust)
    assert report.indication is Indication.FAILED
    genuine, replayed = report.signatures
    assert genuine.indication is not Indication.FAILED  # the first signature is untouched
    assert replayed.indication is Indication.FAILED
    assert replayed.coverage is Coverage.UNCLEAR
    assert {"SIG304", "SIG303"} <= {f.rule for f in replayed.findings}


# -- incremental saving attacks ---------------------------------------------------------------
# (a page added: test_a_page_added_after_signing_fails in tests/signature/pdf/test_verify.py)


def test_page_deleted_after_signing(signed: bytes, trust: TrustStore) -> None:
    writer = _update(signed)
    pages_ref = writer.root.raw_get("/Pages")
    pages = pages_ref.get_object()
    pages[generic.NameObject("/Kids")] = generic.ArrayObject(list(pages.raw_get("/Kids"))[:1])
    pages[generic.NameObject("/Count")] = generic.NumberObject(1)
    writer.mark_update(pages_ref)
    attacked = _written(writer)
    assert _update(attacked).root["/Pages"]["/Count"] == 1
    _assert_caught(_verify(attacked, trust), "SIG303")


def _metadata_allowed(report: PdfVerificationReport, forged: bytes) -> None:
    """Metadata is not page content: pyHanko allows its update (``lta-updates``), the
    signature then covers an earlier revision (SIG302), and what it signed has no forgery."""
    assert report.indication is Indication.PASSED
    (sig,) = report.signatures
    assert sig.intact
    assert sig.coverage is Coverage.REVISION
    assert (sig.modification, sig.changes_allowed) == ("lta-updates", True)
    assert "SIG302" in {f.rule for f in sig.findings}
    assert forged not in sig.signed_data


def test_info_dictionary_changed_after_signing(signed: bytes, trust: TrustStore) -> None:
    """The document information dictionary (/Info) edited in place: an allowed change."""
    writer = _update(signed)
    info_ref = writer.trailer.raw_get("/Info")
    info = info_ref.get_object()
    info[generic.NameObject("/Title")] = generic.TextStringObject("Forged title")
    writer.mark_update(info_ref)
    attacked = _written(writer)
    assert b"Forged title" in attacked
    _metadata_allowed(_verify(attacked, trust), b"Forged title")


def test_xmp_metadata_changed_after_signing(signed: bytes, trust: TrustStore) -> None:
    """Title and author rewritten the way an editor does it (the XMP stream and /Info)."""
    writer = _update(signed)
    writer.document_meta.title = "Forged title"
    writer.document_meta.author = "Forged author"
    writer._force_write_when_empty = True  # a metadata-only revision
    attacked = _written(writer)
    assert b"Forged author" in attacked
    _metadata_allowed(_verify(attacked, trust), b"Forged author")


def test_xmp_stream_overridden_with_non_xml(signed: bytes, trust: TrustStore) -> None:
    """The metadata stream object redefined with something that is not XMP: not allowed."""
    writer = _update(signed)
    meta_ref = writer.root.raw_get("/Metadata")
    stream = meta_ref.get_object()
    _set_data(stream, b"BT /F1 13 Tf 85 700 Td (Forged) Tj ET")
    writer.mark_update(meta_ref)
    writer.document_meta.xmp_unmanaged = True  # keep pyHanko from rewriting it
    attacked = _written(writer)
    assert b"(Forged) Tj" in attacked[len(signed) :]
    _assert_caught(_verify(attacked, trust), "SIG303")


# -- allowed additions (controls) -------------------------------------------------------------


def test_second_signature_passes(
    signed: bytes, organisation: KeySigner, trust: TrustStore, policy: VerificationPolicy
) -> None:
    both = sign_pdf(signed, organisation, appearance=AttachmentStamp("3244/UBND-VP")).data
    report = _verify(both, trust, policy)
    assert report.indication is Indication.PASSED
    first, second = report.signatures
    assert (first.modification, first.coverage) == ("form-filling", Coverage.REVISION)
    assert "SIG302" in {f.rule for f in first.findings}
    assert second.coverage is Coverage.WHOLE_FILE


@pytest.mark.parametrize("level", ["b-lt", "b-lta"])
def test_ltv_updates_pass(
    level: Level,
    person: KeySigner,
    tsa: TSAServer,
    trust: TrustStore,
    policy: VerificationPolicy,
) -> None:
    """The DSS (B-LT) and the document timestamp (B-LTA) come in revisions after the
    signature: allowed (``lta-updates``)."""
    made = sign_pdf(sample_pdf(), person, level=level, tsa_url=tsa.url, trust=trust, policy=policy)
    report = _verify(made.data, trust, VerificationPolicy(revocation="hard-fail"))
    assert report.indication is Indication.PASSED
    (sig,) = report.signatures
    assert sig.level == level
    assert (sig.coverage, sig.modification) == (Coverage.REVISION, "lta-updates")
    assert sig.certificate is not None
    assert sig.certificate.revocation == "good"  # from the DSS: the policy has no CRL
    if level == "b-lta":
        ((_, when, intact),) = report.document_timestamps
        assert intact
        assert when is not None
