"""Organisation identifiers (mã định danh) of QCVN 102:2016/BTTTT: ``DDD.CC.BB.Ann``.

The four dot-separated groups are read from the right: the level-1 body (one upper-case letter
and two digits: ``G22`` is Văn phòng Chính phủ, ``H41`` the People's Committee of Nghệ An), then
the level-2, level-3 and level-4 units; lower levels are zeros. ``000.00.18.G12`` (Tổng cục
Thuế) is a level-2 unit of ``000.00.00.G12`` (Bộ Tài chính).

The API follows python-stdnum: :func:`compact`, :func:`validate` (the compact form, or an
:class:`InvalidOrganId`), :func:`is_valid` (never raises) and :func:`format`.

>>> validate(' 000.00.00.g22 ')
'000.00.00.G22'
>>> is_valid('vxp.saas.03')
False
>>> level('000.00.18.G12'), parent('000.00.18.G12'), root('000.00.18.G12')
(2, '000.00.00.G12', '000.00.00.G12')
>>> group_letter('000.00.00.H41'), group_meaning('H'), province('000.00.00.H41')
('H', "provincial People's Committee (UBND tỉnh) and its subordinate bodies", '41')

Real axes also accept identifiers in other forms (``vxp.saas.03``, ``H37.DN.001``). The strict
check is what :func:`is_valid` answers (the envelope reader reports a non-conforming identifier
as a warning); the lenient :func:`check` accepts those forms with a warning and rejects only
garbage (empty text, whitespace or control characters inside, absurd length):

>>> result = check('vxp.saas.03')
>>> result.valid, result.strict, result.level
(True, False, None)
>>> result.warning
'not in the QCVN 102 form DDD.CC.BB.Ann: 3 dot-separated groups, not 4'
>>> check('000.00 .00.G22 x').error
'whitespace inside the identifier'

The helpers describe the QCVN 102:2016 scheme only: for any other code they answer ``None``
("unknown") rather than guess. A small table of real identifiers is bundled
(:func:`lookup`, :func:`known`, :func:`entries`); the axis's own agency list is the authority
(:mod:`vbdt_exchange.catalog.directory`).

>>> lookup('000.00.00.G22').name
'Văn phòng Chính phủ'
>>> lookup('000.00.00.H56').status
'confirmed'
>>> lookup('000.00.00.H26').status
'reconstructed'
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import re
import unicodedata
from collections.abc import Container

import attrs

from vbdt_exchange.errors import CatalogError

__all__ = [
    "GROUP_MEANINGS",
    "MAX_LENGTH",
    "InvalidOrganId",
    "OrganEntry",
    "OrganIdCheck",
    "UnknownOrganId",
    "check",
    "compact",
    "entries",
    "format",
    "group_letter",
    "group_meaning",
    "is_valid",
    "known",
    "level",
    "lookup",
    "parent",
    "province",
    "root",
    "validate",
]

#: Longest text :func:`check` considers as an identifier at all (the standard's field is 13).
MAX_LENGTH = 64

#: The level-1 letters whose meaning is established (``identifiers.md`` §2.1). Any other letter
#: is unknown: :func:`group_meaning` answers ``None`` for it.
GROUP_MEANINGS: dict[str, str] = {
    "G": "Government: ministries, ministry-level agencies, government agencies",
    "H": "provincial People's Committee (UBND tỉnh) and its subordinate bodies",
    "K": "provincial People's Council (HĐND tỉnh) and its office",
}

_STRICT = re.compile(r"([0-9]{3})\.([0-9]{2})\.([0-9]{2})\.([A-Z])([0-9]{2})", re.ASCII)
_LOOSE_STRICT = re.compile(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Za-z][0-9]{2}", re.ASCII)
_LENIENT = re.compile(r"[A-Za-z0-9]+(?:[._:-][A-Za-z0-9]+)*", re.ASCII)
_GROUP_SHAPES = (
    (re.compile(r"[0-9]{3}"), "level-4", "3 digits"),
    (re.compile(r"[0-9]{2}"), "level-3", "2 digits"),
    (re.compile(r"[0-9]{2}"), "level-2", "2 digits"),
    (re.compile(r"[A-Z][0-9]{2}"), "level-1", "a letter and 2 digits"),
)


class InvalidOrganId(CatalogError):
    """The value is not an organisation identifier (in the form asked for)."""


class UnknownOrganId(InvalidOrganId):
    """The identifier is well-formed but not in the directory (``known_only=True``)."""


@attrs.frozen
class OrganIdCheck:
    """What :func:`check` found about one value.

    ``valid`` is true for QCVN 102 codes and for the non-conforming forms real axes accept;
    ``strict`` only for the QCVN 102 form. ``level``, ``parent``, ``root`` and ``group`` (the
    level-1 letter) are ``None`` unless ``strict``. ``warning`` says why a valid value is not
    strict; ``error`` why an invalid value was rejected.
    """

    input: object
    valid: bool
    strict: bool
    value: str | None = None
    level: int | None = None
    parent: str | None = None
    root: str | None = None
    group: str | None = None
    warning: str | None = None
    error: str | None = None


@attrs.frozen
class OrganEntry:
    """One row of the bundled table of identifiers (``catalog/data/organ_ids.csv``).

    ``status`` is ``confirmed`` (seen in samples or several agreeing sources) or
    ``reconstructed`` (one secondary source, or inferred, e.g. the province numbering);
    ``confidence`` is the tag of the specification (``A``, ``B``, ``C``). ``code_qd20`` is the
    QĐ 20/2020 code when known (none is yet).
    """

    code102: str
    code_qd20: str | None
    name: str
    level: int | None
    status: str
    confidence: str
    note: str
    source: str


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidOrganId(f"an organisation identifier is text, not {type(value).__name__}")
    return unicodedata.normalize("NFC", value)


def compact(value: str) -> str:
    """Remove whitespace; upper-case the letter of a code in the QCVN 102 form.

    Other forms keep their case: the axis compares ``vxp.saas.03`` as it was registered.

    >>> compact(' 000.00.00.g22 ')
    '000.00.00.G22'
    >>> compact(' vxp.saas.03 ')
    'vxp.saas.03'
    """
    code = "".join(_text(value).split())
    if _LOOSE_STRICT.fullmatch(code):
        return code.upper()
    return code


def _problem(text: str) -> str | None:
    """Why ``text`` (already stripped) is garbage rather than an identifier, or ``None``."""
    if not text:
        return "empty"
    if len(text) > MAX_LENGTH:
        return f"{len(text)} characters long (at most {MAX_LENGTH})"
    for char in text:
        if char.isspace():
            return "whitespace inside the identifier"
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return f"control or invisible character U+{ord(char):04X}"
    for char in text:
        if not char.isascii():
            return f"non-ASCII character {char!r}"
    if not _LENIENT.fullmatch(text):
        return "only letters and digits separated by '.', '-', '_' or ':' are accepted"
    return None


def _why_not_strict(code: str) -> str:
    parts = code.split(".")
    if len(parts) != 4:
        return f"{len(parts)} dot-separated group{'s' if len(parts) != 1 else ''}, not 4"
    for part, (shape, name, want) in zip(parts, _GROUP_SHAPES, strict=True):
        if not shape.fullmatch(part):
            return f"the {name} group {part!r} is not {want}"
    return "not in the form"  # pragma: no cover - every other case matches _STRICT


def check(value: object) -> OrganIdCheck:
    """Check ``value`` leniently; never raises.

    >>> check('000.00.18.G12')
    OrganIdCheck(input='000.00.18.G12', valid=True, strict=True, value='000.00.18.G12', \
level=2, parent='000.00.00.G12', root='000.00.00.G12', group='G', warning=None, error=None)
    >>> check('99.99.99.G21').warning
    "not in the QCVN 102 form DDD.CC.BB.Ann: the level-4 group '99' is not 3 digits"
    >>> check('').error
    'empty'
    >>> check(None).error
    'an organisation identifier is text, not NoneType'
    """
    try:
        text = _text(value)
    except InvalidOrganId as exc:
        return OrganIdCheck(value, valid=False, strict=False, error=str(exc))
    code = compact(text)
    if _STRICT.fullmatch(code):
        stripped = text.strip()
        warning = None if stripped == "".join(stripped.split()) else "whitespace removed"
        return OrganIdCheck(
            value,
            valid=True,
            strict=True,
            value=code,
            level=level(code),
            parent=parent(code),
            root=root(code),
            group=code[10],
            warning=warning,
        )
    stripped = text.strip()
    problem = _problem(stripped)
    if problem is not None:
        return OrganIdCheck(value, valid=False, strict=False, error=problem)
    warning = f"not in the QCVN 102 form DDD.CC.BB.Ann: {_why_not_strict(stripped)}"
    return OrganIdCheck(value, valid=True, strict=False, value=stripped, warning=warning)


def validate(
    value: str,
    *,
    strict: bool = True,
    known_only: bool = False,
    directory: Container[str] | None = None,
) -> str:
    """Return the compact form of ``value``, or raise :class:`InvalidOrganId`.

    With ``strict=False`` the non-conforming forms :func:`check` accepts are returned too. With
    ``known_only=True`` the identifier must also be in ``directory`` (anything supporting
    ``in``, such as an :class:`~vbdt_exchange.catalog.directory.AgencyDirectory`), by default
    the bundled table; otherwise :class:`UnknownOrganId` is raised.

    >>> validate('001.00.20.TT2')
    Traceback (most recent call last):
      ...
    vbdt_exchange.catalog.organ_id.InvalidOrganId: '001.00.20.TT2' is not in the form \
DDD.CC.BB.Ann (e.g. 000.00.00.G22): the level-1 group 'TT2' is not a letter and 2 digits
    >>> validate('001.00.20.TT2', strict=False)
    '001.00.20.TT2'
    >>> validate('000.00.00.G22', known_only=True)
    '000.00.00.G22'
    >>> validate('000.00.00.G99', known_only=True)
    Traceback (most recent call last):
      ...
    vbdt_exchange.catalog.organ_id.UnknownOrganId: '000.00.00.G99' is not a known identifier
    """
    result = check(value)
    if not result.valid:
        raise InvalidOrganId(f"{value!r} is not an organisation identifier: {result.error}")
    assert result.value is not None  # a valid check always has a value
    if strict and not result.strict:
        raise InvalidOrganId(
            f"{value!r} is not in the form DDD.CC.BB.Ann (e.g. 000.00.00.G22): "
            + _why_not_strict(result.value)
        )
    if known_only:
        found = known(result.value) if directory is None else result.value in directory
        if not found:
            raise UnknownOrganId(f"{result.value!r} is not a known identifier")
    return result.value


def is_valid(
    value: object,
    *,
    strict: bool = True,
    known_only: bool = False,
    directory: Container[str] | None = None,
) -> bool:
    """Whether ``value`` is an identifier (by default: in the QCVN 102 form). Never raises.

    >>> is_valid('000.00.00.G22'), is_valid('H37.DN.001'), is_valid('H37.DN.001', strict=False)
    (True, False, True)
    >>> is_valid(None), is_valid(b'000.00.00.G22')
    (False, False)
    """
    try:
        validate(
            value,  # type: ignore[arg-type]
            strict=strict,
            known_only=known_only,
            directory=directory,
        )
    except CatalogError:
        return False
    except Exception:  # a hostile ``directory``: still never raise
        return False
    return True


def format(value: str) -> str:
    """The canonical printed form (the compact form of a QCVN 102 code).

    >>> format('000.00.00.h41')
    '000.00.00.H41'
    """
    return validate(value)


def _strict_parts(value: object) -> tuple[str, str, str, str, str] | None:
    try:
        code = compact(value)  # type: ignore[arg-type]
    except CatalogError:
        return None
    match = _STRICT.fullmatch(code)
    if match is None:
        return None
    ddd, cc, bb, letter, nn = match.groups()
    return ddd, cc, bb, letter, nn


def level(value: str) -> int | None:
    """The level of the body: 1 (``000.00.00.G22``) to 4 (``001.02.03.H41``).

    ``None`` for a code not in the QCVN 102 form (its level is unknown).

    >>> level('000.00.00.G22'), level('001.02.03.H41'), level('vxp.saas.03')
    (1, 4, None)
    """
    parts = _strict_parts(value)
    if parts is None:
        return None
    ddd, cc, bb, _, _ = parts
    if ddd != "000":
        return 4
    if cc != "00":
        return 3
    if bb != "00":
        return 2
    return 1


def parent(value: str) -> str | None:
    """The code of the body one level up: the lowest non-zero group zeroed.

    ``None`` for a level-1 body and for a code not in the QCVN 102 form.

    >>> parent('001.02.03.H41'), parent('000.02.03.H41'), parent('000.00.00.H41')
    ('000.02.03.H41', '000.00.03.H41', None)
    """
    parts = _strict_parts(value)
    if parts is None:
        return None
    ddd, cc, bb, letter, nn = parts
    if ddd != "000":
        ddd = "000"
    elif cc != "00":
        cc = "00"
    elif bb != "00":
        bb = "00"
    else:
        return None
    return f"{ddd}.{cc}.{bb}.{letter}{nn}"


def root(value: str) -> str | None:
    """The level-1 body: ``000.00.00.`` and the level-1 group (``None`` when unknown).

    >>> root('001.02.03.H41')
    '000.00.00.H41'
    """
    parts = _strict_parts(value)
    if parts is None:
        return None
    return f"000.00.00.{parts[3]}{parts[4]}"


def group_letter(value: str) -> str | None:
    """The letter of the level-1 group (``G``, ``H``, ``K``, ...), ``None`` when unknown.

    >>> group_letter('000.00.18.G12'), group_letter('H37.DN.001')
    ('G', None)
    """
    parts = _strict_parts(value)
    return None if parts is None else parts[3]


def group_meaning(letter: object) -> str | None:
    """What a level-1 letter stands for; ``None`` for a letter whose meaning is not established.

    >>> group_meaning('K')
    "provincial People's Council (HĐND tỉnh) and its office"
    >>> group_meaning('A') is None, group_meaning('Z') is None
    (True, True)
    """
    if not isinstance(letter, str):
        return None
    return GROUP_MEANINGS.get(letter.strip().upper())


def province(value: str) -> str | None:
    """The two-digit province number of an ``H`` or ``K`` code (pre-2025 numbering).

    ``None`` for other letters and other forms: the number means a province only there.

    >>> province('000.00.14.H56'), province('000.00.00.K41'), province('000.00.00.G22')
    ('56', '41', None)
    """
    parts = _strict_parts(value)
    if parts is None or parts[3] not in ("H", "K"):
        return None
    return parts[4]


# -- the bundled table --------------------------------------------------------------------------


@functools.cache
def _table() -> tuple[tuple[OrganEntry, ...], dict[str, OrganEntry]]:
    resource = importlib.resources.files("vbdt_exchange.catalog") / "data" / "organ_ids.csv"
    text = resource.read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    found: list[OrganEntry] = []
    index: dict[str, OrganEntry] = {}
    for row in rows:
        entry = OrganEntry(
            code102=row["code102"],
            code_qd20=row["code_qd20"] or None,
            name=row["name"],
            level=int(row["level"]) if row["level"] else None,
            status=row["status"],
            confidence=row["confidence"],
            note=row["note"],
            source=row["source"],
        )
        found.append(entry)
        for code in (entry.code102, entry.code_qd20):
            if code:
                index.setdefault(code, entry)
    return tuple(found), index


def entries() -> tuple[OrganEntry, ...]:
    """Every row of the bundled table, in file order.

    >>> len(entries()) > 90
    True
    """
    return _table()[0]


def lookup(code: object) -> OrganEntry | None:
    """The bundled row of ``code`` (legacy or QĐ 20 code), or ``None``. Never raises.

    >>> lookup(' 000.00.00.g12 ').name
    'Bộ Tài chính'
    >>> lookup('000.00.00.G99') is None, lookup(None) is None
    (True, True)
    """
    try:
        key = compact(code)  # type: ignore[arg-type]
    except CatalogError:
        return None
    return _table()[1].get(key)


def known(code: object) -> bool:
    """Whether ``code`` is in the bundled table. Never raises.

    >>> known('000.00.00.G17'), known('000.00.00.G23')
    (True, False)
    """
    return lookup(code) is not None
