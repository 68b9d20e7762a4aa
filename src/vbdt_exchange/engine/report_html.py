"""Exchange statistics as one self-contained HTML page with bar charts (``--format html``).

The page needs nothing but a browser: the charts are inline SVG drawn here, the style is
inline, there is no script and no external resource (a ``Content-Security-Policy`` meta tag
forbids loading any). Every label is in Vietnamese and English, and every text that comes from
the data (agency ids, type names, the source) is escaped.

Each chart is a ``<figure class="chart" data-chart="NAME">`` holding one ``<svg>``; each bar is
a ``<rect class="bar" data-series="SERIES" data-category="CATEGORY" data-value="VALUE">`` whose
width is proportional to its value (the longest bar of a chart is :data:`BAR_WIDTH` pixels),
with a ``<title>`` tooltip. A category without a value shows ``—`` and no bar. The charts:

* ``volume`` — documents sent and received per agency, over the whole period;
* ``parts`` — documents sent and received by every agency, per month or quarter (when split);
* ``types`` — documents sent and received by type, every agency together;
* ``shares`` — per agency, the signed share and the paperless share of sent documents, in %;
* ``handling`` — per agency, the median hours it took to accept (``03``) and to finish
  (``06``) the documents it received.

>>> import datetime
>>> from vbdt_exchange.engine.stats import ExchangeRecord, aggregate
>>> at = datetime.datetime(2026, 9, 1, 8, 0)
>>> page = to_html(aggregate([ExchangeRecord("<H29>", "sent", at)], "2026-09"))
>>> page.startswith("<!DOCTYPE html>"), "<H29>" in page, "&lt;H29&gt;" in page
(True, False, True)
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import attrs

from vbdt_exchange.engine.stats import AgencyStats, DirectionStats, StatsReport

__all__ = ["BAR_WIDTH", "ChartSeries", "bar_chart", "to_html"]

#: The width in pixels of the longest bar of a chart.
BAR_WIDTH = 360
_LABEL_WIDTH = 230
_VALUE_WIDTH = 70
_BAR_HEIGHT = 16
_GAP = 10
_COLOURS = ("#1f6fb2", "#e07b24", "#3a9a4a", "#a23a7a")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _values(values: Iterable[float | None]) -> tuple[float | None, ...]:
    return tuple(values)


@attrs.frozen
class ChartSeries:
    """One series of a bar chart.

    :ivar key: its id (``data-series``).
    :ivar label: its legend (``Gửi / Sent``).
    :ivar values: one value per category, ``None`` when there is none.
    """

    key: str
    label: str
    values: tuple[float | None, ...] = attrs.field(converter=_values)


def _number(value: float) -> str:
    return format(round(value, 2), "g") if value != int(value) else str(int(value))


def bar_chart(
    name: str,
    caption: str,
    categories: Sequence[str],
    series: Sequence[ChartSeries],
    *,
    unit: str = "",
    maximum: float | None = None,
    labels: Sequence[str] | None = None,
) -> str:
    """A horizontal grouped bar chart as a ``<figure>`` with an inline ``<svg>``.

    :param name: the chart's id (``data-chart``).
    :param caption: its caption (shown above it, and the SVG's title).
    :param categories: the labels of the groups of bars, top to bottom.
    :param series: the bars of each group, one value per category.
    :param unit: appended to the values shown (``%``).
    :param maximum: the value of a full-length bar (default: the largest value).
    :param labels: what to show for each category (default: the category itself); the
        category stays the bars' ``data-category``.
    """
    values = [v for s in series for v in s.values if v is not None]
    top = maximum if maximum is not None else max(values, default=0.0)
    group = len(series) * _BAR_HEIGHT + _GAP
    legend = 18 * len(series) + 8
    height = legend + max(1, len(categories)) * group + _GAP
    width = _LABEL_WIDTH + BAR_WIDTH + _VALUE_WIDTH
    parts = [
        f'<figure class="chart" data-chart="{_e(name)}">',
        f"<figcaption>{_e(caption)}</figcaption>",
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{_e(caption)}</title>",
        '<g class="legend">',
    ]
    for i, s in enumerate(series):  # one line each: long bilingual labels never overlap
        colour = _COLOURS[i % len(_COLOURS)]
        y = 4 + 18 * i
        parts.append(
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{_LABEL_WIDTH + 16}" y="{y + 10}">{_e(s.label)}</text>'
        )
    parts.append("</g>")
    if not categories:
        parts.append(
            f'<text x="{_LABEL_WIDTH}" y="{legend + 14}">— (không có dữ liệu / no data)</text>'
        )
    for c, category in enumerate(categories):
        y0 = legend + c * group
        shown_as = labels[c] if labels is not None else category
        label = shown_as if len(shown_as) <= 32 else shown_as[:31] + "…"
        parts.append(
            f'<g class="category" data-category="{_e(category)}"><title>{_e(shown_as)}</title>'
            f'<text class="label" x="{_LABEL_WIDTH - 6}" '
            f'y="{y0 + len(series) * _BAR_HEIGHT // 2 + 4}" text-anchor="end">{_e(label)}</text>'
        )
        for i, s in enumerate(series):
            value = s.values[c]
            y = y0 + i * _BAR_HEIGHT
            if value is None:
                parts.append(f'<text class="value" x="{_LABEL_WIDTH + 4}" y="{y + 12}">—</text>')
                continue
            length = 0.0 if top <= 0 else round(BAR_WIDTH * min(value, top) / top, 2)
            shown = _number(value) + unit
            parts.append(
                f'<rect class="bar" data-series="{_e(s.key)}" data-category="{_e(category)}" '
                f'data-value="{_e(_number(value))}" x="{_LABEL_WIDTH}" y="{y + 1}" '
                f'width="{_number(length)}" height="{_BAR_HEIGHT - 2}" '
                f'fill="{_COLOURS[i % len(_COLOURS)]}">'
                f"<title>{_e(s.label)} — {_e(shown_as)}: {_e(shown)}</title></rect>"
                f'<text class="value" x="{_LABEL_WIDTH + length + 4}" y="{y + 12}">'
                f"{_e(shown)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg></figure>")
    return "\n".join(parts)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 2)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _agency(agency: str | None) -> str:
    return "Tất cả đơn vị / All agencies" if agency is None else agency


def _named(report: StatsReport, agency: str | None) -> str:
    """``000.00.00.G22 Văn phòng Chính phủ`` when the name is known."""
    name = report.names.get(agency, "") if agency is not None else ""
    return f"{_agency(agency)} {name}" if name else _agency(agency)


_FIGURES: tuple[tuple[str, str], ...] = (
    ("documents", "Số văn bản / Documents"),
    ("signed", "Có chữ ký số / Signed"),
    ("signed_share", "Tỷ lệ ký số / Signed share"),
    ("with_paper", "Kèm bản giấy / With a paper copy"),
    ("paperless_eligible", "Được gửi không kèm giấy / Allowed without paper"),
    ("paperless_share", "Tỷ lệ không kèm giấy / Paperless share"),
    ("type_unknown", "Không rõ loại / Type unknown"),
    ("to_accepted", "Tiếp nhận (03), trung vị / Accepted (03), median"),
    ("to_finished", "Hoàn thành (06), trung vị / Finished (06), median"),
)


def _figure(d: DirectionStats, key: str) -> str:
    if key in ("signed_share", "paperless_share"):
        share = getattr(d, key)
        return "—" if share is None else f"{100 * share:.1f} %"
    if key in ("to_accepted", "to_finished"):
        durations = getattr(d, key)
        if durations.median_seconds is None:
            return f"— ({durations.waiting} chờ / waiting)" if durations.waiting else "—"
        hours = durations.median_seconds / 3600
        return f"{hours:.1f} h (n={durations.count}, {durations.waiting} chờ / waiting)"
    return str(getattr(d, key))


def _table(report: StatsReport, rows: Sequence[AgencyStats], first: str) -> str:
    names = [_named(report, r.agency) if first == "agency" else r.period.label for r in rows]
    head = "".join(f'<th scope="col" colspan="2">{_e(name)}</th>' for name in names)
    sub = "".join("<th>Gửi / Sent</th><th>Nhận / Received</th>" for _ in rows)
    lines = [f"<table><thead><tr><th></th>{head}</tr><tr><th></th>{sub}</tr></thead><tbody>"]
    for key, label in _FIGURES:
        cells = "".join(
            f"<td>{_e(_figure(r.sent, key))}</td><td>{_e(_figure(r.received, key))}</td>"
            for r in rows
        )
        lines.append(f'<tr><th scope="row">{_e(label)}</th>{cells}</tr>')
    lines.append("</tbody></table>")
    return "\n".join(lines)


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:2em;
color:#222;max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th[scope=row]{text-align:left}
figure.chart{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}
svg text{font-size:12px;fill:#222}dl.meta dt{font-weight:600}dl.meta dd{margin:0 0 .4em 1em}
.note{color:#555;font-size:.9em}
"""


def to_html(report: StatsReport, *, title: str | None = None) -> str:
    """The report as one HTML page (UTF-8 text) with inline SVG charts and the figure tables."""
    default = "Báo cáo gửi, nhận văn bản điện tử / Electronic document exchange"
    heading = title or f"{default} — {report.period.label}"
    whole = [report.row(a) for a in report.agencies]
    total = report.row(None)
    out = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(heading)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(heading)}</h1>",
        '<dl class="meta">',
        f"<dt>Kỳ báo cáo / Period</dt><dd>{_e(report.period.label)} "
        f"({_e(report.period.start.isoformat())} – {_e(report.period.end.isoformat())}, "
        "giờ Việt Nam / Vietnam time)</dd>",
        f"<dt>Nguồn / Source</dt><dd>{_e(report.source or '—')}</dd>",
        f"<dt>Danh mục không kèm giấy / Paperless policy</dt><dd>{_e(report.policy)}</dd>",
        f"<dt>Số đơn vị / Agencies</dt><dd>{len(report.agencies)}</dd>",
        "</dl>",
        '<p class="note">Văn bản gửi đi được tính một lần dù có nhiều nơi nhận; văn bản đến được '
        "tính một lần cho mỗi đơn vị nhận. Tỷ lệ không kèm giấy: trong số văn bản thuộc danh mục "
        "được gửi không kèm bản giấy. / A sent document counts once whatever its receivers; a "
        "received one once per receiving agency. Paperless share: among the documents the policy "
        "lets go without paper.</p>",
        "<h2>Biểu đồ / Charts</h2>",
        bar_chart(
            "volume",
            "Số văn bản gửi, nhận theo đơn vị / Documents sent and received per agency",
            [_agency(r.agency) for r in whole],
            [
                ChartSeries("sent", "Gửi / Sent", [r.sent.documents for r in whole]),
                ChartSeries("received", "Nhận / Received", [r.received.documents for r in whole]),
            ],
            labels=[_named(report, r.agency) for r in whole],
        ),
    ]
    if report.parts:
        spans = [report.row(None, p.label) for p in report.parts]
        out.append(
            bar_chart(
                "parts",
                "Số văn bản theo tháng/quý (tất cả đơn vị) / Documents per month or quarter "
                "(all agencies)",
                [r.period.label for r in spans],
                [
                    ChartSeries("sent", "Gửi / Sent", [r.sent.documents for r in spans]),
                    ChartSeries(
                        "received", "Nhận / Received", [r.received.documents for r in spans]
                    ),
                ],
            )
        )
    types = report.types
    out.append(
        bar_chart(
            "types",
            "Số văn bản theo loại (tất cả đơn vị) / Documents by type (all agencies)",
            [t or "(không rõ / unknown)" for t in types],
            [
                ChartSeries("sent", "Gửi / Sent", [total.sent.by_type.get(t, 0) for t in types]),
                ChartSeries(
                    "received", "Nhận / Received", [total.received.by_type.get(t, 0) for t in types]
                ),
            ],
        )
    )
    out.append(
        bar_chart(
            "shares",
            "Tỷ lệ văn bản gửi đi có ký số và không kèm giấy (%) / Sent documents signed and "
            "sent without paper (%)",
            [_agency(r.agency) for r in whole],
            [
                ChartSeries(
                    "signed", "Ký số / Signed", [_percent(r.sent.signed_share) for r in whole]
                ),
                ChartSeries(
                    "paperless",
                    "Không kèm giấy / Paperless",
                    [_percent(r.sent.paperless_share) for r in whole],
                ),
            ],
            unit=" %",
            maximum=100.0,
            labels=[_named(report, r.agency) for r in whole],
        )
    )
    out.append(
        bar_chart(
            "handling",
            "Thời gian xử lý văn bản đến, trung vị (giờ) / Time to handle received documents, "
            "median (hours)",
            [_agency(r.agency) for r in whole],
            [
                ChartSeries(
                    "accepted",
                    "Tiếp nhận (03) / Accepted (03)",
                    [_hours(r.received.to_accepted.median_seconds) for r in whole],
                ),
                ChartSeries(
                    "finished",
                    "Hoàn thành (06) / Finished (06)",
                    [_hours(r.received.to_finished.median_seconds) for r in whole],
                ),
            ],
            unit=" h",
            labels=[_named(report, r.agency) for r in whole],
        )
    )
    out.append("<h2>Số liệu theo đơn vị / Figures per agency</h2>")
    out.append(_table(report, [*whole, total], "agency"))
    if report.parts:
        out.append("<h2>Số liệu theo tháng/quý / Figures per month or quarter</h2>")
        out.append(_table(report, [report.row(None, p.label) for p in report.parts], "period"))
    if report.outside:
        out.append(
            f'<p class="note">{report.outside} bản ghi ngoài kỳ hoặc ngoài đơn vị được chọn / '
            f"record(s) outside the period or the agencies chosen.</p>"
        )
    out.append("</body></html>\n")
    return "\n".join(out)
