"""Hypothesis fuzz of certificate, CRL and OCSP input (issue 8, item 2).

Real DER from a test PKI (EC, for speed), mutated (bit flips, bytes replaced, slices deleted or
duplicated), goes where hostile certificates enter the library: a trust-store file, the chain
(as leaf, intermediate or root) and the revocation data of a policy. The contract: a malformed
file raises :class:`TrustStoreError`, malformed revocation data :class:`RevocationDataError`;
whatever loads is checked without an exception and gives a report that converts to JSON; a
mutated leaf, intermediate or root never makes the chain PASS unless the mutation left the
certificate's DER unchanged (or, for the root, which is trusted as given, left its name and key
alone).
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import (
    RevocationDataError,
    TrustStore,
    TrustStoreError,
    check_certificate,
    load_certificates,
)
from vbdt_exchange.testing.pki import TestPKI

NOW = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)
PKI = TestPKI.generate(now=NOW, key_type="ec")
OFF = VerificationPolicy(revocation="off", at=NOW)


def _explains(exc: Exception, part: str) -> None:
    """A refusal says what is wrong (and names ``part``)."""
    assert str(exc)
    assert part in str(exc) or part == getattr(exc, "operation", None)


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _ocsp() -> bytes:
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(PKI.person.certificate, PKI.intermediate.certificate, hashes.SHA256())
        .build()
    )
    return PKI.ocsp_response(request.public_bytes(serialization.Encoding.DER))


ROLES = {
    "leaf": _der(PKI.person.certificate),
    "intermediate": _der(PKI.intermediate.certificate),
    "root": _der(PKI.root.certificate),
}
CRL = PKI.crl_der()
OCSP = _ocsp()

BUDGET = os.environ.get("VBDT_FUZZ_EXAMPLES")
FUZZ = settings(
    max_examples=int(BUDGET or "100"),
    deadline=None,
    database=None,
    derandomize=BUDGET is None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "byte", "delete", "duplicate", "length"]))
        if kind == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[pos] = draw(st.sampled_from([0x00, 0x05, 0x0C, 0x13, 0x30, 0x80, 0x84, 0xFF]))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        elif kind == "duplicate":
            size = draw(st.integers(1, 32))
            data[pos:pos] = data[pos : pos + size]
        else:  # a long-form length: the parsers' bounds
            data[pos : pos + 1] = b"\x84\x7f\xff\xff\xff"
    return bytes(data)


def _trust(**replace: x509.Certificate) -> TrustStore:
    return TrustStore(
        roots=[replace.get("root", PKI.root.certificate)],
        intermediates=[replace.get("intermediate", PKI.intermediate.certificate)],
    )


@FUZZ
@given(st.sampled_from(sorted(ROLES)), st.data())
def test_mutated_certificate(role: str, data: st.DataObject) -> None:
    der = data.draw(mutated(ROLES[role]))
    try:
        (certificate,) = TrustStore(roots=load_certificates_from(der)).roots
    except TrustStoreError as exc:
        _explains(exc, "")
        return
    leaf = certificate if role == "leaf" else PKI.person.certificate
    trust = _trust() if role == "leaf" else _trust(**{role: certificate})
    report = check_certificate(leaf, trust=trust, policy=OFF)
    json.dumps(report.to_dict())
    report.render()
    if report.indication is not Indication.PASSED or _der(certificate) == ROLES[role]:
        return
    # a trust anchor is trusted as given, by name and key (its own signature is not checked);
    # names compare as RFC 5280 says (LDAP string preparation: a form feed is a space)
    assert role == "root", "a changed certificate passed"
    assert _prepared_subject(_der(certificate)) == _prepared_subject(ROLES["root"])
    assert certificate.public_key() == PKI.root.certificate.public_key()


def _prepared_subject(der: bytes) -> object:
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]

    return asn1_x509.Certificate.load(der).subject.hashable


_FILES: dict[bytes, list[x509.Certificate]] = {}


def load_certificates_from(der: bytes) -> list[x509.Certificate]:
    """:func:`load_certificates` on ``der`` written to a file (once per distinct input)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cert.der"
        path.write_bytes(der)
        return list(load_certificates(path))


@FUZZ
@given(st.sampled_from(["crl", "ocsp"]), st.data())
def test_mutated_revocation_data(kind: str, data: st.DataObject) -> None:
    blob = data.draw(mutated(CRL if kind == "crl" else OCSP))
    policy = VerificationPolicy(
        revocation="hard-fail",
        at=NOW,
        crls=(blob,) if kind == "crl" else (),
        ocsp_responses=(blob,) if kind == "ocsp" else (),
    )
    try:
        report = check_certificate(PKI.person.certificate, trust=_trust(), policy=policy)
    except RevocationDataError as exc:
        _explains(exc, "policy.")
        return
    json.dumps(report.to_dict())
    report.render()


@pytest.mark.parametrize("kind", ["crl", "ocsp"])
def test_revocation_controls(kind: str) -> None:
    policy = VerificationPolicy(
        revocation="hard-fail",
        at=NOW,
        crls=(CRL,) if kind == "crl" else (),
        ocsp_responses=(OCSP,) if kind == "ocsp" else (),
    )
    report = check_certificate(PKI.person.certificate, trust=_trust(), policy=policy)
    assert report.indication is Indication.PASSED, report.findings
