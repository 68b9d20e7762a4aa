"""What a verifier accepts: :class:`VerificationPolicy`, and the verdict vocabulary.

The defaults are the safe ones of Thông tư 15/2025/TT-BKHCN: SHA-1 refused, a chain to a
configured trust anchor required, revocation checked with *soft-fail* (a visible warning when it
cannot be checked), and no network access unless the caller opts in.
"""

from __future__ import annotations

import datetime
import enum
from typing import Literal, TypeAlias

import attrs

__all__ = ["Indication", "RevocationMode", "VerificationPolicy"]

RevocationMode: TypeAlias = Literal["hard-fail", "soft-fail", "off"]
"""``hard-fail``: unknown revocation status makes the verdict INDETERMINATE (never PASSED);
``soft-fail``: unknown status is a warning and the verdict can still be PASSED; ``off``: not
checked (reported as not checked). A certificate found revoked always fails."""


class Indication(enum.Enum):
    """The ETSI EN 319 102-1 style bottom line of a verification."""

    PASSED = "PASSED"
    INDETERMINATE = "INDETERMINATE"
    FAILED = "FAILED"

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class VerificationPolicy:
    """How strict a verification is. Frozen; derive variants with :func:`attrs.evolve`.

    :ivar revocation: see :data:`RevocationMode`.
    :ivar allow_sha1: accept SHA-1 digests and signatures (legacy verification of what deployed
        software signed); a finding still says SHA-1 was used.
    :ivar allow_fetching: fetch CRLs, OCSP responses and missing issuers over the network
        (AIA, CRL distribution points). Off by default: only what the caller supplies is used.
    :ivar require_trust: without a trust anchor for the chain the verdict is INDETERMINATE;
        set ``False`` to check integrity only (the report still says the signer is untrusted).
    :ivar at: the moment to validate at; ``None`` means the signing time the signature
        claims, or now when it claims none.
    :ivar crls: DER or PEM CRLs to use as revocation evidence.
    :ivar ocsp_responses: DER OCSP responses to use as revocation evidence.
    """

    revocation: RevocationMode = "soft-fail"
    allow_sha1: bool = False
    allow_fetching: bool = False
    require_trust: bool = True
    at: datetime.datetime | None = None
    crls: tuple[bytes, ...] = ()
    ocsp_responses: tuple[bytes, ...] = ()
