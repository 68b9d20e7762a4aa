"""The JSON form of a package: what ``vbdt inspect --json`` prints and ``vbdt pack`` reads.

This is a public interface, documented in ``docs/reference/json.md`` and kept stable. Dates are
``YYYY-MM-DD``, timestamps ``YYYY-MM-DDTHH:MM:SS`` (Vietnam local time, no zone); a value that
could not be read as its type is given as the text found. Absent values are ``null`` or empty
lists. Besides the keys of the contract, the form carries what a lossless round trip needs
(``signature``, ``extensions``, ``structural_extensions``, ``trace_attributes``, ...), so that
``inspect --json`` followed by ``pack`` gives the same package.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from vbdt_exchange.envelope._values import VIETNAM
from vbdt_exchange.envelope.models import (
    Attachment,
    Business,
    BusinessDocumentInfo,
    Code,
    DocumentType,
    EdocPackage,
    ManifestReference,
    Organization,
    OtherInfo,
    Package,
    PromulgationInfo,
    RawXml,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusPackage,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.envelope.sources import AttachmentSource, InvalidPayload, PathSource
from vbdt_exchange.errors import EnvelopeError
from vbdt_exchange.findings import Finding

__all__ = ["FORMAT_VERSION", "MetadataError", "package_from_json", "package_to_json"]

#: Version of the JSON form; bumped only on incompatible changes.
FORMAT_VERSION = 1


class MetadataError(EnvelopeError):
    """A JSON package description is malformed; ``path`` is a JSON path such as ``$.to[0]``."""


# -- to JSON ----------------------------------------------------------------------------------


def _value(value: object) -> object:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:  # as the XML writer does: Vietnam local time
            value = value.astimezone(VIETNAM).replace(tzinfo=None)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _ext(extensions: Sequence[RawXml]) -> list[str]:
    return [e.xml for e in extensions]


def _org(org: Organization | None) -> dict[str, Any] | None:
    if org is None:
        return None
    return {
        "organ_id": org.organ_id,
        "organization_in_charge": org.organization_in_charge,
        "organ_name": org.organ_name,
        "organ_add": org.organ_add,
        "email": org.email,
        "telephone": org.telephone,
        "fax": org.fax,
        "website": org.website,
        "extensions": _ext(org.extensions),
    }


def _response(ref: ResponseFor) -> dict[str, Any]:
    return {
        "organ_id": ref.organ_id,
        "code": ref.code,
        "promulgation_date": _value(ref.promulgation_date),
        "document_id": ref.document_id,
        "extensions": _ext(ref.extensions),
    }


def _staff(staff: StaffInfo | None) -> dict[str, Any] | None:
    if staff is None:
        return None
    return {
        "department": staff.department,
        "staff": staff.staff,
        "mobile": staff.mobile,
        "email": staff.email,
        "extensions": _ext(staff.extensions),
    }


def _business(business: Business | None) -> dict[str, Any] | None:
    if business is None:
        return None
    info = business.document_info
    return {
        "doc_type": business.doc_type,
        "reason": business.reason,
        "document_id": business.document_id,
        "paper": business.paper,
        "document_info": None
        if info is None
        else {
            "document_info": info.document_info,
            "document_receiver": info.document_receiver,
            "receivers": [
                {
                    "organ_id": r.organ_id,
                    "receiver_type": r.receiver_type,
                    "extensions": _ext(r.extensions),
                }
                for r in info.receivers
            ],
            "extensions": _ext(info.extensions),
        },
        "replacements": [
            {
                "document_id": r.document_id,
                "organ_ids": list(r.organ_ids),
                "extensions": _ext(r.extensions),
            }
            for r in business.replacements
        ],
        "staff": _staff(business.staff),
        "extensions": _ext(business.extensions),
    }


def _reference(ref: ManifestReference) -> dict[str, Any]:
    return {
        "content_id": ref.content_id,
        "name": ref.name,
        "content_type": ref.content_type,
        "description": ref.description,
        "xlink": dict(ref.xlink),
        "extensions": _ext(ref.extensions),
    }


def _attachment(attachment: Attachment) -> dict[str, Any]:
    data = attachment.data
    valid = not isinstance(data, InvalidPayload)
    return {
        "name": attachment.name,
        "content_type": attachment.content_type,
        "description": attachment.description,
        "content_id": attachment.content_id,
        "size": data.size if valid else None,
        "sha256": data.sha256() if valid else None,
        "sdk_zipped": attachment.sdk_zipped,
        "invalid": {"reason": data.reason, "rule": data.rule, "text": data.text}
        if isinstance(data, InvalidPayload)
        else None,
        "reference": _reference(attachment.reference) if attachment.reference else None,
        "extensions": _ext(attachment.extensions),
    }


def package_to_json(package: Package, findings: Sequence[Finding] = ()) -> dict[str, Any]:
    """The JSON form of ``package`` (a ``dict`` ready for :func:`json.dumps`)."""
    trace = package.trace
    common: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "kind": package.kind,
        "from": _org(package.from_),
    }
    if isinstance(package, EdocPackage):
        other = package.other_info
        body: dict[str, Any] = {
            "to": [_org(o) for o in package.to],
            "document_id": package.document_id,
            "code": None
            if package.code is None
            else {
                "number": package.code.number,
                "notation": package.code.notation,
                "extensions": _ext(package.code.extensions),
            },
            "promulgation": None
            if package.promulgation is None
            else {
                "place": package.promulgation.place,
                "date": _value(package.promulgation.date),
                "extensions": _ext(package.promulgation.extensions),
            },
            "document_type": None
            if package.document_type is None
            else {
                "type": package.document_type.type,
                "type_detail": package.document_type.type_detail,
                "type_name": package.document_type.type_name,
                "extensions": _ext(package.document_type.extensions),
            },
            "subject": package.subject,
            "content": package.content,
            "signer": None
            if package.signer is None
            else {
                "competence": package.signer.competence,
                "position": package.signer.position,
                "full_name": package.signer.full_name,
                "extensions": _ext(package.signer.extensions),
            },
            "due_date": _value(package.due_date),
            "to_places": list(package.to_places),
            "other_info": None
            if other is None
            else {
                "priority": other.priority,
                "sphere_of_promulgation": other.sphere_of_promulgation,
                "typer_notation": other.typer_notation,
                "promulgation_amount": other.promulgation_amount,
                "page_amount": other.page_amount,
                "direction": other.direction,
                "appendixes": list(other.appendixes),
                "extensions": _ext(other.extensions),
            },
            "response_for": [_response(r) for r in package.response_for],
            "steering_type": package.steering_type,
            "status": None,
            "attachments": [_attachment(a) for a in package.attachments],
            "orphan_references": [_reference(r) for r in package.orphan_references],
            "manifest_version": package.manifest_version,
        }
    else:
        body = {
            "to": [],
            "document_id": package.response_for.document_id if package.response_for else None,
            "code": None,
            "promulgation": None,
            "document_type": None,
            "subject": None,
            "content": None,
            "signer": None,
            "due_date": None,
            "to_places": [],
            "other_info": None,
            "response_for": [_response(package.response_for)] if package.response_for else [],
            "steering_type": None,
            "status": {
                "code": package.status_code,
                "description": package.description,
                "timestamp": _value(package.timestamp),
                "staff": _staff(package.staff),
            },
            "attachments": [],
            "orphan_references": [],
            "manifest_version": None,
        }
    tail = {
        "trace": [
            {
                "organ_id": h.organ_id,
                "timestamp": _value(h.timestamp),
                "extensions": _ext(h.extensions),
            }
            for h in (trace.headers if trace else ())
        ],
        "trace_attributes": dict(trace.attributes) if trace else None,
        "trace_extensions": _ext(trace.extensions) if trace else [],
        "business": _business(trace.business if trace else None),
        "signature": package.signature.xml if package.signature else None,
        "extensions": _ext(package.extensions),
        "structural_extensions": [
            {"parent": p, "xml": x.xml} for p, x in package.structural_extensions
        ],
        "findings": [f.to_dict() for f in findings],
    }
    return {**common, **body, **tail}


# -- from JSON --------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PARENTS = frozenset(
    {"edXML", "edXMLEnvelope", "edXMLHeader", "edXMLBody", "edXMLManifest", "AttachmentEncoded"}
)


def _xml_text(value: str, path: str) -> str:
    """``value``, if XML can carry it (no NUL, control characters or lone surrogates)."""
    bad = _NOT_XML_CHAR.search(value)
    if bad:
        raise MetadataError(
            f"character U+{ord(bad.group()):04X} cannot appear in an XML package", path=path
        )
    return value


class _In:
    """Typed access to a JSON object, with errors that name the JSON path."""

    def __init__(self, data: object, path: str = "$") -> None:
        if not isinstance(data, Mapping):
            raise MetadataError(f"expected an object, found {type(data).__name__}", path=path)
        self.data = data
        self.path = path

    def _fail(self, key: str, expected: str) -> MetadataError:
        found = type(self.data.get(key)).__name__
        return MetadataError(
            f"{key}: expected {expected}, found {found}", path=f"{self.path}.{key}"
        )

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return _xml_text(value, f"{self.path}.{key}")
        raise self._fail(key, "a string or null")

    def integer(self, key: str) -> int | str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, str):
            return int(value) if re.fullmatch(r"[+-]?\d+", value) else value
        raise self._fail(key, "an integer or null")

    def flag(self, key: str) -> bool | str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, (bool, str)):
            return value
        raise self._fail(key, "true, false or null")

    def date(self, key: str) -> datetime.date | str | None:
        value = self.text(key)
        if value is not None and _DATE.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return value
        return value

    def timestamp(self, key: str) -> datetime.datetime | str | None:
        value = self.text(key)
        if value is not None and _TS.match(value):
            try:
                return datetime.datetime.fromisoformat(value)
            except ValueError:
                return value
        return value

    def obj(self, key: str) -> _In | None:
        value = self.data.get(key)
        return None if value is None else _In(value, f"{self.path}.{key}")

    def objs(self, key: str) -> list[_In]:
        return [_In(v, f"{self.path}.{key}[{i}]") for i, v in enumerate(self.items(key))]

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        raise self._fail(key, "a list")

    def strs(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise MetadataError(
                    f"{key}[{i}]: expected a string", path=f"{self.path}.{key}[{i}]"
                )
            _xml_text(v, f"{self.path}.{key}[{i}]")
        return tuple(values)

    def ext(self, key: str = "extensions") -> tuple[RawXml, ...]:
        from vbdt_exchange._xml import parse

        result = []
        for i, xml in enumerate(self.strs(key)):
            try:
                parse(xml.encode("utf-8"))
            except EnvelopeError as exc:
                raise MetadataError(
                    f"{key}[{i}] is not an XML element: {exc.message}",
                    path=f"{self.path}.{key}[{i}]",
                ) from None
            result.append(RawXml(xml))
        return tuple(result)

    def pairs(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise self._fail(key, "an object of strings")
        for name, text in value.items():
            if not _ATTRIBUTE_NAME.fullmatch(name) or name.lower().startswith("xml"):
                raise MetadataError(
                    f"{key}: {name!r} is not an attribute name this form can carry",
                    path=f"{self.path}.{key}",
                )
            _xml_text(text, f"{self.path}.{key}.{name}")
        return tuple(value.items())


def _org_in(o: _In | None) -> Organization | None:
    if o is None:
        return None
    return Organization(
        organ_id=o.text("organ_id"),
        organization_in_charge=o.text("organization_in_charge"),
        organ_name=o.text("organ_name"),
        organ_add=o.text("organ_add"),
        email=o.text("email"),
        telephone=o.text("telephone"),
        fax=o.text("fax"),
        website=o.text("website"),
        extensions=o.ext(),
    )


def _response_in(o: _In) -> ResponseFor:
    return ResponseFor(
        organ_id=o.text("organ_id"),
        code=o.text("code"),
        promulgation_date=o.date("promulgation_date"),
        document_id=o.text("document_id"),
        extensions=o.ext(),
    )


def _staff_in(o: _In | None) -> StaffInfo | None:
    if o is None:
        return None
    return StaffInfo(
        department=o.text("department"),
        staff=o.text("staff"),
        mobile=o.text("mobile"),
        email=o.text("email"),
        extensions=o.ext(),
    )


def _reference_in(o: _In) -> ManifestReference:
    return ManifestReference(
        content_id=o.text("content_id"),
        name=o.text("name"),
        content_type=o.text("content_type"),
        description=o.text("description"),
        xlink=o.pairs("xlink"),
        extensions=o.ext(),
    )


def _business_in(o: _In | None) -> Business | None:
    if o is None:
        return None
    info = o.obj("document_info")
    return Business(
        doc_type=o.integer("doc_type"),
        reason=o.text("reason"),
        document_id=o.text("document_id"),
        paper=o.integer("paper"),
        document_info=None
        if info is None
        else BusinessDocumentInfo(
            document_info=info.integer("document_info"),
            document_receiver=info.integer("document_receiver"),
            receivers=tuple(
                Receiver(
                    organ_id=r.text("organ_id"),
                    receiver_type=r.integer("receiver_type"),
                    extensions=r.ext(),
                )
                for r in info.objs("receivers")
            ),
            extensions=info.ext(),
        ),
        replacements=tuple(
            ReplacementInfo(
                document_id=r.text("document_id"), organ_ids=r.strs("organ_ids"), extensions=r.ext()
            )
            for r in o.objs("replacements")
        ),
        staff=_staff_in(o.obj("staff")),
        extensions=o.ext(),
    )


def package_from_json(
    data: Mapping[str, Any],
    attachments: Mapping[str, AttachmentSource | str | Path] | None = None,
) -> Package:
    """Build a package from its JSON form.

    :param attachments: the data of each attachment, by attachment name (a source or a path).
        Every attachment the JSON lists must be given; a given name the JSON does not list is
        added as a new attachment, with its content type guessed from its extension.
    :raises MetadataError: the JSON is malformed or an attachment's data is missing.
    """
    root = _In(data)
    version = data.get("format", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT_VERSION:
        raise MetadataError(
            f"format {version!r} is not supported (this version reads up to {FORMAT_VERSION})",
            path="$.format",
        )
    files: dict[str, AttachmentSource] = {
        name: source if not isinstance(source, (str, Path)) else PathSource(Path(source))
        for name, source in (attachments or {}).items()
    }
    kind = root.text("kind")
    trace_headers = [
        TraceHeader(
            organ_id=t.text("organ_id"), timestamp=t.timestamp("timestamp"), extensions=t.ext()
        )
        for t in root.objs("trace")
    ]
    business = _business_in(root.obj("business"))
    attributes = root.pairs("trace_attributes")
    trace_ext = root.ext("trace_extensions")
    trace = None
    if (
        trace_headers
        or business
        or attributes
        or trace_ext
        or root.data.get("trace_attributes") is not None
    ):
        trace = TraceHeaderList(
            headers=tuple(trace_headers),
            business=business,
            attributes=attributes,
            extensions=trace_ext,
        )
    signature_xml = root.text("signature")
    signature = RawXml(signature_xml) if signature_xml else None
    structural = []
    for item in root.objs("structural_extensions"):
        parent = item.text("parent")
        xml = item.text("xml")
        if not parent or not xml:
            raise MetadataError(
                "each structural extension needs 'parent' and 'xml'", path=item.path
            )
        if parent not in _PARENTS:
            raise MetadataError(
                f"parent {parent!r} is not one of {', '.join(sorted(_PARENTS))}",
                path=f"{item.path}.parent",
            )
        structural.append((parent, RawXml(xml)))
    if kind == "status":
        status = root.obj("status") or _In({}, "$.status")
        responses = root.objs("response_for")
        if len(responses) > 1:
            raise MetadataError("a status package answers one document", path="$.response_for")
        return StatusPackage(
            from_=_org_in(root.obj("from")),
            response_for=_response_in(responses[0]) if responses else None,
            staff=_staff_in(status.obj("staff")),
            status_code=status.text("code"),
            description=status.text("description"),
            timestamp=status.timestamp("timestamp"),
            trace=trace,
            signature=signature,
            extensions=root.ext(),
            structural_extensions=tuple(structural),
        )
    if kind not in ("edoc", None):
        raise MetadataError(f"kind must be 'edoc' or 'status', not {kind!r}", path="$.kind")
    listed = []
    for att in root.objs("attachments"):
        name = att.text("name")
        if not name:
            raise MetadataError("an attachment needs a name", path=f"{att.path}.name")
        invalid = att.obj("invalid")
        if name not in files and invalid is not None:
            # a payload that was not valid base64 when read: kept as found (lenient writing)
            files[name] = InvalidPayload(
                invalid.text("reason") or "invalid payload",
                invalid.text("text"),
                invalid.text("rule") or "EDX301",
            )
        if name not in files:
            raise MetadataError(f"no data given for attachment {name!r}", path=att.path)
        ref = att.obj("reference")
        optional: dict[str, Any] = {}
        if att.text("content_id"):
            optional["content_id"] = att.text("content_id")
        listed.append(
            Attachment(
                name=name,
                content_type=att.text("content_type")
                or Attachment.from_bytes(name, b"").content_type,
                data=files.pop(name),
                description=att.text("description"),
                reference=_reference_in(ref) if ref else None,
                extensions=att.ext(),
                **optional,
            )
        )
    for name, source in files.items():
        listed.append(attrs.evolve(Attachment.from_bytes(name, b""), data=source))
    code = root.obj("code")
    promulgation = root.obj("promulgation")
    document_type = root.obj("document_type")
    signer = root.obj("signer")
    other = root.obj("other_info")
    return EdocPackage(
        from_=_org_in(root.obj("from")),
        to=tuple(o for o in (_org_in(x) for x in root.objs("to")) if o is not None),
        code=None
        if code is None
        else Code(
            number=code.text("number"), notation=code.text("notation"), extensions=code.ext()
        ),
        promulgation=None
        if promulgation is None
        else PromulgationInfo(
            date=promulgation.date("date"),
            place=promulgation.text("place"),
            extensions=promulgation.ext(),
        ),
        document_type=None
        if document_type is None
        else DocumentType(
            type=document_type.integer("type"),
            type_detail=document_type.integer("type_detail"),
            type_name=document_type.text("type_name"),
            extensions=document_type.ext(),
        ),
        subject=root.text("subject"),
        content=root.text("content"),
        signer=None
        if signer is None
        else SignerInfo(
            competence=signer.text("competence"),
            position=signer.text("position"),
            full_name=signer.text("full_name"),
            extensions=signer.ext(),
        ),
        due_date=root.date("due_date"),
        to_places=root.strs("to_places"),
        other_info=None
        if other is None
        else OtherInfo(
            priority=other.integer("priority"),
            sphere_of_promulgation=other.text("sphere_of_promulgation"),
            typer_notation=other.text("typer_notation"),
            promulgation_amount=other.integer("promulgation_amount"),
            page_amount=other.integer("page_amount"),
            direction=other.flag("direction"),
            appendixes=other.strs("appendixes"),
            extensions=other.ext(),
        ),
        response_for=tuple(_response_in(r) for r in root.objs("response_for")),
        steering_type=root.integer("steering_type"),
        document_id=root.text("document_id"),
        trace=trace,
        signature=signature,
        attachments=tuple(listed),
        orphan_references=tuple(_reference_in(r) for r in root.objs("orphan_references")),
        manifest_version=root.text("manifest_version")
        if "manifest_version" in root.data
        else "1.0",
        extensions=root.ext(),
        structural_extensions=tuple(structural),
    )
