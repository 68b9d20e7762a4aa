"""Verification beyond round trips: trust, SHA-1, several signatures, the published samples."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from vbdt_exchange.envelope.models import NS, EdocPackage, RawXml
from vbdt_exchange.envelope.reader import ReadOptions
from vbdt_exchange.signature import _xmldsig as dsig
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.signature.xml import verify_package
from vbdt_exchange.testing.pki import Party, TestPKI

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
INTEGRITY = VerificationPolicy(require_trust=False)
PEERS = Path(__file__).resolve().parents[1] / "vectors/peers"
DS = f"{{{dsig.DSIG}}}"


def errors(result: object) -> list[str]:
    return [f.rule for f in result.errors]  # type: ignore[attr-defined]


# -- trust ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trust(rsa_pki: TestPKI) -> TrustStore:
    return TrustStore(roots=(rsa_pki.root.certificate,))


@pytest.fixture
def policy(rsa_pki: TestPKI) -> VerificationPolicy:
    return VerificationPolicy(crls=(rsa_pki.crl_der(),), revocation="hard-fail")


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        ("person", Indication.PASSED),
        ("organisation", Indication.PASSED),
        ("revoked", Indication.FAILED),
        ("expired", Indication.FAILED),
    ],
)
def test_trust(
    rsa_pki: TestPKI,
    trust: TrustStore,
    policy: VerificationPolicy,
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    make_signer: Callable[[Party], KeySigner],
    party: str,
    expected: Indication,
) -> None:
    signer = make_signer(getattr(rsa_pki, party))
    data = sign_bytes(package_with(b"x"), signer)
    with verify_package(data, trust=trust, policy=policy) as result:
        assert result.indication is expected, result.findings
        (check,) = result.signatures
        assert check.certificate_report is not None
        assert check.certificate_report.indication is expected
        assert (result.package is not None) is (expected is Indication.PASSED)
        if expected is Indication.FAILED:
            assert all(r.digest_matches for r in check.references)  # intact, but not valid
            assert result.errors


def test_untrusted_root_is_indeterminate(
    ec_pki: TestPKI,
    trust: TrustStore,
    policy: VerificationPolicy,
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    ec_signer: KeySigner,
) -> None:
    data = sign_bytes(package_with(b"x"), ec_signer)  # EC PKI, RSA PKI's root trusted
    with verify_package(data, trust=trust, policy=policy) as result:
        assert result.indication is Indication.INDETERMINATE
        assert result.package is None


# -- SHA-1 -----------------------------------------------------------------------------------


def _sha1_signed(data: bytes, party: Party) -> bytes:
    """Re-sign a plain xmldsig package with RSA-SHA1 and a SHA-1 digest, as deployed software
    does (the library itself never signs with SHA-1)."""
    root = etree.fromstring(data)
    sig = root.find(f".//{DS}Signature")
    assert sig is not None
    signed_info = sig.find(f"{DS}SignedInfo")
    assert signed_info is not None
    signed_info.find(f"{DS}SignatureMethod").set("Algorithm", dsig.DSIG + "rsa-sha1")  # type: ignore[union-attr]
    ref = signed_info.find(f"{DS}Reference")
    assert ref is not None
    ref.find(f"{DS}DigestMethod").set("Algorithm", dsig.SHA1_DIGEST)  # type: ignore[union-attr]
    copy = etree.fromstring(data)
    dsig.remove_keeping_tail(copy.find(f".//{DS}Signature"))  # type: ignore[arg-type]
    c14n = etree.tostring(copy.getroottree(), method="c14n", exclusive=True, with_comments=False)
    ref.find(f"{DS}DigestValue").text = dsig.b64encode(hashlib.sha1(c14n).digest())  # type: ignore[union-attr]
    value = party.private_key.sign(  # type: ignore[call-arg, union-attr]
        dsig.canonical(signed_info, True, False), padding.PKCS1v15(), hashes.SHA1()
    )
    sig.find(f"{DS}SignatureValue").text = dsig.b64encode(value)  # type: ignore[union-attr]
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def test_sha1_refused_unless_allowed(
    rsa_pki: TestPKI,
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> None:
    data = _sha1_signed(
        sign_bytes(package_with(b"x"), rsa_signer, profile="xmldsig"), rsa_pki.person
    )
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.indication is Indication.FAILED
        assert errors(result) == ["SIG117"]
        assert "allow_sha1" in result.errors[0].message
    legacy = attrs.evolve(INTEGRITY, allow_sha1=True)
    with verify_package(data, policy=legacy) as result:
        assert result.indication is Indication.PASSED, result.findings
        assert [f.rule for f in result.warnings].count("SIG118") == 2  # method and digest


# -- several signatures ------------------------------------------------------------------------


def test_second_signature_breaks_the_first(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
    resign: Callable[..., bytes],
) -> None:
    """Enveloped URI="" signatures do not co-sign: adding a second one changes what the first
    covers. Each is reported; the package is returned because one signature passed."""
    data = sign_bytes(package_with(b"x"), rsa_signer, profile="xmldsig")
    root = etree.fromstring(data)
    first = root.find(f".//{DS}Signature")
    assert first is not None
    second = etree.fromstring(etree.tostring(first))
    second.set("Id", "second")
    second.tail = first.tail
    first.addnext(second)
    both = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    # make the second a valid signature over the document with the first in it
    reordered = _resign_second(both, rsa_signer)
    with verify_package(reordered, policy=INTEGRITY) as result:
        assert [c.indication for c in result.signatures] == [Indication.FAILED, Indication.PASSED]
        assert result.indication is Indication.FAILED
        assert result.package is not None


def _resign_second(data: bytes, signer: KeySigner) -> bytes:
    root = etree.fromstring(data)
    sigs = root.findall(f".//{DS}Signature")
    second = sigs[1]
    copy = etree.fromstring(data)
    dsig.remove_keeping_tail(copy.findall(f".//{DS}Signature")[1])
    c14n = etree.tostring(copy.getroottree(), method="c14n", exclusive=True, with_comments=False)
    second.find(f"{DS}SignedInfo/{DS}Reference/{DS}DigestValue").text = dsig.b64encode(  # type: ignore[union-attr]
        hashlib.sha256(c14n).digest()
    )
    signed_info = second.find(f"{DS}SignedInfo")
    assert signed_info is not None
    value = signer.sign(dsig.canonical(signed_info, True, False), "rsa-sha256")
    second.find(f"{DS}SignatureValue").text = dsig.b64encode(value)  # type: ignore[union-attr]
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def test_empty_digital_signature_does_not_count(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> None:
    package = attrs.evolve(
        package_with(b"x"),
        structural_extensions=(("edXMLHeader", RawXml(f'<DigitalSignature xmlns="{NS}"/>')),),
    )
    data = sign_bytes(package, rsa_signer)
    assert b"<DigitalSignature/>" in data
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.indication is Indication.PASSED
        kinds = sorted(c.kind for c in result.signatures)
        assert kinds == ["placeholder", "xades-b-b"]
        placeholder = next(c for c in result.signatures if c.placeholder)
        assert [f.rule for f in placeholder.findings] == ["SIG102"]
        assert "empty DigitalSignature" in placeholder.findings[0].message


# -- the published samples ----------------------------------------------------------------------


SIGNED_SAMPLES = sorted(p for p in PEERS.rglob("*.edxml") if b"Signature" in p.read_bytes())


@pytest.mark.parametrize("sample", SIGNED_SAMPLES, ids=lambda p: p.name)
def test_samples_are_placeholders(sample: Path) -> None:
    with verify_package(sample, policy=INTEGRITY, options=ReadOptions(recover=True)) as result:
        assert result.indication is Indication.FAILED
        assert result.package is None
        assert "SIG101" in [f.rule for f in result.findings]  # no real signature
        assert result.signatures, sample
        for check in result.signatures:
            assert check.placeholder
            assert [f.rule for f in check.findings] == ["SIG102"]


def test_legacy_namespace_signature_is_named(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> None:
    """A real-looking Signature in the edXML namespace: checked by the legacy verifier, and
    refused (here its digest does not match), with SIG103 saying what it is."""
    data = sign_bytes(package_with(b"x"), rsa_signer, profile="xmldsig")
    legacy = data.replace(b"ds:", b"").replace(f' xmlns:ds="{dsig.DSIG}"'.encode(), b"")
    with verify_package(legacy, policy=INTEGRITY) as result:
        (check,) = result.signatures
        assert check.kind == "legacy-edxml"
        assert check.indication is Indication.FAILED
        assert "SIG103" in [f.rule for f in check.findings]


def test_legacy_namespace_signature_verified_by_the_legacy_verifier(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> None:
    """The SDK's form — Signature in the edXML namespace, the misspelt exclusive-c14n URI — made
    with a real key: the legacy verifier checks it, and the result still says it is legacy."""
    data = sign_bytes(package_with(b"x"), rsa_signer, profile="xmldsig")
    legacy = data.replace(b"ds:", b"").replace(f' xmlns:ds="{dsig.DSIG}"'.encode(), b"")
    legacy = legacy.replace(
        b'Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"',
        b'Transform Algorithm="http://www.w3.org/TR/xml-exc-c14n#"',
    )
    root = etree.fromstring(legacy)
    sig = root.find(f".//{{{NS}}}Signature")
    assert sig is not None
    signed_info = sig.find(f"{{{NS}}}SignedInfo")
    assert signed_info is not None
    value = rsa_signer.sign(dsig.canonical(signed_info, True, False), "rsa-sha256")
    sig.find(f"{{{NS}}}SignatureValue").text = dsig.b64encode(value)  # type: ignore[union-attr]
    resigned = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    with verify_package(resigned, policy=INTEGRITY) as result:
        assert result.indication is Indication.PASSED, result.findings
        (check,) = result.signatures
        assert check.kind == "legacy-edxml"
        legacy_findings = [f for f in check.findings if f.rule == "SIG103"]
        assert [str(f.severity) for f in legacy_findings] == ["warning"]
        assert "legacy verifier" in legacy_findings[0].message


def test_signature_count_is_bounded(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> None:
    from vbdt_exchange.signature.xml import MAX_SIGNATURES

    data = sign_bytes(package_with(b"x"), rsa_signer, profile="xmldsig")
    start = data.index(b"<ds:Signature")
    end = data.index(b"</ds:Signature>") + len(b"</ds:Signature>")
    many = data[:end] + data[start:end] * MAX_SIGNATURES + data[end:]
    with verify_package(many, policy=INTEGRITY) as result:
        assert len(result.signatures) == MAX_SIGNATURES + 1
        assert result.indication is Indication.FAILED
        last = result.signatures[-1]
        assert [f.rule for f in last.findings] == ["SIG111"]
        assert "not checked" in last.findings[0].message
