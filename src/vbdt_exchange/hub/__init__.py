"""The local reference axis: the VDXP wire protocol served from a SQLite store.

* :class:`HubApp` — the ASGI application (any ASGI server; ``vbdt hub serve`` runs uvicorn);
* :class:`Store` — systems, messages and per-receiver deliveries in SQLite (WAL), packages in
  files next to the database; survives restarts;
* :class:`HubConfig` — timestamp policy, body bound, HTTP status of refusals;
* :class:`SyncASGITransport` — call the application in-process from a sync ``httpx.Client``.

:class:`vbdt_exchange.testing.axis.LocalAxis` runs it on a free loopback port for tests;
``vbdt hub serve`` from the command line. Errors: :class:`HubStoreError` (the store cannot be
opened or used), :class:`HubConfigError` (contradictory settings), :class:`UnknownSystem`; all
are :class:`~vbdt_exchange.errors.HubError`. Refusals of requests are not exceptions: they are
answers in the axis's JSON shape (:data:`ERROR_CODES`).
"""

from vbdt_exchange.hub.app import ERROR_CODES, HubApp
from vbdt_exchange.hub.model import (
    Delivery,
    DeliveryState,
    HubConfig,
    HubConfigError,
    HubStoreError,
    Message,
    System,
    UnknownSystem,
)
from vbdt_exchange.hub.store import SCHEMA_VERSION, Store
from vbdt_exchange.hub.transport import SyncASGITransport

__all__ = [
    "ERROR_CODES",
    "SCHEMA_VERSION",
    "Delivery",
    "DeliveryState",
    "HubApp",
    "HubConfig",
    "HubConfigError",
    "HubStoreError",
    "Message",
    "Store",
    "SyncASGITransport",
    "System",
    "UnknownSystem",
]
