"""PDF signatures (PAdES) laid out as Nghị định 30/2020/NĐ-CP, Phụ lục I prescribes.

Four kinds of signature (:data:`Appearance`):

* :class:`PersonSignature` — the competent person's signature: the blue PNG image, placed by an
  explicit box or centred above the signer's name found on the page (II.7.d);
* :class:`OrganisationSeal` — the organisation's signature, a second incremental signature whose
  red seal is drawn at its real diameter over the left third of the person's signature image,
  computed from the person's signature field (II.8.a);
* :class:`AttachmentStamp` — the organisation's signature on an attachment in a separate file:
  top right of page 1, no image, the document's number and notation and the signing time in
  10 pt Times (II.8.b);
* :class:`CopyStamp` — the organisation's signature on an electronic copy: top right of page 1,
  no image, the copy form, the copying organisation and the signing time (Phần II).

Levels (:data:`Level`): PAdES ``b-b``, ``b-t`` (an RFC 3161 timestamp), ``b-lt`` (plus the
certificates and revocation data in the document security store), ``b-lta`` (plus a document
timestamp). Keys come as any :class:`vbdt_exchange.signature.keys.Signer` (PKCS#12, PEM,
PKCS#11, remote).

:func:`verify_pdf` checks every signature: integrity, what it covers, what changed after it and
whether that is allowed, signer, time, level; chain and revocation go through the shared trust
layer (:func:`vbdt_exchange.signature.trust.check_certificate`). The report renders in
Vietnamese and English.

The engine is pyHanko, an optional dependency: ``pip install vbdt-exchange[pdf]``. Text in stamps
is set in Liberation Serif (metric-compatible with Times New Roman, SIL OFL 1.1, bundled), so a
stamp renders the same on every machine and Vietnamese diacritics come out right.
"""

from __future__ import annotations

import datetime
import enum
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
from cryptography import x509
from cryptography.x509.oid import NameOID

from vbdt_exchange.catalog import number as _number
from vbdt_exchange.findings import Finding, FindingsView, Severity
from vbdt_exchange.signature import keys
from vbdt_exchange.signature._pdf_errors import EncryptedPdfError, PdfSignatureError
from vbdt_exchange.signature._pdf_sample import sample_pdf
from vbdt_exchange.signature._rules_pdf import PDF_LABELS
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.rules import finding
from vbdt_exchange.signature.trust import (
    CertificateReport,
    RevocationDataError,
    TrustStore,
    _unparsable,
    check_certificate,
)

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader

__all__ = [
    "VIETNAM_TIME",
    "Appearance",
    "AttachmentStamp",
    "Box",
    "CopyForm",
    "CopyStamp",
    "Coverage",
    "EncryptedPdfError",
    "Level",
    "OrganisationSeal",
    "PdfSignatureError",
    "PdfSignatureReport",
    "PdfVerificationReport",
    "PersonSignature",
    "SignedPdf",
    "copy_number",
    "sample_pdf",
    "seal_box",
    "sign_pdf",
    "verify_pdf",
]

logger = logging.getLogger(__name__)

VIETNAM_TIME = datetime.timezone(datetime.timedelta(hours=7), "+07:00")
"""Vietnam's time zone (UTC+07:00, no daylight saving): stamps show times in it (ISO 8601)."""

Level: TypeAlias = Literal["b-b", "b-t", "b-lt", "b-lta"]
"""PAdES baseline levels (ETSI EN 319 142-1)."""

CopyForm: TypeAlias = Literal["SAO Y", "SAO LỤC", "TRÍCH SAO"]
"""The three copy forms of Nghị định 30/2020 Art. 25."""

_COPY_TYPES: dict[str, str] = {"SAO Y": "SY", "SAO LỤC": "SL", "TRÍCH SAO": "TrS"}
_LEVELS = ("b-b", "b-t", "b-lt", "b-lta")
_MAX_PDF = 512 * 1024 * 1024
_MAX_IMAGE = 16 * 1024 * 1024
_MAX_PAGES = 100_000
_MM = 72 / 25.4
_STAMP_SIZE = 10
_STAMP_LEADING = 12
_INSTALL = "PDF signatures need pyHanko: pip install vbdt-exchange[pdf]"


# -- appearances ------------------------------------------------------------------------------

Box: TypeAlias = tuple[float, float, float, float]
"""``(x1, y1, x2, y2)`` in PDF points, origin bottom-left of the page."""


def _image_bytes(value: bytes | str | Path) -> bytes:
    if isinstance(value, bytes):
        data = value
    else:
        path = Path(value)
        if path.stat().st_size > _MAX_IMAGE:
            raise PdfSignatureError(f"{path}: the image is larger than 16 MiB")
        data = path.read_bytes()
    if len(data) > _MAX_IMAGE:
        raise PdfSignatureError("the image is larger than 16 MiB")
    return data


@attrs.frozen
class PersonSignature:
    """The competent person's signature: a visible PNG (blue, transparent background).

    Placed by ``box`` (PDF points, origin bottom-left, on ``page``) or, when ``anchor_text`` is
    given, centred above the last occurrence of that text (the signer's name) on ``page``,
    ``height`` points tall, its bottom ``gap`` points above the text.

    :ivar image: PNG bytes or a path.
    :ivar box: ``(x1, y1, x2, y2)``.
    :ivar anchor_text: text to centre the image above.
    :ivar page: 0-based page index; negative counts from the end (``-1``: the last page).
    :ivar height: image height when anchored, points (default 56 pt, about 2 cm).
    :ivar gap: space between the image and the anchor text, points.
    :ivar field_name: the signature field's name.
    """

    image: bytes | str | Path = attrs.field(repr=False)
    box: Box | None = None
    anchor_text: str | None = None
    page: int = -1
    height: float = 56.0
    gap: float = 6.0
    field_name: str = "NguoiKy"

    def __attrs_post_init__(self) -> None:
        if (self.box is None) == (self.anchor_text is None):
            raise PdfSignatureError("a person's signature needs either a box or anchor text")


@attrs.frozen
class OrganisationSeal:
    """The organisation's signature: the red seal PNG at its real diameter over the left third
    of the person's signature image (Nghị định 30/2020, Phụ lục I, II.8.a).

    :ivar image: PNG bytes or a path (a round seal on a transparent background).
    :ivar diameter_mm: the seal's real diameter in millimetres.
    :ivar over: the person's signature field; default: the first signed, visible field.
    :ivar field_name: the new signature field's name.
    """

    image: bytes | str | Path = attrs.field(repr=False)
    diameter_mm: float = 40.0
    over: str | None = None
    field_name: str = "CoQuan"


@attrs.frozen
class AttachmentStamp:
    """The organisation's signature on an attachment in a separate file: top right of page 1,
    no image, the main document's number and notation and the signing time, 10 pt.

    :ivar number_notation: e.g. ``3244/UBND-VP`` (checked and formatted by
        :mod:`vbdt_exchange.catalog.number`).
    :ivar field_name: the signature field's name.
    """

    number_notation: str
    field_name: str = "VanThu"


@attrs.frozen
class CopyStamp:
    """The organisation's signature on an electronic copy: top right of page 1, no image,
    the copy form, the copying organisation and the signing time, 10 pt.

    :ivar form: ``SAO Y``, ``SAO LỤC`` or ``TRÍCH SAO``.
    :ivar organisation: the copying organisation's name.
    :ivar number: the copy's number and notation (``05/SY-UBND``, see :func:`copy_number`), shown
        when given.
    :ivar field_name: the signature field's name.
    """

    form: CopyForm
    organisation: str
    number: str | None = None
    field_name: str = "BanSao"

    def __attrs_post_init__(self) -> None:
        if self.form not in _COPY_TYPES:
            raise PdfSignatureError(
                f"unknown copy form {self.form!r}: use SAO Y, SAO LỤC or TRÍCH SAO"
            )
        if not self.organisation.strip():
            raise PdfSignatureError("the copying organisation is empty")


Appearance: TypeAlias = PersonSignature | OrganisationSeal | AttachmentStamp | CopyStamp
"""What a signature looks like on the page; ``None`` (to :func:`sign_pdf`) signs invisibly."""


def copy_number(number: int, issuer: str, form: CopyForm = "SAO Y") -> str:
    """The number and notation of a copy (``catalogue.md`` §6.4).

    >>> copy_number(5, 'UBND')
    '05/SY-UBND'
    >>> copy_number(12, 'VPCP', 'TRÍCH SAO')
    '12/TrS-VPCP'
    """
    if form not in _COPY_TYPES:
        raise PdfSignatureError(f"unknown copy form {form!r}: use SAO Y, SAO LỤC or TRÍCH SAO")
    return _number.make(number, issuer, type_abbreviation=_COPY_TYPES[form])


def seal_box(signature_box: Box, diameter_mm: float) -> Box:
    """Where the seal goes: a square of the seal's diameter whose right edge is at the first
    third of the signature box, vertically centred on it (``signatures.md`` §2.7).

    >>> seal_box((360, 160, 520, 224), 40.0)
    (299.9, 135.3, 413.3, 248.7)
    """
    x1, y1, x2, y2 = signature_box
    size = diameter_mm * _MM
    right = x1 + (x2 - x1) / 3
    middle = (y1 + y2) / 2
    return tuple(  # type: ignore[return-value]
        round(v, 1) for v in (right - size, middle - size / 2, right, middle + size / 2)
    )


# -- signing ----------------------------------------------------------------------------------


@attrs.frozen
class SignedPdf:
    """A signed PDF.

    :ivar data: the signed file.
    :ivar field_name: the signature field.
    :ivar page: 0-based page of a visible signature, else ``None``.
    :ivar box: the signature's box on the page, else ``None``.
    :ivar signing_time: the signing time written in the signature (Vietnam time).
    :ivar level: the PAdES level made.
    """

    data: bytes = attrs.field(repr=False)
    field_name: str
    page: int | None
    box: Box | None
    signing_time: datetime.datetime
    level: Level


def _pyhanko() -> None:
    try:
        import pyhanko  # noqa: F401
    except ImportError as exc:  # pragma: no cover - pyHanko is a dev dependency
        raise PdfSignatureError(_INSTALL) from exc


def _font_factory() -> Any:
    try:
        from vbdt_exchange.signature._pdf_font import StampFontFactory
    except ImportError as exc:
        raise PdfSignatureError(
            "text stamps need pyHanko's OpenType support: pip install vbdt-exchange[pdf]"
        ) from exc
    return StampFontFactory(font_size=_STAMP_SIZE)


def _read(data: bytes | str | Path) -> bytes:
    if isinstance(data, bytes):
        raw = data
    else:
        path = Path(data)
        if path.stat().st_size > _MAX_PDF:
            raise PdfSignatureError(f"{path}: larger than 512 MiB")
        raw = path.read_bytes()
    if len(raw) > _MAX_PDF:
        raise PdfSignatureError("the PDF is larger than 512 MiB")
    if b"%PDF-" not in raw[:1024]:
        raise PdfSignatureError("not a PDF: no %PDF- header in the first 1024 bytes")
    return raw


def _reader(raw: bytes) -> PdfFileReader:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(raw), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise PdfSignatureError(f"the PDF cannot be read: {exc}") from None
    if reader.encrypted:
        raise EncryptedPdfError("the PDF is encrypted: decrypt it before signing or verifying")
    try:
        reader.root["/Pages"]
    except (PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PdfSignatureError(f"the PDF has no readable page tree: {exc}") from None
    return reader


def _page_count(reader: Any) -> int:
    return int(reader.root["/Pages"]["/Count"])


def _page_size(reader: Any, index: int) -> tuple[float, float, float, float]:
    page_ref, _ = reader.find_page_for_modification(index)
    page = page_ref.get_object()
    box = page.get("/MediaBox")
    node = page
    while box is None and "/Parent" in node:
        node = node["/Parent"]
        box = node.get("/MediaBox")
    if box is None:
        return (0.0, 0.0, 595.28, 841.89)
    x1, y1, x2, y2 = (float(v) for v in box)
    return (x1, y1, x2, y2)


def _page_index(reader: Any, page: int) -> int:
    count = _page_count(reader)
    index = page + count if page < 0 else page
    if not 0 <= index < count:
        raise PdfSignatureError(f"page index {page} is out of range: the PDF has {count} page(s)")
    return index


def _sig_fields(reader: Any) -> Iterator[tuple[str, Any, Any]]:
    from pyhanko.sign import fields

    yield from fields.enumerate_sig_fields(reader)


def _field_placement(reader: Any, name: str | None) -> tuple[str, int, Box]:
    """The name, page and box of a signed visible field (``name``, or the first one)."""
    for field_name, value, field_ref in _sig_fields(reader):
        if value is None or (name is not None and field_name != name):
            continue
        field = field_ref.get_object()
        annot = field
        if "/Rect" not in field:
            kids = field.get("/Kids")
            if not kids:
                continue
            annot = kids[0].get_object()
        rect = [float(v) for v in annot.get("/Rect", [0, 0, 0, 0])]
        box: Box = (
            min(rect[0], rect[2]),
            min(rect[1], rect[3]),
            max(rect[0], rect[2]),
            max(rect[1], rect[3]),
        )
        if box[2] - box[0] < 1 or box[3] - box[1] < 1:
            continue  # invisible
        page_index = _annot_page(reader, annot)
        if page_index is None:
            continue
        return field_name, page_index, box
    if name is not None:
        raise PdfSignatureError(f"no signed, visible signature field named {name!r}")
    raise PdfSignatureError(
        "the organisation's seal goes over the person's signature, and the PDF has no signed, "
        "visible signature field"
    )


def _annot_page(reader: Any, annot: Any) -> int | None:
    target = annot.raw_get("/P") if "/P" in annot else None
    target_ref = getattr(target, "reference", None)
    for index in range(min(_page_count(reader), _MAX_PAGES)):
        page_ref, _ = reader.find_page_for_modification(index)
        if target_ref is not None and target_ref == getattr(page_ref, "reference", page_ref):
            return index
        page = page_ref.get_object()
        for item in page.get("/Annots", []) or []:
            if item.get_object() is annot:
                return index
    return None


def _person_box(reader: Any, appearance: PersonSignature, image: bytes) -> tuple[int, Box]:
    from vbdt_exchange.signature._pdf_text import find_text

    index = _page_index(reader, appearance.page)
    if appearance.box is not None:
        x1, y1, x2, y2 = (float(v) for v in appearance.box)
        if x2 <= x1 or y2 <= y1:
            raise PdfSignatureError(f"the box {appearance.box} is empty: give x1,y1,x2,y2")
        return index, (x1, y1, x2, y2)
    assert appearance.anchor_text is not None
    found = find_text(reader, index, appearance.anchor_text)
    if found is None:
        raise PdfSignatureError(
            f"the text {appearance.anchor_text!r} is not on page {index + 1}: "
            "give the box instead, or the page it is on"
        )
    width_px, height_px = _image_size(image)
    height = appearance.height
    width = height * width_px / max(height_px, 1)
    centre = (found.x1 + found.x2) / 2
    bottom = found.y2 + appearance.gap
    return index, (centre - width / 2, bottom, centre + width / 2, bottom + height)


def _image_size(image: bytes) -> tuple[int, int]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image)) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise PdfSignatureError(f"the image cannot be read: {exc}") from None


def _pdf_image(image: bytes, writer: Any) -> Any:
    from PIL import Image, UnidentifiedImageError
    from pyhanko.pdf_utils.images import PdfImage

    img: Image.Image
    try:
        img = Image.open(io.BytesIO(image))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise PdfSignatureError(f"the image cannot be read: {exc}") from None
    if img.mode not in ("RGBA", "RGB"):
        img = img.convert("RGBA")
    return PdfImage(img, writer=writer)


def _stamp_text(appearance: AttachmentStamp | CopyStamp) -> list[str]:
    if isinstance(appearance, AttachmentStamp):
        try:
            notation = _number.format(appearance.number_notation)
        except _number.InvalidNumber as exc:
            raise PdfSignatureError(f"the number and notation is not valid: {exc}") from None
        return [notation, "%(ts)s"]
    lines = [appearance.form, appearance.organisation.strip()]
    if appearance.number:
        lines.append(appearance.number)
    lines.append("%(ts)s")
    return lines


def _escape(text: str) -> str:
    return text.replace("%", "%%")


def _text_box(reader: Any, lines: list[str]) -> Box:
    _x1, _, x2, y2 = _page_size(reader, 0)
    longest = max(len(line) for line in lines)
    width = min(max(longest * _STAMP_SIZE * 0.5 + 8, 150.0), 260.0)
    height = len(lines) * _STAMP_LEADING + 8
    right = x2 - 20 * _MM
    top = y2 - 10 * _MM
    return (right - width, top - height, right, top)


def _level(value: str) -> Level:
    lowered = value.lower()
    if lowered not in _LEVELS:
        raise PdfSignatureError(f"unknown level {value!r}: use b-b, b-t, b-lt or b-lta")
    return lowered  # type: ignore[return-value]


def _validation_context(
    trust: TrustStore,
    policy: VerificationPolicy,
    extra_certs: tuple[x509.Certificate, ...] = (),
    crls: tuple[bytes, ...] = (),
    ocsps: tuple[bytes, ...] = (),
    at: datetime.datetime | None = None,
    *,
    revocation_mode: str = "soft-fail",
) -> Any:
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from asn1crypto import pem
    from pyhanko_certvalidator import ValidationContext

    from vbdt_exchange.signature._pdf_signer import to_asn1

    def der(blob: bytes) -> bytes:
        return pem.unarmor(blob)[2] if pem.detect(blob) else blob

    kwargs: dict[str, Any] = {}
    if at is not None:
        kwargs["moment"] = at
    return ValidationContext(
        trust_roots=[to_asn1(c) for c in trust.roots],
        other_certs=[to_asn1(c) for c in (*trust.intermediates, *extra_certs)],
        crls=[asn1_crl.CertificateList.load(der(c)) for c in (*policy.crls, *crls)],
        ocsps=[asn1_ocsp.OCSPResponse.load(o) for o in (*policy.ocsp_responses, *ocsps)],
        allow_fetching=policy.allow_fetching,
        revocation_mode=revocation_mode,
        **kwargs,
    )


def sign_pdf(
    pdf: bytes | str | Path,
    signer: keys.Signer,
    *,
    appearance: Appearance | None = None,
    level: Level = "b-b",
    tsa_url: str | None = None,
    timestamper: Any = None,
    trust: TrustStore | None = None,
    policy: VerificationPolicy | None = None,
    digest: str = "sha256",
    pss: bool = False,
    signing_time: datetime.datetime | None = None,
    reason: str | None = None,
    location: str | None = None,
) -> SignedPdf:
    """Sign ``pdf`` with ``signer`` as a new incremental revision.

    :param pdf: the PDF (bytes or a path).
    :param signer: any :class:`~vbdt_exchange.signature.keys.Signer`.
    :param appearance: see :data:`Appearance`; ``None`` signs invisibly.
    :param level: ``b-b``, ``b-t`` (needs ``tsa_url`` or ``timestamper``), ``b-lt`` (also needs
        ``trust``, and CRLs/OCSP responses in ``policy`` or ``policy.allow_fetching``),
        ``b-lta`` (as ``b-lt``, plus a document timestamp).
    :param tsa_url: an RFC 3161 time-stamping server (``http(s)://``).
    :param timestamper: a pyHanko ``TimeStamper`` instead of ``tsa_url``.
    :param trust: trust anchors to build the chains embedded at ``b-lt`` and ``b-lta``.
    :param policy: where revocation data comes from at ``b-lt``/``b-lta`` (``crls``,
        ``ocsp_responses``, ``allow_fetching``).
    :param digest: ``sha256`` (default), ``sha384`` or ``sha512``; SHA-1 is refused.
    :param pss: sign with RSASSA-PSS (the rule of Thông tư 15/2025) instead of PKCS#1 v1.5.
    :param signing_time: the claimed signing time (default now); shown on text stamps in
        Vietnam time, ISO 8601.
    :raises PdfSignatureError: the PDF cannot be read or signed as asked.
    :raises EncryptedPdfError: the PDF is encrypted.
    """
    _pyhanko()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko.stamp import StaticStampStyle, TextStampStyle

    from vbdt_exchange.signature._pdf_signer import HttpxTimeStamper, KeysSignerAdapter

    chosen = _level(level)
    if not isinstance(signer, keys.Signer):
        raise PdfSignatureError(f"{type(signer).__name__} is not a keys.Signer")
    raw = _read(pdf)
    reader = _reader(raw)
    try:
        names = {name for name, _, _ in _sig_fields(reader)}
    except (PdfError, KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise PdfSignatureError(f"the PDF's form fields cannot be read: {exc}") from None
    moment = (signing_time or datetime.datetime.now(datetime.UTC)).astimezone(VIETNAM_TIME)
    moment = moment.replace(microsecond=0)

    if timestamper is None and tsa_url is not None:
        timestamper = HttpxTimeStamper(tsa_url)
    if chosen != "b-b" and timestamper is None:
        raise PdfSignatureError(f"level {chosen} needs a time-stamping server (tsa_url)")
    if chosen in ("b-lt", "b-lta") and (trust is None or not trust.roots):
        raise PdfSignatureError(f"level {chosen} needs trust anchors to build the chains to embed")

    page: int | None = None
    box: Box | None = None
    style: Any = None
    field_name = "Signature"
    image = b""
    try:
        if isinstance(appearance, PersonSignature):
            image = _image_bytes(appearance.image)
            page, box = _person_box(reader, appearance, image)
            field_name = appearance.field_name
        elif isinstance(appearance, OrganisationSeal):
            image = _image_bytes(appearance.image)
            _image_size(image)
            if appearance.diameter_mm <= 0 or appearance.diameter_mm > 100:
                raise PdfSignatureError("the seal diameter must be between 0 and 100 mm")
            _, page, over_box = _field_placement(reader, appearance.over)
            box = seal_box(over_box, appearance.diameter_mm)
            field_name = appearance.field_name
        elif isinstance(appearance, (AttachmentStamp, CopyStamp)):
            lines = _stamp_text(appearance)
            page, box = 0, _text_box(reader, lines)
            field_name = appearance.field_name
            style = TextStampStyle(
                stamp_text="\n".join(line if line == "%(ts)s" else _escape(line) for line in lines),
                text_box_style=TextBoxStyle(
                    font=_font_factory(), font_size=_STAMP_SIZE, leading=_STAMP_LEADING
                ),
                border_width=0,
                # the signing time is in Vietnam time already: ISO 8601 with its offset
                timestamp_format="%Y-%m-%dT%H:%M:%S+07:00",
            )
        elif appearance is not None:
            raise PdfSignatureError(f"unknown appearance {type(appearance).__name__}")
    except PdfSignatureError:
        raise
    except (PdfError, KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        raise PdfSignatureError(f"the PDF's pages cannot be read: {exc}") from None
    if field_name in names:
        raise PdfSignatureError(f"the PDF already has a signature field named {field_name!r}")
    if box is not None:
        # whole points: pyHanko's text layout computes with fractions of integers
        box = (
            float(round(box[0])),
            float(round(box[1])),
            float(round(box[2])),
            float(round(box[3])),
        )

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(raw), strict=False)
        if style is None and page is not None:
            style = StaticStampStyle(
                background=_pdf_image(image, writer), background_opacity=1.0, border_width=0
            )
        spec = fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page if page is not None else 0,
            box=tuple(int(v) for v in box) if box is not None else None,  # type: ignore[arg-type]
        )
        validation_context = None
        if chosen in ("b-lt", "b-lta"):
            assert trust is not None
            validation_context = _validation_context(
                trust,
                policy or VerificationPolicy(),
                extra_certs=signer.chain,
                revocation_mode="hard-fail",
            )
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm=digest,
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=validation_context is not None,
            validation_context=validation_context,
            use_pades_lta=chosen == "b-lta",
            reason=reason,
            location=location,
        )
        pdf_signer = _TimedPdfSigner(
            meta,
            KeysSignerAdapter(signer, digest=digest, pss=pss),
            timestamper=timestamper,
            stamp_style=style,
            new_field_spec=spec,
            system_time=moment,
        )
        out = pdf_signer.sign_pdf(writer)
    except TimestampRequestError as exc:
        raise PdfSignatureError(f"the time-stamp could not be had: {exc}") from None
    except (SigningError, PdfError) as exc:
        if chosen in ("b-lt", "b-lta") and "could not be validated" in str(exc):
            raise PdfSignatureError(
                f"level {chosen}: the signer's chain or its revocation data cannot be had "
                "(give the CRLs or OCSP responses, or allow fetching)"
            ) from None
        raise PdfSignatureError(f"cannot sign: {exc}") from None
    except Exception as exc:
        # pyhanko-certvalidator reports a chain it cannot complete for B-LT this way
        if type(exc).__module__.startswith("pyhanko_certvalidator"):
            raise PdfSignatureError(
                f"level {chosen}: the signer's chain or its revocation data cannot be had: {exc}"
            ) from None
        raise
    logger.info("signed field %s at level %s", field_name, chosen)
    return SignedPdf(
        data=out.getvalue(),
        field_name=field_name,
        page=page,
        box=box,
        signing_time=moment,
        level=chosen,
    )


def _timed_signer_class() -> Any:
    from pyhanko.sign import signers

    class TimedPdfSigner(signers.PdfSigner):
        """A ``PdfSigner`` whose signing time is given, so the stamp shows exactly the time the
        signature claims (pyHanko otherwise reads the clock twice)."""

        def __init__(self, *args: Any, system_time: datetime.datetime, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._system_time = system_time

        def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = self._system_time
            return session

    return TimedPdfSigner


def _TimedPdfSigner(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - used like a class
    return _timed_signer_class()(*args, **kwargs)


# -- verification -----------------------------------------------------------------------------


class Coverage(enum.Enum):
    """What a signature covers."""

    WHOLE_FILE = "whole-file"
    REVISION = "revision"
    UNCLEAR = "unclear"

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class PdfSignatureReport(FindingsView):
    """The verdict on one signature of a PDF.

    :ivar field: the signature field's name.
    :ivar indication: PASSED, INDETERMINATE or FAILED.
    :ivar intact: the signed bytes are unchanged (digest matches).
    :ivar valid: the signature value matches the certificate.
    :ivar coverage: ``whole-file``, ``revision`` (later revisions follow) or ``unclear``.
    :ivar revision: the 1-based revision the signature covers; ``revisions`` the total.
    :ivar modification: what changed after signing: ``none``, ``lta-updates``,
        ``form-filling``, ``annotations``, ``other``; ``changes_allowed`` whether that is allowed.
    :ivar level: ``b-b``, ``b-t``, ``b-lt``, ``b-lta``, or ``pkcs7`` (not PAdES).
    :ivar signer: the signer's certificate.
    :ivar signing_time: the time the signer claims.
    :ivar timestamp: the signature timestamp's time, when there is a valid one.
    :ivar certificate: the trust layer's report on the signer's certificate.
    :ivar digest_algorithm: e.g. ``sha256``.
    :ivar signed_data: the bytes the signature covers (its revision): use these, not the file.
    :ivar findings: SIG3xx findings and the certificate's SIG2xx findings.
    """

    field: str
    indication: Indication
    intact: bool
    valid: bool
    coverage: Coverage
    revision: int
    revisions: int
    modification: str
    changes_allowed: bool
    level: str
    signer: x509.Certificate
    signing_time: datetime.datetime | None
    timestamp: datetime.datetime | None
    certificate: CertificateReport | None
    digest_algorithm: str
    signed_data: bytes = attrs.field(repr=False)
    findings: tuple[Finding, ...] = ()

    @property
    def signer_name(self) -> str:
        return _cn(self.signer.subject)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``vbdt pdf verify --json``."""
        cert = self.certificate
        return {
            "field": self.field,
            "indication": self.indication.value,
            "intact": self.intact,
            "valid": self.valid,
            "coverage": self.coverage.value,
            "revision": self.revision,
            "revisions": self.revisions,
            "modification": self.modification,
            "changes_allowed": self.changes_allowed,
            "level": self.level,
            "signer": self.signer_name,
            "signer_organisation": _attr(self.signer.subject, NameOID.ORGANIZATION_NAME),
            "issuer": _cn(self.signer.issuer),
            "not_before": self.signer.not_valid_before_utc.isoformat(),
            "not_after": self.signer.not_valid_after_utc.isoformat(),
            "signing_time": _iso(self.signing_time),
            "timestamp": _iso(self.timestamp),
            "digest_algorithm": self.digest_algorithm,
            "certificate_indication": cert.indication.value if cert else None,
            "revocation": cert.revocation if cert else None,
            "findings": [f.to_dict() for f in self.findings],
        }


@attrs.frozen
class PdfVerificationReport(FindingsView):
    """The verdict on every signature of a PDF.

    :ivar indication: the worst of the signatures' (FAILED when there is none).
    :ivar signatures: one :class:`PdfSignatureReport` per signature, in signing order.
    :ivar document_timestamps: ``(field, time, intact)`` of each document timestamp.
    :ivar findings: document-level findings (no signature, a broken document timestamp).
    """

    indication: Indication
    signatures: tuple[PdfSignatureReport, ...]
    document_timestamps: tuple[tuple[str, datetime.datetime | None, bool], ...]
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``vbdt pdf verify --json``."""
        return {
            "indication": self.indication.value,
            "signatures": [s.to_dict() for s in self.signatures],
            "document_timestamps": [
                {"field": f, "time": _iso(t), "intact": ok} for f, t, ok in self.document_timestamps
            ],
            "findings": [f.to_dict() for f in self.findings],
        }

    def render(self, language: Literal["vi", "en"] = "vi") -> str:
        """A human-readable report (Thông tư 15/2025 Art. 6), in Vietnamese or English."""
        k = 1 if language == "vi" else 0

        def label(key: str, **values: Any) -> str:
            return PDF_LABELS[key][k].format(**values)

        out: list[str] = []
        for sig in self.signatures:
            verdict = {
                Indication.PASSED: "valid",
                Indication.FAILED: "invalid",
                Indication.INDETERMINATE: "indeterminate",
            }[sig.indication]
            cert = sig.certificate
            coverage = {
                Coverage.WHOLE_FILE: label("whole_file"),
                Coverage.REVISION: label(
                    "revision", revision=sig.revision, revisions=sig.revisions
                ),
            }.get(sig.coverage, label("unclear"))
            changes = (
                label("none")
                if sig.modification == "none"
                else label(
                    "allowed" if sig.changes_allowed else "not_allowed", level=sig.modification
                )
            )
            rows = [
                (label("field"), sig.field),
                (label("signer"), sig.signer_name),
                (
                    label("organisation"),
                    _attr(sig.signer.subject, NameOID.ORGANIZATION_NAME) or "-",
                ),
                (label("issuer"), _cn(sig.signer.issuer)),
                (
                    label("signing_time"),
                    f"{_iso(sig.signing_time)} ({label('claimed')})" if sig.signing_time else "-",
                ),
                (label("timestamp"), _iso(sig.timestamp) or label("none")),
                (
                    label("integrity"),
                    label("intact") if sig.intact and sig.valid else label("broken"),
                ),
                (label("coverage"), coverage),
                (label("changes"), changes),
                (label("level"), sig.level.upper()),
                (label("certificate"), cert.indication.value if cert else "-"),
                (label("revocation"), cert.revocation if cert else "-"),
                (
                    label("validity"),
                    f"{sig.signer.not_valid_before_utc.date()} – "
                    f"{sig.signer.not_valid_after_utc.date()}",
                ),
            ]
            out.append(f"{label(verdict)} [{sig.indication.value}]")
            width = max(len(name) for name, _ in rows)
            out.extend(f"  {name:<{width}}  {value}" for name, value in rows)
            out.extend(
                f"  {f.severity.value} {f.rule}: {f.message_vi if k else f.message}"
                for f in sig.findings
                if f.severity is not Severity.INFO
            )
        for field, time, intact in self.document_timestamps:
            state = label("intact") if intact else label("broken")
            out.append(f"{label('document_timestamp')} {field}: {_iso(time)} ({state})")
        out.extend(
            f"{f.severity.value} {f.rule}: {f.message_vi if k else f.message}"
            for f in self.findings
        )
        out.append(
            f"{label('result')}: {self.indication.value} "
            f"({len(self.signatures)} {label('signatures')})"
        )
        return "\n".join(out)


def _iso(value: datetime.datetime | None) -> str | None:
    return value.astimezone(VIETNAM_TIME).isoformat() if value is not None else None


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _cn(name: x509.Name) -> str:
    return _attr(name, NameOID.COMMON_NAME) or name.rfc4514_string()


_MODIFICATION = {0: "none", 1: "lta-updates", 2: "form-filling", 3: "annotations", 4: "other"}
_WORST = {Indication.PASSED: 0, Indication.INDETERMINATE: 1, Indication.FAILED: 2}


def _worst(*values: Indication) -> Indication:
    return max(values, key=_WORST.__getitem__, default=Indication.PASSED)


def _to_crypto(cert: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def verify_pdf(
    pdf: bytes | str | Path,
    *,
    trust: TrustStore,
    policy: VerificationPolicy | None = None,
) -> PdfVerificationReport:
    """Verify every signature of ``pdf`` (see the module docstring).

    Chain, validity and revocation of each signer are checked by
    :func:`~vbdt_exchange.signature.trust.check_certificate` at the signature timestamp's time
    (or the claimed signing time when there is none), with the revocation data embedded in the
    PDF added to ``policy``'s. A signature FAILS when its bytes or value do not verify, when
    the document was changed after it in a way that is not allowed, or when the certificate
    check fails; it is INDETERMINATE when the certificate check is.

    :raises PdfSignatureError: not a PDF, or it cannot be read.
    :raises EncryptedPdfError: the PDF is encrypted.
    """
    _pyhanko()
    from pyhanko.sign.validation import validate_pdf_timestamp

    policy = policy or VerificationPolicy()
    raw = _read(pdf)
    reader = _reader(raw)
    revisions = reader.xrefs.total_revisions
    unaccounted = _unaccounted_tail(reader, raw)
    dss_crls, dss_ocsps, dss_certs = _dss(reader)

    reports: list[PdfSignatureReport] = []
    findings: list[Finding] = []
    try:
        embedded = list(reader.embedded_regular_signatures)
        doc_timestamps = [
            s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"
        ]
    except Exception as exc:
        raise PdfSignatureError(f"the signatures cannot be read: {exc}") from None
    from pyhanko.pdf_utils.misc import PdfError

    unreadable = 0
    for sig in embedded:
        try:
            reports.append(
                _verify_one(
                    sig, trust, policy, revisions, dss_crls, dss_ocsps, dss_certs, unaccounted
                )
            )
        except PdfError as exc:
            raise PdfSignatureError(
                f"signature {sig.field_name!r} cannot be checked: the PDF is damaged ({exc})"
            ) from None
        except RevocationDataError:
            raise  # the caller's policy is at fault, not the PDF
        except Exception as exc:  # a malformed CMS: pyhanko and asn1crypto raise many types
            logger.debug("signature %r cannot be read", sig.field_name, exc_info=True)
            unreadable += 1
            text = str(exc).splitlines()[0] if str(exc) else ""
            detail = f"the signature data cannot be read: {type(exc).__name__}: {text}"
            findings.append(finding("SIG301", field=sig.field_name, detail=detail[:300]))
    stamps: list[tuple[str, datetime.datetime | None, bool]] = []
    for ts in doc_timestamps:
        try:
            status = validate_pdf_timestamp(
                ts, validation_context=_validation_context(trust, policy, dss_certs)
            )
            ok = bool(status.intact and status.valid)
            when = status.timestamp
        except Exception as exc:
            ok, when = False, None
            findings.append(finding("SIG307", field=ts.field_name, detail=str(exc)))
        else:
            if not ok:
                findings.append(finding("SIG307", field=ts.field_name, detail="digest mismatch"))
        stamps.append((ts.field_name, when, ok))
    if not reports and not unreadable:
        findings.append(finding("SIG309"))
    indication = _worst(*(r.indication for r in reports)) if reports else Indication.FAILED
    if any(f.is_error for f in findings):
        indication = Indication.FAILED
    return PdfVerificationReport(
        indication=indication,
        signatures=tuple(reports),
        document_timestamps=tuple(stamps),
        findings=tuple(findings),
    )


_PDF_WHITESPACE = b"\x00\t\n\x0c\r "


def _unaccounted_tail(reader: Any, raw: bytes) -> int:
    """How many bytes follow the end (``%%EOF``) of the last revision, whitespace aside.

    Objects appended without a cross-reference section belong to no revision: a conforming
    reader ignores them, a repairing one may show them ("incremental saving attack" without
    xref, Mladenov et al. 2019), and no signature covers them.
    """
    try:
        end = reader.xrefs.get_xref_container_info(reader.xrefs.total_revisions - 1).end_location
    except Exception:  # an unusual xref layout: pyHanko's coverage check decides
        return 0
    eof = raw.find(b"%%EOF", end)
    if eof < 0:
        return 0
    return len(raw[eof + 5 :].strip(_PDF_WHITESPACE))


def _dss(reader: Any) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[x509.Certificate, ...]]:
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return (), (), ()
    except Exception:
        logger.warning("the document security store cannot be read; ignoring it")
        return (), (), ()
    try:
        crls = tuple(bytes(c.get_object().data) for c in dss.crls)
        ocsps = tuple(bytes(o.get_object().data) for o in dss.ocsps)
        blobs = [bytes(ref.get_object().data) for ref in dss.certs.values()]
    except Exception:
        logger.warning("the document security store cannot be read; ignoring it")
        return (), (), ()
    certs = []
    for blob in blobs:
        try:
            cert = x509.load_der_x509_certificate(blob)
        except (ValueError, x509.InvalidVersion):
            problem: str | None = "not a DER certificate"
        else:
            problem = _unparsable(cert)
        if problem is None:
            certs.append(cert)
        else:
            logger.warning("ignoring a malformed certificate in the DSS: %s", problem)
    return crls, ocsps, tuple(certs)


def _verify_one(
    sig: Any,
    trust: TrustStore,
    policy: VerificationPolicy,
    revisions: int,
    dss_crls: tuple[bytes, ...],
    dss_ocsps: tuple[bytes, ...],
    dss_certs: tuple[x509.Certificate, ...],
    unaccounted: int = 0,
) -> PdfSignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature

    field = sig.field_name
    found: list[Finding] = []
    signer_cert = _to_crypto(sig.signer_cert)
    embedded_certs = tuple(
        _to_crypto(c) for c in sig.signed_data["certificates"] if c.name == "certificate"
    )
    context = _validation_context(trust, policy, (*embedded_certs, *dss_certs), dss_crls, dss_ocsps)
    status = validate_pdf_signature(
        sig,
        signer_validation_context=context,
        ts_validation_context=context,
    )
    intact, valid = bool(status.intact), bool(status.valid)
    digest = str(status.md_algorithm)
    if not (intact and valid):
        found.append(
            finding(
                "SIG301",
                field=field,
                detail="digest mismatch" if not intact else "bad signature value",
            )
        )
    if "sha1" in digest.lower().replace("-", "") and not policy.allow_sha1:
        found.append(finding("SIG310", field=field, algorithm=digest))

    coverage_level = status.coverage.name if status.coverage is not None else "UNCLEAR"
    coverage = {
        "ENTIRE_FILE": Coverage.WHOLE_FILE,
        "ENTIRE_REVISION": Coverage.REVISION,
    }.get(coverage_level, Coverage.UNCLEAR)
    if coverage is Coverage.UNCLEAR:
        found.append(finding("SIG304", field=field))
    level_value = status.modification_level
    modification = _MODIFICATION.get(level_value.value if level_value is not None else 4, "other")
    allowed = modification in ("none", "lta-updates", "form-filling") and (
        status.docmdp_ok is not False
    )
    revision = sig.signed_revision + 1
    detail = modification
    if status.diff_result is not None and not hasattr(status.diff_result, "modification_level"):
        detail = f"{modification}: {status.diff_result}"
    if unaccounted and coverage is not Coverage.WHOLE_FILE:
        # bytes no revision accounts for, hence unsigned: pyHanko's diff sees no change
        modification, allowed = "other", False
        detail = (
            f"{unaccounted} bytes after the last revision that no cross-reference section "
            "accounts for"
        )
    if not allowed:
        found.append(finding("SIG303", field=field, detail=detail))
    elif coverage is Coverage.REVISION:
        found.append(
            finding(
                "SIG302", field=field, revision=revision, revisions=revisions, level=modification
            )
        )

    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    timestamp: datetime.datetime | None = None
    ts_status = status.timestamp_validity
    if ts_status is not None:
        if ts_status.intact and ts_status.valid:
            timestamp = ts_status.timestamp
            tsa_cert = _to_crypto(ts_status.signing_cert)
            tsa_report = _check(
                tsa_cert,
                trust,
                policy,
                (*embedded_certs, *dss_certs),
                dss_crls,
                dss_ocsps,
                timestamp,
            )
            if tsa_report.indication is not Indication.PASSED:
                found.append(finding("SIG311", field=field, indication=tsa_report.indication.value))
        else:
            found.append(finding("SIG306", field=field, detail="digest or signature mismatch"))
    else:
        found.append(finding("SIG305", field=field))
    if subfilter != "/ETSI.CAdES.detached":
        level = "pkcs7"
        found.append(finding("SIG308", field=field, subfilter=subfilter.lstrip("/") or "none"))
    elif timestamp is None:
        level = "b-b"
    elif dss_crls or dss_ocsps:
        later_stamp = any(
            s.sig_object_type == "/DocTimeStamp" and s.signed_revision > sig.signed_revision
            for s in sig.reader.embedded_signatures
        )
        level = "b-lta" if later_stamp else "b-lt"
    else:
        level = "b-t"

    signing_time = status.signer_reported_dt
    at = policy.at or timestamp or signing_time
    certificate = _check(
        signer_cert, trust, policy, (*embedded_certs, *dss_certs), dss_crls, dss_ocsps, at
    )
    found.extend(certificate.findings)

    if any(f.is_error and f.rule.startswith("SIG3") for f in found):
        indication = Indication.FAILED
    else:
        indication = _worst(Indication.PASSED, certificate.indication)
    signed_data = _revision_bytes(sig)
    return PdfSignatureReport(
        field=field,
        indication=indication,
        intact=intact,
        valid=valid,
        coverage=coverage,
        revision=revision,
        revisions=revisions,
        modification=modification,
        changes_allowed=allowed,
        level=level,
        signer=signer_cert,
        signing_time=signing_time,
        timestamp=timestamp,
        certificate=certificate,
        digest_algorithm=digest,
        signed_data=signed_data,
        findings=tuple(found),
    )


def _revision_bytes(sig: Any) -> bytes:
    """The file as it was when ``sig`` was made (up to the end of its byte range)."""
    _start, _length, second, second_length = (int(v) for v in sig.byte_range)
    stream = sig.reader.stream
    stream.seek(0)
    return bytes(stream.read(second + second_length))


def _check(
    cert: x509.Certificate,
    trust: TrustStore,
    policy: VerificationPolicy,
    intermediates: tuple[x509.Certificate, ...],
    crls: tuple[bytes, ...],
    ocsps: tuple[bytes, ...],
    at: datetime.datetime | None,
) -> CertificateReport:
    evolved = attrs.evolve(
        policy,
        crls=(*policy.crls, *crls),
        ocsp_responses=(*policy.ocsp_responses, *ocsps),
    )
    return check_certificate(cert, trust=trust, policy=evolved, intermediates=intermediates, at=at)
