"""The ``vbdt`` command line (also ``python -m vbdt_exchange``)."""

from vbdt_exchange.cli._main import cli, main

__all__ = ["cli", "main"]
