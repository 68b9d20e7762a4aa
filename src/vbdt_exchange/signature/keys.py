"""Where a signing key lives, behind one interface: :class:`Signer`.

A signer holds a certificate (and the chain to send with it) and signs bytes with the matching
private key. The XML and PDF signers never see the key itself, so a key on a token (PKCS#11),
in a file (PKCS#12, PEM) or behind a remote signing service (a callable) all work the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal, Protocol, TypeAlias, runtime_checkable

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from vbdt_exchange.errors import SignatureError

__all__ = [
    "CallableSigner",
    "KeyLoadError",
    "KeySigner",
    "PrivateKey",
    "SignatureAlgorithm",
    "Signer",
    "SigningError",
    "check_key_strength",
    "default_algorithm",
    "load_pem",
    "load_pkcs12",
]

SignatureAlgorithm: TypeAlias = Literal[
    "rsa-sha256",
    "rsa-sha384",
    "rsa-sha512",
    "rsa-pss-sha256",
    "rsa-pss-sha384",
    "rsa-pss-sha512",
    "ecdsa-sha256",
    "ecdsa-sha384",
    "ecdsa-sha512",
]
"""Signature algorithms a :class:`Signer` may be asked for. ``rsa-*`` is RSASSA-PKCS1-v1_5;
``rsa-pss-*`` is RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash. No SHA-1:
signing with SHA-1 is refused everywhere in this library."""


@runtime_checkable
class Signer(Protocol):
    """A private key that can sign, with its certificate.

    :ivar certificate: the signer's certificate.
    :ivar chain: intermediate certificates to embed with it (not the root), nearest first.
    """

    @property
    def certificate(self) -> x509.Certificate: ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]: ...

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        """Sign ``data`` (the whole message, not a digest) with ``algorithm``.

        ECDSA signatures are returned DER-encoded (``Ecdsa-Sig-Value``), as
        :mod:`cryptography` makes them; formats that need ``r || s`` convert.

        :raises vbdt_exchange.errors.SignatureError: when the key cannot sign with
            ``algorithm`` (an EC key asked for RSA, a token refusing the mechanism).
        """
        ...


class KeyLoadError(SignatureError):
    """A signing key or its certificate cannot be loaded (wrong password, not a key, no
    certificate matching the key)."""


class SigningError(SignatureError):
    """A signature cannot be made: the key does not fit the algorithm, is too weak, or a remote
    signing service failed."""


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_ALGORITHMS = frozenset(SignatureAlgorithm.__args__)  # type: ignore[attr-defined]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
"""The private keys :class:`KeySigner` signs with: RSA (2048 bits or more) or EC (P-256 or
larger NIST curves)."""


def check_key_strength(key: object) -> None:
    """Refuse keys too weak to sign with: RSA under 2048 bits, EC curves under 256 bits.

    :raises SigningError: the key is too weak or of an unsupported kind.
    """
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        if key.key_size < 2048:
            raise SigningError(f"an RSA key of {key.key_size} bits is too weak: 2048 at least")
    elif isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if key.curve.key_size < 256:
            raise SigningError(
                f"the EC curve {key.curve.name} is too weak: P-256 or larger at least"
            )
    else:
        raise SigningError(f"unsupported key type {type(key).__name__}: RSA or EC keys only")


def default_algorithm(certificate: x509.Certificate) -> SignatureAlgorithm:
    """``rsa-sha256`` for an RSA certificate, ``ecdsa-sha256`` for an EC one."""
    if isinstance(certificate.public_key(), ec.EllipticCurvePublicKey):
        return "ecdsa-sha256"
    return "rsa-sha256"


def _tuple(certs: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    return tuple(certs)


@attrs.frozen
class KeySigner:
    """A private key held in memory (from :func:`load_pkcs12`, :func:`load_pem`, or made by the
    caller), with its certificate and chain.

    :ivar private_key: an RSA or EC private key (:mod:`cryptography`).
    :ivar certificate: the matching certificate.
    :ivar chain: intermediate certificates, nearest first (not the root).
    """

    private_key: PrivateKey = attrs.field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = attrs.field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.private_key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
            raise KeyLoadError(
                f"unsupported key type {type(self.private_key).__name__}: RSA or EC keys only"
            )
        if self.private_key.public_key().public_numbers() != (
            self.certificate.public_key().public_numbers()  # type: ignore[union-attr]
        ):
            raise KeyLoadError(
                "the private key does not match the certificate "
                f"({self.certificate.subject.rfc4514_string()})"
            )

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        """Sign ``data`` with ``algorithm`` (see :class:`Signer`)."""
        key = self.private_key
        check_key_strength(key)
        if algorithm not in _ALGORITHMS:
            raise SigningError(f"unsupported signature algorithm {algorithm!r}")
        digest = _HASHES[algorithm.rsplit("-", 1)[1]]()
        if algorithm.startswith("ecdsa-"):
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise SigningError(f"{algorithm} needs an EC key; this one is RSA")
            return key.sign(data, ec.ECDSA(digest))
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SigningError(f"{algorithm} needs an RSA key; this one is EC")
        if algorithm.startswith("rsa-pss-"):
            pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            return key.sign(data, pss, digest)
        return key.sign(data, padding.PKCS1v15(), digest)


@attrs.frozen
class CallableSigner:
    """A key behind a remote signing service (or a token driver), reached through a callable.

    ``sign(data, algorithm)`` receives the whole message and the :data:`SignatureAlgorithm`
    and returns the signature (ECDSA DER-encoded, as :class:`Signer` says). Exceptions it
    raises are wrapped in :class:`SigningError`.

    :ivar certificate: the signer's certificate.
    :ivar sign_function: the callable (``sign=`` when constructing).
    :ivar chain: intermediate certificates, nearest first.
    """

    certificate: x509.Certificate
    sign_function: Callable[[bytes, SignatureAlgorithm], bytes] = attrs.field(
        alias="sign", repr=False
    )
    chain: tuple[x509.Certificate, ...] = attrs.field(default=(), converter=_tuple)

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        """Call the signing function; its failures become :class:`SigningError`."""
        try:
            value = self.sign_function(data, algorithm)
        except SignatureError:
            raise
        except Exception as exc:
            raise SigningError(f"the signing callable failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(value, bytes) or not value:  # type: ignore[redundant-expr]
            raise SigningError("the signing callable returned no signature bytes")
        return value


def _read(source: str | Path | bytes, what: str) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise KeyLoadError(f"cannot read the {what} {source}: {exc.strerror or exc}") from None


def _password(password: str | bytes | None) -> bytes | None:
    if isinstance(password, str):
        return password.encode("utf-8")
    return password or None


def _without_roots(certs: Iterable[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    return tuple(c for c in certs if c.subject != c.issuer)


def load_pkcs12(source: str | Path | bytes, password: str | bytes | None = None) -> KeySigner:
    """A :class:`KeySigner` from a PKCS#12 (``.p12``/``.pfx``) file or its bytes.

    The CA certificates in the file become the chain (self-signed roots left out).

    :raises KeyLoadError: unreadable file, wrong password, or no key or certificate in it.
    """
    data = _read(source, "PKCS#12 file")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, _password(password))
    except ValueError as exc:
        detail = "wrong password or not a PKCS#12 file"
        raise KeyLoadError(f"cannot open the PKCS#12 file ({detail}: {exc})") from None
    if key is None or cert is None:
        raise KeyLoadError("the PKCS#12 file holds no private key and certificate pair")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyLoadError(f"unsupported key type {type(key).__name__}: RSA or EC keys only")
    return KeySigner(key, cert, _without_roots(extra))


def load_pem(
    key: str | Path | bytes,
    certificate: str | Path | bytes,
    password: str | bytes | None = None,
    chain: Iterable[x509.Certificate] | str | Path | bytes = (),
) -> KeySigner:
    """A :class:`KeySigner` from a PEM private key and a PEM certificate (files or bytes).

    The certificate file may hold the chain after the certificate (leaf first); ``chain`` adds
    more (certificates, or a PEM file). Self-signed roots are left out of the chain.

    :raises KeyLoadError: unreadable files, wrong or missing password, or a key that does not
        match the certificate.
    """
    key_data = _read(key, "key file")
    try:
        private_key = serialization.load_pem_private_key(key_data, _password(password))
    except TypeError:
        raise KeyLoadError(
            "the private key is encrypted: a password is needed"
            if password is None
            else "the private key is not encrypted: give no password"
        ) from None
    except ValueError as exc:
        raise KeyLoadError(f"cannot load the private key (wrong password?): {exc}") from None
    try:
        certs = x509.load_pem_x509_certificates(_read(certificate, "certificate file"))
        if isinstance(chain, (str, Path, bytes)):
            extra: Iterable[x509.Certificate] = x509.load_pem_x509_certificates(
                _read(chain, "chain file")
            )
        else:
            extra = chain
    except (ValueError, x509.InvalidVersion) as exc:  # InvalidVersion is no ValueError
        raise KeyLoadError(f"cannot load the certificate: {exc}") from None
    if not isinstance(private_key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise KeyLoadError(
            f"unsupported key type {type(private_key).__name__}: RSA or EC keys only"
        )
    return KeySigner(private_key, certs[0], _without_roots([*certs[1:], *extra]))
