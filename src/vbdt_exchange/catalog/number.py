"""Number and symbol (số và ký hiệu) of Vietnamese documents: parse, validate and format.

Four forms (``catalogue.md`` §6):

* **state administrative** — ``{number}/{type}-{issuer}[-{unit}]``: ``15/QĐ-BNV``; a **công
  văn** has no type abbreviation, its notation is ``{issuer}-{drafting unit}``: ``3244/UBND-VP``;
* **copy** — the same with ``SY``, ``SL`` or ``TrS`` as the type: ``05/SY-UBND``;
* **legal-normative** (VBQPPL) — ``{number}/{year}/{type}-{issuer}``: ``30/2020/NĐ-CP``; laws
  ``64/2025/QH15``;
* **Party** — ``{number}-{type}/{body}``: ``145-CV/TU`` (Party công văn do carry ``CV``).

>>> n = parse('Số: 3244/UBND-VP')
>>> n.number, n.issuer, n.unit, n.type_abbreviation, n.type.name
(3244, 'UBND', 'VP', None, 'Công văn')
>>> n = parse('30/2020/NĐ-CP')
>>> n.year, n.type_abbreviation, n.type.name, n.issuer
(2020, 'NĐ', 'Nghị định', 'CP')
>>> n = parse('Số 145 - CV/TU')
>>> n.party, n.type_abbreviation, n.issuer, n.format()
(True, 'CV', 'TU', '145-CV/TU')
>>> format('5/QĐ-BNV')                       # numbers below 10 take a leading zero
'05/QĐ-BNV'
>>> parse('5/QĐ-BNV').warnings
('numbers below 10 are written with a leading zero: 05',)
>>> try:
...     validate('15/QĐ BNV')
... except InvalidNumber as error:
...     print(error.reason)
a space inside the notation ('QĐ BNV'); groups are joined by '-' without spaces

Parsing is lenient where the rules are only conventions: a missing leading zero, spaces around
``/`` and ``-``, a leading ``Số:``, an abbreviation in the wrong case (``QYĐ``) are accepted with a
warning (:attr:`NumberSymbol.warnings`); ``validate(value, strict=True)`` turns them into errors.
Unit and issuer abbreviations are set by each body, so they are not checked against any list.

The type a notation means is a hint only: in Party practice ``QĐ`` is both *quyết định* and
*quy định* (``32-QĐ/TU`` is a quy định), and a legal ``QĐ`` may be the Prime Minister's or a
People's Committee's; when the issuer does not settle it, :attr:`NumberSymbol.type` is ``None``
and :attr:`NumberSymbol.type_candidates` lists the possibilities. The document's own
``TypeName`` is authoritative.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import attrs

from vbdt_exchange.catalog import doctypes
from vbdt_exchange.catalog.doctypes import DocumentTypeInfo
from vbdt_exchange.errors import CatalogError

__all__ = [
    "MAX_LENGTH",
    "InvalidNumber",
    "NumberSymbol",
    "compact",
    "format",
    "is_valid",
    "make",
    "parse",
    "validate",
]

Form = Literal["administrative", "official_letter", "copy", "legal", "law", "party"]
MAX_LENGTH = 100
"""The longest text accepted (NĐ 30 Phụ lục VI: number 11 + notation 30, with room to spare)."""
_MAX_DIGITS = 11  # CodeNumber is String(11) in NĐ 30 Phụ lục VI
_YEARS = (1945, 2100)
_PREFIX = re.compile(r"^[Ss][Ốố]\s*[:.]?\s*")
_SEPARATOR_SPACES = re.compile(r"\s*([/-])\s*")
_HEAD = re.compile(r"^(?P<number>\d+)(?P<sep>[/-])(?P<rest>.*)$")
_YEAR = re.compile(r"^(?P<year>\d{4})/(?P<rest>.*)$")
_LAW = re.compile(r"^QH\d+$")
_NONE: tuple[DocumentTypeInfo, ...] = ()

# A legal QĐ or NQ means different categories by issuer (catalogue.md §2, §6.2).
_LEGAL_BY_ISSUER: dict[tuple[str, str], str] = {
    ("QĐ", "TTg"): "Quyết định của Thủ tướng Chính phủ",
    ("QĐ", "UBND"): "Quyết định của Ủy ban nhân dân",
    ("QĐ", "CTUBND"): "Quyết định của Chủ tịch Ủy ban nhân dân cấp tỉnh",
    ("QĐ", "CTN"): "Quyết định của Chủ tịch nước",
    ("NQ", "CP"): "Nghị quyết của Chính phủ",
    ("NQ", "HĐND"): "Nghị quyết của Hội đồng nhân dân",
    ("NQ", "HĐTP"): "Nghị quyết của Hội đồng Thẩm phán Tòa án nhân dân tối cao",
    ("NQ", "UBTVQH"): "Nghị quyết của Ủy ban Thường vụ Quốc hội",
    ("NQ", "QH"): "Nghị quyết của Quốc hội",
}


class InvalidNumber(CatalogError):
    """The value is not a number and symbol; :attr:`reason` says what is wrong."""

    def __init__(self, value: object, reason: str) -> None:
        self.value = value
        self.reason = reason
        shown = value if not isinstance(value, str) or len(value) <= 60 else value[:57] + "..."
        super().__init__(f"{shown!r} is not a number and symbol: {reason}")


@attrs.frozen
class NumberSymbol:
    """A parsed number and symbol.

    :param text: the normalised input (NFC, no ``Số:``, no spaces around separators).
    :param form: ``administrative`` (a type abbreviation), ``official_letter`` (công văn),
        ``copy``, ``legal`` (with a year), ``law`` (``…/QH15``) or ``party``.
    :param number: the running number.
    :param number_text: the number as written (``01``, ``1``).
    :param year: the year of a legal-normative document, else ``None``.
    :param type_abbreviation: as the official abbreviation (``QyĐ`` even when written ``QYĐ``);
        ``None`` for a công văn and a law.
    :param type: the catalogue type it means, when that is settled.
    :param type_candidates: every type it may mean.
    :param issuer: the issuer's abbreviation (``BNV``, ``UBND``, ``TU``; for laws ``QH15``).
    :param unit: the drafting unit or subject area (``VP``, ``KSTTHC``), when written.
    :param warnings: deviations from the conventions that were accepted.
    """

    text: str
    form: Form
    number: int
    number_text: str
    year: int | None
    type_abbreviation: str | None
    type: DocumentTypeInfo | None
    type_candidates: tuple[DocumentTypeInfo, ...]
    issuer: str
    unit: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def party(self) -> bool:
        """Whether this is a Party number (``145-CV/TU``)."""
        return self.form == "party"

    @property
    def formatted_number(self) -> str:
        """The number as it should be written: padded to two digits, never further (state
        forms); as written (Party: the Party rule is not verified)."""
        return self.number_text if self.party else f"{self.number:02d}"

    @property
    def notation(self) -> str:
        """Everything after the number (and year): ``QĐ-BNV``, ``UBND-VP``, ``NĐ-CP``, ``CV/TU``."""
        if self.party:
            return f"{self.type_abbreviation}/{self.issuer}"
        groups = [self.type_abbreviation, self.issuer, self.unit]
        return "-".join(g for g in groups if g)

    def format(self) -> str:
        """The canonical printed form (without ``Số:``).

        >>> parse('01/2019/tt-BNV').format()
        '01/2019/TT-BNV'
        """
        if self.party:
            return f"{self.formatted_number}-{self.notation}"
        if self.year is not None:
            return f"{self.formatted_number}/{self.year}/{self.notation}"
        return f"{self.formatted_number}/{self.notation}"


def compact(value: str) -> str:
    """NFC; white space collapsed; a leading ``Số``/``số`` and ``:`` dropped; no spaces around
    ``/`` and ``-``.

    >>> compact('  Số:  145 - CV / TU ')
    '145-CV/TU'
    """
    if not isinstance(value, str):
        raise InvalidNumber(value, f"it is {type(value).__name__}, not text")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    text = _PREFIX.sub("", text)
    return _SEPARATOR_SPACES.sub(r"\1", text)


def _clean(value: object) -> tuple[str, list[str]]:
    if not isinstance(value, str):
        raise InvalidNumber(value, f"a number and symbol is text, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", value)
    if len(text) > MAX_LENGTH:
        raise InvalidNumber(value, f"too long ({len(text)} characters, at most {MAX_LENGTH})")
    spaced = " ".join(text.split())
    bad = next((c for c in spaced if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co")), None)
    if bad is not None:
        raise InvalidNumber(value, f"contains the control character U+{ord(bad):04X}")
    if not spaced:
        raise InvalidNumber(value, "it is empty")
    warnings = []
    unprefixed = _PREFIX.sub("", spaced)
    if not unprefixed:
        raise InvalidNumber(value, "there is nothing after 'Số'")
    text = _SEPARATOR_SPACES.sub(r"\1", unprefixed)
    if text != unprefixed:
        warnings.append("spaces around '/' or '-' were removed")
    return text, warnings


def _number(value: str, digits: str, party: bool, warnings: list[str]) -> int:
    if len(digits) > _MAX_DIGITS:
        raise InvalidNumber(value, f"the number has {len(digits)} digits (at most {_MAX_DIGITS})")
    number = int(digits)
    if number == 0:
        raise InvalidNumber(value, "the number is 0; numbering starts at 01")
    if not party:
        if number < 10 and len(digits) == 1:
            warnings.append(f"numbers below 10 are written with a leading zero: {number:02d}")
        elif len(digits) > max(2, len(str(number))):
            warnings.append(f"the number is padded beyond two digits: {number:02d}")
    return number


def _groups(value: str, notation: str) -> list[str]:
    if not notation:
        raise InvalidNumber(value, "the notation (ký hiệu) after the number is missing")
    if " " in notation:
        raise InvalidNumber(
            value,
            f"a space inside the notation ({notation!r}); groups are joined by '-' without spaces",
        )
    groups = notation.split("-")
    if any(not g for g in groups):
        raise InvalidNumber(value, f"an empty group in the notation {notation!r} (a stray '-')")
    return groups


def _abbreviation(
    written: str, kinds: tuple[str, ...], warnings: list[str]
) -> tuple[str, tuple[DocumentTypeInfo, ...]] | None:
    """The official abbreviation ``written`` stands for among ``kinds``, and its types."""
    found = tuple(t for t in doctypes.by_abbreviation(written) if t.kind in kinds)
    if found:
        return written, found
    folded = written.casefold()
    options = {
        t.abbreviation
        for t in doctypes.all_types()
        if t.kind in kinds and t.abbreviation and t.abbreviation.casefold() == folded
    }
    if len(options) == 1:
        official = options.pop()
        warnings.append(f"the abbreviation {written!r} is written {official!r}")
        return official, tuple(t for t in doctypes.by_abbreviation(official) if t.kind in kinds)
    return None


def _settle(candidates: tuple[DocumentTypeInfo, ...]) -> DocumentTypeInfo | None:
    return candidates[0] if len(candidates) == 1 else None


def _party(value: str, text: str, digits: str, rest: str, warnings: list[str]) -> NumberSymbol:
    number = _number(value, digits, True, warnings)
    if "/" not in rest:
        raise InvalidNumber(value, "a Party number needs '/' before the issuing body (145-CV/TU)")
    kind, body = rest.split("/", 1)
    if not kind:
        raise InvalidNumber(value, "the Party type abbreviation after '-' is missing")
    if not body:
        raise InvalidNumber(value, "the issuing body after '/' is missing")
    if "/" in body or " " in body or " " in kind:
        raise InvalidNumber(value, f"the Party notation {rest!r} is not type/body (CV/TU)")
    found = _abbreviation(kind, ("party",), warnings)
    if found is None:
        warnings.append(f"unknown Party type abbreviation {kind!r}")
        official, candidates = kind, _NONE
    else:
        official, candidates = found
    return NumberSymbol(
        text, "party", number, digits, None, official, _settle(candidates), candidates, body,
        None, tuple(warnings),
    )  # fmt: skip


def _legal(
    value: str, text: str, digits: str, year_text: str, notation: str, warnings: list[str]
) -> NumberSymbol:
    number = _number(value, digits, False, warnings)
    year = int(year_text)
    if not _YEARS[0] <= year <= _YEARS[1]:
        raise InvalidNumber(value, f"the year {year} is out of range ({_YEARS[0]}–{_YEARS[1]})")
    if "/" in notation:
        raise InvalidNumber(value, f"too many '/' in {text!r} (number/year/type-issuer)")
    if _LAW.match(notation):
        laws = tuple(t for t in doctypes.all_types() if t.name in ("Luật", "Bộ luật"))
        return NumberSymbol(
            text, "law", number, digits, year, None, None, laws, notation, None, tuple(warnings)
        )
    groups = _groups(value, notation)
    if len(groups) < 2:
        raise InvalidNumber(
            value, f"a legal-normative notation is type-issuer (NĐ-CP), not {notation!r}"
        )
    written, issuer = groups[0], "-".join(groups[1:])
    found = _abbreviation(written, ("legal",), warnings)
    if found is None:
        warnings.append(f"{written!r} is not the abbreviation of a legal-normative type")
        official, candidates = written, _NONE
    else:
        official, candidates = found
    settled = _settle(candidates)
    if settled is None:
        for key, name in _LEGAL_BY_ISSUER.items():
            if key[0] == official and (issuer == key[1] or issuer.startswith(key[1] + "-")):
                settled = next(t for t in candidates if t.name == name)
                break
        else:
            if official == "NQ" and issuer.startswith("UBTVQH"):
                settled = next(t for t in candidates if "Thường vụ" in t.name)
            elif official == "NQ" and _LAW.match(issuer):
                settled = next(t for t in candidates if t.name == "Nghị quyết của Quốc hội")
    return NumberSymbol(
        text, "legal", number, digits, year, official, settled, candidates, issuer, None,
        tuple(warnings),
    )  # fmt: skip


def _state(value: str, text: str, digits: str, notation: str, warnings: list[str]) -> NumberSymbol:
    number = _number(value, digits, False, warnings)
    if "/" in notation:
        raise InvalidNumber(
            value,
            f"too many '/' in {text!r}: a legal-normative number has a 4-digit year "
            "(30/2020/NĐ-CP), a Party number a '-' after the number (145-CV/TU)",
        )
    groups = _groups(value, notation)
    found = _abbreviation(groups[0], ("administrative", "copy"), warnings)
    if found is not None:
        if len(groups) < 2:
            raise InvalidNumber(
                value, f"the notation {notation!r} has a type but no issuer (15/QĐ-BNV)"
            )
        official, candidates = found
        form: Form = "copy" if candidates[0].kind == "copy" else "administrative"
        return NumberSymbol(
            text, form, number, digits, None, official, _settle(candidates), candidates,
            groups[1], "-".join(groups[2:]) or None, tuple(warnings),
        )  # fmt: skip
    letter = doctypes.lookup("Công văn")
    if len(groups) < 2:
        warnings.append(f"a công văn notation is issuer-unit; {notation!r} has no drafting unit")
    return NumberSymbol(
        text, "official_letter", number, digits, None, None, letter, (letter,), groups[0],
        "-".join(groups[1:]) or None, tuple(warnings),
    )  # fmt: skip


def parse(value: str) -> NumberSymbol:
    """Parse a number and symbol in any of the four forms, or raise :class:`InvalidNumber`.

    >>> parse('36-HD/VPTW').type.name
    'Hướng dẫn (Đảng)'
    >>> parse('32-QĐ/TU').type is None                 # quyết định or quy định: not settled
    True
    >>> parse('28/2018/QĐ-TTg').type.name
    'Quyết định của Thủ tướng Chính phủ'
    >>> parse('64/2025/QH15').form
    'law'
    """
    text, warnings = _clean(value)
    head = _HEAD.match(text)
    if head is None:
        lead = re.match(r"^\d+", text)
        if lead is None:
            raise InvalidNumber(value, "it does not start with the number (Arabic digits)")
        if lead.end() == len(text):
            raise InvalidNumber(value, "the notation (ký hiệu) after the number is missing")
        raise InvalidNumber(
            value, f"after the number comes '/' (or '-' for Party), not {text[lead.end()]!r}"
        )
    digits, rest = head["number"], head["rest"]
    if head["sep"] == "-":
        return _party(value, text, digits, rest, warnings)
    year = _YEAR.match(rest)
    if year is not None:
        return _legal(value, text, digits, year["year"], year["rest"], warnings)
    return _state(value, text, digits, rest, warnings)


def validate(value: str, strict: bool = False) -> str:
    """The compact form of ``value``, or raise :class:`InvalidNumber`; with ``strict``, the
    warnings are errors too.

    >>> validate('Số:4679/UBND-CNTT')
    '4679/UBND-CNTT'
    >>> try:
    ...     validate('1/QĐ-BNV', strict=True)
    ... except InvalidNumber as error:
    ...     print(error.reason)
    numbers below 10 are written with a leading zero: 01
    """
    parsed = parse(value)
    if strict and parsed.warnings:
        raise InvalidNumber(value, "; ".join(parsed.warnings))
    return parsed.text


def is_valid(value: object, strict: bool = False) -> bool:
    """Whether ``value`` is a number and symbol. Never raises.

    >>> is_valid('13/UBND-VP1'), is_valid('UBND-VP'), is_valid(None)
    (True, False, False)
    """
    try:
        validate(value, strict)  # type: ignore[arg-type]
    except CatalogError:
        return False
    return True


def format(value: str) -> str:
    """The canonical printed form: leading zero below 10, official abbreviation case.

    >>> format('Số 1/QYĐ-UBND')
    '01/QyĐ-UBND'
    """
    return parse(value).format()


def make(
    number: int,
    issuer: str,
    *,
    type_abbreviation: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    party: bool = False,
) -> str:
    """Build a number and symbol from its parts, checked by parsing it back.

    >>> make(5, 'BNV', type_abbreviation='QĐ')
    '05/QĐ-BNV'
    >>> make(3244, 'UBND', unit='VP')
    '3244/UBND-VP'
    >>> make(30, 'CP', type_abbreviation='NĐ', year=2020)
    '30/2020/NĐ-CP'
    >>> make(145, 'TU', type_abbreviation='CV', party=True)
    '145-CV/TU'
    """
    if isinstance(number, bool) or not isinstance(number, int):
        raise InvalidNumber(number, "the number must be an int")
    if party:
        if not type_abbreviation or unit or year is not None:
            raise InvalidNumber(number, "a Party number has a type and a body, no unit or year")
        text = f"{number}-{type_abbreviation}/{issuer}"
    else:
        groups = "-".join(g for g in (type_abbreviation, issuer, unit) if g)
        text = f"{number:02d}/{year}/{groups}" if year is not None else f"{number:02d}/{groups}"
    return format(text)
