"""Findings: what a reader, validator or verifier noticed, each with a stable rule id.

A :class:`Finding` is data, not an exception: reading a package collects findings (warnings for
the quirks real producers emit, errors for what cannot be right) and hands them back with the
package. Rule ids are stable across releases; the catalogue is in the documentation
(``docs/reference/rules.md``) and in :data:`vbdt_exchange.envelope.rules.RULES`.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

__all__ = ["Finding", "FindingsView", "Severity"]


class Severity(enum.Enum):
    """How serious a finding is. Only ``ERROR`` makes ``vbdt validate`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class Finding:
    """One thing noticed about a document.

    :ivar rule: stable rule id, e.g. ``EDX201``.
    :ivar severity: :class:`Severity`.
    :ivar message: English text.
    :ivar message_vi: Vietnamese text.
    :ivar path: element path (``/edXML/edXMLEnvelope/...``), or ``None`` for the whole file.
    :ivar line: 1-based line in the original file, when known.
    """

    rule: str
    severity: Severity
    message: str
    message_vi: str
    path: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``vbdt inspect --json`` and ``vbdt validate --json``."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "message_vi": self.message_vi,
        }

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else ""
        if self.path:
            where = f"{where} {self.path}".strip()
        return f"{self.severity.value} {self.rule}: {self.message}" + (
            f" [{where}]" if where else ""
        )


class FindingsView:
    """``errors`` and ``warnings`` of anything that holds ``findings`` (a read result, a report)."""

    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)
