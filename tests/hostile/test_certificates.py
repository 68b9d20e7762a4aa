"""Hostile certificates, CRLs and OCSP responses: a clear refusal, never a parser's traceback.

cryptography and asn1crypto (under the chain validator) parse lazily, so a certificate with a
sound outer structure loads and its malformed name, key or extension blows up wherever it is
first touched. Every case here plants one such defect (or a structural one) and asserts the
specific refusal: :class:`TrustStoreError` naming the file, :class:`RevocationDataError` naming
the policy entry, or the ``SIG122`` finding for a certificate carried in ``KeyInfo``.
"""

from __future__ import annotations

import base64
import datetime
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import (
    MAX_CERTIFICATE_FILE,
    RevocationDataError,
    TrustStore,
    TrustStoreError,
    check_certificate,
    load_certificates,
)
from vbdt_exchange.signature.xml import verify_package
from vbdt_exchange.testing.pki import TestPKI

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
CONTROL = Path(__file__).resolve().parents[1] / "signature" / "wrapping" / "control-xmldsig.edxml"
MARK = "MARKMARKMARK"
OFF = VerificationPolicy(revocation="off", at=NOW)


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate(now=NOW, key_type="ec")


def _certificate(
    subject: str,
    issuer: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool = True,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _pem(der: bytes) -> bytes:
    body = base64.encodebytes(der).replace(b"\n", b"\n")
    return b"-----BEGIN CERTIFICATE-----\n" + body + b"-----END CERTIFICATE-----\n"


@pytest.fixture(scope="module")
def marked() -> bytes:
    """A self-signed CA certificate whose common name is ``MARK`` (patched by the cases)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _der(_certificate(MARK, MARK, key, key))


def _patched(der: bytes, replacement: bytes, count: int = 1) -> bytes:
    assert der.count(MARK.encode()) == 2
    return der.replace(MARK.encode(), replacement, count)


def _nested(depth: int) -> bytes:
    """``depth`` SEQUENCEs inside each other, indefinite length (BER): 2 bytes a level."""
    return b"\x30\x80" * depth + b"\x00\x00" * depth


# -- certificate files --------------------------------------------------------------------------

BAD_FILES = {
    "empty": (b"", "neither a PEM nor a DER"),
    "garbage": (b"\x00\xffgarbage" * 10, "neither a PEM nor a DER"),
    "der-truncated": (None, "neither a PEM nor a DER"),
    "der-nested-100k": (_nested(100_000), "neither a PEM nor a DER"),
    "der-huge-length": (b"\x30\x84\xff\xff\xff\xff" + b"\x00" * 64, "neither a PEM nor a DER"),
    "pem-garbage-body": (
        b"-----BEGIN CERTIFICATE-----\n!!! not base64 !!!\n-----END CERTIFICATE-----\n",
        "malformed PEM",
    ),
    "pem-base64-of-junk": (_pem(b"junk" * 40), "malformed PEM"),
    "pem-private-key-only": (
        # a fake key block (assembled so the repository never holds the marker of a real key)
        b"-----BEGIN PRIVATE" + b" KEY-----\nAAAA\n-----END PRIVATE" + b" KEY-----\n",
        "no CERTIFICATE block",
    ),
    "pem-unterminated": (b"-----BEGIN CERTIFICATE-----\nMIIB", "malformed PEM"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_certificate_file(case: str, tmp_path: Path, marked: bytes) -> None:
    data, message = BAD_FILES[case]
    if data is None:
        data = marked[: len(marked) // 2]
    path = tmp_path / f"{case}.pem"
    path.write_bytes(data)
    with pytest.raises(TrustStoreError, match=message) as caught:
        TrustStore.from_paths(roots=[path])
    assert caught.value.path == path
    assert str(path) in str(caught.value)


# Defects inside a certificate that loads: each would once raise from deep in a parser.
LAZY_DEFECTS = {
    # the common name's UTF8String is not UTF-8 (asn1crypto: UnicodeDecodeError)
    "name-invalid-utf8": b"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4",
    # a NUL and C1 controls are valid UTF-8: must still load (control)
    "name-controls": None,
}


@pytest.mark.parametrize("form", ["der", "pem"])
def test_certificate_with_an_undecodable_name(tmp_path: Path, marked: bytes, form: str) -> None:
    der = _patched(marked, LAZY_DEFECTS["name-invalid-utf8"] or b"", count=2)
    path = tmp_path / f"bad-name.{form}"
    path.write_bytes(der if form == "der" else _pem(der))
    with pytest.raises(TrustStoreError, match="certificate 1 is malformed") as caught:
        load_certificates(path)
    assert caught.value.path == path


def _version_4(der: bytes) -> bytes:
    """The certificate with version field 3 (X.509 "v4"): cryptography raises InvalidVersion,
    which is not a ValueError."""
    assert der.count(b"\xa0\x03\x02\x01\x02") == 1
    return der.replace(b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x03")


@pytest.mark.parametrize("form", ["der", "pem"])
def test_certificate_with_an_invalid_version(tmp_path: Path, marked: bytes, form: str) -> None:
    der = _version_4(marked)
    path = tmp_path / f"v4.{form}"
    path.write_bytes(der if form == "der" else _pem(der))
    message = "neither a PEM nor a DER" if form == "der" else "malformed PEM"
    with pytest.raises(TrustStoreError, match=message) as caught:
        TrustStore.from_paths(roots=[path])
    assert caught.value.path == path


def test_certificate_with_a_duplicate_extension(tmp_path: Path) -> None:
    """SubjectKeyIdentifier relabelled KeyUsage: two KeyUsage extensions. cryptography raises
    DuplicateExtension (not a ValueError) when the extensions are first read."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Duplicate (TEST)")])
    usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOW)
        .not_valid_after(NOW + datetime.timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    der = _der(certificate)
    assert der.count(b"\x06\x03\x55\x1d\x0e") == 1
    path = tmp_path / "duplicate.der"
    path.write_bytes(der.replace(b"\x06\x03\x55\x1d\x0e", b"\x06\x03\x55\x1d\x0f"))
    with pytest.raises(TrustStoreError, match="DuplicateExtension"):
        TrustStore.from_paths(roots=[path])


def test_malformed_certificate_second_in_a_bundle(tmp_path: Path, marked: bytes) -> None:
    bad = _patched(marked, b"\xff" * len(MARK), count=2)
    path = tmp_path / "bundle.pem"
    path.write_bytes(_pem(marked) + _pem(bad))
    with pytest.raises(TrustStoreError, match="certificate 2 is malformed"):
        TrustStore.from_paths(roots=[path])


def test_oversized_certificate_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.der"
    with path.open("wb") as out:
        out.truncate(MAX_CERTIFICATE_FILE + 1)  # sparse: no 16 MiB written
    with pytest.raises(TrustStoreError, match="larger than"):
        TrustStore.from_paths(roots=[path])


def test_malformed_certificate_object_refused_by_the_store(marked: bytes) -> None:
    bad = x509.load_der_x509_certificate(_patched(marked, b"\xff" * len(MARK), count=2))
    with pytest.raises(TrustStoreError, match="malformed certificate"):
        TrustStore(roots=[bad])
    with pytest.raises(TrustStoreError, match="malformed certificate"):
        TrustStore(intermediates=[bad])


def test_check_certificate_refuses_a_malformed_leaf(marked: bytes, pki: TestPKI) -> None:
    bad = x509.load_der_x509_certificate(_patched(marked, b"\xff" * len(MARK), count=2))
    trust = TrustStore(roots=[pki.root.certificate])
    with pytest.raises(ValueError, match="certificate to check is malformed"):
        check_certificate(bad, trust=trust, policy=OFF)
    with pytest.raises(TrustStoreError, match="malformed certificate"):
        check_certificate(pki.person.certificate, trust=trust, policy=OFF, intermediates=[bad])


def test_valid_controls_in_names_still_load(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    odd = "Nguyễn\x00\u0085\u202e(TEST)"
    path = tmp_path / "odd.pem"
    path.write_bytes(_certificate(odd, odd, key, key).public_bytes(serialization.Encoding.PEM))
    (certificate,) = load_certificates(path)
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == odd


# -- chains that loop ---------------------------------------------------------------------------


@pytest.mark.parametrize("require_trust", [True, False])
def test_chain_with_a_loop(pki: TestPKI, require_trust: bool) -> None:
    """A issued by B, B issued by A, the leaf by A: chain building ends, nothing is trusted."""
    key_a = ec.generate_private_key(ec.SECP256R1())
    key_b = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    a = _certificate("Loop CA A", "Loop CA B", key_a, key_b)
    b = _certificate("Loop CA B", "Loop CA A", key_b, key_a)
    leaf = _certificate("Loop leaf", "Loop CA A", leaf_key, key_a, ca=False)
    policy = VerificationPolicy(revocation="off", at=NOW, require_trust=require_trust)
    trust = TrustStore(roots=[pki.root.certificate], intermediates=[a, b])
    report = check_certificate(leaf, trust=trust, policy=policy, intermediates=[a, b])
    assert report.trusted is False
    rules = {f.rule for f in report.findings}
    if require_trust:
        assert report.indication is Indication.INDETERMINATE
        assert "SIG202" in rules, rules
    else:  # integrity only: the chain as far as it goes, and said to be untrusted
        assert "SIG215" in rules, rules
    assert report.chain is None or len(report.chain) <= 3
    report.to_dict()


def test_self_issued_loop_in_the_trust_store(pki: TestPKI) -> None:
    """Two roots with the same name and different keys: the leaf of neither passes."""
    key = ec.generate_private_key(ec.SECP256R1())
    twin = _certificate(
        "Vietnam National Root CA (TEST)", "Vietnam National Root CA (TEST)", key, key
    )
    trust = TrustStore(roots=[twin], intermediates=[pki.intermediate.certificate])
    report = check_certificate(pki.person.certificate, trust=trust, policy=OFF)
    assert report.indication is not Indication.PASSED
    assert any(f.rule.startswith("SIG2") for f in report.errors + report.warnings)


# -- revocation data ------------------------------------------------------------------------------


def _crl_with_bad_issuer(pki: TestPKI) -> bytes:
    der = pki.crl_der()
    cn = b"Vietnam Government Signing CA (TEST)"
    assert cn in der
    return der.replace(cn, b"\xff" * len(cn), 1)


BAD_CRLS = {
    "garbage": b"garbage",
    "empty": b"",
    "nested-100k": _nested(100_000),
    "pem-garbage": b"-----BEGIN X509 CRL-----\n!!!\n-----END X509 CRL-----\n",
    "certificate-not-crl": None,
    "issuer-invalid-utf8": None,
    "version-5": None,
}


@pytest.mark.parametrize("case", sorted(BAD_CRLS))
def test_bad_crl(case: str, pki: TestPKI, marked: bytes) -> None:
    data = BAD_CRLS[case]
    if case == "certificate-not-crl":
        data = marked
    elif case == "issuer-invalid-utf8":
        data = _crl_with_bad_issuer(pki)
    elif case == "version-5":  # cryptography: InvalidVersion, not a ValueError
        crl = pki.crl_der()
        assert crl[8:11] == b"\x02\x01\x01"
        data = crl[:8] + b"\x02\x01\x05" + crl[11:]
    assert data is not None
    trust = TrustStore(roots=[pki.root.certificate], intermediates=[pki.intermediate.certificate])
    policy = VerificationPolicy(revocation="hard-fail", at=NOW, crls=(pki.crl_der(), data))
    with pytest.raises(RevocationDataError, match=r"policy\.crls\[1\] is not a DER or PEM"):
        check_certificate(pki.person.certificate, trust=trust, policy=policy)


def _ocsp(pki: TestPKI) -> bytes:
    from cryptography.x509 import ocsp

    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(pki.person.certificate, pki.intermediate.certificate, hashes.SHA256())
        .build()
    )
    return pki.ocsp_response(request.public_bytes(serialization.Encoding.DER))


BAD_OCSP = ["garbage", "empty", "nested-100k", "truncated", "crl-not-ocsp", "trailing-bytes"]


@pytest.mark.parametrize("case", BAD_OCSP)
def test_bad_ocsp_response(case: str, pki: TestPKI) -> None:
    good = _ocsp(pki)
    data = {
        "garbage": b"\x30\x03\x0a\x01\x00garbage",
        "empty": b"",
        "nested-100k": _nested(100_000),
        "truncated": good[: len(good) // 2],
        "crl-not-ocsp": pki.crl_der(),
        "trailing-bytes": good + b"\x00" * 8,
    }[case]
    trust = TrustStore(roots=[pki.root.certificate], intermediates=[pki.intermediate.certificate])
    policy = VerificationPolicy(revocation="hard-fail", at=NOW, ocsp_responses=(data,))
    with pytest.raises(RevocationDataError, match=r"policy\.ocsp_responses\[0\]"):
        check_certificate(pki.person.certificate, trust=trust, policy=policy)


def test_good_revocation_data_still_accepted(pki: TestPKI) -> None:
    trust = TrustStore(roots=[pki.root.certificate], intermediates=[pki.intermediate.certificate])
    policy = VerificationPolicy(
        revocation="hard-fail", at=NOW, crls=(pki.crl_pem(),), ocsp_responses=(_ocsp(pki),)
    )
    report = check_certificate(pki.person.certificate, trust=trust, policy=policy)
    assert report.indication is Indication.PASSED, report.findings


# -- certificates in a signed package -----------------------------------------------------------


def _with_keyinfo_certificate(der: bytes) -> bytes:
    data = CONTROL.read_bytes()
    value = base64.b64encode(der)
    out, count = re.subn(
        rb"<ds:X509Certificate>[^<]*<", b"<ds:X509Certificate>" + value + b"<", data
    )
    assert count == 1
    return out


KEYINFO_CASES = [
    "invalid-utf8-name",
    "invalid-version",
    "truncated",
    "nested-10k",
    "empty",
    "not-a-certificate",
]


@pytest.mark.parametrize("case", KEYINFO_CASES)
def test_malformed_keyinfo_certificate(case: str, marked: bytes) -> None:
    der = {
        "invalid-utf8-name": _patched(marked, b"\xff" * len(MARK), count=2),
        "invalid-version": _version_4(marked),
        "truncated": marked[:-40],
        "nested-10k": _nested(10_000),
        "empty": b"",
        "not-a-certificate": b"\x30\x03\x02\x01\x05",
    }[case]
    policy = VerificationPolicy(require_trust=False)
    with verify_package(_with_keyinfo_certificate(der), policy=policy) as result:
        assert result.indication is Indication.FAILED
        assert result.package is None
        refused = [f for f in result.errors if f.rule == "SIG122"]
        assert refused, [str(f) for f in result.findings]
        assert "X509Certificate" in refused[0].message
        assert refused[0].message_vi
