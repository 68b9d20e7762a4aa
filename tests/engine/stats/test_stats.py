"""The record model, periods and aggregation, on hand-made records."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbdt_exchange.catalog.policy import UnknownPolicy
from vbdt_exchange.engine.stats import (
    VIETNAM,
    ExchangeRecord,
    InvalidPeriod,
    Period,
    StatsError,
    StatusEvent,
    aggregate,
    parse_period,
    type_label,
)
from vbdt_exchange.errors import VbdtError

UTC = datetime.UTC
A, B = "000.00.00.H29", "000.00.00.G22"


@pytest.mark.parametrize(
    ("text", "label", "start", "end", "kind"),
    [
        ("2026-Q3", "2026-Q3", "2026-07-01", "2026-09-30", "quarter"),
        (" 2026q1 ", "2026-Q1", "2026-01-01", "2026-03-31", "quarter"),
        ("2026-09", "2026-09", "2026-09-01", "2026-09-30", "month"),
        ("2028-2", "2028-02", "2028-02-01", "2028-02-29", "month"),  # leap year
        ("2026", "2026", "2026-01-01", "2026-12-31", "year"),
        ("2026-07-15..2026-08-02", "2026-07-15..2026-08-02", "2026-07-15", "2026-08-02", "range"),
    ],
)
def test_periods(text: str, label: str, start: str, end: str, kind: str) -> None:
    period = parse_period(text)
    assert (period.label, period.start.isoformat(), period.end.isoformat(), period.kind) == (
        label,
        start,
        end,
        kind,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-Q5", "YYYY-Qn"),
        ("2026-00", "month must be 01 to 12"),
        ("2026-13", "month must be 01 to 12"),
        ("26", "YYYY-Qn"),
        ("0001", "year must be 1900"),
        ("2026-09-31..2026-10-01", "is not a date"),
        ("2026-10-01..2026-09-01", "ends before it starts"),
        ("", "YYYY-Qn"),
        ("Q3 2026; DROP TABLE", "YYYY-Qn"),
        ("2026-" + "9" * 5000, "YYYY-Qn"),
    ],
)
def test_bad_periods_are_named(text: str, message: str) -> None:
    with pytest.raises(InvalidPeriod, match=message) as info:
        parse_period(text)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, VbdtError)
    assert len(str(info.value)) < 300  # a huge input is not echoed whole


def test_a_range_is_split_at_month_and_quarter_edges() -> None:
    period = parse_period("2026-08-20..2026-10-05")
    assert [(p.label, p.kind) for p in period.months()] == [
        ("2026-08-20..2026-08-31", "range"),
        ("2026-09", "month"),
        ("2026-10-01..2026-10-05", "range"),
    ]
    assert [p.label for p in period.quarters()] == [
        "2026-08-20..2026-09-30",
        "2026-10-01..2026-10-05",
    ]


@given(st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)))
def test_every_day_is_in_exactly_one_month_of_its_year(day: datetime.date) -> None:
    year = Period.year(day.year)
    moment = datetime.datetime.combine(day, datetime.time(12), VIETNAM)
    assert sum(p.contains(moment) for p in year.months()) == 1
    assert sum(p.contains(moment) for p in year.quarters()) == 1


def test_periods_are_counted_in_vietnam_time() -> None:
    # 30 September 18:00 UTC is 1 October 01:00 in Hà Nội: an October document
    late = datetime.datetime(2026, 9, 30, 18, 0, tzinfo=UTC)
    early = datetime.datetime(2026, 9, 30, 16, 59, tzinfo=UTC)  # 23:59 in Hà Nội
    naive = datetime.datetime(2026, 9, 30, 23, 59)  # naive: already Vietnam time
    records = [ExchangeRecord(A, "sent", t) for t in (late, early, naive)]
    report = aggregate(records, "2026-09")
    assert report.row(A).sent.documents == 2
    assert report.outside == 1
    assert aggregate(records, "2026-10").row(A).sent.documents == 1


def test_durations_per_receiver_and_clock_skew() -> None:
    at = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=VIETNAM)
    record = ExchangeRecord(
        A,
        "sent",
        at,
        counterparts=(B, "R2", "R3"),
        statuses=(
            StatusEvent("03", at + datetime.timedelta(minutes=10), B),
            StatusEvent("03", at - datetime.timedelta(minutes=5), "R2"),  # R2's clock is behind
            StatusEvent("06", at + datetime.timedelta(hours=5), B),
        ),
    )
    sent = aggregate([record], "2026-09").row(A).sent
    assert (sent.to_accepted.count, sent.to_accepted.waiting) == (2, 1)
    assert sent.to_accepted.max_seconds == 600
    assert sent.to_accepted.median_seconds == 300  # (0 + 600) / 2: never negative
    assert (sent.to_finished.count, sent.to_finished.waiting) == (1, 2)


def test_status_times_in_utc_and_naive_mix() -> None:
    at = datetime.datetime(2026, 9, 1, 8, 0)  # naive Vietnam time
    accepted = datetime.datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
    record = ExchangeRecord(A, "received", at, statuses=(StatusEvent("03", accepted, A),))
    assert aggregate([record], "2026-09").row(A).received.to_accepted.median_seconds == 3600


def test_paperless_share_follows_the_profile_and_the_date() -> None:
    at = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=VIETNAM)
    records = [
        ExchangeRecord(A, "sent", at, type_name="Biên bản", paper=0),
        ExchangeRecord(A, "sent", at, type_name="Công văn", paper=None),
        ExchangeRecord(A, "sent", at, type_name="Công văn", paper=1),
    ]
    national = aggregate(records, "2026-09").row(A).sent
    # Biên bản is not among the 26 types: it needs paper too, so it is not in the share
    assert (national.paperless_eligible, national.paper_required) == (2, 1)
    assert national.paperless_eligible_sent_paperless == 1  # an absent flag is no paper
    assert national.paperless_share == 0.5
    assert national.paper_flag_missing == 1
    hai_duong = aggregate(records, "2026-09", policy="hai-duong-2020").row(A).sent
    assert (hai_duong.paperless_eligible, hai_duong.paperless_share) == (3, 0.6667)
    # before 1 October 2020 Hải Dương still sent paper: nothing was eligible
    old = [ExchangeRecord(A, "sent", datetime.datetime(2020, 9, 20), type_name="Công văn")]
    before = aggregate(old, "2020-09", policy="hai-duong-2020").row(A).sent
    assert (before.paperless_eligible, before.paper_required) == (0, 1)
    with pytest.raises(UnknownPolicy):
        aggregate(records, "2026-09", policy="no-such-profile")


def test_type_labels() -> None:
    assert type_label("  QUYẾT   ĐỊNH ") == "Quyết định"
    assert type_label("cong van") == "Công văn"
    assert type_label("Tờ trình\u0301") != ""  # odd combining marks are kept, never a crash
    assert type_label("x" * 1000) == "x" * 100
    assert type_label("   ") == ""


def test_a_single_month_is_not_split() -> None:
    report = aggregate([], "2026-09")
    assert report.parts == ()
    assert [(r.agency, r.period.label) for r in report.rows] == [(None, "2026-09")]
    assert report.row(None).sent.documents == 0
    assert report.row(None).sent.signed_share is None
    with pytest.raises(KeyError):
        report.row(A)


def test_agencies_asked_for_appear_even_without_documents() -> None:
    report = aggregate([], "2026-Q3", agencies=[A], by="quarter")
    assert report.agencies == (A,)
    assert report.row(A).sent.documents == 0


def test_bad_arguments() -> None:
    with pytest.raises(StatsError, match="direction"):
        ExchangeRecord(A, "outgoing", datetime.datetime(2026, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidPeriod, match="by must be"):
        aggregate([], "2026", by="week")  # type: ignore[arg-type]


def test_json_form_is_plain_data() -> None:
    import json

    at = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=VIETNAM)
    report = aggregate(
        [ExchangeRecord(A, "sent", at, type_name="Công văn", signed=True)], "2026-Q3"
    )
    data = json.loads(json.dumps(report.as_json()))
    assert data["period"] == {"label": "2026-Q3", "start": "2026-07-01", "end": "2026-09-30"}
    assert data["rows"][-1]["agency"] is None
    assert data["rows"][-1]["sent"]["by_type"] == {"Công văn": 1}
    assert data["rows"][-1]["sent"]["signed_share"] == 1.0


def test_cached_verdicts_are_the_policy_checks() -> None:
    from vbdt_exchange.catalog.policy import UnknownDocumentType, check, get_policy, policy_names
    from vbdt_exchange.engine.stats import _Classifier

    one = datetime.timedelta(days=1)
    for name in policy_names():
        profile = get_policy(name)
        classify = _Classifier(profile)
        days = {datetime.date(2018, 1, 1) + 45 * n * one for n in range(40)}
        for start, end in (
            (profile.effective_from, profile.effective_until),
            *((r.start, r.end) for r in (*profile.exceptions, *profile.special_rules)),
        ):
            for edge in (start, end):
                if edge is not None:
                    days |= {edge - one, edge, edge + one}
        for day in sorted(days):
            for label in ("Công văn", "Biên bản", "Quyết định", "Nghị quyết", "Tờ trình"):
                try:
                    expected: str | None = check(label, date=day, profile=profile).verdict
                except UnknownDocumentType:  # unknown or ambiguous in this profile
                    expected = None
                assert classify.verdict(label, day) == expected, (name, label, day)
