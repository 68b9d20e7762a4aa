"""Fixtures of the engine tests: a recording host and package makers."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterable

import pytest

from vbdt_exchange.engine import IncomingDocument, IncomingStatus, OutgoingDocument
from vbdt_exchange.envelope import DocumentType, Organization, new_edoc, to_bytes

SENDER = "000.00.00.H29"
RECEIVER = "000.00.00.G22"


class RecordingHost:
    """An in-memory host: idempotent on keys, counts every call."""

    def __init__(self) -> None:
        self.documents: dict[str, IncomingDocument] = {}
        self.statuses: dict[str, IncomingStatus] = {}
        self.calls: list[str] = []
        self.queue: dict[str, bytes] = {}
        self.fail_next = 0
        self._lock = threading.Lock()

    def store_document(self, document: IncomingDocument) -> None:
        with self._lock:
            self.calls.append(document.key)
            if self.fail_next:
                self.fail_next -= 1
                raise OSError("disk full")
            self.documents.setdefault(document.key, document)

    def store_status(self, status: IncomingStatus) -> None:
        with self._lock:
            self.statuses.setdefault(status.key, status)

    def outgoing(self) -> Iterable[OutgoingDocument]:
        return [OutgoingDocument(k, v) for k, v in list(self.queue.items())]

    def handed_over(self, key: str) -> None:
        self.queue.pop(key, None)


@pytest.fixture
def host() -> RecordingHost:
    return RecordingHost()


@pytest.fixture
def make_edoc() -> Callable[..., bytes]:
    """``make_edoc(number, sender=..., receivers=(...))`` -> package bytes."""

    def make(
        number: str = "1",
        *,
        sender: str = SENDER,
        receivers: tuple[str, ...] = (RECEIVER,),
        subject: str = "Công văn thử",
    ) -> bytes:
        package = new_edoc(
            from_=Organization(organ_id=sender, organ_name="Bên gửi"),
            to=[Organization(organ_id=r, organ_name="Bên nhận") for r in receivers],
            number=number,
            notation="UBND-VP",
            date=datetime.date(2026, 11, 22),
            subject=f"{subject} {number}",
            document_type=DocumentType(type=1, type_detail=0, type_name="Công văn"),
            sent_at=datetime.datetime(2026, 11, 22, 9, 0, 0),
        )
        return to_bytes(package)

    return make
