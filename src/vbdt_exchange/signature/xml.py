"""XML signatures on edXML packages: :func:`sign_package` and :func:`verify_package`.

**Signing** writes one enveloped XML-DSig signature (``ds:Signature`` in the XML-DSig namespace,
as the last child of ``edXMLHeader``) whose ``Reference URI=""`` covers the whole package —
header, manifest and every attachment — minus the signature itself: exclusive c14n, SHA-256,
RSA-SHA256 by default (RSASSA-PSS and ECDSA P-256 on request), the certificate and its chain in
``KeyInfo/X509Data``. The default profile ``"xades-b-b"`` adds XAdES baseline B signed
properties (signing time, ``SigningCertificateV2``) through a second reference; ``"xmldsig"``
writes the plain signature. Attachments are never held in memory: the package is written to a
temporary file, its digest is computed while streaming that file, and the file is copied to the
target with the signature put in.

**Verifying** accepts only that narrow profile (and its inclusive-c14n variants) and refuses
everything else with a ``SIG1xx`` finding that says why: signature wrapping (a reference to
anything but the whole document or this signature's own SignedProperties, duplicate Ids, a
signature outside ``edXMLHeader``, content in ``ds:Object``), XPath, XSLT and unknown transforms,
external URIs, ``RetrievalMethod``, HMAC, and SHA-1 unless the policy allows it. It returns a
:class:`Verification`: one :class:`SignatureCheck` per signature found, and the package read from
exactly the bytes that were digested — never from a second read of the input.

>>> from vbdt_exchange.signature.xml import PROFILES
>>> PROFILES
('xades-b-b', 'xmldsig')
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Literal, TypeAlias

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree

from vbdt_exchange import _xml
from vbdt_exchange.envelope import _scan
from vbdt_exchange.envelope import reader as _reader
from vbdt_exchange.envelope.limits import Limits
from vbdt_exchange.envelope.models import NS, Package, RawXml
from vbdt_exchange.envelope.reader import ReadOptions, ReadResult, Source
from vbdt_exchange.envelope.writer import write
from vbdt_exchange.errors import SignatureError
from vbdt_exchange.findings import Finding, FindingsView, Severity
from vbdt_exchange.signature import _xmldsig as dsig
from vbdt_exchange.signature import trust as _trust
from vbdt_exchange.signature.keys import (
    SignatureAlgorithm,
    Signer,
    SigningError,
    check_key_strength,
    default_algorithm,
)
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.rules import finding

__all__ = [
    "MAX_SIGNATURES",
    "PROFILES",
    "Profile",
    "ReferenceCheck",
    "SignResult",
    "SignatureCheck",
    "SignatureVerificationError",
    "Verification",
    "sign_package",
    "verify_package",
]

log = logging.getLogger(__name__)

Profile: TypeAlias = Literal["xades-b-b", "xmldsig"]
"""``"xades-b-b"`` (the default): XAdES baseline B — XML-DSig plus signed properties holding
the signing time and the signing certificate's SHA-256 digest, the form Thông tư 15/2025 names.
``"xmldsig"``: the plain enveloped signature, for receivers that cannot resolve the second
(``#Id``) reference."""
PROFILES: tuple[Profile, ...] = ("xades-b-b", "xmldsig")

_DS = f"{{{dsig.DSIG}}}"
_XA = f"{{{dsig.XADES}}}"
_MAX_PLACEHOLDER_SEARCH = 64 * 1024 * 1024
_COPY = 1024 * 1024
_SLACK = 64
MAX_SIGNATURES = 16
"""Signatures checked per package (each costs a parse of the package without its payloads);
more are reported as not checked (``SIG111``) and fail the verdict."""

#: Values every published sample carries (edXML §8, signatures.md §4.1).
PLACEHOLDER_SIGNATURE_VALUES = frozenset(
    {
        "GbVb8n9+qFxz466Ag0sbpVdLPs2R0+9JBekp12UyarAZjoG0W/kPZZJ1auRZDcNcrSwzgkQMpqrjwxcy3ejzbY/"
        "ON5USUPgoYNYM8p4wsgQpEAeQaZ+EWLkkEBxYjb+iWEiAjYuJI7gtJoOyENcOK4fO050SXp2ctOc32LJMA5eEI6"
        "Hw7sxhc2LAgcPiynJHdDW2Z+eut6QZiUsbIF9+S3T6u/tfLImw39dgSlCxupwLPHepxuiLOqyd08HeJGCZufg9W"
        "qRBVyLFM76uCIaPRP5wwAdx72GVjPcG2kh+2jjrt7fqtJOufJzCObtQgPgBqIvDiZCGoOM41OQMiqtF3w=="
    }
)
PLACEHOLDER_CERTIFICATES = frozenset({"MIIFqTCCBJG"})


class SignatureVerificationError(SignatureError):
    """Raised by :meth:`Verification.raise_for_verdict` when the verdict is not PASSED.

    :ivar verification: the :class:`Verification` (its findings say why).
    """

    def __init__(self, verification: Verification) -> None:
        reasons = "; ".join(f.message for f in verification.errors[:3]) or "; ".join(
            f.message for f in verification.warnings[:3]
        )
        super().__init__(f"signature verification {verification.indication}: {reasons}")
        self.verification = verification


# -- results -------------------------------------------------------------------------------------


@attrs.frozen
class SignResult:
    """What :func:`sign_package` wrote.

    :ivar size: the signed package's size in bytes.
    :ivar signature_id: the ``Id`` of the ``ds:Signature``.
    :ivar profile: :data:`Profile`.
    :ivar algorithm: the signature algorithm.
    :ivar digest: the base64 SHA-256 digest of the package (the ``DigestValue`` of
        ``Reference URI=""``).
    :ivar signing_time: the signing time written (XAdES), or ``None``.
    :ivar certificate: the signer's certificate.
    """

    size: int
    signature_id: str
    profile: Profile
    algorithm: SignatureAlgorithm
    digest: str
    signing_time: datetime.datetime | None
    certificate: x509.Certificate = attrs.field(repr=False)


@attrs.frozen
class ReferenceCheck:
    """One ``ds:Reference`` and whether its digest matched.

    :ivar uri: the ``URI`` attribute (``""`` for the whole package).
    :ivar what: what it covers (``"the package"``, ``"the signed properties"``).
    :ivar digest_algorithm: the ``DigestMethod`` URI.
    :ivar transforms: the transform URIs, in order.
    :ivar digest_matches: whether the computed digest equals ``DigestValue``.
    """

    uri: str
    what: str
    digest_algorithm: str
    transforms: tuple[str, ...]
    digest_matches: bool


@attrs.frozen
class SignatureCheck(FindingsView):
    """The verification of one signature element.

    :ivar indication: PASSED, INDETERMINATE (intact, but the signer is not known to be trusted)
        or FAILED.
    :ivar path: the element path of the signature.
    :ivar kind: ``"xmldsig"``, ``"xades-b-b"``, ``"legacy-edxml"`` (a Signature in the edXML
        namespace) or ``"placeholder"`` (a copied sample value or an empty DigitalSignature:
        not a signature, left out of the overall verdict).
    :ivar signer: the signer's certificate, when one was found.
    :ivar certificates: every certificate in ``KeyInfo``, signer first.
    :ivar signing_time: the time the signature *claims* (XAdES SigningTime), or ``None``.
    :ivar signature_algorithm: the ``SignatureMethod`` URI.
    :ivar canonicalization: the ``CanonicalizationMethod`` URI.
    :ivar references: :class:`ReferenceCheck` for each reference checked.
    :ivar certificate_report: the trust check, when a trust store was given.
    :ivar findings: what was noticed (errors make the indication FAILED).
    """

    indication: Indication
    path: str
    kind: str
    signer: x509.Certificate | None = attrs.field(default=None, repr=False)
    certificates: tuple[x509.Certificate, ...] = attrs.field(default=(), repr=False)
    signing_time: datetime.datetime | None = None
    signature_algorithm: str | None = None
    canonicalization: str | None = None
    references: tuple[ReferenceCheck, ...] = ()
    certificate_report: _trust.CertificateReport | None = attrs.field(default=None, repr=False)
    findings: tuple[Finding, ...] = ()

    @property
    def placeholder(self) -> bool:
        return self.kind == "placeholder"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``vbdt verify --json``."""
        signer = self.signer
        return {
            "indication": self.indication.value,
            "path": self.path,
            "kind": self.kind,
            "signer": None
            if signer is None
            else {
                "subject": signer.subject.rfc4514_string(),
                "issuer": signer.issuer.rfc4514_string(),
                "serial_number": format(signer.serial_number, "x"),
                "sha256": signer.fingerprint(hashes.SHA256()).hex(),
            },
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "signature_algorithm": self.signature_algorithm,
            "canonicalization": self.canonicalization,
            "references": [attrs.asdict(r) for r in self.references],
            "trust": None
            if self.certificate_report is None
            else {
                "indication": self.certificate_report.indication.value,
                "revocation": self.certificate_report.revocation,
            },
            "findings": [f.to_dict() for f in self.findings],
        }


@attrs.frozen
class Verification(FindingsView):
    """What :func:`verify_package` found.

    :ivar indication: the overall verdict: PASSED when every real signature passed, FAILED when
        one failed or there is none, INDETERMINATE otherwise. Placeholders do not count.
    :ivar signatures: a :class:`SignatureCheck` for each signature element, in document order.
    :ivar package: the package read from exactly the bytes that were digested, only when a
        signature PASSED (with ``VerificationPolicy(require_trust=False)``, when one is intact);
        ``None`` otherwise.
    :ivar read_findings: what the reader noticed about the package itself.
    :ivar findings: the overall findings and those of every signature.

    Use as a context manager, or call :meth:`close`, to remove the spooled attachments at once.
    """

    indication: Indication
    signatures: tuple[SignatureCheck, ...]
    package: Package | None = attrs.field(repr=False)
    read_findings: tuple[Finding, ...] = attrs.field(default=(), repr=False)
    findings: tuple[Finding, ...] = ()
    _result: ReadResult | None = attrs.field(default=None, repr=False, alias="result")

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    def raise_for_verdict(self) -> Verification:
        """Raise :class:`SignatureVerificationError` unless PASSED; return ``self`` otherwise."""
        if self.indication is not Indication.PASSED:
            raise SignatureVerificationError(self)
        return self

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``vbdt verify --json``."""
        return {
            "indication": self.indication.value,
            "signatures": [s.to_dict() for s in self.signatures],
            "findings": [f.to_dict() for f in self.findings],
        }

    def close(self) -> None:
        if self._result is not None:
            self._result.close()

    def __enter__(self) -> Verification:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- signing -------------------------------------------------------------------------------------


def sign_package(
    source: Package | Source,
    target: str | Path | BinaryIO,
    signer: Signer,
    *,
    algorithm: SignatureAlgorithm | None = None,
    profile: Profile = "xades-b-b",
    signing_time: datetime.datetime | None = None,
    strict: bool = True,
    read_options: ReadOptions | None = None,
) -> SignResult:
    """Sign a package and write it to ``target`` (a path or a binary stream).

    :param source: a :class:`~vbdt_exchange.envelope.models.Package`, or a package to read (a
        path, bytes or a binary stream); what is signed is the package as the writer writes
        it. A signature the package already has (a sample's placeholder) is replaced.
    :param signer: a :class:`~vbdt_exchange.signature.keys.Signer` (PKCS#12, PEM, PKCS#11,
        a callable).
    :param algorithm: default ``rsa-sha256`` for RSA keys, ``ecdsa-sha256`` for EC keys.
    :param profile: :data:`Profile`.
    :param signing_time: the XAdES signing time (default: now, UTC, whole seconds).
    :param strict: refuse a model the strict writer refuses (see
        :func:`~vbdt_exchange.envelope.writer.write`).
    :raises SigningError: the key is too weak or cannot sign with ``algorithm``.
    :raises vbdt_exchange.errors.EnvelopeError: the package cannot be read or written.
    """
    if profile not in PROFILES:
        raise SigningError(f"unknown profile {profile!r}: one of {', '.join(PROFILES)}")
    certificate = signer.certificate
    algorithm = algorithm or default_algorithm(certificate)
    if algorithm not in dsig.ALGORITHM_URIS:
        raise SigningError(
            f"unsupported signature algorithm {algorithm!r}: one of "
            f"{', '.join(dsig.ALGORITHM_URIS)} (never SHA-1)"
        )
    check_key_strength(certificate.public_key())
    if profile == "xades-b-b":
        signing_time = (signing_time or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
        if signing_time.tzinfo is None:
            raise SigningError("signing_time must be timezone-aware")
    else:
        signing_time = None
    with contextlib.ExitStack() as stack:
        if isinstance(source, Package):
            package: Package = source
        else:
            result = stack.enter_context(_reader.read(source, options=read_options))
            package = result.package
        if package.signature is not None:
            log.info("the package's existing signature is replaced")
        signature_id = f"sig-{uuid.uuid4().hex}"
        # the placeholder reserves room for the signature (the enveloped transform removes it
        # with its content, so its size does not change the digest): for a path target the
        # signature is then written in place, without copying the package once more
        value_size = _value_size(certificate)
        attachments = getattr(package, "attachments", ())
        owners = [(a.cid, a.name) for a in attachments]
        with_parts = profile == "xades-b-b"
        dummy_parts = dict.fromkeys(range(-1, len(owners)), b"\x00" * 32) if with_parts else None
        estimate = _signature_element(
            signature_id,
            b"\0" * 32,
            certificate,
            signer.chain,
            algorithm,
            profile,
            signing_time,
            lambda data: b"\0" * value_size,
            dummy_parts,
            owners,
        )
        room = len(etree.tostring(estimate)) + _SLACK
        empty = f'<ds:Signature xmlns:ds="{dsig.DSIG}" Id="{signature_id}">'
        placeholder = RawXml(empty + " " * (room - len(empty) - 15) + "</ds:Signature>")
        package = attrs.evolve(package, signature=placeholder)
        limits = (read_options or ReadOptions()).limits
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vbdt-sign-")))
        if isinstance(target, (str, Path)):
            final = Path(target)
            fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
            os.close(fd)
            unsigned = Path(name)
            stack.callback(unsigned.unlink, missing_ok=True)
        else:
            unsigned = work / "unsigned.edxml"
        write(package, unsigned, strict=strict)
        parts: dict[int, bytes] | None = {} if with_parts else None
        digest = _digest_for_signing(unsigned, signature_id, work, limits, parts)
        if parts is not None and len(parts) != len(owners) + 1:  # pragma: no cover
            raise SigningError("the written package does not hold the attachments expected")
        element = _signature_element(
            signature_id,
            digest,
            certificate,
            signer.chain,
            algorithm,
            profile,
            signing_time,
            functools.partial(_sign_value, signer, algorithm),
            parts,
            owners,
        )
        signature_xml = etree.tostring(element)
        if isinstance(target, (str, Path)) and _patch_in_place(
            unsigned, signature_id, signature_xml
        ):
            size = unsigned.stat().st_size
            os.replace(unsigned, target)
        else:
            size = _put_signature(unsigned, signature_id, signature_xml, target)
    log.debug("signed a %s package (%s, %s): %d bytes", package.kind, profile, algorithm, size)
    return SignResult(
        size=size,
        signature_id=signature_id,
        profile=profile,
        algorithm=algorithm,
        digest=dsig.b64encode(digest),
        signing_time=signing_time,
        certificate=certificate,
    )


def _digest_for_signing(
    path: Path,
    signature_id: str,
    work: Path,
    limits: Limits,
    parts: dict[int, bytes] | None = None,
) -> bytes:
    spool = work / "spool"
    spool.mkdir()
    with open(path, "rb") as stream:
        scan = _scan.scan(
            stream,
            limits=limits,
            recover=False,
            spool_dir=spool,
            keep_raw=True,
            decode=False,
        )
    root = _xml.parse(scan.skeleton)
    found = [el for el in root.iter(f"{_DS}Signature") if el.get("Id") == signature_id]
    if len(found) != 1:  # pragma: no cover - the writer put exactly one there
        raise SigningError("the signature placeholder was not written exactly once")
    dsig.remove_keeping_tail(found[0])
    try:
        digest = dsig.document_digest(root, scan, exclusive=True, hash_name="sha256", parts=parts)
    except dsig.DigestError as exc:  # pragma: no cover - the writer writes plain base64
        raise SigningError(f"cannot digest the written package ({exc.rule})") from None
    shutil.rmtree(spool, ignore_errors=True)
    return digest


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    el = etree.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _value_size(certificate: x509.Certificate) -> int:
    """The size of a SignatureValue made with the certificate's key (RSA; EC ``r || s``)."""
    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 2 * ((key.curve.key_size + 7) // 8)
    return (key.key_size + 7) // 8  # type: ignore[union-attr]


def _sign_value(signer: Signer, algorithm: SignatureAlgorithm, data: bytes) -> bytes:
    raw = signer.sign(data, algorithm)
    if algorithm.startswith("ecdsa-"):
        key = signer.certificate.public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey)
        try:
            raw = dsig.ecdsa_to_raw(raw, key.curve.key_size)
        except ValueError as exc:
            raise SigningError(f"the signer returned no DER ECDSA signature: {exc}") from None
    return raw


def _signature_element(
    signature_id: str,
    digest: bytes,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    algorithm: SignatureAlgorithm,
    profile: Profile,
    signing_time: datetime.datetime | None,
    sign: Callable[[bytes], bytes],
    parts: dict[int, bytes] | None = None,
    owners: list[tuple[str, str]] | None = None,
) -> etree._Element:
    sha256 = dsig.DIGEST_URIS["sha256"]
    nsmap = {"ds": dsig.DSIG}
    signature = etree.Element(f"{_DS}Signature", {"Id": signature_id}, nsmap=nsmap)
    signed_info = _sub(signature, f"{_DS}SignedInfo")
    _sub(signed_info, f"{_DS}CanonicalizationMethod", Algorithm=dsig.EXC_C14N)
    _sub(signed_info, f"{_DS}SignatureMethod", Algorithm=dsig.ALGORITHM_URIS[algorithm])
    reference = _sub(signed_info, f"{_DS}Reference", URI="")
    transforms = _sub(reference, f"{_DS}Transforms")
    _sub(transforms, f"{_DS}Transform", Algorithm=dsig.ENVELOPED)
    _sub(transforms, f"{_DS}Transform", Algorithm=dsig.EXC_C14N)
    _sub(reference, f"{_DS}DigestMethod", Algorithm=sha256)
    _sub(reference, f"{_DS}DigestValue", dsig.b64encode(digest))
    properties_ref = None
    if profile == "xades-b-b":
        properties_id = f"{signature_id}-signed-properties"
        properties_ref = _sub(
            signed_info,
            f"{_DS}Reference",
            URI=f"#{properties_id}",
            Type=dsig.SIGNED_PROPERTIES_TYPE,
        )
        transforms = _sub(properties_ref, f"{_DS}Transforms")
        _sub(transforms, f"{_DS}Transform", Algorithm=dsig.EXC_C14N)
        _sub(properties_ref, f"{_DS}DigestMethod", Algorithm=sha256)
    parts_ref = None
    if parts is not None:
        parts_id = f"{signature_id}-parts"
        parts_ref = _sub(
            signed_info,
            f"{_DS}Reference",
            URI=f"#{parts_id}",
            Type=dsig.SIGNATURE_PROPERTIES_TYPE,
        )
        transforms = _sub(parts_ref, f"{_DS}Transforms")
        _sub(transforms, f"{_DS}Transform", Algorithm=dsig.EXC_C14N)
        _sub(parts_ref, f"{_DS}DigestMethod", Algorithm=sha256)
    value = _sub(signature, f"{_DS}SignatureValue")
    key_info = _sub(signature, f"{_DS}KeyInfo")
    x509_data = _sub(key_info, f"{_DS}X509Data")
    for cert in (certificate, *chain):
        _sub(x509_data, f"{_DS}X509Certificate", dsig.b64encode(_der(cert)))
    if properties_ref is not None:
        assert signing_time is not None
        obj = _sub(signature, f"{_DS}Object")
        qualifying = etree.SubElement(
            obj,
            f"{_XA}QualifyingProperties",
            {"Target": f"#{signature_id}"},
            nsmap={"xades": dsig.XADES},
        )
        properties = _sub(qualifying, f"{_XA}SignedProperties", Id=properties_id)
        ssp = _sub(properties, f"{_XA}SignedSignatureProperties")
        _sub(
            ssp,
            f"{_XA}SigningTime",
            signing_time.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        cert_el = _sub(_sub(ssp, f"{_XA}SigningCertificateV2"), f"{_XA}Cert")
        cert_digest = _sub(cert_el, f"{_XA}CertDigest")
        _sub(cert_digest, f"{_DS}DigestMethod", Algorithm=sha256)
        _sub(
            cert_digest,
            f"{_DS}DigestValue",
            dsig.b64encode(hashlib.sha256(_der(certificate)).digest()),
        )
        properties_digest = hashlib.sha256(dsig.canonical(properties, True, False)).digest()
        _sub(properties_ref, f"{_DS}DigestValue", dsig.b64encode(properties_digest))
    if parts_ref is not None and parts is not None:
        properties_el = _sub(_sub(signature, f"{_DS}Object"), f"{_DS}SignatureProperties")
        properties_el.set("Id", parts_id)
        holder = _sub(properties_el, f"{_DS}SignatureProperty", Target=f"#{signature_id}")
        digests = etree.SubElement(
            holder,
            f"{{{dsig.PARTS}}}PartDigests",
            {"Algorithm": sha256},
            nsmap={"vbdt": dsig.PARTS},
        )
        _sub(digests, f"{{{dsig.PARTS}}}Part", dsig.b64encode(parts[-1]), Name="document")
        for index, (cid, name) in enumerate(owners or ()):
            _sub(
                digests,
                f"{{{dsig.PARTS}}}Part",
                dsig.b64encode(parts[index]),
                Name="attachment",
                Index=str(index + 1),
                ContentId=cid,
                AttachmentName=name,
            )
        parts_digest = hashlib.sha256(dsig.canonical(properties_el, True, False)).digest()
        _sub(parts_ref, f"{_DS}DigestValue", dsig.b64encode(parts_digest))
    raw = sign(dsig.canonical(signed_info, True, False))
    value.text = dsig.b64encode(raw)
    return signature


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _placeholder_pattern(signature_id: str) -> re.Pattern[bytes]:
    return re.compile(
        rb"<ds:Signature\s[^<>]*Id=\"" + re.escape(signature_id.encode()) + rb"\"[^<>]*"
        rb"(?:/>|>\s*</ds:Signature>)"
    )


def _patch_in_place(path: Path, signature_id: str, signature_xml: bytes) -> bool:
    """Write the signature over the placeholder when it fits (padded with whitespace inside the
    Signature element, outside what it signs); ``False`` when it does not."""
    pattern = _placeholder_pattern(signature_id)
    with open(path, "r+b") as stream:
        head = b""
        match = None
        while match is None and len(head) <= _MAX_PLACEHOLDER_SEARCH:
            chunk = stream.read(_COPY)
            if not chunk:
                break
            head += chunk
            match = pattern.search(head)
        if match is None:  # pragma: no cover - the writer put it in the header
            raise SigningError("the signature placeholder was not found in the written file")
        room = match.end() - match.start()
        close = b"</ds:Signature>"
        if len(signature_xml) > room or not signature_xml.endswith(close):
            return False
        padded = signature_xml[: -len(close)] + b" " * (room - len(signature_xml)) + close
        stream.seek(match.start())
        stream.write(padded)
    return True


def _put_signature(
    unsigned: Path, signature_id: str, signature_xml: bytes, target: str | Path | BinaryIO
) -> int:
    """Copy ``unsigned`` to ``target`` with the placeholder replaced by the signature."""
    pattern = _placeholder_pattern(signature_id)
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(open(unsigned, "rb"))
        if isinstance(target, (str, Path)):
            path = Path(target)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            out: BinaryIO = stack.enter_context(os.fdopen(fd, "wb"))
        else:
            out, tmp = target, None
        try:
            head = b""
            while True:
                chunk = source.read(_COPY)
                head += chunk
                match = pattern.search(head)
                if match or not chunk or len(head) > _MAX_PLACEHOLDER_SEARCH:
                    break
            if match is None:  # pragma: no cover - the writer put it in the header
                raise SigningError("the signature placeholder was not found in the written file")
            out.write(head[: match.start()])
            out.write(signature_xml)
            out.write(head[match.end() :])
            size = len(head) - (match.end() - match.start()) + len(signature_xml)
            while chunk := source.read(_COPY):
                out.write(chunk)
                size += len(chunk)
            if tmp is not None:
                out.close()
                os.replace(tmp, target)  # type: ignore[arg-type]
        except BaseException:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            raise
    return size


# -- verification --------------------------------------------------------------------------------


def verify_package(
    source: Source,
    *,
    trust: _trust.TrustStore | None = None,
    policy: VerificationPolicy | None = None,
    options: ReadOptions | None = None,
    spool_dir: str | Path | None = None,
) -> Verification:
    """Verify every signature of a package and return what the signatures cover.

    :param source: a path, the package's bytes, or a binary stream (read once).
    :param trust: trust anchors for the signer certificates; without one, integrity is checked
        and the verdict is INDETERMINATE (unless ``policy.require_trust`` is ``False``).
    :param policy: :class:`~vbdt_exchange.signature.policy.VerificationPolicy` (SHA-1,
        revocation, the validation time).
    :param options: how the package itself is read (:class:`ReadOptions`).
    :param spool_dir: where attachments are spooled (see :func:`~vbdt_exchange.envelope.read`).
    :raises vbdt_exchange.errors.EnvelopeReadError: the file cannot be read at all.
    """
    policy = policy or VerificationPolicy()
    options = options or ReadOptions()
    spool = _reader._Spool(Path(spool_dir) if spool_dir is not None else None)
    try:
        with _reader._open(source) as stream:
            scan = _scan.scan(
                stream,
                limits=options.limits,
                recover=options.recover,
                spool_dir=spool.path,
                keep_raw=True,
            )
        for payload in scan.payloads:
            for path in (payload.path, payload.raw_path):
                if path is not None:
                    spool.track(path)
        result = _reader._read_scanned(scan, options, spool)
        checks = _verify_scan(scan, result, trust, policy)
    except BaseException:
        spool.close()
        raise
    real = [c for c in checks if not c.placeholder]
    overall: list[Finding] = []
    if not real:
        indication = Indication.FAILED
        overall.append(finding("SIG101"))
    elif any(c.indication is Indication.FAILED for c in real):
        indication = Indication.FAILED
    elif all(c.indication is Indication.PASSED for c in real):
        indication = Indication.PASSED
    else:
        indication = Indication.INDETERMINATE
    keep = any(c.indication is Indication.PASSED for c in real)
    for payload in scan.payloads:  # the raw texts are no longer needed
        if payload.raw_path is not None:
            payload.raw_path.unlink(missing_ok=True)
    if not keep:
        result.close()
    findings = tuple(overall) + tuple(f for c in checks for f in c.findings)
    log.debug("verified a package: %s, %d signature(s)", indication, len(checks))
    return Verification(
        indication=indication,
        signatures=tuple(checks),
        package=result.package if keep else None,
        read_findings=result.findings,
        findings=findings,
        result=result if keep else None,
    )


_SIGNATURE_TAGS = (f"{_DS}Signature", f"{{{NS}}}Signature", f"{{{NS}}}DigitalSignature")
_REPAIRS = frozenset({"EDX002", "EDX003", "EDX007"})


def _verify_scan(
    scan: _scan.ScanResult,
    result: ReadResult,
    trust: _trust.TrustStore | None,
    policy: VerificationPolicy,
) -> list[SignatureCheck]:
    if any(f.rule in _REPAIRS for f in result.findings):
        return _repaired(result)
    root = _xml.parse(scan.skeleton)
    checks = []
    for count, element in enumerate(root.iter(*_SIGNATURE_TAGS)):
        if count < MAX_SIGNATURES:
            checks.append(_Check(root, element, scan, policy, trust).run())
            continue
        path = _element_path(element)
        detail = f"more than {MAX_SIGNATURES} signatures: this one was not checked"
        f = finding("SIG111", path=path, line=scan.original_line(element.sourceline), detail=detail)
        checks.append(SignatureCheck(Indication.FAILED, path, "xmldsig", findings=(f,)))
    return checks


def _repaired(result: ReadResult) -> list[SignatureCheck]:
    """A repaired file: only a placeholder can still be recognised (in the kept signature)."""
    signature = result.package.signature
    if signature is None:
        return []
    element = signature.element()
    path = "/edXML/edXMLEnvelope/edXMLHeader/" + etree.QName(element).localname
    detail = _placeholder(element)
    if detail is not None:
        f = finding("SIG102", path=path, detail=detail)
        return [SignatureCheck(Indication.FAILED, path, "placeholder", findings=(f,))]
    f = finding("SIG104", path=path)
    return [SignatureCheck(Indication.FAILED, path, "xmldsig", findings=(f,))]


def _load_certificate(der: bytes) -> x509.Certificate:
    """A KeyInfo certificate, every part parsed now (ValueError when one is malformed): the
    parsers are lazy, and a malformed name or key would otherwise raise later, unchecked."""
    try:
        certificate = x509.load_der_x509_certificate(der)
    except x509.InvalidVersion as exc:  # not a ValueError
        raise ValueError(str(exc)) from None
    problem = _trust._unparsable(certificate)
    if problem is not None:
        raise ValueError(problem)
    return certificate


def _text_of(el: etree._Element | None) -> str:
    return "" if el is None or el.text is None else el.text


def _placeholder(sig: etree._Element) -> str | None:
    """Why ``sig`` is a copied placeholder, or ``None``."""
    if etree.QName(sig).localname == "DigitalSignature":
        if len(sig) == 0 and not (sig.text or "").strip():
            return "an empty DigitalSignature element"
        return None
    for el in sig.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        text = re.sub(r"\s+", "", "".join(el.itertext()))
        if local == "SignatureValue" and text in PLACEHOLDER_SIGNATURE_VALUES:
            return "the SignatureValue shared by every published sample"
        if local == "X509Certificate" and text in PLACEHOLDER_CERTIFICATES:
            return f"a truncated certificate {text!r}"
    return None


class _Failed(Exception):
    """Stop checking one signature: a structural error was recorded."""


_C14N_DETAIL = (
    "only the enveloped-signature transform and c14n 1.0 (inclusive or exclusive)",
    "chỉ chấp nhận enveloped-signature và c14n 1.0 (bao hàm hoặc loại trừ)",
)


_OWN = {
    "properties": (
        "the signed properties",
        "các thuộc tính đã ký",
        "the signing time or the signing certificate",
        "thời điểm ký hoặc chứng thư ký",
    ),
    "keyinfo": ("the key info", "KeyInfo", "the certificates", "các chứng thư"),
    "parts": ("the part digests", "giá trị băm từng phần", "they", "chúng"),
}


class _Check:
    """The verification of one signature element (one instance per signature)."""

    def __init__(
        self,
        root: etree._Element,
        sig: etree._Element,
        scan: _scan.ScanResult,
        policy: VerificationPolicy,
        trust: _trust.TrustStore | None,
    ) -> None:
        self.root = root
        self.sig = sig
        self.scan = scan
        self.policy = policy
        self.trust = trust
        self.ns = etree.QName(sig).namespace or ""
        self.q = f"{{{self.ns}}}"
        self.path = _element_path(sig)
        self.findings: list[Finding] = []
        self.kind = "legacy-edxml" if self.ns == NS else "xmldsig"
        self.references: list[ReferenceCheck] = []
        self.certificates: tuple[x509.Certificate, ...] = ()
        self.signer: x509.Certificate | None = None
        self.signing_time: datetime.datetime | None = None
        self.method: str | None = None
        self.c14n: str | None = None
        self.report: _trust.CertificateReport | None = None
        self.parts_el: etree._Element | None = None  # this library's vbdt:PartDigests holder
        self.parts: dict[int, bytes] = {}  # the computed part digests (with parts_el)
        self.exclusive = True  # the c14n of the package reference

    # -- findings ---------------------------------------------------------------------------
    def note(self, rule: str, el: etree._Element | None = None, **details: Any) -> None:
        el = self.sig if el is None else el
        line = self.scan.original_line(el.sourceline)
        self.findings.append(finding(rule, path=_element_path(el), line=line, **details))

    def fail(self, rule: str, el: etree._Element | None = None, **details: Any) -> _Failed:
        self.note(rule, el, **details)
        return _Failed()

    # -- the check --------------------------------------------------------------------------
    def run(self) -> SignatureCheck:
        placeholder = _placeholder(self.sig)
        if placeholder is not None:
            self.note("SIG102", detail=placeholder)
            return self._result(Indication.FAILED, kind="placeholder")
        if etree.QName(self.sig).localname == "DigitalSignature":
            self.note("SIG103", detail="a DigitalSignature element with content")
            return self._result(Indication.FAILED)
        try:
            indication = self._check()
        except _Failed:
            indication = Indication.FAILED
        if self.kind == "legacy-edxml":
            if indication is Indication.FAILED:
                self.note("SIG103", detail="and the library's legacy verifier refused it")
            else:
                self.findings.append(
                    attrs.evolve(
                        finding(
                            "SIG103",
                            path=self.path,
                            detail="verified by the library's legacy verifier",
                        ),
                        severity=Severity.WARNING,
                    )
                )
        return self._result(indication)

    def _result(self, indication: Indication, kind: str | None = None) -> SignatureCheck:
        return SignatureCheck(
            indication=indication,
            path=self.path,
            kind=kind or self.kind,
            signer=self.signer,
            certificates=self.certificates,
            signing_time=self.signing_time,
            signature_algorithm=self.method,
            canonicalization=self.c14n,
            references=tuple(self.references),
            certificate_report=self.report,
            findings=tuple(self.findings),
        )

    def _check(self) -> Indication:
        self._location()
        self._no_markup_in_values()
        signed_info, value_el, key_info, objects = self._children()
        properties = self._objects(objects)
        exclusive, comments = self._canonicalization(signed_info)
        kind, hash_name = self._method(signed_info)
        document_ref, own = self._references(signed_info, properties, key_info)
        self.certificates = self._key_info(key_info)
        self.signer = self._signer(properties)
        if self.findings and any(f.is_error for f in self.findings):
            raise _Failed()
        intact = True
        document_intact = self._document(document_ref)
        parts_intact = False
        for ref, target in own:
            what = (
                "properties"
                if target is properties
                else ("parts" if target is self.parts_el else "keyinfo")
            )
            matches = self._own(ref, target, what=what)
            intact = intact and matches
            parts_intact = parts_intact or (what == "parts" and matches)
        if not document_intact:
            intact = False
            if parts_intact:
                self._locate(document_ref)
        try:
            value = dsig.b64decode(_text_of(value_el))
        except ValueError:
            raise self.fail("SIG111", value_el, detail="SignatureValue is not base64") from None
        data = dsig.canonical(signed_info, exclusive, comments)
        assert self.signer is not None
        problem = dsig.verify_value(self.signer, kind, hash_name, value, data)
        if problem is not None:
            detail = f" ({problem})" if problem else ""
            self.note("SIG131", value_el, detail=detail, detail_vi=detail)
            intact = False
        if not intact:
            return Indication.FAILED
        self.findings.append(finding("SIG142", path=self.path))
        return self._trusted()

    # -- structure ----------------------------------------------------------------------------
    def _location(self) -> None:
        parent = self.sig.getparent()
        envelope = parent.getparent() if parent is not None else None
        if (
            parent is None
            or parent.tag != f"{{{NS}}}edXMLHeader"
            or envelope is None
            or envelope.tag != f"{{{NS}}}edXMLEnvelope"
            or envelope.getparent() is not self.root
        ):
            raise self.fail("SIG110", where=self.path)

    def _no_markup_in_values(self) -> None:
        for el in self.sig.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if local in (
                "DigestValue",
                "SignatureValue",
                "X509Certificate",
                "SigningTime",
            ) and len(el):
                raise self.fail("SIG124", el, name=local)

    def _children(
        self,
    ) -> tuple[etree._Element, etree._Element, etree._Element | None, list[etree._Element]]:
        q = self.q
        kids = [k for k in self.sig if isinstance(k.tag, str)]
        names = [k.tag for k in kids]
        if names[:2] != [f"{q}SignedInfo", f"{q}SignatureValue"]:
            raise self.fail(
                "SIG111", detail="Signature must start with SignedInfo and SignatureValue"
            )
        key_info = None
        rest = kids[2:]
        if rest and rest[0].tag == f"{q}KeyInfo":
            key_info, rest = rest[0], rest[1:]
        for el in rest:
            if el.tag != f"{q}Object":
                raise self.fail(
                    "SIG111", el, detail=f"unexpected {etree.QName(el).localname} in Signature"
                )
        return kids[0], kids[1], key_info, rest

    def _objects(self, objects: list[etree._Element]) -> etree._Element | None:
        """The SignedProperties of this signature's XAdES QualifyingProperties, if any."""
        properties = None
        for obj in objects:
            kids = [k for k in obj if isinstance(k.tag, str)]
            if (
                properties is None
                and len(kids) == 1
                and kids[0].tag == f"{_XA}QualifyingProperties"
            ):
                qualifying = kids[0]
                sig_id = self.sig.get("Id")
                if sig_id is None or qualifying.get("Target") != f"#{sig_id}":
                    raise self.fail(
                        "SIG111",
                        qualifying,
                        detail="QualifyingProperties/@Target does not name this Signature's Id",
                    )
                parts = [k for k in qualifying if isinstance(k.tag, str)]
                signed = [k for k in parts if k.tag == f"{_XA}SignedProperties"]
                others = [
                    k
                    for k in parts
                    if k.tag not in (f"{_XA}SignedProperties", f"{_XA}UnsignedProperties")
                ]
                if len(signed) != 1 or others:
                    raise self.fail(
                        "SIG123",
                        qualifying,
                        detail="QualifyingProperties other than one SignedProperties",
                        detail_vi="QualifyingProperties khác ngoài một SignedProperties",
                    )
                properties = signed[0]
                self.kind = "xades-b-b" if self.kind == "xmldsig" else self.kind
                continue
            if self.parts_el is None and len(kids) == 1 and self._part_digests(kids[0]):
                self.parts_el = kids[0]
                continue
            raise self.fail(
                "SIG123",
                obj,
                detail="a ds:Object with content other than XAdES QualifyingProperties",
                detail_vi="một ds:Object có nội dung khác ngoài XAdES QualifyingProperties",
            )
        return properties

    def _part_digests(self, el: etree._Element) -> bool:
        """Whether ``el`` is this library's ``ds:SignatureProperties`` of part digests."""
        if el.tag != f"{_DS}SignatureProperties" or el.get("Id") is None:
            return False
        props = [k for k in el if isinstance(k.tag, str)]
        if len(props) != 1 or props[0].tag != f"{_DS}SignatureProperty":
            return False
        if props[0].get("Target") != f"#{self.sig.get('Id')}":
            return False
        inner = [k for k in props[0] if isinstance(k.tag, str)]
        return len(inner) == 1 and inner[0].tag == f"{{{dsig.PARTS}}}PartDigests"

    def _canonicalization(self, signed_info: etree._Element) -> tuple[bool, bool]:
        kids = [k for k in signed_info if isinstance(k.tag, str)]
        if not kids or kids[0].tag != f"{self.q}CanonicalizationMethod":
            raise self.fail(
                "SIG111", signed_info, detail="SignedInfo must start with CanonicalizationMethod"
            )
        method = kids[0]
        uri = method.get("Algorithm", "")
        self.c14n = uri
        if uri not in dsig.C14N_METHODS:
            raise self.fail("SIG112", method, uri=uri)
        if any(isinstance(k.tag, str) for k in method):
            raise self.fail("SIG112", method, uri=uri + " with parameters (InclusiveNamespaces)")
        return dsig.C14N_METHODS[uri]

    def _method(self, signed_info: etree._Element) -> tuple[str, str]:
        kids = [k for k in signed_info if isinstance(k.tag, str)]
        if len(kids) < 2 or kids[1].tag != f"{self.q}SignatureMethod":
            raise self.fail(
                "SIG111", signed_info, detail="SignatureMethod must follow CanonicalizationMethod"
            )
        method = kids[1]
        uri = method.get("Algorithm", "")
        self.method = uri
        if uri.startswith(dsig.HMAC_PREFIXES):
            detail = " (HMAC: a shared secret, not a signature by a certified key)"
            detail_vi = (
                " (HMAC: khóa bí mật dùng chung, không phải chữ ký bằng khóa được chứng thực)"
            )
            raise self.fail("SIG113", method, uri=uri, detail=detail, detail_vi=detail_vi)
        if uri not in dsig.SIGNATURE_METHODS or len(method):
            raise self.fail("SIG113", method, uri=uri, detail="", detail_vi="")
        kind, hash_name = dsig.SIGNATURE_METHODS[uri]
        if hash_name == "sha1":
            self._sha1(method, "the SignatureMethod", "SignatureMethod", uri)
        return kind, hash_name

    def _sha1(self, el: etree._Element, what: str, what_vi: str, uri: str) -> None:
        if self.policy.allow_sha1:
            self.note("SIG118", el, what=what, what_vi=what_vi, uri=uri)
        else:
            raise self.fail("SIG117", el, what=what, what_vi=what_vi, uri=uri)

    def _references(
        self,
        signed_info: etree._Element,
        properties: etree._Element | None,
        key_info: etree._Element | None,
    ) -> tuple[etree._Element, list[tuple[etree._Element, etree._Element]]]:
        """The ``URI=""`` reference, and each ``#Id`` reference with the element it names: only
        this signature's own SignedProperties (required with XAdES) and KeyInfo qualify."""
        q = self.q
        kids = [k for k in signed_info if isinstance(k.tag, str)][2:]
        refs = [k for k in kids if k.tag == f"{q}Reference"]
        if len(refs) != len(kids):
            raise self.fail("SIG111", signed_info, detail="SignedInfo holds more than References")
        document = [r for r in refs if r.get("URI") == ""]
        own: list[tuple[etree._Element, etree._Element]] = []
        for ref in refs:
            uri = ref.get("URI")
            if uri == "":
                continue
            if uri is None:
                raise self.fail(
                    "SIG114",
                    ref,
                    uri="(none)",
                    detail="a Reference without URI is resolved by the application",
                    detail_vi="Reference không có URI do ứng dụng tự hiểu",
                )
            if not uri.startswith("#") or uri.startswith("#xpointer("):
                raise self.fail(
                    "SIG114",
                    ref,
                    uri=uri,
                    detail='only URI="" (the whole package) and Ids inside the signature',
                    detail_vi='chỉ chấp nhận URI="" (toàn bộ gói tin) và Id bên trong chữ ký',
                )
            target_id = uri[1:]
            holders = [
                el
                for el in self.root.iter()
                if isinstance(el.tag, str)
                and any(el.get(name) == target_id for name in ("Id", "ID", "id"))
            ]
            if len(holders) != 1:
                raise self.fail(
                    "SIG120",
                    ref,
                    id=target_id,
                    detail=f"is carried by {len(holders)} elements",
                    detail_vi=f"xuất hiện trên {len(holders)} phần tử",
                )
            target = holders[0]
            if target.get("Id") != target_id or not any(
                target is t for t in (properties, key_info, self.parts_el) if t is not None
            ):
                raise self.fail(
                    "SIG114",
                    ref,
                    uri=uri,
                    detail="only this signature's own SignedProperties, KeyInfo or part "
                    "digests may be referenced by Id",
                    detail_vi="chỉ được tham chiếu theo Id tới SignedProperties hoặc KeyInfo "
                    "của chính chữ ký này",
                )
            if any(target is t for _, t in own):
                raise self.fail(
                    "SIG119",
                    ref,
                    detail=f"two References to {uri}",
                    detail_vi=f"hai Reference tới {uri}",
                )
            own.append((ref, target))
        has_properties = properties is not None and any(t is properties for _, t in own)
        if len(document) != 1 or (properties is not None and not has_properties):
            detail = f'{len(refs)} Reference(s), {len(document)} of them with URI=""'
            if properties is not None and not has_properties:
                detail += ", none to the SignedProperties"
            detail_vi = f'{len(refs)} Reference, trong đó {len(document)} có URI=""'
            raise self.fail("SIG119", signed_info, detail=detail, detail_vi=detail_vi)
        return document[0], own

    def _key_info(self, key_info: etree._Element | None) -> tuple[x509.Certificate, ...]:
        q = self.q
        if key_info is None:
            raise self.fail("SIG122", detail="no KeyInfo", detail_vi="không có KeyInfo")
        certs: list[x509.Certificate] = []
        for el in key_info:
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            if el.tag == f"{q}X509Data":
                for item in el:
                    if not isinstance(item.tag, str):
                        continue
                    if item.tag == f"{q}X509Certificate":
                        try:
                            certs.append(_load_certificate(dsig.b64decode(_text_of(item))))
                        except ValueError as exc:
                            raise self.fail(
                                "SIG122",
                                item,
                                detail=f"an X509Certificate cannot be read ({exc})",
                                detail_vi=f"không đọc được một X509Certificate ({exc})",
                            ) from None
                    elif item.tag not in (
                        f"{q}X509SubjectName",
                        f"{q}X509IssuerSerial",
                        f"{q}X509SKI",
                    ):
                        raise self.fail(
                            "SIG121",
                            item,
                            name=f"X509Data/{etree.QName(item).localname}",
                            detail="not part of the profile",
                            detail_vi="không thuộc hồ sơ chữ ký",
                        )
            elif el.tag in (f"{q}KeyName", f"{q}KeyValue"):
                continue  # informative; the key used is the certificate's
            elif el.tag == f"{q}RetrievalMethod":
                raise self.fail(
                    "SIG121",
                    el,
                    name=local,
                    detail="it fetches the key from elsewhere",
                    detail_vi="nó lấy khóa từ nơi khác",
                )
            else:
                raise self.fail(
                    "SIG121",
                    el,
                    name=local,
                    detail="not part of the profile",
                    detail_vi="không thuộc hồ sơ chữ ký",
                )
        if not certs:
            raise self.fail(
                "SIG122",
                key_info,
                detail="no X509Certificate in KeyInfo",
                detail_vi="KeyInfo không có X509Certificate",
            )
        return tuple(certs)

    def _signer(self, properties: etree._Element | None) -> x509.Certificate:
        certs = self.certificates
        leaf = certs[0]
        issuers = {c.issuer for c in certs}
        leaves = [c for c in certs if c.subject not in issuers or c.subject == c.issuer]
        if leaves and certs[0] not in leaves:
            leaf = leaves[0]
        if properties is not None:
            leaf = self._signing_certificate(properties, certs) or leaf
        self.certificates = (leaf, *[c for c in certs if c is not leaf])
        return leaf

    def _signing_certificate(
        self, properties: etree._Element, certs: tuple[x509.Certificate, ...]
    ) -> x509.Certificate | None:
        ssp = properties.find(f"{_XA}SignedSignatureProperties")
        if ssp is None:
            raise self.fail(
                "SIG111", properties, detail="SignedProperties without SignedSignatureProperties"
            )
        time_el = ssp.find(f"{_XA}SigningTime")
        if time_el is not None:
            text = _text_of(time_el).strip()
            try:
                when = datetime.datetime.fromisoformat(text)
            except ValueError:
                when = None
            if when is None or when.tzinfo is None:
                self.note("SIG134", time_el, value=text)
            else:
                self.signing_time = when
        cert_els = ssp.findall(f"{_XA}SigningCertificateV2/{_XA}Cert") + ssp.findall(
            f"{_XA}SigningCertificate/{_XA}Cert"
        )
        if not cert_els:
            raise self.fail(
                "SIG111", ssp, detail="SignedSignatureProperties without SigningCertificateV2"
            )
        cert_el = cert_els[0]
        method = cert_el.find(f"{_XA}CertDigest/{_DS}DigestMethod")
        value = cert_el.find(f"{_XA}CertDigest/{_DS}DigestValue")
        if method is None or value is None:
            raise self.fail("SIG111", cert_el, detail="Cert without CertDigest")
        uri = method.get("Algorithm", "")
        hash_name = dsig.DIGEST_METHODS.get(uri)
        if hash_name is None:
            raise self.fail("SIG116", method, uri=uri)
        if hash_name == "sha1":
            self._sha1(method, "the signing certificate digest", "Giá trị băm chứng thư ký", uri)
        try:
            expected = dsig.b64decode(_text_of(value))
        except ValueError:
            raise self.fail(
                "SIG111", value, detail="CertDigest/DigestValue is not base64"
            ) from None
        for cert in certs:
            if hashlib.new(hash_name, _der(cert)).digest() == expected:
                return cert
        raise self.fail(
            "SIG133",
            cert_el,
            detail="no certificate in KeyInfo has the digest it gives",
        )

    # -- digests ------------------------------------------------------------------------------
    def _digest_method(self, ref: etree._Element) -> tuple[str, str, etree._Element]:
        q = self.q
        method = ref.find(f"{q}DigestMethod")
        value = ref.find(f"{q}DigestValue")
        if method is None or value is None:
            raise self.fail("SIG111", ref, detail="Reference without DigestMethod and DigestValue")
        uri = method.get("Algorithm", "")
        hash_name = dsig.DIGEST_METHODS.get(uri)
        if hash_name is None:
            raise self.fail("SIG116", method, uri=uri)
        if hash_name == "sha1":
            self._sha1(method, "a Reference digest", "Giá trị băm của Reference", uri)
        return uri, hash_name, value

    def _transforms(self, ref: etree._Element) -> list[str]:
        q = self.q
        transforms = ref.find(f"{q}Transforms")
        uris: list[str] = []
        if transforms is None:
            return uris
        for t in transforms:
            if not isinstance(t.tag, str):
                continue
            uri = t.get("Algorithm", "")
            if t.tag != f"{q}Transform" or any(isinstance(k.tag, str) for k in t):
                detail = "transforms with parameters (XPath, XSLT, namespaces) are refused"
                detail_vi = "không chấp nhận phép biến đổi có tham số (XPath, XSLT, không gian tên)"
                raise self.fail(
                    "SIG115", t, uri=uri, ref=ref.get("URI"), detail=detail, detail_vi=detail_vi
                )
            if self.ns == NS and uri == dsig.SDK_EXC_C14N:
                uri = dsig.EXC_C14N  # the official SDK's misspelling, legacy signatures only
            uris.append(uri)
        return uris

    def _document(self, ref: etree._Element) -> bool:
        uri, hash_name, value_el = self._digest_method(ref)
        transforms = self._transforms(ref)
        c14n = transforms[1:]
        if (
            not transforms
            or transforms[0] != dsig.ENVELOPED
            or len(c14n) > 1
            or (c14n and c14n[0] not in dsig.C14N_METHODS)
        ):
            bad = next(
                (t for t in transforms if t != dsig.ENVELOPED and t not in dsig.C14N_METHODS),
                transforms[0] if transforms else "(none)",
            )
            if not transforms or transforms[0] != dsig.ENVELOPED:
                detail = "the whole-package reference must start with enveloped-signature"
                detail_vi = "Reference toàn gói phải bắt đầu bằng enveloped-signature"
            else:
                detail, detail_vi = _C14N_DETAIL
            raise self.fail("SIG115", ref, uri=bad, ref="", detail=detail, detail_vi=detail_vi)
        exclusive = dsig.C14N_METHODS[c14n[0]][0] if c14n else False
        try:
            expected = dsig.b64decode(_text_of(value_el))
        except ValueError:
            raise self.fail("SIG111", value_el, detail="DigestValue is not base64") from None
        copy = _xml.parse(self.scan.skeleton)
        dsig.remove_keeping_tail(dsig.follow(copy, dsig.element_path(self.sig)))
        try:
            actual = dsig.document_digest(copy, self.scan, exclusive=exclusive, hash_name=hash_name)
        except dsig.DigestError as exc:
            raise self.fail(exc.rule, ref, **exc.details) from None
        matches = actual == expected
        self.exclusive = exclusive
        self.references.append(ReferenceCheck("", "the package", uri, tuple(transforms), matches))
        if not matches:
            self.note(
                "SIG130",
                ref,
                what='the package (Reference URI="")',
                what_vi='gói tin (Reference URI="")',
                where="the header, the manifest or an attachment",
                where_vi="phần đầu, danh mục hoặc một tệp đính kèm",
                detail=""
                if self.parts_el is not None
                else " (one digest covers the whole package: which part changed cannot be told)",
                detail_vi=""
                if self.parts_el is not None
                else " (một giá trị băm bao phủ cả gói tin: không xác định được phần nào)",
            )
        return matches

    def _locate(self, ref: etree._Element) -> None:
        """Name the parts whose signed digest differs from the package's (``SIG135``).

        Only after the package digest failed: the part digests cost another pass."""
        assert self.parts_el is not None
        holder = self.parts_el.find(f".//{{{dsig.PARTS}}}PartDigests")
        if holder is None or holder.get("Algorithm") != dsig.DIGEST_URIS["sha256"]:
            return
        copy = _xml.parse(self.scan.skeleton)
        dsig.remove_keeping_tail(dsig.follow(copy, dsig.element_path(self.sig)))
        dsig.document_digest(
            copy, self.scan, exclusive=self.exclusive, hash_name="sha256", parts=self.parts
        )
        signed: dict[int, bytes] = {}
        names: dict[int, str] = {}
        for part in self.parts_el.iter(f"{{{dsig.PARTS}}}Part"):
            try:
                value = dsig.b64decode(_text_of(part))
                index = -1 if part.get("Name") == "document" else int(part.get("Index", "")) - 1
            except ValueError:
                return  # not this library's form after all: say nothing more
            signed[index] = value
            if index >= 0:
                names[index] = f"{part.get('AttachmentName')} ({part.get('ContentId')})"
        changed_en: list[str] = []
        changed_vi: list[str] = []
        if signed.get(-1) != self.parts.get(-1):
            changed_en.append("the header or the manifest (the package without the payloads)")
            changed_vi.append("phần đầu hoặc danh mục (gói tin không kể nội dung tệp đính kèm)")
        for index in sorted(i for i in signed if i >= 0):
            if signed[index] != self.parts.get(index):
                changed_en.append(f"attachment {index + 1}, {names[index]}")
                changed_vi.append(f"tệp đính kèm {index + 1}, {names[index]}")
        extra = len([i for i in self.parts if i >= 0]) - len([i for i in signed if i >= 0])
        if extra:
            changed_en.append(f"{abs(extra)} attachment(s) {'added' if extra > 0 else 'removed'}")
            changed_vi.append(f"{abs(extra)} tệp đính kèm {'thêm' if extra > 0 else 'bị bớt'}")
        if changed_en:
            self.note("SIG135", ref, parts="; ".join(changed_en), parts_vi="; ".join(changed_vi))

    def _own(self, ref: etree._Element, target: etree._Element, *, what: str) -> bool:
        """Check a reference to this signature's SignedProperties, KeyInfo or part digests."""
        uri_attr = ref.get("URI", "")
        kind = ref.get("Type")
        allowed = {
            "properties": (None, dsig.SIGNED_PROPERTIES_TYPE),
            "parts": (None, dsig.SIGNATURE_PROPERTIES_TYPE),
        }.get(what, (None,))
        if kind not in allowed:
            raise self.fail(
                "SIG114",
                ref,
                uri=uri_attr,
                detail=f"Type {kind!r} does not fit the element it names",
                detail_vi=f"Type {kind!r} không khớp với phần tử được tham chiếu",
            )
        uri, hash_name, value_el = self._digest_method(ref)
        transforms = self._transforms(ref)
        if len(transforms) > 1 or (transforms and transforms[0] not in dsig.C14N_METHODS):
            raise self.fail(
                "SIG115",
                ref,
                uri=transforms[-1],
                ref=uri_attr,
                detail=_C14N_DETAIL[0],
                detail_vi=_C14N_DETAIL[1],
            )
        exclusive, comments = dsig.C14N_METHODS[transforms[0]] if transforms else (False, False)
        try:
            expected = dsig.b64decode(_text_of(value_el))
        except ValueError:
            raise self.fail("SIG111", value_el, detail="DigestValue is not base64") from None
        actual = hashlib.new(hash_name, dsig.canonical(target, exclusive, comments)).digest()
        matches = actual == expected
        en, vi, where, where_vi = _OWN[what]
        self.references.append(ReferenceCheck(uri_attr, en, uri, tuple(transforms), matches))
        if not matches:
            self.note(
                "SIG130",
                ref,
                what=f"{en} (Reference URI={uri_attr!r})",
                what_vi=f"{vi} (Reference URI={uri_attr!r})",
                where=where,
                where_vi=where_vi,
                detail="",
                detail_vi="",
            )
        return matches

    # -- trust --------------------------------------------------------------------------------
    def _trusted(self) -> Indication:
        assert self.signer is not None
        if self.trust is None:
            if self.policy.require_trust:
                self.note("SIG140")
                return Indication.INDETERMINATE
            self.findings.append(
                attrs.evolve(finding("SIG140", path=self.path), severity=Severity.INFO)
            )
            return Indication.PASSED
        try:
            report = _trust.check_certificate(
                self.signer,
                trust=self.trust,
                policy=self.policy,
                intermediates=self.certificates[1:],
                at=self.policy.at or self.signing_time,
            )
        except NotImplementedError:
            self.note("SIG141", detail="trust checking is not available in this version")
            return Indication.INDETERMINATE
        self.report = report
        self.findings.extend(
            f if f.path is not None else attrs.evolve(f, path=self.path) for f in report.findings
        )
        return report.indication


def _element_path(el: etree._Element) -> str:
    names: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        parent = node.getparent()
        local = etree.QName(node).localname
        if parent is not None:
            same = [
                k for k in parent if isinstance(k.tag, str) and etree.QName(k).localname == local
            ]
            if len(same) > 1:
                local += f"[{same.index(node) + 1}]"
        names.append(local)
        node = parent
    return "/" + "/".join(reversed(names))
