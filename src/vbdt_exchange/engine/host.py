"""What a document system implements to plug into the engine: the :class:`Host` protocol.

The engine hands the host each verified incoming document (:meth:`Host.store_document`) and
each status about a document it sent (:meth:`Host.store_status`), and asks it for outgoing
documents (:meth:`Host.outgoing`, then :meth:`Host.handed_over` once the engine's outbox has
them durably).

Two rules make the exchange exactly-once from the host's point of view:

* **Return only after a durable commit.** The engine acknowledges a package to the axis only
  after ``store_document`` returned; if it raised, nothing is acknowledged and the package is
  offered again later.
* **Be idempotent on the key.** After a crash the engine may hand the same document again, with
  the same :attr:`IncomingDocument.key`; a host that already stored that key does nothing
  (``INSERT ... ON CONFLICT DO NOTHING``). A redelivery by the axis (a new axis id for the same
  document) never reaches the host: the engine de-duplicates it.

docs/examples/engine_host.py is a complete host on its own SQLite tables.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import attrs

from vbdt_exchange.envelope.models import EdocPackage, StatusPackage

__all__ = ["Host", "IncomingDocument", "IncomingStatus", "OutgoingDocument"]


@attrs.frozen
class IncomingDocument:
    """A received document, for the host to store.

    :ivar key: the engine's stable key of the document: the same on every hand-over, and the
        same for every redelivery of the same document (sender + ``DocumentId``).
    :ivar data: the package bytes as received.
    :ivar package: the package as read (for a signed package: only what the signature covers).
    :ivar sha256: the SHA-256 (hex) of ``data``.
    :ivar axis_doc_id: the axis's id of the message it came in.
    :ivar sender: the sender's organ id.
    :ivar signed: a signature was verified against the trust store (PASSED).
    :ivar received: when the engine fetched it (UTC).
    """

    key: str
    data: bytes = attrs.field(repr=False)
    package: EdocPackage = attrs.field(repr=False)
    sha256: str
    axis_doc_id: str
    sender: str | None
    signed: bool
    received: datetime.datetime


@attrs.frozen
class IncomingStatus:
    """A status package about a document, for the host to store.

    :ivar key: the engine's stable key of the status (axis spec §8.1 key 3: the document, the
        organ that set it, the code and the time).
    :ivar package: the status package as read.
    :ivar code: its status code (``01`` … ``16``).
    :ivar document_id: the ``DocumentId`` it is about (``ResponseFor``).
    :ivar document_key: the engine's key of the document it is about, when the engine sent it.
    :ivar organ_id: who set the status.
    :ivar axis_doc_id: the axis's id of the message it came in.
    """

    key: str
    package: StatusPackage = attrs.field(repr=False)
    code: str
    document_id: str | None
    document_key: str | None
    organ_id: str | None
    axis_doc_id: str


@attrs.frozen
class OutgoingDocument:
    """A package the host wants sent.

    :ivar key: the host's stable id for it: handing the same key again queues nothing new.
    :ivar data: the package bytes (edoc or status), signed already if it is to be signed.
    """

    key: str
    data: bytes = attrs.field(repr=False)


@runtime_checkable
class Host(Protocol):
    """The document system's side of the engine."""

    def store_document(self, document: IncomingDocument) -> None:
        """Store a received document durably, or do nothing if ``document.key`` is stored.

        Raise to refuse it for now (it is offered again on the next cycle).
        """
        ...

    def store_status(self, status: IncomingStatus) -> None:
        """Store a received status durably, or do nothing if ``status.key`` is stored."""
        ...

    def outgoing(self) -> Iterable[OutgoingDocument]:
        """The documents waiting to be sent (those not yet :meth:`handed_over`)."""
        ...

    def handed_over(self, key: str) -> None:
        """The engine's outbox holds ``key`` durably: stop offering it."""
        ...
