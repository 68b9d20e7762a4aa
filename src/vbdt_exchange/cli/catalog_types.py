"""``vbdt catalog doctype`` and ``vbdt catalog number``: document types, numbers and symbols."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from vbdt_exchange.catalog import doctypes, number
from vbdt_exchange.cli._main import EXIT_ERRORS, EXIT_OK, fail, guarded
from vbdt_exchange.cli.catalog import catalog
from vbdt_exchange.errors import CatalogError


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _type_json(info: doctypes.DocumentTypeInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "abbreviation": info.abbreviation,
        "kind": info.kind,
        "position": info.position,
        "article7_position": info.article7_position,
        "english": info.english,
        "template": info.template,
    }


@catalog.command("doctype")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@guarded
def doctype(query: str, as_json: bool) -> None:
    """Look up a document type by name or abbreviation ("QĐ", "quy dinh", "Công văn").

    Prints the best match, then any other types with the same abbreviation or name
    ("QĐ" is also a legal and a Party abbreviation). Exit 1 when nothing matches.
    """
    try:
        found = doctypes.match(query)
    except CatalogError as exc:
        others = doctypes.search(query)
        if not others:
            if as_json:
                _dump({"query": query, "match": None, "warning": None, "others": [],
                       "error": str(exc)})  # fmt: skip
                sys.exit(EXIT_ERRORS)
            raise fail(str(exc), EXIT_ERRORS) from None
        if as_json:
            _dump({"query": query, "match": None, "warning": None,
                   "others": [_type_json(t) for t in others], "error": str(exc)})  # fmt: skip
        else:
            click.echo(f"no exact match ({exc}); types containing {query!r}:")
            for info in others:
                click.echo(f"  {info.abbreviation or '-':<6}{info.name} ({info.kind})")
        sys.exit(EXIT_OK)
    best = found.type
    others = tuple(t for t in doctypes.search(query) if t != best)
    if best.abbreviation:
        others = tuple(t for t in others if t.abbreviation == best.abbreviation)
    if as_json:
        _dump({"query": query, "match": _type_json(best), "warning": found.warning,
               "others": [_type_json(t) for t in others], "error": None})  # fmt: skip
        return
    click.echo(f"{'Name':<14}{best.name}")
    click.echo(f"{'Abbreviation':<14}{best.abbreviation or '(none)'}")
    click.echo(f"{'Kind':<14}{best.kind}")
    if best.article7_position is not None:
        click.echo(f"{'NĐ 30 Art. 7':<14}{best.article7_position}")
    click.echo(f"{'English':<14}{best.english}")
    if found.warning:
        click.echo(f"{'Warning':<14}{found.warning}")
    for info in others:
        click.echo(f"{'Also':<14}{info.abbreviation or '-'} {info.name} ({info.kind})")


_FORMS = {
    "administrative": "state administrative",
    "official_letter": "state công văn",
    "copy": "copy",
    "legal": "legal-normative",
    "law": "law",
    "party": "Party",
}


def _number_json(text: str) -> dict[str, Any]:
    try:
        parsed = number.parse(text)
    except CatalogError as exc:
        reason = getattr(exc, "reason", str(exc))
        return {"input": text, "valid": False, "number": None, "year": None,
                "type_abbreviation": None, "type_name": None, "issuer": None, "unit": None,
                "party": False, "error": reason}  # fmt: skip
    return {
        "input": text,
        "valid": True,
        "number": parsed.number,
        "year": parsed.year,
        "type_abbreviation": parsed.type_abbreviation,
        "type_name": parsed.type.name if parsed.type else None,
        "issuer": parsed.issuer,
        "unit": parsed.unit,
        "party": parsed.party,
        "error": None,
    }


@catalog.command("number")
@click.argument("texts", metavar="TEXT...", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per TEXT.")
@guarded
def number_command(texts: tuple[str, ...], as_json: bool) -> None:
    """Parse numbers and symbols ("3244/UBND-VP", "30/2020/NĐ-CP", "145-CV/TU").

    Exit 0 when every TEXT is valid, 1 when any is not.
    """
    results = [_number_json(text) for text in texts]
    if as_json:
        _dump(results)
    else:
        for text, result in zip(texts, results, strict=True):
            if not result["valid"]:
                click.echo(f"{text}: invalid: {result['error']}")
                continue
            parsed = number.parse(text)
            line = f"{text}: {_FORMS[parsed.form]}, number {parsed.number}"
            if parsed.year is not None:
                line += f", year {parsed.year}"
            if parsed.type_abbreviation:
                line += f", type {parsed.type_abbreviation}"
            names = " or ".join(t.name for t in parsed.type_candidates)
            if names:
                line += f" ({names})"
            line += f", issuer {parsed.issuer}"
            if parsed.unit:
                line += f", unit {parsed.unit}"
            click.echo(line)
            if parsed.format() != text:
                click.echo(f"  formatted: {parsed.format()}")
            for warning in parsed.warnings:
                click.echo(f"  warning: {warning}")
    sys.exit(EXIT_OK if all(r["valid"] for r in results) else EXIT_ERRORS)
