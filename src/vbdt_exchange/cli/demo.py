"""``vbdt demo``: the local reference axis with a demo exchange between two agencies."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from vbdt_exchange.cli._main import EXIT_ERRORS, cli, fail, guarded
from vbdt_exchange.testing.demo import DemoError, DemoStep, run_demo

__all__ = ["demo"]

_ACTION_COLOUR = {"verified": "green", "answered": "cyan", "sent": "yellow"}


def _show(item: DemoStep) -> None:
    colour = next((c for word, c in _ACTION_COLOUR.items() if item.action.startswith(word)), None)
    actor = click.style(f"{item.actor:<14}", bold=True)
    action = click.style(f"{item.action:<16}", fg=colour)
    click.echo(f"{actor} {action} {item.detail}")


@cli.command()
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Keep the packages and the axis's store here (default: a temporary folder, removed).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The local axis's SQLite store (default: axis.sqlite3 in the work folder).",
)
@guarded
def demo(workdir: Path | None, db: Path | None) -> None:
    """Run the local axis and a signed exchange between two agencies.

    Văn phòng Chính phủ signs and sends a document to the People's Committee of Nghệ An through
    the local reference axis (VDXP protocol, loopback HTTP, SQLite store); the receiver fetches
    it, verifies the signature against a throw-away test PKI, acknowledges it and answers
    01 → 03 → 06; the sender follows the answers. Needs no network and no set-up.
    """
    work = workdir or Path(tempfile.mkdtemp(prefix="vbdt-demo-"))
    try:
        result = run_demo(work, db=db, progress=_show)
    except DemoError as exc:
        raise fail(f"the demo exchange failed: {exc}", EXIT_ERRORS) from None
    finally:
        if workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    click.echo()
    click.echo(click.style(f"Timeline of {result.document_id}", bold=True))
    for event in result.timeline:
        when = event.time.strftime("%Y-%m-%d %H:%M:%S") if event.time else "?"
        what = f"status {event.code}" if event.kind == "status" else f"document ({event.code})"
        click.echo(f"  {when}  {event.organ_id}  {what:<22} {event.description or ''}")
    click.echo(click.style("Delivery on the axis", bold=True))
    for row in result.delivery:
        click.echo(
            f"  {row.from_} -> {row.to}: sent {row.send_status}, received {row.receive_status}"
        )
    if workdir is not None:
        click.echo(f"Packages and the axis's store are in {work}")
