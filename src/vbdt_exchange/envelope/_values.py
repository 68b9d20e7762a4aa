"""Lexical forms of edXML values: reading them tolerantly and writing them strictly."""

from __future__ import annotations

import datetime
import re

__all__ = [
    "KNOWN_STATUS_CODES",
    "VIETNAM",
    "format_date",
    "format_timestamp",
    "parse_date",
    "parse_timestamp",
]

#: Vietnam's offset; edXML timestamps are local time with no zone.
VIETNAM = datetime.timezone(datetime.timedelta(hours=7), "ICT")
KNOWN_STATUS_CODES = ("01", "02", "03", "04", "05", "06", "13", "15", "16")

_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TS = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_TS_ISO = re.compile(
    r"^(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)


class DateProblem(ValueError):
    def __init__(self, kind: str, value: datetime.date | None = None) -> None:
        super().__init__(kind)
        self.kind = kind  # "unreadable" | "impossible" | "other-form"
        self.value = value


def parse_date(text: str) -> datetime.date:
    """Read a date written ``yyyy/MM/dd``.

    :raises DateProblem: ``kind`` says why; for ``other-form`` (``dd/MM/yyyy`` or ISO dashes)
        ``value`` carries the date read anyway.
    """
    m = _YMD.match(text)
    other = False
    if m:
        y, mo, d = (int(g) for g in m.groups())
        other = len(m.group(2)) != 2 or len(m.group(3)) != 2
    elif m := _DMY.match(text):
        d, mo, y = (int(g) for g in m.groups())
        other = True
    elif m := _ISO.match(text):
        y, mo, d = (int(g) for g in m.groups())
        other = True
    else:
        raise DateProblem("unreadable")
    try:
        value = datetime.date(y, mo, d)
    except ValueError:
        raise DateProblem("impossible") from None
    if other:
        raise DateProblem("other-form", value)
    return value


def parse_timestamp(text: str) -> datetime.datetime:
    """Read a timestamp written ``yyyy/MM/dd HH:mm:ss`` (naive, Vietnam local time).

    :raises DateProblem: ``unreadable``, ``impossible``, or ``other-form`` (ISO 8601 with a zone
        or a fraction; ``value`` then carries it converted to Vietnam local time).
    """
    m = _TS.match(text)
    other = False
    zone = None
    if not m:
        m = _TS_ISO.match(text)
        if not m:
            raise DateProblem("unreadable")
        other = True
        zone = m.group(8)
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    try:
        value = datetime.datetime(y, mo, d, h, mi, s)
    except ValueError:
        raise DateProblem("impossible") from None
    if zone:
        offset = datetime.timedelta(0)
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            digits = zone[1:].replace(":", "")
            offset = sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        aware = value.replace(tzinfo=datetime.timezone(offset))
        value = aware.astimezone(VIETNAM).replace(tzinfo=None)
    if other:
        raise DateProblem("other-form", value)
    return value


def format_date(value: datetime.date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: datetime.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(VIETNAM).replace(tzinfo=None)
    return f"{format_date(value)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"
