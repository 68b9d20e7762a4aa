"""The loopback TSA, the text locator, and the font."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
from collections.abc import Iterator

import httpx
import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader

from vbdt_exchange.signature._pdf_font import font_bytes
from vbdt_exchange.signature._pdf_sample import sample_pdf
from vbdt_exchange.signature._pdf_text import find_text
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.pdf import PdfSignatureError, sign_pdf
from vbdt_exchange.testing.tsa import TSAServer


def _request(data: bytes) -> bytes:
    return tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(data).digest(),
            },
            "nonce": 12345,
            "cert_req": True,
        }
    ).dump()


def test_tsa_answers_rfc3161_requests(tsa: TSAServer) -> None:
    before = tsa.requests
    response = httpx.post(
        tsa.url,
        content=_request(b"van ban"),
        headers={"Content-Type": "application/timestamp-query"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/timestamp-reply"
    answer = tsp.TimeStampResp.load(response.content)
    assert answer["status"]["status"].native == "granted"
    info = answer["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(b"van ban").digest()
    assert info["nonce"].native == 12345
    assert tsa.requests == before + 1


def test_tsa_refuses_garbage_and_oversize(tsa: TSAServer) -> None:
    assert httpx.post(tsa.url, content=b"not asn.1").status_code == 400
    assert httpx.post(tsa.url, content=b"0" * (64 * 1024 + 1)).status_code == 413
    assert httpx.get(tsa.url).status_code == 501  # only POST


def test_tsa_certificate_is_a_tsa_certificate(tsa: TSAServer) -> None:
    cert = tsa.party.certificate
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert cert.issuer == tsa.pki.intermediate.certificate.subject
    assert "TEST" in cert.subject.rfc4514_string()


def test_tsa_stops_and_reports_it() -> None:
    from vbdt_exchange.testing.pki import TestPKI

    server = TSAServer(TestPKI.generate(key_type="ec"))
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    with server:
        url = server.url
        # an EC PKI still gets tokens: the TSA's own key is RSA
        answer = tsp.TimeStampResp.load(httpx.post(url, content=_request(b"x")).content)
        assert answer["status"]["status"].native == "granted"
    server.stop()  # twice is fine
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, content=_request(b"x"))


def test_find_text_on_the_sample() -> None:
    reader = PdfFileReader(io.BytesIO(sample_pdf(pages=3, signer_name="Trần Thị Bình")))
    box = find_text(reader, 2, "trần  thị bình")  # case and spaces do not matter
    assert box is not None
    assert box.x1 == pytest.approx(380, abs=0.5)
    assert box.y1 == pytest.approx(170, abs=0.5)
    assert 60 < box.x2 - box.x1 < 110  # 13 pt Times, 13 characters
    assert find_text(reader, 0, "Trần Thị Bình") is None  # only on the last page
    assert find_text(reader, 2, "Số: 3244") is None
    assert find_text(reader, 0, "Số: 3244/UBND-VP") is not None
    assert find_text(reader, 2, "   ") is None


def test_bundled_font_is_liberation_serif_with_its_licence() -> None:
    from importlib import resources

    data = font_bytes()
    assert data[:4] == b"\x00\x01\x00\x00"  # TrueType
    assert b"L\x00i\x00b\x00e\x00r\x00a\x00t\x00i\x00o\x00n\x00 \x00S\x00e\x00r\x00i\x00f" in data
    licence = (
        resources.files("vbdt_exchange.signature").joinpath("data/fonts/OFL.txt").read_text("utf-8")
    )
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Reserved Font Name Liberation" in licence


class _BadTSA(http.server.BaseHTTPRequestHandler):
    """Answers by path: /500, /html, /huge, /garbage."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, kind, body = {
            "/500": (500, "text/plain", b"down"),
            "/html": (200, "text/html", b"<html/>"),
            "/huge": (200, "application/timestamp-reply", b"0" * (1024 * 1024 + 10)),
            "/garbage": (200, "application/timestamp-reply", b"\x30\x03garbage"),
        }[self.path]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def bad_tsa() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BadTSA)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/500", "answered HTTP 500"),
        ("/html", "did not answer with application/timestamp-reply"),
        ("/huge", "answered more than 1 MiB"),
        ("/garbage", "answered garbage"),
    ],
)
def test_a_misbehaving_tsa_gives_a_clear_error(
    bad_tsa: str, path: str, message: str, document: bytes, person: KeySigner
) -> None:
    with pytest.raises(PdfSignatureError, match=message):
        sign_pdf(document, person, level="b-t", tsa_url=bad_tsa + path)
    with pytest.raises(PdfSignatureError, match="must be http"):
        sign_pdf(document, person, level="b-t", tsa_url="ftp://tsa.example")
