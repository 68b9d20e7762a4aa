"""The narrow XML-DSig profile of packages: algorithm tables, the streaming document digest,
and the small helpers the signer and the verifier share.

The digest of an enveloped ``Reference URI=""`` is the canonical form of the whole document
minus the signature. A package's attachments are base64 text nodes, which canonical XML leaves
as they are (after the parser's line-end normalisation), so the digest is computed without ever
holding them in memory (design notes §3): the scanner spools each payload's text and leaves a
marker in a small skeleton; the skeleton is canonicalised with lxml and split at the markers;
the pieces and the spooled texts are fed to one hash, in order.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from lxml import etree

if TYPE_CHECKING:
    from vbdt_exchange.envelope._scan import ScanResult

DSIG = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"

C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N10_COMMENTS = C14N10 + "#WithComments"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_COMMENTS = EXC_C14N + "WithComments"
ENVELOPED = DSIG + "enveloped-signature"
SDK_EXC_C14N = "http://www.w3.org/TR/xml-exc-c14n#"
"""The identifier the official SDK writes for exclusive c14n: not the W3C one (edXML §8)."""

#: canonicalization URI -> (exclusive, with comments)
C14N_METHODS: dict[str, tuple[bool, bool]] = {
    C14N10: (False, False),
    C14N10_COMMENTS: (False, True),
    EXC_C14N: (True, False),
    EXC_C14N_COMMENTS: (True, True),
}

SHA1_DIGEST = DSIG + "sha1"
DIGEST_METHODS: dict[str, str] = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    SHA1_DIGEST: "sha1",
}
DIGEST_URIS = {name: uri for uri, name in DIGEST_METHODS.items()}

_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
_MORE07 = "http://www.w3.org/2007/05/xmldsig-more#"
#: signature method URI -> (key kind, hash name); "rsa" is PKCS#1 v1.5, "rsa-pss" RFC 6931
SIGNATURE_METHODS: dict[str, tuple[str, str]] = {
    _MORE + "rsa-sha256": ("rsa", "sha256"),
    _MORE + "rsa-sha384": ("rsa", "sha384"),
    _MORE + "rsa-sha512": ("rsa", "sha512"),
    _MORE07 + "sha256-rsa-MGF1": ("rsa-pss", "sha256"),
    _MORE07 + "sha384-rsa-MGF1": ("rsa-pss", "sha384"),
    _MORE07 + "sha512-rsa-MGF1": ("rsa-pss", "sha512"),
    _MORE + "ecdsa-sha256": ("ecdsa", "sha256"),
    _MORE + "ecdsa-sha384": ("ecdsa", "sha384"),
    _MORE + "ecdsa-sha512": ("ecdsa", "sha512"),
    DSIG + "rsa-sha1": ("rsa", "sha1"),
    _MORE + "ecdsa-sha1": ("ecdsa", "sha1"),
}
#: library algorithm name -> signature method URI
ALGORITHM_URIS: dict[str, str] = {
    "rsa-sha256": _MORE + "rsa-sha256",
    "rsa-sha384": _MORE + "rsa-sha384",
    "rsa-sha512": _MORE + "rsa-sha512",
    "rsa-pss-sha256": _MORE07 + "sha256-rsa-MGF1",
    "rsa-pss-sha384": _MORE07 + "sha384-rsa-MGF1",
    "rsa-pss-sha512": _MORE07 + "sha512-rsa-MGF1",
    "ecdsa-sha256": _MORE + "ecdsa-sha256",
    "ecdsa-sha384": _MORE + "ecdsa-sha384",
    "ecdsa-sha512": _MORE + "ecdsa-sha512",
}
HMAC_PREFIXES = (DSIG + "hmac-", _MORE + "hmac-")

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

_READ = 1024 * 1024
_WS = re.compile(r"[ \t\r\n]+")


class DigestError(Exception):
    """The document cannot be digested (internal; the verifier turns it into a finding)."""

    def __init__(self, rule: str, **details: object) -> None:
        super().__init__(rule)
        self.rule = rule
        self.details = details


def canonical(
    element: etree._Element | etree._ElementTree, exclusive: bool, comments: bool
) -> bytes:
    """Canonical XML 1.0 (inclusive or exclusive) of an element in its context, or a tree."""
    try:
        return etree.tostring(element, method="c14n", exclusive=exclusive, with_comments=comments)
    except etree.C14NError as exc:  # relative namespace URIs, for one
        raise DigestError("SIG111", detail=f"cannot canonicalize the document ({exc})") from None


def element_path(element: etree._Element) -> list[int]:
    """The child indexes that lead from the root to ``element``."""
    path: list[int] = []
    parent = element.getparent()
    while parent is not None:
        path.append(parent.index(element))
        element, parent = parent, parent.getparent()
    return path[::-1]


def follow(root: etree._Element, path: list[int]) -> etree._Element:
    for index in path:
        root = root[index]
    return root


def remove_keeping_tail(element: etree._Element) -> None:
    """Remove ``element`` but keep its tail text in the document (lxml's remove() drops it)."""
    parent = element.getparent()
    assert parent is not None
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


PARTS = "urn:vbdt-exchange:signature:parts:1"
"""Namespace of the per-part digests this library signs with XAdES (``vbdt:PartDigests``)."""
SIGNATURE_PROPERTIES_TYPE = DSIG + "SignatureProperties"


def document_digest(
    skeleton_root: etree._Element,
    scan: ScanResult,
    *,
    exclusive: bool,
    hash_name: str,
    parts: dict[int, bytes] | None = None,
) -> bytes:
    """The digest of the canonical form of the document whose skeleton is ``skeleton_root``
    (already transformed: the signature removed), with each payload marker replaced by the
    payload's text from the scan's raw spool.

    With ``parts``, also fill it with SHA-256 digests of the pieces: key ``-1`` for everything
    but the payloads (their canonical bytes, in order), and the payload index for each payload's
    text — what ``vbdt:PartDigests`` records to tell later which part changed.

    :raises DigestError: a payload was not plain base64 (its text was not kept).
    """
    data = canonical(skeleton_root.getroottree(), exclusive, False)
    digest = hashlib.new(hash_name)
    rest = hashlib.sha256() if parts is not None else None
    marker = re.compile(re.escape(scan.marker_prefix.encode()) + rb"(\d+)")
    payloads = {p.index: p for p in scan.payloads}
    position = 0
    for match in marker.finditer(data):
        digest.update(data[position : match.start()])
        if rest is not None:
            rest.update(data[position : match.start()])
        position = match.end()
        index = int(match.group(1))
        payload = payloads.get(index)
        if payload is None or payload.raw_path is None:
            detail = payload.error if payload is not None and payload.error else "not kept"
            raise DigestError("SIG132", index=index + 1, detail=detail)
        part = hashlib.sha256() if parts is not None else None
        for chunk in normalised_text(payload.raw_path):
            digest.update(chunk)
            if part is not None:
                part.update(chunk)
        if parts is not None and part is not None:
            parts[index] = part.digest()
    digest.update(data[position:])
    if parts is not None and rest is not None:
        rest.update(data[position:])
        parts[-1] = rest.digest()
    return digest.digest()


def normalised_text(path: Path) -> Iterator[bytes]:
    """The spooled text of a payload with CR LF and lone CR turned into LF, as a parser does."""
    pending_cr = False
    with open(path, "rb") as stream:
        while chunk := stream.read(_READ):
            if pending_cr:
                chunk = b"\r" + chunk
                pending_cr = False
            if chunk.endswith(b"\r"):
                chunk, pending_cr = chunk[:-1], True
            if b"\r" in chunk:
                chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            yield chunk
    if pending_cr:
        yield b"\n"


def b64decode(text: str) -> bytes:
    """Decode base64 text that may hold whitespace (line breaks in DigestValue and the like)."""
    compact = _WS.sub("", text)
    return binascii.a2b_base64(compact.encode("ascii"), strict_mode=True)


def b64encode(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def ecdsa_to_raw(der: bytes, key_size: int) -> bytes:
    """DER ``Ecdsa-Sig-Value`` -> ``r || s`` as XML-DSig wants it."""
    r, s = decode_dss_signature(der)
    size = (key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def ecdsa_to_der(raw: bytes) -> bytes:
    half = len(raw) // 2
    if not raw or len(raw) % 2:
        raise ValueError("an ECDSA signature value must be r || s of equal lengths")
    return encode_dss_signature(
        int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
    )


def verify_value(
    certificate: x509.Certificate, kind: str, hash_name: str, value: bytes, data: bytes
) -> str | None:
    """Check a SignatureValue; ``None`` when it verifies, else why not."""
    digest = _HASHES[hash_name]()
    try:
        key = certificate.public_key()  # parsed lazily: a broken SubjectPublicKeyInfo fails here
        if kind == "ecdsa":
            if not isinstance(key, ec.EllipticCurvePublicKey):
                return "the method is ECDSA but the certificate's key is not an EC key"
            size = (key.curve.key_size + 7) // 8
            if len(value) != 2 * size:
                return f"an ECDSA value for {key.curve.name} must be {2 * size} bytes"
            key.verify(ecdsa_to_der(value), data, ec.ECDSA(digest))
        else:
            if not isinstance(key, rsa.RSAPublicKey):
                return "the method is RSA but the certificate's key is not an RSA key"
            pad: padding.AsymmetricPadding = (
                padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
                if kind == "rsa-pss"
                else padding.PKCS1v15()
            )
            key.verify(value, data, pad, digest)
    except InvalidSignature:
        return ""
    except (ValueError, UnsupportedAlgorithm) as exc:
        return str(exc) or type(exc).__name__
    return None
