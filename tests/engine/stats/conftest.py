"""Fixtures of the statistics tests: a local axis store with known content, built document by
document at chosen times (the hub's clock is replaced while each package is accepted)."""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from vbdt_exchange.envelope import DocumentType, Organization, new_edoc, to_bytes
from vbdt_exchange.envelope.models import Attachment, EdocPackage
from vbdt_exchange.hub import store as hub_store
from vbdt_exchange.hub.store import Store
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.xml import sign_package
from vbdt_exchange.status.build import status_for
from vbdt_exchange.testing.pki import TestPKI

A = "000.00.00.H29"  # a province
B = "000.00.00.G22"  # Văn phòng Chính phủ
C = "000.00.00.G09"
X = "000.00.00.G99"  # no system receives for it

PKI_NOW = datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)


@pytest.fixture(scope="session")
def signer() -> KeySigner:
    pki = TestPKI.generate(now=PKI_NOW, key_type="ec")
    party = pki.person
    return KeySigner(party.private_key, party.certificate, party.chain[1:-1])


@attrs.frozen
class Sent:
    package: EdocPackage
    doc_id: str


class AxisBuilder:
    """Puts documents and statuses into a hub store at chosen (Vietnam, naive) times."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch, signer: KeySigner) -> None:
        self.path = path
        self.store = Store(path)
        self._monkeypatch = monkeypatch
        self._signer = signer
        self._number = 0
        for system in (A, B, C):
            self.store.add_system(system, b"secret-" + system.encode())

    def _accept(self, data: bytes, at: datetime.datetime, **fields: object) -> str:
        self._monkeypatch.setattr(hub_store, "now", lambda: at)
        # both of the store's layouts: every other package in a file of its own, the others
        # appended to a pack (as the hub keeps a package it received in memory)
        stored: bytes | Path = data
        if self._number % 2:
            body, stored = self.store.incoming_file()
            with body:
                body.write(data)
        message, new = self.store.accept(
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            body=stored,
            **fields,  # type: ignore[arg-type]
        )
        assert new
        return message.doc_id

    def send(
        self,
        from_: str,
        to: list[str],
        at: datetime.datetime,
        *,
        type_name: str | None = "Công văn",
        paper: int = 0,
        signed: bool = False,
    ) -> Sent:
        self._number += 1
        package = new_edoc(
            from_=Organization(organ_id=from_, organ_name=f"Đơn vị {from_}"),
            to=[Organization(organ_id=o, organ_name=f"Đơn vị {o}") for o in to],
            number=str(self._number),
            notation="VP",
            date=at.date(),
            subject=f"Văn bản số {self._number}",
            document_type=None if type_name is None else DocumentType(1, 0, type_name),
            paper=paper,
            sent_at=at,
            attachments=[Attachment.from_bytes("van-ban.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        if signed:
            out = io.BytesIO()
            sign_package(package, out, self._signer, signing_time=PKI_NOW)
            data = out.getvalue()
        else:
            data = to_bytes(package)
        doc_id = self._accept(
            data,
            at,
            sender=from_,
            from_organ=from_,
            message_type="edoc",
            document_id=package.document_id,
            title=package.subject or "",
            notation=f"{self._number}/VP",
            to_organs=to,
        )
        return Sent(package, doc_id)

    def resend(self, sent: Sent, at: datetime.datetime, to: list[str] | None = None) -> Sent:
        """The same document (same DocumentId) in other bytes, to the same or other receivers."""
        package = attrs.evolve(
            sent.package,
            subject=(sent.package.subject or "") + " (gửi lại)",
            to=tuple(Organization(organ_id=o) for o in to) if to else sent.package.to,
        )
        receivers = to or [o.organ_id for o in sent.package.to if o.organ_id]
        doc_id = self._accept(
            to_bytes(package),
            at,
            sender=sent.package.from_.organ_id if sent.package.from_ else "",
            from_organ=sent.package.from_.organ_id if sent.package.from_ else "",
            message_type="edoc",
            document_id=package.document_id,
            title=package.subject or "",
            notation="",
            to_organs=receivers,
        )
        return Sent(package, doc_id)

    def status(self, sent: Sent, code: str, by: str, at: datetime.datetime) -> None:
        package = status_for(sent.package, code, from_=by, timestamp=at)
        sender = package.response_for.organ_id if package.response_for else None
        assert sender
        self._accept(
            to_bytes(package),
            at,
            sender=by,
            from_organ=by,
            message_type="status",
            document_id=sent.package.document_id,
            title=f"Trang thai {code}",
            notation="",
            to_organs=[sender],
        )

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def axis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signer: KeySigner
) -> Iterator[AxisBuilder]:
    builder = AxisBuilder(tmp_path / "hub.db", monkeypatch, signer)
    yield builder
    builder.close()


def vn(*args: int) -> datetime.datetime:
    return datetime.datetime(*args)  # type: ignore[arg-type]


@pytest.fixture
def q3_axis(axis: AxisBuilder) -> AxisBuilder:
    """The known content (README of the tests: test_axis_source.py) of 2026-Q3, plus records
    outside it. Times are Vietnam time as the hub keeps them."""
    hour = datetime.timedelta(hours=1)
    d1 = axis.send(A, [B, C], vn(2026, 7, 10, 9, 0), type_name="Công văn", signed=True)
    axis.status(d1, "01", B, vn(2026, 7, 10, 9, 5))
    axis.status(d1, "03", B, vn(2026, 7, 10, 11, 0))
    axis.status(d1, "03", B, vn(2026, 7, 10, 12, 0))  # a duplicate: the first one counts
    axis.status(d1, "06", B, vn(2026, 7, 11, 9, 0))
    axis.status(d1, "03", C, vn(2026, 7, 10, 13, 0))
    d2 = axis.send(A, [B], vn(2026, 8, 5, 14, 0), type_name="Quyết định", paper=1)
    axis.status(d2, "03", B, vn(2026, 8, 5, 14, 0) + hour)
    d3 = axis.send(B, [A], vn(2026, 9, 30, 23, 30), type_name="Biên bản", paper=1, signed=True)
    axis.status(d3, "03", A, vn(2026, 10, 1, 0, 0))
    axis.status(d3, "06", A, vn(2026, 10, 1, 2, 30))
    axis.send(A, [B, X], vn(2026, 9, 15, 8, 0), type_name=None)
    d5 = axis.send(A, [C], vn(2026, 6, 30, 23, 59))  # June: outside
    axis.status(d5, "03", C, vn(2026, 7, 1, 8, 0))
    axis.send(C, [A], vn(2026, 10, 1, 0, 0))  # October: outside
    return axis
