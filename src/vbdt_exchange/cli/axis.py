"""``vbdt axis ...``: talk to an axis (VDXP, an LGSP, the local reference axis) as a connected
system: send a package, list the inbox, fetch, acknowledge, follow what was sent, read the
directory.

Every subcommand takes the connection options (``--endpoint``, ``--system-id``,
``--secret-env``, ``--config`` …); they default to the ``VBDT_AXIS_*`` environment variables and
then to the config file (:mod:`vbdt_exchange.adapters.config`). Exit codes: 0 done; 1 the axis
refused (the package, an address, a state change); 2 the axis could not be used (settings,
credentials, network, an answer outside the protocol, an upload with no answer).
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs
import click

from vbdt_exchange.adapters.base import Channel, DeliveryState, MessageType
from vbdt_exchange.adapters.config import KINDS, load_settings, open_channel
from vbdt_exchange.adapters.errors import AxisAmbiguous, AxisRefused, AxisUnsupported
from vbdt_exchange.cli._main import EXIT_ERRORS, EXIT_UNREADABLE, cli, fail, guarded

__all__ = ["axis"]

F = TypeVar("F", bound=Callable[..., Any])

#: The connection options every ``vbdt axis`` subcommand takes (their values, by name).
_CONNECTION = (
    "config",
    "kind",
    "endpoint",
    "system_id",
    "secret_env",
    "test",
    "timeout",
    "ca_bundle",
    "username",
    "password_env",
    "application_code",
    "client_id",
    "client_secret_env",
)


def connection_options(func: F) -> F:
    """Add the connection options to a subcommand (flags > ``VBDT_AXIS_*`` > config file)."""
    options = [
        click.option(
            "--config",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help="A TOML file with the settings (an [axis] table); env VBDT_AXIS_CONFIG.",
        ),
        click.option(
            "--kind",
            type=click.Choice(KINDS),
            help="The axis's protocol: vdxp (national axis, local axis), langson, quangnam, "
            "email (settings from the environment or the file); "
            "env VBDT_AXIS_KIND; default vdxp.",
        ),
        click.option("--endpoint", metavar="URL", help="The axis's URL; env VBDT_AXIS_ENDPOINT."),
        click.option("--system-id", metavar="ID", help="Our system id; env VBDT_AXIS_SYSTEM_ID."),
        click.option(
            "--secret-env",
            metavar="VAR",
            help="Read the secret from the environment variable VAR (default "
            "VBDT_AXIS_SECRET). The secret is never a command-line value.",
        ),
        click.option(
            "--test",
            is_flag=True,
            default=None,
            help="A test axis: plain http:// is expected (no warning); env VBDT_AXIS_TEST=1.",
        ),
        click.option(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="Read timeout (packages get four times as long); env VBDT_AXIS_TIMEOUT.",
        ),
        click.option(
            "--ca-bundle",
            metavar="FILE",
            help="Verify TLS with this CA bundle; env VBDT_AXIS_CA_BUNDLE.",
        ),
        click.option("--username", metavar="USER", help="Lạng Sơn LGSP: the log-in user."),
        click.option(
            "--password-env",
            metavar="VAR",
            help="Lạng Sơn LGSP: read the password from VAR (default VBDT_AXIS_PASSWORD).",
        ),
        click.option(
            "--application-code", metavar="CODE", help="Lạng Sơn LGSP: the applicationCode."
        ),
        click.option("--client-id", metavar="ID", help="Quảng Nam LGSP: the OAuth2 client id."),
        click.option(
            "--client-secret-env",
            metavar="VAR",
            help="Quảng Nam LGSP: read the OAuth2 client secret from VAR "
            "(default VBDT_AXIS_CLIENT_SECRET).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def _pop_connection(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {name: kwargs.pop(name) for name in _CONNECTION}


@contextmanager
def _channel(connection: dict[str, Any]) -> Iterator[Channel]:
    config_file = connection.pop("config")
    settings = load_settings(flags=connection, config_file=config_file)
    channel = open_channel(settings)
    try:
        yield channel
    finally:
        channel.close()


def axis_errors(func: F) -> F:
    """A refusal by the axis exits with 1 and its code; other axis errors exit with 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AxisUnsupported as exc:
            raise fail(str(exc), EXIT_UNREADABLE) from None
        except AxisAmbiguous as exc:
            sha = f" (package SHA-256 {exc.sha256})" if exc.sha256 else ""
            raise fail(f"{exc}{sha}", EXIT_UNREADABLE) from None
        except AxisRefused as exc:
            code = EXIT_UNREADABLE if exc.outcome.value == "rejected-credentials" else EXIT_ERRORS
            raise fail(f"{exc} [{exc.outcome.value}]", code) from None

    return wrapper  # type: ignore[return-value]


def _jsonable(value: Any) -> Any:
    if attrs.has(type(value)):
        return {
            f.name.rstrip("_"): _jsonable(getattr(value, f.name)) for f in attrs.fields(type(value))
        }
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _print_json(value: Any) -> None:
    click.echo(json.dumps(_jsonable(value), ensure_ascii=False, indent=2))


def _when(moment: datetime.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


@cli.group()
def axis() -> None:
    """Send and receive packages through an axis (VDXP, an LGSP, the local reference axis).

    \b
    Examples:
      export VBDT_AXIS_ENDPOINT=https://axis.example/vxp VBDT_AXIS_SYSTEM_ID=000.00.00.H29
      export VBDT_AXIS_SECRET=...        # never on the command line
      vbdt axis send cong-van.edxml
      vbdt axis list
      vbdt axis fetch 5bebcfeff858e3e0cc154762 -o in.edxml
      vbdt axis ack 5bebcfeff858e3e0cc154762 --status done
      vbdt axis sent 8af226c8-7cde-4fbe-88fe-e15a768b49cb
    """


@axis.command("send")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="ORGAN_ID",
    help="Also name this receiver to the axis (repeatable); the axis routes by the package's "
    "To (a status package: ResponseFor), so this is rarely needed.",
)
@click.option(
    "--type",
    "message_type",
    type=click.Choice(["edoc", "status"]),
    help="The message type; default: read from the package.",
)
@json_option
@connection_options
@guarded
@axis_errors
def send_command(
    file: Path, to: tuple[str, ...], message_type: str | None, as_json: bool, **kwargs: Any
) -> None:
    """Send the package FILE and print the id the axis gave it.

    An upload that got no answer is not repeated (exit 2, "ambiguous"): check `vbdt axis sent`
    before sending it again.
    """
    with _channel(_pop_connection(kwargs)) as channel:
        sent = channel.send(file, message_type=cast(MessageType | None, message_type), to=to)
    if as_json:
        _print_json(sent)
    else:
        click.echo(f"sent {file} as {sent.doc_id} ({sent.message_type}, {sent.size} bytes)")


@axis.command("list")
@click.option(
    "--status",
    "status_queue",
    is_flag=True,
    help="List the status-package queue (the receivers' business replies) instead of the "
    "edoc queue.",
)
@json_option
@connection_options
@guarded
@axis_errors
def list_command(status_queue: bool, as_json: bool, **kwargs: Any) -> None:
    """List what waits in the inbox: one line per message (id, sender, state, time)."""
    kind: MessageType = "status" if status_queue else "edoc"
    with _channel(_pop_connection(kwargs)) as channel:
        notices = channel.received(kind)
    if as_json:
        _print_json(notices)
        return
    if not notices:
        click.echo(f"no {kind} message waiting")
    for n in notices:
        state = n.state.value if n.state else (n.status_text or "-")
        click.echo(f"{n.doc_id}  from {n.from_ or '-'}  {state}  {_when(n.created)}")


@axis.command("fetch")
@click.argument("doc_id")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Where to write the package (written only when the whole answer was good).",
)
@json_option
@connection_options
@guarded
@axis_errors
def fetch_command(doc_id: str, output: Path, as_json: bool, **kwargs: Any) -> None:
    """Fetch the received package DOC_ID into FILE."""
    with _channel(_pop_connection(kwargs)) as channel:
        fetched = channel.fetch(doc_id, output)
    if as_json:
        _print_json(fetched)
    else:
        click.echo(f"wrote {output} ({fetched.size} bytes, SHA-256 {fetched.sha256[:16]}…)")


@axis.command("ack")
@click.argument("doc_id")
@click.option(
    "--status",
    "state",
    required=True,
    type=click.Choice([s.value for s in DeliveryState]),
    help="The delivery state: done (stored), fail (could not take it), processing, initial. "
    "Not a business status: send a status package for that.",
)
@json_option
@connection_options
@guarded
@axis_errors
def ack_command(doc_id: str, state: str, as_json: bool, **kwargs: Any) -> None:
    """Set the delivery state of the received message DOC_ID."""
    with _channel(_pop_connection(kwargs)) as channel:
        done = channel.acknowledge(doc_id, DeliveryState(state))
    if as_json:
        _print_json(done)
    else:
        click.echo(f"{doc_id}: {done.state.value}")


@axis.command("sent")
@click.argument("doc_id", required=False)
@click.option(
    "--status",
    "status_queue",
    is_flag=True,
    help="The status packages we sent instead of the edoc packages.",
)
@json_option
@connection_options
@guarded
@axis_errors
def sent_command(doc_id: str | None, status_queue: bool, as_json: bool, **kwargs: Any) -> None:
    """Show, per receiver, the state of what we sent (of DOC_ID only, when given)."""
    kind: MessageType = "status" if status_queue else "edoc"
    with _channel(_pop_connection(kwargs)) as channel:
        rows = channel.sent(doc_id, kind)
    if as_json:
        _print_json(rows)
        return
    if not rows:
        click.echo("nothing sent" + (f" as {doc_id}" if doc_id else ""))
    for r in rows:
        receive = r.receive_status or "-"
        click.echo(
            f"{r.sender_doc_id or '-'}  to {r.to or '-'}  sent: {r.send_status or '-'}  "
            f"receiver: {receive}  {_when(r.sent)}"
        )


@axis.command("agencies")
@click.option("--qd20", is_flag=True, help="VDXP: the list by the codes of Decision 20.")
@json_option
@connection_options
@guarded
@axis_errors
def agencies_command(qd20: bool, as_json: bool, **kwargs: Any) -> None:
    """List the axis's directory of units (code and name)."""
    with _channel(_pop_connection(kwargs)) as channel:
        if qd20:
            get = getattr(channel, "agencies_qd20", None)
            if get is None:
                raise fail("--qd20: only the VDXP axis has the Decision 20 list", EXIT_UNREADABLE)
            agencies = get()
        else:
            agencies = channel.agencies()
    if as_json:
        _print_json(agencies)
        return
    for a in agencies:
        click.echo(f"{a.code}  {a.name or ''}".rstrip())
