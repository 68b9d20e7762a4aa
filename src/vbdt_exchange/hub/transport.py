"""An in-process path to an ASGI application for a *sync* ``httpx.Client``: no sockets.

``httpx.ASGITransport`` serves only ``httpx.AsyncClient``. :class:`SyncASGITransport` runs the
application on an event loop in a private thread and hands each request to it, so that code
written for a synchronous client (the VDXP client, a document system's integration tests) can
talk to the local axis without a server:

>>> import httpx
>>> from vbdt_exchange.hub import HubApp, Store
>>> with Store(None) as store, SyncASGITransport(HubApp(store)) as transport:
...     with httpx.Client(transport=transport, base_url="http://axis") as client:
...         client.post("/getAgenciesList").json()["ErrorCode"]  # not signed: refused
'15'

Request bodies are read whole before the call and response bodies are buffered: meant for
tests and small packages (use :class:`~vbdt_exchange.testing.axis.LocalAxis` over loopback to
exercise streaming).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx

__all__ = ["SyncASGITransport"]

ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


class SyncASGITransport(httpx.BaseTransport):
    """An ``httpx`` transport that calls an ASGI application in-process.

    :param app: the ASGI application (for instance :class:`~vbdt_exchange.hub.HubApp`).
    :param client: the ``(host, port)`` the application sees as the client.
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self.client = client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="vbdt-asgi-transport", daemon=True
        )
        self._thread.start()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        body = request.read()
        future = asyncio.run_coroutine_threadsafe(self._call(request, body), self._loop)
        status, headers, content = future.result()
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(
        self, request: httpx.Request, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        url = request.url
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "query_string": url.query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": self.client,
            "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
        }
        sent = False
        response_started = asyncio.Event()
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> MutableMapping[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await response_started.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    response_started.set()

        await self.app(scope, receive, send)
        return status, headers, b"".join(chunks)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.run_until_complete(self._loop.shutdown_default_executor())
        self._loop.close()

    def __enter__(self) -> SyncASGITransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
