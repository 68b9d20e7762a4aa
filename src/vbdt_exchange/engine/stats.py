"""Exchange statistics: how many documents each agency sent and received, per month and quarter.

Provincial offices report monthly and quarterly how many documents each unit sent and received
electronically, how many were signed, how many went without a paper copy, and how fast they
were handled. This module computes those figures from :class:`ExchangeRecord` values — one per
document an agency sent or received — which :mod:`vbdt_exchange.engine.stats_sources` reads from
the engine's journal or from a local axis store.

>>> import datetime
>>> at = datetime.datetime(2026, 9, 14, 9, 30, tzinfo=VIETNAM)
>>> records = [
...     ExchangeRecord("000.00.00.H29", "sent", at, type_name="Công văn", signed=True, paper=0,
...                    statuses=(StatusEvent("03", at + datetime.timedelta(hours=2), "G22"),),
...                    counterparts=("G22",)),
...     ExchangeRecord("000.00.00.H29", "received", at, type_name="Biên bản", signed=False),
... ]
>>> report = aggregate(records, parse_period("2026-Q3"))
>>> row = report.row("000.00.00.H29", "2026-Q3")
>>> (row.sent.documents, row.received.documents, row.sent.signed_share)
(1, 1, 1.0)
>>> row.sent.to_accepted.median_seconds
7200.0

What is counted (the definitions the documentation gives in full):

* **sent**: each document once, whatever the number of receivers; **received**: each document
  once per receiving agency. Status packages are never documents.
* a record belongs to the period of its ``at`` in Vietnam time (UTC+7), so a document sent at
  23:30 on 30 September is a September document wherever the report runs.
* **signed share**: documents with a signature among those whose signature state is known.
* **paperless share**: among the documents the paperless policy lets go without paper
  (:func:`vbdt_exchange.catalog.policy.check` says ``electronic_only`` for their type on the
  day they were sent), those whose ``Paper`` flag is 0 or absent.
* **time to accepted / finished**: from ``at`` to the first status ``03`` / ``06``; for a
  sent document per receiver (each receiver's answer is one duration), for a received one the
  time the agency took to set it.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import functools
import logging
import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import attrs

from vbdt_exchange.catalog import doctypes
from vbdt_exchange.catalog import policy as paperless_policy
from vbdt_exchange.engine.errors import EngineError
from vbdt_exchange.errors import CatalogError

__all__ = [
    "VIETNAM",
    "AgencyStats",
    "DirectionStats",
    "Durations",
    "ExchangeRecord",
    "InvalidPeriod",
    "Period",
    "StatsError",
    "StatsReport",
    "StatsSourceError",
    "StatusEvent",
    "aggregate",
    "parse_period",
    "type_label",
]

log = logging.getLogger(__name__)

#: Vietnam time (UTC+7, no daylight saving): the clock periods are counted in.
VIETNAM = datetime.timezone(datetime.timedelta(hours=7), "ICT")
ACCEPTED = "03"
FINISHED = "06"

Direction = Literal["sent", "received"]
Granularity = Literal["month", "quarter"]


class StatsError(EngineError):
    """Statistics cannot be computed (:mod:`vbdt_exchange.engine.stats`)."""


class InvalidPeriod(StatsError, ValueError):
    """A period is not ``YYYY``, ``YYYY-Qn``, ``YYYY-MM`` or a valid date range."""


class StatsSourceError(StatsError):
    """A journal or axis store cannot be read for statistics (missing, not that kind of file)."""


# -- periods --------------------------------------------------------------------------------------


@attrs.frozen
class Period:
    """A span of calendar days, counted in Vietnam time.

    :ivar start: the first day.
    :ivar end: the last day (inclusive).
    :ivar label: ``2026-Q3``, ``2026-09``, ``2026`` or ``2026-07-01..2026-08-15``.
    :ivar kind: ``year``, ``quarter``, ``month`` or ``range``.
    """

    start: datetime.date
    end: datetime.date
    label: str
    kind: Literal["year", "quarter", "month", "range"]

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPeriod(f"the period {self.label} ends before it starts")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``year-month``."""
        last = calendar.monthrange(year, month)[1]
        return cls(
            datetime.date(year, month, 1),
            datetime.date(year, month, last),
            f"{year:04d}-{month:02d}",
            "month",
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter ``quarter`` (1–4) of ``year``."""
        first = 3 * (quarter - 1) + 1
        return cls(
            datetime.date(year, first, 1),
            cls.month(year, first + 2).end,
            f"{year:04d}-Q{quarter}",
            "quarter",
        )

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year."""
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year:04d}", "year")

    @classmethod
    def between(cls, start: datetime.date, end: datetime.date) -> Period:
        """The days from ``start`` to ``end``, both included.

        >>> Period.between(datetime.date(2026, 7, 1), datetime.date(2026, 8, 15)).label
        '2026-07-01..2026-08-15'
        """
        return cls(start, end, f"{start.isoformat()}..{end.isoformat()}", "range")

    def contains(self, moment: datetime.datetime) -> bool:
        """Whether ``moment`` (aware; naive is read as Vietnam time) falls in the period."""
        return self.start <= local_date(moment) <= self.end

    def months(self) -> tuple[Period, ...]:
        """The calendar months the period touches, each cut to the period.

        >>> [p.label for p in parse_period('2026-Q3').months()]
        ['2026-07', '2026-08', '2026-09']
        """
        return self._split(
            lambda d: Period.month(d.year, d.month),
        )

    def quarters(self) -> tuple[Period, ...]:
        """The quarters the period touches, each cut to the period.

        >>> [p.label for p in parse_period('2026').quarters()]
        ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']
        """
        return self._split(lambda d: Period.quarter(d.year, (d.month - 1) // 3 + 1))

    def _split(self, unit: object) -> tuple[Period, ...]:
        found: list[Period] = []
        day = self.start
        while day <= self.end:
            whole: Period = unit(day)  # type: ignore[operator]
            start, end = max(whole.start, self.start), min(whole.end, self.end)
            if (start, end) == (whole.start, whole.end):
                found.append(whole)
            else:
                found.append(Period.between(start, end))
            day = end + datetime.timedelta(days=1)
        return tuple(found)


_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")


def parse_period(text: str) -> Period:
    """A period from ``2026-Q3`` (quarter), ``2026-09`` (month), ``2026`` (year) or
    ``2026-07-01..2026-08-15`` (a range of days, both included).

    >>> parse_period('2026-q3').label, parse_period('2026-9').label
    ('2026-Q3', '2026-09')
    >>> parse_period('2026-13')
    Traceback (most recent call last):
    ...
    vbdt_exchange.engine.stats.InvalidPeriod: '2026-13' is not a period: the month must be 01 to 12
    """
    if not isinstance(text, str):
        raise InvalidPeriod(f"a period is a text such as 2026-Q3, not {text!r:.40}")
    value = text.strip()
    shown = repr(value[:40])
    if ".." in value:
        first, _, last = value.partition("..")
        return Period.between(_day(first, shown), _day(last, shown))
    if m := _QUARTER.fullmatch(value):
        return Period.quarter(_year(m.group(1), shown), int(m.group(2)))
    if m := _MONTH.fullmatch(value):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise InvalidPeriod(f"{shown} is not a period: the month must be 01 to 12")
        return Period.month(_year(m.group(1), shown), month)
    if m := _YEAR.fullmatch(value):
        return Period.year(_year(m.group(1), shown))
    raise InvalidPeriod(
        f"{shown} is not a period: use YYYY-Qn (2026-Q3), YYYY-MM (2026-09), YYYY (2026) "
        "or FROM..TO (2026-07-01..2026-08-15)"
    )


def _year(text: str, shown: str) -> int:
    year = int(text)
    if not 1900 <= year <= 9998:
        raise InvalidPeriod(f"{shown} is not a period: the year must be 1900 to 9998")
    return year


def _day(text: str, shown: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidPeriod(
            f"{shown} is not a period: {text.strip()[:20]!r} is not a date (YYYY-MM-DD)"
        ) from None
    if not 1900 <= day.year <= 9998:
        raise InvalidPeriod(f"{shown} is not a period: the year must be 1900 to 9998")
    return day


def local_date(moment: datetime.datetime) -> datetime.date:
    """The Vietnam calendar day of ``moment`` (a naive ``moment`` is already Vietnam time)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(VIETNAM).date()


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(tzinfo=VIETNAM) if moment.tzinfo is None else moment


# -- records --------------------------------------------------------------------------------------


@attrs.frozen
class StatusEvent:
    """A status set on a document.

    :ivar code: the status code (``01`` … ``16``; ``03`` accepted, ``06`` finished).
    :ivar at: when it was set (aware, or naive Vietnam time).
    :ivar organ_id: who set it, when known.
    """

    code: str
    at: datetime.datetime
    organ_id: str | None = None


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _events(values: Iterable[StatusEvent]) -> tuple[StatusEvent, ...]:
    return tuple(values)


@attrs.frozen
class ExchangeRecord:
    """One document an agency sent or received: what statistics are computed from.

    :ivar agency: the agency's organ id (the sender of a sent document, the receiver of a
        received one).
    :ivar direction: ``sent`` or ``received``.
    :ivar at: when it was sent (the axis took it) or received (aware, or naive Vietnam time).
    :ivar counterparts: the other side: the receivers of a sent document, the sender of a
        received one.
    :ivar document_id: the edXML ``DocumentId``, when known.
    :ivar type_name: the edXML ``DocumentType/TypeName`` (``Công văn``), when known.
    :ivar signed: whether the document carried a signature (``None``: unknown). What
        "signed" means depends on the source: see :mod:`vbdt_exchange.engine.stats_sources`.
    :ivar paper: the edXML ``Bussiness/Paper`` flag (``1``: a paper copy is sent too), or
        ``None`` when the package has none.
    :ivar statuses: the statuses that answer it: for a sent document those its receivers set,
        for a received one those the agency set.
    :ivar key: the source's id of the record (for logs).
    """

    agency: str
    direction: Direction
    at: datetime.datetime
    counterparts: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    document_id: str | None = None
    type_name: str | None = None
    signed: bool | None = None
    paper: int | None = None
    statuses: tuple[StatusEvent, ...] = attrs.field(default=(), converter=_events)
    key: str = ""

    def __attrs_post_init__(self) -> None:
        if self.direction not in ("sent", "received"):
            raise StatsError(
                f"a record's direction is 'sent' or 'received', not {self.direction!r}"
            )


@functools.lru_cache(maxsize=4096)
def type_label(type_name: str | None) -> str:
    """The name a document type is counted under: the catalogue's name for it when it knows the
    ``TypeName`` (``cong van`` → ``Công văn``), else the ``TypeName`` as written, else ``""``.

    >>> type_label('CONG VAN'), type_label('Quyết định'), type_label('Phiếu lạ'), type_label(None)
    ('Công văn', 'Quyết định', 'Phiếu lạ', '')
    """
    if type_name is None:
        return ""
    text = " ".join(unicodedata.normalize("NFC", type_name).split())[:100]
    if not text:
        return ""
    try:
        return doctypes.lookup(text).base_name
    except CatalogError:
        return text


# -- figures --------------------------------------------------------------------------------------


@attrs.frozen
class Durations:
    """How long documents waited for a status.

    :ivar count: how many durations were measured.
    :ivar waiting: how many documents (receiver copies, for sent documents) have no such
        status yet.
    :ivar median_seconds: the median, or ``None`` without durations.
    :ivar mean_seconds: the mean, or ``None``.
    :ivar max_seconds: the longest, or ``None``.
    """

    count: int = 0
    waiting: int = 0
    median_seconds: float | None = None
    mean_seconds: float | None = None
    max_seconds: float | None = None

    @classmethod
    def of(cls, seconds: Sequence[float], waiting: int) -> Durations:
        if not seconds:
            return cls(0, waiting)
        return cls(
            len(seconds),
            waiting,
            float(statistics.median(seconds)),
            round(statistics.fmean(seconds), 3),
            float(max(seconds)),
        )

    def as_json(self) -> dict[str, object]:
        return attrs.asdict(self)


@attrs.frozen
class DirectionStats:
    """The figures of one direction (sent or received) for one agency and period.

    :ivar documents: how many documents.
    :ivar signed: how many carried a signature.
    :ivar signature_unknown: how many of unknown signature state (left out of the share).
    :ivar with_paper: how many declared a paper copy (``Paper`` ≥ 1).
    :ivar paper_flag_missing: how many had no ``Paper`` flag (counted as without paper).
    :ivar paperless_eligible: how many the policy lets go without paper (``electronic_only``).
    :ivar paperless_eligible_sent_paperless: of those, how many went without a paper copy.
    :ivar paper_required: how many the policy says need a paper copy too (``paper_also``).
    :ivar not_electronic: how many the policy says must not be exchanged electronically.
    :ivar type_unknown: how many have no ``TypeName`` the policy knows (not classified).
    :ivar by_type: documents per type label (:func:`type_label`; ``""`` when unknown).
    :ivar to_accepted: time to status ``03``.
    :ivar to_finished: time to status ``06``.
    """

    documents: int = 0
    signed: int = 0
    signature_unknown: int = 0
    with_paper: int = 0
    paper_flag_missing: int = 0
    paperless_eligible: int = 0
    paperless_eligible_sent_paperless: int = 0
    paper_required: int = 0
    not_electronic: int = 0
    type_unknown: int = 0
    by_type: Mapping[str, int] = attrs.field(factory=dict)
    to_accepted: Durations = Durations()
    to_finished: Durations = Durations()

    @property
    def signed_share(self) -> float | None:
        """``signed`` among documents of known signature state, 0–1; ``None`` when none."""
        known = self.documents - self.signature_unknown
        return round(self.signed / known, 4) if known else None

    @property
    def paperless_share(self) -> float | None:
        """``paperless_eligible_sent_paperless / paperless_eligible``; ``None`` when none are
        eligible."""
        if not self.paperless_eligible:
            return None
        return round(self.paperless_eligible_sent_paperless / self.paperless_eligible, 4)

    def as_json(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "signed": self.signed,
            "signature_unknown": self.signature_unknown,
            "signed_share": self.signed_share,
            "with_paper": self.with_paper,
            "paper_flag_missing": self.paper_flag_missing,
            "paperless_eligible": self.paperless_eligible,
            "paperless_eligible_sent_paperless": self.paperless_eligible_sent_paperless,
            "paperless_share": self.paperless_share,
            "paper_required": self.paper_required,
            "not_electronic": self.not_electronic,
            "type_unknown": self.type_unknown,
            "by_type": dict(self.by_type),
            "to_accepted": self.to_accepted.as_json(),
            "to_finished": self.to_finished.as_json(),
        }


@attrs.frozen
class AgencyStats:
    """The figures of one agency (or of all, ``agency=None``) for one period.

    :ivar agency: the organ id, or ``None`` for the total over every agency.
    :ivar period: the period.
    :ivar sent: the documents it sent.
    :ivar received: the documents it received.
    """

    agency: str | None
    period: Period
    sent: DirectionStats
    received: DirectionStats

    def as_json(self) -> dict[str, object]:
        return {
            "agency": self.agency,
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "sent": self.sent.as_json(),
            "received": self.received.as_json(),
        }


@attrs.frozen
class StatsReport:
    """What :func:`aggregate` returns.

    :ivar period: the period of the report.
    :ivar parts: the months or quarters it is split into (empty when not split).
    :ivar agencies: the agencies in the report, sorted.
    :ivar rows: per agency (sorted), one row per part then one for the whole period; then the
        same for every agency together (``agency=None``).
    :ivar policy: the paperless profile the shares were computed with.
    :ivar source: where the records came from (a description, for the report's header).
    :ivar outside: how many records fell outside the period (or the agency filter).
    :ivar names: the names of the agencies in the report that have one (organ id → name).
    """

    period: Period
    parts: tuple[Period, ...]
    agencies: tuple[str, ...]
    rows: tuple[AgencyStats, ...]
    policy: str
    source: str = ""
    outside: int = 0
    names: Mapping[str, str] = attrs.field(factory=dict)

    def row(self, agency: str | None, period: str | None = None) -> AgencyStats:
        """The row of ``agency`` (``None``: every agency) for the period labelled ``period``
        (default: the whole period).

        :raises KeyError: there is no such row.
        """
        label = self.period.label if period is None else period
        for row in self.rows:
            if row.agency == agency and row.period.label == label:
                return row
        raise KeyError((agency, label))

    @property
    def types(self) -> tuple[str, ...]:
        """Every type label counted in the report, sorted (``""``, unknown, last)."""
        found = {t for row in self.rows for d in (row.sent, row.received) for t in d.by_type}
        return tuple(sorted(found, key=lambda t: (t == "", t)))

    def as_json(self) -> dict[str, object]:
        """The JSON form (``vbdt report --format json``)."""
        return {
            "period": {
                "label": self.period.label,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
            },
            "timezone": "+07:00",
            "policy": self.policy,
            "source": self.source,
            "outside_period": self.outside,
            "agencies": list(self.agencies),
            "names": dict(self.names),
            "rows": [row.as_json() for row in self.rows],
        }


# -- aggregation ----------------------------------------------------------------------------------


class _Classifier:
    """Policy verdicts per type label, cached per stretch of days over which the profile's
    dates (its effective range, each rule's ``from``/``until``) cannot change the answer."""

    def __init__(self, profile: paperless_policy.Policy) -> None:
        self.profile = profile
        edges: set[datetime.date] = set()
        one = datetime.timedelta(days=1)
        for start, end in (
            (profile.effective_from, profile.effective_until),
            *((r.start, r.end) for r in (*profile.exceptions, *profile.special_rules)),
        ):
            if start is not None:
                edges.add(start)
            if end is not None and end < datetime.date.max:
                edges.add(end + one)
        self._edges = sorted(edges)
        self._cache: dict[tuple[str, int], str | None] = {}

    def verdict(self, label: str, day: datetime.date) -> str | None:
        if not label:
            return None
        key = (label, bisect.bisect_right(self._edges, day))
        if key not in self._cache:
            try:
                found: str | None = paperless_policy.check(
                    label, date=day, profile=self.profile
                ).verdict
            except paperless_policy.UnknownDocumentType:
                found = None
            self._cache[key] = found
        return self._cache[key]


def _first(statuses: Iterable[StatusEvent], code: str, organ: str | None) -> StatusEvent | None:
    found = [
        s
        for s in statuses
        if s.code == code and (organ is None or s.organ_id is None or s.organ_id == organ)
    ]
    return min(found, key=lambda s: _aware(s.at)) if found else None


def _waits(record: ExchangeRecord, code: str) -> tuple[list[float], int]:
    """The durations to ``code`` of one record, and how many copies still wait for it."""
    start = _aware(record.at)
    copies: Sequence[str | None] = [None]
    if record.direction == "sent" and record.counterparts:
        copies = record.counterparts
    seconds: list[float] = []
    waiting = 0
    for organ in copies:
        status = _first(record.statuses, code, organ)
        if status is None:
            waiting += 1
        else:  # a remote clock may be behind ours: never a negative duration
            seconds.append(max(0.0, (_aware(status.at) - start).total_seconds()))
    return seconds, waiting


def _direction(records: Sequence[ExchangeRecord], classify: _Classifier) -> DirectionStats:
    by_type: dict[str, int] = {}
    counts = dict.fromkeys(
        (
            "signed",
            "signature_unknown",
            "with_paper",
            "paper_flag_missing",
            "paperless_eligible",
            "paperless_eligible_sent_paperless",
            "paper_required",
            "not_electronic",
            "type_unknown",
        ),
        0,
    )
    accepted: list[float] = []
    finished: list[float] = []
    waiting_accepted = waiting_finished = 0
    for record in records:
        label = type_label(record.type_name)
        by_type[label] = by_type.get(label, 0) + 1
        if record.signed is None:
            counts["signature_unknown"] += 1
        elif record.signed:
            counts["signed"] += 1
        paperless = not record.paper
        if record.paper is None:
            counts["paper_flag_missing"] += 1
        elif record.paper:
            counts["with_paper"] += 1
        verdict = classify.verdict(label, local_date(record.at))
        if verdict is None:
            counts["type_unknown"] += 1
        elif verdict == "electronic_only":
            counts["paperless_eligible"] += 1
            counts["paperless_eligible_sent_paperless"] += int(paperless)
        elif verdict == "paper_also":
            counts["paper_required"] += 1
        else:
            counts["not_electronic"] += 1
        seconds, waiting = _waits(record, ACCEPTED)
        accepted += seconds
        waiting_accepted += waiting
        seconds, waiting = _waits(record, FINISHED)
        finished += seconds
        waiting_finished += waiting
    return DirectionStats(
        documents=len(records),
        by_type=dict(sorted(by_type.items(), key=lambda kv: (kv[0] == "", kv[0]))),
        to_accepted=Durations.of(accepted, waiting_accepted),
        to_finished=Durations.of(finished, waiting_finished),
        **counts,
    )


def aggregate(
    records: Iterable[ExchangeRecord],
    period: Period | str,
    *,
    by: Granularity | None = "month",
    agencies: Iterable[str] | None = None,
    policy: str | paperless_policy.Policy = "national",
    source: str = "",
    names: Mapping[str, str] | None = None,
) -> StatsReport:
    """The figures of ``records`` that fall in ``period``, per agency and per month or quarter.

    :param period: a :class:`Period` or its text (:func:`parse_period`).
    :param by: split the period into months or quarters (``None``: only the whole period). A
        part that is the whole period is not repeated.
    :param agencies: only these agencies (default: every agency in the records).
    :param policy: the paperless profile (a shipped name or a
        :class:`~vbdt_exchange.catalog.policy.Policy`).
    :param source: a description of where the records came from, kept in the report.
    :param names: agency names by organ id (those of the report's agencies are kept), for
        instance from :func:`~vbdt_exchange.engine.stats_sources.agency_names`.
    :raises InvalidPeriod: ``period`` is not a period, or ``by`` is not ``month``/``quarter``.
    :raises UnknownPolicy: no shipped profile has that name.
    """
    if isinstance(period, str):
        period = parse_period(period)
    if by not in ("month", "quarter", None):
        raise InvalidPeriod(f"by must be 'month', 'quarter' or None, not {by!r}")
    profile = policy if isinstance(policy, paperless_policy.Policy) else None
    if profile is None:
        profile = paperless_policy.get_policy(str(policy))
    wanted = None if agencies is None else frozenset(agencies)
    parts: tuple[Period, ...] = ()
    if by == "month":
        parts = period.months()
    elif by == "quarter":
        parts = period.quarters()
    if len(parts) == 1 and (parts[0].start, parts[0].end) == (period.start, period.end):
        parts = ()

    kept: list[ExchangeRecord] = []
    outside = 0
    for record in records:
        if period.contains(record.at) and (wanted is None or record.agency in wanted):
            kept.append(record)
        else:
            outside += 1
    by_agency: dict[str, list[ExchangeRecord]] = {a: [] for a in wanted or ()}
    for record in kept:
        by_agency.setdefault(record.agency, []).append(record)
    agency_ids = sorted(by_agency)
    classify = _Classifier(profile)
    rows: list[AgencyStats] = []
    for agency in [*agency_ids, None]:
        mine = kept if agency is None else by_agency[agency]
        for span in (*parts, period):
            inside = [r for r in mine if span.contains(r.at)]
            rows.append(
                AgencyStats(
                    agency,
                    span,
                    _direction([r for r in inside if r.direction == "sent"], classify),
                    _direction([r for r in inside if r.direction == "received"], classify),
                )
            )
    log.info(
        "statistics for %s: %d record(s) in the period, %d outside",
        period.label,
        len(kept),
        outside,
    )
    known = {a: str(names[a]) for a in agency_ids if names and a in names and names[a]}
    return StatsReport(
        period, parts, tuple(agency_ids), tuple(rows), profile.name, source, outside, known
    )
