"""Pkcs11Signer on a SoftHSM2 token: RSA PKCS#1 v1.5, PSS and ECDSA, verified with
cryptography; and the errors for what cannot be found or done."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from vbdt_exchange.errors import SignatureError
from vbdt_exchange.signature.keys import KeyLoadError, Signer, SigningError
from vbdt_exchange.signature.keys_pkcs11 import Pkcs11Signer

DATA = "Công văn số 123/VPCP-HC, ký số trên token".encode()
HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def _open(token: Any, **kwargs: Any) -> Pkcs11Signer:
    options: dict[str, Any] = {"token_label": token.label, "pin": token.pin}
    options.update(kwargs)
    return Pkcs11Signer.open(token.module, **options)


@pytest.mark.parametrize("hash_name", ["sha256", "sha384", "sha512"])
def test_rsa_pkcs1v15(token: Any, hash_name: str) -> None:
    with _open(token, key_label="rsa-person") as signer:
        assert isinstance(signer, Signer)
        assert signer.certificate == token.rsa.person.certificate
        signature = signer.sign(DATA, f"rsa-{hash_name}")  # type: ignore[arg-type]
    public = token.rsa.person.certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, DATA, padding.PKCS1v15(), HASHES[hash_name])
    with pytest.raises(InvalidSignature):
        public.verify(signature, DATA + b".", padding.PKCS1v15(), HASHES[hash_name])


@pytest.mark.parametrize("hash_name", ["sha256", "sha512"])
def test_rsa_pss(token: Any, hash_name: str) -> None:
    with _open(token, key_id=b"\x01") as signer:
        signature = signer.sign(DATA, f"rsa-pss-{hash_name}")  # type: ignore[arg-type]
        again = signer.sign(DATA, f"rsa-pss-{hash_name}")  # type: ignore[arg-type]
    assert signature != again  # PSS is randomised
    digest = HASHES[hash_name]
    pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    public = token.rsa.person.certificate.public_key()
    public.verify(signature, DATA, pss, digest)
    public.verify(again, DATA, pss, digest)


@pytest.mark.parametrize("hash_name", ["sha256", "sha384", "sha512"])
def test_ecdsa_returns_der(token: Any, hash_name: str) -> None:
    with _open(token, key_label="ec-person") as signer:
        signature = signer.sign(DATA, f"ecdsa-{hash_name}")  # type: ignore[arg-type]
    r, s = decode_dss_signature(signature)  # DER, not r || s
    assert r > 0
    assert s > 0
    public = token.ec.person.certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, DATA, ec.ECDSA(HASHES[hash_name]))


class _PickyKey:
    """A token key that refuses the hash-and-sign mechanisms, as many smart cards do."""

    def __init__(self, key: Any, refused: set[Any], seen: list[Any]) -> None:
        self._key = key
        self._refused = refused
        self._seen = seen
        self.key_type = key.key_type
        self.label = key.label

    def sign(self, data: bytes, **kwargs: Any) -> bytes:
        import pkcs11

        self._seen.append(kwargs["mechanism"])
        if kwargs["mechanism"] in self._refused:
            raise pkcs11.MechanismInvalid()
        return bytes(self._key.sign(data, **kwargs))


def test_fallback_to_raw_mechanisms(token: Any) -> None:
    """A token without hash-and-sign mechanisms: the digest is made here."""
    import pkcs11

    refused = {
        pkcs11.Mechanism.SHA256_RSA_PKCS,
        pkcs11.Mechanism.SHA256_RSA_PKCS_PSS,
        pkcs11.Mechanism.ECDSA_SHA256,
    }
    seen: list[Any] = []
    rsa_public = token.rsa.person.certificate.public_key()
    with _open(token, key_label="rsa-person") as signer:
        signer._key = _PickyKey(signer._key, refused, seen)
        v15 = signer.sign(DATA, "rsa-sha256")
        pss = signer.sign(DATA, "rsa-pss-sha256")
    rsa_public.verify(v15, DATA, padding.PKCS1v15(), hashes.SHA256())
    rsa_public.verify(
        pss, DATA, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
    )
    with _open(token, key_label="ec-person") as signer:
        signer._key = _PickyKey(signer._key, refused, seen)
        signature = signer.sign(DATA, "ecdsa-sha256")
    token.ec.person.certificate.public_key().verify(signature, DATA, ec.ECDSA(hashes.SHA256()))
    assert seen == [
        pkcs11.Mechanism.SHA256_RSA_PKCS,
        pkcs11.Mechanism.RSA_PKCS,
        pkcs11.Mechanism.SHA256_RSA_PKCS_PSS,
        pkcs11.Mechanism.RSA_PKCS_PSS,
        pkcs11.Mechanism.ECDSA_SHA256,
        pkcs11.Mechanism.ECDSA,
    ]


def test_wrong_key_type_refused(token: Any) -> None:
    with (
        _open(token, key_label="ec-person") as signer,
        pytest.raises(SigningError, match="needs an RSA key"),
    ):
        signer.sign(DATA, "rsa-sha256")
    with _open(token, key_label="rsa-person") as signer:
        with pytest.raises(SigningError, match="needs an EC key"):
            signer.sign(DATA, "ecdsa-sha256")
        with pytest.raises(SigningError, match="unsupported signature algorithm"):
            signer.sign(DATA, "rsa-sha1")  # type: ignore[arg-type]


def test_closed_signer(token: Any) -> None:
    signer = _open(token, key_label="rsa-person")
    assert "open" in repr(signer)
    signer.close()
    signer.close()  # twice is fine
    assert "closed" in repr(signer)
    with pytest.raises(SigningError, match="closed"):
        signer.sign(DATA, "rsa-sha256")


def test_certificate_given_explicitly(token: Any) -> None:
    with _open(token, key_label="rsa-person", certificate=token.rsa.person.certificate) as signer:
        assert signer.chain == ()
        assert signer.key_label == "rsa-person"
    with pytest.raises(KeyLoadError, match="does not match"):
        _open(token, key_label="rsa-person", certificate=token.rsa.organisation.certificate)
    with pytest.raises(KeyLoadError, match="is EC but"):
        _open(token, key_label="ec-person", certificate=token.rsa.person.certificate)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pin": "0000"}, "wrong PIN"),
        ({"token_label": "no-such-token"}, "no token labelled 'no-such-token'"),
        ({"key_label": "nobody"}, "no private key labelled 'nobody'"),
        ({}, "2 private keys"),
        ({"key_label": "rsa-person", "certificate_label": "none"}, "no certificate labelled"),
    ],
)
def test_load_errors(token: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(KeyLoadError, match=message) as info:
        _open(token, **kwargs)
    assert isinstance(info.value, SignatureError)


def test_module_errors(token: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KeyLoadError, match="does not exist"):
        Pkcs11Signer.open(tmp_path / "nope.so", token_label=token.label, pin=token.pin)
    monkeypatch.delenv("PKCS11_MODULE", raising=False)
    with pytest.raises(KeyLoadError, match="PKCS11_MODULE"):
        Pkcs11Signer.open(token_label=token.label, pin=token.pin)
    monkeypatch.setenv("PKCS11_MODULE", str(token.module))
    with Pkcs11Signer.open(token_label=token.label, pin=token.pin, key_id=b"\x02") as signer:
        assert signer.certificate == token.ec.person.certificate
