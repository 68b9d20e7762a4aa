"""Where a signing key lives, behind one interface: :class:`Signer`.

A signer holds a certificate (and the chain to send with it) and signs bytes with the matching
private key. The XML and PDF signers never see the key itself, so a key on a token (PKCS#11),
in a file (PKCS#12, PEM) or behind a remote signing service (a callable) all work the same way.
"""

from __future__ import annotations

from typing import Literal, Protocol, TypeAlias, runtime_checkable

from cryptography import x509

__all__ = ["SignatureAlgorithm", "Signer"]

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
