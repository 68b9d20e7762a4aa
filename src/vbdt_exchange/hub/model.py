"""The local reference axis's configuration and the records it keeps.

A delivery's transport state is the adapters' :class:`~vbdt_exchange.adapters.base.DeliveryState`
(``initial``, ``processing``, ``done``, ``fail``), the type the clients use.
"""

from __future__ import annotations

import datetime
from typing import Literal

import attrs

from vbdt_exchange.adapters.base import DeliveryState
from vbdt_exchange.errors import HubError

__all__ = [
    "Delivery",
    "DeliveryState",
    "HubConfig",
    "HubConfigError",
    "HubStoreError",
    "Message",
    "System",
    "UnknownSystem",
]

MiB = 1024 * 1024


class HubStoreError(HubError):
    """The hub's store cannot be opened or used (not a hub database, a newer schema, ...)."""


class HubConfigError(HubError, ValueError):
    """A :class:`HubConfig` whose settings contradict each other or are out of range."""


class UnknownSystem(HubError, LookupError):
    """A system id that is not registered with the hub."""


@attrs.frozen
class System:
    """A document system registered with the hub.

    :ivar system_id: the id it signs its requests with (``XroadVnpt-systemid``).
    :ivar organ_ids: the other organisations it sends and receives for (its own id is implied).
    """

    system_id: str
    organ_ids: tuple[str, ...] = ()

    @property
    def addresses(self) -> tuple[str, ...]:
        """Every organ id this system speaks for: its own id first, then ``organ_ids``."""
        return (self.system_id, *(o for o in self.organ_ids if o != self.system_id))


@attrs.frozen
class Message:
    """A package the hub accepted (one ``sendEdoc``).

    :ivar doc_id: the id returned to the sender (``DocId``).
    :ivar sender: the sending system's id.
    :ivar from_organ: the package's ``From/OrganId``.
    :ivar message_type: ``edoc`` or ``status``.
    :ivar sha256: the SHA-256 of the package bytes (hex).
    :ivar size: the package's size in bytes.
    :ivar document_id: the package's ``DocumentId`` (edoc) or ``ResponseFor/DocumentId``
        (status), when it has one.
    :ivar title: the subject (edoc) or the status code (status), for listings.
    :ivar notation: ``Code/CodeNumber`` and ``CodeNotation`` joined (``12/UBND-VP``), or ``""``.
    :ivar created: when the hub accepted it (Vietnam time, naive).
    :ivar pack: the pack file holding the package (:mod:`vbdt_exchange.hub.packs`), or
        ``None`` when it is a file of its own named by ``sha256``.
    :ivar pack_offset: where in ``pack`` the package starts (``None`` without a pack).
    """

    doc_id: str
    sender: str
    from_organ: str
    message_type: str
    sha256: str
    size: int
    document_id: str | None
    title: str
    notation: str
    created: datetime.datetime
    pack: str | None = None
    pack_offset: int | None = None


@attrs.frozen
class Delivery:
    """One receiver's copy of a message.

    :ivar doc_id: the receiver's id of it (``docId`` of ``getReceivedEdocList``, ``getEdoc``,
        ``updateStatus``).
    :ivar message: the message delivered.
    :ivar to_organ: the ``To`` organ id (or, for a status package, ``ResponseFor/OrganId``) it
        was routed for.
    :ivar receiver: the receiving system's id, or ``None`` when no registered system speaks for
        ``to_organ`` (then ``sent`` is false and nobody can fetch it).
    :ivar sent: whether the hub could route it.
    :ivar state: the receiver's transport status.
    :ivar updated: when ``state`` last changed.
    :ivar received: when the receiver first fetched it, if it did.
    """

    doc_id: str
    message: Message
    to_organ: str
    receiver: str | None
    sent: bool
    state: DeliveryState
    updated: datetime.datetime
    received: datetime.datetime | None


@attrs.frozen
class HubConfig:
    """How the local reference axis checks and bounds requests.

    :ivar max_clock_skew: refuse a request whose ``XroadVnpt-timestamp`` is further than this
        from the hub's clock (read as the hub's local time). ``None`` (the default) accepts any
        timestamp, because the official SDK fixes its timestamp once per service object and
        re-sends it for hours: a real axis evidently accepts that. The price is that a captured
        request can be replayed for as long as the secret is valid; set a skew (and
        ``refuse_replays``) when the hub is reachable from anything but loopback.
    :ivar refuse_replays: with ``max_clock_skew`` set, refuse a request whose signature
        (``XroadVnpt-hash-header``) was already seen within the skew window.
    :ivar replay_cache: where ``refuse_replays`` remembers the signatures it saw:
        ``"process"`` (the default) in the application's memory, enough for one hub process;
        ``"store"`` in the store, shared by every hub process on it (``vbdt hub serve
        --workers N`` sets it), at the cost of one short write transaction per request.
    :ivar reading: how much of a package ``sendEdoc`` reads: ``"full"`` (the default) reads it
        with the library's reader, attachments included, and refuses any package it cannot
        read; ``"header"`` reads only up to the end of ``MessageHeader`` (hardened lxml pull
        parser; a DOCTYPE or entity is refused) for routing and checks that the package ends
        with the closing tag of its ``edXML`` root (a package cut short is refused), several
        times faster on large packages; it leaves a damaged attachment or malformed XML after
        the header for the receiver to find.
    :ivar refuse_invalid: with ``reading="full"``, refuse a package whose reading gave error
        findings (a wrong identifier, a date that cannot be right ...), not only one that
        cannot be read at all.
    :ivar max_body_bytes: the largest request body accepted (refused with HTTP 413 and error
        code ``12``).
    :ivar body_timeout: how long the hub waits for a request body, plus one second per
        ``min_body_rate`` bytes received (a slow body, one byte now and then, holds a
        connection and a spool file): past it the request is refused with code ``10`` and
        HTTP 408 and nothing is stored. ``None`` waits for ever. Slow *headers* are the
        server's to bound, not the application's: :mod:`vbdt_exchange.hub.server` gives
        them a deadline of their own.
    :ivar min_body_rate: the slowest body, in bytes per second, that ``body_timeout`` allows
        for beyond its fixed part.
    :ivar http_errors: answer refusals with a 4xx HTTP status (and the axis's JSON body); with
        ``False`` every protocol refusal is HTTP 200 with ``"status": "FAIL"``.
    :ivar max_list_items: at most this many items in one ``getReceivedEdocList`` or
        ``getSentEdocList`` answer (oldest first); the rest come on the next call.
    """

    max_clock_skew: datetime.timedelta | None = None
    refuse_replays: bool = False
    replay_cache: Literal["process", "store"] = "process"
    reading: Literal["full", "header"] = "full"
    refuse_invalid: bool = False
    max_body_bytes: int = 256 * MiB
    body_timeout: datetime.timedelta | None = datetime.timedelta(seconds=60)
    min_body_rate: int = 64 * 1024
    http_errors: bool = True
    max_list_items: int = 1000

    def __attrs_post_init__(self) -> None:
        if self.reading not in ("full", "header"):
            raise HubConfigError(f"reading must be 'full' or 'header', not {self.reading!r}")
        if self.replay_cache not in ("process", "store"):
            raise HubConfigError(
                f"replay_cache must be 'process' or 'store', not {self.replay_cache!r}"
            )
        if self.refuse_invalid and self.reading != "full":
            raise HubConfigError("refuse_invalid needs reading='full' (findings come from it)")
        if self.refuse_replays and self.max_clock_skew is None:
            raise HubConfigError("refuse_replays needs max_clock_skew (the window to remember)")
        if self.max_clock_skew is not None and self.max_clock_skew <= datetime.timedelta(0):
            raise HubConfigError("max_clock_skew must be positive")
        if self.body_timeout is not None and self.body_timeout <= datetime.timedelta(0):
            raise HubConfigError("body_timeout must be positive (or None)")
        if self.min_body_rate < 1:
            raise HubConfigError("min_body_rate must be at least 1 byte per second")
        if self.max_body_bytes < 1 or self.max_list_items < 1:
            raise HubConfigError("max_body_bytes and max_list_items must be at least 1")
