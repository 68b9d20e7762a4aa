"""``vbdt hub ...``: run the local reference axis and manage its registered systems."""

from __future__ import annotations

import datetime
import json
import logging
import signal
import socket
import sys
from pathlib import Path
from typing import Any, Literal

import attrs
import click

from vbdt_exchange.cli._main import EXIT_ERRORS, cli, fail, guarded, secret_from_env

__all__ = ["hub"]

log = logging.getLogger(__name__)


def db_option(command: Any) -> Any:
    """``--db``, ``--blob-dir`` and ``--schema``: where the hub's store is."""
    for option in reversed(
        (
            click.option(
                "--db",
                default="vbdt-hub.db",
                show_default=True,
                envvar="VBDT_HUB_DB",
                metavar="FILE|DSN",
                help="The hub's SQLite database (packages go in FILE.blobs/), or a "
                "postgresql:// DSN (needs --blob-dir; keep the password in PGPASSWORD or "
                "~/.pgpass); env VBDT_HUB_DB.",
            ),
            click.option(
                "--blob-dir",
                type=click.Path(file_okay=False, path_type=Path),
                envvar="VBDT_HUB_BLOB_DIR",
                metavar="DIR",
                help="Where package files go (default FILE.blobs/; required with PostgreSQL); "
                "env VBDT_HUB_BLOB_DIR.",
            ),
            click.option(
                "--schema",
                envvar="VBDT_HUB_SCHEMA",
                metavar="NAME",
                help="With PostgreSQL: the schema of the hub's tables (created when missing; "
                "default the current schema); env VBDT_HUB_SCHEMA.",
            ),
        )
    ):
        command = option(command)
    return command


def _store(db: str, blob_dir: Path | None, schema: str | None, *, existing: bool = False) -> Any:
    """Open the hub store named by the options (``existing``: refuse a missing SQLite file)."""
    from vbdt_exchange.hub import Store
    from vbdt_exchange.hub.store import is_postgres

    if is_postgres(db):
        if blob_dir is None:
            raise fail("a PostgreSQL --db needs --blob-dir (the folder for package files)")
    else:
        if schema is not None:
            raise fail("--schema applies to a PostgreSQL --db only")
        if existing and not Path(db).exists():
            raise fail(f"no hub database at {db}")
    return Store(db, blob_dir=blob_dir, schema=schema)


@cli.group()
def hub() -> None:
    """Run the local reference axis (the VDXP protocol of the official SDK) and manage it.

    \b
    Examples:
      VBDT_SECRET_A=... vbdt hub add-system --db hub.db --system-id 000.00.00.H29 \\
          --secret-env VBDT_SECRET_A
      vbdt hub serve --db hub.db --port 8080
    """


@hub.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="The port (0: any free port; the URL is printed).",
)
@click.option(
    "--max-clock-skew",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="Refuse requests whose timestamp is further from the hub's clock (default: accept "
    "the official SDK's reused timestamps).",
)
@click.option(
    "--refuse-replays",
    is_flag=True,
    help="With --max-clock-skew: refuse a signed request seen before.",
)
@click.option(
    "--reading",
    type=click.Choice(["full", "header"]),
    default="full",
    show_default=True,
    help="Read each package whole with the library's reader, or only its header (faster; "
    "attachments unchecked).",
)
@click.option(
    "--refuse-invalid",
    is_flag=True,
    help="Refuse packages with error findings, not only unreadable ones.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=256 * 1024 * 1024,
    show_default=True,
    help="The largest request body accepted.",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up on a request body that has not arrived in this time (plus one second per "
    "64 KiB); 0 for no limit.",
)
@click.option(
    "--head-timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Close a connection whose request head (request line and headers) is not complete "
    "this long after the connection or the previous response (HTTP 408); 0 for no limit.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Serve from this many processes sharing the port and the store (use the cores; "
    "replay refusal then goes through the store).",
)
@click.option(
    "--http",
    type=click.Choice(["h11", "httptools"]),
    default="h11",
    show_default=True,
    help="uvicorn's HTTP parser: h11 (pure Python), or httptools (C, less CPU per request; "
    "extra 'fast'). Both refuse a request head over 16 KiB.",
)
@guarded
def serve(
    db: str,
    blob_dir: Path | None,
    schema: str | None,
    host: str,
    port: int,
    max_clock_skew: int | None,
    refuse_replays: bool,
    reading: Literal["full", "header"],
    refuse_invalid: bool,
    max_body_bytes: int,
    body_timeout: float,
    head_timeout: float,
    workers: int,
    http: str,
) -> None:
    """Serve the local axis from the database FILE until interrupted (Ctrl-C).

    Prints the endpoint URL on stderr; operations are POST {URL}/sendEdoc and so on. Register
    systems first with `vbdt hub add-system`. With --workers N, N processes accept on the same
    port and share the store (SQLite in WAL mode, or PostgreSQL).
    """
    from vbdt_exchange.hub import HubConfig
    from vbdt_exchange.hub.server import httptools_available

    if http == "httptools" and not httptools_available():
        raise fail("--http httptools needs httptools: pip install 'vbdt_exchange[fast]'")
    if refuse_invalid and reading == "header":
        raise fail("--refuse-invalid needs --reading full (findings come from the full reader)")
    if refuse_replays and max_clock_skew is None:
        raise fail("--refuse-replays needs --max-clock-skew (the window to remember requests)")
    config = HubConfig(
        max_clock_skew=(
            datetime.timedelta(seconds=max_clock_skew) if max_clock_skew is not None else None
        ),
        refuse_replays=refuse_replays,
        reading=reading,
        refuse_invalid=refuse_invalid,
        max_body_bytes=max_body_bytes,
        body_timeout=datetime.timedelta(seconds=body_timeout) if body_timeout else None,
        # every worker must see every signature: the in-process cache sees only its own
        replay_cache="store" if workers > 1 else "process",
    )
    socks = _listen(host, port, workers if _PER_WORKER_SOCKETS else 1)
    # SIGTERM ends the command like Ctrl-C: uvicorn handles both while it runs and re-raises
    # the signal once stopped, which lands here as KeyboardInterrupt (exit 0).
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server = {"http": http, "head_timeout": head_timeout or None}
        _serve_on(socks, host, db, blob_dir, schema, config, workers, server)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        for sock in socks:
            sock.close()
    click.echo("vbdt hub: stopped", err=True)


# Linux spreads the connections of a port over the sockets bound to it with SO_REUSEPORT (by a
# hash of the addresses): a socket per worker then balances the workers. Elsewhere (BSD and macOS
# do not balance so) the workers share one socket and take connections as they come.
_PER_WORKER_SOCKETS = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _listen(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets bound to ``host:port`` (one SO_REUSEPORT group when more than one; with
    port 0, the port the first one got)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socks: list[socket.socket] = []
    try:
        if count > 1:
            # a port already served with SO_REUSEPORT (another `vbdt hub serve --workers`)
            # would take this group in silently, sharing its connections: bind a plain socket
            # first, which fails on a port in use
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((host, port))
                port = probe.getsockname()[1]
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if count > 1:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            # accepted connections inherit it: without it a response's header and body writes
            # meet the client's delayed ACK (about 40 ms per request)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
    except OSError as exc:
        for sock in socks:
            sock.close()
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return socks


def _serve_on(
    socks: list[socket.socket],
    host: str,
    db: str,
    blob_dir: Path | None,
    schema: str | None,
    config: Any,
    workers: int,
    server: dict[str, Any],
) -> None:
    from vbdt_exchange.hub import HubApp
    from vbdt_exchange.hub.store import is_postgres

    with _store(db, blob_dir, schema) as store:
        systems = store.systems()
        if not systems:
            click.echo(
                f"vbdt hub: warning: no system is registered in {store.location} "
                "(vbdt hub add-system); every request will be refused",
                err=True,
            )
        bound = socks[0].getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        ready = (
            f"vbdt hub: serving {store.location} on http://{shown}:{bound} "
            f"({len(systems)} system(s)"
            + (f", {workers} workers" if workers > 1 else "")
            + "; Ctrl-C to stop)"
        )
        if workers == 1:
            _server(HubApp(store, config), ready, server).run(sockets=socks)
            return
    # the store was opened (created, migrated) once here; each worker opens its own
    location = db if is_postgres(db) else str(Path(db).resolve())
    factory = _WorkerApp(
        location,
        str(blob_dir.resolve()) if blob_dir is not None else None,
        schema,
        config,
        logging.getLogger().getEffectiveLevel(),
    )
    _supervise(factory, workers, socks, ready, server)


@hub.command("add-system")
@db_option
@click.option("--system-id", required=True, metavar="ID", help="The system's id (systemid).")
@click.option(
    "--secret-env",
    required=True,
    metavar="VAR",
    help="The environment variable holding its secret (never a command-line value).",
)
@click.option(
    "--organ-id",
    "organ_ids",
    multiple=True,
    metavar="ID",
    help="Another organ id it sends and receives for (repeatable).",
)
@guarded
def add_system(
    db: str,
    blob_dir: Path | None,
    schema: str | None,
    system_id: str,
    secret_env: str,
    organ_ids: tuple[str, ...],
) -> None:
    """Register a system (or change its secret and add organ ids).

    The system receives what is addressed to its own id and to each --organ-id, and may send
    with any of them as From.
    """
    secret = secret_from_env(secret_env, empty_ok=False)
    with _store(db, blob_dir, schema) as store:
        system = store.add_system(system_id, secret.encode("utf-8"), organ_ids=organ_ids)
    click.echo(f"registered {system.system_id}" + _organs(system.organ_ids))


@hub.command("list-systems")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@guarded
def list_systems(db: str, blob_dir: Path | None, schema: str | None, as_json: bool) -> None:
    """List the registered systems and their organ ids (never the secrets)."""
    with _store(db, blob_dir, schema, existing=True) as store:
        systems = store.systems()
    if as_json:
        click.echo(
            json.dumps(
                [{"system_id": s.system_id, "organ_ids": list(s.organ_ids)} for s in systems],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for system in systems:
        click.echo(system.system_id + _organs(system.organ_ids))


@hub.command("remove-system")
@db_option
@click.option("--system-id", required=True, metavar="ID", help="The system to unregister.")
@guarded
def remove_system(db: str, blob_dir: Path | None, schema: str | None, system_id: str) -> None:
    """Unregister a system and its organ ids (what it sent and received stays)."""
    with _store(db, blob_dir, schema, existing=True) as store:
        removed = store.remove_system(system_id)
        location = store.location
    if not removed:
        raise fail(f"no system {system_id} in {location}", EXIT_ERRORS)
    click.echo(f"removed {system_id}")


def _server(app: Any, ready: str, server: dict[str, Any]) -> Any:
    """uvicorn's server for ``app``, announcing ``ready`` on stderr once it accepts connections
    (and handles signals), so that a script can wait for that line."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                click.echo(ready, err=True)

    return Server(_config(app, server))


def _config(app: Any, server: dict[str, Any], **options: Any) -> Any:
    """uvicorn's configuration of the hub (``server``: ``http`` and ``head_timeout``)."""
    from vbdt_exchange.hub.server import server_config

    return server_config(
        app, log_level=logging.getLogger().getEffectiveLevel(), **server, **options
    )


@attrs.frozen
class _WorkerApp:
    """What each worker process of ``vbdt hub serve --workers N`` calls to build its
    application: its own connection to the store. Picklable (the workers are spawned)."""

    location: str
    blob_dir: str | None
    schema: str | None
    config: Any  # HubConfig
    log_level: int

    def __call__(self) -> Any:
        from vbdt_exchange.hub import HubApp, Store

        logging.basicConfig(
            level=self.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
        )
        return HubApp(Store(self.location, blob_dir=self.blob_dir, schema=self.schema), self.config)


def _supervise(
    factory: _WorkerApp,
    workers: int,
    socks: list[socket.socket],
    ready: str,
    server: dict[str, Any],
) -> None:
    """Run ``workers`` uvicorn processes (uvicorn's supervisor restarts one that dies), worker
    *i* on ``socks[i]`` (all on ``socks[0]`` when there is one); announce ``ready`` once every
    one accepts connections; return on SIGINT/SIGTERM."""
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess
    from uvicorn.supervisors.multiprocess import Process

    config = _config(factory, server, factory=True, workers=workers)

    class Supervisor(Multiprocess):
        def _start(self, slot: int) -> Process:
            process = Process(self.config, [self.sockets[slot % len(self.sockets)]])
            process.start()
            return process

        def init_processes(self) -> None:
            self.processes = [self._start(slot) for slot in range(self.processes_num)]
            timeout = self.config.timeout_worker_healthcheck
            if all(p.wait_until_ready(timeout, self.should_exit) for p in self.processes):
                click.echo(ready, err=True)
            else:
                self.should_exit.set()

        def keep_subprocess_alive(self) -> None:
            # uvicorn's, but a worker restarted in a slot takes that slot's socket
            for slot, process in enumerate(self.processes):
                if self.should_exit.is_set():
                    return
                if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                    continue
                process.kill()  # hung, or gone
                process.join()
                if process.exitcode == STARTUP_FAILURE:  # it would fail the same way again
                    log.error("hub worker %s could not start; stopping", process.pid)
                    self.should_exit.set()
                    return
                log.warning("hub worker %s died; starting another", process.pid)
                self.processes[slot] = self._start(slot)

        # adding, removing or replacing workers by signal (uvicorn's SIGTTIN, SIGTTOU, SIGHUP)
        # would not know the slots: not offered
        def handle_hup(self) -> None:
            log.warning("vbdt hub serve: SIGHUP ignored (restart the command to reload)")

        def handle_ttin(self) -> None:
            log.warning("vbdt hub serve: SIGTTIN ignored (the number of workers is fixed)")

        def handle_ttou(self) -> None:
            log.warning("vbdt hub serve: SIGTTOU ignored (the number of workers is fixed)")

    supervisor = Supervisor(config, sockets=socks)
    supervisor.run()
    if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        raise fail("a hub worker could not start (see the messages above)")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _organs(organ_ids: tuple[str, ...]) -> str:
    return f" (also {', '.join(organ_ids)})" if organ_ids else ""
