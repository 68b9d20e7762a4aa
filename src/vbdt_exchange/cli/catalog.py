"""``vbdt catalog ...`` and ``vbdt policy ...``: the command groups.

Each subcommand lives in its own module (``cli/catalog_organ.py``, ``cli/catalog_types.py``,
``cli/policy.py``), which imports the group it belongs to from here and registers itself;
``cli._main.main`` imports them all.
"""

from __future__ import annotations

from vbdt_exchange.cli._main import cli

__all__ = ["catalog", "policy"]


@cli.group()
def catalog() -> None:
    """Look up organisation identifiers, document types, and numbers and symbols."""


@cli.group()
def policy() -> None:
    """Check the paperless-exchange policies (which documents may travel without paper)."""
