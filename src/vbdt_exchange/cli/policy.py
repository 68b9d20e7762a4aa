"""``vbdt policy check`` and ``vbdt policy list``: the paperless-exchange policies.

Exit codes of ``policy check``: 0 when the document may go electronically (``electronic_only``,
or ``paper_also``: electronically with a paper copy too), 1 when it must not
(``not_electronic``), 2 for bad input (unknown profile, type, secrecy level or date).
"""

from __future__ import annotations

import json
from typing import Any

import click

from vbdt_exchange.catalog.policy import Policy, check, get_policy, load_policy, policies
from vbdt_exchange.cli._main import EXIT_ERRORS, EXIT_OK, guarded
from vbdt_exchange.cli.catalog import policy

__all__ = ["policy_check", "policy_list"]


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _profile(value: str) -> Policy:
    """A shipped profile by name, or a user's TOML file when the value ends in ``.toml``."""
    if value.strip().lower().endswith(".toml"):
        return load_policy(value.strip())
    return get_policy(value)


@policy.command("check")
@click.option("--type", "doc_type", required=True, help="Document type name or abbreviation.")
@click.option("--secrecy", default=None, help="Secrecy level: Mật, Tối mật, Tuyệt mật (or 0-3).")
@click.option("--date", "date", default=None, help="Date of sending, YYYY-MM-DD (default today).")
@click.option(
    "--profile",
    default="national",
    show_default=True,
    help="Profile name (see `vbdt policy list`) or a path to a policy .toml file.",
)
@click.option("--topic", "topics", multiple=True, help="Subject category (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@guarded
def policy_check(
    doc_type: str,
    secrecy: str | None,
    date: str | None,
    profile: str,
    topics: tuple[str, ...],
    as_json: bool,
) -> None:
    """May a document go electronically without a paper copy, and why (not)?"""
    decision = check(doc_type, secrecy=secrecy, date=date, topics=topics, profile=_profile(profile))
    if as_json:
        _dump(decision.as_json())
    else:
        click.echo(f"{decision.verdict}  ({decision.profile}: {decision.rule})")
        click.echo(f"  {decision.reason_en}")
        click.echo(f"  {decision.reason_vi}")
        click.echo(f"  source: {decision.source}")
        if decision.unmatched_topics:
            click.echo(
                f"  topics not known to this profile: {', '.join(decision.unmatched_topics)}"
            )
    raise SystemExit(EXIT_ERRORS if decision.verdict == "not_electronic" else EXIT_OK)


@policy.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@guarded
def policy_list(as_json: bool) -> None:
    """List the shipped paperless-exchange profiles."""
    rows = [
        {
            "name": p.name,
            "title_vi": p.title_vi,
            "title_en": p.title_en,
            "source": p.source,
            "effective_from": p.effective_from.isoformat() if p.effective_from else None,
            "effective_until": p.effective_until.isoformat() if p.effective_until else None,
        }
        for p in policies()
    ]
    if as_json:
        _dump(rows)
        return
    for row in rows:
        span = f"{row['effective_from'] or '…'} – {row['effective_until'] or '…'}"
        click.echo(f"{row['name']:<22}{span:<26}{row['title_en']}")
