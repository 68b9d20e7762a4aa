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
