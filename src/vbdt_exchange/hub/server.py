"""How the local axis is served by uvicorn: one configuration for ``vbdt hub serve``, its
workers and :class:`~vbdt_exchange.testing.axis.LocalAxis`.

uvicorn reads HTTP with one of two parsers, and by default takes httptools whenever it is
installed. They differ where it matters to a server facing strangers: h11 refuses a request
head (request line and headers) larger than 16 KiB, httptools has no bound at all — a client
can send headers for ever and the server keeps them in memory. So the hub names its parser:

* ``"h11"`` (the default): pure Python, the 16 KiB bound;
* ``"httptools"``: the C parser (llhttp), a third to a half less CPU per request, with
  :class:`BoundedHttpToolsProtocol` putting back a bound on the head: 16 KiB, give or take
  the one read (at most 256 KiB) in which the request began.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

__all__ = [
    "HEAD_LIMIT",
    "BoundedHttpToolsProtocol",
    "HttpParser",
    "httptools_available",
    "server_config",
]

log = logging.getLogger(__name__)

HEAD_LIMIT = 16 * 1024  # h11's default bound on a request head, for both parsers
HttpParser = Literal["h11", "httptools"]


def server_config(app: Any, *, http: HttpParser = "h11", **options: Any) -> Any:
    """uvicorn's ``Config`` for the hub ``app``: the named HTTP parser (never uvicorn's
    ``auto``), no lifespan, no access log, no proxy headers (the hub does not use the client's
    address), five seconds to finish requests on shutdown. ``options`` go to ``Config``
    (``host``, ``port``, ``workers``, ``factory``, ``log_level`` ...)."""
    import uvicorn

    if http == "h11":
        protocol: Any = "h11"
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
    return uvicorn.Config(app, http=protocol, **settings)


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


class BoundedHttpToolsProtocol(_HttpTools or object):  # type: ignore[misc]
    """uvicorn's httptools protocol with a bound on the request head (:data:`HEAD_LIMIT`).

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
