"""Document types (loại văn bản): NĐ 30/2020 Art. 7, copies, legal-normative and Party types.

The catalogue holds the **29 administrative types** of Nghị định 30/2020/NĐ-CP Art. 7 in
their legal order with the official abbreviations of Phụ lục III (``Công văn`` and
``Thư công`` have none; ``Quy định`` is ``QyĐ`` with a lower-case ``y``), the **copy forms**
``SY``/``SL``/``TrS``, the **legal-normative categories** (Luật 64/2025/QH15 Art. 4) and the
**Party types** the seeds use. The data live in ``data/doctypes.csv`` (with its provenance).

>>> lookup('Quyết định').abbreviation
'QĐ'
>>> lookup('quy dinh').abbreviation            # case- and diacritic-insensitive names
'QyĐ'
>>> lookup('QYĐ').name                         # abbreviations: case-insensitive when unambiguous
'Quy định'
>>> lookup('cong van').abbreviation is None
True
>>> lookup('NĐ').kind
'legal'
>>> validate('qyđ')
'QyĐ'
>>> is_valid('XYZ')
False

Abbreviations are compared exactly first (``QĐ`` is Quyết định, ``QyĐ`` Quy định), then
case-insensitively when only one official abbreviation matches; they are never folded to
ASCII (``ĐA`` Đề án is not ``DA`` Dự án). An abbreviation shared by several kinds resolves to
the administrative type first, then copy, legal and Party; :func:`search` returns all.

The edXML ``DocumentType`` mapping is configurable (:class:`EdxmlTypeMapping`) because the
meaning of ``Type`` is uncertain (``edxml.md`` §13.3).
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from collections.abc import Iterable
from importlib.resources import files
from typing import Literal

import attrs

from vbdt_exchange.catalog._text import fold
from vbdt_exchange.errors import CatalogError

__all__ = [
    "KINDS",
    "SCHEMES",
    "DocumentTypeInfo",
    "EdxmlDocumentType",
    "EdxmlTypeMapping",
    "TypeMatch",
    "UnknownDocumentType",
    "all_types",
    "by_abbreviation",
    "compact",
    "fold",
    "format",
    "is_valid",
    "lookup",
    "match",
    "search",
    "validate",
]

Kind = Literal["administrative", "copy", "legal", "party"]
KINDS: tuple[Kind, ...] = ("administrative", "copy", "legal", "party")
_MAX_QUERY = 200


class UnknownDocumentType(CatalogError):
    """The value names no document type of the catalogue."""


@attrs.frozen
class DocumentTypeInfo:
    """One document type of the catalogue.

    :param name: the Vietnamese name, NFC (``Quy định``).
    :param abbreviation: the official abbreviation (``QyĐ``), or ``None`` (công văn, thư công).
    :param kind: ``administrative`` (NĐ 30 Art. 7), ``copy``, ``legal`` or ``party``.
    :param position: the place in its list: for administrative types the Art. 7 order (1–29).
    :param english: an English name.
    :param template: the NĐ 30 Phụ lục III template, when there is one.
    :param confidence: ``A``, ``B``, ``C`` or ``?`` as in the catalogue specification.
    :param note: a remark from the data file.
    """

    name: str
    abbreviation: str | None
    kind: Kind
    position: int
    english: str
    template: str | None = None
    confidence: str = "A"
    note: str | None = None

    @property
    def article7_position(self) -> int | None:
        """The position in NĐ 30/2020 Art. 7, for administrative types only."""
        return self.position if self.kind == "administrative" else None

    @property
    def base_name(self) -> str:
        """The name without a parenthesised qualifier: ``Nghị quyết (cá biệt)`` → ``Nghị quyết``."""
        return self.name.split(" (", 1)[0]


@attrs.frozen
class TypeMatch:
    """The result of :func:`match`: the type, how it was found, and a warning if any."""

    type: DocumentTypeInfo
    matched_by: Literal["abbreviation", "name", "abbreviation-case-insensitive"]
    warning: str | None = None


def compact(value: str) -> str:
    """NFC-normalise and collapse white space (the form stored in the catalogue).

    >>> compact(' Quy  định ') == 'Quy định'
    True
    """
    return " ".join(unicodedata.normalize("NFC", value).split())


@functools.cache
def all_types() -> tuple[DocumentTypeInfo, ...]:
    """Every type of the catalogue, in data-file order (administrative, copy, legal, Party).

    >>> len([t for t in all_types() if t.kind == 'administrative'])
    29
    """
    text = (files("vbdt_exchange.catalog") / "data" / "doctypes.csv").read_text("utf-8")
    rows = csv.DictReader(io.StringIO("".join(_data_lines(text))))
    found = []
    for row in rows:
        kind = row["kind"]
        if kind not in KINDS:  # pragma: no cover - data-file error
            raise ValueError(f"doctypes.csv: unknown kind {kind!r}")
        found.append(
            DocumentTypeInfo(
                name=unicodedata.normalize("NFC", row["name"]),
                abbreviation=unicodedata.normalize("NFC", row["abbreviation"]) or None,
                kind=kind,
                position=int(row["position"]),
                english=row["english"],
                template=row["template"] or None,
                confidence=row["confidence"],
                note=row["note"] or None,
            )
        )
    return tuple(found)


def _data_lines(text: str) -> Iterable[str]:
    return (line for line in text.splitlines(keepends=True) if not line.startswith("#"))


@functools.cache
def _abbreviations() -> dict[str, tuple[DocumentTypeInfo, ...]]:
    table: dict[str, list[DocumentTypeInfo]] = {}
    for info in all_types():
        if info.abbreviation:
            table.setdefault(info.abbreviation, []).append(info)
    return {k: tuple(v) for k, v in table.items()}


@functools.cache
def _folded_abbreviations() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for abbreviation in _abbreviations():
        table.setdefault(unicodedata.normalize("NFC", abbreviation).casefold(), []).append(
            abbreviation
        )
    return {k: tuple(v) for k, v in table.items()}


@functools.cache
def _names() -> dict[str, tuple[DocumentTypeInfo, ...]]:
    table: dict[str, list[DocumentTypeInfo]] = {}
    for info in all_types():
        keys = {fold(info.name), fold(info.base_name)}
        for key in keys:
            table.setdefault(key, []).append(info)
    return {k: tuple(v) for k, v in table.items()}


def _query(value: object) -> str:
    if not isinstance(value, str):
        raise UnknownDocumentType(f"a document type is text, not {type(value).__name__}")
    text = compact(value)
    if not text:
        raise UnknownDocumentType("the document type is empty")
    if len(text) > _MAX_QUERY:
        raise UnknownDocumentType(f"the document type is too long ({len(text)} characters)")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise UnknownDocumentType("the document type contains a control character")
    return text


def _kind_filter(found: Iterable[DocumentTypeInfo], kind: Kind | None) -> list[DocumentTypeInfo]:
    return [t for t in found if kind is None or t.kind == kind]


def by_abbreviation(abbreviation: str, kind: Kind | None = None) -> tuple[DocumentTypeInfo, ...]:
    """Every type with exactly this official abbreviation (NFC, case-sensitive).

    >>> [t.name for t in by_abbreviation('QĐ', kind='party')]
    ['Quyết định (Đảng)', 'Quy định (Đảng)']
    """
    text: object = abbreviation
    if not isinstance(text, str):
        return ()
    found = _abbreviations().get(unicodedata.normalize("NFC", text.strip()), ())
    return tuple(_kind_filter(found, kind))


def match(query: str, kind: Kind | None = None) -> TypeMatch:
    """Find the type named or abbreviated by ``query``, saying how; or raise.

    >>> m = match('QYĐ')
    >>> m.type.abbreviation, m.matched_by
    ('QyĐ', 'abbreviation-case-insensitive')
    >>> m.warning
    "'QYĐ' is written 'QyĐ'"
    """
    text = _query(query)
    exact = _kind_filter(_abbreviations().get(text, ()), kind)
    if exact:
        return TypeMatch(exact[0], "abbreviation")
    named = _kind_filter(_names().get(fold(text), ()), kind)
    if named:
        return TypeMatch(named[0], "name")
    candidates = _folded_abbreviations().get(text.casefold(), ())
    hits = [a for a in candidates if _kind_filter(_abbreviations()[a], kind)]
    if len(hits) == 1:
        info = _kind_filter(_abbreviations()[hits[0]], kind)[0]
        return TypeMatch(
            info, "abbreviation-case-insensitive", f"{text!r} is written {info.abbreviation!r}"
        )
    if len(hits) > 1:
        raise UnknownDocumentType(f"{text!r} is ambiguous: {', '.join(sorted(hits))}")
    where = f" of kind {kind}" if kind else ""
    raise UnknownDocumentType(f"{text!r} is neither the name nor the abbreviation of a type{where}")


def lookup(query: str, kind: Kind | None = None) -> DocumentTypeInfo:
    """The type named or abbreviated by ``query``; raise :class:`UnknownDocumentType`.

    >>> lookup('Thư công').position
    29
    >>> lookup('NQ', kind='party').name
    'Nghị quyết (Đảng)'
    """
    return match(query, kind).type


def search(query: str, kind: Kind | None = None) -> tuple[DocumentTypeInfo, ...]:
    """Every type whose name or English name contains ``query`` (folded), or whose abbreviation
    equals it case-insensitively. Never raises; junk finds nothing.

    >>> [t.abbreviation for t in search('giấy')]
    ['GUQ', 'GM', 'GGT', 'GNP']
    """
    try:
        text = _query(query)
    except CatalogError:
        return ()
    key = fold(text)
    found = []
    for info in all_types():
        if kind is not None and info.kind != kind:
            continue
        abbreviation = (info.abbreviation or "").casefold()
        if key in fold(info.name) or key in fold(info.english) or abbreviation == text.casefold():
            found.append(info)
    return tuple(found)


def validate(value: str) -> str:
    """The official abbreviation of the type ``value`` names (its name when it has none).

    >>> validate('quyết định')
    'QĐ'
    >>> validate('cong van')
    'Công văn'
    """
    info = lookup(value)
    return info.abbreviation or info.name


def is_valid(value: object) -> bool:
    """Whether ``value`` names or abbreviates a type of the catalogue. Never raises.

    >>> is_valid(None), is_valid('TTr'), is_valid('')
    (False, True, False)
    """
    try:
        lookup(value)  # type: ignore[arg-type]
    except CatalogError:
        return False
    return True


def format(value: str) -> str:
    """The official name of the type ``value`` names or abbreviates.

    >>> format('CTr')
    'Chương trình'
    """
    return lookup(value).name


# -- edXML DocumentType -----------------------------------------------------------------------

Scheme = Literal["deployed", "class", "article7"]
SCHEMES: tuple[Scheme, ...] = ("deployed", "class", "article7")


@attrs.frozen
class EdxmlDocumentType:
    """The three children of edXML ``DocumentType``."""

    type: int
    type_detail: int
    type_name: str


@attrs.frozen
class EdxmlTypeMapping:
    """How a catalogue type maps to edXML ``DocumentType`` (``Type``, ``TypeDetail``, ``TypeName``).

    ``TypeName`` is always the Vietnamese name (without a qualifier such as ``(cá biệt)``): it is
    the only reliable part (``edxml.md`` §4.5). ``Type`` follows the scheme:

    * ``deployed`` (default): ``Type`` = :attr:`deployed_type` (``1`` in the official samples,
      whatever the type);
    * ``class``: reading (a) of ``edxml.md`` §13.3 — ``1`` legal-normative, ``2`` otherwise;
    * ``article7``: reading (b) — the position in NĐ 30 Art. 7 (``18`` for Công văn); types
      outside Art. 7 get :attr:`deployed_type`.

    ``TypeDetail`` is :attr:`type_detail` (``0`` in the samples).

    >>> EdxmlTypeMapping().to_edxml(lookup('Công văn'))
    EdxmlDocumentType(type=1, type_detail=0, type_name='Công văn')
    >>> EdxmlTypeMapping(scheme='article7').to_edxml(lookup('Công văn')).type
    18
    >>> EdxmlTypeMapping(scheme='class').to_edxml(lookup('TT')).type
    1
    """

    scheme: Scheme = attrs.field(default="deployed")
    deployed_type: int = 1
    type_detail: int = 0

    @scheme.validator
    def _check(self, _attribute: object, value: object) -> None:
        if value not in SCHEMES:
            raise CatalogError(f"unknown DocumentType scheme {value!r}: one of {SCHEMES}")

    def to_edxml(self, info: DocumentTypeInfo) -> EdxmlDocumentType:
        """The ``DocumentType`` children for ``info``."""
        if self.scheme == "class":
            value = 1 if info.kind == "legal" else 2
        elif self.scheme == "article7" and info.kind == "administrative":
            value = info.position
        else:
            value = self.deployed_type
        return EdxmlDocumentType(value, self.type_detail, info.base_name)

    def from_edxml(
        self, type_name: str | None, type_: int | None = None
    ) -> DocumentTypeInfo | None:
        """The catalogue type of a received ``DocumentType``: by ``TypeName`` first; by ``Type``
        only under the ``article7`` scheme. ``None`` when nothing matches. Never raises.

        >>> EdxmlTypeMapping().from_edxml('Thông tư').abbreviation
        'TT'
        >>> EdxmlTypeMapping(scheme='article7').from_edxml(None, 18).name
        'Công văn'
        >>> EdxmlTypeMapping().from_edxml(None, 18) is None
        True
        """
        if type_name is not None:
            try:
                return lookup(type_name)
            except CatalogError:
                pass
        if self.scheme == "article7" and isinstance(type_, int):
            for info in all_types():
                if info.kind == "administrative" and info.position == type_:
                    return info
        return None
