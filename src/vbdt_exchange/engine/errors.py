"""Errors of the exchange engine (:mod:`vbdt_exchange.engine`).

::

    EngineError                     (vbdt_exchange.errors.VbdtError)
    ├── EngineConfigError (ValueError)  an engine setting is missing or malformed
    ├── EngineStoreError                the engine's store cannot be opened or used
    └── HostError                       the host adapter failed to take a document or a status

Axis failures keep their own classes (:mod:`vbdt_exchange.adapters.errors`): the engine
classifies them by their ``.outcome`` and journals them rather than raising.
"""

from __future__ import annotations

from vbdt_exchange.errors import VbdtError

__all__ = ["EngineConfigError", "EngineError", "EngineStoreError", "HostError"]


class EngineError(VbdtError):
    """Something the exchange engine could not do."""


class EngineConfigError(EngineError, ValueError):
    """An engine setting (config file, host reference, retry schedule) is missing or malformed."""


class EngineStoreError(EngineError):
    """The engine's store (SQLite file or PostgreSQL database) cannot be opened or used."""


class HostError(EngineError):
    """The host adapter raised while taking a document or a status: nothing is acknowledged,
    the engine offers it again on the next cycle (with the same key)."""
