"""Interoperability with signxml (pure Python, lxml + cryptography): it verifies our RSA-PSS and
XAdES signatures, and ours verifies what its XMLSigner signs into a package."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree
from signxml import XMLSigner, XMLVerifier, methods
from signxml.xades import XAdESVerifier

from vbdt_exchange.envelope.models import EdocPackage
from vbdt_exchange.envelope.writer import to_bytes
from vbdt_exchange.signature import _xmldsig as dsig
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.xml import verify_package
from vbdt_exchange.testing.pki import TestPKI

INTEGRITY = VerificationPolicy(require_trust=False)


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "rsa-pss-sha256", "rsa-sha512"])
def test_signxml_verifies_ours(
    rsa_pki: TestPKI,
    rsa_signer: KeySigner,
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    algorithm: str,
) -> None:
    data = sign_bytes(
        package_with(b"%PDF signxml"), rsa_signer, algorithm=algorithm, profile="xmldsig"
    )
    result = XMLVerifier().verify(data, x509_cert=rsa_pki.person.pem().decode())
    signed = result.signed_xml  # type: ignore[union-attr]
    assert signed is not None
    assert etree.QName(signed).localname == "edXML"


def test_signxml_xades_verifier_accepts_ours(
    ec_pki: TestPKI,
    ec_signer: KeySigner,
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
) -> None:
    data = sign_bytes(package_with(b"%PDF xades"), ec_signer)
    results = XAdESVerifier().verify(
        data, x509_cert=ec_pki.person.pem().decode(), expect_references=3
    )
    assert len(results) == 3  # type: ignore[arg-type]  # package, properties, part digests


def test_ours_verifies_signxml(rsa_pki: TestPKI, package_with: Callable[..., EdocPackage]) -> None:
    unsigned = to_bytes(package_with(b"%PDF from signxml"))
    # signxml puts an enveloped signature where a placeholder Signature element is
    placeholder = f'<ds:Signature xmlns:ds="{dsig.DSIG}" Id="placeholder"></ds:Signature>'
    template = unsigned.replace(b"</edXMLHeader>", placeholder.encode() + b"</edXMLHeader>")
    signed = XMLSigner(method=methods.enveloped, c14n_algorithm=dsig.EXC_C14N).sign(
        etree.fromstring(template), key=rsa_pki.person.key_pem(), cert=rsa_pki.person.pem()
    )
    data = etree.tostring(signed)
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.indication is Indication.PASSED, result.findings
        (check,) = result.signatures
        assert check.signer == rsa_pki.person.certificate
    changed = data.replace(b"<CodeNumber>3244<", b"<CodeNumber>3245<")
    with verify_package(changed, policy=INTEGRITY) as result:
        assert result.indication is Indication.FAILED
