"""The ``vbdt`` command group, its error handling, and logging set-up.

Exit codes (every command): 0 success; 1 the input was read but has errors (``validate``) or
could not be written in the strict form (``pack``); 2 the input could not be read or the command
line is wrong. Errors are one line on stderr, never a traceback (``--debug`` shows one).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from vbdt_exchange.errors import VbdtError

__all__ = [
    "EXIT_ERRORS",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "cli",
    "fail",
    "main",
    "recover_option",
    "secret_from_env",
]

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_UNREADABLE = 2

F = TypeVar("F", bound=Callable[..., Any])

#: ``--recover``: the one option every command that reads a package offers.
recover_option = click.option(
    "--recover",
    is_flag=True,
    help="Read files that are not well-formed in the ways seen in the wild, and report the repair.",
)
_RECOVERABLE = frozenset({"EDX001", "EDX002", "EDX003"})


class CommandFailed(click.ClickException):
    """A one-line error for stderr, with its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_UNREADABLE) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        click.echo(f"vbdt: error: {_one_line(self.format_message())}", err=True)


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


class _Group(click.Group):
    """A group whose usage errors are one line on stderr, like every other error."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("vbdt: error: aborted", err=True)
            sys.exit(EXIT_UNREADABLE)
        except click.exceptions.NoArgsIsHelpError as exc:  # plain `vbdt`: the help, as usual
            click.echo(exc.format_message(), err=True)
            sys.exit(EXIT_UNREADABLE)
        except click.ClickException as exc:
            click.echo(f"vbdt: error: {_one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code if exc.exit_code else EXIT_UNREADABLE)


def fail(message: str, exit_code: int = EXIT_UNREADABLE) -> CommandFailed:
    return CommandFailed(message, exit_code)


def secret_from_env(variable: str, *, empty_ok: bool = True) -> str:
    """The value of the environment variable ``variable``: how every command takes a secret
    (passwords and shared secrets never travel as command-line values)."""
    import os

    value = os.environ.get(variable)
    if value is None or (not value and not empty_ok):
        raise fail(
            f"the environment variable {variable} is not set" + ("" if empty_ok else " or empty")
        )
    return value


def guarded(func: F) -> F:
    """Turn library and OS errors into one-line messages with exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:  # `vbdt ... | head`: the reader left; not an error
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except VbdtError as exc:
            _debug()
            message = str(exc)
            ctx = click.get_current_context(silent=True)
            if (
                getattr(exc, "rule", None) in _RECOVERABLE
                and ctx is not None
                and ctx.params.get("recover") is False
            ):
                message += "; --recover reads it anyway"
            raise fail(message) from None
        except OSError as exc:
            _debug()
            where = f": {exc.filename}" if exc.filename else ""
            raise fail(f"{exc.strerror or exc}{where}") from None
        except Exception as exc:  # a bug, not bad input: say so, briefly
            _debug()
            raise fail(
                f"internal error ({type(exc).__name__}: {exc}); "
                "please report it with --debug output"
            ) from None

    return wrapper  # type: ignore[return-value]


def _debug() -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().params.get("debug"):
        import traceback

        traceback.print_exc()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vbdt-exchange", prog_name="vbdt")
@click.option("-v", "--verbose", count=True, help="Log more (repeat for debug logs).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def cli(verbose: int, debug: bool) -> None:
    """Read, validate and write edXML packages (QCVN 102:2016/BTTTT).

    \b
    Examples:
      vbdt inspect package.edxml
      vbdt validate *.edxml --json
      vbdt unpack package.edxml -d out/
      vbdt pack out/package.json --attach out/report.pdf -o new.edxml
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG),
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


COMMAND_MODULES = (
    "envelope",
    "catalog_organ",
    "catalog_types",
    "policy",
    "status_make",
    "status_explain",
    "sign",
    "pdf",
    "hub",
    "axis",
    "demo",
    "engine",
    "report",
)
"""The modules under ``vbdt_exchange.cli`` that register commands when imported."""


def load_commands() -> click.Group:
    """Import every command module (each registers its commands) and return the root group."""
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"vbdt_exchange.cli.{name}")
    return cli


def _quiet_dependency_warnings() -> None:
    """Keep warnings that dependencies raise about themselves off the command line's stderr.

    pyHanko imports cryptography's DSA key class, which cryptography 51 deprecates with a
    warning at import time; nothing here signs or verifies with DSA. The library itself sets no
    filter (that is the host application's choice); the command line is an application.
    """
    import warnings

    warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko(\.|$)")


def main() -> None:
    """Console-script entry point."""
    _quiet_dependency_warnings()
    code = load_commands()(prog_name="vbdt")
    sys.exit(code if isinstance(code, int) else EXIT_OK)
