"""Revocation over the network, against the test PKI's loopback CRL and OCSP server, and
validation_context (the policy -> certvalidator mapping)."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import pytest
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import RevocationCheckingRule

from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import (
    RevocationDataError,
    TrustStore,
    check_certificate,
    validation_context,
)
from vbdt_exchange.testing.pki import PKIServer, TestPKI


@pytest.fixture(scope="module")
def server() -> PKIServer:  # type: ignore[misc]
    with PKIServer.running(key_type="ec") as running:
        yield running


@pytest.mark.parametrize("mode", ["hard-fail", "soft-fail"])
def test_ocsp_fetched_good_and_revoked(server: PKIServer, mode: str) -> None:
    pki = server.pki
    trust = TrustStore(roots=[pki.root.certificate])
    policy = VerificationPolicy(revocation=mode, allow_fetching=True)  # type: ignore[arg-type]
    before = len(server.requests)
    good = check_certificate(
        pki.person.certificate,
        trust=trust,
        policy=policy,
        intermediates=[pki.intermediate.certificate],
    )
    assert good.indication is Indication.PASSED
    assert good.revocation == "good"
    assert [f.rule for f in good.findings] == ["SIG216"]
    assert "OCSP" in good.findings[0].message
    assert "/ocsp" in server.requests[before:]
    assert len(good.evidence.ocsp_responses) == 1  # the fetched answer is kept as evidence
    revoked = check_certificate(
        pki.revoked.certificate,
        trust=trust,
        policy=policy,
        intermediates=[pki.intermediate.certificate],
    )
    assert revoked.indication is Indication.FAILED
    assert revoked.revocation == "revoked"
    assert [f.rule for f in revoked.findings] == ["SIG205"]
    assert len(revoked.evidence.ocsp_responses) == 1


def test_missing_intermediate_fetched_from_aia(server: PKIServer) -> None:
    pki = server.pki
    before = len(server.requests)
    report = check_certificate(
        pki.person.certificate,
        trust=TrustStore(roots=[pki.root.certificate]),
        policy=VerificationPolicy(revocation="hard-fail", allow_fetching=True),
    )
    assert report.indication is Indication.PASSED
    assert "/ca.cer" in server.requests[before:]
    assert report.chain[1] == pki.intermediate.certificate


def test_no_network_unless_allowed(server: PKIServer) -> None:
    pki = server.pki
    before = len(server.requests)
    for mode in ("hard-fail", "soft-fail"):
        report = check_certificate(
            pki.person.certificate,
            trust=TrustStore(roots=[pki.root.certificate]),
            policy=VerificationPolicy(revocation=mode),  # type: ignore[arg-type]
            intermediates=[pki.intermediate.certificate],
        )
        assert report.revocation == "unknown"
    assert server.requests[before:] == []


def test_unreachable_responder(now: datetime.datetime) -> None:
    """The certificates point at a closed loopback port: fetching fails, which is 'unknown'."""
    pki = TestPKI.generate(now=now, key_type="ec", base_url="http://127.0.0.1:1")
    trust = TrustStore(roots=[pki.root.certificate], intermediates=[pki.intermediate.certificate])
    hard = check_certificate(
        pki.person.certificate,
        trust=trust,
        policy=VerificationPolicy(revocation="hard-fail", allow_fetching=True),
        at=pki.now,
    )
    assert hard.indication is Indication.INDETERMINATE
    assert [f.rule for f in hard.findings] == ["SIG206"]
    soft = check_certificate(
        pki.person.certificate,
        trust=trust,
        policy=VerificationPolicy(revocation="soft-fail", allow_fetching=True),
        at=pki.now,
    )
    assert soft.indication is Indication.PASSED
    assert [f.rule for f in soft.findings] == ["SIG207"]
    assert soft.warnings


@pytest.mark.parametrize(
    ("mode", "ee_rule"),
    [
        ("hard-fail", RevocationCheckingRule.CRL_OR_OCSP_REQUIRED),
        ("soft-fail", RevocationCheckingRule.CHECK_IF_DECLARED_SOFT),
        ("off", RevocationCheckingRule.NO_CHECK),
    ],
)
def test_validation_context_mapping(
    pki: TestPKI, trust: TrustStore, mode: str, ee_rule: RevocationCheckingRule
) -> None:
    policy = VerificationPolicy(revocation=mode, crls=(pki.crl_der(),))  # type: ignore[arg-type]
    context = validation_context(trust, policy, at=pki.now)
    assert isinstance(context, ValidationContext)
    assert context.revinfo_policy.revocation_checking_policy.ee_certificate_rule is ee_rule
    assert context.moment == pki.now
    assert not context.fetching_allowed
    assert len(context.crls) == 1


def test_validation_context_empty_store_has_no_system_roots(pki: TestPKI) -> None:
    """No silent fallback to the operating system's TLS roots (and no deprecation warning)."""
    context = validation_context(TrustStore(), VerificationPolicy(revocation="off"))
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import PathBuildingError

    from vbdt_exchange.signature.trust import _asn1

    validator = CertificateValidator(_asn1(pki.person.certificate), validation_context=context)
    with pytest.raises(PathBuildingError):
        asyncio.run(validator.async_validate_path())


def test_validation_context_with_fetching_closes(server: PKIServer) -> None:
    policy = VerificationPolicy(allow_fetching=True)
    context = validation_context(TrustStore(roots=[server.pki.root.certificate]), policy)
    assert context.fetching_allowed
    asyncio.run(context.aclose())


def test_validation_context_extra_revocation_data(
    pki: TestPKI, trust: TrustStore, ocsp_for: Any
) -> None:
    context = validation_context(
        trust,
        VerificationPolicy(crls=(pki.crl_pem(),)),
        crls=[pki.crl_der()],
        ocsp_responses=[ocsp_for(pki, pki.person)],
    )
    assert len(context.crls) == 2
    assert len(context.ocsps) == 1
    with pytest.raises(RevocationDataError, match=r"policy\.crls\[1\]"):
        validation_context(trust, VerificationPolicy(), crls=[pki.crl_der(), b"junk"])
