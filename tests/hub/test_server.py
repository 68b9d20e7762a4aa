"""``vbdt_exchange.hub.server``: the uvicorn configuration the hub is always served with."""

from __future__ import annotations

import pickle

import pytest

from vbdt_exchange.hub.server import (
    HEAD_LIMIT,
    HEAD_TIMEOUT,
    BoundedH11Protocol,
    BoundedHttpToolsProtocol,
    httptools_available,
    server_config,
)


async def app(scope: object, receive: object, send: object) -> None:  # pragma: no cover
    return None


def test_the_parser_is_named_never_auto() -> None:
    assert server_config(app).http is BoundedH11Protocol
    assert server_config(app, http="httptools").http is BoundedHttpToolsProtocol
    config = server_config(app)
    assert config.h11_max_incomplete_event_size == HEAD_LIMIT == 16 * 1024
    assert config.proxy_headers is False
    assert config.lifespan == "off"


def test_the_head_deadline_travels_with_the_config() -> None:
    assert server_config(app).vbdt_head_timeout == HEAD_TIMEOUT == 30.0
    assert server_config(app, head_timeout=None).vbdt_head_timeout is None
    # spawned workers get the configuration pickled
    copy = pickle.loads(pickle.dumps(server_config(app, head_timeout=2.5, workers=2)))
    assert copy.vbdt_head_timeout == 2.5
    assert copy.http is BoundedH11Protocol


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"http": "auto"}, "http must be"),
        ({"head_timeout": 0}, "head_timeout must be positive"),
        ({"head_timeout": -1.0}, "head_timeout must be positive"),
    ],
)
def test_bad_settings(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        server_config(app, **options)  # type: ignore[arg-type]


def test_the_fast_extra_is_installed_for_the_tests() -> None:
    assert httptools_available()
