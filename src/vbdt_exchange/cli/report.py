"""``vbdt report``: exchange statistics per agency, month and quarter.

Exit codes: 0 the report was written; 2 the command line is wrong (a bad period, no source or
two), or a source cannot be read.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import click

from vbdt_exchange.catalog.policy import Policy, get_policy, load_policy
from vbdt_exchange.cli._main import cli, fail, guarded
from vbdt_exchange.engine.report_csv import to_csv, to_json
from vbdt_exchange.engine.report_html import to_html
from vbdt_exchange.engine.stats import VIETNAM, Period, aggregate, parse_period
from vbdt_exchange.engine.stats_sources import (
    agency_names,
    records_from_axis,
    records_from_journal,
)

__all__ = ["report"]


def _profile(value: str) -> Policy:
    if value.strip().lower().endswith(".toml"):
        return load_policy(value.strip())
    return get_policy(value)


def _day(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option} {value[:40]!r} is not a date (YYYY-MM-DD)") from None


def _period(period: str | None, start: str | None, end: str | None) -> Period:
    if period is not None:
        if start is not None or end is not None:
            raise fail("give --period or --from/--to, not both")
        return parse_period(period)
    if start is None or end is None:
        raise fail("give --period (2026-Q3, 2026-09, 2026) or both --from and --to")
    return Period.between(_day(start, "--from"), _day(end, "--to"))


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half a report)."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@cli.command("report")
@click.option("--period", default=None, help="2026-Q3 (quarter), 2026-09 (month) or 2026 (year).")
@click.option("--from", "start", default=None, metavar="DATE", help="First day, YYYY-MM-DD.")
@click.option("--to", "end", default=None, metavar="DATE", help="Last day (included), YYYY-MM-DD.")
@click.option(
    "--agency", "agencies", multiple=True, metavar="ID", help="Only this agency (repeatable)."
)
@click.option(
    "--by",
    type=click.Choice(["month", "quarter", "none"]),
    default="month",
    show_default=True,
    help="Split the period into months or quarters.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "html"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--axis-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Read a local axis store (the database of `vbdt hub`).",
)
@click.option(
    "--engine-db",
    default=None,
    metavar="FILE|DSN",
    help="Read the engine's journal: its SQLite file or PostgreSQL DSN.",
)
@click.option(
    "--engine-config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Read the journal of the engine configured in this TOML file (its `store`).",
)
@click.option(
    "--profile",
    default="national",
    show_default=True,
    help="Paperless policy: a profile name (`vbdt policy list`) or a .toml file.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file (default: standard output).",
)
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte order mark (for Excel).")
@guarded
def report(
    period: str | None,
    start: str | None,
    end: str | None,
    agencies: tuple[str, ...],
    by: str,
    fmt: str,
    axis_db: Path | None,
    engine_db: str | None,
    engine_config: Path | None,
    profile: str,
    output: Path | None,
    bom: bool,
) -> None:
    """Exchange statistics: documents sent and received per agency, month and quarter.

    \b
    Examples:
      vbdt report --period 2026-Q3 --axis-db vbdt-hub.db --format html -o q3.html
      vbdt report --period 2026-09 --engine-db engine.db --agency 000.00.00.H29 --format json
    """
    span = _period(period, start, end)
    sources = [s for s in (axis_db, engine_db, engine_config) if s is not None]
    if len(sources) != 1:
        raise fail("give exactly one source: --axis-db, --engine-db or --engine-config")
    policy = _profile(profile)
    if axis_db is not None:
        records = records_from_axis(axis_db)
        names = agency_names(axis_db)
        source = f"axis store {axis_db}"
    else:
        if engine_config is not None:
            from vbdt_exchange.engine.config import load_config

            engine_db = load_config(engine_config).store
        assert engine_db is not None
        since = datetime.datetime.combine(span.start, datetime.time(), VIETNAM)
        until = datetime.datetime.combine(span.end, datetime.time(), VIETNAM)
        records = records_from_journal(
            engine_db, since=since, until=until + datetime.timedelta(days=1)
        )
        names = agency_names()
        source = f"engine journal {_redact(engine_db)}"
    result = aggregate(
        records,
        span,
        by=None if by == "none" else by,  # type: ignore[arg-type]
        agencies=agencies or None,
        policy=policy,
        source=source,
        names=names,
    )
    if fmt == "csv":
        text = to_csv(result, bom=bom)
    elif fmt == "json":
        text = to_json(result) + "\n"
    else:
        text = to_html(result)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)
        click.echo(
            f"wrote {output} ({fmt}, {len(result.agencies)} agencies, {span.label})", err=True
        )


def _redact(dsn: str) -> str:
    """A DSN without its password (``postgresql://user:***@host/db``)."""
    if "://" not in dsn or "@" not in dsn:
        return dsn
    scheme, _, rest = dsn.partition("://")
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else dsn
