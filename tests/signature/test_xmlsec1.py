"""Interoperability with xmlsec1 (libxmlsec1), both ways: our signatures verify with
``xmlsec1 --verify``, and packages signed by ``xmlsec1 --sign`` verify with ours."""

from __future__ import annotations

import base64
import datetime
import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from vbdt_exchange.envelope.models import EdocPackage
from vbdt_exchange.envelope.writer import to_bytes
from vbdt_exchange.signature import _xmldsig as dsig
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.signature.xml import verify_package
from vbdt_exchange.testing.pki import TestPKI

XADES_ID = "--id-attr:Id"
XADES_NODE = f"{dsig.XADES}:SignedProperties"
VERIFY_AT = "2026-03-02 09:00:00"
INTEGRITY = VerificationPolicy(require_trust=False)
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _xmlsec(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, check=False)


def _cas(pki: TestPKI, tmp_path: Path) -> Path:
    path = tmp_path / "cas.pem"
    path.write_bytes(pki.root.pem() + pki.intermediate.pem())
    return path


@pytest.mark.parametrize("key", ["rsa", "ec"])
@pytest.mark.parametrize("profile", ["xades-b-b", "xmldsig"])
def test_xmlsec1_verifies_ours(
    request: pytest.FixtureRequest,
    require_tool: Callable[[str, str], str],
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    tmp_path: Path,
    key: str,
    profile: str,
) -> None:
    tool = require_tool("xmlsec1", "xmlsec1")
    pki: TestPKI = request.getfixturevalue(f"{key}_pki")
    signer: KeySigner = request.getfixturevalue(f"{key}_signer")
    signed = tmp_path / "signed.edxml"
    signed.write_bytes(
        sign_bytes(package_with(b"%PDF one", b"two" * 5000), signer, profile=profile)
    )
    args = ["--verify", "--trusted-pem", str(_cas(pki, tmp_path)), "--verification-time", VERIFY_AT]
    args += [XADES_ID, XADES_NODE, str(signed)]
    done = _xmlsec(tool, *args)
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout + done.stderr
    # and a tampered copy is rejected by xmlsec1 too
    signed.write_bytes(signed.read_bytes().replace(b"<CodeNumber>3244<", b"<CodeNumber>3245<"))
    assert _xmlsec(tool, *args).returncode != 0


def _template(
    unsigned: bytes,
    *,
    c14n: str,
    method: str,
    transforms: tuple[str, ...],
    xades_cert: bytes | None = None,
) -> bytes:
    refs = "".join(f'<ds:Transform Algorithm="{t}"/>' for t in transforms)
    sha256 = dsig.DIGEST_URIS["sha256"]
    xades_ref = xades_obj = ""
    attrs = 'Id="sig-1"'
    if xades_cert is not None:
        digest = base64.b64encode(hashlib.sha256(xades_cert).digest()).decode()
        xades_ref = (
            f'<ds:Reference URI="#props-1" Type="{dsig.SIGNED_PROPERTIES_TYPE}">'
            f'<ds:Transforms><ds:Transform Algorithm="{dsig.EXC_C14N}"/></ds:Transforms>'
            f'<ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue/></ds:Reference>'
        )
        xades_obj = (
            f'<ds:Object><xades:QualifyingProperties xmlns:xades="{dsig.XADES}" Target="#sig-1">'
            '<xades:SignedProperties Id="props-1"><xades:SignedSignatureProperties>'
            "<xades:SigningTime>2026-03-02T09:00:00Z</xades:SigningTime>"
            "<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>"
            f'<ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue>{digest}</ds:DigestValue>'
            "</xades:CertDigest></xades:Cert></xades:SigningCertificateV2>"
            "</xades:SignedSignatureProperties></xades:SignedProperties>"
            "</xades:QualifyingProperties></ds:Object>"
        )
    template = (
        f'<ds:Signature xmlns:ds="{dsig.DSIG}" {attrs}><ds:SignedInfo>'
        f'<ds:CanonicalizationMethod Algorithm="{c14n}"/>'
        f'<ds:SignatureMethod Algorithm="{method}"/>'
        f'<ds:Reference URI=""><ds:Transforms>{refs}</ds:Transforms>'
        f'<ds:DigestMethod Algorithm="{sha256}"/><ds:DigestValue/></ds:Reference>{xades_ref}'
        "</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo>"
        f"{xades_obj}</ds:Signature>\n    "
    )
    head, sep, tail = unsigned.partition(b"</edXMLHeader>")
    assert sep
    return head + template.encode() + sep + tail


@pytest.mark.parametrize(
    ("key", "c14n", "transforms", "xades"),
    [
        ("rsa", dsig.EXC_C14N, (dsig.ENVELOPED, dsig.EXC_C14N), False),
        ("rsa", dsig.C14N10, (dsig.ENVELOPED,), False),
        ("rsa", dsig.C14N10_COMMENTS, (dsig.ENVELOPED, dsig.C14N10), False),
        ("ec", dsig.EXC_C14N, (dsig.ENVELOPED, dsig.EXC_C14N), False),
        ("rsa", dsig.EXC_C14N, (dsig.ENVELOPED, dsig.EXC_C14N), True),
        ("ec", dsig.C14N10, (dsig.ENVELOPED,), True),
    ],
)
def test_ours_verifies_xmlsec1(
    request: pytest.FixtureRequest,
    require_tool: Callable[[str, str], str],
    package_with: Callable[..., EdocPackage],
    tmp_path: Path,
    key: str,
    c14n: str,
    transforms: tuple[str, ...],
    xades: bool,
) -> None:
    tool = require_tool("xmlsec1", "xmlsec1")
    pki: TestPKI = request.getfixturevalue(f"{key}_pki")
    person = pki.person
    method = dsig.ALGORITHM_URIS["rsa-sha256" if key == "rsa" else "ecdsa-sha256"]
    cert_der = person.certificate.public_bytes(serialization.Encoding.DER)
    unsigned = to_bytes(package_with(b"%PDF xmlsec1", bytes(range(256)) * 50))
    template = tmp_path / "template.edxml"
    template.write_bytes(
        _template(
            unsigned,
            c14n=c14n,
            method=method,
            transforms=transforms,
            xades_cert=cert_der if xades else None,
        )
    )
    files = person.write(tmp_path / "keys")
    out = tmp_path / "signed.edxml"
    args = ["--sign", "--privkey-pem", f"{files['key']},{files['cert']}"]
    if xades:
        args += [XADES_ID, XADES_NODE]
    done = _xmlsec(tool, *args, "--output", str(out), str(template))
    assert done.returncode == 0, done.stderr
    with verify_package(out, policy=INTEGRITY) as result:
        assert result.indication is Indication.PASSED, result.findings
        (check,) = result.signatures
        assert check.kind == ("xades-b-b" if xades else "xmldsig")
        assert check.canonicalization == c14n
        assert check.signer == person.certificate
        assert result.package is not None
    trust = TrustStore(roots=(pki.root.certificate,), intermediates=(pki.intermediate.certificate,))
    with verify_package(
        out, trust=trust, policy=VerificationPolicy(revocation="off", at=NOW)
    ) as trusted:
        assert trusted.indication is Indication.PASSED, trusted.findings
    tampered = out.read_bytes().replace(b"<CodeNumber>3244<", b"<CodeNumber>3245<")
    with verify_package(tampered, policy=INTEGRITY) as result:
        assert result.indication is Indication.FAILED
        assert [f.rule for f in result.errors] == ["SIG130"]
