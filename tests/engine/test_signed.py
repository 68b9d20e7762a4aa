"""Received documents are verified when a trust store is configured."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vbdt_exchange.adapters.memory import MemoryAxis
from vbdt_exchange.engine import Engine, EngineSettings, open_store
from vbdt_exchange.envelope import read
from vbdt_exchange.signature.keys import load_pkcs12
from vbdt_exchange.signature.policy import VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.signature.xml import sign_package
from vbdt_exchange.testing.pki import TestPKI

SENDER, RECEIVER = "000.00.00.H29", "000.00.00.G22"


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate(now=datetime.datetime.now(datetime.UTC).replace(microsecond=0))


@pytest.fixture
def sign(pki: TestPKI) -> Callable[[bytes], bytes]:
    signer = load_pkcs12(pki.organisation.pkcs12(None))

    def do(data: bytes) -> bytes:
        out = io.BytesIO()
        with read(data) as result:
            sign_package(result.package, out, signer)
        return out.getvalue()

    return do


@pytest.fixture
def receiver(pki: TestPKI, host: Any) -> Iterator[Callable[..., tuple[Engine, MemoryAxis]]]:
    stores = []

    def make(**settings: Any) -> tuple[Engine, MemoryAxis]:
        axis = MemoryAxis()
        axis.register(SENDER)
        store = open_store(":memory:")
        stores.append(store)
        trust = TrustStore(roots=(pki.root.certificate,))
        engine = Engine(
            axis.channel(RECEIVER),
            store,
            host,
            EngineSettings(
                trust=trust,
                policy=VerificationPolicy(revocation="off"),
                auto_received=False,
                **settings,
            ),
        )
        return engine, axis

    yield make
    for store in stores:
        store.close()


def test_signed_document_is_verified_and_marked_signed(
    receiver: Callable[..., tuple[Engine, MemoryAxis]],
    sign: Callable[[bytes], bytes],
    make_edoc: Callable[..., bytes],
    host: Any,
) -> None:
    engine, axis = receiver()
    axis.channel(SENDER).send(sign(make_edoc("1")))
    report = engine.run_once()
    assert (report.received, report.rejected) == (1, 0)
    (document,) = host.documents.values()
    assert document.signed
    (record,) = engine.store.documents()
    assert record.signed
    assert record.direction == "in"


def test_tampered_document_is_refused(
    receiver: Callable[..., tuple[Engine, MemoryAxis]],
    sign: Callable[[bytes], bytes],
    make_edoc: Callable[..., bytes],
    host: Any,
) -> None:
    engine, axis = receiver()
    signed = sign(make_edoc("1"))
    tampered = signed.replace("Công văn thử 1".encode(), "Công văn thử 9".encode())
    assert tampered != signed
    axis.channel(SENDER).send(tampered)
    report = engine.run_once()
    assert (report.received, report.rejected) == (0, 1)
    assert host.calls == []
    assert axis.channel(RECEIVER).received() == []  # refused with state fail, not left open
    (event,) = [e for e in engine.store.events() if e.event == "rejected"]
    assert "signature" in (event.detail or "")


@pytest.mark.parametrize(("require", "accepted"), [(False, 1), (True, 0)])
def test_unsigned_document_follows_require_signature(
    receiver: Callable[..., tuple[Engine, MemoryAxis]],
    make_edoc: Callable[..., bytes],
    host: Any,
    require: bool,
    accepted: int,
) -> None:
    engine, axis = receiver(require_signature=require)
    axis.channel(SENDER).send(make_edoc("2"))
    report = engine.run_once()
    assert report.received == accepted
    assert report.rejected == 1 - accepted
    if accepted:
        assert not next(iter(host.documents.values())).signed


def test_outgoing_signed_package_is_journaled_as_signed(
    sign: Callable[[bytes], bytes], make_edoc: Callable[..., bytes]
) -> None:
    axis = MemoryAxis()
    axis.register(RECEIVER)
    with open_store(":memory:") as store:
        engine = Engine(axis.channel(SENDER), store, None)
        engine.submit(sign(make_edoc("3")), key="signed")
        engine.submit(make_edoc("4"), key="plain")
        assert engine.run_once().sent == 2
        signed = {r.key: r.signed for r in store.documents()}
    assert signed == {"signed": True, "plain": False}
