"""Organisation identifiers (mã định danh) of QCVN 102:2016/BTTTT: ``DDD.CC.BB.Ann``.

The four groups name, from the right, the level-1 body (a letter and two digits: ``G22`` is
Văn phòng Chính phủ, ``H41`` the People's Committee of Nghệ An), then levels 2, 3 and 4.
Real axes also accept identifiers in other forms (``vxp.saas.03``, ``H37.DN.001``), so the
envelope layer reports a non-conforming identifier as a warning, never as an error.

>>> validate(' 000.00.00.g22 ')
'000.00.00.G22'
>>> is_valid('vxp.saas.03')
False
>>> level('000.00.18.G12')
2
"""

from __future__ import annotations

import re

from vbdt_exchange.errors import CatalogError

__all__ = ["InvalidOrganId", "compact", "format", "is_valid", "level", "validate"]

_STRICT = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


class InvalidOrganId(CatalogError):
    """The value is not an identifier in the QCVN 102:2016 form."""


def compact(value: str) -> str:
    """Remove surrounding and inner spaces and upper-case the letter."""
    return "".join(value.split()).upper()


def validate(value: str) -> str:
    """Return the compact form of ``value``, or raise :class:`InvalidOrganId`."""
    if not isinstance(value, str):
        raise InvalidOrganId(f"an organisation identifier is text, not {type(value).__name__}")
    code = compact(value)
    if not _STRICT.match(code):
        raise InvalidOrganId(f"{value!r} is not in the form DDD.CC.BB.Ann (e.g. 000.00.00.G22)")
    return code


def is_valid(value: object) -> bool:
    """Whether ``value`` is a QCVN 102:2016 identifier. Never raises."""
    try:
        validate(value)  # type: ignore[arg-type]
    except CatalogError:
        return False
    return True


def format(value: str) -> str:
    """The canonical printed form (the compact form)."""
    return validate(value)


def level(value: str) -> int:
    """The level of the body: 1 (``000.00.00.G22``) to 4 (``001.02.03.H41``)."""
    ddd, cc, bb, _ = validate(value).split(".")
    if ddd != "000":
        return 4
    if cc != "00":
        return 3
    if bb != "00":
        return 2
    return 1
