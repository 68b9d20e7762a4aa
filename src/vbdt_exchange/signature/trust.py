"""Trust stores, certificate chains and revocation (interface; implementation in progress).

The implementation builds on pyhanko-certvalidator. This module's public names are the contract
the XML and PDF verifiers code against.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

import attrs
from cryptography import x509

from vbdt_exchange.findings import Finding, FindingsView
from vbdt_exchange.signature.policy import Indication, VerificationPolicy

__all__ = ["CertificateReport", "Evidence", "TrustStore", "check_certificate"]


@attrs.frozen
class TrustStore:
    """Trust anchors (roots) and untrusted intermediates to build chains with."""

    roots: tuple[x509.Certificate, ...] = ()
    intermediates: tuple[x509.Certificate, ...] = ()

    @classmethod
    def from_paths(
        cls, roots: Iterable[str | Path] = (), intermediates: Iterable[str | Path] = ()
    ) -> TrustStore:
        """Load PEM/DER certificates from files or directories."""
        raise NotImplementedError


@attrs.frozen
class Evidence:
    """What a certificate check relied on, to be kept with the signed message (TT 15/2025)."""

    certificates: tuple[x509.Certificate, ...] = ()
    crls: tuple[bytes, ...] = ()
    ocsp_responses: tuple[bytes, ...] = ()


@attrs.frozen
class CertificateReport(FindingsView):
    """The result of checking one signer certificate at one moment."""

    indication: Indication
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    validated_at: datetime.datetime
    revocation: str  # "good" | "revoked" | "unknown" | "not-checked"
    findings: tuple[Finding, ...]
    evidence: Evidence


def check_certificate(
    certificate: x509.Certificate,
    *,
    trust: TrustStore,
    policy: VerificationPolicy,
    intermediates: Iterable[x509.Certificate] = (),
    at: datetime.datetime | None = None,
) -> CertificateReport:
    """Build a chain from ``certificate`` to a root of ``trust`` and check it at ``at``."""
    raise NotImplementedError
