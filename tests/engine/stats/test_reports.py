"""CSV, JSON and HTML reports: their totals are the records', and the charts draw them."""

from __future__ import annotations

import csv
import datetime
import html.parser
import io
import json
import re

import pytest
from lxml import etree

from vbdt_exchange.engine.report_csv import CSV_COLUMNS, to_csv, to_json
from vbdt_exchange.engine.report_html import BAR_WIDTH, ChartSeries, bar_chart, to_html
from vbdt_exchange.engine.stats import VIETNAM, ExchangeRecord, StatsReport, StatusEvent, aggregate
from vbdt_exchange.engine.stats_sources import records_from_axis

A, B, C = "000.00.00.H29", "000.00.00.G22", "000.00.00.G09"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def q3(q3_axis) -> StatsReport:  # type: ignore[no-untyped-def]
    return aggregate(records_from_axis(q3_axis.path), "2026-Q3", source="axis store hub.db")


def _csv(report: StatsReport) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_csv(report))))


def test_csv_totals_match_the_records(q3: StatsReport) -> None:
    rows = _csv(q3)
    assert list(rows[0])[: len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    # per agency and direction, 3 months + the quarter; then the same for "*"
    assert len(rows) == (3 + 1) * 4 * 2
    quarter = {(r["agency"], r["direction"]): r for r in rows if r["period"] == "2026-Q3"}
    assert quarter[(A, "sent")]["documents"] == "3"
    assert quarter[(A, "received")]["documents"] == "1"
    assert quarter[(B, "received")]["documents"] == "3"
    assert quarter[("*", "sent")]["documents"] == "4"
    assert quarter[("*", "received")]["documents"] == "5"
    assert quarter[(A, "sent")]["signed_share"] == "0.3333"
    assert quarter[(A, "sent")]["paperless_share"] == "0.5"
    assert quarter[(A, "received")]["paperless_share"] == ""  # nothing eligible: no value
    assert quarter[(A, "sent")]["accepted_median_seconds"] == "7200"
    assert quarter[(A, "sent")]["type:Công văn"] == "1"
    assert quarter[(A, "sent")]["type:"] == "1"  # unknown type
    # the months add up to the quarter
    for agency in (A, B, C, "*"):
        for direction in ("sent", "received"):
            months = [
                int(r["documents"])
                for r in rows
                if r["agency"] == agency
                and r["direction"] == direction
                and r["period"] != "2026-Q3"
            ]
            assert sum(months) == int(quarter[(agency, direction)]["documents"])


def test_csv_bom_and_line_ends(q3: StatsReport) -> None:
    text = to_csv(q3, bom=True)
    assert text.startswith("\ufeffagency,agency_name,period,")
    assert "\r\n" in text
    assert "\n" not in text.replace("\r\n", "")


def test_csv_cells_never_run_as_formulas() -> None:
    at = datetime.datetime(2026, 9, 1, 8, 0)
    hostile = ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", 'a,"b"\nc']
    records = [ExchangeRecord(h, "sent", at, type_name=h) for h in hostile]
    rows = list(csv.reader(io.StringIO(to_csv(aggregate(records, "2026-09")))))
    cells = [cell for row in rows[1:] for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells)
    assert "'=1+1" in cells
    assert 'a,"b"\nc' in cells


def test_json_totals_match_the_records(q3: StatsReport) -> None:
    data = json.loads(to_json(q3))
    rows = {(r["agency"], r["period"]): r for r in data["rows"]}
    assert rows[(A, "2026-Q3")]["sent"]["documents"] == 3
    assert rows[(None, "2026-Q3")]["received"]["documents"] == 5
    assert rows[(None, "2026-Q3")]["sent"]["by_type"] == {
        "Biên bản": 1,
        "Công văn": 1,
        "Quyết định": 1,
        "": 1,
    }
    assert rows[(A, "2026-Q3")]["sent"]["to_accepted"] == {
        "count": 3,
        "waiting": 1,
        "median_seconds": 7200.0,
        "mean_seconds": 8400.0,
        "max_seconds": 14400.0,
    }
    assert data["agencies"] == sorted([A, B, C])
    assert data["outside_period"] == 4
    assert data["policy"] == "national"
    assert "Công văn" in to_json(q3)  # not \\u-escaped


# -- HTML -----------------------------------------------------------------------------------------


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _charts(page: str) -> dict[str, etree._Element]:
    """Each chart's SVG, parsed as XML (inline SVG must be well-formed for every browser)."""
    found = {}
    for name, svg in re.findall(
        r'<figure class="chart" data-chart="([^"]+)">.*?(<svg .*?</svg>)', page, re.S
    ):
        found[name] = etree.fromstring(svg.encode())
    return found


def _bars(svg: etree._Element) -> dict[tuple[str, str], tuple[float, float]]:
    """(series, category) → (value, width) of every bar."""
    return {
        (rect.get("data-series"), rect.get("data-category")): (
            float(rect.get("data-value")),
            float(rect.get("width")),
        )
        for rect in svg.iter(f"{SVG}rect")
        if rect.get("class") == "bar"
    }


def test_html_charts_draw_the_figures(q3: StatsReport) -> None:
    page = to_html(q3)
    charts = _charts(page)
    assert set(charts) == {"volume", "parts", "types", "shares", "handling"}

    volume = _bars(charts["volume"])
    assert volume[("sent", A)][0] == 3
    assert volume[("received", A)][0] == 1
    assert volume[("sent", B)][0] == 1
    assert volume[("received", B)][0] == 3
    assert volume[("sent", C)][0] == 0
    assert volume[("received", C)][0] == 1
    longest = max(v for v, _ in volume.values())
    for value, width in volume.values():  # widths are proportional, the longest is BAR_WIDTH
        assert width == pytest.approx(BAR_WIDTH * value / longest, abs=0.01)

    parts = _bars(charts["parts"])
    assert {k: v for k, (v, _) in parts.items()} == {
        ("sent", "2026-07"): 1,
        ("received", "2026-07"): 2,
        ("sent", "2026-08"): 1,
        ("received", "2026-08"): 1,
        ("sent", "2026-09"): 2,
        ("received", "2026-09"): 2,
    }

    types = _bars(charts["types"])
    assert types[("sent", "Công văn")][0] == 1
    assert types[("received", "Công văn")][0] == 2
    assert types[("sent", "(không rõ / unknown)")][0] == 1

    shares = _bars(charts["shares"])  # percent, on a 0-100 scale
    assert shares[("signed", A)] == (33.33, pytest.approx(BAR_WIDTH * 0.3333, abs=0.01))
    assert shares[("paperless", A)] == (50, BAR_WIDTH / 2)
    assert ("paperless", C) not in shares  # C sent nothing: no bar, a dash

    handling = _bars(charts["handling"])  # median hours to 03 / 06 of received documents
    assert handling[("accepted", A)][0] == 0.5
    assert handling[("finished", A)][0] == 3
    assert handling[("accepted", B)][0] == 1.5
    assert handling[("finished", B)][0] == 24
    assert ("finished", C) not in handling


def test_html_is_self_contained_and_bilingual(q3: StatsReport) -> None:
    page = to_html(q3)
    parser = _Tags()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags
    assert "iframe" not in tags
    assert "link" not in tags
    assert "img" not in tags
    urls = re.findall(r"(?:https?:)?//[^\s\"'<>]+", page)
    assert set(urls) == {"http://www.w3.org/2000/svg"}  # only the SVG namespace name
    csp = [a for t, a in parser.tags if t == "meta" and a.get("http-equiv")]
    assert csp
    assert "default-src 'none'" in str(csp[0]["content"])
    for phrase in ("Gửi / Sent", "Nhận / Received", "Tỷ lệ ký số / Signed share", "2026-Q3"):
        assert phrase in page
    assert '<html lang="vi">' in page
    assert '<meta charset="utf-8">' in page


def test_html_escapes_everything_from_the_data() -> None:
    at = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=VIETNAM)
    evil = '"><script>alert(1)</script><svg onload=alert(2)>'
    records = [
        ExchangeRecord(evil, "sent", at, type_name=evil, counterparts=(B,)),
        ExchangeRecord(B, "received", at, type_name=evil, statuses=(StatusEvent("03", at, B),)),
    ]
    page = to_html(aggregate(records, "2026-09", source=evil), title=evil)
    assert "<script" not in page
    assert "onload=" not in page.replace("onload=alert(2)&gt;", "")
    parser = _Tags()
    parser.feed(page)
    assert all(not any(k.startswith("on") for k in a) for _, a in parser.tags)
    assert "&lt;script&gt;" in page
    charts = _charts(page)  # still well-formed
    assert _bars(charts["volume"])[("sent", evil)][0] == 1


def test_bar_chart_edge_cases() -> None:
    empty = bar_chart("empty", "Trống / Empty", [], [ChartSeries("s", "S", [])])
    svg = etree.fromstring(re.search(r"<svg .*</svg>", empty, re.S).group(0).encode())  # type: ignore[union-attr]
    assert not _bars(svg)
    assert "no data" in empty
    zeros = bar_chart("zeros", "Z", ["a", "b"], [ChartSeries("s", "S", [0, None])])
    svg = etree.fromstring(re.search(r"<svg .*</svg>", zeros, re.S).group(0).encode())  # type: ignore[union-attr]
    assert _bars(svg) == {("s", "a"): (0, 0)}
    over = bar_chart("over", "O", ["a"], [ChartSeries("s", "S", [150])], maximum=100)
    svg = etree.fromstring(re.search(r"<svg .*</svg>", over, re.S).group(0).encode())  # type: ignore[union-attr]
    assert _bars(svg) == {("s", "a"): (150, BAR_WIDTH)}  # capped at the scale


def test_a_month_report_has_no_parts_chart() -> None:
    at = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=VIETNAM)
    page = to_html(aggregate([ExchangeRecord(A, "sent", at)], "2026-09"))
    assert set(_charts(page)) == {"volume", "types", "shares", "handling"}


def test_agency_names_in_every_format() -> None:
    at = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=VIETNAM)
    records = [ExchangeRecord(B, "sent", at), ExchangeRecord(A, "sent", at)]
    names = {B: "Văn phòng Chính phủ", "000.00.00.X99": "not in the report"}
    report = aggregate(records, "2026-09", names=names)
    assert report.names == {B: "Văn phòng Chính phủ"}
    rows = _csv(report)
    assert [(r["agency"], r["agency_name"]) for r in rows if r["direction"] == "sent"] == [
        (B, "Văn phòng Chính phủ"),
        (A, ""),
        ("*", ""),
    ]
    assert json.loads(to_json(report))["names"] == {B: "Văn phòng Chính phủ"}
    page = to_html(report)
    assert f"{B} Văn phòng Chính phủ" in page
    assert _bars(_charts(page)["volume"])[("sent", B)][0] == 1  # the bars keep the organ id
