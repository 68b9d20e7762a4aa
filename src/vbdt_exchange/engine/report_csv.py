"""Exchange statistics as CSV and JSON (``vbdt report --format csv|json``).

The CSV has one row per agency, period and direction (``sent``, ``received``); the total over
every agency has agency ``*``; ``agency_name`` is the agency's name when the report knows it.
Shares are fractions (``0.75``), durations seconds; an empty cell means "no value" (no eligible
document, no duration). One ``type:NAME`` column per document type counted anywhere in the
report. A cell that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``: type names
come from the packages, which anyone can write.

>>> import datetime
>>> from vbdt_exchange.engine.stats import ExchangeRecord, aggregate
>>> at = datetime.datetime(2026, 9, 1, 8, 0)
>>> report = aggregate([ExchangeRecord("=cmd()", "sent", at, type_name="Công văn")], "2026-09")
>>> print(to_csv(report).splitlines()[1][:66])
'=cmd(),,2026-09,2026-09-01,2026-09-30,sent,1,0,1,,0,1,1,1,1,0,0,0
"""

from __future__ import annotations

import csv
import io
import json

from vbdt_exchange.engine.stats import DirectionStats, Durations, StatsReport

__all__ = ["CSV_COLUMNS", "to_csv", "to_json"]

#: The fixed columns of the CSV, before the ``type:NAME`` columns.
CSV_COLUMNS = (
    "agency",
    "agency_name",
    "period",
    "start",
    "end",
    "direction",
    "documents",
    "signed",
    "signature_unknown",
    "signed_share",
    "with_paper",
    "paper_flag_missing",
    "paperless_eligible",
    "paperless_eligible_sent_paperless",
    "paperless_share",
    "paper_required",
    "not_electronic",
    "type_unknown",
    "accepted_count",
    "accepted_waiting",
    "accepted_median_seconds",
    "accepted_mean_seconds",
    "accepted_max_seconds",
    "finished_count",
    "finished_waiting",
    "finished_median_seconds",
    "finished_mean_seconds",
    "finished_max_seconds",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, "g") if abs(value) < 1e15 else str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _durations(d: Durations) -> list[object]:
    return [d.count, d.waiting, d.median_seconds, d.mean_seconds, d.max_seconds]


def _figures(d: DirectionStats) -> list[object]:
    return [
        d.documents,
        d.signed,
        d.signature_unknown,
        d.signed_share,
        d.with_paper,
        d.paper_flag_missing,
        d.paperless_eligible,
        d.paperless_eligible_sent_paperless,
        d.paperless_share,
        d.paper_required,
        d.not_electronic,
        d.type_unknown,
        *_durations(d.to_accepted),
        *_durations(d.to_finished),
    ]


def to_csv(report: StatsReport, *, bom: bool = False) -> str:
    """The report as CSV text (``\\r\\n`` line ends, as RFC 4180 says).

    :param bom: start with a UTF-8 byte order mark, which Excel needs to read Vietnamese text
        in a CSV file correctly (write the text with ``encoding="utf-8"``).
    """
    types = report.types
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(_cell(f"type:{t}") for t in types)])
    for row in report.rows:
        for direction, figures in (("sent", row.sent), ("received", row.received)):
            writer.writerow(
                _cell(v)
                for v in (
                    "*" if row.agency is None else row.agency,
                    "" if row.agency is None else report.names.get(row.agency, ""),
                    row.period.label,
                    row.period.start.isoformat(),
                    row.period.end.isoformat(),
                    direction,
                    *_figures(figures),
                    *(figures.by_type.get(t, 0) for t in types),
                )
            )
    return ("\ufeff" if bom else "") + out.getvalue()


def to_json(report: StatsReport, *, indent: int | None = 2) -> str:
    """The report as JSON text (:meth:`StatsReport.as_json`), non-ASCII kept as is."""
    return json.dumps(report.as_json(), ensure_ascii=False, indent=indent)
