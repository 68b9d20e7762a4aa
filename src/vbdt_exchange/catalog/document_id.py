"""The edXML ``DocumentId``: ``<OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>``.

>>> parse('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT')
DocumentIdParts(organ_id='000.00.00.G22', date='2015/09/30', number='7816', notation='VPCP-TTĐT')
>>> make('000.00.00.G22', '2015/09/30', '7816', 'VPCP-TTĐT')
'000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'

Parsing splits on the first two commas only and the code on the first ``/`` (notations of Party
documents contain ``/``). Compare identifiers after Unicode NFC normalisation (:func:`compact`),
never with ASCII folding: ``TTĐT`` is not ``TTDT``. The form is checked, not the meaning: the
axis accepts any DocumentId, so the envelope layer reports a bad one as a warning.

**Number and symbol.** The code part is a number and symbol (:mod:`.number`). How
legal-normative and Party numbers split into ``CodeNumber`` and ``CodeNotation`` is not
documented (``edxml.md`` §4.3, ``catalogue.md`` §6.5), so :func:`code_fields` makes the split
an explicit, selectable choice:

* ``party_split="number"`` (default): ``145-CV/TU`` → ``145`` + ``CV/TU``, as the catalogue's
  worked examples read it; the SDK's ``/`` join then writes ``145/CV/TU`` in the DocumentId.
* ``party_split="number-and-type"``: ``145-CV`` + ``TU``, which keeps the printed form
  ``145-CV/TU`` through the join.
* ``legal_split="number"`` (default): ``30/2020/NĐ-CP`` → ``30`` + ``2020/NĐ-CP`` (what
  :func:`parse` reads back); ``legal_split="number-and-year"``: ``30/2020`` + ``NĐ-CP`` (the
  annotated LGSP template). Both join to the same code.

:func:`number_of` reads the number back from either Party spelling.

>>> from_number('000.00.00.H29', '2021/04/28', '145-CV/TU')
'000.00.00.H29,2021/04/28,145/CV/TU'
>>> from_number('000.00.00.H29', '2021/04/28', '145-CV/TU', party_split='number-and-type')
'000.00.00.H29,2021/04/28,145-CV/TU'
>>> number_of('000.00.00.H29,2021/04/28,145/CV/TU').format()
'145-CV/TU'
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Literal, NamedTuple

from vbdt_exchange.catalog import number as numbers
from vbdt_exchange.catalog.number import NumberSymbol
from vbdt_exchange.errors import CatalogError

__all__ = [
    "LEGAL_SPLITS",
    "PARTY_SPLITS",
    "DocumentIdParts",
    "InvalidDocumentId",
    "code_fields",
    "compact",
    "format",
    "from_number",
    "is_valid",
    "make",
    "number_of",
    "parse",
    "parse_code",
    "validate",
]

_DATE = re.compile(r"^\d{4}/\d{2}/\d{2}$")
_SDK_PARTY = re.compile(r"^(?P<number>\d+)/(?P<type>[^/\s-]+)/(?P<body>[^/\s]+)$")

PartySplit = Literal["number", "number-and-type"]
LegalSplit = Literal["number", "number-and-year"]
PARTY_SPLITS: tuple[PartySplit, ...] = ("number", "number-and-type")
LEGAL_SPLITS: tuple[LegalSplit, ...] = ("number", "number-and-year")


class InvalidDocumentId(CatalogError):
    """The value is not a DocumentId in the standard form."""


class DocumentIdParts(NamedTuple):
    organ_id: str
    date: str
    number: str
    notation: str

    @property
    def code(self) -> str:
        """``CodeNumber/CodeNotation`` as joined in the DocumentId."""
        return f"{self.number}/{self.notation}"


def compact(value: str) -> str:
    """NFC-normalise and strip surrounding whitespace."""
    if not isinstance(value, str):
        raise InvalidDocumentId(f"a DocumentId is text, not {type(value).__name__}")
    return unicodedata.normalize("NFC", value.strip())


def parse(value: str) -> DocumentIdParts:
    """Split a DocumentId into its parts, or raise :class:`InvalidDocumentId`."""
    if not isinstance(value, str):
        raise InvalidDocumentId(f"a DocumentId is text, not {type(value).__name__}")
    parts = compact(value).split(",", 2)
    if len(parts) != 3 or "/" not in parts[2]:
        raise InvalidDocumentId(f"{value!r} is not in the form OrganId,yyyy/MM/dd,Number/Notation")
    organ_id, date, code = (p.strip() for p in parts)
    number, notation = code.split("/", 1)
    if not organ_id or not _DATE.match(date) or not number or not notation:
        raise InvalidDocumentId(f"{value!r} is not in the form OrganId,yyyy/MM/dd,Number/Notation")
    return DocumentIdParts(organ_id, date, number, notation)


def validate(value: str) -> str:
    """The compact form of ``value``, or raise :class:`InvalidDocumentId`.

    >>> validate(' 000.00.00.G22,2015/09/30,7816/VPCP-TTĐT ')
    '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'
    """
    parse(value)
    return compact(value)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a DocumentId in the standard form. Never raises."""
    try:
        parse(value)  # type: ignore[arg-type]
    except (CatalogError, AttributeError, TypeError):
        return False
    return True


def format(value: str) -> str:
    """The canonical form (the compact form)."""
    return validate(value)


def make(organ_id: str, date: str, number: str, notation: str) -> str:
    """Build a DocumentId from its parts (``date`` as ``yyyy/MM/dd``)."""
    return compact(f"{organ_id},{date},{number}/{notation}")


def parse_code(code: str) -> NumberSymbol:
    """The number and symbol of a DocumentId's code part (``CodeNumber/CodeNotation``),
    accepting the SDK-joined Party spelling ``145/CV/TU``; raise
    :class:`~vbdt_exchange.catalog.number.InvalidNumber`.

    >>> parse_code('145/CV/TU').party
    True
    >>> parse_code('30/2020/NĐ-CP').year
    2020
    """
    try:
        return numbers.parse(code)
    except numbers.InvalidNumber:
        raw: object = code
        sdk = _SDK_PARTY.match(numbers.compact(raw)) if isinstance(raw, str) else None
        if sdk is None:
            raise
        party = numbers.parse(f"{sdk['number']}-{sdk['type']}/{sdk['body']}")
        if party.type_candidates:
            return party
        raise


def number_of(value: str) -> NumberSymbol:
    """The number and symbol inside a DocumentId; raise a :class:`CatalogError` subclass.

    >>> number_of('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT').issuer
    'VPCP'
    """
    return parse_code(parse(value).code)


def code_fields(
    number: NumberSymbol | str,
    *,
    party_split: PartySplit = "number",
    legal_split: LegalSplit = "number",
) -> tuple[str, str]:
    """``(CodeNumber, CodeNotation)`` for a number and symbol (see the module text).

    >>> code_fields('3244/UBND-VP')
    ('3244', 'UBND-VP')
    >>> code_fields('30/2020/NĐ-CP', legal_split='number-and-year')
    ('30/2020', 'NĐ-CP')
    >>> code_fields('145-CV/TU')
    ('145', 'CV/TU')
    """
    parsed = numbers.parse(number) if isinstance(number, str) else number
    if not isinstance(parsed, NumberSymbol):
        raise InvalidDocumentId(f"a number and symbol is expected, not {type(number).__name__}")
    if party_split not in PARTY_SPLITS:
        raise InvalidDocumentId(f"party_split is one of {PARTY_SPLITS}, not {party_split!r}")
    if legal_split not in LEGAL_SPLITS:
        raise InvalidDocumentId(f"legal_split is one of {LEGAL_SPLITS}, not {legal_split!r}")
    digits = parsed.formatted_number
    if parsed.party:
        if party_split == "number-and-type":
            return f"{digits}-{parsed.type_abbreviation}", parsed.issuer
        return digits, parsed.notation
    if parsed.year is not None:
        if legal_split == "number-and-year":
            return f"{digits}/{parsed.year}", parsed.notation
        return digits, f"{parsed.year}/{parsed.notation}"
    return digits, parsed.notation


def _date_text(date: object) -> str:
    if isinstance(date, datetime.date):  # datetime.datetime too
        return f"{date.year:04d}/{date.month:02d}/{date.day:02d}"
    if isinstance(date, str) and _DATE.match(date.strip()):
        return date.strip()
    raise InvalidDocumentId(f"the date is a datetime.date or 'yyyy/MM/dd', not {date!r}")


def from_number(
    organ_id: str,
    date: datetime.date | str,
    number: NumberSymbol | str,
    *,
    party_split: PartySplit = "number",
    legal_split: LegalSplit = "number",
) -> str:
    """Build a DocumentId from the issuer's identifier, the date of issue and a number and
    symbol (text or parsed), split as :func:`code_fields` says.

    >>> from_number('000.00.00.G22', datetime.date(2020, 3, 5), '30/2020/NĐ-CP')
    '000.00.00.G22,2020/03/05,30/2020/NĐ-CP'
    """
    raw: object = organ_id
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidDocumentId("the organisation identifier is empty")
    organ = compact(raw)
    if "," in organ or any(c.isspace() for c in organ):
        raise InvalidDocumentId(f"the organisation identifier {organ_id!r} has a comma or space")
    code_number, code_notation = code_fields(
        number, party_split=party_split, legal_split=legal_split
    )
    return make(organ, _date_text(date), code_number, code_notation)
