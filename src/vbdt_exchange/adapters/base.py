"""The adapter interface every channel to an axis implements, and its typed results.

A *channel* is one connected system's view of an axis: the national axis through
:class:`~vbdt_exchange.adapters.vdxp.VdxpClient`, a provincial LGSP through
:class:`~vbdt_exchange.adapters.lgsp_langson.LangSonClient` or
:class:`~vbdt_exchange.adapters.lgsp_quangnam.QuangNamClient`, or the in-process
:class:`~vbdt_exchange.adapters.memory.MemoryAxis` for unit tests. They all satisfy
:class:`Channel`:

* :meth:`Channel.send` — send a package (edoc or status) and get the axis's id for it;
* :meth:`Channel.received` — the notices waiting in the inbox (edoc or status queue);
* :meth:`Channel.fetch` — one received package, written to a file or a stream;
* :meth:`Channel.acknowledge` — set the delivery state of a received package;
* :meth:`Channel.sent` — the per-receiver state of what this system sent;
* :meth:`Channel.agencies`, :meth:`Channel.register_agency`, :meth:`Channel.delete_agency` —
  the directory.

Two status layers are kept apart (axis spec §6): :class:`DeliveryState` is the *transport*
state of a message on the axis (``initial``, ``processing``, ``done``, ``fail``); the business
status of a document (codes 01–16) travels as a status package and is never mapped onto it.

>>> DeliveryState.parse("DONE")
<DeliveryStatus.DONE: 'done'>
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Literal, Protocol, TypeAlias, runtime_checkable

import attrs

from vbdt_exchange.adapters.errors import AxisProtocolError
from vbdt_exchange.status.codes import DeliveryStatus

__all__ = [
    "Acknowledged",
    "Agency",
    "Channel",
    "DeliveryState",
    "Destination",
    "Fetched",
    "MessageType",
    "Notice",
    "PackageSource",
    "ReceiverState",
    "SentMessage",
    "parse_axis_time",
    "sniff_message_type",
]

MessageType: TypeAlias = Literal["edoc", "status"]
"""The axis's ``messagetype``: an edoc package or a status package."""

PackageSource: TypeAlias = "bytes | str | os.PathLike[str] | BinaryIO"
"""A package to send: its bytes, a path, or a binary stream (read from its current position)."""

Destination: TypeAlias = "str | os.PathLike[str] | BinaryIO"
"""Where a fetched package goes: a path (written atomically) or a writable binary stream."""


DeliveryState = DeliveryStatus
"""The transport state of a message for one receiver, as ``updateStatus`` sets it: the same enum
as :class:`vbdt_exchange.status.DeliveryStatus` (``initial``, ``processing``, ``done``,
``fail``; ``parse`` takes any case, as Quảng Nam writes ``DONE``). Not a business status: ``done``
means "the receiver's system has the package", nothing about what the organisation did with the
document (that is a :class:`~vbdt_exchange.status.StatusCode`, sent as a status package)."""


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
)


def parse_axis_time(value: object) -> datetime.datetime | None:
    """A time as axes write it (``2026-11-22 10:00:00``, ISO 8601, epoch milliseconds), or None.

    >>> parse_axis_time("2026-11-22 10:00:00")
    datetime.datetime(2026, 11, 22, 10, 0)
    >>> parse_axis_time("yesterday") is None
    True
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return datetime.datetime.fromtimestamp(value / 1000, datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


@attrs.frozen
class SentMessage:
    """What the axis said when it took a package.

    :ivar doc_id: the axis's message id (``DocId``): opaque, unrelated to the edXML DocumentId.
    :ivar message_type: ``edoc`` or ``status``.
    :ivar sha256: the SHA-256 (hex) of the bytes sent, to recognise the package later.
    :ivar size: the number of package bytes sent.
    :ivar description: the axis's message (``ErrorDesc`` on success), if any.
    """

    doc_id: str
    message_type: MessageType
    sha256: str
    size: int
    description: str | None = None


@attrs.frozen
class Notice:
    """One message waiting in the inbox (a row of ``getReceivedEdocList``).

    :ivar doc_id: the axis's id of the message, for :meth:`Channel.fetch`.
    :ivar from_: the sender's organ id (system id).
    :ivar to: the receiver's organ id, as the axis wrote it.
    :ivar message_type: ``edoc`` or ``status``.
    :ivar state: the delivery state, or ``None`` when the axis wrote something else.
    :ivar status_text: the axis's state word as sent (``status``).
    :ivar status_desc: the axis's description of the state.
    :ivar created: when the axis took the message (naive local time as the axis wrote it).
    :ivar updated: when its state last changed.
    :ivar service_type: the axis's ``serviceType`` (``eDoc``).
    """

    doc_id: str
    from_: str | None = None
    to: str | None = None
    message_type: MessageType = "edoc"
    state: DeliveryState | None = None
    status_text: str | None = None
    status_desc: str | None = None
    created: datetime.datetime | None = None
    updated: datetime.datetime | None = None
    service_type: str | None = "eDoc"


@attrs.frozen
class ReceiverState:
    """The state of something this system sent, for one receiver (a row of ``getSentEdocList``).

    The vocabulary of ``send_status`` and ``receive_status`` is not documented (spec §9.5): they
    are kept as sent, and :attr:`receive_state` reads the receiver's one as a
    :class:`DeliveryState` when it is one of the four words.

    :ivar sender_doc_id: the id the sender got from ``sendEdoc``.
    :ivar receiver_doc_id: the id of the receiver's copy.
    :ivar from_: the sender's organ id.
    :ivar to: the receiver's organ id.
    :ivar message_type: ``edoc`` or ``status``.
    :ivar title: the document's subject, when the axis gives it.
    :ivar notation: the document's number and notation, when the axis gives it.
    :ivar sent: when it was sent.
    :ivar received: when the receiver took it.
    :ivar send_status: the axis's sending state word, as sent.
    :ivar send_status_desc: its description.
    :ivar receive_status: the receiver's state word, as sent.
    :ivar receive_status_desc: its description.
    """

    sender_doc_id: str | None
    receiver_doc_id: str | None
    from_: str | None
    to: str | None
    message_type: MessageType = "edoc"
    title: str | None = None
    notation: str | None = None
    sent: datetime.datetime | None = None
    received: datetime.datetime | None = None
    send_status: str | None = None
    send_status_desc: str | None = None
    receive_status: str | None = None
    receive_status_desc: str | None = None

    @property
    def receive_state(self) -> DeliveryState | None:
        """:attr:`receive_status` as a :class:`DeliveryState`, or ``None``."""
        return DeliveryState.maybe(self.receive_status)


@attrs.frozen
class Agency:
    """One unit of the axis's directory.

    :ivar code: its organ id (``code``).
    :ivar name: its name.
    :ivar id: the axis's internal id, when given.
    :ivar parent: the parent unit (``pid``/``pcode``/``centerCode``), when given.
    :ivar mail: its e-mail address.
    :ivar old_code: its code before the current scheme (``oldCode``).
    :ivar mobile: a telephone number (registration only).
    :ivar fax: a fax number (registration only).
    """

    code: str
    name: str | None = None
    id: str | None = None
    parent: str | None = None
    mail: str | None = None
    old_code: str | None = None
    mobile: str | None = None
    fax: str | None = None


@attrs.frozen
class Fetched:
    """A received package that was fetched.

    :ivar doc_id: the axis's id of the message.
    :ivar size: the number of bytes written.
    :ivar sha256: the SHA-256 (hex) of those bytes.
    :ivar path: the file written, when the destination was a path.
    """

    doc_id: str
    size: int
    sha256: str
    path: Path | None = None


@attrs.frozen
class Acknowledged:
    """The axis took a delivery state for a received message.

    :ivar doc_id: the axis's id of the message.
    :ivar state: the state that was set.
    :ivar description: the axis's message, if any.
    """

    doc_id: str
    state: DeliveryState
    description: str | None = None


@runtime_checkable
class Channel(Protocol):
    """One connected system's channel to an axis. Use it as a context manager (it closes)."""

    @property
    def system_id(self) -> str:
        """The organ id this channel sends as (``From/OrganId`` of what it sends)."""
        ...

    def send(
        self,
        package: PackageSource,
        *,
        message_type: MessageType | None = None,
        to: Sequence[str] = (),
    ) -> SentMessage:
        """Send ``package``; ``message_type`` is sniffed from it when not given.

        :param to: receivers to name to the axis besides the package's own ``To`` (most axes
            route by the package; give this only where the axis needs it).
        :raises AxisRefused: the axis refused it (see ``.outcome``).
        :raises AxisAmbiguous: the upload finished but no answer came.
        :raises AxisUnavailable: the axis could not be reached (nothing was taken).
        """
        ...

    def received(self, message_type: MessageType = "edoc") -> list[Notice]:
        """The notices waiting in the inbox of ``message_type`` (edoc and status apart)."""
        ...

    def fetch(self, doc_id: str, into: Destination) -> Fetched:
        """Write the package ``doc_id`` to ``into`` (a path or a writable binary stream)."""
        ...

    def acknowledge(self, doc_id: str, state: DeliveryState | str) -> Acknowledged:
        """Set the delivery state of the received message ``doc_id``."""
        ...

    def sent(
        self, doc_id: str | None = None, message_type: MessageType = "edoc"
    ) -> list[ReceiverState]:
        """One row per receiver of what this system sent (only ``doc_id``'s rows when given)."""
        ...

    def agencies(self) -> list[Agency]:
        """The axis's directory of units."""
        ...

    def register_agency(self, agency: Agency) -> None:
        """Register a unit under this system's centre."""
        ...

    def delete_agency(self, code: str) -> None:
        """Delete the unit ``code`` from under this system's centre."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


_SNIFF_BYTES = 1 << 20
_HEADER = re.compile(rb"<(?:[\w.-]+:)?MessageHeader[\s>/]")
_STATUS_CODE = re.compile(rb"<(?:[\w.-]+:)?StatusCode[\s>/]")
_HEADER_END = re.compile(rb"</(?:[\w.-]+:)?MessageHeader\s*>")


def sniff_message_type(head: bytes) -> MessageType:
    """Tell an edoc package from a status package: a status ``MessageHeader`` has ``StatusCode``.

    ``head`` is the start of the package (the first megabyte is plenty: the header comes before
    the attachments).

    >>> sniff_message_type(b"<edXML><edXMLEnvelope><edXMLHeader><MessageHeader><From>")
    'edoc'
    >>> sniff_message_type(b"<e:MessageHeader><e:StatusCode>02</e:StatusCode></e:MessageHeader>")
    'status'

    :raises AxisProtocolError: when there is no ``MessageHeader`` (not an edXML package).
    """
    head = head[:_SNIFF_BYTES]
    header = _HEADER.search(head)
    if header is None:
        raise AxisProtocolError(
            "cannot tell an edoc from a status package: no MessageHeader in the first megabyte "
            "(is this an edXML package?)"
        )
    end = _HEADER_END.search(head, header.end())
    status = _STATUS_CODE.search(head, header.end(), end.start() if end else len(head))
    return "status" if status else "edoc"
