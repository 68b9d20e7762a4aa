"""``vbdt status ...``: the command group for exchange statuses.

``cli/status_make.py`` (``vbdt status make``) and ``cli/status_explain.py``
(``vbdt status explain``) register themselves on :data:`status`.
"""

from __future__ import annotations

from vbdt_exchange.cli._main import cli

__all__ = ["status"]


@cli.group()
def status() -> None:
    """Build status packages and explain where a document stands with each receiver."""
