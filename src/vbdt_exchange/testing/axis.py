"""A local reference axis on a free loopback port, for tests and demos.

:class:`LocalAxis` starts the hub (:class:`~vbdt_exchange.hub.HubApp` under uvicorn) in a
background thread on ``127.0.0.1`` and a port the OS picks, registers systems with random
secrets, and stops cleanly::

    with LocalAxis() as axis:
        sender, receiver = axis.systems
        client = MyVdxpClient(axis.url, sender.system_id, sender.secret)
        ...

By default the store is a throw-away SQLite database in a temporary directory; give ``db`` to
keep it (and :meth:`LocalAxis.restart` to check that nothing is lost across a restart).
``transport()`` gives an in-process ``httpx`` transport to the same hub (no sockets).

>>> import httpx
>>> from vbdt_exchange.adapters.vdxp_wire import sign_request
>>> with LocalAxis() as axis:
...     me = axis.systems[0]
...     headers = sign_request(
...         [], system_id=me.system_id, secret=me.secret_bytes, content_type="application/json"
...     )
...     answer = httpx.post(f"{axis.url}/getAgenciesList", headers=headers).json()
>>> answer["status"], [a["code"] for a in answer["data"]]
('OK', ['000.00.00.G22', '000.00.00.H29'])
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import attrs
import uvicorn

from vbdt_exchange.errors import HubError
from vbdt_exchange.hub.app import HubApp
from vbdt_exchange.hub.model import HubConfig
from vbdt_exchange.hub.server import HEAD_TIMEOUT, HttpParser, server_config
from vbdt_exchange.hub.store import Store, is_postgres
from vbdt_exchange.hub.transport import SyncASGITransport

__all__ = ["DEFAULT_SYSTEMS", "AxisSystem", "LocalAxis", "LocalAxisError"]

log = logging.getLogger(__name__)

DEFAULT_SYSTEMS = ("000.00.00.H29", "000.00.00.G22")
"""The two systems a :class:`LocalAxis` registers when none are given (a sender, a receiver)."""


class LocalAxisError(HubError):
    """The local axis could not start (or was used before it started)."""


@attrs.frozen
class AxisSystem:
    """A system registered with a :class:`LocalAxis`.

    :ivar system_id: its id (``XroadVnpt-systemid``, and the ``From/OrganId`` it sends as).
    :ivar secret: its shared secret (random unless given).
    :ivar organ_ids: other organ ids it sends and receives for.
    """

    system_id: str
    secret: str = attrs.field(repr=False)
    organ_ids: tuple[str, ...] = ()

    @property
    def secret_bytes(self) -> bytes:
        """The secret as the HMAC key (UTF-8)."""
        return self.secret.encode("utf-8")


def _system(value: str | AxisSystem) -> AxisSystem:
    if isinstance(value, AxisSystem):
        return value
    return AxisSystem(value, secrets.token_urlsafe(24))


class LocalAxis:
    """The local reference axis served on loopback from a background thread.

    :param systems: the systems to register: ids (given random secrets) or
        :class:`AxisSystem` (with their secrets and organ ids). Default: two systems,
        :data:`DEFAULT_SYSTEMS`.
    :param db: the SQLite file (kept); default a temporary store removed on :meth:`stop`; or a
        ``postgresql://`` DSN (with ``blob_dir``, and optionally ``schema``).
    :param blob_dir: where package files go (see :class:`~vbdt_exchange.hub.Store`).
    :param schema: with PostgreSQL, the schema of the hub's tables.
    :param config: the hub's :class:`~vbdt_exchange.hub.HubConfig`.
    :param host: the address to listen on (loopback by default).
    :param port: the port; 0 (default) lets the OS pick a free one.
    :param serve: start the HTTP server; with ``False`` only :meth:`transport` works.
    :param http: uvicorn's HTTP parser, ``"h11"`` (default) or ``"httptools"`` (the ``fast``
        extra); see :mod:`vbdt_exchange.hub.server`.
    :param head_timeout: seconds a request head may take, from the connection or the previous
        response (``None``: no limit); see :mod:`vbdt_exchange.hub.server`.
    """

    def __init__(
        self,
        systems: Iterable[str | AxisSystem] = DEFAULT_SYSTEMS,
        *,
        db: str | os.PathLike[str] | None = None,
        blob_dir: str | os.PathLike[str] | None = None,
        schema: str | None = None,
        config: HubConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        serve: bool = True,
        http: HttpParser = "h11",
        head_timeout: float | None = HEAD_TIMEOUT,
    ) -> None:
        self.systems: tuple[AxisSystem, ...] = tuple(_system(s) for s in systems)
        self.db: Path | str | None = None if db is None else db if is_postgres(db) else Path(db)
        self.blob_dir = blob_dir
        self.schema = schema
        self.config = config or HubConfig()
        self.host = host
        self.port = port
        self.serve = serve
        self.http: HttpParser = http
        self.head_timeout = head_timeout
        self.store: Store | None = None
        self.app: HubApp | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._transports: list[SyncASGITransport] = []

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> LocalAxis:
        """Open the store, register the systems, start serving; returns ``self``."""
        if self.store is not None:
            return self
        self.store = Store(self.db, blob_dir=self.blob_dir, schema=self.schema)
        try:
            for system in self.systems:
                self.store.add_system(
                    system.system_id, system.secret_bytes, organ_ids=system.organ_ids
                )
            self.app = HubApp(self.store, self.config)
            if self.serve:
                self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_server(self) -> None:
        assert self.app is not None
        config = server_config(
            self.app,
            http=self.http,
            head_timeout=self.head_timeout,
            host=self.host,
            port=self.port,
            log_level=logging.WARNING,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="vbdt-local-axis", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                thread.join(5)
                raise LocalAxisError(f"the local axis could not listen on {self.host}:{self.port}")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        self.port = server.servers[0].sockets[0].getsockname()[1]
        log.info("local axis listening on %s", self.url)

    def _stop_server(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(30)
        self._server = self._thread = None

    def stop(self) -> None:
        """Stop serving and close the store (a temporary store is removed)."""
        self._stop_server()
        for transport in self._transports:
            transport.close()
        self._transports.clear()
        if self.store is not None:
            self.store.close()
        self.store = self.app = None

    def restart(self) -> None:
        """Stop, and start a new hub on the same database and port (as after a crash)."""
        if self.db is None:
            raise LocalAxisError("restart() needs a LocalAxis with a db file")
        self.stop()
        self.start()

    def __enter__(self) -> LocalAxis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- access ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The endpoint, ``http://127.0.0.1:PORT`` (operations are ``{url}/{operation}``)."""
        if self._server is None:
            raise LocalAxisError("the local axis is not serving (use it as a context manager)")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def system(self, system_id: str) -> AxisSystem:
        """The registered system ``system_id``."""
        for system in self.systems:
            if system.system_id == system_id:
                return system
        raise KeyError(system_id)

    def transport(self) -> SyncASGITransport:
        """An in-process ``httpx`` transport to this hub (closed with the axis)."""
        if self.app is None:
            raise LocalAxisError("the local axis is not started")
        transport = SyncASGITransport(self.app)
        self._transports.append(transport)
        return transport
