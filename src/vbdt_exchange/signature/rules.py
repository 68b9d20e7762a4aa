"""The catalogue of signature rules: every finding the signature layer can report.

Rule ids are stable, like the envelope's (:mod:`vbdt_exchange.envelope.rules`). Ranges:

* ``SIG1xx`` XML signatures on packages (structure, profile, digests, wrapping, placeholders)
* ``SIG2xx`` certificates and trust (chain, validity, revocation, key usage, algorithms)
* ``SIG3xx`` PDF signatures (coverage, modifications, appearance, levels)

Each part of the layer keeps its own list (``_rules_xml``, ``_rules_trust``, ``_rules_pdf``);
this module joins them into :data:`SIG_RULES`.
"""

from __future__ import annotations

from typing import Any

from vbdt_exchange.envelope.rules import Rule
from vbdt_exchange.findings import Finding
from vbdt_exchange.signature._rules_pdf import PDF_RULES
from vbdt_exchange.signature._rules_trust import TRUST_RULES
from vbdt_exchange.signature._rules_xml import XML_RULES

__all__ = ["SIG_RULES", "Rule", "finding"]

SIG_RULES: dict[str, Rule] = {}
for _rule in (*XML_RULES, *TRUST_RULES, *PDF_RULES):
    if _rule.id in SIG_RULES:  # pragma: no cover - caught by the test suite
        raise RuntimeError(f"duplicate rule id {_rule.id}")
    SIG_RULES[_rule.id] = _rule


def finding(
    rule_id: str, *, path: str | None = None, line: int | None = None, **details: Any
) -> Finding:
    """A :class:`~vbdt_exchange.findings.Finding` of signature rule ``rule_id``."""
    return SIG_RULES[rule_id].make(path=path, line=line, **details)
