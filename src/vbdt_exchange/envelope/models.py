"""Frozen models of edXML packages (QCVN 102:2016/BTTTT + Sửa đổi 1:2022).

Two kinds of package travel on the axis: :class:`EdocPackage` (a document with its metadata and
files) and :class:`StatusPackage` (a processing status about a document sent earlier).

Conventions:

* Every model is an immutable ``attrs`` class; change one with :func:`attrs.evolve`.
* Optional values are ``None``; repeated values are tuples (empty when absent).
* A typed value that could not be read as its type (a date written ``2020/06/02(ngày ...)``,
  a priority written ``0(Độ ưu tiên ...)``) is kept as the text found, so nothing is lost: the
  annotation says ``date | str``, ``int | str``. The validator reports every such value.
* Elements the library does not know are kept as :class:`RawXml` in ``extensions`` and written
  back at the end of their parent.
* The standard spells ``Bussiness`` with a double *s*; the Python names say ``business``.
"""

from __future__ import annotations

import copy
import datetime
import mimetypes
import uuid
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Literal, TypeAlias

import attrs
from lxml import etree

from vbdt_exchange.envelope.sources import (
    AttachmentSource,
    BytesSource,
    PathSource,
    StreamSource,
    same_data,
)

__all__ = [
    "NS",
    "Attachment",
    "Business",
    "BusinessDocumentInfo",
    "Code",
    "DateValue",
    "DocumentType",
    "EdocPackage",
    "IntValue",
    "ManifestReference",
    "Organization",
    "OtherInfo",
    "Package",
    "PromulgationInfo",
    "RawXml",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusPackage",
    "TimestampValue",
    "TraceHeader",
    "TraceHeaderList",
]

#: The edXML namespace (unchanged by the 2022 amendment).
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

DateValue: TypeAlias = datetime.date | str
"""A date; the text found when it could not be read as one."""
TimestampValue: TypeAlias = datetime.datetime | str
"""A local date-time (Vietnam time, no zone); the text found when it could not be read."""
IntValue: TypeAlias = int | str
"""An integer; the text found when it could not be read as one."""

_tuple = attrs.field(factory=tuple, converter=tuple)


def _strs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class RawXml:
    """An element kept verbatim: an unknown extension, or the ``Signature``.

    ``xml`` is the element serialised on its own (with the namespace declarations it needs).
    """

    xml: str

    @classmethod
    def from_element(cls, element: etree._Element) -> RawXml:
        """Keep ``element`` (without its tail) in a canonical form: its own namespace as the
        default one, other prefixes as found, no unused declarations. The same element read
        from differently prefixed documents gives the same ``RawXml``.

        The copy costs time linear in the element's size times its number of attributes,
        which the reader bounds (``Limits.max_attributes``).
        """
        kept = _canonical_copy(element)
        etree.cleanup_namespaces(kept)
        return cls(etree.tostring(kept, encoding="unicode"))

    def element(self) -> etree._Element:
        """The element, parsed with the library's hardened parser."""
        from vbdt_exchange._xml import parse

        return parse(self.xml.encode("utf-8"))

    @property
    def tag(self) -> str:
        """The element's name in Clark notation (``{namespace}local``)."""
        return str(self.element().tag)

    @property
    def local_name(self) -> str:
        return etree.QName(self.element()).localname


def _canonical_copy(element: etree._Element) -> etree._Element:
    own = etree.QName(element).namespace
    nsmap: dict[str | None, str] = {}
    seen: set[str] = {own} if own else set()
    for sub in element.iter():
        for prefix, uri in (sub.nsmap or {}).items():
            if prefix is not None and uri not in seen:
                nsmap[prefix] = uri
                seen.add(uri)
    if own:
        nsmap[None] = own
    root = etree.Element(element.tag, nsmap=nsmap)
    _copy_into(element, root)
    return root


def _copy_into(source: etree._Element, target: etree._Element) -> None:
    target.attrib.update(source.attrib)
    target.text = source.text
    for child in source:
        if isinstance(child.tag, str):
            new = etree.SubElement(target, child.tag)
            _copy_into(child, new)
        else:
            new = copy.copy(child)
            target.append(new)
        new.tail = child.tail


_extensions = attrs.field(factory=tuple, converter=tuple)


@attrs.frozen
class Organization:
    """An organisation: ``From``, each ``To``, and the status ``From`` (edXML §4.2)."""

    organ_id: str | None = None
    organization_in_charge: str | None = None
    organ_name: str | None = None
    organ_add: str | None = None
    email: str | None = None
    telephone: str | None = None
    fax: str | None = None
    website: str | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class Code:
    """Số và ký hiệu: the number and notation of a document (``7816`` / ``VPCP-TTĐT``)."""

    number: str | None = None
    notation: str | None = None
    extensions: tuple[RawXml, ...] = _extensions

    @property
    def full(self) -> str | None:
        """``number/notation``, the form used in ``DocumentId`` and ``ResponseFor/Code``."""
        if self.number is None and self.notation is None:
            return None
        return f"{self.number or ''}/{self.notation or ''}"


@attrs.frozen
class PromulgationInfo:
    """Place and date of issue."""

    date: DateValue | None = None
    place: str | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class DocumentType:
    """Loại văn bản. ``type`` and ``type_detail`` are opaque integers (their code lists are
    unknown, edXML §13.3); ``type_name`` is the reliable label."""

    type: IntValue | None = None
    type_detail: IntValue | None = None
    type_name: str | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class SignerInfo:
    """The person who signed: authority prefix (``TL.``, ``KT.``), position, full name."""

    competence: str | None = None
    position: str | None = None
    full_name: str | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class OtherInfo:
    """Urgency, circulation scope, typist, copies, pages, appendices (edXML §4.7)."""

    priority: IntValue | None = None
    sphere_of_promulgation: str | None = None
    typer_notation: str | None = None
    promulgation_amount: IntValue | None = None
    page_amount: IntValue | None = None
    direction: bool | str | None = None
    appendixes: tuple[str, ...] = attrs.field(factory=tuple, converter=_strs)
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class ResponseFor:
    """A reference to another document: the one answered, revoked, or reported on."""

    organ_id: str | None = None
    code: str | None = None
    promulgation_date: DateValue | None = None
    document_id: str | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class StaffInfo:
    """The clerk (văn thư) who acted."""

    department: str | None = None
    staff: str | None = None
    mobile: str | None = None
    email: str | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class TraceHeader:
    """One hop: which system handled the package, and when."""

    organ_id: str | None = None
    timestamp: TimestampValue | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class Receiver:
    """A receiver concerned by an update: ``receiver_type`` 0 removed, 1 added."""

    organ_id: str | None = None
    receiver_type: IntValue | None = None
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class BusinessDocumentInfo:
    """What an update changes (``BussinessDocumentInfo``)."""

    document_info: IntValue | None = None
    document_receiver: IntValue | None = None
    receivers: tuple[Receiver, ...] = _tuple
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class ReplacementInfo:
    """A replaced document and the receivers the replacement applies to."""

    document_id: str | None = None
    organ_ids: tuple[str, ...] = attrs.field(factory=tuple, converter=_strs)
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class Business:
    """The ``Bussiness`` block: 0 new, 1 revocation, 2 update, 3 replacement (edXML §11)."""

    doc_type: IntValue | None = 0
    reason: str | None = None
    document_info: BusinessDocumentInfo | None = None
    document_id: str | None = None
    staff: StaffInfo | None = None
    paper: IntValue | None = None
    replacements: tuple[ReplacementInfo, ...] = _tuple
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class TraceHeaderList:
    """Routing trace and business information.

    ``attributes`` keeps the list's XML attributes in document order (``id``, ``version``, and
    the SOAP-style ``mustUnderstand``/``actor`` some producers add).
    """

    headers: tuple[TraceHeader, ...] = _tuple
    business: Business | None = None
    attributes: tuple[tuple[str, str], ...] = _tuple
    extensions: tuple[RawXml, ...] = _extensions


@attrs.frozen
class ManifestReference:
    """A manifest ``Reference`` as found, kept only when it differs from what the writer would
    derive from its attachment (or when no attachment carries its ContentId)."""

    content_id: str | None = None
    name: str | None = None
    content_type: str | None = None
    description: str | None = None
    xlink: tuple[tuple[str, str], ...] = _tuple
    extensions: tuple[RawXml, ...] = _extensions


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


@attrs.frozen
class Attachment:
    """A file carried by an edoc package.

    ``content_id`` is the bare token (the wire form is ``cid:<token>``). ``data`` is a lazy
    source: attachments compare equal when their metadata is equal and their bytes are the same.
    ``reference`` holds the manifest entry when it says something other than this attachment.
    ``sdk_zipped`` records that the reader removed the official SDK's ZIP wrapper; ``wrapped``
    then gives the wrapper's bytes. Neither takes part in equality.
    """

    name: str
    content_type: str
    data: AttachmentSource = attrs.field(
        eq=attrs.cmp_using(eq=same_data, require_same_type=False), hash=False
    )
    content_id: str = attrs.field(factory=lambda: str(uuid.uuid4()))
    description: str | None = None
    reference: ManifestReference | None = None
    extensions: tuple[RawXml, ...] = _extensions
    sdk_zipped: bool = attrs.field(default=False, eq=False)
    wrapped: AttachmentSource | None = attrs.field(default=None, eq=False, hash=False)

    @property
    def cid(self) -> str:
        """The ContentId as written on the wire: ``cid:<token>``."""
        return f"cid:{self.content_id}"

    @classmethod
    def from_bytes(
        cls, name: str, data: bytes, *, content_type: str | None = None, **kwargs: object
    ) -> Attachment:
        """An attachment from bytes in memory; the content type is guessed from ``name``."""
        return cls(name, content_type or _guess_type(name), BytesSource(data), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_path(
        cls,
        path: str | PurePath,
        *,
        name: str | None = None,
        content_type: str | None = None,
        **kwargs: object,
    ) -> Attachment:
        """An attachment read from a file when the package is written."""
        path = Path(path)
        name = name or path.name
        return cls(name, content_type or _guess_type(name), PathSource(path), **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_stream(
        cls,
        name: str,
        opener: StreamSource | object,
        *,
        content_type: str | None = None,
        **kwargs: object,
    ) -> Attachment:
        """An attachment whose bytes come from ``opener()``, called each time they are needed."""
        source = opener if isinstance(opener, StreamSource) else StreamSource(opener)  # type: ignore[arg-type]
        return cls(name, content_type or _guess_type(name), source, **kwargs)  # type: ignore[arg-type]

    @property
    def size(self) -> int | None:
        return self.data.size

    def sha256(self) -> str:
        return self.data.sha256()


@attrs.frozen(kw_only=True)
class EdocPackage:
    """An edoc package (gói tin văn bản điện tử): a document's metadata and its files.

    The fields follow the MessageHeader children of QCVN 102 (§4.1), then the trace, the
    signature and the attachments. ``extensions`` holds unknown MessageHeader children;
    ``structural_extensions`` holds unknown children of the root, envelope, header, body,
    manifest and ``AttachmentEncoded`` as ``(parent local name, element)`` pairs.
    """

    kind: Literal["edoc"] = attrs.field(default="edoc", init=False)
    from_: Organization | None = None
    to: tuple[Organization, ...] = _tuple
    code: Code | None = None
    promulgation: PromulgationInfo | None = None
    document_type: DocumentType | None = None
    subject: str | None = None
    content: str | None = None
    signer: SignerInfo | None = None
    due_date: DateValue | None = None
    to_places: tuple[str, ...] = attrs.field(factory=tuple, converter=_strs)
    other_info: OtherInfo | None = None
    response_for: tuple[ResponseFor, ...] = _tuple
    steering_type: IntValue | None = None
    document_id: str | None = None
    trace: TraceHeaderList | None = None
    signature: RawXml | None = None
    attachments: tuple[Attachment, ...] = _tuple
    orphan_references: tuple[ManifestReference, ...] = _tuple
    manifest_version: str | None = "1.0"
    extensions: tuple[RawXml, ...] = _extensions
    structural_extensions: tuple[tuple[str, RawXml], ...] = _tuple

    @property
    def business(self) -> Business | None:
        return self.trace.business if self.trace else None


@attrs.frozen(kw_only=True)
class StatusPackage:
    """A status package (gói tin trạng thái): a processing status about a document.

    ``status_code`` is kept as the two characters found (unknown codes are preserved).
    """

    kind: Literal["status"] = attrs.field(default="status", init=False)
    from_: Organization | None = None
    response_for: ResponseFor | None = None
    staff: StaffInfo | None = None
    status_code: str | None = None
    description: str | None = None
    timestamp: TimestampValue | None = None
    trace: TraceHeaderList | None = None
    signature: RawXml | None = None
    extensions: tuple[RawXml, ...] = _extensions
    structural_extensions: tuple[tuple[str, RawXml], ...] = _tuple


Package: TypeAlias = EdocPackage | StatusPackage
"""Either kind of package; tell them apart with ``package.kind``."""
