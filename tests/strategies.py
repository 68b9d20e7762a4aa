"""Hypothesis strategies for valid edXML package models (in the style of attrs'
``tests/strategies.py``).

Every strategy here builds what the *strict* writer must accept and the XSD must pass:

* text is Vietnamese with diacritics (tokens drawn both precomposed and decomposed, then
  NFC-normalised), never empty, without leading or trailing whitespace and without control
  characters; it does contain the XML metacharacters ``& < > " '`` to exercise escaping;
* every optional field is present or absent, and a container (``SignerInfo``, ``OtherInfo``,
  ``StaffInfo``, ...) is either absent or has at least one field, because an empty container
  is written as nothing and read back as ``None`` (edXML §15.1 Q9);
* integers stay in the known ranges: Priority 0-4, SteeringType 0-3, BussinessDocType 0-3,
  Paper/DocumentInfo/DocumentReceiver/ReceiverType 0-1, status codes 01-06/13/15/16;
* organisation identifiers are in the strict QCVN 102 form ``DDD.CC.BB.Ann`` (ASCII digits);
* ``DocumentId`` is built from ``From/OrganId``, ``PromulgationDate`` and ``Code`` (edXML §10),
  and every business block carries what its type needs (§11), so a generated package has no
  cross-field warnings either;
* dates are real calendar dates, timestamps are naive and without microseconds;
* attachments: 0-20, small random bytes, content ids unique case-insensitively (the reader
  matches them that way), names with Vietnamese letters and a plain ASCII extension, IANA
  content types other than ZIP.

Not generated on purpose: unknown elements (``extensions``, ``structural_extensions``) and
orphan manifest references, which a valid package does not have (the reader reports them as
warnings); attachment names whose extension is not ASCII alphanumeric, ``.zip`` attachments and
attachments typed ``application/zip`` (the official SDK wrapper cannot carry them losslessly;
see the report that came with this file).
"""

from __future__ import annotations

import datetime
import string
import unicodedata

from hypothesis import strategies as st
from lxml import etree

from vbdt_exchange import (
    Attachment,
    Business,
    Code,
    DocumentType,
    EdocPackage,
    Organization,
    OtherInfo,
    PromulgationInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.envelope import (
    BusinessDocumentInfo,
    BytesSource,
    RawXml,
    Receiver,
    ReplacementInfo,
)

__all__ = [
    "KNOWN_STATUS_CODES",
    "attachments",
    "business",
    "dates",
    "document_ids",
    "edoc_packages",
    "organ_ids",
    "organizations",
    "packages",
    "status_packages",
    "texts",
    "timestamps",
]

KNOWN_STATUS_CODES = ("01", "02", "03", "04", "05", "06", "13", "15", "16")

# -- text -----------------------------------------------------------------------------------------

_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng
_CONSONANTS = "bcdđghklmnpqrstvx"


def _tokens() -> list[str]:
    syllables = [v + t for v in _VOWELS for t in _TONES]
    letters = syllables + list(_CONSONANTS) + ["ng", "nh", "ch", "tr", "gi", "qu", "ph", "th"]
    letters += [x.upper() for x in letters]
    # each Vietnamese letter both decomposed (NFD) and precomposed (NFC)
    both = {unicodedata.normalize(form, x) for x in letters for form in ("NFD", "NFC")}
    return sorted(both) + list(string.ascii_letters + string.digits) + list(" ,.-()&<>'\":;")


_TOKENS = _tokens()


def _finish(tokens: list[str]) -> str:
    return unicodedata.normalize("NFC", "".join(tokens)).strip()


def texts(min_tokens: int = 1, max_tokens: int = 24) -> st.SearchStrategy[str]:
    """Non-empty NFC Vietnamese text, no leading/trailing whitespace, no control characters."""
    return (
        st.lists(st.sampled_from(_TOKENS), min_size=min_tokens, max_size=max_tokens)
        .map(_finish)
        .filter(bool)
    )


def maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """The value or ``None`` (an optional field present or absent)."""
    return st.none() | strategy


_NAME_TOKENS = [t for t in _TOKENS if t not in ("/", "\\")]
_EXTENSIONS = ("pdf", "PDF", "docx", "doc", "xlsx", "odt", "txt", "png", "jpg", "xml", "edxml")
_CONTENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/octet-stream",
    "text/plain",
    "image/png",
)

# -- identifiers, dates ---------------------------------------------------------------------------


def organ_ids() -> st.SearchStrategy[str]:
    """``DDD.CC.BB.Ann`` with ASCII digits (``\\d`` would admit other Unicode digits)."""
    return st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True)


def dates() -> st.SearchStrategy[datetime.date]:
    return st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2099, 12, 31))


def timestamps() -> st.SearchStrategy[datetime.datetime]:
    """Naive (Vietnam local time) and without microseconds."""
    return st.datetimes(
        min_value=datetime.datetime(1990, 1, 1),
        max_value=datetime.datetime(2099, 12, 31, 23, 59, 59),
    ).map(lambda moment: moment.replace(microsecond=0))


def code_numbers() -> st.SearchStrategy[str]:
    """Mostly digits; test packages also put letters in it (``74fass22``). Never ``/`` or ``,``."""
    return st.from_regex(r"[0-9]{1,6}", fullmatch=True) | st.from_regex(
        r"[0-9A-Za-z]{1,10}", fullmatch=True
    )


def code_notations() -> st.SearchStrategy[str]:
    """``VPCP-TTĐT``-like notations; Party notations contain ``/`` (``CV/TU``)."""
    part = st.text(alphabet="ABCDĐEGHKLMNPQRSTUVXY0123456789", min_size=1, max_size=6)
    return st.lists(part, min_size=1, max_size=3).flatmap(
        lambda parts: st.sampled_from(["-", "/"]).map(lambda sep: sep.join(parts))
    )


def _date_text(value: datetime.date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def document_ids(organ_id: str, date: datetime.date, number: str, notation: str) -> str:
    """``OrganId,yyyy/MM/dd,Number/Notation`` (edXML §10)."""
    return f"{organ_id},{_date_text(date)},{number}/{notation}"


@st.composite
def foreign_document_ids(draw: st.DrawFn) -> str:
    """The DocumentId of some other document."""
    return document_ids(
        draw(organ_ids()), draw(dates()), draw(code_numbers()), draw(code_notations())
    )


def small_ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=low, max_value=high)


# -- parts of a header -----------------------------------------------------------------------------


def organizations() -> st.SearchStrategy[Organization]:
    return st.builds(
        Organization,
        organ_id=organ_ids(),
        organization_in_charge=maybe(texts()),
        organ_name=maybe(texts()),
        organ_add=maybe(texts()),
        email=maybe(texts(max_tokens=8)),
        telephone=maybe(st.from_regex(r"\(84-[0-9]{1,3}\) [0-9]{4} [0-9]{4}", fullmatch=True)),
        fax=maybe(texts(max_tokens=8)),
        website=maybe(texts(max_tokens=8)),
    )


def _not_empty(model_type: type) -> object:
    empty = model_type()
    return lambda value: value != empty


def signers() -> st.SearchStrategy[SignerInfo]:
    return st.builds(
        SignerInfo,
        competence=maybe(texts(max_tokens=6)),
        position=maybe(texts()),
        full_name=maybe(texts()),
    ).filter(_not_empty(SignerInfo))  # type: ignore[arg-type]


def document_types() -> st.SearchStrategy[DocumentType]:
    return st.builds(
        DocumentType,
        type=maybe(small_ints(0, 30)),
        type_detail=maybe(small_ints(0, 30)),
        type_name=maybe(texts(max_tokens=10)),
    ).filter(_not_empty(DocumentType))  # type: ignore[arg-type]


def other_infos() -> st.SearchStrategy[OtherInfo]:
    return st.builds(
        OtherInfo,
        priority=maybe(small_ints(0, 4)),
        sphere_of_promulgation=maybe(texts()),
        typer_notation=maybe(texts(max_tokens=6)),
        promulgation_amount=maybe(small_ints(0, 10_000)),
        page_amount=maybe(small_ints(0, 999)),
        direction=maybe(st.booleans()),
        appendixes=st.lists(texts(), max_size=3),
    ).filter(_not_empty(OtherInfo))  # type: ignore[arg-type]


def staff_infos() -> st.SearchStrategy[StaffInfo]:
    return st.builds(
        StaffInfo,
        department=maybe(texts()),
        staff=maybe(texts()),
        mobile=maybe(st.from_regex(r"84[0-9]{9}", fullmatch=True)),
        email=maybe(texts(max_tokens=8)),
    ).filter(_not_empty(StaffInfo))  # type: ignore[arg-type]


@st.composite
def response_fors(draw: st.DrawFn) -> ResponseFor:
    """A complete reference: the XSD wants all four children."""
    organ = draw(organ_ids())
    date = draw(dates())
    number, notation = draw(code_numbers()), draw(code_notations())
    return ResponseFor(
        organ_id=organ,
        code=f"{number}/{notation}",
        promulgation_date=date,
        document_id=document_ids(organ, date, number, notation),
    )


def business() -> st.SearchStrategy[Business]:
    """A ``Bussiness`` block carrying what its type needs (edXML §11).

    Never the bare ``Business()`` (``BussinessDocType`` 0 and nothing else): the reader takes a
    block equal to the model's defaults for an empty one and reads it as absent, a known bug
    reported with these tests (``<Bussiness><BussinessDocType>0</BussinessDocType></Bussiness>``
    gives ``trace.business is None`` and a spurious EDX402).
    """
    return _business().filter(lambda block: block != Business())


@st.composite
def _business(draw: st.DrawFn) -> Business:
    doc_type = draw(small_ints(0, 3))
    document_id = (
        draw(foreign_document_ids()) if doc_type in (1, 2) else draw(maybe(foreign_document_ids()))
    )
    info = None
    if doc_type == 2:
        receivers = draw(
            st.lists(
                st.builds(Receiver, organ_id=organ_ids(), receiver_type=small_ints(0, 1)),
                max_size=3,
            )
        )
        info = BusinessDocumentInfo(
            document_info=draw(small_ints(0, 1)),
            document_receiver=draw(maybe(small_ints(0, 1))),
            receivers=receivers,
        )
    replacements: list[ReplacementInfo] = []
    if doc_type == 3:
        replacements = draw(
            st.lists(
                st.builds(
                    ReplacementInfo,
                    document_id=foreign_document_ids(),
                    organ_ids=st.lists(organ_ids(), min_size=1, max_size=3),
                ),
                min_size=1,
                max_size=3,
            )
        )
    return Business(
        doc_type=doc_type,
        reason=draw(maybe(texts())),
        document_info=info,
        document_id=document_id,
        staff=draw(maybe(staff_infos())),
        paper=draw(maybe(small_ints(0, 1))),
        replacements=replacements,
    )


def trace_lists(with_business: bool = True) -> st.SearchStrategy[TraceHeaderList]:
    headers = st.lists(
        st.builds(TraceHeader, organ_id=organ_ids(), timestamp=timestamps()), min_size=1, max_size=3
    )
    attributes = st.sampled_from([(), (("id", "3490sdo9"), ("version", "1.0"))])
    return st.builds(
        TraceHeaderList,
        headers=headers,
        business=maybe(business()) if with_business else st.none(),
        attributes=attributes,
    )


_SIGNATURE = RawXml.from_element(
    etree.fromstring(
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo>'
        '<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
        '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
        '<Reference URI=""><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
        "<DigestValue>AAAA</DigestValue></Reference></SignedInfo>"
        "<SignatureValue>AAAA</SignatureValue></Signature>"
    )
)

# -- attachments -----------------------------------------------------------------------------------


def attachment_names() -> st.SearchStrategy[str]:
    stem = (
        st.lists(st.sampled_from(_NAME_TOKENS), min_size=1, max_size=16).map(_finish).filter(bool)
    )
    return st.tuples(stem, st.sampled_from(_EXTENSIONS)).map(lambda parts: f"{parts[0]}.{parts[1]}")


def content_ids() -> st.SearchStrategy[str]:
    """UUIDs (what the writer rule asks for) and short tokens such as ``209`` (SDK samples)."""
    return st.uuids().map(str) | st.from_regex(r"[0-9]{1,4}", fullmatch=True)


@st.composite
def attachments(draw: st.DrawFn, max_size: int = 20) -> tuple[Attachment, ...]:
    """0-``max_size`` attachments with unique content ids (compared case-insensitively)."""
    tokens = draw(st.lists(content_ids(), max_size=max_size, unique_by=str.casefold))
    return tuple(
        Attachment(
            name=draw(attachment_names()),
            content_type=draw(st.sampled_from(_CONTENT_TYPES)),
            data=BytesSource(draw(st.binary(max_size=256))),
            content_id=token,
            description=draw(maybe(texts())),
        )
        for token in tokens
    )


# -- packages --------------------------------------------------------------------------------------


@st.composite
def edoc_packages(draw: st.DrawFn, max_attachments: int = 20) -> EdocPackage:
    sender = draw(organizations())
    date = draw(dates())
    number, notation = draw(code_numbers()), draw(code_notations())
    due = draw(maybe(st.integers(min_value=0, max_value=365)))
    return EdocPackage(
        from_=sender,
        to=draw(st.lists(organizations(), min_size=1, max_size=4)),
        code=Code(number=number, notation=notation),
        promulgation=PromulgationInfo(date=date, place=draw(maybe(texts(max_tokens=8)))),
        document_type=draw(maybe(document_types())),
        subject=draw(texts(max_tokens=40)),
        content=draw(maybe(texts(max_tokens=40))),
        signer=draw(maybe(signers())),
        due_date=None if due is None else date + datetime.timedelta(days=due),
        to_places=draw(st.lists(texts(), max_size=3)),
        other_info=draw(maybe(other_infos())),
        response_for=draw(st.lists(response_fors(), max_size=2)),
        steering_type=draw(small_ints(0, 3)),
        document_id=document_ids(sender.organ_id or "", date, number, notation),
        trace=draw(maybe(trace_lists())),
        signature=draw(st.sampled_from([None, _SIGNATURE])),
        attachments=draw(attachments(max_size=max_attachments)),
        manifest_version=draw(st.sampled_from(["1.0", None])),
    )


def status_packages() -> st.SearchStrategy[StatusPackage]:
    """Only what a status package carries (edXML §3.2, §15.2): no trace, no signature."""
    return st.builds(
        StatusPackage,
        from_=organizations(),
        response_for=response_fors(),
        staff=maybe(staff_infos()),
        status_code=st.sampled_from(KNOWN_STATUS_CODES),
        description=maybe(texts(max_tokens=40)),
        timestamp=timestamps(),
    )


def packages(max_attachments: int = 20) -> st.SearchStrategy[EdocPackage | StatusPackage]:
    return edoc_packages(max_attachments=max_attachments) | status_packages()
