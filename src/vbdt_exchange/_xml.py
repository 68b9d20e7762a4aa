"""The one hardened XML parser of the library.

Every XML document that :mod:`vbdt_exchange` reads goes through :func:`parse`. The parser:

* never loads or validates against a DTD, never resolves entities, never touches the network;
* keeps libxml2's own size and depth limits (``huge_tree`` stays off: large attachments are
  split off before parsing, see :mod:`vbdt_exchange.envelope._scan`);
* refuses any ``<!DOCTYPE`` outright (edXML has no use for one), which also defeats
  "billion laughs" and external-entity attacks before libxml2 sees them;
* turns every libxml2 error into an :class:`~vbdt_exchange.errors.EnvelopeReadError` that names
  the defect, its line and its column.

A separate, explicit *recovery* parser (``recover=True``) exists for the tolerant reader's opt-in
recovery mode; it has the same safety settings.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from vbdt_exchange.envelope.rules import RULES
from vbdt_exchange.errors import EnvelopeReadError, ResourceLimitError, UnsafeXMLError

__all__ = ["make_parser", "parse"]

_local = threading.local()
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)")
#: Encodings a package may declare. Others (UTF-7, EBCDIC, ...) can hide markup from the
#: byte-level checks, so they are refused.
ALLOWED_ENCODINGS = frozenset(
    {
        "UTF-8",
        "UTF8",
        "US-ASCII",
        "ASCII",
        "ISO-8859-1",
        "LATIN1",
        "LATIN-1",
        "ISO-8859-15",
        "WINDOWS-1252",
        "CP1252",
        "WINDOWS-1258",
        "CP1258",
        "UTF-16",
        "UTF-16LE",
        "UTF-16BE",
    }
)


def make_parser(*, recover: bool = False) -> etree.XMLParser:
    """A new lxml parser with the library's safety settings."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=recover,
        remove_blank_text=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )


def _parser(recover: bool) -> etree.XMLParser:
    # lxml parsers are not thread-safe: keep one of each kind per thread.
    key = "recover" if recover else "strict"
    parser = getattr(_local, key, None)
    if parser is None:
        parser = make_parser(recover=recover)
        setattr(_local, key, parser)
    return parser


def refuse_doctype(data: bytes, *, line_of: int = 1) -> None:
    """Raise :class:`UnsafeXMLError` if ``data`` contains a document type declaration."""
    match = _DOCTYPE.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + line_of
        rule = RULES["EDX004"]
        raise UnsafeXMLError(rule.en, rule="EDX004", line=line, message_vi=rule.vi)


def parse(data: bytes, *, recover: bool = False) -> etree._Element:
    """Parse ``data`` with the hardened parser and return the root element.

    :raises UnsafeXMLError: the document declares a DTD.
    :raises ResourceLimitError: libxml2 refused it for depth or size.
    :raises EnvelopeReadError: it is not well-formed (rule ``EDX001``, with line and column).
    """
    refuse_doctype(data)
    declared = _DECLARED_ENCODING.match(data)
    if declared:
        encoding = declared.group(1).decode("ascii", "replace")
        if encoding.upper().replace("_", "-") not in ALLOWED_ENCODINGS:
            rule = RULES["EDX009"]
            raise UnsafeXMLError(
                rule.en.format(encoding=encoding),
                rule="EDX009",
                line=1,
                message_vi=rule.vi.format(encoding=encoding),
            )
    parser = _parser(recover)
    try:
        root: etree._Element | None = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _read_error(exc) from None
    if root is None:
        rule = RULES["EDX001"]
        raise EnvelopeReadError(
            rule.en.format(detail="no root element"),
            rule="EDX001",
            message_vi=rule.vi.format(detail="không có phần tử gốc"),
        )
    if root.getroottree().docinfo.internalDTD is not None:  # however it got past the scan
        rule = RULES["EDX004"]
        raise UnsafeXMLError(rule.en, rule="EDX004", message_vi=rule.vi)
    return root


def _read_error(exc: etree.XMLSyntaxError) -> EnvelopeReadError:
    msg = str(exc.msg or exc)
    # lxml appends ", line N, column M" to the message; the error carries them separately.
    detail = re.sub(r",? line \d+, column \d+.*$", "", msg.splitlines()[0] if msg else "").strip()
    line, column = exc.lineno, exc.position[1]
    if "Excessive depth" in detail or "huge" in detail.lower() or "too big" in detail.lower():
        rule = RULES["EDX005"]
        return ResourceLimitError(
            rule.en.format(what=f"the document ({detail})", limit="the parser's bound"),
            rule="EDX005",
            line=line,
            column=column,
            message_vi=rule.vi.format(
                what_vi=f"tài liệu ({detail})", limit="giới hạn của bộ phân tích"
            ),
        )
    if "entity" in detail.lower() and (
        "amplification" in detail.lower() or "loop" in detail.lower()
    ):
        rule = RULES["EDX004"]
        return UnsafeXMLError(rule.en, rule="EDX004", line=line, column=column, message_vi=rule.vi)
    prefix = re.match(r"Namespace prefix (\S+) (?:for \S+ )?on \S+ is not defined", detail)
    if prefix:
        rule = RULES["EDX003"]
        return EnvelopeReadError(
            rule.en.format(prefix=prefix.group(1)),
            rule="EDX003",
            line=line,
            column=column,
            message_vi=rule.vi.format(prefix=prefix.group(1)),
        )
    rule = RULES["EDX001"]
    return EnvelopeReadError(
        rule.en.format(detail=detail),
        rule="EDX001",
        line=line,
        column=column,
        message_vi=rule.vi.format(detail=detail),
    )
