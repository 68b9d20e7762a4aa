"""The host-side exchange engine: a durable outbox and inbox between a document system and an
axis, with crash safety, de-duplication and a journal.

* :class:`Engine` — the cycles (receive, verify, hand to the host, acknowledge; send, retry,
  reconcile);
* :class:`Host` — what a document system implements to plug in;
* :func:`open_store` — the SQLite (default) or PostgreSQL store, and its read API
  (:meth:`Store.documents` → :class:`DocumentRecord`);
* :class:`RetrySchedule` — back-off with jitter; :func:`load_config` — the TOML file.
"""

from vbdt_exchange.engine.config import EngineConfig, load_config, load_host
from vbdt_exchange.engine.engine import CRASH_POINTS, CycleReport, Engine, EngineSettings
from vbdt_exchange.engine.errors import (
    EngineConfigError,
    EngineError,
    EngineStoreError,
    HostError,
)
from vbdt_exchange.engine.host import Host, IncomingDocument, IncomingStatus, OutgoingDocument
from vbdt_exchange.engine.retry import Decision, RetrySchedule, decide
from vbdt_exchange.engine.store import (
    DocumentRecord,
    JournalEvent,
    OutboxItem,
    StatusRecord,
    Store,
    open_store,
)

__all__ = [
    "CRASH_POINTS",
    "CycleReport",
    "Decision",
    "DocumentRecord",
    "Engine",
    "EngineConfig",
    "EngineConfigError",
    "EngineError",
    "EngineSettings",
    "EngineStoreError",
    "Host",
    "HostError",
    "IncomingDocument",
    "IncomingStatus",
    "JournalEvent",
    "OutboxItem",
    "OutgoingDocument",
    "RetrySchedule",
    "StatusRecord",
    "Store",
    "decide",
    "load_config",
    "load_host",
    "open_store",
]
