"""Keys on PKCS#11 tokens and HSMs: :class:`Pkcs11Signer` (the ``pkcs11`` extra).

Vietnamese USB tokens (VNPT-CA, Viettel-CA, the Ban Cơ yếu tokens) and HSMs expose their keys
through a PKCS#11 module (a ``.so``/``.dll`` from the vendor). :class:`Pkcs11Signer` opens a
token by its label, logs in with the PIN, finds the private key and its certificate by label
or id, and signs as :class:`~vbdt_exchange.signature.keys.Signer` says: RSA PKCS#1 v1.5,
RSASSA-PSS and ECDSA, with SHA-256/384/512 (never SHA-1). ECDSA signatures come back from a
token as ``r || s``; they are returned DER-encoded, like :mod:`cryptography` makes them.

When a token does not offer the hash-and-sign mechanism (``CKM_SHA256_RSA_PKCS``,
``CKM_ECDSA_SHA256``...), the message is hashed here and the token signs the digest with the
raw mechanism (``CKM_RSA_PKCS`` over a DigestInfo, ``CKM_RSA_PKCS_PSS``, ``CKM_ECDSA``), as
many smart cards require.

Needs ``python-pkcs11``: ``pip install 'vbdt-exchange[pkcs11]'``. It is imported only when a
token is opened.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vbdt_exchange.signature.keys import KeyLoadError, SignatureAlgorithm, SigningError

if TYPE_CHECKING:
    import pkcs11

__all__ = ["SOFTHSM_MODULE_PATHS", "Pkcs11Signer", "find_softhsm_module"]

_LOG = logging.getLogger(__name__)

SOFTHSM_MODULE_PATHS: tuple[str, ...] = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
    "/usr/local/opt/softhsm/lib/softhsm/libsofthsm2.so",
)
"""Where SoftHSM2 (a software token, for tests) installs its PKCS#11 module on common
systems; ``SOFTHSM2_MODULE`` in the environment comes first."""

_DIGEST_INFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}
_ALGORITHMS = frozenset(SignatureAlgorithm.__args__)  # type: ignore[attr-defined]


def find_softhsm_module() -> Path | None:
    """The SoftHSM2 PKCS#11 module on this machine, or ``None``.

    Looks at ``$SOFTHSM2_MODULE``, then :data:`SOFTHSM_MODULE_PATHS`.
    """
    candidates = [os.environ.get("SOFTHSM2_MODULE", ""), *SOFTHSM_MODULE_PATHS]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _import_pkcs11() -> Any:
    try:
        import pkcs11
    except ImportError as exc:  # pragma: no cover - the test environment has the extra
        raise KeyLoadError(
            "PKCS#11 tokens need python-pkcs11, which is not installed: "
            "pip install 'vbdt-exchange[pkcs11]'"
        ) from exc
    return pkcs11


class Pkcs11Signer:
    """A private key on a PKCS#11 token, with its certificate; a
    :class:`~vbdt_exchange.signature.keys.Signer`.

    Make one with :meth:`open`; close it (or use it as a context manager) to log out. Signing
    is serialised with a lock: a PKCS#11 session does one operation at a time.
    """

    def __init__(
        self,
        session: pkcs11.Session,
        key: Any,
        certificate: x509.Certificate,
        chain: Iterable[x509.Certificate] = (),
    ) -> None:
        self._session: pkcs11.Session | None = session
        self._key: Any = key  # a pkcs11.PrivateKey (its sign() comes from a mixin)
        self._certificate = certificate
        self._chain = tuple(chain)
        self._lock = threading.Lock()
        self._pkcs11 = _import_pkcs11()
        self._key_type = "ec" if key.key_type == self._pkcs11.KeyType.EC else "rsa"

    @classmethod
    def open(
        cls,
        module: str | Path | None = None,
        *,
        token_label: str,
        pin: str | bytes | None,
        key_label: str | None = None,
        key_id: bytes | None = None,
        certificate: x509.Certificate | None = None,
        certificate_label: str | None = None,
        certificate_id: bytes | None = None,
        chain: Iterable[x509.Certificate] = (),
    ) -> Pkcs11Signer:
        """Open ``token_label`` with ``module``, log in with ``pin`` and find the key.

        :param module: the vendor's PKCS#11 module; ``None`` reads ``$PKCS11_MODULE``.
        :param pin: the user PIN; ``None`` for a token with a PIN pad or no login.
        :param key_label: the private key's ``CKA_LABEL``; and/or
        :param key_id: its ``CKA_ID``. Neither: the token's only private key.
        :param certificate: the signer's certificate, when it is not on the token;
            otherwise it is looked up by ``certificate_label``/``certificate_id``, else by the
            key's label and id (tokens store the pair under the same ones).
        :param chain: intermediate certificates, nearest first.
        :raises KeyLoadError: the module, the token, the key or the certificate cannot be
            found, or the PIN is wrong (the message says which).
        """
        p11 = _import_pkcs11()
        path = str(module) if module is not None else os.environ.get("PKCS11_MODULE", "")
        if not path:
            raise KeyLoadError("no PKCS#11 module given (pass module= or set $PKCS11_MODULE)")
        if not Path(path).is_file():
            raise KeyLoadError(f"the PKCS#11 module {path} does not exist")
        try:
            library = p11.lib(path)
        except (p11.PKCS11Error, OSError, RuntimeError) as exc:
            raise KeyLoadError(f"cannot load the PKCS#11 module {path}: {exc!r}") from None
        try:
            token = library.get_token(token_label=token_label)
        except p11.NoSuchToken:
            raise KeyLoadError(f"no token labelled {token_label!r} in {path}") from None
        except p11.MultipleTokensReturned:
            raise KeyLoadError(f"several tokens are labelled {token_label!r} in {path}") from None
        try:
            session = token.open(user_pin=pin) if pin is not None else token.open()
        except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange):
            raise KeyLoadError(f"wrong PIN for the token {token_label!r}") from None
        except p11.PinLocked:
            raise KeyLoadError(f"the PIN of the token {token_label!r} is locked") from None
        except p11.PKCS11Error as exc:
            raise KeyLoadError(
                f"cannot open the token {token_label!r}: {type(exc).__name__}"
            ) from None
        try:
            key = _find_key(p11, session, key_label, key_id)
            cert = certificate or _find_certificate(
                p11,
                session,
                certificate_label or (None if certificate_id else key.label),
                certificate_id or (None if certificate_label else _attribute(p11, key, "ID")),
            )
            _check_pair(p11, key, cert)
            return cls(session, key, cert, chain)
        except BaseException:
            session.close()
            raise

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's certificate."""
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """Intermediate certificates, nearest first (not the root)."""
        return self._chain

    @property
    def key_label(self) -> str | None:
        """The private key's label on the token."""
        label: str | None = self._key.label
        return label

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        """Sign ``data`` on the token (see :class:`~vbdt_exchange.signature.keys.Signer`).

        :raises SigningError: an algorithm the key cannot do, a closed signer, or the token
            refusing (the PKCS#11 error is named).
        """
        if algorithm not in _ALGORITHMS:
            raise SigningError(f"unsupported signature algorithm {algorithm!r}")
        family, hash_name = algorithm.rsplit("-", 1)
        wanted = "ec" if family == "ecdsa" else "rsa"
        if wanted != self._key_type:
            raise SigningError(
                f"{algorithm} needs an {wanted.upper()} key; the token key "
                f"{self.key_label!r} is {self._key_type.upper()}"
            )
        p11 = self._pkcs11
        with self._lock:
            if self._session is None:
                raise SigningError("the PKCS#11 signer is closed")
            try:
                raw = self._sign(p11, data, family, hash_name)
            except p11.PKCS11Error as exc:
                raise SigningError(
                    f"the token refused to sign with {algorithm}: {type(exc).__name__}"
                ) from exc
        if family == "ecdsa":
            return bytes(p11.util.ec.encode_ecdsa_signature(raw))
        return bytes(raw)

    def _sign(self, p11: Any, data: bytes, family: str, hash_name: str) -> bytes:
        mech = p11.Mechanism
        upper = hash_name.upper()
        digest = hashlib.new(hash_name, data).digest()
        if family == "rsa":
            combined: tuple[Any, Any] = (getattr(mech, f"{upper}_RSA_PKCS"), None)
            fallback: tuple[Any, Any, bytes] = (
                mech.RSA_PKCS,
                None,
                _DIGEST_INFO[hash_name] + digest,
            )
        elif family == "rsa-pss":
            params = (getattr(mech, upper), getattr(p11.MGF, upper), len(digest))
            combined = (getattr(mech, f"{upper}_RSA_PKCS_PSS"), params)
            fallback = (mech.RSA_PKCS_PSS, params, digest)
        else:
            combined = (getattr(mech, f"ECDSA_{upper}"), None)
            fallback = (mech.ECDSA, None, digest)
        try:
            return bytes(self._key.sign(data, mechanism=combined[0], mechanism_param=combined[1]))
        except p11.MechanismInvalid:
            _LOG.debug("token lacks %s; hashing here and using %s", combined[0], fallback[0])
        return bytes(
            self._key.sign(fallback[2], mechanism=fallback[0], mechanism_param=fallback[1])
        )

    def close(self) -> None:
        """Log out and close the session; safe to call twice."""
        with self._lock:
            session, self._session = self._session, None
        if session is not None:
            session.close()

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._session is None else "open"
        return (
            f"<Pkcs11Signer {self._key_type.upper()} key {self.key_label!r} "
            f"for {self._certificate.subject.rfc4514_string()!r} ({state})>"
        )


def _attribute(p11: Any, obj: Any, name: str) -> Any:
    try:
        return obj[getattr(p11.Attribute, name)]
    except (p11.PKCS11Error, KeyError):
        return None


def _find_key(p11: Any, session: Any, label: str | None, key_id: bytes | None) -> Any:
    query: dict[Any, Any] = {p11.Attribute.CLASS: p11.ObjectClass.PRIVATE_KEY}
    if label is not None:
        query[p11.Attribute.LABEL] = label
    if key_id is not None:
        query[p11.Attribute.ID] = key_id
    keys = list(session.get_objects(query))
    what = _describe(label, key_id)
    if not keys:
        raise KeyLoadError(f"no private key {what} on the token")
    if len(keys) > 1:
        raise KeyLoadError(
            f"{len(keys)} private keys {what} on the token: give key_label or key_id"
        )
    return keys[0]


def _find_certificate(
    p11: Any, session: Any, label: str | None, cert_id: bytes | None
) -> x509.Certificate:
    query: dict[Any, Any] = {p11.Attribute.CLASS: p11.ObjectClass.CERTIFICATE}
    if label is not None:
        query[p11.Attribute.LABEL] = label
    if cert_id is not None:
        query[p11.Attribute.ID] = cert_id
    found = list(session.get_objects(query))
    what = _describe(label, cert_id)
    if not found:
        raise KeyLoadError(
            f"no certificate {what} on the token (pass certificate= if it is elsewhere)"
        )
    if len(found) > 1:
        raise KeyLoadError(
            f"{len(found)} certificates {what} on the token: give certificate_label or "
            "certificate_id"
        )
    try:
        return x509.load_der_x509_certificate(bytes(found[0][p11.Attribute.VALUE]))
    except ValueError as exc:
        raise KeyLoadError(f"the certificate {what} on the token is malformed: {exc}") from None


def _check_pair(p11: Any, key: Any, certificate: x509.Certificate) -> None:
    """The certificate's key type fits the token key, and an RSA modulus matches when the
    token shows it."""
    public = certificate.public_key()
    is_ec = key.key_type == p11.KeyType.EC
    if is_ec and not isinstance(public, ec.EllipticCurvePublicKey):
        raise KeyLoadError("the token key is EC but the certificate's key is not")
    if not is_ec:
        if not isinstance(public, rsa.RSAPublicKey):
            raise KeyLoadError("the token key is RSA but the certificate's key is not")
        modulus = _attribute(p11, key, "MODULUS")
        if modulus is not None and int.from_bytes(modulus, "big") != public.public_numbers().n:
            raise KeyLoadError(
                "the token key does not match the certificate "
                f"({certificate.subject.rfc4514_string()})"
            )


def _describe(label: str | None, object_id: bytes | None) -> str:
    parts: Sequence[str] = [
        *([f"labelled {label!r}"] if label is not None else []),
        *([f"with id {object_id.hex()}"] if object_id is not None else []),
    ]
    return " and ".join(parts) if parts else "(any)"
