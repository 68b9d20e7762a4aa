"""The engine's TOML configuration (what ``vbdt engine run --config FILE`` reads).

One file holds the channel (an ``[axis]`` table, read exactly as ``vbdt axis`` reads it: see
:func:`vbdt_exchange.adapters.config.load_settings`), the engine (``[engine]``) and the host's
own settings (``[host]``, passed to the host factory as keyword arguments)::

    [axis]
    kind = "vdxp"
    endpoint = "https://axis.example.gov.vn/vxp"
    system_id = "000.00.00.G22"
    secret_env = "G22_AXIS_SECRET"

    [engine]
    store = "engine.db"            # a SQLite file, or a postgresql:// DSN
    host = "my_dms.exchange:make_host"
    poll_interval = 30             # seconds between idle cycles
    trust_anchors = ["roots/neac.pem", "roots/bcy.pem"]
    require_signature = false
    auto_received = true           # send status 01 on arrival

    [engine.retry]
    delays = [30, 120, 480, 1200, 3600]
    jitter = 0.2
    max_attempts = 8

    [host]
    db = "dms.db"

Relative paths are relative to the file's directory.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from vbdt_exchange.engine.engine import EngineSettings
from vbdt_exchange.engine.errors import EngineConfigError
from vbdt_exchange.engine.host import Host
from vbdt_exchange.engine.retry import RetrySchedule

__all__ = ["EngineConfig", "load_config", "load_host"]

_ENGINE_KEYS = frozenset(
    {
        "store",
        "schema",
        "host",
        "agency",
        "poll_interval",
        "trust_anchors",
        "require_signature",
        "auto_received",
        "lease",
        "batch",
        "retry",
    }
)
_RETRY_KEYS = frozenset({"delays", "jitter", "max_attempts"})


@attrs.frozen
class EngineConfig:
    """The engine part of a config file.

    :ivar path: the file.
    :ivar store: the SQLite path or PostgreSQL DSN.
    :ivar schema: the PostgreSQL schema, if any.
    :ivar host: the host adapter reference ``module:attribute``.
    :ivar host_options: the ``[host]`` table.
    :ivar poll_interval: seconds between idle cycles.
    :ivar trust_anchors: certificate files of the trust anchors.
    :ivar settings: the :class:`~vbdt_exchange.engine.EngineSettings` (without the trust store,
        which :meth:`engine_settings` loads).
    """

    path: Path
    store: str
    schema: str | None
    host: str | None
    host_options: Mapping[str, Any]
    poll_interval: float
    trust_anchors: tuple[Path, ...]
    settings: EngineSettings

    def engine_settings(self) -> EngineSettings:
        """The settings with the trust store loaded from :attr:`trust_anchors`.

        :raises TrustStoreError: a certificate file cannot be read.
        """
        if not self.trust_anchors:
            return self.settings
        from vbdt_exchange.signature.trust import TrustStore

        return attrs.evolve(self.settings, trust=TrustStore.from_paths(self.trust_anchors))


def _number(table: Mapping[str, Any], name: str, default: float, where: str) -> float:
    value = table.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise EngineConfigError(f"{where}: {name} must be a positive number, not {value!r}")
    return float(value)


def _flag(table: Mapping[str, Any], name: str, default: bool, where: str) -> bool:
    value = table.get(name, default)
    if not isinstance(value, bool):
        raise EngineConfigError(f"{where}: {name} must be true or false, not {value!r}")
    return value


def load_config(path: str | os.PathLike[str]) -> EngineConfig:
    """Read the ``[engine]`` and ``[host]`` tables of ``path``.

    :raises EngineConfigError: the file cannot be read, or a value is missing or malformed
        (the message names the key).
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            document = tomllib.load(f)
    except OSError as exc:
        raise EngineConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise EngineConfigError(f"{path} is not valid TOML: {exc}") from None
    where = f"{path} [engine]"
    table = document.get("engine")
    if not isinstance(table, dict):
        raise EngineConfigError(f"{path}: no [engine] table")
    unknown = sorted(set(table) - _ENGINE_KEYS)
    if unknown:
        raise EngineConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} "
            f"(known: {', '.join(sorted(_ENGINE_KEYS))})"
        )
    base = path.parent
    store = table.get("store")
    if not isinstance(store, str) or not store:
        raise EngineConfigError(f"{where}: store (a SQLite file or a postgresql:// DSN) is missing")
    if not store.startswith(("postgresql://", "postgres://")) and store != ":memory:":
        store = str(base / store)
    for text in ("schema", "host", "agency"):
        if text in table and not isinstance(table[text], str):
            raise EngineConfigError(f"{where}: {text} must be a string")
    anchors = table.get("trust_anchors", [])
    if not isinstance(anchors, list) or not all(isinstance(a, str) for a in anchors):
        raise EngineConfigError(f"{where}: trust_anchors must be a list of file names")
    retry_table = table.get("retry", {})
    if not isinstance(retry_table, dict):
        raise EngineConfigError(f"{where}: retry must be a table")
    unknown = sorted(set(retry_table) - _RETRY_KEYS)
    if unknown:
        raise EngineConfigError(f"{path} [engine.retry]: unknown key(s) {', '.join(unknown)}")
    try:
        retry = RetrySchedule(**retry_table)
    except EngineConfigError as exc:
        raise EngineConfigError(f"{path} [engine.retry]: {exc}") from None
    batch = table.get("batch", 50)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise EngineConfigError(f"{where}: batch must be a whole number >= 1, not {batch!r}")
    require = _flag(table, "require_signature", False, where)
    if require and not anchors:
        raise EngineConfigError(f"{where}: require_signature needs trust_anchors")
    settings = EngineSettings(
        agency=table.get("agency"),
        require_signature=require,
        auto_received=_flag(table, "auto_received", True, where),
        retry=retry,
        lease=_number(table, "lease", 300.0, where),
        batch=batch,
    )
    host_options = document.get("host", {})
    if not isinstance(host_options, dict):
        raise EngineConfigError(f"{path}: [host] must be a table")
    return EngineConfig(
        path=path,
        store=store,
        schema=table.get("schema"),
        host=table.get("host"),
        host_options={
            k: (str(base / v) if k.endswith(("path", "db", "dir")) and isinstance(v, str) else v)
            for k, v in host_options.items()
        },
        poll_interval=_number(table, "poll_interval", 30.0, where),
        trust_anchors=tuple(base / a for a in anchors),
        settings=settings,
    )


def load_host(reference: str, options: Mapping[str, Any] | None = None) -> Host:
    """The host named ``module:attribute``: a :class:`Host` object, or a callable that makes
    one (called with ``options`` as keyword arguments).

    :raises EngineConfigError: the module or attribute is missing, or it is not a host.
    """
    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise EngineConfigError(f"host {reference!r}: write it as module:attribute")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EngineConfigError(f"host {reference!r}: cannot import {module_name}: {exc}") from None
    target: Any = module
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise EngineConfigError(
                f"host {reference!r}: {module_name} has no {attribute}"
            ) from None
    if isinstance(target, type) or (not isinstance(target, Host) and callable(target)):
        try:
            target = target(**dict(options or {}))
        except Exception as exc:
            raise EngineConfigError(
                f"host {reference!r}: could not make the host ({type(exc).__name__}: {exc})"
            ) from exc
    if not isinstance(target, Host):
        raise EngineConfigError(
            f"host {reference!r} is not a host: it needs store_document, store_status, "
            "outgoing and handed_over"
        )
    return target
