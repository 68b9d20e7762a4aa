"""Rules SIG2xx: certificates, chains and revocation.

Joined into :data:`vbdt_exchange.signature.rules.SIG_RULES`."""

from __future__ import annotations

from vbdt_exchange.envelope.rules import Rule
from vbdt_exchange.findings import Severity

__all__ = ["TRUST_RULES"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

TRUST_RULES: list[Rule] = []
