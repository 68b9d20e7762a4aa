"""The test PKI: chain, dates, CRL, OCSP over loopback, key files."""

from __future__ import annotations

import datetime
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from vbdt_exchange.testing import pki as pki_module

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[pki_module.PKIServer]:
    with pki_module.PKIServer.running(now=NOW) as running:
        yield running


@pytest.fixture(scope="module")
def pki(server: pki_module.PKIServer) -> pki_module.TestPKI:
    return server.pki


def _verify(pki: pki_module.TestPKI, party: pki_module.Party) -> list[x509.Certificate]:
    verifier = (
        PolicyBuilder()
        .store(Store([pki.root.certificate]))
        .time(pki.now)
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    return verifier.verify(party.certificate, [pki.intermediate.certificate]).chain


def _get(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers["Content-Type"], response.read()


def _ocsp(server: pki_module.PKIServer, builder: ocsp.OCSPRequestBuilder) -> ocsp.OCSPResponse:
    request = urllib.request.Request(
        server.url + "/ocsp",
        data=builder.build().public_bytes(serialization.Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "application/ocsp-response"
        return ocsp.load_der_ocsp_response(response.read())


def _ocsp_for(pki: pki_module.TestPKI, party: pki_module.Party) -> ocsp.OCSPRequestBuilder:
    return ocsp.OCSPRequestBuilder().add_certificate(
        party.certificate, pki.intermediate.certificate, hashes.SHA256()
    )


def _check_signature(issuer: x509.Certificate, signature: bytes, data: bytes) -> None:
    key = issuer.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))


# -- certificates ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["organisation", "person"])
def test_valid_leaves_chain_to_the_root(pki: pki_module.TestPKI, name: str) -> None:
    party: pki_module.Party = getattr(pki, name)
    chain = _verify(pki, party)
    assert chain == list(party.chain)
    assert [p.name for p in pki.chain_of(party)] == [name, "intermediate", "root"]


def test_chain_fails_without_the_right_root(pki: pki_module.TestPKI) -> None:
    other = pki_module.TestPKI.generate(now=NOW, key_type="ec")
    verifier = (
        PolicyBuilder()
        .store(Store([other.root.certificate]))
        .time(pki.now)
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    with pytest.raises(VerificationError):
        verifier.verify(pki.person.certificate, [pki.intermediate.certificate])


def test_expired_certificate_is_expired_at_now(pki: pki_module.TestPKI) -> None:
    cert = pki.expired.certificate
    assert cert.not_valid_after_utc < pki.now
    assert pki.person.certificate.not_valid_before_utc <= pki.now
    assert pki.now <= pki.person.certificate.not_valid_after_utc
    with pytest.raises(VerificationError):
        _verify(pki, pki.expired)


def test_subjects_say_test_and_name_the_organisation(pki: pki_module.TestPKI) -> None:
    assert pki.root.common_name == "Vietnam National Root CA (TEST)"
    assert all("TEST" in party.common_name for party in pki.parties)
    org = pki.organisation.subject
    assert org.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == (
        "Văn phòng Chính phủ (TEST)"
    )
    assert pki.organisation.organisation_identifier == "000.00.00.G22"
    assert pki.person.organisation_identifier is None


def test_leaf_extensions_suit_document_signing(
    pki: pki_module.TestPKI, server: pki_module.PKIServer
) -> None:
    for party in pki.leaves:
        extensions = party.certificate.extensions
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature
        assert usage.content_commitment
        assert not usage.key_cert_sign
        eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
        assert pki_module.DOCUMENT_SIGNING in eku
        aia = extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ocsp_urls = [
            d.access_location.value
            for d in aia
            if d.access_method == AuthorityInformationAccessOID.OCSP
        ]
        assert ocsp_urls == [server.url + "/ocsp"]
        cdp = extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert [n.value for n in cdp[0].full_name or []] == [server.url + "/crl"]
        assert party.certificate.signature_hash_algorithm is not None
        assert party.certificate.signature_hash_algorithm.name == "sha256"
        key = party.private_key
        assert isinstance(key, rsa.RSAPrivateKey)
        assert key.key_size == 2048
    ca = pki.intermediate.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert ca.value.ca
    assert ca.critical


def test_every_call_makes_new_keys() -> None:
    first = pki_module.TestPKI.generate(now=NOW, key_type="ec")
    second = pki_module.TestPKI.generate(now=NOW, key_type="ec")
    assert first.root.certificate != second.root.certificate
    assert first.person.key_pem() != second.person.key_pem()


def test_ec_option(pki: pki_module.TestPKI) -> None:
    ec_pki = pki_module.TestPKI.generate(now=NOW, key_type="ec")
    for party in ec_pki.parties:
        assert isinstance(party.private_key, ec.EllipticCurvePrivateKey)
        assert party.private_key.curve.name == "secp256r1"
    assert _verify(ec_pki, ec_pki.person) == list(ec_pki.person.chain)
    assert ec_pki.base_url == pki_module.DEFAULT_BASE_URL
    assert ec_pki.crl.is_signature_valid(ec_pki.intermediate.private_key.public_key())


def test_generate_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="key_type"):
        pki_module.TestPKI.generate(key_type="dsa")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timezone"):
        pki_module.TestPKI.generate(now=datetime.datetime(2026, 1, 1))


# -- CRL ---------------------------------------------------------------------------------------


def test_crl_lists_the_revoked_certificate(pki: pki_module.TestPKI) -> None:
    crl = x509.load_der_x509_crl(pki.crl_der())
    assert crl.is_signature_valid(pki.intermediate.private_key.public_key())
    assert not crl.is_signature_valid(pki.root.private_key.public_key())
    assert crl.issuer == pki.intermediate.subject
    entry = crl.get_revoked_certificate_by_serial_number(pki.revoked.serial_number)
    assert entry is not None
    assert entry.revocation_date_utc == pki.revocation_time < pki.now
    for party in (pki.person, pki.organisation, pki.expired):
        assert crl.get_revoked_certificate_by_serial_number(party.serial_number) is None
    assert crl.last_update_utc < pki.now
    assert crl.next_update_utc is not None
    assert pki.now < crl.next_update_utc
    assert x509.load_pem_x509_crl(pki.crl_pem()).public_bytes(serialization.Encoding.DER) == (
        pki.crl_der()
    )


# -- the server --------------------------------------------------------------------------------


def test_server_serves_crl_and_ca_certificates(
    pki: pki_module.TestPKI, server: pki_module.PKIServer
) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    content_type, body = _get(server.url + "/crl")
    assert content_type == "application/pkix-crl"
    assert body == pki.crl_der()
    _, ca = _get(server.url + "/ca.cer")
    assert x509.load_der_x509_certificate(ca) == pki.intermediate.certificate
    _, root = _get(server.url + "/root.cer")
    assert x509.load_der_x509_certificate(root) == pki.root.certificate
    with pytest.raises(urllib.error.HTTPError) as caught:
        _get(server.url + "/nothing")
    assert caught.value.code == 404
    caught.value.close()
    assert server.requests[-4:] == ["/crl", "/ca.cer", "/root.cer", "/nothing"]


def test_ocsp_good_for_the_person(pki: pki_module.TestPKI, server: pki_module.PKIServer) -> None:
    response = _ocsp(server, _ocsp_for(pki, pki.person))
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == pki.person.serial_number
    assert response.this_update_utc <= pki.now
    assert response.signature_hash_algorithm is not None
    _check_signature(pki.intermediate.certificate, response.signature, response.tbs_response_bytes)
    assert server.requests[-1] == "/ocsp"


def test_ocsp_revoked_with_its_time(pki: pki_module.TestPKI, server: pki_module.PKIServer) -> None:
    response = _ocsp(server, _ocsp_for(pki, pki.revoked))
    assert response.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_time_utc == pki.revocation_time
    assert response.revocation_reason == x509.ReasonFlags.key_compromise


def test_ocsp_unknown_for_a_foreign_serial(
    pki: pki_module.TestPKI, server: pki_module.PKIServer
) -> None:
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        issuer_name_hash=_ocsp_for(pki, pki.person).build().issuer_name_hash,
        issuer_key_hash=_ocsp_for(pki, pki.person).build().issuer_key_hash,
        serial_number=x509.random_serial_number(),
        algorithm=hashes.SHA256(),
    )
    response = _ocsp(server, builder)
    assert response.certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    # the person's serial under another issuer is unknown too
    other = pki_module.TestPKI.generate(now=NOW, key_type="ec")
    wrong_issuer = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        issuer_name_hash=_ocsp_for(other, other.person).build().issuer_name_hash,
        issuer_key_hash=_ocsp_for(other, other.person).build().issuer_key_hash,
        serial_number=pki.person.serial_number,
        algorithm=hashes.SHA256(),
    )
    assert _ocsp(server, wrong_issuer).certificate_status == ocsp.OCSPCertStatus.UNKNOWN


def test_ocsp_echoes_the_nonce(pki: pki_module.TestPKI, server: pki_module.PKIServer) -> None:
    nonce = os.urandom(16)
    builder = _ocsp_for(pki, pki.person).add_extension(x509.OCSPNonce(nonce), critical=False)
    response = _ocsp(server, builder)
    echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value
    assert echoed.nonce == nonce
    without = _ocsp(server, _ocsp_for(pki, pki.person))
    with pytest.raises(x509.ExtensionNotFound):
        without.extensions.get_extension_for_class(x509.OCSPNonce)


def test_ocsp_sha1_request_is_answered(
    pki: pki_module.TestPKI, server: pki_module.PKIServer
) -> None:
    builder = ocsp.OCSPRequestBuilder().add_certificate(
        pki.revoked.certificate, pki.intermediate.certificate, hashes.SHA1()
    )
    assert _ocsp(server, builder).certificate_status == ocsp.OCSPCertStatus.REVOKED


def test_ocsp_garbage_is_malformed(pki: pki_module.TestPKI) -> None:
    response = ocsp.load_der_ocsp_response(pki.ocsp_response(b"not a request"))
    assert response.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_server_for_an_existing_pki_stops_on_exit() -> None:
    existing = pki_module.TestPKI.generate(now=NOW, key_type="ec")
    with pki_module.PKIServer(existing) as server:
        url = server.url
        _, body = _get(url + "/crl")
        assert body == existing.crl_der()
        assert server.requests == ["/crl"]
    with pytest.raises(RuntimeError):
        _ = server.url
    with pytest.raises(urllib.error.URLError):
        _get(url + "/crl")


# -- key files ---------------------------------------------------------------------------------


def test_pkcs12_round_trips_with_a_password(pki: pki_module.TestPKI) -> None:
    data = pki.person.pkcs12(b"s3cret")
    with pytest.raises(ValueError, match=r"(?i)password"):
        pkcs12.load_key_and_certificates(data, b"wrong")
    key, cert, cas = pkcs12.load_key_and_certificates(data, b"s3cret")
    assert cert == pki.person.certificate
    assert cas == list(pki.person.chain[1:])
    assert key is not None
    assert key.public_key() == pki.person.private_key.public_key()


def test_key_pem_with_and_without_password(pki: pki_module.TestPKI) -> None:
    plain = serialization.load_pem_private_key(pki.organisation.key_pem(), None)
    assert plain.public_key() == pki.organisation.private_key.public_key()
    encrypted = pki.organisation.key_pem(b"pw")
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(encrypted, None)
    loaded = serialization.load_pem_private_key(encrypted, b"pw")
    assert loaded.public_key() == pki.organisation.private_key.public_key()


def test_write_puts_files_only_in_the_directory(
    pki: pki_module.TestPKI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    target = tmp_path / "out"
    paths = pki.person.write(target, password=b"pw")
    assert set(paths) == {"cert", "chain", "key", "pkcs12"}
    assert sorted(p.name for p in target.iterdir()) == [
        "person-chain.pem",
        "person.key.pem",
        "person.p12",
        "person.pem",
    ]
    assert x509.load_pem_x509_certificate(paths["cert"].read_bytes()) == pki.person.certificate
    assert x509.load_pem_x509_certificates(paths["chain"].read_bytes()) == list(pki.person.chain)
    assert pkcs12.load_key_and_certificates(paths["pkcs12"].read_bytes(), b"pw")[1] == (
        pki.person.certificate
    )
    everything = tmp_path / "all"
    written = pki.write(everything)
    assert len(written) == 6 * 4 + 2
    assert (everything / "crl.der").read_bytes() == pki.crl_der()
    assert list(elsewhere.iterdir()) == []


def test_no_private_key_material_in_the_repository() -> None:
    needle = "PRIVATE" + " KEY"
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("src", "tests")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and needle.encode() in path.read_bytes()
    ]
    assert offenders == []
