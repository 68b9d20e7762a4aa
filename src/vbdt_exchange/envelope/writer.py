"""The strict writer: one well-defined form of every package (edXML §6, §15.2).

What it writes:

* UTF-8 with an XML declaration, NFC-normalised text, every element in the edXML namespace
  declared once on the root as the default namespace (no prefixes);
* children in the standard order (the numbering of QCVN 102, §4.1, §7.2); no empty elements;
* dates ``yyyy/MM/dd``, timestamps ``yyyy/MM/dd HH:mm:ss`` (Vietnam local time);
* each attachment twice, paired by ``cid:<token>``: in the manifest and in ``AttachmentEncoded``,
  whose base64 is streamed from the attachment's source on one line (as the official SDK does);
* with ``attachment_form="sdk-zip"``, each file wrapped the way the official SDK wraps it (a ZIP
  with one entry named ``<uuid>.<extension>``, ``ContentType`` ``application/zip``), for
  receivers that only know the SDK.

The same model always gives the same bytes. With ``strict=True`` (the default) a model that does
not satisfy the standard — a mandatory field missing, a value kept as text because it could not
be read — raises :class:`~vbdt_exchange.errors.EnvelopeWriteError` listing every problem;
``strict=False`` writes what is there, texts included, so a package read from the wild is never
lost.
"""

from __future__ import annotations

import binascii
import datetime
import hashlib
import io
import logging
import os
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Literal

import attrs
from lxml import etree

from vbdt_exchange.envelope._values import format_date, format_timestamp
from vbdt_exchange.envelope.models import (
    NS,
    Attachment,
    Business,
    EdocPackage,
    ManifestReference,
    Organization,
    Package,
    RawXml,
    ResponseFor,
    StaffInfo,
    StatusPackage,
    TraceHeaderList,
)
from vbdt_exchange.envelope.sources import InvalidPayload
from vbdt_exchange.errors import EnvelopeWriteError

log = logging.getLogger(__name__)

__all__ = ["AttachmentForm", "WriteResult", "WrittenAttachment", "to_bytes", "write"]

AttachmentForm = Literal["raw", "sdk-zip"]
XLINK = "http://www.w3.org/1999/xlink"
_ENCODE_CHUNK = 3 * 1024 * 1024  # a multiple of 3: base64 pieces join without padding
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PLACEHOLDER = "\ue000vbdt-payload-{}\ue001"


@attrs.frozen
class WrittenAttachment:
    """What was written for one attachment: the file's size and SHA-256 (before any wrapping)."""

    content_id: str
    name: str
    size: int
    sha256: str


@attrs.frozen
class WriteResult:
    """What :func:`write` wrote: the package size in bytes, and each attachment."""

    size: int
    attachments: tuple[WrittenAttachment, ...]


def write(
    package: Package,
    target: str | Path | BinaryIO,
    *,
    attachment_form: AttachmentForm = "raw",
    strict: bool = True,
) -> WriteResult:
    """Write ``package`` to ``target`` (a path or a binary stream).

    :param attachment_form: ``"raw"`` (the file's bytes; what the standard describes and what the
        official parser reads correctly) or ``"sdk-zip"`` (the official SDK's ZIP wrapper).
    :param strict: refuse a model that does not satisfy the standard (see the module docs).
    :raises EnvelopeWriteError: in strict mode, listing every problem found.
    """
    if strict:
        problems = check(package)
        if problems:
            raise EnvelopeWriteError(
                "the package cannot be written in the strict form: " + "; ".join(problems)
            )
    if isinstance(target, (str, Path)):
        path = Path(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                result = _write(package, stream, attachment_form, strict)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return result
    return _write(package, target, attachment_form, strict)


def to_bytes(
    package: Package, *, attachment_form: AttachmentForm = "raw", strict: bool = True
) -> bytes:
    """The written package as bytes (for small packages and tests); see :func:`write`."""
    buffer = io.BytesIO()
    write(package, buffer, attachment_form=attachment_form, strict=strict)
    return buffer.getvalue()


# -- checks -------------------------------------------------------------------------------------


def check(package: Package) -> list[str]:
    """Every reason the strict writer would refuse ``package`` (empty when it can be written)."""
    problems: list[str] = []

    def need(value: object, what: str) -> None:
        if value is None or value == () or value == "":
            problems.append(f"{what} is missing")

    def typed(value: object, what: str) -> None:
        if isinstance(value, str):
            problems.append(f"{what} {value!r} is not in the standard's form")

    def organization(org: Organization | None, what: str) -> None:
        need(org, what)
        if org is not None:
            need(org.organ_id, f"{what}/OrganId")

    if isinstance(package, EdocPackage):
        organization(package.from_, "From")
        need(package.to, "To")
        for i, org in enumerate(package.to, 1):
            organization(org, f"To[{i}]")
        need(package.code, "Code")
        if package.code is not None:
            need(package.code.number, "Code/CodeNumber")
            need(package.code.notation, "Code/CodeNotation")
        need(package.promulgation, "PromulgationInfo")
        if package.promulgation is not None:
            need(package.promulgation.date, "PromulgationInfo/PromulgationDate")
            typed(package.promulgation.date, "PromulgationDate")
        need(package.subject, "Subject")
        need(package.steering_type, "SteeringType")
        typed(package.steering_type, "SteeringType")
        need(package.document_id, "DocumentId")
        typed(package.due_date, "DueDate")
        if package.document_type is not None:
            typed(package.document_type.type, "DocumentType/Type")
            typed(package.document_type.type_detail, "DocumentType/TypeDetail")
        if package.other_info is not None:
            info = package.other_info
            for value, what in (
                (info.priority, "Priority"),
                (info.promulgation_amount, "PromulgationAmount"),
                (info.page_amount, "PageAmount"),
                (info.direction, "Direction"),
            ):
                typed(value, f"OtherInfo/{what}")
        for i, ref in enumerate(package.response_for, 1):
            _check_response(ref, f"ResponseFor[{i}]", need, typed)
        _check_trace(package.trace, need, typed)
        for att in package.attachments:
            if isinstance(att.data, InvalidPayload):
                problems.append(f"attachment {att.name!r} has no valid data ({att.data.reason})")
            need(att.content_type, f"attachment {att.name!r} ContentType")
        tokens = [a.content_id for a in package.attachments]
        if len(set(tokens)) != len(tokens):
            problems.append("two attachments share a ContentId")
    else:
        organization(package.from_, "From")
        need(package.response_for, "ResponseFor")
        if package.response_for is not None:
            _check_response(package.response_for, "ResponseFor", need, typed)
        need(package.status_code, "StatusCode")
        if package.status_code is not None and not (
            len(package.status_code) == 2 and package.status_code.isdigit()
        ):
            problems.append(f"StatusCode {package.status_code!r} is not two digits")
        need(package.timestamp, "Timestamp")
        typed(package.timestamp, "Timestamp")
        _check_trace(package.trace, need, typed)
    return problems


def _check_response(ref: ResponseFor, what: str, need: object, typed: object) -> None:
    for value, name in (
        (ref.organ_id, "OrganId"),
        (ref.code, "Code"),
        (ref.promulgation_date, "PromulgationDate"),
        (ref.document_id, "DocumentId"),
    ):
        need(value, f"{what}/{name}")  # type: ignore[operator]
    typed(ref.promulgation_date, f"{what}/PromulgationDate")  # type: ignore[operator]


def _check_trace(trace: TraceHeaderList | None, need: object, typed: object) -> None:
    if trace is None:
        return
    need(trace.headers, "TraceHeaderList/TraceHeader")  # type: ignore[operator]
    for i, header in enumerate(trace.headers, 1):
        need(header.organ_id, f"TraceHeader[{i}]/OrganId")  # type: ignore[operator]
        need(header.timestamp, f"TraceHeader[{i}]/Timestamp")  # type: ignore[operator]
        typed(header.timestamp, f"TraceHeader[{i}]/Timestamp")  # type: ignore[operator]
    business = trace.business
    if business is not None:
        need(business.doc_type, "Bussiness/BussinessDocType")  # type: ignore[operator]
        typed(business.doc_type, "Bussiness/BussinessDocType")  # type: ignore[operator]
        typed(business.paper, "Bussiness/Paper")  # type: ignore[operator]


# -- the tree -------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return format_timestamp(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return _nfc(str(value))


def _leaf(parent: etree._Element, name: str, value: object) -> None:
    if value is None or value == "":
        return
    etree.SubElement(parent, _q(name)).text = _text(value)


_EXT = "{urn:vbdt-exchange:placeholder}extension"


def _extensions(
    parent: etree._Element, extensions: Iterable[RawXml], kind: str = "extension"
) -> None:
    # A placeholder now, the element itself after indenting: indenting must not touch the
    # whitespace inside preserved elements (a Signature, unknown extensions).
    for ext in extensions:
        etree.SubElement(parent, _EXT, xml=ext.xml, kind=kind)


def _place_extensions(root: etree._Element, extensions: bool) -> None:
    for placeholder in list(root.iter(_EXT)):
        element = RawXml(placeholder.get("xml", "")).element()
        parent = placeholder.getparent()
        assert parent is not None
        if not extensions and (
            placeholder.get("kind") != "signature"
            or etree.QName(element).namespace != "http://www.w3.org/2000/09/xmldsig#"
        ):
            parent.remove(placeholder)
            continue
        element.tail = placeholder.tail
        parent.replace(placeholder, element)


def _organization(parent: etree._Element, name: str, org: Organization | None) -> None:
    if org is None:
        return
    el = etree.SubElement(parent, _q(name))
    for child, value in (
        ("OrganId", org.organ_id),
        ("OrganizationInCharge", org.organization_in_charge),
        ("OrganName", org.organ_name),
        ("OrganAdd", org.organ_add),
        ("Email", org.email),
        ("Telephone", org.telephone),
        ("Fax", org.fax),
        ("Website", org.website),
    ):
        _leaf(el, child, value)
    _extensions(el, org.extensions)


def _response_for(parent: etree._Element, ref: ResponseFor | None) -> None:
    if ref is None:
        return
    el = etree.SubElement(parent, _q("ResponseFor"))
    _leaf(el, "OrganId", ref.organ_id)
    _leaf(el, "Code", ref.code)
    _leaf(el, "PromulgationDate", ref.promulgation_date)
    _leaf(el, "DocumentId", ref.document_id)
    _extensions(el, ref.extensions)


def _staff(parent: etree._Element, staff: StaffInfo | None) -> None:
    if staff is None:
        return
    el = etree.SubElement(parent, _q("StaffInfo"))
    for child, value in (
        ("Department", staff.department),
        ("Staff", staff.staff),
        ("Mobile", staff.mobile),
        ("Email", staff.email),
    ):
        _leaf(el, child, value)
    _extensions(el, staff.extensions)


def _business(parent: etree._Element, business: Business) -> None:
    el = etree.SubElement(parent, _q("Bussiness"))
    _leaf(el, "BussinessDocType", business.doc_type)
    _leaf(el, "BussinessDocReason", business.reason)
    info = business.document_info
    if info is not None:
        info_el = etree.SubElement(el, _q("BussinessDocumentInfo"))
        _leaf(info_el, "DocumentInfo", info.document_info)
        _leaf(info_el, "DocumentReceiver", info.document_receiver)
        if info.receivers:
            rl = etree.SubElement(info_el, _q("ReceiverList"))
            for receiver in info.receivers:
                r = etree.SubElement(rl, _q("Receiver"))
                _leaf(r, "OrganId", receiver.organ_id)
                _leaf(r, "ReceiverType", receiver.receiver_type)
                _extensions(r, receiver.extensions)
        _extensions(info_el, info.extensions)
    _leaf(el, "DocumentId", business.document_id)
    _staff(el, business.staff)
    _leaf(el, "Paper", business.paper)
    if business.replacements:
        rl = etree.SubElement(el, _q("ReplacementInfoList"))
        for replacement in business.replacements:
            r = etree.SubElement(rl, _q("ReplacementInfo"))
            _leaf(r, "DocumentId", replacement.document_id)
            if replacement.organ_ids:
                ol = etree.SubElement(r, _q("OrganIdList"))
                for organ in replacement.organ_ids:
                    _leaf(ol, "OrganId", organ)
            _extensions(r, replacement.extensions)
    _extensions(el, business.extensions)


def _trace(parent: etree._Element, trace: TraceHeaderList | None) -> None:
    if trace is None:
        return
    el = etree.SubElement(parent, _q("TraceHeaderList"))
    for key, value in trace.attributes:
        el.set(key, value)
    for header in trace.headers:
        h = etree.SubElement(el, _q("TraceHeader"))
        _leaf(h, "OrganId", header.organ_id)
        _leaf(h, "Timestamp", header.timestamp)
        _extensions(h, header.extensions)
    if trace.business is not None:
        _business(el, trace.business)
    _extensions(el, trace.extensions)


def _reference(parent: etree._Element, ref: ManifestReference) -> None:
    el = etree.SubElement(parent, _q("Reference"))
    for key, value in ref.xlink:
        el.set(f"{{{XLINK}}}{key}", value)
    _leaf(el, "ContentId", f"cid:{ref.content_id}" if ref.content_id is not None else None)
    _leaf(el, "ContentType", ref.content_type)
    _leaf(el, "Description", ref.description)
    _leaf(el, "AttachmentName", ref.name)
    _extensions(el, ref.extensions)


_ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})


def _sdk_wraps(attachment: Attachment, form: AttachmentForm) -> bool:
    """Whether ``form`` wraps this attachment in the SDK's ZIP. A ZIP is never wrapped again
    (readers do not unwrap an attachment named ``*.zip``), nor is a payload kept as text."""
    return (
        form == "sdk-zip"
        and not isinstance(attachment.data, InvalidPayload)
        and not attachment.name.lower().endswith(".zip")
        and attachment.content_type.lower() not in _ZIP_TYPES
    )


def derived_reference(attachment: Attachment) -> ManifestReference:
    """The manifest entry the writer derives from an attachment."""
    return ManifestReference(
        content_id=attachment.content_id,
        name=attachment.name,
        content_type=attachment.content_type,
        description=attachment.description,
    )


def build_tree(
    package: Package, attachment_form: AttachmentForm = "raw", *, extensions: bool = True
) -> etree._Element:
    """The package as an lxml tree, with each payload replaced by a placeholder text.

    This is what :func:`write` serialises. The validator checks the same tree against the XSD,
    built with ``extensions=False``: without the unknown elements (reported by the reader) and
    without a Signature outside the XML-DSig namespace.
    """
    nsmap: dict[str | None, str] = {None: NS}
    if (
        isinstance(package, EdocPackage)
        and any((a.reference and a.reference.xlink) for a in package.attachments)
    ) or (isinstance(package, EdocPackage) and any(r.xlink for r in package.orphan_references)):
        nsmap["xlink"] = XLINK
    root = etree.Element(_q("edXML"), nsmap=nsmap)
    envelope = etree.SubElement(root, _q("edXMLEnvelope"))
    header = etree.SubElement(envelope, _q("edXMLHeader"))
    message = etree.SubElement(header, _q("MessageHeader"))
    structural: dict[str, list[RawXml]] = {}
    for where, ext in package.structural_extensions:
        structural.setdefault(where, []).append(ext)
    if isinstance(package, StatusPackage):
        _organization(message, "From", package.from_)
        _response_for(message, package.response_for)
        _staff(message, package.staff)
        _leaf(message, "StatusCode", package.status_code)
        _leaf(message, "Description", package.description)
        _leaf(message, "Timestamp", package.timestamp)
    else:
        _edoc_header(message, package)
    _extensions(message, package.extensions)
    _trace(header, package.trace)
    if package.signature is not None:
        _extensions(header, [package.signature], kind="signature")
    _extensions(header, structural.get("edXMLHeader", ()))
    if isinstance(package, EdocPackage):
        body = etree.SubElement(envelope, _q("edXMLBody"))
        manifest = etree.SubElement(body, _q("edXMLManifest"))
        if package.manifest_version is not None:
            manifest.set("version", package.manifest_version)
        for attachment in package.attachments:
            _reference(manifest, attachment.reference or derived_reference(attachment))
        for ref in package.orphan_references:
            _reference(manifest, ref)
        _extensions(manifest, structural.get("edXMLManifest", ()))
        _extensions(body, structural.get("edXMLBody", ()))
    _extensions(envelope, structural.get("edXMLEnvelope", ()))
    if isinstance(package, EdocPackage) and (
        package.attachments or "AttachmentEncoded" in structural
    ):
        encoded = etree.SubElement(root, _q("AttachmentEncoded"))
        for index, attachment in enumerate(package.attachments):
            el = etree.SubElement(encoded, _q("Attachment"))
            _leaf(el, "ContentId", attachment.cid)
            _leaf(el, "AttachmentName", attachment.name)
            _leaf(el, "Description", attachment.description)
            zipped = _sdk_wraps(attachment, attachment_form)
            wire_type = "application/zip" if zipped else attachment.content_type
            _leaf(el, "ContentType", wire_type)
            etree.SubElement(el, _q("ContentTransferEncoded")).text = _PLACEHOLDER.format(index)
            _extensions(el, attachment.extensions)
        _extensions(encoded, structural.get("AttachmentEncoded", ()))
    _extensions(root, structural.get("edXML", ()))
    _drop_empty(root)
    etree.indent(root, space="  ")
    _place_extensions(root, extensions)
    etree.cleanup_namespaces(root, top_nsmap=nsmap)
    return root


def _drop_empty(root: etree._Element) -> None:
    """Remove containers left without content (a SignerInfo whose fields are all absent)."""
    structural = {
        _q(n)
        for n in ("edXMLEnvelope", "edXMLHeader", "MessageHeader", "edXMLBody", "edXMLManifest")
    }
    for el in reversed(list(root.iter(f"{{{NS}}}*"))):
        if el.tag in structural or el.attrib:
            continue
        if el is not root and len(el) == 0 and not el.text and el.getparent() is not None:
            el.getparent().remove(el)  # type: ignore[union-attr]


def _edoc_header(message: etree._Element, package: EdocPackage) -> None:
    _organization(message, "From", package.from_)
    for org in package.to:
        _organization(message, "To", org)
    if package.code is not None:
        code = etree.SubElement(message, _q("Code"))
        _leaf(code, "CodeNumber", package.code.number)
        _leaf(code, "CodeNotation", package.code.notation)
        _extensions(code, package.code.extensions)
    if package.promulgation is not None:
        info = etree.SubElement(message, _q("PromulgationInfo"))
        _leaf(info, "Place", package.promulgation.place)
        _leaf(info, "PromulgationDate", package.promulgation.date)
        _extensions(info, package.promulgation.extensions)
    if package.document_type is not None:
        dt = etree.SubElement(message, _q("DocumentType"))
        _leaf(dt, "Type", package.document_type.type)
        _leaf(dt, "TypeDetail", package.document_type.type_detail)
        _leaf(dt, "TypeName", package.document_type.type_name)
        _extensions(dt, package.document_type.extensions)
    _leaf(message, "Subject", package.subject)
    _leaf(message, "Content", package.content)
    if package.signer is not None:
        signer = etree.SubElement(message, _q("SignerInfo"))
        _leaf(signer, "Competence", package.signer.competence)
        _leaf(signer, "Position", package.signer.position)
        _leaf(signer, "FullName", package.signer.full_name)
        _extensions(signer, package.signer.extensions)
    _leaf(message, "DueDate", package.due_date)
    if package.to_places:
        places = etree.SubElement(message, _q("ToPlaces"))
        for place in package.to_places:
            _leaf(places, "Place", place)
    if package.other_info is not None:
        other = package.other_info
        el = etree.SubElement(message, _q("OtherInfo"))
        for child, value in (
            ("Priority", other.priority),
            ("SphereOfPromulgation", other.sphere_of_promulgation),
            ("TyperNotation", other.typer_notation),
            ("PromulgationAmount", other.promulgation_amount),
            ("PageAmount", other.page_amount),
            ("Direction", other.direction),
        ):
            _leaf(el, child, value)
        if other.appendixes:
            appendixes = etree.SubElement(el, _q("Appendixes"))
            for appendix in other.appendixes:
                _leaf(appendixes, "Appendix", appendix)
        _extensions(el, other.extensions)
    for ref in package.response_for:
        _response_for(message, ref)
    _leaf(message, "SteeringType", package.steering_type)
    _leaf(message, "DocumentId", package.document_id)


# -- streaming ----------------------------------------------------------------------------------


class _Counter:
    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.size = 0

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        self.size += len(data)
        return len(data)


class _Base64Writer(io.RawIOBase):
    """A write-only, unseekable stream that base64-encodes what it is given (for zipfile)."""

    def __init__(self, out: _Counter) -> None:
        self.out = out
        self.pending = b""

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        given = len(data)
        buffer = self.pending + bytes(data)
        cut = len(buffer) - len(buffer) % 3
        if cut:
            self.out.write(binascii.b2a_base64(buffer[:cut], newline=False))
        self.pending = buffer[cut:]
        return given

    def finish(self) -> None:
        if self.pending:
            self.out.write(binascii.b2a_base64(self.pending, newline=False))
            self.pending = b""


def _write(package: Package, stream: BinaryIO, form: AttachmentForm, strict: bool) -> WriteResult:
    root = build_tree(package, form)
    xml = etree.tostring(root, encoding="unicode")
    out = _Counter(stream)
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    written: list[WrittenAttachment] = []
    attachments = package.attachments if isinstance(package, EdocPackage) else ()
    rest = xml
    for index, attachment in enumerate(attachments):
        marker = _PLACEHOLDER.format(index)
        head, _, rest = rest.partition(marker)
        out.write(head.encode("utf-8"))
        written.append(_payload(attachment, out, form, strict))
    out.write(rest.encode("utf-8"))
    out.write(b"\n")
    log.debug(
        "wrote a %s package: %d bytes, %d attachment(s)", package.kind, out.size, len(written)
    )
    return WriteResult(out.size, tuple(written))


def _payload(
    attachment: Attachment, out: _Counter, form: AttachmentForm, strict: bool
) -> WrittenAttachment:
    data = attachment.data
    if isinstance(data, InvalidPayload):
        if strict:  # check() refuses earlier; kept for direct callers of _write
            raise EnvelopeWriteError(data.reason, rule=data.rule)
        text = (data.text or "").strip()
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.write(_nfc(escaped).encode("utf-8"))
        return WrittenAttachment(attachment.content_id, attachment.name, 0, "")
    sha = hashlib.sha256()
    size = 0
    with data.open() as source:
        if _sdk_wraps(attachment, form):  # the official SDK's wrapper (edXML §9.3)
            encoder = _Base64Writer(out)
            suffix = Path(attachment.name).suffix.lstrip(".")
            if not (suffix.isascii() and suffix.isalnum()):
                suffix = "bin"  # the entry name must stay <uuid>.<ascii letters and digits>
            entry = (
                str(uuid.uuid5(uuid.NAMESPACE_URL, f"vbdt:{attachment.content_id}")) + "." + suffix
            )
            info = zipfile.ZipInfo(entry, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zipfile.ZipFile(encoder, "w") as archive, archive.open(info, "w") as member:
                while chunk := source.read(_ENCODE_CHUNK):
                    sha.update(chunk)
                    size += len(chunk)
                    member.write(chunk)
            encoder.finish()
        else:
            while chunk := _read_exact(source, _ENCODE_CHUNK):
                sha.update(chunk)
                size += len(chunk)
                out.write(binascii.b2a_base64(chunk, newline=False))
    return WrittenAttachment(attachment.content_id, attachment.name, size, sha.hexdigest())


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    """Read ``n`` bytes unless the stream ends first (short reads would break base64 joins)."""
    chunk = stream.read(n)
    while chunk and len(chunk) < n:
        more = stream.read(n - len(chunk))
        if not more:
            break
        chunk += more
    return chunk
