"""Fixtures of the PDF signature tests: a test PKI with a TSA, signers, images, documents."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from vbdt_exchange.signature._pdf_sample import sample_pdf
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.pdf import OrganisationSeal, PersonSignature, SignedPdf, sign_pdf
from vbdt_exchange.signature.policy import VerificationPolicy
from vbdt_exchange.signature.trust import TrustStore
from vbdt_exchange.testing.pki import Party, TestPKI
from vbdt_exchange.testing.tsa import TSAServer

BLUE = (20, 40, 200, 255)
RED = (220, 0, 0, 255)


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    # valid now: the TSA stamps the current time
    return TestPKI.generate()


@pytest.fixture(scope="session")
def tsa(pki: TestPKI) -> Iterator[TSAServer]:
    with TSAServer(pki) as server:
        yield server


@pytest.fixture(scope="session")
def trust(pki: TestPKI) -> TrustStore:
    return TrustStore(roots=(pki.root.certificate,))


@pytest.fixture(scope="session")
def policy(pki: TestPKI) -> VerificationPolicy:
    return VerificationPolicy(crls=(pki.crl_der(),))


def signer_of(party: Party) -> KeySigner:
    return KeySigner(party.private_key, party.certificate, party.chain[1:-1])


@pytest.fixture(scope="session")
def person(pki: TestPKI) -> KeySigner:
    return signer_of(pki.person)


@pytest.fixture(scope="session")
def organisation(pki: TestPKI) -> KeySigner:
    return signer_of(pki.organisation)


@pytest.fixture
def make_signer() -> Callable[[Party], KeySigner]:
    return signer_of


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def scribble() -> bytes:
    """A blue signature scribble on a transparent background, 300 x 120 px."""
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line(
        [(5, 100), (60, 15), (110, 100), (170, 15), (230, 100), (295, 20)], fill=BLUE, width=12
    )
    return _png(image)


@pytest.fixture(scope="session")
def seal() -> bytes:
    """A red round seal on a transparent background, 300 x 300 px."""
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, 294, 294), outline=RED, width=16)
    draw.ellipse((60, 60, 240, 240), outline=RED, width=10)
    draw.regular_polygon((150, 150, 40), 5, fill=RED)
    return _png(image)


@pytest.fixture(scope="session")
def document() -> bytes:
    """A two-page A4 document ending with the signer's name, Nguyễn Văn An."""
    return sample_pdf(pages=2)


@pytest.fixture(scope="session")
def person_signed(document: bytes, person: KeySigner, scribble: bytes, tsa: TSAServer) -> SignedPdf:
    return sign_pdf(
        document,
        person,
        appearance=PersonSignature(scribble, anchor_text="Nguyễn Văn An"),
        level="b-t",
        tsa_url=tsa.url,
    )


@pytest.fixture(scope="session")
def pair(person_signed: SignedPdf, organisation: KeySigner, seal: bytes) -> SignedPdf:
    """The person's signature (B-T), then the organisation's seal (B-B)."""
    return sign_pdf(person_signed.data, organisation, appearance=OrganisationSeal(seal))


@pytest.fixture
def pdfsig(require_tool: Callable[[str, str], str], tmp_path: Path) -> Callable[[bytes], list[str]]:
    """``pdfsig(data)``: poppler's "Signature Validation" line of each signature, in order."""
    tool = require_tool("pdfsig", "poppler-utils")

    def run(data: bytes) -> list[str]:
        path = tmp_path / "checked.pdf"
        path.write_bytes(data)
        done = subprocess.run(
            [tool, str(path)], capture_output=True, text=True, check=False, timeout=60
        )
        return re.findall(r"Signature Validation: (.*)", done.stdout)

    return run


@pytest.fixture(scope="session")
def encrypted_pdf() -> bytes:
    """The sample document, encrypted (owner and user passwords)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(sample_pdf())))
    writer.encrypt("owner", "user")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
