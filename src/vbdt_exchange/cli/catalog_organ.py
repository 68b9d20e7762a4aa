"""``vbdt catalog organ-id`` and ``vbdt catalog agencies``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vbdt_exchange.catalog import organ_id
from vbdt_exchange.catalog.directory import AgencyDirectory
from vbdt_exchange.cli._main import EXIT_ERRORS, EXIT_OK, guarded
from vbdt_exchange.cli.catalog import catalog

#: The keys of each object printed by ``vbdt catalog organ-id --json``.
ORGAN_ID_KEYS = ("input", "valid", "strict", "level", "parent", "root", "group", "warning", "error")


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _line(result: organ_id.OrganIdCheck) -> str:
    if not result.valid:
        return f"{result.input}: invalid: {result.error}"
    if not result.strict:
        return f"{result.input}: valid (not strict): {result.warning}"
    entry = organ_id.lookup(result.value)
    parts = [f"level {result.level}"]
    if result.parent:
        parts.append(f"parent {result.parent}")
    meaning = organ_id.group_meaning(result.group)
    parts.append(f"group {result.group} ({meaning or 'unknown'})")
    if entry is not None:
        parts.append(f"{entry.name} [{entry.status}]")
    return f"{result.value}: valid; " + "; ".join(parts)


@catalog.command("organ-id")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per ID.")
@guarded
def organ_id_command(ids: tuple[str, ...], as_json: bool) -> None:
    """Check organisation identifiers (QCVN 102:2016, and the forms axes accept).

    Exit code 0 when every ID is valid (possibly with a warning), 1 otherwise.

    \b
    Examples:
      vbdt catalog organ-id 000.00.00.G22 000.00.18.G12
      vbdt catalog organ-id vxp.saas.03 --json
    """
    results = [organ_id.check(value) for value in ids]
    if as_json:
        _dump([{key: getattr(r, key) for key in ORGAN_ID_KEYS} for r in results])
    else:
        for result in results:
            click.echo(_line(result))
    raise click.exceptions.Exit(EXIT_OK if all(r.valid for r in results) else EXIT_ERRORS)


@catalog.command("agencies")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--find", "query", metavar="NAME", help="Only agencies whose name contains NAME.")
@click.option("--code", metavar="ID", help="Only the agency with this code (legacy or QĐ 20).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of agencies.")
@guarded
def agencies_command(file: Path | None, query: str | None, code: str | None, as_json: bool) -> None:
    """List or search an agency directory: the axis's JSON or CSV, or the bundled table.

    Names match ignoring case and diacritics. Exit code 1 when nothing matches.

    \b
    Examples:
      vbdt catalog agencies --find "van phong chinh phu"
      vbdt catalog agencies agencies.json --code 000.00.00.G22 --json
    """
    if file is None:
        directory = AgencyDirectory.bundled()
    elif file.suffix.lower() == ".csv":
        directory = AgencyDirectory.from_csv(file)
    else:
        directory = AgencyDirectory.from_json(file)
    found = list(directory)
    if code is not None:
        agency = directory.get(code)
        found = [agency] if agency is not None else []
    if query is not None:
        allowed = {id(a) for a in found}
        found = [a for a in directory.find(query) if id(a) in allowed]
    if as_json:
        chosen = AgencyDirectory(found)
        _dump(chosen.to_json())
    else:
        for agency in found:
            extra = f" (QĐ 20: {agency.code_qd20})" if agency.code_qd20 and agency.code102 else ""
            gone = " [deleted]" if agency.deleted else ""
            click.echo(f"{agency.code}\t{agency.name}{extra}{gone}")
    raise click.exceptions.Exit(EXIT_OK if found else EXIT_ERRORS)
