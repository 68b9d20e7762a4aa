"""check_certificate: the verdict matrix (case x revocation policy) and the single checks."""

from __future__ import annotations

import asyncio
import datetime
import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vbdt_exchange.findings import Severity
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.rules import SIG_RULES
from vbdt_exchange.signature.trust import (
    CertificateReport,
    RevocationDataError,
    TrustStore,
    async_check_certificate,
    check_certificate,
)
from vbdt_exchange.testing.pki import TestPKI

P, I, F = Indication.PASSED, Indication.INDETERMINATE, Indication.FAILED  # noqa: E741

# case -> {mode: (indication, revocation, rule ids in order)}
MATRIX: dict[str, dict[str, tuple[Indication, str, list[str]]]] = {
    "good": {
        "hard-fail": (P, "good", ["SIG216"]),
        "soft-fail": (P, "good", ["SIG216"]),
        "off": (P, "not-checked", ["SIG208"]),
    },
    "revoked": {
        "hard-fail": (F, "revoked", ["SIG205"]),
        "soft-fail": (F, "revoked", ["SIG205"]),
        "off": (P, "not-checked", ["SIG208"]),
    },
    "expired": {
        "hard-fail": (F, "unknown", ["SIG203"]),
        "soft-fail": (F, "unknown", ["SIG203"]),
        "off": (F, "not-checked", ["SIG203", "SIG208"]),
    },
    "untrusted-root": {
        "hard-fail": (I, "unknown", ["SIG202"]),
        "soft-fail": (I, "unknown", ["SIG202"]),
        "off": (I, "not-checked", ["SIG202"]),
    },
    "unknown-revocation": {
        "hard-fail": (I, "unknown", ["SIG206"]),
        "soft-fail": (P, "unknown", ["SIG207"]),
        "off": (P, "not-checked", ["SIG208"]),
    },
    "ocsp-good": {
        "hard-fail": (P, "good", ["SIG216"]),
        "soft-fail": (P, "good", ["SIG216"]),
        "off": (P, "not-checked", ["SIG208"]),
    },
    "ocsp-revoked": {
        "hard-fail": (F, "revoked", ["SIG205"]),
        "soft-fail": (F, "revoked", ["SIG205"]),
        "off": (P, "not-checked", ["SIG208"]),
    },
}


def _case(
    name: str,
    pki: TestPKI,
    other_pki: TestPKI,
    ocsp_for: Callable[..., bytes],
) -> tuple[x509.Certificate, TrustStore, dict[str, Any]]:
    crl = {"crls": (pki.crl_der(),)}
    trust = TrustStore(roots=[pki.root.certificate], intermediates=[pki.intermediate.certificate])
    if name == "good":
        return pki.person.certificate, trust, crl
    if name == "revoked":
        return pki.revoked.certificate, trust, crl
    if name == "expired":
        return pki.expired.certificate, trust, crl
    if name == "untrusted-root":
        return pki.person.certificate, TrustStore(roots=[other_pki.root.certificate]), crl
    if name == "unknown-revocation":
        return pki.person.certificate, trust, {}
    if name == "ocsp-good":
        return pki.person.certificate, trust, {"ocsp_responses": (ocsp_for(pki, pki.person),)}
    if name == "ocsp-revoked":
        return pki.revoked.certificate, trust, {"ocsp_responses": (ocsp_for(pki, pki.revoked),)}
    raise AssertionError(name)


@pytest.mark.parametrize("mode", ["hard-fail", "soft-fail", "off"])
@pytest.mark.parametrize("case", list(MATRIX))
def test_matrix(
    case: str,
    mode: str,
    pki: TestPKI,
    other_pki: TestPKI,
    ocsp_for: Callable[..., bytes],
) -> None:
    certificate, trust, evidence = _case(case, pki, other_pki, ocsp_for)
    policy = VerificationPolicy(revocation=mode, **evidence)  # type: ignore[arg-type]
    report = check_certificate(certificate, trust=trust, policy=policy, at=pki.now)
    indication, revocation, rules = MATRIX[case][mode]
    assert (report.indication, report.revocation, [f.rule for f in report.findings]) == (
        indication,
        revocation,
        rules,
    )
    assert report.passed is (indication is P)
    assert report.trusted is (case != "untrusted-root")
    # every finding names the certificate holder in both languages
    subject = report.subject
    for f in report.findings:
        assert f.severity is SIG_RULES[f.rule].severity
        assert subject in f.message
        assert subject in f.message_vi
    if indication is P:
        assert not report.errors
    else:
        assert report.errors


def test_revoked_after_the_moment_passes(pki: TestPKI, trust: TrustStore) -> None:
    """Revoked a day before ``now``: a signature made two days before is still good."""
    policy = VerificationPolicy(revocation="hard-fail", crls=(pki.crl_der(),))
    before = pki.revocation_time - datetime.timedelta(days=1)
    report = check_certificate(pki.revoked.certificate, trust=trust, policy=policy, at=before)
    assert report.indication is P
    assert report.revocation == "good"
    # ... and the report says it was revoked later
    assert [f.rule for f in report.findings] == ["SIG216", "SIG217"]
    assert "2026-01-14T09:30:00Z" in report.findings[1].message
    just_after = pki.revocation_time + datetime.timedelta(seconds=1)
    at_revocation = check_certificate(
        pki.revoked.certificate, trust=trust, policy=policy, at=just_after
    )
    assert at_revocation.indication is F
    assert at_revocation.findings[0].rule == "SIG205"
    assert "2026-01-14T09:30:00Z" in at_revocation.findings[0].message


def test_policy_at_is_used(pki: TestPKI, trust: TrustStore) -> None:
    far = pki.now + datetime.timedelta(days=5 * 365)
    policy = VerificationPolicy(revocation="off", at=far)
    report = check_certificate(pki.person.certificate, trust=trust, policy=policy)
    assert report.validated_at == far
    assert report.indication is F
    # an explicit ``at`` wins over policy.at
    report = check_certificate(pki.person.certificate, trust=trust, policy=policy, at=pki.now)
    assert report.indication is P


def test_default_moment_is_now(trust: TrustStore, pki: TestPKI) -> None:
    before = datetime.datetime.now(datetime.UTC)
    report = check_certificate(
        pki.person.certificate, trust=trust, policy=VerificationPolicy(revocation="off")
    )
    assert before <= report.validated_at <= datetime.datetime.now(datetime.UTC)
    assert report.validated_at.tzinfo is not None


def test_not_yet_valid(pki: TestPKI, trust: TrustStore, make_leaf: Callable[..., Any]) -> None:
    cert = make_leaf(
        pki,
        not_before=pki.now + datetime.timedelta(days=2),
        not_after=pki.now + datetime.timedelta(days=20),
    )
    report = check_certificate(
        cert, trust=trust, policy=VerificationPolicy(crls=(pki.crl_der(),)), at=pki.now
    )
    assert report.indication is F
    assert [f.rule for f in report.findings] == ["SIG204"]
    assert "2026-01-17T09:30:00Z" in report.findings[0].message
    assert "Phạm Thị Dung (TEST)" in report.findings[0].message_vi


def test_expired_intermediate_is_named(
    pki: TestPKI, trust: TrustStore, now: datetime.datetime
) -> None:
    """Six years on, the intermediate (5 years) has expired as well as the person: the finding
    names the certificate that expired first along the path (the intermediate)."""
    late = now + datetime.timedelta(days=6 * 365)
    report = check_certificate(
        pki.person.certificate, trust=trust, policy=VerificationPolicy(revocation="off"), at=late
    )
    assert report.indication is F
    assert report.findings[0].rule == "SIG203"
    assert report.findings[0].message.startswith(
        "the certificate of Vietnam Government Signing CA (TEST) expired"
    )


def test_empty_trust_store(pki: TestPKI) -> None:
    report = check_certificate(
        pki.person.certificate,
        trust=TrustStore(),
        policy=VerificationPolicy(crls=(pki.crl_der(),)),
        at=pki.now,
    )
    assert report.indication is I
    assert [f.rule for f in report.findings] == ["SIG201"]
    assert report.chain == (pki.person.certificate,)
    assert not report.trusted
    assert "NEAC" in report.findings[0].message
    assert "Ban Cơ yếu" in report.findings[0].message_vi


def test_intermediates_from_the_signature(pki: TestPKI) -> None:
    """Only the root in the store; the intermediate comes with the signature."""
    report = check_certificate(
        pki.person.certificate,
        trust=TrustStore(roots=[pki.root.certificate]),
        policy=VerificationPolicy(crls=(pki.crl_der(),)),
        intermediates=[pki.intermediate.certificate],
        at=pki.now,
    )
    assert report.indication is P
    assert report.chain == tuple(pki.person.chain)
    # without it there is no chain
    report = check_certificate(
        pki.person.certificate,
        trust=TrustStore(roots=[pki.root.certificate]),
        policy=VerificationPolicy(crls=(pki.crl_der(),)),
        at=pki.now,
    )
    assert report.indication is I
    assert report.findings[0].rule == "SIG202"


def test_ec_pki_passes(ec_pki: TestPKI) -> None:
    trust = TrustStore(roots=[ec_pki.root.certificate])
    report = check_certificate(
        ec_pki.organisation.certificate,
        trust=trust,
        policy=VerificationPolicy(revocation="hard-fail", crls=(ec_pki.crl_pem(),)),
        intermediates=[ec_pki.intermediate.certificate],
        at=ec_pki.now,
    )
    assert report.indication is P, report.findings
    assert report.managing_unit == "Văn phòng Chính phủ (TEST)"


# -- algorithms and keys -----------------------------------------------------------------------


def test_sha1_certificate_refused_by_default(
    pki: TestPKI, trust: TrustStore, sha1_leaf: x509.Certificate
) -> None:
    cert = sha1_leaf
    policy = VerificationPolicy(crls=(pki.crl_der(),))
    report = check_certificate(cert, trust=trust, policy=policy, at=pki.now)
    assert report.indication is F
    assert [f.rule for f in report.findings] == ["SIG210"]
    assert "sha1" in report.findings[0].message.lower()


def test_sha1_certificate_allowed_with_a_warning(
    pki: TestPKI, trust: TrustStore, sha1_leaf: x509.Certificate
) -> None:
    cert = sha1_leaf
    policy = VerificationPolicy(crls=(pki.crl_der(),), allow_sha1=True)
    report = check_certificate(cert, trust=trust, policy=policy, at=pki.now)
    assert report.indication is P
    assert [f.rule for f in report.findings] == ["SIG211", "SIG216"]
    assert report.warnings[0].rule == "SIG211"
    assert "SHA-1" in report.findings[0].message_vi


def test_small_rsa_key_fails(
    pki: TestPKI,
    trust: TrustStore,
    make_leaf: Callable[..., Any],
    weak_rsa_key: rsa.RSAPrivateKey,
) -> None:
    cert = make_leaf(pki, key=weak_rsa_key)
    report = check_certificate(
        cert, trust=trust, policy=VerificationPolicy(crls=(pki.crl_der(),)), at=pki.now
    )
    assert report.indication is F
    assert "SIG212" in [f.rule for f in report.findings]
    finding = next(f for f in report.findings if f.rule == "SIG212")
    assert "1024" in finding.message
    assert "2048" in finding.message


def test_small_ec_key_fails(pki: TestPKI, trust: TrustStore, make_leaf: Callable[..., Any]) -> None:
    cert = make_leaf(pki, key=ec.generate_private_key(ec.SECP224R1()))
    report = check_certificate(
        cert, trust=trust, policy=VerificationPolicy(crls=(pki.crl_der(),)), at=pki.now
    )
    assert report.indication is F
    finding = next(f for f in report.findings if f.rule == "SIG212")
    assert "224" in finding.message
    assert "256" in finding.message


def test_ca_signed_with_a_small_key_fails(
    trust: TrustStore, pki: TestPKI, weak_rsa_key: rsa.RSAPrivateKey
) -> None:
    """A leaf whose issuer key is too small: certvalidator refuses the signature."""
    weak_ca_pki = attrs.evolve(
        pki,
        intermediate=attrs.evolve(pki.intermediate, private_key=weak_rsa_key),
    )
    del weak_ca_pki  # the issuer key in the certificate is what counts, not this object
    root_key = weak_rsa_key
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Weak Root (TEST)")])
    root = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(pki.now - datetime.timedelta(days=10))
        .not_valid_after(pki.now + datetime.timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Leaf (TEST)")]))
        .issuer_name(name)
        .public_key(leaf_key.public_key())
        .serial_number(2)
        .not_valid_before(pki.now - datetime.timedelta(days=1))
        .not_valid_after(pki.now + datetime.timedelta(days=1))
        .sign(root_key, hashes.SHA256())
    )
    report = check_certificate(
        leaf,
        trust=TrustStore(roots=[root]),
        policy=VerificationPolicy(revocation="off"),
        at=pki.now,
    )
    assert report.indication is F
    assert report.errors[0].rule in ("SIG212", "SIG214")
    assert "Leaf (TEST)" in report.errors[0].message


def test_key_usage_must_allow_signing(
    pki: TestPKI, trust: TrustStore, make_leaf: Callable[..., Any]
) -> None:
    cert = make_leaf(
        pki,
        key_usage={
            "digital_signature": False,
            "content_commitment": False,
            "key_agreement": True,
        },
    )
    report = check_certificate(
        cert, trust=trust, policy=VerificationPolicy(crls=(pki.crl_der(),)), at=pki.now
    )
    assert report.indication is F
    assert [f.rule for f in report.findings] == ["SIG213", "SIG216"]
    assert "key_agreement" in report.findings[0].message
    # nonRepudiation alone is enough
    cert = make_leaf(pki, key_usage={"digital_signature": False})
    report = check_certificate(
        cert, trust=trust, policy=VerificationPolicy(crls=(pki.crl_der(),)), at=pki.now
    )
    assert report.indication is P


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_bad_signature_on_the_certificate(
    pki: TestPKI, trust: TrustStore, make_leaf: Callable[..., Any], key_type: str
) -> None:
    """Names the intermediate as issuer but is signed by another key (of the same type, or of
    another type, which trips certvalidator): FAILED, not untrusted, no traceback."""
    signing_key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if key_type == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    cert = make_leaf(pki, signing_key=signing_key)
    report = check_certificate(
        cert, trust=trust, policy=VerificationPolicy(revocation="off"), at=pki.now
    )
    assert report.indication is F
    assert report.errors[0].rule == "SIG209"
    assert "Phạm Thị Dung (TEST)" in report.errors[0].message


# -- require_trust=False ----------------------------------------------------------------------


def test_untrusted_chain_checked_when_trust_not_required(pki: TestPKI, other_pki: TestPKI) -> None:
    policy = VerificationPolicy(require_trust=False, crls=(pki.crl_der(),))
    report = check_certificate(
        pki.person.certificate,
        trust=TrustStore(roots=[other_pki.root.certificate]),
        policy=policy,
        intermediates=[pki.intermediate.certificate, pki.root.certificate],
        at=pki.now,
    )
    assert report.indication is P
    assert not report.trusted
    assert [f.rule for f in report.findings] == ["SIG215", "SIG216"]
    assert report.chain == tuple(pki.person.chain)
    assert report.evidence.crls == (pki.crl_der(),)
    # the same chain, revoked: still found
    report = check_certificate(
        pki.revoked.certificate,
        trust=TrustStore(),
        policy=policy,
        intermediates=[pki.intermediate.certificate, pki.root.certificate],
        at=pki.now,
    )
    assert report.indication is F
    assert [f.rule for f in report.findings] == ["SIG215", "SIG205"]


def test_lone_certificate_when_trust_not_required(pki: TestPKI) -> None:
    policy = VerificationPolicy(require_trust=False, revocation="hard-fail")
    report = check_certificate(
        pki.person.certificate, trust=TrustStore(), policy=policy, at=pki.now
    )
    assert report.indication is I
    assert [f.rule for f in report.findings] == ["SIG215", "SIG206"]
    soft = attrs.evolve(policy, revocation="soft-fail")
    report = check_certificate(pki.person.certificate, trust=TrustStore(), policy=soft, at=pki.now)
    assert report.indication is P
    assert [f.rule for f in report.findings] == ["SIG215", "SIG207"]
    report = check_certificate(pki.expired.certificate, trust=TrustStore(), policy=soft, at=pki.now)
    assert report.indication is F
    assert [f.rule for f in report.findings] == ["SIG215", "SIG203", "SIG207"]


# -- evidence ----------------------------------------------------------------------------------


def test_evidence_keeps_chain_crl_and_ocsp(
    pki: TestPKI, trust: TrustStore, other_pki: TestPKI, ocsp_for: Callable[..., bytes]
) -> None:
    ocsp_person = ocsp_for(pki, pki.person)
    ocsp_org = ocsp_for(pki, pki.organisation)
    policy = VerificationPolicy(
        revocation="hard-fail",
        crls=(pki.crl_der(), other_pki.crl_der()),
        ocsp_responses=(ocsp_person, ocsp_org),
    )
    report = check_certificate(pki.person.certificate, trust=trust, policy=policy, at=pki.now)
    assert report.indication is P
    assert report.evidence.certificates == tuple(pki.person.chain)
    # only what concerns this chain: the other PKI's CRL and the other leaf's OCSP are left out
    assert report.evidence.crls == (pki.crl_der(),)
    assert report.evidence.ocsp_responses == (ocsp_person,)
    assert "OCSP" in report.findings[0].message


def test_evidence_without_a_chain(pki: TestPKI) -> None:
    report = check_certificate(
        pki.person.certificate,
        trust=TrustStore(),
        policy=VerificationPolicy(),
        intermediates=[pki.intermediate.certificate],
        at=pki.now,
    )
    assert report.evidence.certificates == (pki.person.certificate, pki.intermediate.certificate)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("crls", b"garbage", "policy.crls[0]"),
        ("crls", b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "policy.crls[0]"),
        ("ocsp_responses", b"\x30\x03\x0a\x01\x00trailing", "policy.ocsp_responses[0]"),
        ("ocsp_responses", b"", "policy.ocsp_responses[0]"),
    ],
)
def test_unparsable_revocation_data(
    pki: TestPKI, trust: TrustStore, field: str, value: bytes, where: str
) -> None:
    policy = VerificationPolicy(**{field: (value,)})  # type: ignore[arg-type]
    with pytest.raises(RevocationDataError, match="^" + re.escape(where)):
        check_certificate(pki.person.certificate, trust=trust, policy=policy, at=pki.now)


def test_naive_moment_refused(pki: TestPKI, trust: TrustStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_certificate(
            pki.person.certificate,
            trust=trust,
            policy=VerificationPolicy(),
            at=datetime.datetime(2026, 1, 1),
        )


def test_unknown_revocation_mode_refused(pki: TestPKI, trust: TrustStore) -> None:
    with pytest.raises(ValueError, match="revocation must be"):
        check_certificate(
            pki.person.certificate,
            trust=trust,
            policy=VerificationPolicy(revocation="strict"),  # type: ignore[arg-type]
        )


def test_not_a_certificate(trust: TrustStore) -> None:
    with pytest.raises(TypeError, match=r"x509\.Certificate"):
        check_certificate(b"DER", trust=trust, policy=VerificationPolicy())  # type: ignore[arg-type]


# -- async -------------------------------------------------------------------------------------


def test_sync_api_inside_a_running_loop(pki: TestPKI, trust: TrustStore) -> None:
    async def main() -> tuple[CertificateReport, CertificateReport]:
        policy = VerificationPolicy(crls=(pki.crl_der(),))
        sync = check_certificate(pki.person.certificate, trust=trust, policy=policy, at=pki.now)
        direct = await async_check_certificate(
            pki.person.certificate, trust=trust, policy=policy, at=pki.now
        )
        return sync, direct

    sync, direct = asyncio.run(main())
    assert sync.indication is direct.indication is P
    assert sync.findings == direct.findings


def test_findings_use_known_rules(pki: TestPKI, trust: TrustStore) -> None:
    for rule_id in [r for r in SIG_RULES if r.startswith("SIG2")]:
        rule = SIG_RULES[rule_id]
        assert rule.vi != rule.en
        assert rule.severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)


@pytest.mark.parametrize(
    ("mode", "indication", "rules"),
    [("hard-fail", I, ["SIG206"]), ("soft-fail", P, ["SIG207"])],
)
def test_ocsp_unknown_status(
    pki: TestPKI,
    trust: TrustStore,
    make_leaf: Callable[..., Any],
    ocsp_for: Callable[..., bytes],
    mode: str,
    indication: Indication,
    rules: list[str],
) -> None:
    """The responder does not know a certificate it did not issue: status 'unknown'."""
    from vbdt_exchange.testing.pki import Party

    cert = make_leaf(pki, crl_url=False)
    stranger = Party("stranger", cert, pki.person.private_key, (cert,))
    answer = ocsp_for(pki, stranger)
    policy = VerificationPolicy(revocation=mode, ocsp_responses=(answer,))  # type: ignore[arg-type]
    report = check_certificate(cert, trust=trust, policy=policy, at=pki.now)
    assert report.indication is indication
    assert report.revocation == "unknown"
    assert [f.rule for f in report.findings] == rules


def test_cross_signed_loop_is_untrusted(pki: TestPKI) -> None:
    """Two CAs that certify each other, neither trusted: no chain, no endless loop."""
    key_a = ec.generate_private_key(ec.SECP256R1())
    key_b = ec.generate_private_key(ec.SECP256R1())
    name_a = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "CA A (TEST)")])
    name_b = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "CA B (TEST)")])

    def ca(subject: x509.Name, key: Any, issuer: x509.Name, issuer_key: Any) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(pki.now - datetime.timedelta(days=1))
            .not_valid_after(pki.now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256())
        )

    a_by_b = ca(name_a, key_a, name_b, key_b)
    b_by_a = ca(name_b, key_b, name_a, key_a)
    for require_trust in (True, False):
        report = check_certificate(
            a_by_b,
            trust=TrustStore(roots=[pki.root.certificate]),
            policy=VerificationPolicy(revocation="off", require_trust=require_trust),
            intermediates=[b_by_a],
            at=pki.now,
        )
        assert report.indication in (I, P)
        assert not report.trusted
        assert report.findings[0].rule == ("SIG202" if require_trust else "SIG215")
