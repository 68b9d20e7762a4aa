"""An axis inside the process, for unit tests of code that uses a :class:`Channel`.

:class:`MemoryAxis` keeps what an axis keeps — registered systems and the organ ids they speak
for, messages, one delivery per receiver with its :class:`DeliveryState`, a directory — and
:meth:`MemoryAxis.channel` gives each system its :class:`MemoryChannel`, which behaves like the
network adapters: it routes a package by its ``To`` organ ids (a status package by
``ResponseFor/OrganId``), refuses a package whose ``From`` is not the sending system, keeps a
per-receiver state, and takes a repeated send of the same bytes as the same message (the same
``doc_id``, nothing delivered twice). Its refusals are the adapters' errors with the local
reference axis's codes (``10`` package, ``13`` sender, ``18`` no receiver, ``30`` unknown id,
``32`` a state that cannot change).

>>> import datetime
>>> from vbdt_exchange.envelope import Organization, new_edoc, to_bytes
>>> axis = MemoryAxis()
>>> sender, receiver = axis.channel("000.00.00.H29"), axis.channel("000.00.00.G22")
>>> package = new_edoc(
...     from_=Organization(organ_id="000.00.00.H29", organ_name="Sender"),
...     to=[Organization(organ_id="000.00.00.G22", organ_name="Receiver")],
...     number="12", notation="UBND-VP", date=datetime.date(2026, 11, 22), subject="Test",
... )
>>> sent = sender.send(to_bytes(package))
>>> [(n.from_, n.state.value) for n in receiver.received()]
[('000.00.00.H29', 'initial')]
"""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import attrs

from vbdt_exchange.adapters.base import (
    Acknowledged,
    Agency,
    DeliveryState,
    Destination,
    Fetched,
    MessageType,
    Notice,
    PackageSource,
    ReceiverState,
    SentMessage,
)
from vbdt_exchange.adapters.errors import AxisAuthError, AxisRefused, Outcome
from vbdt_exchange.envelope.models import EdocPackage
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.errors import EnvelopeError

__all__ = ["MemoryAxis", "MemoryChannel"]

_OPEN = (DeliveryState.INITIAL, DeliveryState.PROCESSING)


@attrs.define
class _Message:
    doc_id: str
    sender: str
    message_type: MessageType
    data: bytes
    sha256: str
    title: str | None
    notation: str | None
    created: datetime.datetime


@attrs.define
class _Delivery:
    doc_id: str
    message: _Message
    to: str
    receiver: str | None
    state: DeliveryState
    updated: datetime.datetime
    received: datetime.datetime | None = None


class MemoryAxis:
    """An in-process axis shared by the :class:`MemoryChannel` of each system.

    :param max_package_bytes: the largest package taken (refused with code ``12``).
    """

    def __init__(self, *, max_package_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_package_bytes = max_package_bytes
        self._lock = threading.RLock()
        self._systems: dict[str, set[str]] = {}
        self._messages: dict[str, _Message] = {}
        self._deliveries: dict[str, _Delivery] = {}
        self._agencies: dict[str, tuple[str, Agency]] = {}
        self._ids = itertools.count(1)

    def register(self, system_id: str, *organ_ids: str) -> MemoryChannel:
        """Register ``system_id`` (speaking also for ``organ_ids``) and return its channel."""
        with self._lock:
            self._systems.setdefault(system_id, set()).update((system_id, *organ_ids))
        return MemoryChannel(self, system_id)

    def channel(self, system_id: str) -> MemoryChannel:
        """The channel of ``system_id``, registering it when it is new."""
        return self.register(system_id)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids)}"

    def _route(self, organ_id: str) -> str | None:
        for system, organs in self._systems.items():
            if organ_id in organs:
                return system
        return None

    def _check(self, system_id: str) -> None:
        if system_id not in self._systems:
            raise AxisAuthError(
                f"system {system_id} is not registered", code="19", operation="memory"
            )

    # the operations, as seen by one system --------------------------------------------------

    def _send(
        self, system_id: str, data: bytes, message_type: MessageType | None, to: Sequence[str]
    ) -> SentMessage:
        op = "sendEdoc"
        if len(data) > self.max_package_bytes:
            raise AxisRefused(
                f"the package is larger than {self.max_package_bytes} bytes",
                code="12",
                outcome=Outcome.REJECTED_PACKAGE,
                operation=op,
            )
        try:
            with read(data) as result:
                package = result.package
        except EnvelopeError as exc:
            raise AxisRefused(
                f"not a readable package: {exc}",
                code="10",
                outcome=Outcome.REJECTED_PACKAGE,
                operation=op,
            ) from None
        kind: MessageType = package.kind
        if message_type is not None and message_type != kind:
            raise AxisRefused(
                f"the package is a {kind} package, not {message_type}",
                code="10",
                outcome=Outcome.REJECTED_PACKAGE,
                operation=op,
            )
        sha256 = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._check(system_id)
            sender = package.from_.organ_id if package.from_ else None
            if sender not in self._systems[system_id]:
                raise AxisRefused(
                    f"Don vi gui {sender} khong dung voi ma da dang ky: {system_id}",
                    code="13",
                    outcome=Outcome.REJECTED_ADDRESSING,
                    operation=op,
                )
            for message in self._messages.values():
                if message.sender == system_id and message.sha256 == sha256:
                    return SentMessage(message.doc_id, kind, sha256, len(data), "already taken")
            if isinstance(package, EdocPackage):
                receivers: list[str] = [o.organ_id for o in package.to if o.organ_id]
                title, notation = package.subject, None
                if package.code is not None:
                    notation = package.code.full
            else:
                addressee = package.response_for.organ_id if package.response_for else None
                receivers = [addressee] if addressee else []
                title, notation = package.status_code, None
            receivers = list(dict.fromkeys([*receivers, *to]))
            if not receivers:
                raise AxisRefused(
                    "the package names no receiver",
                    code="18",
                    outcome=Outcome.REJECTED_ADDRESSING,
                    operation=op,
                )
            now = datetime.datetime.now().replace(microsecond=0)
            message = _Message(
                self._new_id("m"), system_id, kind, data, sha256, title, notation, now
            )
            self._messages[message.doc_id] = message
            for organ in receivers:
                receiver = self._route(organ)
                delivery = _Delivery(
                    self._new_id("d"),
                    message,
                    organ,
                    receiver,
                    DeliveryState.INITIAL if receiver else DeliveryState.FAIL,
                    now,
                )
                self._deliveries[delivery.doc_id] = delivery
            return SentMessage(message.doc_id, kind, sha256, len(data))

    def _delivery(self, system_id: str, doc_id: str, op: str) -> _Delivery:
        delivery = self._deliveries.get(doc_id)
        if delivery is None or delivery.receiver != system_id:
            raise AxisRefused(
                f"no message {doc_id} for this system",
                code="30",
                outcome=Outcome.UNKNOWN,
                operation=op,
            )
        return delivery

    def _received(self, system_id: str, message_type: MessageType) -> list[Notice]:
        with self._lock:
            self._check(system_id)
            return [
                Notice(
                    doc_id=d.doc_id,
                    from_=d.message.sender,
                    to=d.to,
                    message_type=d.message.message_type,
                    state=d.state,
                    status_text=d.state.value,
                    created=d.message.created,
                    updated=d.updated,
                )
                for d in self._deliveries.values()
                if d.receiver == system_id
                and d.state in _OPEN
                and d.message.message_type == message_type
            ]

    def _fetch(self, system_id: str, doc_id: str) -> bytes:
        with self._lock:
            self._check(system_id)
            delivery = self._delivery(system_id, doc_id, "getEdoc")
            if delivery.received is None:
                delivery.received = datetime.datetime.now().replace(microsecond=0)
            return delivery.message.data

    def _acknowledge(self, system_id: str, doc_id: str, state: DeliveryState) -> Acknowledged:
        with self._lock:
            self._check(system_id)
            delivery = self._delivery(system_id, doc_id, "updateStatus")
            if delivery.state is DeliveryState.DONE and state is not DeliveryState.DONE:
                raise AxisRefused(
                    f"{doc_id} is done; its state cannot become {state.value}",
                    code="32",
                    outcome=Outcome.UNKNOWN,
                    operation="updateStatus",
                )
            if delivery.state is not state:
                delivery.state = state
                delivery.updated = datetime.datetime.now().replace(microsecond=0)
            return Acknowledged(doc_id, state)

    def _sent(
        self, system_id: str, doc_id: str | None, message_type: MessageType
    ) -> list[ReceiverState]:
        with self._lock:
            self._check(system_id)
            return [
                ReceiverState(
                    sender_doc_id=d.message.doc_id,
                    receiver_doc_id=d.doc_id,
                    from_=system_id,
                    to=d.to,
                    message_type=d.message.message_type,
                    title=d.message.title,
                    notation=d.message.notation,
                    sent=d.message.created,
                    received=d.received,
                    send_status="done" if d.receiver else "fail",
                    receive_status=d.state.value if d.receiver else None,
                )
                for d in self._deliveries.values()
                if d.message.sender == system_id
                and d.message.message_type == message_type
                and (doc_id is None or d.message.doc_id == doc_id)
            ]

    def _agency_list(self) -> list[Agency]:
        with self._lock:
            listed = {code: agency for code, (_, agency) in self._agencies.items()}
            for system in self._systems:
                listed.setdefault(system, Agency(code=system))
            return [listed[code] for code in sorted(listed)]

    def _register_agency(self, system_id: str, agency: Agency) -> None:
        with self._lock:
            self._check(system_id)
            self._agencies[agency.code] = (system_id, agency)
            self._systems[system_id].add(agency.code)

    def _delete_agency(self, system_id: str, code: str) -> None:
        with self._lock:
            self._check(system_id)
            owner = self._agencies.get(code)
            if owner is None or owner[0] != system_id:
                raise AxisRefused(
                    f"no agency {code} under system {system_id}",
                    code="30",
                    outcome=Outcome.UNKNOWN,
                    operation="deleteAgency",
                )
            del self._agencies[code]
            self._systems[system_id].discard(code)


def _read_source(source: PackageSource, limit: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            return f.read(limit + 1)
    return source.read(limit + 1)


class MemoryChannel:
    """One system's :class:`~vbdt_exchange.adapters.base.Channel` to a :class:`MemoryAxis`."""

    def __init__(self, axis: MemoryAxis, system_id: str) -> None:
        self.axis = axis
        self._system_id = system_id

    @property
    def system_id(self) -> str:
        return self._system_id

    def __repr__(self) -> str:
        return f"MemoryChannel({self._system_id!r})"

    def send(
        self,
        package: PackageSource,
        *,
        message_type: MessageType | None = None,
        to: Sequence[str] = (),
    ) -> SentMessage:
        data = _read_source(package, self.axis.max_package_bytes)
        return self.axis._send(self._system_id, data, message_type, to)

    def received(self, message_type: MessageType = "edoc") -> list[Notice]:
        return self.axis._received(self._system_id, message_type)

    def fetch(self, doc_id: str, into: Destination) -> Fetched:
        data = self.axis._fetch(self._system_id, doc_id)
        sha256 = hashlib.sha256(data).hexdigest()
        if isinstance(into, str | os.PathLike):
            Path(into).write_bytes(data)
            return Fetched(doc_id, len(data), sha256, Path(into))
        into.write(data)
        return Fetched(doc_id, len(data), sha256)

    def fetch_bytes(self, doc_id: str) -> bytes:
        """The package ``doc_id`` as bytes (a convenience of the in-memory axis)."""
        buffer = io.BytesIO()
        self.fetch(doc_id, buffer)
        return buffer.getvalue()

    def acknowledge(self, doc_id: str, state: DeliveryState | str) -> Acknowledged:
        state = state if isinstance(state, DeliveryState) else DeliveryState.parse(state)
        return self.axis._acknowledge(self._system_id, doc_id, state)

    def sent(
        self, doc_id: str | None = None, message_type: MessageType = "edoc"
    ) -> list[ReceiverState]:
        return self.axis._sent(self._system_id, doc_id, message_type)

    def agencies(self) -> list[Agency]:
        return self.axis._agency_list()

    def register_agency(self, agency: Agency) -> None:
        self.axis._register_agency(self._system_id, agency)

    def delete_agency(self, code: str) -> None:
        self.axis._delete_agency(self._system_id, code)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> MemoryChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
