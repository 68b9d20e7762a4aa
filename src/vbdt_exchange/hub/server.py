"""How the local axis is served by uvicorn: one configuration for ``vbdt hub serve``, its
workers and :class:`~vbdt_exchange.testing.axis.LocalAxis`.

uvicorn reads HTTP with one of two parsers, and by default takes httptools whenever it is
installed. They differ where it matters to a server facing strangers: h11 refuses a request
head (request line and headers) larger than 16 KiB, httptools has no bound at all — a client
can send headers for ever and the server keeps them in memory. So the hub names its parser:

* ``"h11"`` (the default): pure Python, the 16 KiB bound (:class:`BoundedH11Protocol`);
* ``"httptools"``: the C parser (llhttp), a third to a half less CPU per request, with
  :class:`BoundedHttpToolsProtocol` putting back a bound on the head: 16 KiB, give or take
  the one read (at most 256 KiB) in which the request began.

Neither parser bounds the *time* a head takes: uvicorn's keep-alive timeout runs only while a
connection is idle, and any byte received cancels it, so a client sending its headers a byte at
a time holds the connection for ever. Both protocols here add a deadline: a request head must
be complete within ``head_timeout`` seconds (:data:`HEAD_TIMEOUT` by default) of the
connection being made or of the previous response; past it the client gets a plain
``408 Request Timeout`` and the connection is closed.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "HEAD_LIMIT",
    "HEAD_TIMEOUT",
    "BoundedH11Protocol",
    "BoundedHttpToolsProtocol",
    "HttpParser",
    "httptools_available",
    "server_config",
]

log = logging.getLogger(__name__)

HEAD_LIMIT = 16 * 1024  # h11's default bound on a request head, for both parsers
HEAD_TIMEOUT = 30.0  # seconds for a request head, from the connection or the previous response
HttpParser = Literal["h11", "httptools"]

_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 31\r\nconnection: close\r\n\r\nThe request head took too long."
)


def server_config(
    app: Any,
    *,
    http: HttpParser = "h11",
    head_timeout: float | None = HEAD_TIMEOUT,
    **options: Any,
) -> Any:
    """uvicorn's ``Config`` for the hub ``app``: the named HTTP parser (never uvicorn's
    ``auto``) with a deadline of ``head_timeout`` seconds for each request head (``None``: no
    deadline), no lifespan, no access log, no proxy headers (the hub does not use the client's
    address), five seconds to finish requests on shutdown. ``options`` go to ``Config``
    (``host``, ``port``, ``workers``, ``factory``, ``log_level`` ...). The deadline travels as
    the attribute ``vbdt_head_timeout`` of the ``Config`` (so that spawned workers get it)."""
    import uvicorn

    if head_timeout is not None and head_timeout <= 0:
        raise ValueError("head_timeout must be positive (or None)")
    if http == "h11":
        protocol: Any = BoundedH11Protocol
    elif http == "httptools":
        _require_httptools()
        protocol = BoundedHttpToolsProtocol
    else:
        raise ValueError(f"http must be 'h11' or 'httptools', not {http!r}")
    settings: dict[str, Any] = {
        "lifespan": "off",
        "interface": "asgi3",
        "access_log": False,
        "log_config": None,
        "timeout_graceful_shutdown": 5,
        "proxy_headers": False,
        "h11_max_incomplete_event_size": HEAD_LIMIT,
    }
    settings.update(options)
    config = uvicorn.Config(app, http=protocol, **settings)
    setattr(config, "vbdt_head_timeout", head_timeout)  # noqa: B010 - not a Config field
    return config


class _HeadDeadline:
    """Mixed into uvicorn's protocols: a request head must be complete within the config's
    ``vbdt_head_timeout`` of the connection or of the previous response, or the client gets a
    408 and the connection is closed. A new request is recognised by the protocol's new
    request cycle (``self.cycle``), which uvicorn creates when a head is complete."""

    config: Any
    cycle: Any
    loop: Any
    transport: Any

    _head_timer: Any = None
    _head_cycle: Any = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        timeout = getattr(self.config, "vbdt_head_timeout", None)
        if timeout is None or self.transport.is_closing():
            return
        self._head_cycle = self.cycle
        self._head_timer = self.loop.call_later(timeout, self._head_deadline_passed)

    def _disarm_head_deadline(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_deadline_passed(self) -> None:
        self._head_timer = None
        if self.cycle is not self._head_cycle or self.transport.is_closing():
            return  # a request began in time (its body has the hub's own deadline)
        log.info("hub: a request head not complete within its deadline; connection closed")
        self.transport.write(_REQUEST_TIMEOUT)
        self.transport.close()


class BoundedH11Protocol(_HeadDeadline, H11Protocol):
    """uvicorn's h11 protocol with the deadline on request heads (h11 bounds their size)."""


try:  # uvicorn's httptools protocol needs httptools: the optional "fast" extra
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpTools
except ImportError:  # pragma: no cover - tested with the extra installed
    _HttpTools = None  # type: ignore[misc, assignment]


def httptools_available() -> bool:
    """Whether the ``"httptools"`` parser can be used (the optional ``fast`` extra)."""
    return _HttpTools is not None


def _require_httptools() -> None:
    if _HttpTools is None:  # pragma: no cover
        raise ImportError(
            "the httptools parser is not installed: pip install 'vbdt_exchange[fast]'"
        )


class BoundedHttpToolsProtocol(_HeadDeadline, _HttpTools or object):  # type: ignore[misc]
    """uvicorn's httptools protocol with a bound on the request head (:data:`HEAD_LIMIT`) and
    the deadline on it.

    A head still incomplete after more than ``HEAD_LIMIT`` bytes gets uvicorn's plain 400
    answer and the connection is closed, as h11 does. The parser reports no positions, so the
    head's bytes are counted per read: all of a read that continues a head; of the read in
    which a request begins, what is left after the earlier requests' parts in it (request line,
    headers, body, as the parser reported them). Pipelined requests may make that a few bytes
    more than the truth per earlier request, never less.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _require_httptools()
        super().__init__(*args, **kwargs)
        self._in_head = False
        self._began_here = False
        self._head_bytes = 0
        self._known = 0  # bytes of this read the parser reported as earlier requests' parts
        self._known_at_begin = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._began_here = True
        self._known_at_begin = self._known

    def on_url(self, url: bytes) -> None:
        self._known += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._known += len(name) + len(value) + 4  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        # "METHOD " + " HTTP/1.1\r\n" + the blank line's CRLF
        self._known += len(self.parser.get_method()) + 1 + 11 + 2
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        self._known += len(body)
        super().on_body(body)

    def data_received(self, data: bytes) -> None:
        self._known = 0
        self._began_here = False
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        if self._began_here:
            self._head_bytes = len(data) - self._known_at_begin
        else:
            self._head_bytes += len(data)
        if self._head_bytes > HEAD_LIMIT:
            log.info("hub: a request head past %d bytes refused", HEAD_LIMIT)
            self._in_head = False
            self.send_400_response("Invalid HTTP request received.")
