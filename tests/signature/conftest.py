"""Fixtures of the XML signature tests: test PKIs, signers and packages."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from vbdt_exchange.envelope.models import Attachment, EdocPackage, Package
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.xml import sign_package
from vbdt_exchange.testing.pki import Party, TestPKI

EXAMPLE = Path(__file__).resolve().parents[2] / "src/vbdt_exchange/examples/cong-van.edxml"
PEERS = Path(__file__).resolve().parents[1] / "vectors/peers"
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="session")
def rsa_pki() -> TestPKI:
    return TestPKI.generate(now=NOW, key_type="rsa")


@pytest.fixture(scope="session")
def ec_pki() -> TestPKI:
    return TestPKI.generate(now=NOW, key_type="ec")


def signer_of(party: Party) -> KeySigner:
    # the chain without the root, nearest first
    return KeySigner(party.private_key, party.certificate, party.chain[1:-1])


@pytest.fixture(scope="session")
def rsa_signer(rsa_pki: TestPKI) -> KeySigner:
    return signer_of(rsa_pki.person)


@pytest.fixture(scope="session")
def ec_signer(ec_pki: TestPKI) -> KeySigner:
    return signer_of(ec_pki.person)


@pytest.fixture
def make_signer() -> Callable[[Party], KeySigner]:
    return signer_of


@pytest.fixture(scope="session")
def example() -> EdocPackage:
    package = read(EXAMPLE).package
    assert isinstance(package, EdocPackage)
    return package


@pytest.fixture
def package_with(example: EdocPackage) -> Callable[..., EdocPackage]:
    """``package_with(b"data", ...)``: the example package with these attachments."""

    def make(*payloads: bytes) -> EdocPackage:
        attachments = tuple(
            Attachment.from_bytes(f"file-{i}.pdf", data, content_id=f"att-{i}")
            for i, data in enumerate(payloads)
        )
        return attrs.evolve(example, attachments=attachments)

    return make


@pytest.fixture
def sign_bytes() -> Callable[..., bytes]:
    """``sign_bytes(package, signer, **options)``: the signed package's bytes."""

    def sign(package: Package | bytes, signer: KeySigner, **options: object) -> bytes:
        out = io.BytesIO()
        options.setdefault("signing_time", NOW)
        sign_package(package, out, signer, **options)  # type: ignore[arg-type]
        return out.getvalue()

    return sign


def resign_document(data: bytes, signer: KeySigner, digest: bytes | None = None) -> bytes:
    """Put ``digest`` (when given) into the first Reference and sign the SignedInfo again, by
    hand: how the tests make signatures over documents the signer would not write."""
    from lxml import etree

    from vbdt_exchange.signature import _xmldsig as dsig

    root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
    sig = root.find(f".//{{{dsig.DSIG}}}Signature")
    assert sig is not None
    signed_info = sig.find(f"{{{dsig.DSIG}}}SignedInfo")
    assert signed_info is not None
    if digest is not None:
        value = signed_info.find(f"{{{dsig.DSIG}}}Reference/{{{dsig.DSIG}}}DigestValue")
        assert value is not None
        value.text = dsig.b64encode(digest)
    method = signed_info.find(f"{{{dsig.DSIG}}}CanonicalizationMethod")
    assert method is not None
    exclusive, comments = dsig.C14N_METHODS[method.get("Algorithm", "")]
    algorithm = next(
        name
        for name, uri in dsig.ALGORITHM_URIS.items()
        if uri == signed_info.find(f"{{{dsig.DSIG}}}SignatureMethod").get("Algorithm")  # type: ignore[union-attr]
    )
    raw = signer.sign(dsig.canonical(signed_info, exclusive, comments), algorithm)  # type: ignore[arg-type]
    if algorithm.startswith("ecdsa"):
        raw = dsig.ecdsa_to_raw(raw, signer.certificate.public_key().curve.key_size)  # type: ignore[union-attr]
    sig.find(f"{{{dsig.DSIG}}}SignatureValue").text = dsig.b64encode(raw)  # type: ignore[union-attr]
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def resign() -> Callable[..., bytes]:
    return resign_document
