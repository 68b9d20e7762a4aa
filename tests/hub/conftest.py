"""Fixtures for the local reference axis: a running hub, a signed-call helper, packages.

Requests are signed here independently of the code under test (hmac, hashlib and json only),
in the official SDK's header order for the operations the capture shows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

SENDER = "000.00.00.H29"
RECEIVER = "000.00.00.G22"
OTHER = "000.00.00.G09"
TIMESTAMP = "22112026T000518+0709"


def store_package(
    store: Any, package: bytes, body: bytes | Path | None = None, to: list[str] | None = None
) -> Any:
    """``Store.accept`` a package from SENDER (``body``: its bytes, the default, or a spool
    file holding them); the new message."""
    message, new = store.accept(
        sender=SENDER,
        from_organ=SENDER,
        message_type="edoc",
        sha256=hashlib.sha256(package).hexdigest(),
        size=len(package),
        body=package if body is None else body,
        document_id=None,
        title="",
        notation="",
        to_organs=[RECEIVER] if to is None else to,
    )
    assert new
    return message


def unpadded_hex(data: bytes) -> str:
    """The SDK's hash-file: SHA-256, each byte as %x (no zero padding)."""
    return "".join(format(b, "x") for b in hashlib.sha256(data).digest())


def signed_headers(
    params: list[tuple[str, str]], *, system_id: str, secret: str, content_type: str
) -> dict[str, str]:
    """Headers as the SDK sends them; ``params`` already in the SDK's order, including
    ``systemid``, ``timestamp`` and ``Content-Type`` (values filled in here when None)."""
    values = []
    for name, value in params:
        if name == "systemid":
            value = value or system_id
        elif name == "Content-Type":
            value = value or content_type
        values.append((name, value))
    headers = {f"XroadVnpt-{name}": value for name, value in values}
    sign_header = json.dumps(
        {f"XroadVnpt-{name}": value for name, value in values}, separators=(",", ":")
    )
    headers["XroadVnpt-sign-header-key"] = ";".join(name for name, _ in values)
    headers["XroadVnpt-sign-header"] = sign_header
    headers["XroadVnpt-hash-header"] = hmac.new(
        secret.encode(), sign_header.encode(), hashlib.sha256
    ).hexdigest()
    headers["XroadVnpt-version"] = "3.0.201608"
    headers["User-Agent"] = "JAVASDKAgent/1.0.0 XRoad/VPCP"
    headers["Content-Type"] = content_type
    return headers


# The SDK's parameter order (Java HashMap iteration order) for each operation, as captured for
# sendEdoc and as the HashMap orders the others' keys.
ORDER = {
    "sendEdoc": [
        "systemid",
        "servicetype",
        "messagetype",
        "hash-file",
        "from",
        "timestamp",
        "Content-Type",
    ],
    "getReceivedEdocList": ["systemid", "servicetype", "messagetype", "timestamp", "Content-Type"],
    "getEdoc": ["systemid", "docId", "timestamp", "Content-Type"],
    "updateStatus": ["systemid", "docId", "timestamp", "Content-Type", "status"],
}


class Caller:
    """Signs and sends one operation for one system; returns the httpx response."""

    def __init__(self, client: httpx.Client, base: str) -> None:
        self.client = client
        self.base = base

    def __call__(
        self,
        system: AxisSystem,
        operation: str,
        params: dict[str, str] | None = None,
        *,
        body: bytes = b"",
        content_type: str = "application/json",
        secret: str | None = None,
        timestamp: str = TIMESTAMP,
        extra_headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        params = dict(params or {})
        values = {
            "systemid": system.system_id,
            "timestamp": timestamp,
            "Content-Type": content_type,
            **params,
        }
        order = [n for n in ORDER.get(operation, []) if n in values]
        order += [n for n in values if n not in order]
        headers = signed_headers(
            [(n, values[n]) for n in order],
            system_id=system.system_id,
            secret=secret if secret is not None else system.secret,
            content_type=content_type,
        )
        headers.update(extra_headers or {})
        return self.client.post(f"{self.base}/{operation}", headers=headers, content=body)

    def send(
        self, system: AxisSystem, package: bytes, *, message_type: str = "edoc", **kwargs: Any
    ) -> httpx.Response:
        params = {
            "servicetype": "eDoc",
            "messagetype": message_type,
            "hash-file": unpadded_hex(package),
            "from": system.system_id,
        }
        params.update(kwargs.pop("params", {}))
        return self(
            system,
            "sendEdoc",
            params,
            body=package + b"\r\n",
            content_type="application/octet-stream",
            **kwargs,
        )

    def inbox(self, system: AxisSystem, message_type: str = "edoc") -> list[dict[str, Any]]:
        answer = self(
            system, "getReceivedEdocList", {"servicetype": "eDoc", "messagetype": message_type}
        ).json()
        assert answer["status"] == "OK", answer
        items: list[dict[str, Any]] = answer["data"]
        return items

    def fetch(self, system: AxisSystem, doc_id: str) -> httpx.Response:
        return self(system, "getEdoc", {"docId": doc_id}, body=b"{}")

    def ack(self, system: AxisSystem, doc_id: str, status: str = "done") -> httpx.Response:
        return self(system, "updateStatus", {"docId": doc_id, "status": status}, body=b"{}")


@pytest.fixture
def axis() -> Iterator[LocalAxis]:
    """A hub on loopback with a sender, a receiver (also receiving for 000.01.00.G22) and a
    third system."""
    with LocalAxis(
        [
            AxisSystem(SENDER, "s3cret"),
            AxisSystem(RECEIVER, "r3ceiver", ("000.01.00.G22",)),
            AxisSystem(OTHER, "0ther"),
        ]
    ) as running:
        yield running


@pytest.fixture
def call(axis: LocalAxis) -> Iterator[Caller]:
    with httpx.Client(timeout=30) as client:
        yield Caller(client, axis.url)


@pytest.fixture
def packages() -> PackageFactory:
    return PackageFactory()


@pytest.fixture
def counts(axis: LocalAxis) -> Callable[[], dict[str, int]]:
    def get() -> dict[str, int]:
        assert axis.store is not None
        return axis.store.counts()

    return get
