"""The conformance validator: ``validate(source) -> Report``.

Three layers of findings, each with a stable rule id (``docs/reference/rules.md``):

1. what the tolerant reader noticed (quirks as warnings, unreadable values as errors);
2. the published XSD (``schemas/edxml.xsd``), checked on the package *as the writer would emit
   it*: element order, prefixes and the Signature's namespace are the reader's business, so a
   package written by the official SDK (its own element order) is not an XSD error, while a
   missing mandatory element or a date with explanatory text in it is (rule ``EDX501``);
3. rules across fields: DocumentId consistent with From, PromulgationDate and Code; business
   blocks complete; due date after issue.

Identifier forms are warnings (``EDX209``, ``EDX210``): real axes accept identifiers in other
forms, so the XSD's patterns for them are reported through those rules, not as ``EDX501``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
from lxml import etree

from vbdt_exchange.catalog import document_id as document_ids
from vbdt_exchange.envelope._values import format_date
from vbdt_exchange.envelope.models import NS, EdocPackage, Package
from vbdt_exchange.envelope.reader import ReadOptions, ReadResult, Source, read
from vbdt_exchange.envelope.rules import finding
from vbdt_exchange.envelope.writer import build_tree
from vbdt_exchange.errors import EnvelopeError, EnvelopeReadError
from vbdt_exchange.findings import Finding, FindingsView, Severity

__all__ = ["Report", "validate"]

_PAYLOAD_MARK = "\ue000"
# Elements whose lexical form is reported by a warning rule rather than by the XSD.
_SOFT_PATTERNS = frozenset({"OrganId", "DocumentId"})


@attrs.frozen
class Report(FindingsView):
    """The result of :func:`validate`.

    :ivar readable: whether the file could be read at all (``False``: one error finding says why).
    :ivar findings: every finding, in document order within each layer.
    :ivar package: the package read, or ``None`` when unreadable.
    """

    source: str | None
    readable: bool
    findings: tuple[Finding, ...]
    package: Package | None = None
    read_result: ReadResult | None = attrs.field(default=None, repr=False, eq=False)

    @property
    def ok(self) -> bool:
        """Readable and without error findings (warnings do not count)."""
        return self.readable and not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "readable": self.readable,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }

    def close(self) -> None:
        if self.read_result is not None:
            self.read_result.close()

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def validate(
    source: Source,
    *,
    recover: bool = False,
    options: ReadOptions | None = None,
) -> Report:
    """Validate a package: reader findings, the XSD, and the rules across fields.

    Never raises for a bad package: an unreadable file gives a report with ``readable=False``.
    """
    name = str(source) if isinstance(source, (str, Path)) else None
    try:
        result = read(source, recover=recover, options=options)
    except EnvelopeReadError as exc:
        unreadable = Finding(
            rule=exc.rule or "EDX001",
            severity=Severity.ERROR,
            message=exc.message,
            message_vi=exc.message_vi or exc.message,
            path=exc.path,
            line=exc.line,
        )
        return Report(name, False, (unreadable,))
    findings = list(result.findings)
    try:
        findings += schema_findings(result)
        findings += semantic_findings(result)
    except EnvelopeError as exc:  # what was read (in recovery mode) cannot be normalised
        findings.append(finding("EDX501", reason=f"the package cannot be checked: {exc}"))
    return Report(name, True, tuple(findings), result.package, result)


def element_path(el: etree._Element) -> str:
    """``/edXML/edXMLEnvelope/...`` with ``[n]`` where siblings share a name (as the reader)."""
    parts = []
    node: etree._Element | None = el
    while node is not None:
        local = etree.QName(node).localname
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent if isinstance(s.tag, str) and s.tag == node.tag]
            if len(same) > 1:
                local += f"[{same.index(node) + 1}]"
        parts.append(local)
        node = parent
    return "/" + "/".join(reversed(parts))


def schema_findings(result: ReadResult) -> list[Finding]:
    """Check the package, as the writer would emit it, against the published XSD."""
    from vbdt_exchange._schemas import edxml_schema

    tree = build_tree(result.package, extensions=False)
    for el in tree.iter(f"{{{NS}}}ContentTransferEncoded"):
        if el.text and el.text.startswith(_PAYLOAD_MARK):
            el.text = None  # payloads were checked while scanning (EDX301)
    # Values the reader already judged: an error at that path, a date in a reference field
    # (a warning: never reject a package for a bad reference date, edXML §5), or a TraceHeader
    # without a usable OrganId (a known quirk, edXML Q8).
    reported = {
        f.path
        for f in result.findings
        if f.severity is Severity.ERROR or f.rule in ("EDX201", "EDX203", "EDX110")
    }
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for error in edxml_schema().iter_errors(tree):  # type: ignore[arg-type]  # lxml works
        elem = getattr(error, "elem", None)
        path = element_path(elem) if isinstance(elem, etree._Element) else None
        local = path.rsplit("/", 1)[-1].split("[")[0] if path else ""
        if local in _SOFT_PATTERNS and "pattern" in str(error.reason or ""):
            continue  # reported as EDX209/EDX210 warnings
        if path in reported:
            continue  # the reader already reported this value
        reason = _reason(error, local)
        if (path or "", reason) in seen:
            continue
        seen.add((path or "", reason))
        found.append(finding("EDX501", path=path, line=_line(result, path), reason=reason))
    return found


def _reason(error: Any, local: str) -> str:
    reason = str(error.reason or error.message or "invalid").strip().rstrip(".")
    reason = re.sub(r"'edXML:(\w+)'", r"'\1'", reason.replace(f"{{{NS}}}", ""))
    return f"{local}: {reason}" if local and not reason.startswith(local) else reason


def _line(result: ReadResult, path: str | None) -> int | None:
    while path:
        if path in result.lines:
            return result.lines[path]
        path = path.rsplit("/", 1)[0]
    return None


def semantic_findings(result: ReadResult) -> list[Finding]:
    """Rules across fields (``EDX4xx``)."""
    package = result.package
    found: list[Finding] = []
    if not isinstance(package, EdocPackage):
        return found
    header = "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader"

    def at(path: str) -> dict[str, Any]:
        return {"path": path, "line": _line(result, path)}

    if package.document_id and document_ids.is_valid(package.document_id):
        parts = document_ids.parse(package.document_id)
        checks: Iterable[tuple[str, str | None, str]] = (
            ("From/OrganId", package.from_.organ_id if package.from_ else None, parts.organ_id),
            (
                "PromulgationInfo/PromulgationDate",
                _date_text(package.promulgation.date if package.promulgation else None),
                parts.date,
            ),
            (
                "Code",
                package.code.full if package.code else None,
                f"{parts.number}/{parts.notation}",
            ),
        )
        for field, expected, actual in checks:
            if expected is not None and document_ids.compact(expected) != actual:
                found.append(
                    finding(
                        "EDX401",
                        **at(f"{header}/DocumentId"),
                        value=package.document_id,
                        field=field,
                        expected=expected,
                    )
                )
    business = package.business
    if business is not None:
        where = at("/edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness")
        needs = {
            1: ("DocumentId",),
            2: ("DocumentId", "BussinessDocumentInfo"),
            3: ("ReplacementInfoList",),
        }
        present = {
            "DocumentId": business.document_id is not None,
            "BussinessDocumentInfo": business.document_info is not None,
            "ReplacementInfoList": bool(business.replacements),
        }
        if isinstance(business.doc_type, int):
            for name in needs.get(business.doc_type, ()):
                if not present[name]:
                    found.append(finding("EDX403", **where, doc_type=business.doc_type, name=name))
    date = package.promulgation.date if package.promulgation else None
    if (
        isinstance(package.due_date, datetime.date)
        and isinstance(date, datetime.date)
        and package.due_date < date
    ):
        found.append(
            finding(
                "EDX404",
                **at(f"{header}/DueDate"),
                due=package.due_date.isoformat(),
                date=date.isoformat(),
            )
        )
    return found


def _date_text(value: object) -> str | None:
    if isinstance(value, datetime.date):
        return format_date(value)
    return value if isinstance(value, str) else None
