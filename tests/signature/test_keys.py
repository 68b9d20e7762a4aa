"""Key sources: PKCS#12, PEM (plain and encrypted), callables; weak keys and misuse refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vbdt_exchange.envelope.models import EdocPackage
from vbdt_exchange.errors import SignatureError
from vbdt_exchange.signature.keys import (
    CallableSigner,
    KeyLoadError,
    KeySigner,
    SignatureAlgorithm,
    Signer,
    SigningError,
    load_pem,
    load_pkcs12,
)
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.xml import sign_package, verify_package
from vbdt_exchange.testing.pki import TestPKI

INTEGRITY = VerificationPolicy(require_trust=False)


def _roundtrip(package: EdocPackage, signer: Signer, **options: object) -> Indication:
    out = io.BytesIO()
    sign_package(package, out, signer, **options)  # type: ignore[arg-type]
    with verify_package(out.getvalue(), policy=INTEGRITY) as result:
        return result.indication


@pytest.mark.parametrize("password", [b"s3cret", None])
def test_pkcs12(
    rsa_pki: TestPKI, package_with: Callable[..., EdocPackage], password: bytes | None
) -> None:
    signer = load_pkcs12(rsa_pki.person.pkcs12(password), password)
    assert signer.certificate == rsa_pki.person.certificate
    assert signer.chain == (rsa_pki.intermediate.certificate,)  # the root is left out
    assert isinstance(signer, Signer)
    assert _roundtrip(package_with(b"p12"), signer) is Indication.PASSED


def test_pkcs12_from_path_with_str_password(rsa_pki: TestPKI, tmp_path: Path) -> None:
    files = rsa_pki.person.write(tmp_path, password=b"mat-khau")
    signer = load_pkcs12(files["pkcs12"], "mat-khau")
    assert signer.certificate == rsa_pki.person.certificate


def test_pkcs12_wrong_password(rsa_pki: TestPKI) -> None:
    with pytest.raises(KeyLoadError, match="wrong password"):
        load_pkcs12(rsa_pki.person.pkcs12(b"right"), b"wrong")


def test_pkcs12_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyLoadError, match="cannot read the PKCS#12 file"):
        load_pkcs12(tmp_path / "missing.p12")


def test_pem_encrypted_key(
    ec_pki: TestPKI, tmp_path: Path, package_with: Callable[..., EdocPackage]
) -> None:
    files = ec_pki.person.write(tmp_path, password=b"pw")
    signer = load_pem(files["key"], files["chain"], password="pw")
    assert signer.certificate == ec_pki.person.certificate
    assert signer.chain == (ec_pki.intermediate.certificate,)
    assert _roundtrip(package_with(b"pem"), signer) is Indication.PASSED
    with pytest.raises(KeyLoadError, match="a password is needed"):
        load_pem(files["key"], files["cert"])
    with pytest.raises(KeyLoadError, match="wrong password"):
        load_pem(files["key"], files["cert"], password="nope")


def test_pem_key_does_not_match(rsa_pki: TestPKI) -> None:
    with pytest.raises(KeyLoadError, match="does not match the certificate"):
        load_pem(rsa_pki.person.key_pem(), rsa_pki.organisation.pem())


def test_pem_not_a_certificate(rsa_pki: TestPKI) -> None:
    with pytest.raises(KeyLoadError, match="cannot load the certificate"):
        load_pem(rsa_pki.person.key_pem(), b"not a certificate")


def test_pem_certificate_of_an_unknown_version(rsa_pki: TestPKI) -> None:
    """cryptography raises InvalidVersion (not a ValueError) for a v4 certificate: found by the
    hostile-input work, it escaped load_pem instead of becoming KeyLoadError."""
    import base64

    from cryptography.hazmat.primitives import serialization

    der = rsa_pki.person.certificate.public_bytes(serialization.Encoding.DER)
    v3 = b"\xa0\x03\x02\x01\x02"  # [0] EXPLICIT INTEGER 2 (v3) at the start of the TBS
    assert der.count(v3) >= 1
    v4 = der.replace(v3, b"\xa0\x03\x02\x01\x03", 1)
    pem = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(v4) + b"-----END CERTIFICATE-----\n"
    with pytest.raises(KeyLoadError, match="cannot load the certificate"):
        load_pem(rsa_pki.person.key_pem(), pem)


def test_callable_signer(rsa_pki: TestPKI, package_with: Callable[..., EdocPackage]) -> None:
    """A remote signing service: the callable sees the canonical SignedInfo and the algorithm."""
    local = KeySigner(rsa_pki.person.private_key, rsa_pki.person.certificate)
    calls: list[tuple[bytes, str]] = []

    def remote(data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        calls.append((data, algorithm))
        return local.sign(data, algorithm)

    signer = CallableSigner(rsa_pki.person.certificate, sign=remote)
    assert _roundtrip(package_with(b"remote"), signer, algorithm="rsa-pss-sha256") is (
        Indication.PASSED
    )
    ((data, algorithm),) = calls
    assert data.startswith(b'<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">')
    assert algorithm == "rsa-pss-sha256"


def test_callable_failure_is_a_signing_error(
    rsa_pki: TestPKI, package_with: Callable[..., EdocPackage]
) -> None:
    def broken(data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        raise ConnectionError("service unavailable")

    signer = CallableSigner(rsa_pki.person.certificate, sign=broken)
    with pytest.raises(SigningError, match="service unavailable"):
        sign_package(package_with(), io.BytesIO(), signer)


def test_weak_rsa_key_refused(package_with: Callable[..., EdocPackage]) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "weak")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    with pytest.raises(SigningError, match="1024 bits is too weak"):
        sign_package(package_with(), io.BytesIO(), KeySigner(key, cert))


def test_algorithm_must_fit_the_key(ec_signer: KeySigner, rsa_signer: KeySigner) -> None:
    with pytest.raises(SigningError, match="needs an RSA key"):
        ec_signer.sign(b"data", "rsa-sha256")
    with pytest.raises(SigningError, match="needs an EC key"):
        rsa_signer.sign(b"data", "ecdsa-sha256")
    with pytest.raises(SigningError, match="unsupported signature algorithm"):
        rsa_signer.sign(b"data", "rsa-sha1")  # type: ignore[arg-type]
    assert issubclass(SigningError, SignatureError)
    assert issubclass(KeyLoadError, SignatureError)


def test_sign_package_refuses_sha1_and_unknown_profiles(
    rsa_signer: KeySigner, package_with: Callable[..., EdocPackage]
) -> None:
    with pytest.raises(SigningError, match="never SHA-1"):
        sign_package(package_with(), io.BytesIO(), rsa_signer, algorithm="rsa-sha1")  # type: ignore[arg-type]
    with pytest.raises(SigningError, match="unknown profile"):
        sign_package(package_with(), io.BytesIO(), rsa_signer, profile="xades-t")  # type: ignore[arg-type]


def test_ec_key_generated_elsewhere(
    package_with: Callable[..., EdocPackage], ec_pki: TestPKI
) -> None:
    key = ec_pki.person.private_key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signer = KeySigner(key, ec_pki.person.certificate)
    assert _roundtrip(package_with(b"ec"), signer, algorithm="ecdsa-sha512") is Indication.PASSED


def test_oversized_value_from_a_callable_still_writes_the_file(
    rsa_pki: TestPKI, package_with: Callable[..., EdocPackage], tmp_path: Path
) -> None:
    """The room reserved for the signature is too small: the file is copied instead of patched,
    and a bogus value is caught by verification, not hidden."""
    signer = CallableSigner(rsa_pki.person.certificate, sign=lambda data, alg: b"\x01" * 1000)
    target = tmp_path / "signed.edxml"
    result = sign_package(package_with(b"x"), target, signer)
    assert result.size == target.stat().st_size
    assert [p.name for p in tmp_path.iterdir()] == ["signed.edxml"]
    with verify_package(target, policy=INTEGRITY) as verification:
        assert verification.indication is Indication.FAILED
        assert [f.rule for f in verification.errors] == ["SIG131"]
