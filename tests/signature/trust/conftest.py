"""Fixtures for the trust tests: one test PKI per session (RSA and EC) and a certificate maker
for the cases the test PKI does not have (not yet valid, SHA-1, weak keys, bad key usage)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from asn1crypto import algos as asn1_algos
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.testing.pki import Party, TestPKI

NOW = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(scope="session")
def now() -> datetime.datetime:
    return NOW


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return TestPKI.generate(now=NOW)


@pytest.fixture(scope="session")
def ec_pki() -> TestPKI:
    return TestPKI.generate(now=NOW, key_type="ec")


@pytest.fixture(scope="session")
def other_pki() -> TestPKI:
    """A second, unrelated PKI: its root is not trusted by ``trust``."""
    return TestPKI.generate(now=NOW, key_type="ec")


@pytest.fixture(scope="session")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore(roots=[pki.root.certificate], intermediates=[pki.intermediate.certificate])


def _ocsp_for(pki: TestPKI, party: Party) -> bytes:
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(party.certificate, pki.intermediate.certificate, hashes.SHA256())
        .build()
    )
    return pki.ocsp_response(request.public_bytes(serialization.Encoding.DER))


@pytest.fixture(scope="session")
def ocsp_for() -> Callable[[TestPKI, Party], bytes]:
    """``ocsp_for(pki, party)`` -> the DER OCSP response the test responder gives."""
    return _ocsp_for


def _make_leaf(
    pki: TestPKI,
    *,
    common_name: str = "Phạm Thị Dung (TEST)",
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    digest: hashes.HashAlgorithm | None = None,
    key: Any = None,
    signing_key: Any = None,
    key_usage: dict[str, bool] | None = None,
    crl_url: bool = True,
) -> x509.Certificate:
    """A leaf issued (by name) by ``pki.intermediate``; every property can be spoiled."""
    if key is None:
        key = ec.generate_private_key(ec.SECP256R1())
    usage = {
        "digital_signature": True,
        "content_commitment": True,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "key_cert_sign": False,
        "crl_sign": False,
        "encipher_only": False,
        "decipher_only": False,
    }
    usage.update(key_usage or {})
    issuer = pki.intermediate
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Nội vụ (TEST)"),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            )
        )
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or pki.now - datetime.timedelta(days=30))
        .not_valid_after(not_after or pki.now + datetime.timedelta(days=300))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**usage), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
            critical=False,
        )
    )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(f"{pki.base_url}/crl")],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(signing_key or issuer.private_key, digest or hashes.SHA256())


def _resign_sha1(certificate: x509.Certificate, pki: TestPKI) -> x509.Certificate:
    """``certificate`` signed again by ``pki``'s (RSA) intermediate with sha1WithRSAEncryption
    (cryptography's certificate builder refuses SHA-1, so this edits the DER)."""
    cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    tbs = cert["tbs_certificate"]
    algorithm = asn1_algos.SignedDigestAlgorithm({"algorithm": "sha1_rsa"})
    tbs["signature"] = algorithm
    tbs_der = tbs.dump(force=True)
    key = pki.intermediate.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = key.sign(tbs_der, padding.PKCS1v15(), hashes.SHA1())
    resigned = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": algorithm,
            "signature_value": signature,
        }
    )
    return x509.load_der_x509_certificate(resigned.dump())


@pytest.fixture(scope="session")
def sha1_leaf(pki: TestPKI) -> x509.Certificate:
    """A leaf of the RSA ``pki`` signed with SHA-1."""
    return _resign_sha1(_make_leaf(pki), pki)


@pytest.fixture(scope="session")
def make_leaf() -> Callable[..., x509.Certificate]:
    """``make_leaf(pki, not_before=..., digest=hashes.SHA1(), key=..., key_usage={...})``."""
    return _make_leaf


@pytest.fixture(scope="session")
def weak_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)
