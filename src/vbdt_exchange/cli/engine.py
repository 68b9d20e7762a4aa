"""``vbdt engine ...``: run the host-side exchange engine."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from vbdt_exchange.cli._main import EXIT_ERRORS, cli, fail, guarded

__all__ = ["engine"]

_STATES = ("pending", "sending", "retry", "ambiguous", "sent", "failed", "held")


@cli.group()
def engine() -> None:
    """Run the exchange engine: outbox, inbox and journal between a host and an axis.

    \b
    Examples:
      vbdt engine run --config engine.toml
      vbdt engine run --once --config engine.toml
      vbdt engine status --config engine.toml
      vbdt engine release cv-12 --config engine.toml
    """


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The TOML file: [axis] (as `vbdt axis` reads it), [engine] and [host].",
)
store_option = click.option(
    "--store",
    metavar="PATH|DSN",
    help="The engine store (a SQLite file or a postgresql:// DSN) instead of --config.",
)


@contextmanager
def _store(config_path: Path | None, store: str | None) -> Iterator[Any]:
    from vbdt_exchange.engine.config import load_config
    from vbdt_exchange.engine.store import open_store

    if store is None and config_path is None:
        raise fail("give --config FILE or --store PATH|DSN")
    if store is not None and not store.startswith(("postgresql://", "postgres://")):
        if not Path(store).is_file():
            raise fail(f"{store}: no such engine store")
        opened = open_store(store)
    elif store is not None:
        opened = open_store(store)
    else:
        assert config_path is not None
        config = load_config(config_path)
        opened = open_store(config.store, schema=config.schema)
    try:
        yield opened
    finally:
        opened.close()


def _line(number: int, report: Any) -> str:
    return (
        f"cycle {number}: taken {report.taken}, received {report.received} "
        f"(duplicates {report.duplicates}, refused {report.rejected}), "
        f"statuses {report.statuses}, sent {report.sent}, retrying {report.retried}, "
        f"failed {report.failed}, held {report.held}"
    )


@engine.command("run")
@config_option
@click.option("--once", is_flag=True, help="Run one cycle and exit (1 if it met errors).")
@click.option("--cycles", type=click.IntRange(min=1), metavar="N", help="Run N cycles and exit.")
@guarded
def run_command(config_path: Path | None, once: bool, cycles: int | None) -> None:
    """Run cycles: take from the host, receive, verify, hand over, acknowledge, send.

    Runs until interrupted (Ctrl-C), printing one line per cycle that did something.
    """
    from vbdt_exchange.adapters.config import load_settings, open_channel
    from vbdt_exchange.engine import Engine
    from vbdt_exchange.engine.config import load_config, load_host

    if config_path is None:
        raise fail("give --config FILE")
    config = load_config(config_path)
    if not config.host:
        raise fail(f"{config_path} [engine]: host (module:attribute) is missing")
    settings = config.engine_settings()
    host = load_host(config.host, config.host_options)
    channel = open_channel(load_settings(config_file=config_path))
    stop = threading.Event()
    totals: dict[str, int] = {}
    had_errors = False
    count = 0

    def on_cycle(report: Any) -> None:
        nonlocal had_errors, count
        count += 1
        busy = (
            any(
                getattr(report, name)
                for name in ("taken", "received", "duplicates", "rejected", "statuses", "sent")
            )
            or report.retried
            or report.failed
            or report.held
        )
        for name in ("taken", "received", "duplicates", "rejected", "statuses", "sent"):
            totals[name] = totals.get(name, 0) + getattr(report, name)
        if busy or once or cycles:
            click.echo(_line(count, report))
        for error in report.errors:
            had_errors = True
            click.echo(f"vbdt: warning: {error}", err=True)

    try:
        from vbdt_exchange.engine.store import open_store

        with open_store(config.store, schema=config.schema) as store:
            worker = Engine(channel, store, host, settings)
            try:
                worker.run(
                    interval=config.poll_interval,
                    stop=stop,
                    cycles=1 if once else cycles,
                    on_cycle=on_cycle,
                )
            except KeyboardInterrupt:
                stop.set()
            click.echo(
                "total: " + ", ".join(f"{k} {v}" for k, v in totals.items())
                if totals
                else "total: nothing done"
            )
            counts = store.counts()["outbox"]
            waiting = {s: counts[s] for s in _STATES if counts.get(s) and s != "sent"}
            if waiting:
                click.echo("outbox: " + ", ".join(f"{k} {v}" for k, v in waiting.items()))
    finally:
        channel.close()
        close = getattr(host, "close", None)
        if callable(close):
            close()
    if once and had_errors:
        sys.exit(EXIT_ERRORS)


@engine.command("status")
@config_option
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@guarded
def status_command(config_path: Path | None, store: str | None, as_json: bool) -> None:
    """Counts per state: the outbox, the received messages and the documents."""
    with _store(config_path, store) as opened:
        counts = opened.counts()
    if as_json:
        click.echo(json.dumps(counts, indent=2, sort_keys=True))
        return
    for table in ("outbox", "inbox", "documents"):
        row = counts.get(table, {})
        shown = ", ".join(f"{k} {v}" for k, v in row.items()) if row else "empty"
        click.echo(f"{table:<10} {shown}")


@engine.command("release")
@click.argument("key")
@config_option
@store_option
@guarded
def release_command(key: str, config_path: Path | None, store: str | None) -> None:
    """Send a held or failed outbox item KEY again (after a human fixed the cause)."""
    with _store(config_path, store) as opened:
        if not opened.release(key):
            raise fail(f"{key}: no held or failed outbox item with that key", EXIT_ERRORS)
    click.echo(f"{key}: queued to be sent again")
