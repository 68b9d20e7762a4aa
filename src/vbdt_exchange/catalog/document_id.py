"""The edXML ``DocumentId``: ``<OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>``.

>>> parse('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT')
DocumentIdParts(organ_id='000.00.00.G22', date='2015/09/30', number='7816', notation='VPCP-TTĐT')
>>> make('000.00.00.G22', '2015/09/30', '7816', 'VPCP-TTĐT')
'000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'

Parsing splits on the first two commas only and the code on the first ``/`` (notations of Party
documents contain ``/``). Compare identifiers after Unicode NFC normalisation (:func:`compact`),
never with ASCII folding: ``TTĐT`` is not ``TTDT``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from vbdt_exchange.errors import CatalogError

__all__ = ["DocumentIdParts", "InvalidDocumentId", "compact", "is_valid", "make", "parse"]

_DATE = re.compile(r"^\d{4}/\d{2}/\d{2}$")


class InvalidDocumentId(CatalogError):
    """The value is not a DocumentId in the standard form."""


class DocumentIdParts(NamedTuple):
    organ_id: str
    date: str
    number: str
    notation: str


def compact(value: str) -> str:
    """NFC-normalise and strip surrounding whitespace."""
    return unicodedata.normalize("NFC", value.strip())


def parse(value: str) -> DocumentIdParts:
    """Split a DocumentId into its parts, or raise :class:`InvalidDocumentId`."""
    parts = compact(value).split(",", 2)
    if len(parts) != 3 or "/" not in parts[2]:
        raise InvalidDocumentId(f"{value!r} is not in the form OrganId,yyyy/MM/dd,Number/Notation")
    organ_id, date, code = (p.strip() for p in parts)
    number, notation = code.split("/", 1)
    if not organ_id or not _DATE.match(date) or not number or not notation:
        raise InvalidDocumentId(f"{value!r} is not in the form OrganId,yyyy/MM/dd,Number/Notation")
    return DocumentIdParts(organ_id, date, number, notation)


def is_valid(value: object) -> bool:
    """Whether ``value`` is a DocumentId in the standard form. Never raises."""
    try:
        parse(value)  # type: ignore[arg-type]
    except (CatalogError, AttributeError, TypeError):
        return False
    return True


def make(organ_id: str, date: str, number: str, notation: str) -> str:
    """Build a DocumentId from its parts (``date`` as ``yyyy/MM/dd``)."""
    return compact(f"{organ_id},{date},{number}/{notation}")
