"""``vbdt status explain``: where each document stands with each receiver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

import vbdt_exchange
from vbdt_exchange.cli._main import guarded, recover_option
from vbdt_exchange.cli.status import status
from vbdt_exchange.status.tracker import DocumentTracker, Event, ReceiverState

__all__ = ["explain", "tracker_to_json"]


def _event_json(event: Event) -> dict[str, Any]:
    return {
        "time": event.time.isoformat() if event.time else event.time_text,
        "kind": event.kind,
        "code": event.code,
        "from": event.from_organ,
        "description": event.description,
        "accepted": event.accepted,
        "rule": event.rule,
        "out_of_order": event.out_of_order,
    }


def tracker_to_json(tracker: DocumentTracker) -> dict[str, Any]:
    """The ``--json`` object: ``{"documents": [...], "anomalies": [...]}`` (see the docs).

    ``anomalies`` at the top holds those that name no document.
    """
    documents = []
    for document in tracker.documents():
        timeline = tracker.timeline(document)
        current = tracker.current(document)
        documents.append(
            {
                "document_id": document,
                "receivers": [
                    {
                        "organ_id": organ,
                        "state": current[organ].to_json(),
                        "events": [_event_json(e) for e in events],
                    }
                    for organ, events in timeline.items()
                ],
                "anomalies": [a.to_json() for a in tracker.anomalies_for(document)],
            }
        )
    return {
        "documents": documents,
        "anomalies": [a.to_json() for a in tracker.anomalies_for(None)],
    }


def _state_line(state: ReceiverState) -> str:
    parts = []
    if state.progress:
        parts.append(f"{state.progress.code} {state.progress.phrase_en}")
    else:
        parts.append("no status yet")
    if state.answer:
        parts.append(f"answer {state.answer.code} {state.answer.phrase_en}")
    for flag in ("taken_back", "update_pending", "revoked", "updated", "replaced"):
        if getattr(state, flag):
            parts.append(flag.replace("_", " "))
    if state.is_final:
        parts.append("final")
    return ", ".join(parts)


def _event_line(event: Event) -> str:
    when = event.time.isoformat(sep=" ") if event.time else (event.time_text or "(no time)")
    mark = " " if event.accepted else "x"
    rule = f" [{event.rule}]" if event.rule else ""
    late = " (arrived late)" if event.out_of_order else ""
    text = f" {event.description}" if event.description else ""
    return (
        f"    {mark} {when}  {event.kind} {event.code}  from {event.from_organ}{rule}{late}{text}"
    )


@status.command("explain")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@recover_option
@click.option("--strict", is_flag=True, help="Check transitions strictly (default: lenient).")
@guarded
def explain(files: tuple[Path, ...], as_json: bool, recover: bool, strict: bool) -> None:
    """Fold packages and status packages into a timeline per document and receiver.

    Transitions are checked with the inferred rules (docs: Status > Codes, transitions and the
    tracker); refused events are marked x and listed as anomalies.
    """
    tracker = DocumentTracker("strict" if strict else "lenient")
    for file in files:
        with vbdt_exchange.read(file, recover=recover) as result:
            tracker.add(result.package)
    if as_json:
        click.echo(json.dumps(tracker_to_json(tracker), ensure_ascii=False, indent=2))
        return
    for document in tracker.documents():
        click.echo(document)
        current = tracker.current(document)
        for organ, events in tracker.timeline(document).items():
            click.echo(f"  {organ}: {_state_line(current[organ])}")
            for event in events:
                click.echo(_event_line(event))
        anomalies = tracker.anomalies_for(document)
        if anomalies:
            click.echo("  anomalies:")
            for anomaly in anomalies:
                where = f" {anomaly.organ_id}" if anomaly.organ_id else ""
                click.echo(f"    {anomaly.kind}{where} {anomaly.code or ''}: {anomaly.message}")
    for anomaly in tracker.anomalies_for(None):
        click.echo(f"anomaly {anomaly.kind} {anomaly.code or ''}: {anomaly.message}")
