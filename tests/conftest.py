"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest


def _require_tool(command: str, debian_package: str) -> str:
    """The path of ``command``; skip when it is missing on a developer machine.

    In CI (``.ci/run`` sets ``VBDT_REQUIRE_TOOLS=1`` and installs the Debian packages) a missing
    tool is a failure, never a skip.
    """
    path = shutil.which(command)
    if path is None:
        if os.environ.get("VBDT_REQUIRE_TOOLS") or os.environ.get("CI"):
            pytest.fail(f"{command} must be installed in CI (Debian package {debian_package})")
        pytest.skip(f"{command} is not installed (Debian package {debian_package})")
    return path


@pytest.fixture
def require_tool() -> Callable[[str, str], str]:
    """``require_tool("xmlsec1", "xmlsec1")`` -> the tool's path (see :func:`_require_tool`)."""
    return _require_tool


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """A PostgreSQL database the tests may use freely (``VBDT_TEST_POSTGRES_DSN``).

    ``.ci/run`` starts Debian's PostgreSQL and sets it; on a developer machine without it the
    tests that need it skip, in CI they fail.
    """
    dsn = os.environ.get("VBDT_TEST_POSTGRES_DSN")
    if not dsn:
        if os.environ.get("VBDT_REQUIRE_TOOLS") or os.environ.get("CI"):
            pytest.fail("VBDT_TEST_POSTGRES_DSN must be set in CI (.ci/run starts PostgreSQL)")
        pytest.skip("no PostgreSQL: set VBDT_TEST_POSTGRES_DSN (see .ci/run)")
    return dsn
