"""The tolerant reader: every package real producers emit, read into the models, with findings.

:func:`read` accepts a path, bytes or a binary stream and returns a :class:`ReadResult`: the
package, and a finding for everything that was off (prefixes and element order are never off;
the quirks of edXML §15.1 are warnings; values that cannot be right are errors). A file that
cannot be read at all raises :class:`~vbdt_exchange.errors.EnvelopeReadError` naming the defect,
its line and column; ``recover=True`` reads the two kinds of broken files seen in the wild
(bytes before the XML declaration, an undeclared namespace prefix) and reports the repair.

Attachments are never held in memory: their base64 text is decoded while the file is scanned
into spool files, and each attachment's ``data`` reads from there. The spool files are removed
when the last object that can reach them is gone, or at once with :meth:`ReadResult.close`.
"""

from __future__ import annotations

import binascii
import datetime
import functools
import hashlib
import io
import itertools
import logging
import os
import re
import shutil
import tempfile
import unicodedata
import weakref
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import attrs
from lxml import etree

from vbdt_exchange import _xml
from vbdt_exchange.catalog import document_id as document_ids
from vbdt_exchange.catalog import organ_id as organ_ids
from vbdt_exchange.envelope import _scan
from vbdt_exchange.envelope._values import (
    KNOWN_STATUS_CODES,
    DateProblem,
    parse_date,
    parse_timestamp,
)
from vbdt_exchange.envelope.limits import Limits
from vbdt_exchange.envelope.models import (
    NS,
    Attachment,
    Business,
    BusinessDocumentInfo,
    Code,
    DateValue,
    DocumentType,
    EdocPackage,
    IntValue,
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
    TimestampValue,
    TraceHeader,
    TraceHeaderList,
)
from vbdt_exchange.envelope.rules import RULES, finding
from vbdt_exchange.envelope.sources import AttachmentSource, BytesSource, InvalidPayload
from vbdt_exchange.errors import AttachmentError, EnvelopeReadError, ResourceLimitError
from vbdt_exchange.findings import Finding, FindingsView, Severity

__all__ = ["ReadOptions", "ReadResult", "Source", "read"]

log = logging.getLogger(__name__)

DSIG = "http://www.w3.org/2000/09/xmldsig#"
XLINK = "http://www.w3.org/1999/xlink"
Source = str | Path | bytes | bytearray | memoryview | BinaryIO
"""What :func:`read` accepts: a path, the bytes of a package, or a binary stream."""

_ZIP_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/x-zip", "multipart/x-zip"}
)
_UUID_ENTRY = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.[A-Za-z0-9]+$"
)
_BINARY_TYPES = (
    "application/pdf",
    "application/zip",
    "application/vnd.",
    "application/msword",
    "application/doc",
    "application/xls",
    "application/octet-stream",
    "image/",
)
_FFFD_THRESHOLD = 16
_FFFD_WINDOW = 8 * 1024 * 1024  # a file mangled by a text decoding shows U+FFFD from the start
_WELL_KNOWN_PREFIXES = {
    "xlink": XLINK,
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "ds": DSIG,
    "edXML": NS,
}

# Standard child order of each element (edXML §4, §7, §12; the numbering of the standard).
ORDER: dict[str, tuple[str, ...]] = {
    "edoc": (
        "From",
        "To",
        "Code",
        "PromulgationInfo",
        "DocumentType",
        "Subject",
        "Content",
        "SignerInfo",
        "DueDate",
        "ToPlaces",
        "OtherInfo",
        "ResponseFor",
        "SteeringType",
        "DocumentId",
    ),
    "status": ("From", "ResponseFor", "StaffInfo", "StatusCode", "Description", "Timestamp"),
    "Organization": (
        "OrganId",
        "OrganizationInCharge",
        "OrganName",
        "OrganAdd",
        "Email",
        "Telephone",
        "Fax",
        "Website",
    ),
    "OtherInfo": (
        "Priority",
        "SphereOfPromulgation",
        "TyperNotation",
        "PromulgationAmount",
        "PageAmount",
        "Direction",
        "Appendixes",
    ),
    "Bussiness": (
        "BussinessDocType",
        "BussinessDocReason",
        "BussinessDocumentInfo",
        "DocumentId",
        "StaffInfo",
        "Paper",
        "ReplacementInfoList",
    ),
    "StaffInfo": ("Department", "Staff", "Mobile", "Email"),
}


@attrs.frozen
class ReadOptions:
    """How tolerant the reader is, and the resource bounds it applies.

    :ivar recover: read files that are not well-formed in the two ways seen in the wild (bytes
        before the XML declaration; an undeclared namespace prefix), and as a last resort with
        libxml2's recovery parser. Every repair is reported (``EDX002``, ``EDX003``, ``EDX007``).
    :ivar foreign_namespaces: read elements in no namespace or in the legacy namespaces
        (``http://www.e-doc.vn/Schema/``, ...) as edXML, with warning ``EDX102``.
    :ivar unwrap_sdk_zip: give the file inside the official SDK's single-entry ZIP wrapper
        (edXML §9.3) rather than the wrapper.
    :ivar limits: :class:`~vbdt_exchange.envelope.limits.Limits`.
    """

    recover: bool = False
    foreign_namespaces: bool = False
    unwrap_sdk_zip: bool = True
    limits: Limits = attrs.field(factory=Limits)


class _Spool:
    """Owns the spool files of one read; removed when nothing references it any more."""

    def __init__(self, directory: Path | None) -> None:
        if directory is None:
            self.path = Path(tempfile.mkdtemp(prefix="vbdt-spool-"))
            self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, True)
        else:
            self.path = Path(directory)
            self.path.mkdir(parents=True, exist_ok=True)
            self._files: list[Path] = []
            self._finalizer = weakref.finalize(self, _remove_files, self._files)  # type: ignore[arg-type]

    def track(self, path: Path) -> None:
        if hasattr(self, "_files"):
            self._files.append(path)

    def close(self) -> None:
        self._finalizer()


def _remove_files(files: list[Path]) -> None:
    for path in files:
        path.unlink(missing_ok=True)


@attrs.frozen
class SpooledSource:
    """A decoded attachment in a spool file (what :func:`read` gives for each attachment)."""

    path: Path
    known_size: int
    known_sha256: str
    _spool: _Spool = attrs.field(repr=False, alias="spool")

    def open(self) -> BinaryIO:
        try:
            return open(self.path, "rb")
        except FileNotFoundError:
            raise AttachmentError(
                f"the spooled data at {self.path} is gone: the ReadResult it came from was "
                "closed (read the attachments before closing it)"
            ) from None

    @property
    def size(self) -> int:
        return self.known_size

    def sha256(self) -> str:
        return self.known_sha256


@attrs.frozen
class ReadResult(FindingsView):
    """What :func:`read` returns: the package and everything noticed while reading it.

    ``lines`` maps element paths (``/edXML/edXMLEnvelope/.../To[2]/OrganId``) to their line in
    the original file. Use as a context manager, or call :meth:`close`, to remove the spool
    files at once; otherwise they go when the package is garbage-collected.
    """

    package: Package
    findings: tuple[Finding, ...]
    lines: Mapping[str, int] = attrs.field(factory=dict, repr=False)
    _spool: _Spool | None = attrs.field(default=None, repr=False, alias="spool")

    def raise_for_errors(self) -> ReadResult:
        """Raise :class:`~vbdt_exchange.errors.EnvelopeValidationError` if any finding is an
        error; return ``self`` otherwise."""
        from vbdt_exchange.errors import EnvelopeValidationError

        if self.errors:
            raise EnvelopeValidationError(self.errors)
        return self

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()

    def __enter__(self) -> ReadResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read(
    source: Source,
    *,
    recover: bool | None = None,
    options: ReadOptions | None = None,
    spool_dir: str | Path | None = None,
) -> ReadResult:
    """Read an edXML package (edoc or status) tolerantly.

    :param source: a path, the package's bytes, or a binary stream.
    :param recover: shorthand for ``options.recover``.
    :param options: :class:`ReadOptions`.
    :param spool_dir: where decoded attachments are written (default: a private temporary
        directory). Giving the destination's directory lets a caller move files instead of
        copying them.
    :raises EnvelopeReadError: the file cannot be read (with rule id, line and column).
    """
    options = options or ReadOptions()
    if recover is not None:
        options = attrs.evolve(options, recover=recover)
    spool = _Spool(Path(spool_dir) if spool_dir is not None else None)
    try:
        with _open(source) as stream:
            scan = _scan.scan(
                stream, limits=options.limits, recover=options.recover, spool_dir=spool.path
            )
        for payload in scan.payloads:
            if payload.path is not None:
                spool.track(payload.path)
        result = _Reader(scan, options, spool).read()
    except BaseException:
        spool.close()
        raise
    log.debug(
        "read a %s package (%d bytes): %d attachment(s), %d finding(s)",
        result.package.kind,
        scan.total_bytes,
        len(getattr(result.package, "attachments", ())),
        len(result.findings),
    )
    return result


def _read_scanned(scan: _scan.ScanResult, options: ReadOptions, spool: _Spool) -> ReadResult:
    """Read the package of an existing scan result (internal: :mod:`vbdt_exchange.signature.xml`
    digests a scan and must read the package from exactly those bytes, never re-read them)."""
    return _Reader(scan, options, spool).read()


def _open(source: Source) -> BinaryIO:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    if isinstance(source, (str, Path)):
        try:
            return open(source, "rb")
        except OSError as exc:
            rule = RULES["EDX008"]
            details = {"path": str(source), "reason": exc.strerror or str(exc)}
            raise EnvelopeReadError(
                rule.en.format(**details), rule="EDX008", message_vi=rule.vi.format(**details)
            ) from None
    return _Borrowed(source)  # type: ignore[return-value]


class _Borrowed(io.RawIOBase):
    """Wrap a caller's stream so that leaving ``with`` does not close it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, n: int = -1) -> bytes:
        return self._stream.read(n)

    def readable(self) -> bool:
        return True


_T = TypeVar("_T")


class _Reader:
    def __init__(self, scan: _scan.ScanResult, options: ReadOptions, spool: _Spool) -> None:
        self.scan = scan
        self.options = options
        self.spool = spool
        self.findings: list[Finding] = []
        self.lines: dict[str, int] = {}
        self.payloads = {p.index: p for p in scan.payloads}
        self.attachment_count = 0

    # -- findings ------------------------------------------------------------------------------
    def note(
        self,
        rule_id: str,
        el: etree._Element | None = None,
        path: str | None = None,
        *,
        severity: Severity | None = None,
        **details: Any,
    ) -> None:
        line = self.scan.original_line(el.sourceline) if el is not None else None
        self.findings.append(finding(rule_id, path=path, line=line, severity=severity, **details))

    # -- parsing -------------------------------------------------------------------------------
    def parse(self) -> etree._Element:
        data = self.scan.skeleton
        if self.scan.stray_prefix:
            stray = self.scan.stray_prefix
            self.note(
                "EDX002",
                severity=Severity.WARNING,
                count=len(stray),
                preview=stray[:16].decode("latin-1"),
            )
            self.findings[-1] = attrs.evolve(self.findings[-1], line=1)
        if self.scan.transcoded_from:
            self.note("EDX006", encoding=self.scan.transcoded_from)
        else:
            decl = re.match(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)", data)
            if decl and decl.group(1).decode("ascii", "replace").upper().replace("_", "-") not in (
                "UTF-8",
                "UTF8",
            ):
                self.note("EDX006", encoding=decl.group(1).decode("ascii", "replace"))
        try:
            return _xml.parse(data)
        except EnvelopeReadError as parse_error:
            error = parse_error
        exc = self._mapped(error)
        if not self.options.recover:
            raise exc
        if error.rule == "EDX003":
            repaired, prefixes = _declare_prefixes(data)
            if prefixes:
                try:
                    root = _xml.parse(repaired)
                except EnvelopeReadError:
                    pass
                else:
                    self.findings.append(
                        finding(
                            "EDX003",
                            severity=Severity.WARNING,
                            line=exc.line,
                            prefix="', '".join(prefixes),
                        )
                    )
                    return root
        if isinstance(error, ResourceLimitError) or error.rule == "EDX004":
            raise exc
        root = _xml.parse(data, recover=True)
        bad = _qualify_undeclared(root)
        if bad is None:
            # what the recovery kept must write back as well-formed XML (a comment holding
            # "--" would not, for one), or nothing read from it could be written or checked
            try:
                _xml.parse(etree.tostring(root))
            except EnvelopeReadError as again:
                kept = again.message.split(": ", 1)[-1]
                bad = (f"what it kept ({kept})", again.line or root.sourceline)
        if bad is not None:  # what libxml2's recovery kept is not XML we can work with
            what, line = bad
            rule = RULES["EDX001"]
            detail = f"{what} is malformed (even in recovery mode)"
            raise EnvelopeReadError(
                rule.en.format(detail=detail),
                rule="EDX001",
                line=self.scan.original_line(line),
                message_vi=rule.vi.format(detail=detail),
            )
        self.note("EDX007", detail=exc.message)
        self.findings[-1] = attrs.evolve(self.findings[-1], line=exc.line)
        return root

    def _mapped(self, error: EnvelopeReadError) -> EnvelopeReadError:
        line = self.scan.original_line(error.line)
        if line == error.line:
            return error
        kind = type(error)
        return kind(
            error.message,
            rule=error.rule,
            path=error.path,
            line=line,
            column=error.column,
            message_vi=error.message_vi,
        )

    def check_bounds(self, root: etree._Element) -> None:
        bad = _bad_namespace(root)
        if bad is not None:
            rule = RULES["EDX001"]
            detail = f"{bad[0]} is not a valid URI"
            raise EnvelopeReadError(
                rule.en.format(detail=detail),
                rule="EDX001",
                line=self.scan.original_line(bad[1]),
                message_vi=rule.vi.format(detail=detail),
            )
        limits = self.options.limits
        depth = 0
        count = 0
        for event, el in etree.iterwalk(root, events=("start", "end")):
            if event == "end":
                depth -= 1
                continue
            depth += 1
            count += 1
            line = self.scan.original_line(el.sourceline)
            if depth > limits.max_depth:
                raise _scan.limit_error(
                    "the element nesting depth", "độ sâu lồng phần tử", limits.max_depth, line
                )
            if len(el.attrib) > limits.max_attributes or len(el.nsmap) > limits.max_attributes:
                raise _scan.limit_error(
                    "the attributes (or namespaces) of one element",
                    "số thuộc tính (hoặc không gian tên) của một phần tử",
                    limits.max_attributes,
                    line,
                )
            if count > limits.max_elements:
                raise _scan.limit_error(
                    "the number of elements", "số phần tử", limits.max_elements, line
                )

    # -- element helpers ---------------------------------------------------------------------------
    def ns_ok(self, el: etree._Element) -> bool:
        ns = etree.QName(el).namespace
        return ns == NS or (self.options.foreign_namespaces and ns != DSIG)

    def children(
        self,
        el: etree._Element,
        path: str,
        known: Mapping[str, bool],
        order: tuple[str, ...] | None = None,
    ) -> tuple[dict[str, list[tuple[etree._Element, str]]], tuple[RawXml, ...]]:
        """Known children by local name (with their paths), and the rest as extensions.

        ``known`` maps a local name to whether it may repeat.
        """
        found: dict[str, list[tuple[etree._Element, str]]] = {}
        extensions: list[RawXml] = []
        counts: dict[str, int] = {}
        kids = [k for k in el if isinstance(k.tag, str)]
        for kid in kids:
            counts[etree.QName(kid).localname] = counts.get(etree.QName(kid).localname, 0) + 1
        seen: dict[str, int] = {}
        sequence: list[str] = []
        for kid in kids:
            local = etree.QName(kid).localname
            seen[local] = seen.get(local, 0) + 1
            kid_path = f"{path}/{local}" + (f"[{seen[local]}]" if counts[local] > 1 else "")
            if kid.sourceline is not None:
                self.lines[kid_path] = self.scan.original_line(kid.sourceline) or 0
            if local in known and self.ns_ok(kid):
                if found.get(local) and not known[local]:
                    self.note("EDX105", kid, kid_path, name=local)
                    extensions.append(RawXml.from_element(kid))
                    continue
                found.setdefault(local, []).append((kid, kid_path))
                sequence.append(local)
                for key in kid.attrib:
                    if not _attribute_expected(local, str(key)):
                        self.note("EDX112", kid, kid_path, name=f"{local}/@{key}")
            else:
                self.note("EDX104", kid, kid_path, name=_display(kid))
                extensions.append(RawXml.from_element(kid))
        if el.text and el.text.strip():
            self.note("EDX111", el, path, text=el.text.strip()[:40], name=etree.QName(el).localname)
        if order and not _in_order(sequence, order):
            self.note("EDX106", el, path, name=etree.QName(el).localname)
        return found, tuple(extensions)

    def text(self, el: etree._Element | None, path: str | None) -> str | None:
        if el is None:
            return None
        if len(el) and any(isinstance(k.tag, str) for k in el):
            self.note("EDX111", el, path, text="<…>", name=etree.QName(el).localname)
        raw = el.text or ""
        # text split by comments (the annotated template) is joined
        raw += "".join(k.tail or "" for k in el if not isinstance(k.tag, str))
        value = unicodedata.normalize("NFC", raw.strip())
        if not value:
            self.note("EDX108", el, path, name=etree.QName(el).localname)
            return None
        if value != raw and raw.strip(" ") != raw.strip():
            self.note("EDX211", el, path, name=etree.QName(el).localname)
        return value

    def one(self, found: Mapping[str, list[tuple[etree._Element, str]]], name: str) -> str | None:
        items = found.get(name)
        if not items:
            return None
        return self.text(*items[0])

    def many(
        self, found: Mapping[str, list[tuple[etree._Element, str]]], name: str
    ) -> tuple[str, ...]:
        values = (self.text(el, p) for el, p in found.get(name, []))
        return tuple(v for v in values if v is not None)

    def elem(
        self,
        found: Mapping[str, list[tuple[etree._Element, str]]],
        name: str,
        build: Callable[[etree._Element, str], _T],
    ) -> _T | None:
        items = found.get(name)
        if not items:
            return None
        el, path = items[0]
        if not any(isinstance(k.tag, str) for k in el) and not (el.text or "").strip():
            self.note("EDX108", el, path, name=name)
            return None
        value = build(el, path)
        if _is_empty(value):
            return None  # only empty children (edXML Q9): absent
        return value

    def elem_at(
        self, el: etree._Element, path: str, build: Callable[[etree._Element, str], _T]
    ) -> _T | None:
        """Like :meth:`elem` for one element of a repeated list."""
        name = etree.QName(el).localname
        return self.elem({name: [(el, path)]}, name, build)

    # -- typed values ----------------------------------------------------------------------------
    def date(
        self,
        found: Mapping[str, list[tuple[etree._Element, str]]],
        name: str,
        *,
        reference: bool = False,
    ) -> DateValue | None:
        items = found.get(name)
        text = self.one(found, name)
        if text is None or not items:
            return None
        el, path = items[0]
        try:
            return parse_date(text)
        except DateProblem as problem:
            soft = Severity.WARNING if reference else None
            if problem.kind == "other-form" and problem.value is not None:
                self.note("EDX202", el, path, value=text, iso=problem.value.isoformat())
                return problem.value
            rule = "EDX203" if problem.kind == "impossible" else "EDX201"
            self.note(rule, el, path, severity=soft, value=text)
            return text

    def timestamp(
        self, found: Mapping[str, list[tuple[etree._Element, str]]], name: str
    ) -> TimestampValue | None:
        items = found.get(name)
        text = self.one(found, name)
        if text is None or not items:
            return None
        el, path = items[0]
        try:
            return parse_timestamp(text)
        except DateProblem as problem:
            if problem.kind == "other-form" and isinstance(problem.value, datetime.datetime):
                self.note("EDX213", el, path, value=text, iso=problem.value.isoformat())
                return problem.value
            self.note("EDX204" if problem.kind == "unreadable" else "EDX203", el, path, value=text)
            return text

    def integer(
        self,
        found: Mapping[str, list[tuple[etree._Element, str]]],
        name: str,
        known: tuple[int, ...] | None = None,
    ) -> IntValue | None:
        items = found.get(name)
        text = self.one(found, name)
        if text is None or not items:
            return None
        el, path = items[0]
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            self.note("EDX205", el, path, value=text)
            return text
        value = int(text)
        if known is not None and value not in known:
            self.note(
                "EDX212", el, path, name=name, value=text, known=", ".join(str(k) for k in known)
            )
        return value

    def boolean(
        self, found: Mapping[str, list[tuple[etree._Element, str]]], name: str
    ) -> bool | str | None:
        items = found.get(name)
        text = self.one(found, name)
        if text is None or not items:
            return None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        self.note("EDX206", items[0][0], items[0][1], value=text)
        return text

    def organ_id(
        self, found: Mapping[str, list[tuple[etree._Element, str]]], name: str = "OrganId"
    ) -> str | None:
        value = self.one(found, name)
        if value is not None and not organ_ids.is_valid(value):
            el, path = found[name][0]
            self.note("EDX209", el, path, value=value)
        return value

    def document_id(
        self, found: Mapping[str, list[tuple[etree._Element, str]]], name: str = "DocumentId"
    ) -> str | None:
        value = self.one(found, name)
        if value is not None and not document_ids.is_valid(value):
            el, path = found[name][0]
            self.note("EDX210", el, path, value=value)
        return value

    # -- the package ----------------------------------------------------------------------------
    def read(self) -> ReadResult:
        root = self.parse()
        self.check_bounds(root)
        qname = etree.QName(root)
        if qname.localname != "edXML" or (
            qname.namespace != NS and not self.options.foreign_namespaces
        ):
            found = (
                f"{{{qname.namespace}}}{qname.localname}" if qname.namespace else qname.localname
            )
            rule = RULES["EDX101"]
            raise EnvelopeReadError(
                rule.en.format(found=found, ns=NS)
                + (
                    ""
                    if qname.localname != "edXML"
                    else " (ReadOptions(foreign_namespaces=True) reads it anyway)"
                ),
                rule="EDX101",
                line=self.scan.original_line(root.sourceline),
                message_vi=rule.vi.format(found=found, ns=NS),
            )
        if qname.namespace != NS:
            self.note("EDX102", root, "/edXML", found=qname.namespace or "")
        self.lines["/edXML"] = self.scan.original_line(root.sourceline) or 1
        structural: list[tuple[str, RawXml]] = []
        top, extra = self.children(
            root, "/edXML", {"edXMLEnvelope": False, "AttachmentEncoded": False}
        )
        structural += [("edXML", x) for x in extra]
        envelope = top.get("edXMLEnvelope")
        if not envelope:
            rule = RULES["EDX103"]
            raise EnvelopeReadError(
                rule.en.format(name="edXMLEnvelope"),
                rule="EDX103",
                line=self.scan.original_line(root.sourceline),
                message_vi=rule.vi.format(name="edXMLEnvelope"),
            )
        env_el, env_path = envelope[0]
        env, extra = self.children(env_el, env_path, {"edXMLHeader": False, "edXMLBody": False})
        structural += [("edXMLEnvelope", x) for x in extra]
        header = env.get("edXMLHeader")
        if not header:
            self._missing("edXMLHeader", env_el)
        head_el, head_path = header[0]  # type: ignore[index]
        head, extra = self.children(
            head_el,
            head_path,
            {"MessageHeader": False, "TraceHeaderList": False, "Signature": False},
        )
        signature = None
        for x in extra:
            if (
                x.local_name == "Signature"
                and x.tag == f"{{{DSIG}}}Signature"
                and signature is None
            ):
                signature = x
                self.findings.pop()  # not unknown: the XML-DSig signature
            else:
                structural.append(("edXMLHeader", x))
        if "Signature" in head:
            sig_el, sig_path = head["Signature"][0]
            self.note("EDX107", sig_el, sig_path)
            signature = RawXml.from_element(sig_el)
        message = head.get("MessageHeader")
        if not message:
            self._missing("MessageHeader", head_el)
        msg_el, msg_path = message[0]  # type: ignore[index]
        trace = self.elem(head, "TraceHeaderList", self.trace_list)
        is_status = any(
            isinstance(k.tag, str) and etree.QName(k).localname == "StatusCode" for k in msg_el
        ) and not any(isinstance(k.tag, str) and etree.QName(k).localname == "To" for k in msg_el)
        package: Package
        if is_status:
            package = self.status(msg_el, msg_path, trace, signature, structural)
            for name in ("edXMLBody", "AttachmentEncoded"):
                items = env.get(name) or top.get(name)
                if items:
                    el, path = items[0]
                    self.note("EDX405", el, path, kind="status", name=name)
                    parent = "edXMLEnvelope" if name == "edXMLBody" else "edXML"
                    structural.append((parent, RawXml.from_element(el)))
            package = attrs.evolve(package, structural_extensions=tuple(structural))
        else:
            package = self.edoc(msg_el, msg_path, trace, signature, env, top, structural)
            if trace is None or trace.business is None:
                self.note("EDX402", msg_el, msg_path)
        return ReadResult(package, tuple(self.findings), self.lines, spool=self.spool)

    def _missing(self, name: str, parent: etree._Element) -> None:
        rule = RULES["EDX103"]
        raise EnvelopeReadError(
            rule.en.format(name=name),
            rule="EDX103",
            line=self.scan.original_line(parent.sourceline),
            message_vi=rule.vi.format(name=name),
        )

    def organization(self, el: etree._Element, path: str) -> Organization:
        known = dict.fromkeys(ORDER["Organization"], False)
        found, extensions = self.children(el, path, known, ORDER["Organization"])
        return Organization(
            organ_id=self.organ_id(found),
            organization_in_charge=self.one(found, "OrganizationInCharge"),
            organ_name=self.one(found, "OrganName"),
            organ_add=self.one(found, "OrganAdd"),
            email=self.one(found, "Email"),
            telephone=self.one(found, "Telephone"),
            fax=self.one(found, "Fax"),
            website=self.one(found, "Website"),
            extensions=extensions,
        )

    def response_for(self, el: etree._Element, path: str) -> ResponseFor | None:
        found, extensions = self.children(
            el, path, dict.fromkeys(("OrganId", "Code", "PromulgationDate", "DocumentId"), False)
        )
        value = ResponseFor(
            organ_id=self.organ_id(found),
            code=self.one(found, "Code"),
            promulgation_date=self.date(found, "PromulgationDate", reference=True),
            document_id=self.document_id(found),
            extensions=extensions,
        )
        if _is_empty(value):
            return None  # <ResponseFor> with empty children: absent (edXML Q9)
        return value

    def staff(self, el: etree._Element, path: str) -> StaffInfo | None:
        found, extensions = self.children(
            el, path, dict.fromkeys(ORDER["StaffInfo"], False), ORDER["StaffInfo"]
        )
        value = StaffInfo(
            department=self.one(found, "Department"),
            staff=self.one(found, "Staff"),
            mobile=self.one(found, "Mobile"),
            email=self.one(found, "Email"),
            extensions=extensions,
        )
        return None if _is_empty(value) else value

    def trace_list(self, el: etree._Element, path: str) -> TraceHeaderList:
        found, extensions = self.children(
            el, path, {"TraceHeader": True, "Bussiness": False, "Business": False}
        )
        headers = []
        for th_el, th_path in found.get("TraceHeader", []):
            th, th_ext = self.children(th_el, th_path, {"OrganId": False, "Timestamp": False})
            organ = self.one(th, "OrganId")
            if organ is None or organ.lower() == "null":
                self.note("EDX110", th_el, th_path, found="missing" if organ is None else organ)
            elif not organ_ids.is_valid(organ):
                self.note("EDX209", th["OrganId"][0][0], th["OrganId"][0][1], value=organ)
            headers.append(
                TraceHeader(
                    organ_id=organ, timestamp=self.timestamp(th, "Timestamp"), extensions=th_ext
                )
            )
        business = None
        if "Bussiness" in found:
            business = self.elem(found, "Bussiness", self.business)
        elif "Business" in found:
            b_el, b_path = found["Business"][0]
            self.note("EDX109", b_el, b_path, name="Business")
            business = self.business(b_el, b_path)
        attributes = tuple((str(k), str(v)) for k, v in el.attrib.items())
        return TraceHeaderList(
            headers=tuple(headers), business=business, attributes=attributes, extensions=extensions
        )

    def business(self, el: etree._Element, path: str) -> Business:
        names = ORDER["Bussiness"]
        known = dict.fromkeys(names, False)
        known.update(dict.fromkeys((n.replace("Bussiness", "Business") for n in names), False))
        found, extensions = self.children(el, path, known, names)
        for name in list(found):
            if name.startswith("Business"):
                self.note("EDX109", found[name][0][0], found[name][0][1], name=name)
                found.setdefault(name.replace("Business", "Bussiness"), found.pop(name))
        info = self.elem(found, "BussinessDocumentInfo", self.document_info)
        replacements: tuple[ReplacementInfo, ...] = ()
        items = found.get("ReplacementInfoList")
        if items:
            replacements, extra = self.replacements(*items[0])
            extensions += extra
        return Business(
            doc_type=self.integer(found, "BussinessDocType", (0, 1, 2, 3)),
            reason=self.one(found, "BussinessDocReason"),
            document_info=info,
            document_id=self.document_id(found),
            staff=self.elem(found, "StaffInfo", self.staff),
            paper=self.integer(found, "Paper"),
            replacements=replacements,
            extensions=extensions,
        )

    def document_info(self, el: etree._Element, path: str) -> BusinessDocumentInfo:
        found, extensions = self.children(
            el, path, {"DocumentInfo": False, "DocumentReceiver": False, "ReceiverList": False}
        )
        receivers = []
        for rl_el, rl_path in found.get("ReceiverList", [])[:1]:
            rl, extra = self.children(rl_el, rl_path, {"Receiver": True})
            extensions += extra  # unknown children of the list: kept on its owner
            for r_el, r_path in rl.get("Receiver", []):
                r, r_ext = self.children(r_el, r_path, {"OrganId": False, "ReceiverType": False})
                receivers.append(
                    Receiver(
                        organ_id=self.organ_id(r),
                        receiver_type=self.integer(r, "ReceiverType", (0, 1)),
                        extensions=r_ext,
                    )
                )
        return BusinessDocumentInfo(
            document_info=self.integer(found, "DocumentInfo", (0, 1)),
            document_receiver=self.integer(found, "DocumentReceiver", (0, 1)),
            receivers=tuple(receivers),
            extensions=extensions,
        )

    def replacements(
        self, el: etree._Element, path: str
    ) -> tuple[tuple[ReplacementInfo, ...], tuple[RawXml, ...]]:
        """The replacements, and unknown children of the list (kept on the Bussiness block)."""
        found, list_extensions = self.children(el, path, {"ReplacementInfo": True})
        result = []
        for r_el, r_path in found.get("ReplacementInfo", []):
            r, extensions = self.children(r_el, r_path, {"DocumentId": False, "OrganIdList": False})
            organs: tuple[str, ...] = ()
            for ol_el, ol_path in r.get("OrganIdList", [])[:1]:
                ol, extra = self.children(ol_el, ol_path, {"OrganId": True})
                extensions += extra
                organs = self.many(ol, "OrganId")
            result.append(
                ReplacementInfo(
                    document_id=self.document_id(r), organ_ids=organs, extensions=extensions
                )
            )
        return tuple(result), list_extensions

    def status(
        self,
        el: etree._Element,
        path: str,
        trace: TraceHeaderList | None,
        signature: RawXml | None,
        structural: list[tuple[str, RawXml]],
    ) -> StatusPackage:
        order = ORDER["status"]
        found, extensions = self.children(el, path, dict.fromkeys(order, False), order)
        code = self.one(found, "StatusCode")
        if code is not None:
            code_el, code_path = found["StatusCode"][0]
            if not re.fullmatch(r"\d{2}", code):
                self.note("EDX207", code_el, code_path, value=code)
            elif code not in KNOWN_STATUS_CODES:
                self.note("EDX208", code_el, code_path, value=code)
        return StatusPackage(
            from_=self.elem(found, "From", self.organization),
            response_for=self.elem(found, "ResponseFor", self.response_for),
            staff=self.elem(found, "StaffInfo", self.staff),
            status_code=code,
            description=self.one(found, "Description"),
            timestamp=self.timestamp(found, "Timestamp"),
            trace=trace,
            signature=signature,
            extensions=extensions,
            structural_extensions=tuple(structural),
        )

    def edoc(
        self,
        el: etree._Element,
        path: str,
        trace: TraceHeaderList | None,
        signature: RawXml | None,
        env: Mapping[str, list[tuple[etree._Element, str]]],
        top: Mapping[str, list[tuple[etree._Element, str]]],
        structural: list[tuple[str, RawXml]],
    ) -> EdocPackage:
        order = ORDER["edoc"]
        known = dict.fromkeys(order, False)
        known.update(To=True, ResponseFor=True)
        found, extensions = self.children(el, path, known, order)
        code = self.elem(found, "Code", self.code)
        promulgation = self.elem(found, "PromulgationInfo", self.promulgation)
        to_places: tuple[str, ...] = ()
        items = found.get("ToPlaces")
        if items:
            tp, extra = self.children(items[0][0], items[0][1], {"Place": True})
            extensions += extra  # unknown children of the list: kept on the MessageHeader
            to_places = self.many(tp, "Place")
        responses = tuple(
            r
            for r in (self.response_for(e, p) for e, p in found.get("ResponseFor", []))
            if r is not None
        )
        attachments, orphans, manifest_version = self.attachments(env, top, structural)
        return EdocPackage(
            from_=self.elem(found, "From", self.organization),
            to=tuple(
                o
                for o in (self.elem_at(e, p, self.organization) for e, p in found.get("To", []))
                if o is not None
            ),
            code=code,
            promulgation=promulgation,
            document_type=self.elem(found, "DocumentType", self.document_type),
            subject=self.one(found, "Subject"),
            content=self.one(found, "Content"),
            signer=self.elem(found, "SignerInfo", self.signer),
            due_date=self.date(found, "DueDate"),
            to_places=to_places,
            other_info=self.elem(found, "OtherInfo", self.other_info),
            response_for=responses,
            steering_type=self.integer(found, "SteeringType", (0, 1, 2, 3)),
            document_id=self.document_id(found),
            trace=trace,
            signature=signature,
            attachments=attachments,
            orphan_references=orphans,
            manifest_version=manifest_version,
            extensions=extensions,
            structural_extensions=tuple(structural),
        )

    def code(self, el: etree._Element, path: str) -> Code:
        found, extensions = self.children(el, path, {"CodeNumber": False, "CodeNotation": False})
        return Code(
            number=self.one(found, "CodeNumber"),
            notation=self.one(found, "CodeNotation"),
            extensions=extensions,
        )

    def promulgation(self, el: etree._Element, path: str) -> PromulgationInfo:
        found, extensions = self.children(el, path, {"Place": False, "PromulgationDate": False})
        return PromulgationInfo(
            date=self.date(found, "PromulgationDate"),
            place=self.one(found, "Place"),
            extensions=extensions,
        )

    def document_type(self, el: etree._Element, path: str) -> DocumentType:
        found, extensions = self.children(
            el, path, {"Type": False, "TypeDetail": False, "TypeName": False}
        )
        return DocumentType(
            type=self.integer(found, "Type"),
            type_detail=self.integer(found, "TypeDetail"),
            type_name=self.one(found, "TypeName"),
            extensions=extensions,
        )

    def signer(self, el: etree._Element, path: str) -> SignerInfo:
        found, extensions = self.children(
            el, path, {"Competence": False, "Position": False, "FullName": False}
        )
        return SignerInfo(
            competence=self.one(found, "Competence"),
            position=self.one(found, "Position"),
            full_name=self.one(found, "FullName"),
            extensions=extensions,
        )

    def other_info(self, el: etree._Element, path: str) -> OtherInfo:
        order = ORDER["OtherInfo"]
        found, extensions = self.children(el, path, dict.fromkeys(order, False), order)
        appendixes: tuple[str, ...] = ()
        items = found.get("Appendixes")
        if items:
            ap, extra = self.children(items[0][0], items[0][1], {"Appendix": True})
            extensions += extra  # unknown children of the list: kept on OtherInfo
            appendixes = self.many(ap, "Appendix")
        return OtherInfo(
            priority=self.integer(found, "Priority", (0, 1, 2, 3, 4)),
            sphere_of_promulgation=self.one(found, "SphereOfPromulgation"),
            typer_notation=self.one(found, "TyperNotation"),
            promulgation_amount=self.integer(found, "PromulgationAmount"),
            page_amount=self.integer(found, "PageAmount"),
            direction=self.boolean(found, "Direction"),
            appendixes=appendixes,
            extensions=extensions,
        )

    # -- attachments -----------------------------------------------------------------------------
    def attachments(
        self,
        env: Mapping[str, list[tuple[etree._Element, str]]],
        top: Mapping[str, list[tuple[etree._Element, str]]],
        structural: list[tuple[str, RawXml]],
    ) -> tuple[tuple[Attachment, ...], tuple[ManifestReference, ...], str | None]:
        references: list[tuple[ManifestReference, etree._Element, str]] = []
        manifest_version: str | None = None
        for body_el, body_path in env.get("edXMLBody", [])[:1]:
            body, extra = self.children(body_el, body_path, {"edXMLManifest": False})
            structural += [("edXMLBody", x) for x in extra]
            for man_el, man_path in body.get("edXMLManifest", [])[:1]:
                manifest_version = man_el.get("version")
                man, extra = self.children(man_el, man_path, {"Reference": True})
                structural += [("edXMLManifest", x) for x in extra]
                for ref_el, ref_path in man.get("Reference", []):
                    references.append((self.reference(ref_el, ref_path), ref_el, ref_path))
        by_token: dict[str, tuple[ManifestReference, etree._Element, str]] = {}
        for ref, ref_el, ref_path in references:
            if ref.content_id is not None:
                by_token.setdefault(ref.content_id.casefold(), (ref, ref_el, ref_path))
        attachments: list[Attachment] = []
        used: set[str] = set()
        for enc_el, enc_path in top.get("AttachmentEncoded", [])[:1]:
            enc, extra = self.children(enc_el, enc_path, {"Attachment": True})
            structural += [("AttachmentEncoded", x) for x in extra]
            for att_el, att_path in enc.get("Attachment", []):
                attachment = self.attachment(att_el, att_path, by_token)
                key = attachment.content_id.casefold()
                if key in used:
                    self.note("EDX307", att_el, att_path, content_id=attachment.content_id)
                used.add(key)
                attachments.append(attachment)
        orphans = []
        for ref, ref_el, ref_path in references:
            if ref.content_id is None or ref.content_id.casefold() not in used:
                self.note("EDX305", ref_el, ref_path, content_id=ref.content_id or "")
                orphans.append(ref)
        return tuple(attachments), tuple(orphans), manifest_version

    def content_id(self, found: Mapping[str, list[tuple[etree._Element, str]]]) -> str | None:
        value = self.one(found, "ContentId")
        if value is None:
            return None
        token = re.sub(r"^cid:", "", value, flags=re.IGNORECASE).strip()
        return token or None

    def reference(self, el: etree._Element, path: str) -> ManifestReference:
        names = ("ContentId", "ContentType", "Description", "AttachmentName")
        found, extensions = self.children(el, path, dict.fromkeys(names, False))
        raw_cid = self.one(found, "ContentId")
        if raw_cid is not None and not raw_cid.lower().startswith("cid:"):
            self.note(
                "EDX308",
                found["ContentId"][0][0],
                found["ContentId"][0][1],
                value=raw_cid,
                detail="has no 'cid:' prefix",
                detail_vi="thiếu tiền tố 'cid:'",
            )
        xlink = tuple(
            (etree.QName(k).localname, str(v))
            for k, v in el.attrib.items()
            if etree.QName(k).namespace == XLINK
        )
        return ManifestReference(
            content_id=self.content_id(found),
            name=self.one(found, "AttachmentName"),
            content_type=self.one(found, "ContentType"),
            description=self.one(found, "Description"),
            xlink=xlink,
            extensions=extensions,
        )

    def attachment(
        self,
        el: etree._Element,
        path: str,
        references: Mapping[str, tuple[ManifestReference, etree._Element, str]],
    ) -> Attachment:
        names = (
            "ContentId",
            "AttachmentName",
            "Description",
            "ContentType",
            "ContentTransferEncoded",
        )
        found, extensions = self.children(el, path, dict.fromkeys(names, False))
        self.attachment_count += 1
        token = self.content_id(found)
        if token is None:
            self.note("EDX311", el, path, name="ContentId")
        name = self.one(found, "AttachmentName")
        declared_type = self.one(found, "ContentType")
        description = self.one(found, "Description")
        ref_entry = references.get(token.casefold()) if token else None
        ref = ref_entry[0] if ref_entry else None
        if name is None:
            self.note("EDX311", el, path, name="AttachmentName")
            name = (ref.name if ref else None) or token or "attachment"
        if name != Path(name).name or "\\" in name or name in (".", ".."):
            self.note("EDX312", el, path, value=name)
        if ref is None and token is not None:
            self.note("EDX306", el, path, content_id=token)
        data, wrapped = self.payload(found, name, declared_type)
        sdk_zipped = wrapped is not None
        content_type = declared_type
        ref_type = ref.content_type if ref else None
        if sdk_zipped or content_type is None:
            if ref_type and ref_type.lower() not in _ZIP_TYPES:
                content_type = ref_type
            else:
                content_type = _guess(name)
        if sdk_zipped and declared_type and declared_type.lower() not in _ZIP_TYPES:
            cte = found["ContentTransferEncoded"][0]
            self.note("EDX303", cte[0], cte[1], name=name, content_type=declared_type)
        attachment = Attachment(
            name=name,
            content_type=content_type,
            data=data,
            content_id=token or f"missing-{self.attachment_count}",
            description=description,
            extensions=extensions,
            sdk_zipped=sdk_zipped,
            wrapped=wrapped,
        )
        if ref is not None:
            if sdk_zipped and (ref.content_type or "").lower() in _ZIP_TYPES:
                # "application/zip" in the manifest described the SDK's wrapper, not the file
                ref = attrs.evolve(ref, content_type=content_type)
            derived = ManifestReference(
                content_id=token, name=name, content_type=content_type, description=description
            )
            if ref != derived:
                attachment = attrs.evolve(attachment, reference=ref)
                for field, left, right in (
                    ("AttachmentName", ref.name, name),
                    ("ContentType", ref.content_type, content_type),
                    ("Description", ref.description, description),
                ):
                    if left != right:
                        assert ref_entry is not None
                        self.note(
                            "EDX309",
                            ref_entry[1],
                            ref_entry[2],
                            content_id=token,
                            field=field,
                            left=left,
                            right=right,
                        )
        return attachment

    def payload(
        self,
        found: Mapping[str, list[tuple[etree._Element, str]]],
        name: str,
        declared_type: str | None,
    ) -> tuple[AttachmentSource, AttachmentSource | None]:
        items = found.get("ContentTransferEncoded")
        if not items:
            self.note("EDX311", None, None, name="ContentTransferEncoded")
            return InvalidPayload(
                "the attachment has no ContentTransferEncoded", None, "EDX311"
            ), None
        el, path = items[0]
        text = el.text or ""
        index = _scan.payload_index(text, self.scan.marker_prefix)
        if any(isinstance(k.tag, str) for k in el):
            detail = "elements inside the payload"
            self.note("EDX301", el, path, name=name, detail=detail)
            return InvalidPayload(f"attachment {name!r}: {detail}", "".join(el.itertext())), None
        if index is not None:
            payload = self.payloads[index]
            if payload.error is not None or payload.path is None:
                detail = f"{payload.error} (too large to keep)"
                self.note("EDX301", el, path, name=name, detail=detail)
                return InvalidPayload(f"attachment {name!r}: {detail}"), None
            source: AttachmentSource = SpooledSource(
                payload.path, payload.size, payload.sha256, spool=self.spool
            )
        else:
            # not plain base64 in the file (CDATA, character references, or junk): decide now
            text = "".join(el.itertext())
            compact = re.sub(r"[ \t\r\n]", "", text)
            try:
                if len(compact) % 4 == 1:
                    raise binascii.Error("the base64 text is truncated")
                decoded = binascii.a2b_base64(compact + "=" * (-len(compact) % 4), strict_mode=True)
            except (binascii.Error, ValueError) as exc:
                reason = _scan._b64_reason(
                    compact.encode("utf-8", "replace"), binascii.Error(str(exc))
                )
                self.note("EDX301", el, path, name=name, detail=reason)
                return InvalidPayload(f"attachment {name!r}: {reason}", text), None
            source = BytesSource(decoded)
        wrapped: AttachmentSource | None = None
        if self.options.unwrap_sdk_zip and not name.lower().endswith(".zip"):
            unwrapped = self.unwrap(source, name, el, path)
            if unwrapped is not None:
                wrapped, source = source, unwrapped
        content_type = (declared_type or _guess(name) or "").lower()
        if content_type.startswith(_BINARY_TYPES):
            with source.open() as stream:
                fffd = stream.read(_FFFD_WINDOW).count(b"\xef\xbf\xbd")
            if fffd >= _FFFD_THRESHOLD:
                self.note("EDX310", el, path, name=name, content_type=content_type, count=fffd)
        return source, wrapped

    def unwrap(
        self, source: AttachmentSource, name: str, el: etree._Element, path: str
    ) -> AttachmentSource | None:
        """The file inside the official SDK's ZIP wrapper, or ``None`` if there is no wrapper."""
        with source.open() as stream:
            if stream.read(4) != b"PK\x03\x04":
                return None
        limits = self.options.limits
        try:
            with source.open() as stream, zipfile.ZipFile(stream) as archive:
                entries = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            return None  # bytes that merely start like a ZIP: not the SDK's wrapper
        if len(entries) != 1 or entries[0].is_dir() or not _UUID_ENTRY.match(entries[0].filename):
            return None  # a real ZIP (or DOCX, XLSX ...), not the SDK's wrapper
        try:
            with source.open() as stream, zipfile.ZipFile(stream) as archive:
                entry = archive.infolist()[0]
                if entry.flag_bits & 0x1:
                    raise _Refused("the entry is encrypted")
                if entry.file_size > limits.max_attachment_bytes:
                    raise _Refused(
                        f"it declares {entry.file_size} bytes, over the limit of "
                        f"{limits.max_attachment_bytes}"
                    )
                if (
                    entry.compress_size
                    and entry.file_size / entry.compress_size > limits.max_zip_ratio
                ):
                    raise _Refused(f"its compression ratio exceeds {limits.max_zip_ratio}")
                inner = self._inflate(archive, entry)
            self.note("EDX302", el, path, name=name)
            return inner
        except _Refused as refused:
            self.note("EDX304", el, path, name=name, detail=str(refused))
            return None
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            zlib.error,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
        ) as exc:
            self.note("EDX304", el, path, name=name, detail=f"the archive is damaged ({exc})")
            return None

    def _inflate(self, archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> AttachmentSource:
        limits = self.options.limits
        compressed = max(entry.compress_size, 1)
        fd, target = tempfile.mkstemp(prefix="unwrapped-", suffix=".bin", dir=self.spool.path)
        target_path = Path(target)
        self.spool.track(target_path)
        sha = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out, archive.open(entry) as inner:
            while chunk := inner.read(_scan.READ_SIZE):
                size += len(chunk)
                if size > limits.max_attachment_bytes or size / compressed > limits.max_zip_ratio:
                    out.close()
                    target_path.unlink(missing_ok=True)
                    raise _Refused(
                        f"it inflates past {size} bytes (limit "
                        f"{limits.max_attachment_bytes}, ratio {limits.max_zip_ratio})"
                    )
                sha.update(chunk)
                out.write(chunk)
        if size != entry.file_size:
            target_path.unlink(missing_ok=True)
            raise _Refused(f"it declares {entry.file_size} bytes but holds {size}")
        return SpooledSource(target_path, size, sha.hexdigest(), spool=self.spool)


class _Refused(Exception):
    pass


_UNDECLARED = "urn:vbdt-exchange:undeclared-prefix:"


_NCNAME = re.compile(r"^[^\W\d][\w.\-]*$")


def _qualified(name: str) -> str | None:
    """``name`` from a recovery parse as a valid Clark name, or ``None`` when it cannot be one.

    libxml2's recovery keeps an undeclared prefix inside the name (``foo:Note``, or
    ``{ns}foo:Note`` under a default namespace); such a prefix gets a namespace of its own.
    """
    namespace, local = "", name
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
    if ":" in local:
        prefix, _, local = local.partition(":")
        if not _NCNAME.match(prefix):
            return None
        namespace = _UNDECLARED + prefix
    if not _NCNAME.match(local) or not _uri_ok(namespace):
        return None
    return f"{{{namespace}}}{local}" if namespace else local


@functools.lru_cache(maxsize=256)
def _uri_ok(uri: str) -> bool:
    """Whether lxml accepts ``uri`` as a namespace (libxml2's parser lets bad ones through)."""
    if not uri:
        return True
    try:
        etree.Element(f"{{{uri}}}x")
    except ValueError:
        return False
    return True


def _bad_namespace(root: etree._Element) -> tuple[str, int | None] | None:
    """The first namespace declaration lxml cannot work with, and its line."""
    for el in root.iter():
        for uri in (el.nsmap or {}).values():
            if not _uri_ok(uri):
                return f"the namespace URI {uri!r}", el.sourceline
    return None


def _qualify_undeclared(root: etree._Element) -> tuple[str, int | None] | None:
    """Make every name of a recovered tree a valid QName (see :func:`_qualified`) and check
    every namespace in scope; return the first name that cannot be one, with its line."""
    for pi in list(root.iter(etree.ProcessingInstruction)):
        parent = pi.getparent()
        if str(getattr(pi, "target", "")).lower() == "xml" and parent is not None:
            # an XML declaration the recovery kept inside the document cannot be written back
            previous = pi.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + (pi.tail or "")
            else:
                parent.text = (parent.text or "") + (pi.tail or "")
            parent.remove(pi)
    for el in root.iter():
        if isinstance(el.tag, str):
            tag = _qualified(el.tag)
            if tag is None:
                return f"the name {el.tag!r}", el.sourceline
            if tag != el.tag:
                el.tag = tag
        for key in list(el.attrib):
            new = _qualified(str(key))
            if new is None:
                return f"the attribute name {str(key)!r}", el.sourceline
            if new != key:
                el.set(new, el.attrib.pop(key))
    return None


def _attribute_expected(element: str, key: str) -> bool:
    """Whether the reader keeps this attribute of a known element (others: EDX112)."""
    if element == "TraceHeaderList":
        return True  # id, version, and the SOAP-style mustUnderstand/actor: all kept
    if element == "Reference":
        return key.startswith(f"{{{XLINK}}}")
    if element == "edXMLManifest":
        return key == "version"
    return key.startswith("{http://www.w3.org/2001/XMLSchema-instance}")  # harmless


def _is_empty(value: object) -> bool:
    """Whether a model read from an element has no value at all (every field absent)."""
    if not attrs.has(type(value)):
        return False
    return all(getattr(value, f.name) in (None, ()) for f in attrs.fields(type(value)))  # type: ignore[arg-type]


def _guess(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def _display(el: etree._Element) -> str:
    q = etree.QName(el)
    return (
        q.localname
        if q.namespace == NS
        else f"{{{q.namespace}}}{q.localname}"
        if q.namespace
        else q.localname
    )


def _in_order(sequence: list[str], order: tuple[str, ...]) -> bool:
    rank = {name: i for i, name in enumerate(order)}
    ranks = [rank[n] for n in sequence if n in rank]
    return all(a <= b for a, b in itertools.pairwise(ranks))


def _declare_prefixes(data: bytes) -> tuple[bytes, list[str]]:
    """Declare the well-known prefixes used but not declared on the root start tag; return
    the repaired document and the prefixes declared (none: nothing to repair)."""
    text_match = re.search(rb"<(?![?!])[^\s/>]+", data)
    if not text_match:
        return data, []
    used = set(re.findall(rb"[\s<]([A-Za-z][\w.-]*):[A-Za-z_][\w.-]*\s*=", data))
    used |= set(re.findall(rb"</?([A-Za-z][\w.-]*):", data))
    root_tag = re.match(rb"<[^>]*>", data[text_match.start() :])
    declared = set(
        re.findall(rb"xmlns:([A-Za-z][\w.-]*)\s*=", root_tag.group(0) if root_tag else b"")
    )
    missing = sorted(p.decode() for p in used - declared if p.lower() not in (b"xml", b"xmlns"))
    if not missing:
        return data, []
    decls = "".join(f' xmlns:{p}="{_WELL_KNOWN_PREFIXES.get(p, _UNDECLARED + p)}"' for p in missing)
    end = text_match.end()
    return data[:end] + decls.encode() + data[end:], missing
