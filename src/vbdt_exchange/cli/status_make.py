"""``vbdt status make``: a status package for a received edoc package."""

from __future__ import annotations

from pathlib import Path

import click

from vbdt_exchange.cli._main import EXIT_UNREADABLE, fail, guarded, recover_option
from vbdt_exchange.cli.status import status
from vbdt_exchange.envelope.models import EdocPackage, StaffInfo
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.envelope.writer import write
from vbdt_exchange.status.build import KNOWN_CODES, SENDER_CODES, status_for

__all__ = ["make"]


@status.command("make")
@click.option(
    "--for",
    "package_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PACKAGE",
    help="The edoc package the status is about.",
)
@click.option(
    "--code",
    required=True,
    metavar="CODE",
    help=f"The status code: one of {', '.join(KNOWN_CODES)}.",
)
@click.option(
    "--from",
    "from_",
    required=True,
    metavar="ORGAN_ID",
    help="Who sends the status: the receiver (01-06, 15, 16) or the original sender (13).",
)
@click.option(
    "--to",
    metavar="ORGAN_ID",
    help="Who it is addressed to (ResponseFor/OrganId): required for 13 (the receiver); "
    "default the package's From.",
)
@click.option("--description", metavar="TEXT", help="Default: the label of the code.")
@click.option("--staff", metavar="NAME", help="The clerk who acted (StaffInfo/Staff).")
@click.option("--department", metavar="TEXT", help="The clerk's department.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT",
    help="Where to write the status package.",
)
@recover_option
@guarded
def make(
    package_path: Path,
    code: str,
    from_: str,
    to: str | None,
    description: str | None,
    staff: str | None,
    department: str | None,
    output: Path,
    recover: bool,
) -> None:
    """Build the status package CODE about PACKAGE and write it to OUT.

    Codes 01-06, 15 and 16 come from the receiver (--from) and are addressed to the package's
    sender; code 13 (take-back request) comes from the original sender and needs --to, the
    receiver the document is taken back from.
    """
    if code not in KNOWN_CODES:
        raise fail(f"unknown status code {code!r}: the known codes are {', '.join(KNOWN_CODES)}")
    if code in SENDER_CODES and not to:
        raise fail(f"status {code} needs --to, the receiver the document is taken back from")
    with read(package_path, recover=recover) as result:
        package = result.package
        if not isinstance(package, EdocPackage):
            raise fail(
                f"{package_path} is a status package; give the edoc package", EXIT_UNREADABLE
            )
        staff_info = StaffInfo(department=department, staff=staff) if staff or department else None
        built = status_for(
            package, code, from_=from_, to=to, staff=staff_info, description=description
        )
        write(built, output)
    click.echo(f"wrote {output} (status {code} for {package.document_id})")
