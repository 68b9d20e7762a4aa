"""``vbdt inspect``, ``validate``, ``pack`` and ``unpack``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from vbdt_exchange.cli._main import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_UNREADABLE,
    cli,
    fail,
    guarded,
    recover_option,
)
from vbdt_exchange.envelope.files import unpack as unpack_package
from vbdt_exchange.envelope.jsonform import package_from_json, package_to_json
from vbdt_exchange.envelope.models import EdocPackage, Package
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.envelope.validate import validate as validate_package
from vbdt_exchange.envelope.writer import check, write
from vbdt_exchange.errors import EnvelopeReadError
from vbdt_exchange.findings import Finding, Severity


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _severity(finding: Finding) -> str:
    colour = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
    return click.style(finding.severity.value, fg=colour[finding.severity])


def _finding_line(finding: Finding) -> str:
    where = f"line {finding.line}: " if finding.line else ""
    return f"  {_severity(finding)} {finding.rule} {where}{finding.message}"


def _show(label: str, value: object) -> None:
    if value not in (None, "", [], ()):
        click.echo(f"{label:<14}{value}")


def _summary(package: Package, findings: tuple[Finding, ...]) -> None:
    data = package_to_json(package)
    _show("Kind", package.kind)
    org = data["from"] or {}
    _show("From", " - ".join(x for x in (org.get("organ_id"), org.get("organ_name")) if x))
    for to in data["to"]:
        _show("To", " - ".join(x for x in (to.get("organ_id"), to.get("organ_name")) if x))
    _show("DocumentId", data["document_id"])
    if isinstance(package, EdocPackage):
        if package.code is not None:
            _show("Code", package.code.full)
        if data["promulgation"]:
            _show(
                "Issued",
                ", ".join(
                    str(x)
                    for x in (data["promulgation"]["place"], data["promulgation"]["date"])
                    if x
                ),
            )
        if data["document_type"]:
            _show("Type", data["document_type"]["type_name"])
        _show("Subject", package.subject)
        if data["signer"]:
            _show("Signer", " ".join(x for x in data["signer"].values() if x))
        _show("Due", data["due_date"])
        business = data["business"]
        if business:
            kinds = {0: "new", 1: "revocation", 2: "update", 3: "replacement"}
            doc_type = business["doc_type"]
            _show("Business", f"{doc_type} ({kinds.get(doc_type, 'unknown')})")
        for att in data["attachments"]:
            size = f"{att['size']} bytes" if att["size"] is not None else "no valid data"
            digest = f", sha256 {att['sha256'][:16]}…" if att["sha256"] else ""
            zipped = ", was SDK-zipped" if att["sdk_zipped"] else ""
            _show("Attachment", f"{att['name']} ({att['content_type']}, {size}{digest}{zipped})")
    else:
        status = data["status"]
        _show("Status", status["code"])
        _show("Description", status["description"])
        _show("Timestamp", status["timestamp"])
        for ref in data["response_for"]:
            _show("Answers", ref["document_id"])
    if package.signature is not None:
        _show("Signature", "present (not verified here)")
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    click.echo(f"Findings      {errors} error(s), {warnings} warning(s)")
    for finding in findings:
        if finding.severity is not Severity.INFO:
            click.echo(_finding_line(finding))


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the package as JSON (see docs/reference/json.md).",
)
@recover_option
@guarded
def inspect(file: Path, as_json: bool, recover: bool) -> None:
    """Show what a package says. Exit 0 when read, 2 when it cannot be read.

    \b
    Example:
      vbdt inspect examples/cong-van.edxml
      vbdt inspect package.edxml --json > package.json
    """
    with read(file, recover=recover) as result:
        if as_json:
            _dump(package_to_json(result.package, result.findings))
        else:
            _summary(result.package, result.findings)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report per file.")
@recover_option
@guarded
def validate(files: tuple[Path, ...], as_json: bool, recover: bool) -> None:
    """Check packages against QCVN 102, the published XSD and the cross-field rules.

    Exit 0 when no file has errors, 1 when one has errors, 2 when one cannot be read.
    Warnings never change the exit code. --json prints a list with one report per file.

    \b
    Example:
      vbdt validate inbox/*.edxml
    """
    code = EXIT_OK
    reports = []
    for file in files:
        with validate_package(file, recover=recover) as report:
            if as_json:
                reports.append(report.to_dict())
            else:
                state = (
                    click.style("OK", fg="green")
                    if report.ok
                    else (
                        click.style("UNREADABLE", fg="red")
                        if not report.readable
                        else click.style("ERRORS", fg="red")
                    )
                )
                click.echo(
                    f"{file}: {state} ({len(report.errors)} error(s), "
                    f"{len(report.warnings)} warning(s))"
                )
                for finding in report.findings:
                    if finding.severity is not Severity.INFO:
                        click.echo(_finding_line(finding))
            if not report.readable:
                code = EXIT_UNREADABLE
            elif report.errors and code == EXIT_OK:
                code = EXIT_ERRORS
    if as_json:
        _dump(reports)
    sys.exit(code)


@cli.command()
@click.argument("meta", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--attach",
    "attachments",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file to attach, named by its file name (repeatable).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the package.",
)
@click.option(
    "--sdk-zip",
    is_flag=True,
    help="Wrap attachments the way the official SDK does (for SDK-only receivers).",
)
@click.option(
    "--lenient",
    is_flag=True,
    help="Write even what the standard does not allow (missing fields, unreadable values).",
)
@guarded
def pack(
    meta: Path, attachments: tuple[Path, ...], output: Path, sdk_zip: bool, lenient: bool
) -> None:
    """Build a package from META.json (the shape `vbdt inspect --json` prints) and files.

    Each --attach FILE becomes the attachment of the same name in META (keeping its ContentId
    and description), or a new attachment with its content type guessed from the extension.

    \b
    Example:
      vbdt inspect in.edxml --json > meta.json && vbdt unpack in.edxml -d files/
      vbdt pack meta.json --attach files/report.pdf -o out.edxml
    """
    try:
        data = json.loads(meta.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise fail(f"{meta}: not JSON ({exc})") from None
    files: dict[str, Path] = {}
    for path in attachments:
        if path.name in files:
            raise fail(f"two attachments are named {path.name!r}")
        files[path.name] = path
    package = package_from_json(data, files)
    problems = [] if lenient else check(package)
    if problems:
        click.echo(f"vbdt: error: {meta}: cannot write a standard package:", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)
        click.echo("  (use --lenient to write it anyway)", err=True)
        sys.exit(EXIT_ERRORS)
    result = write(
        package, output, attachment_form="sdk-zip" if sdk_zip else "raw", strict=not lenient
    )
    listed = {
        a.get("name"): a.get("sha256") for a in data.get("attachments") or [] if isinstance(a, dict)
    }
    for att in result.attachments:
        expected = listed.get(att.name)
        if expected and expected != att.sha256:
            click.echo(
                f"vbdt: note: {att.name} differs from the file META describes "
                f"(sha256 {att.sha256[:16]}…, META says {str(expected)[:16]}…)",
                err=True,
            )
    click.echo(f"wrote {output} ({result.size} bytes, {len(result.attachments)} attachment(s))")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-d",
    "--directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the attachments and package.json.",
)
@recover_option
@guarded
def unpack(file: Path, directory: Path, recover: bool) -> None:
    """Write a package's attachments (original names, made safe) and package.json.

    A name that would land outside DIRECTORY (../, absolute paths) is reduced to its last part;
    existing files are never overwritten.

    \b
    Example:
      vbdt unpack package.edxml -d out/
    """
    try:
        result = unpack_package(file, directory, recover=recover)
    except EnvelopeReadError:
        raise
    for item in result.files:
        if item.path is None:
            click.echo(f"skipped {item.attachment.name!r}: no valid data", err=True)
        else:
            click.echo(f"wrote {item.path}")
    click.echo(f"wrote {result.package_json}")
    if any(item.path is None for item in result.files):
        sys.exit(EXIT_ERRORS)
