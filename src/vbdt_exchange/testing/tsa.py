"""An RFC 3161 time-stamping authority on loopback HTTP, for testing PAdES B-T and above.

:class:`TSAServer` answers ``POST /`` (``application/timestamp-query`` in,
``application/timestamp-reply`` out) with tokens signed by a TSA certificate that a
:class:`~vbdt_exchange.testing.pki.TestPKI`'s intermediate issues (critical extended key usage
``timeStamping``, as RFC 3161 §2.3 requires). The tokens are made by pyHanko's
``DummyTimeStamper``, so this module needs the ``pdf`` extra. It listens on 127.0.0.1 only, on an
ephemeral port, from a daemon thread, and stops when the ``with`` block ends::

    with PKIServer.running() as pki_server, TSAServer(pki_server.pki) as tsa:
        sign_pdf(data, signer, level="b-t", tsa_url=tsa.url)

Nothing here is a real TSA: the certificate's subject says ``TEST``.
"""

from __future__ import annotations

import datetime
import http.server
import threading
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from vbdt_exchange.testing._loopback import LoopbackServer
from vbdt_exchange.testing.pki import _TEST_ORG, Party, TestPKI, _base_builder, _name

__all__ = ["TSAServer", "tsa_party"]

_MAX_REQUEST = 64 * 1024


def tsa_party(pki: TestPKI) -> Party:
    """A time-stamping certificate issued by ``pki``'s intermediate, with a fresh key.

    Subject ``Vietnam Time-Stamping Authority (TEST)``; key usage digitalSignature +
    contentCommitment; extended key usage ``timeStamping`` only, marked critical; valid from a
    year before ``pki.now`` to two years after. The key is RSA 2048 whatever the PKI's key type
    (pyHanko's token builder signs with RSA only).
    """
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer = pki.intermediate
    year = datetime.timedelta(days=365)
    cert = (
        _base_builder(
            _name(common_name="Vietnam Time-Stamping Authority (TEST)", organisation=_TEST_ORG),
            key,
            issuer.certificate.subject,
            issuer.private_key,
            pki.now - year,
            pki.now + 2 * year,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(issuer.private_key, hashes.SHA256())
    )
    return Party("tsa", cert, key, (cert, *issuer.chain))


class TSAServer(LoopbackServer):
    """A loopback RFC 3161 TSA for a :class:`TestPKI` (see the module docstring).

    :ivar party: the TSA's certificate, key and chain (:func:`tsa_party`).
    :ivar requests: how many time-stamp requests were answered.
    """

    def __init__(self, pki: TestPKI, *, fixed_time: datetime.datetime | None = None) -> None:
        try:
            from asn1crypto import keys as asn1_keys
            from asn1crypto import x509 as asn1_x509
            from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
            from pyhanko_certvalidator.registry import SimpleCertificateStore
        except ImportError as exc:  # pragma: no cover - the pdf extra is a dev dependency
            raise ImportError("the test TSA needs pyHanko: pip install vbdt-exchange[pdf]") from exc
        self.pki = pki
        self.party = tsa_party(pki)
        der = serialization.Encoding.DER
        store: Any = SimpleCertificateStore  # untyped in pyhanko-certvalidator
        self._stamper = _fast_stamper(DummyTimeStamper, self.party.private_key)(
            tsa_cert=asn1_x509.Certificate.load(self.party.certificate.public_bytes(der)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                self.party.private_key.private_bytes(
                    der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            ),
            certs_to_embed=store.from_certs(
                [asn1_x509.Certificate.load(c.public_bytes(der)) for c in self.party.chain[1:]]
            ),
            fixed_dt=fixed_time,
        )
        self.requests = 0
        self._lock = threading.Lock()

    _thread_name = "vbdt-test-tsa"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    def answer(self, request_der: bytes) -> bytes | None:
        """The DER ``TimeStampResp`` for a DER ``TimeStampReq``, or ``None`` if unparsable."""
        from asn1crypto import tsp

        try:
            request = tsp.TimeStampReq.load(request_der)
            request.native  # noqa: B018 - parse it all now, not lazily later
        except (ValueError, TypeError):
            return None
        with self._lock:
            self.requests += 1
        return bytes(self._stamper.request_tsa_response(request).dump())

    def start(self) -> TSAServer:
        """Bind an ephemeral loopback port and serve from a daemon thread."""
        if self._httpd is None:
            self._serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self)))
        return self


def _fast_stamper(base: Any, key: Any) -> Any:
    """``DummyTimeStamper`` loading and checking its RSA key for every token costs ~80 ms;
    this subclass signs with the key object it was given."""
    from cryptography.hazmat.primitives.asymmetric import padding

    class Stamper(base):  # type: ignore[misc]
        def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: Any) -> Any:
            from asn1crypto import cms, core
            from pyhanko.sign import general

            digest = getattr(hashes, md_algorithm.upper().replace("-", ""))()
            md = hashes.Hash(digest)
            md.update(tst_info_data)
            attribute: Any = general.simple_cms_attribute  # untyped in pyHanko
            signed_attrs = cms.CMSAttributes(
                [
                    attribute("content_type", "tst_info"),
                    attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                    attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),
                    attribute("message_digest", md.finalize()),
                ]
            )
            signature = key.sign(signed_attrs.dump(), padding.PKCS1v15(), digest)
            return signature, signed_attrs

    return Stamper


def _handler_for(server: TSAServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = 10
        server_version = "vbdt-test-tsa"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._send(411, "text/plain", b"length required\n")
                return
            if not 0 < length <= _MAX_REQUEST:
                self._send(413, "text/plain", b"request too large\n")
                return
            answer = server.answer(self.rfile.read(length))
            if answer is None:
                self._send(400, "text/plain", b"not a time-stamp request\n")
                return
            self._send(200, "application/timestamp-reply", answer)

    return Handler
