"""Adapters between this library and pyHanko: a :class:`keys.Signer` as a pyHanko signer, and an
RFC 3161 client on httpx. Imported only when pyHanko is installed (the ``pdf`` extra)."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from typing import Any

import httpx
from asn1crypto import algos, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.sign.signers.pdf_cms import Signer as PyHankoSigner
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError, set_tsp_headers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vbdt_exchange.signature import keys
from vbdt_exchange.signature._pdf_errors import PdfSignatureError as SignatureError

__all__ = ["HttpxTimeStamper", "KeysSignerAdapter", "to_asn1"]

logger = logging.getLogger(__name__)


class _SuppliedRevocationData(logging.Filter):
    """pyHanko warns whenever B-LT is made without network fetching. This library fetches only
    when asked, and B-LT then uses the CRLs and OCSP responses the caller supplies (signing
    fails when they do not cover the chain), so that one warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "but fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_SuppliedRevocationData())

_DIGESTS = {"sha256": 32, "sha384": 48, "sha512": 64}
_MAX_TSA_RESPONSE = 1024 * 1024


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA bundle costs ~150 ms, and pyHanko
    asks the TSA twice per signature (a size estimate, then the real token)."""
    return ssl.create_default_context()


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """A :mod:`cryptography` certificate as :mod:`asn1crypto` (what pyHanko uses)."""
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


class KeysSignerAdapter(PyHankoSigner):
    """Any :class:`vbdt_exchange.signature.keys.Signer` as a pyHanko ``Signer``.

    The key never leaves the :class:`~vbdt_exchange.signature.keys.Signer`: pyHanko hands over the
    signed attributes and this adapter asks the signer to sign them with ``rsa-sha256``,
    ``rsa-pss-sha256`` (MGF1 with the same hash, salt as long as the hash) or ``ecdsa-sha256``
    (and the SHA-384/512 variants). A dry run (pyHanko's size estimate) never touches the key.
    """

    def __init__(self, signer: keys.Signer, *, digest: str = "sha256", pss: bool = False) -> None:
        if digest not in _DIGESTS:
            raise SignatureError(f"unsupported digest {digest!r}: use sha256, sha384 or sha512")
        public_key = signer.certificate.public_key()
        if isinstance(public_key, rsa.RSAPublicKey):
            self._kind = "rsa-pss" if pss else "rsa"
            self._size = (public_key.key_size + 7) // 8
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            if pss:
                raise SignatureError("RSASSA-PSS needs an RSA key; this certificate has an EC key")
            self._kind = "ecdsa"
            order_bytes = (public_key.curve.key_size + 7) // 8
            self._size = 2 * order_bytes + 9  # DER Ecdsa-Sig-Value, at most
        else:
            raise SignatureError(
                f"unsupported key type {type(public_key).__name__}: only RSA and EC keys sign PDFs"
            )
        self._signer = signer
        self._digest = digest
        store: Any = SimpleCertificateStore  # untyped in pyhanko-certvalidator
        registry = store.from_certs([to_asn1(c) for c in signer.chain])
        mechanism: algos.SignedDigestAlgorithm | None = None
        if self._kind == "rsa-pss":
            mechanism = algos.SignedDigestAlgorithm(
                {
                    "algorithm": "rsassa_pss",
                    "parameters": algos.RSASSAPSSParams(
                        {
                            "hash_algorithm": {"algorithm": digest},
                            "mask_gen_algorithm": {
                                "algorithm": "mgf1",
                                "parameters": {"algorithm": digest},
                            },
                            "salt_length": _DIGESTS[digest],
                        }
                    ),
                }
            )
        super().__init__(
            signing_cert=to_asn1(signer.certificate),
            cert_registry=registry,
            signature_mechanism=mechanism,
            prefer_pss=pss,
            embed_roots=False,
        )

    def _algorithm(self, digest_algorithm: str) -> keys.SignatureAlgorithm:
        digest = digest_algorithm.lower()
        if digest not in _DIGESTS:
            raise SignatureError(f"refusing to sign with digest {digest_algorithm!r}")
        name = f"{self._kind}-{digest}"
        return name  # type: ignore[return-value]  # one of keys.SignatureAlgorithm by construction

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        algorithm = self._algorithm(digest_algorithm)
        if dry_run:
            return bytes(self._size)
        # A token or a remote service may block: keep the event loop free.
        signature = await asyncio.to_thread(self._signer.sign, data, algorithm)
        if not isinstance(signature, bytes):
            raise SignatureError(f"the signer returned {type(signature).__name__}, not bytes")
        return signature


class HttpxTimeStamper(TimeStamper):
    """An RFC 3161 client on httpx (the HTTP library this project already uses).

    :param url: the TSA's URL (``http`` or ``https``).
    :param timeout: seconds for connecting and for reading the answer.
    """

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise SignatureError(f"the TSA URL must be http(s)://..., not {url!r}")
        self.url = url
        self.timeout = timeout
        super().__init__()  # type: ignore[no-untyped-call]

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        headers: dict[str, Any] = set_tsp_headers({})
        logger.info("asking %s for a time-stamp", self.url)
        body = bytearray()
        try:
            async with (
                httpx.AsyncClient(timeout=self.timeout, verify=_tls_context()) as client,
                client.stream("POST", self.url, content=req.dump(), headers=headers) as response,
            ):
                if response.status_code != 200:
                    raise TimestampRequestError(
                        f"the TSA at {self.url} answered HTTP {response.status_code}"
                    )
                kind = response.headers.get("Content-Type", "").split(";")[0].strip()
                if kind != "application/timestamp-reply":
                    raise TimestampRequestError(
                        f"the TSA at {self.url} did not answer with application/timestamp-reply"
                    )
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > _MAX_TSA_RESPONSE:
                        raise TimestampRequestError(
                            f"the TSA at {self.url} answered more than 1 MiB"
                        )
        except httpx.HTTPError as exc:
            raise TimestampRequestError(f"the TSA at {self.url} cannot be reached: {exc}") from exc
        try:
            answer = tsp.TimeStampResp.load(bytes(body))
            answer.native  # noqa: B018 - parse fully here, where errors can be reported
        except (ValueError, TypeError) as exc:
            raise TimestampRequestError(f"the TSA at {self.url} answered garbage") from exc
        return answer
