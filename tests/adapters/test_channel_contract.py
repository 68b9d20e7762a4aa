"""One scenario, every channel: the in-memory axis, the VDXP client (fake axis and the local
reference axis over loopback) and both LGSP clients (fakes) behave the same through the
Channel protocol."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from vbdt_exchange.adapters import (
    Agency,
    Channel,
    DeliveryState,
    LangSonClient,
    LangSonConfig,
    MemoryAxis,
    QuangNamClient,
    QuangNamConfig,
    RetryPolicy,
    VdxpClient,
    VdxpConfig,
)

SENDER, RECEIVER = "000.00.00.H29", "000.00.00.G22"
Pair = tuple[Channel, Channel]


@pytest.fixture
def memory_pair() -> Pair:
    axis = MemoryAxis()
    return axis.channel(SENDER), axis.channel(RECEIVER)


@pytest.fixture
def vdxp_fake_pair(vdxp_client: Callable[..., Any]) -> Pair:
    return vdxp_client(SENDER), vdxp_client(RECEIVER)


@pytest.fixture
def vdxp_local_pair() -> Iterator[Pair]:
    from vbdt_exchange.testing.axis import LocalAxis

    with LocalAxis([SENDER, RECEIVER]) as axis:
        clients = [
            VdxpClient(VdxpConfig(axis.url, s, secret=axis.system(s).secret, test=True))
            for s in (SENDER, RECEIVER)
        ]
        yield clients[0], clients[1]
        for client in clients:
            client.close()


@pytest.fixture
def langson_pair(fakes_lgsp: Any, clock: list[float]) -> Iterator[Pair]:
    fake = fakes_lgsp.FakeLangSon({SENDER: "k1", RECEIVER: "k2"}, clock)
    clients = [
        LangSonClient(
            LangSonConfig(
                "http://lgsp.test",
                system,
                secret_key=key,
                username=fake.USER,
                password=fake.PASSWORD,
                application_code=fake.APP,
                retry=RetryPolicy(attempts=1),
                test=True,
            ),
            transport=fake.transport,
            clock=lambda: clock[0],
        )
        for system, key in ((SENDER, "k1"), (RECEIVER, "k2"))
    ]
    yield clients[0], clients[1]
    for client in clients:
        client.close()


@pytest.fixture
def quangnam_pair(fakes_lgsp: Any, clock: list[float]) -> Iterator[Pair]:
    fake = fakes_lgsp.FakeQuangNam({"u1": SENDER, "u2": RECEIVER}, clock)
    clients = [
        QuangNamClient(
            QuangNamConfig(
                "http://qnam.test",
                system,
                client_id=fake.CLIENT_ID,
                client_secret=fake.CLIENT_SECRET,
                unit_secret=unit,
                retry=RetryPolicy(attempts=1),
                test=True,
            ),
            transport=fake.transport,
            clock=lambda: clock[0],
        )
        for system, unit in ((SENDER, "u1"), (RECEIVER, "u2"))
    ]
    yield clients[0], clients[1]
    for client in clients:
        client.close()


@pytest.mark.parametrize(
    "pair", ["memory_pair", "vdxp_fake_pair", "vdxp_local_pair", "langson_pair", "quangnam_pair"]
)
def test_the_same_exchange_through_every_channel(
    pair: str,
    request: pytest.FixtureRequest,
    edoc: Callable[..., bytes],
    status_package: Callable[..., bytes],
) -> None:
    sender, receiver = request.getfixturevalue(pair)
    assert isinstance(sender, Channel)
    assert isinstance(receiver, Channel)
    assert (sender.system_id, receiver.system_id) == (SENDER, RECEIVER)
    package = edoc(attachment=b"%PDF-1.7 " + bytes(range(256)) * 40)

    sent = sender.send(package)
    assert sent.sha256 == hashlib.sha256(package).hexdigest()
    assert sent.message_type == "edoc"

    (notice,) = receiver.received()
    assert notice.from_ == SENDER
    assert notice.state is DeliveryState.INITIAL
    stream = io.BytesIO()
    fetched = receiver.fetch(notice.doc_id, stream)
    assert stream.getvalue() == package
    assert fetched.sha256 == sent.sha256
    assert receiver.acknowledge(notice.doc_id, "done").state is DeliveryState.DONE
    assert receiver.received() == []

    reply = receiver.send(status_package("01", about=package))
    assert reply.message_type == "status"
    (back,) = sender.received("status")
    assert back.from_ == RECEIVER
    assert sender.received() == []

    agencies = sender.agencies()
    assert agencies
    assert all(isinstance(a, Agency) for a in agencies)
