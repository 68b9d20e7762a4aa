"""Rules SIG3xx: PDF signatures.

Joined into :data:`vbdt_exchange.signature.rules.SIG_RULES`."""

from __future__ import annotations

from vbdt_exchange.envelope.rules import Rule
from vbdt_exchange.findings import Severity

__all__ = ["PDF_RULES"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

PDF_RULES: list[Rule] = []
