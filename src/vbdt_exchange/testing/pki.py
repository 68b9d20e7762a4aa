"""A throw-away public-key infrastructure for testing signatures.

Real Vietnamese certificates chain to the NEAC root (public CAs) or to the root of the Ban Cơ yếu
Chính phủ (official-use signatures); tests cannot use either. :class:`TestPKI` builds a small
look-alike in memory — a root, an intermediate, an organisation, a person, an expired person and a
revoked person — with a CRL, and :class:`PKIServer` serves the CRL, the CA certificates and an OCSP
responder over loopback HTTP. Keys are generated afresh on every call and never written anywhere
except where :meth:`Party.write` or :meth:`TestPKI.write` is told to write them.

Every CA subject says ``TEST``; nothing here is a real CA.

>>> import datetime
>>> pki = TestPKI.generate(now=datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC), key_type="ec")
>>> pki.organisation.common_name
'Văn phòng Chính phủ (TEST)'
>>> pki.organisation.organisation_identifier
'000.00.00.G22'
>>> [party.name for party in pki.chain_of(pki.person)]
['person', 'intermediate', 'root']
"""

from __future__ import annotations

import contextlib
import datetime
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Literal, TypeAlias

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    NameOID,
)

from vbdt_exchange.testing._loopback import LoopbackServer

__all__ = [
    "DEFAULT_BASE_URL",
    "DOCUMENT_SIGNING",
    "KeyType",
    "PKIServer",
    "Party",
    "PrivateKey",
    "TestPKI",
]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
"""The private keys the test PKI makes: RSA 2048 or EC P-256."""

KeyType: TypeAlias = Literal["rsa", "ec"]
"""``"rsa"`` (RSA 2048, the default) or ``"ec"`` (ECDSA P-256); both sign with SHA-256."""

DEFAULT_BASE_URL = "http://pki.invalid"
"""Where the certificates point when no server URL is given (``.invalid`` never resolves)."""

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
"""id-kp-documentSigning (RFC 9336), put in every leaf's extended key usage."""

_TEST_ORG = "vbdt-exchange TEST PKI - not a real CA"
_ORGAN_ID = "000.00.00.G22"
_MAX_OCSP_REQUEST = 64 * 1024


@attrs.frozen
class Party:
    """A certificate holder: its certificate, its private key and its chain (leaf to root).

    ``name`` is a short file-name stem (``"person"``, ``"root"``…) used by :meth:`write`.
    """

    name: str
    certificate: x509.Certificate = attrs.field(repr=False)
    private_key: PrivateKey = attrs.field(repr=False)
    chain: tuple[x509.Certificate, ...] = attrs.field(repr=False)

    @property
    def subject(self) -> x509.Name:
        """The certificate's subject."""
        return self.certificate.subject

    @property
    def common_name(self) -> str:
        """The subject's common name (CN)."""
        return _attribute(self.certificate.subject, NameOID.COMMON_NAME)

    @property
    def organisation_identifier(self) -> str | None:
        """The subject's ``organizationIdentifier`` (OID 2.5.4.97), if it has one."""
        values = self.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
        return str(values[0].value) if values else None

    @property
    def serial_number(self) -> int:
        """The certificate's serial number."""
        return self.certificate.serial_number

    def pem(self) -> bytes:
        """The certificate in PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def chain_pem(self) -> bytes:
        """The whole chain in PEM, leaf first."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    def key_pem(self, password: bytes | None = None) -> bytes:
        """The private key in PKCS#8 PEM, encrypted when ``password`` is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def pkcs12(self, password: bytes | None) -> bytes:
        """A PKCS#12 file with the key, the certificate and the CA certificates of the chain.

        ``None`` makes an unencrypted file (some tools refuse it; prefer a password).
        """
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return pkcs12.serialize_key_and_certificates(
            self.name.encode(),
            self.private_key,
            self.certificate,
            list(self.chain[1:]) or None,
            encryption,
        )

    def write(self, directory: str | Path, *, password: bytes | None = None) -> dict[str, Path]:
        """Write ``NAME.pem``, ``NAME-chain.pem``, ``NAME.key.pem``, ``NAME.p12`` into a folder.

        The directory is created if missing. ``password`` encrypts the key file and the PKCS#12
        file. Returns the paths written, keyed ``"cert"``, ``"chain"``, ``"key"``, ``"pkcs12"``.
        """
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        files = {
            "cert": (target / f"{self.name}.pem", self.pem()),
            "chain": (target / f"{self.name}-chain.pem", self.chain_pem()),
            "key": (target / f"{self.name}.key.pem", self.key_pem(password)),
            "pkcs12": (target / f"{self.name}.p12", self.pkcs12(password)),
        }
        for path, data in files.values():
            path.write_bytes(data)
        return {kind: path for kind, (path, _) in files.items()}


@attrs.frozen
class TestPKI:
    """A root CA, an intermediate CA, four leaves and a CRL, all made by :meth:`generate`.

    * ``root`` — self-signed, CN ``Vietnam National Root CA (TEST)`` (stands in for NEAC);
    * ``intermediate`` — CN ``Vietnam Government Signing CA (TEST)``, issued by the root; it
      issues the leaves, the CRL and the OCSP responses;
    * ``organisation`` — O and CN ``Văn phòng Chính phủ (TEST)``, with the organisation
      identifier ``000.00.00.G22`` in the ``organizationIdentifier`` attribute (OID 2.5.4.97);
    * ``person`` — a valid personal certificate;
    * ``expired`` — a personal certificate that expired a year before ``now``;
    * ``revoked`` — a personal certificate, valid by dates, revoked at ``revocation_time`` (one
      day before ``now``, reason key compromise) and listed in the CRL.

    Every leaf has key usage digitalSignature + contentCommitment (nonRepudiation), extended key
    usage emailProtection + id-kp-documentSigning, an AIA extension with the OCSP URL
    ``{base_url}/ocsp`` and the CA issuers URL ``{base_url}/ca.cer``, and a CRL distribution point
    ``{base_url}/crl``. The intermediate's AIA points at ``{base_url}/root.cer``.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class, despite its name

    now: datetime.datetime
    base_url: str
    key_type: KeyType
    root: Party
    intermediate: Party
    organisation: Party
    person: Party
    expired: Party
    revoked: Party
    revocation_time: datetime.datetime
    crl: x509.CertificateRevocationList = attrs.field(repr=False)

    @classmethod
    def generate(
        cls,
        *,
        now: datetime.datetime | None = None,
        key_type: KeyType = "rsa",
        base_url: str = DEFAULT_BASE_URL,
    ) -> TestPKI:
        """Make a fresh PKI whose certificates are valid at ``now`` (default: the current time).

        ``now`` must be timezone-aware; it is truncated to whole seconds, as certificates are.
        ``base_url`` is where the certificates say the CRL, the OCSP responder and the CA
        certificates are; :meth:`PKIServer.running` passes its own URL.
        """
        if key_type not in ("rsa", "ec"):
            raise ValueError(f"key_type must be 'rsa' or 'ec', not {key_type!r}")
        if now is None:
            now = datetime.datetime.now(datetime.UTC)
        elif now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        now = now.astimezone(datetime.UTC).replace(microsecond=0)
        base_url = base_url.rstrip("/")
        day = datetime.timedelta(days=1)
        year = 365 * day

        def new_key() -> PrivateKey:
            if key_type == "ec":
                return ec.generate_private_key(ec.SECP256R1())
            return rsa.generate_private_key(public_exponent=65537, key_size=2048)

        root_key = new_key()
        root_name = _name(common_name="Vietnam National Root CA (TEST)", organisation=_TEST_ORG)
        root_cert = _ca_certificate(
            subject=root_name,
            public_key=root_key,
            issuer_name=root_name,
            issuer_key=root_key,
            not_before=now - 10 * year,
            not_after=now + 10 * year,
            path_length=1,
            aia_url=None,
        )
        root = Party("root", root_cert, root_key, (root_cert,))

        ca_key = new_key()
        ca_cert = _ca_certificate(
            subject=_name(
                common_name="Vietnam Government Signing CA (TEST)", organisation=_TEST_ORG
            ),
            public_key=ca_key,
            issuer_name=root_name,
            issuer_key=root_key,
            not_before=now - 5 * year,
            not_after=now + 5 * year,
            path_length=0,
            aia_url=f"{base_url}/root.cer",
        )
        intermediate = Party("intermediate", ca_cert, ca_key, (ca_cert, root_cert))

        def leaf(
            name: str,
            subject: x509.Name,
            not_before: datetime.datetime,
            not_after: datetime.datetime,
        ) -> Party:
            key = new_key()
            cert = _leaf_certificate(
                subject=subject,
                public_key=key,
                issuer=intermediate,
                not_before=not_before,
                not_after=not_after,
                base_url=base_url,
            )
            return Party(name, cert, key, (cert, ca_cert, root_cert))

        organisation = leaf(
            "organisation",
            _name(
                common_name="Văn phòng Chính phủ (TEST)",
                organisation="Văn phòng Chính phủ (TEST)",
                organisation_identifier=_ORGAN_ID,
            ),
            now - year,
            now + 2 * year,
        )
        person = leaf(
            "person",
            _name(common_name="Nguyễn Văn An (TEST)", organisation="Văn phòng Chính phủ (TEST)"),
            now - year,
            now + 2 * year,
        )
        expired = leaf(
            "expired",
            _name(common_name="Trần Thị Bình (TEST)", organisation="Văn phòng Chính phủ (TEST)"),
            now - 3 * year,
            now - year,
        )
        revoked = leaf(
            "revoked",
            _name(common_name="Lê Văn Cường (TEST)", organisation="Văn phòng Chính phủ (TEST)"),
            now - year,
            now + 2 * year,
        )
        revocation_time = now - day

        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(now - datetime.timedelta(hours=1))
            .next_update(now + 7 * day)
            .add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(revoked.serial_number)
                .revocation_date(revocation_time)
                .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
                .build()
            )
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        return cls(
            now=now,
            base_url=base_url,
            key_type=key_type,
            root=root,
            intermediate=intermediate,
            organisation=organisation,
            person=person,
            expired=expired,
            revoked=revoked,
            revocation_time=revocation_time,
            crl=crl,
        )

    @property
    def parties(self) -> tuple[Party, ...]:
        """Every holder: root, intermediate, organisation, person, expired, revoked."""
        return (
            self.root,
            self.intermediate,
            self.organisation,
            self.person,
            self.expired,
            self.revoked,
        )

    @property
    def leaves(self) -> tuple[Party, ...]:
        """The certificates the intermediate issued: organisation, person, expired, revoked."""
        return (self.organisation, self.person, self.expired, self.revoked)

    def chain_of(self, party: Party) -> tuple[Party, ...]:
        """The parties of ``party``'s chain, leaf to root."""
        by_serial = {p.serial_number: p for p in self.parties}
        return tuple(by_serial[c.serial_number] for c in party.chain)

    def crl_der(self) -> bytes:
        """The intermediate's CRL in DER (what ``GET /crl`` serves)."""
        return self.crl.public_bytes(serialization.Encoding.DER)

    def crl_pem(self) -> bytes:
        """The intermediate's CRL in PEM."""
        return self.crl.public_bytes(serialization.Encoding.PEM)

    def write(self, directory: str | Path, *, password: bytes | None = None) -> list[Path]:
        """Write every party's files (see :meth:`Party.write`) and ``crl.der``/``crl.pem``.

        Returns the paths written, in order.
        """
        target = Path(directory)
        written: list[Path] = []
        for party in self.parties:
            written.extend(party.write(target, password=password).values())
        for path, data in (
            (target / "crl.der", self.crl_der()),
            (target / "crl.pem", self.crl_pem()),
        ):
            path.write_bytes(data)
            written.append(path)
        return written

    def ocsp_response(self, request_der: bytes) -> bytes:
        """Answer a DER OCSP request as the responder does: good, revoked or unknown.

        The answer is signed by the intermediate. A certificate it issued is ``good`` or
        ``revoked`` (with :attr:`revocation_time`, reason key compromise); any other serial or
        issuer gets ``unknown``. A nonce in the request is echoed. An unparsable request gets a
        ``malformedRequest`` response.
        """
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        issuer = self.intermediate.certificate
        algorithm = request.hash_algorithm
        issued: dict[int, x509.Certificate] = {p.serial_number: p.certificate for p in self.leaves}
        status = ocsp.OCSPCertStatus.UNKNOWN
        cert = issued.get(request.serial_number)
        if cert is not None:
            expected = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm).build()
            if (expected.issuer_name_hash, expected.issuer_key_hash) == (
                request.issuer_name_hash,
                request.issuer_key_hash,
            ):
                status = (
                    ocsp.OCSPCertStatus.REVOKED
                    if request.serial_number == self.revoked.serial_number
                    else ocsp.OCSPCertStatus.GOOD
                )
        revoked = status is ocsp.OCSPCertStatus.REVOKED
        builder = (
            ocsp.OCSPResponseBuilder()
            .add_response_by_hash(
                issuer_name_hash=request.issuer_name_hash,
                issuer_key_hash=request.issuer_key_hash,
                serial_number=request.serial_number,
                algorithm=algorithm,
                cert_status=status,
                this_update=self.now,
                next_update=self.now + datetime.timedelta(days=1),
                revocation_time=self.revocation_time if revoked else None,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
        )
        with contextlib.suppress(x509.ExtensionNotFound):
            nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
            builder = builder.add_extension(nonce, critical=False)
        response = builder.sign(self.intermediate.private_key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)


class PKIServer(LoopbackServer):
    """A loopback HTTP server for a :class:`TestPKI`: CRL, CA certificates and OCSP.

    Routes: ``GET /crl`` (DER CRL, ``application/pkix-crl``), ``GET /ca.cer`` (the
    intermediate, DER, ``application/pkix-cert``), ``GET /root.cer`` (the root), ``POST /ocsp``
    (DER ``application/ocsp-request`` in, ``application/ocsp-response`` out, see
    :meth:`TestPKI.ocsp_response`); anything else is 404. It listens on 127.0.0.1 only, on an
    ephemeral port, serves from a daemon thread and stops when the ``with`` block ends.

    Because the certificates must name the server's URL, the usual way is
    :meth:`running`, which binds first and then generates the PKI::

        with PKIServer.running() as server:
            pki = server.pki

    ``PKIServer(pki)`` serves a PKI made beforehand (its URLs then point elsewhere, which is fine
    when the client is given ``server.url`` directly).
    """

    def __init__(self, pki: TestPKI) -> None:
        self.pki = pki
        self.requests: list[str] = []
        """The path of every request received, in order (404s included)."""
        self._lock = threading.Lock()

    _thread_name = "vbdt-test-pki"

    @staticmethod
    def _bind(owner: list[PKIServer]) -> http.server.ThreadingHTTPServer:
        return http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(owner))

    @classmethod
    @contextlib.contextmanager
    def running(
        cls, *, now: datetime.datetime | None = None, key_type: KeyType = "rsa"
    ) -> Iterator[PKIServer]:
        """Bind a port, generate a :class:`TestPKI` pointing at it, serve it for the block."""
        owner: list[PKIServer] = []
        httpd = cls._bind(owner)
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}"
            server = cls(TestPKI.generate(now=now, key_type=key_type, base_url=url))
        except BaseException:
            httpd.server_close()
            raise
        owner.append(server)
        server._serve(httpd)
        with server:
            yield server

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PKIServer:
        """Bind an ephemeral loopback port and serve from a daemon thread."""
        if self._httpd is None:
            self._serve(self._bind([self]))
        return self

    def _record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)


def _handler_for(owner: list[PKIServer]) -> type[http.server.BaseHTTPRequestHandler]:
    """A request-handler class bound to the (single) server in ``owner``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = 10
        server_version = "vbdt-test-pki"

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server = owner[0]
            path = self.path.split("?", 1)[0]
            server._record(path)
            pki = server.pki
            der = serialization.Encoding.DER
            if path == "/crl":
                self._send(200, "application/pkix-crl", pki.crl_der())
            elif path == "/ca.cer":
                self._send(
                    200, "application/pkix-cert", pki.intermediate.certificate.public_bytes(der)
                )
            elif path == "/root.cer":
                self._send(200, "application/pkix-cert", pki.root.certificate.public_bytes(der))
            else:
                self._send(404, "text/plain", b"not found\n")

        def do_POST(self) -> None:
            server = owner[0]
            path = self.path.split("?", 1)[0]
            server._record(path)
            if path != "/ocsp":
                self._send(404, "text/plain", b"not found\n")
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._send(411, "text/plain", b"length required\n")
                return
            if not 0 < length <= _MAX_OCSP_REQUEST:
                self._send(413, "text/plain", b"request too large\n")
                return
            body = self.rfile.read(length)
            self._send(200, "application/ocsp-response", server.pki.ocsp_response(body))

    return Handler


# -- certificate building ----------------------------------------------------------------------


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    return str(name.get_attributes_for_oid(oid)[0].value)


def _name(
    *, common_name: str, organisation: str, organisation_identifier: str | None = None
) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if organisation_identifier is not None:
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organisation_identifier)
        )
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _base_builder(
    subject: x509.Name,
    public_key: PrivateKey,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.CertificateBuilder:
    """What every certificate of the test PKI has: names, key, a random serial, validity, and
    the subject and authority key identifiers."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )


def _ca_certificate(
    *,
    subject: x509.Name,
    public_key: PrivateKey,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    path_length: int,
    aia_url: str | None,
) -> x509.Certificate:
    builder = (
        _base_builder(subject, public_key, issuer_name, issuer_key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if aia_url is not None:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(aia_url),
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _leaf_certificate(
    *,
    subject: x509.Name,
    public_key: PrivateKey,
    issuer: Party,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    base_url: str,
) -> x509.Certificate:
    return (
        _base_builder(
            subject,
            public_key,
            issuer.certificate.subject,
            issuer.private_key,
            not_before,
            not_after,
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
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(f"{base_url}/ocsp"),
                    ),
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(f"{base_url}/ca.cer"),
                    ),
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(f"{base_url}/crl")],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .sign(issuer.private_key, hashes.SHA256())
    )
