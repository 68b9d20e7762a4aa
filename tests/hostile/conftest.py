"""Fixtures for the hostile-input suite.

``_hostile`` (the builders) is imported by plain name: the project runs pytest with
``--import-mode=importlib``, under which test modules cannot import their neighbours.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _hostile import BOMB_SIZE, zip_bomb


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make every attempt to open a connection fail, and record it."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access attempted by the reader")

    def refuse_lookup(host: object, *args: object, **kwargs: object) -> None:
        attempts.append(host)
        raise OSError("name lookup attempted by the reader")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    return attempts


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point :mod:`tempfile` at an empty folder, so the test sees every temporary file."""
    import tempfile

    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="session")
def bomb() -> bytes:
    """200 MiB of zeros in the SDK's single-entry ZIP (about 200 KB; built once)."""
    return zip_bomb(BOMB_SIZE)
