"""Sign -> verify round trips: algorithms, profiles, packages, tampering, SHA-1, trust."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from vbdt_exchange.envelope.models import EdocPackage, StatusPackage
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.envelope.writer import to_bytes
from vbdt_exchange.signature import _xmldsig as dsig
from vbdt_exchange.signature.keys import KeySigner
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.xml import (
    SignatureVerificationError,
    sign_package,
    verify_package,
)

INTEGRITY = VerificationPolicy(require_trust=False)
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def content(attachment: object) -> bytes:
    with attachment.data.open() as stream:  # type: ignore[attr-defined]
        data: bytes = stream.read()
    return data


def rules(verification: object) -> list[str]:
    return [f.rule for f in verification.findings]  # type: ignore[attr-defined]


@pytest.mark.parametrize("profile", ["xades-b-b", "xmldsig"])
@pytest.mark.parametrize(
    ("key", "algorithm"),
    [
        ("rsa", "rsa-sha256"),
        ("rsa", "rsa-sha512"),
        ("rsa", "rsa-pss-sha256"),
        ("ec", "ecdsa-sha256"),
        ("ec", "ecdsa-sha384"),
    ],
)
def test_round_trip(
    request: pytest.FixtureRequest,
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    key: str,
    algorithm: str,
    profile: str,
) -> None:
    signer = request.getfixturevalue(f"{key}_signer")
    package = package_with(b"%PDF-1.7 one", b"second file")
    data = sign_bytes(package, signer, algorithm=algorithm, profile=profile)
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.indication is Indication.PASSED, result.findings
        (check,) = result.signatures
        assert check.kind == profile
        assert check.signer == signer.certificate
        assert check.signature_algorithm == dsig.ALGORITHM_URIS[algorithm]
        assert check.canonicalization == dsig.EXC_C14N
        assert [r.what for r in check.references] == (
            ["the package", "the signed properties", "the part digests"]
            if profile == "xades-b-b"
            else ["the package"]
        )
        assert all(r.digest_matches for r in check.references)
        assert check.signing_time == (NOW if profile == "xades-b-b" else None)
        assert result.package is not None
        assert isinstance(result.package, EdocPackage)
        assert [content(a) for a in result.package.attachments] == [
            b"%PDF-1.7 one",
            b"second file",
        ]
        assert result.package.subject == package.subject


@pytest.mark.parametrize("count", [0, 1, 3])
def test_attachment_counts(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
    count: int,
) -> None:
    payloads = [bytes([i]) * (1000 * i + 1) for i in range(count)]
    data = sign_bytes(package_with(*payloads), rsa_signer)
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.passed
        assert result.package is not None
        assert len(result.package.attachments) == count  # type: ignore[union-attr]


def test_status_package(sign_bytes: Callable[..., bytes], ec_signer: KeySigner) -> None:
    peers = Path(__file__).parents[1] / "vectors/peers"
    sample = next(p for p in peers.rglob("*status*.edxml"))
    package = read(sample).package
    assert isinstance(package, StatusPackage)
    data = sign_bytes(package, ec_signer, profile="xmldsig")
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.passed
        assert isinstance(result.package, StatusPackage)
        assert result.package.status_code == package.status_code


def test_sign_from_path_and_to_path(
    tmp_path: Path, package_with: Callable[..., EdocPackage], rsa_signer: KeySigner
) -> None:
    unsigned = tmp_path / "in.edxml"
    unsigned.write_bytes(to_bytes(package_with(b"abc")))
    target = tmp_path / "out.edxml"
    result = sign_package(unsigned, target, rsa_signer, signing_time=NOW)
    assert result.size == target.stat().st_size
    assert result.digest == base64.b64encode(base64.b64decode(result.digest)).decode()
    with verify_package(target, policy=INTEGRITY) as verification:
        assert verification.passed
        (check,) = verification.signatures
        assert check.references[0].digest_matches
    assert {p.name for p in tmp_path.iterdir()} == {"in.edxml", "out.edxml"}  # no temp files


def test_replaces_a_placeholder_signature(
    sign_bytes: Callable[..., bytes], rsa_signer: KeySigner
) -> None:
    sample = Path(__file__).parents[1] / (
        "vectors/peers/PVN-Organization__API-Gateway-iOffice/resources__edoc_update.edxml"
    )
    data = sign_bytes(sample.read_bytes(), rsa_signer)
    assert b"GbVb8n9+qFxz466Ag0sbpVdLPs2R0" not in data
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.passed
        assert len(result.signatures) == 1


# -- tampering ------------------------------------------------------------------------------


@pytest.fixture
def signed(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> bytes:
    return sign_bytes(package_with(b"A" * 3000, b"the second attachment"), rsa_signer)


def _flip(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) >= 1
    return data.replace(old, new, 1)


HEADER = "the header or the manifest (the package without the payloads)"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        (b"<CodeNumber>3244<", b"<CodeNumber>3245<", HEADER),
        (
            b"<AttachmentName>file-0.pdf</AttachmentName>",
            b"<AttachmentName>file-9.pdf</AttachmentName>",
            HEADER,
        ),
        (
            b"<ContentTransferEncoded>QUFB",
            b"<ContentTransferEncoded>QUFC",
            "attachment 1, file-0.pdf (cid:att-0)",
        ),
        (
            b"dGhlIHNlY29uZCBhdHRhY2htZW50<",
            b"dGhlIHNlY29uZCBhdHRhY2htZW50IQ==<",
            "attachment 2, file-1.pdf (cid:att-1)",
        ),
        (b"</edXMLBody>", b"</edXMLBody><!-- a comment is not signed -->", None),
    ],
)
def test_tampering_is_located(signed: bytes, old: bytes, new: bytes, where: str | None) -> None:
    """XAdES signatures made here carry signed per-part digests: a change is located."""
    data = _flip(signed, old, new)
    with verify_package(data, policy=INTEGRITY) as result:
        if where is None:  # comments are outside what URI="" signs
            assert result.passed
            return
        assert result.indication is Indication.FAILED
        assert result.package is None
        (check,) = result.signatures
        assert [r.digest_matches for r in check.references] == [False, True, True]
        (bad,) = [f for f in check.findings if f.rule == "SIG130"]
        assert 'Reference URI=""' in bad.message
        assert bad.message_vi
        (located,) = [f for f in check.findings if f.rule == "SIG135"]
        assert located.message == f"the signed part digests show what changed: {where}"
        assert "đã ký" in located.message_vi
        with pytest.raises(SignatureVerificationError, match="FAILED"):
            result.raise_for_verdict()


def test_tampering_without_part_digests(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> None:
    """A plain xmldsig signature has one digest: the finding says the part cannot be told."""
    data = sign_bytes(package_with(b"A" * 3000), rsa_signer, profile="xmldsig")
    data = _flip(data, b"<ContentTransferEncoded>QUFB", b"<ContentTransferEncoded>QUFC")
    with verify_package(data, policy=INTEGRITY) as result:
        assert [f.rule for f in result.errors] == ["SIG130"]
        assert "which part changed cannot be told" in result.errors[0].message


def test_attachment_added_is_located(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
) -> None:
    data = sign_bytes(package_with(b"one"), rsa_signer)
    start = data.index(b"<Attachment>")
    end = data.index(b"</Attachment>") + len(b"</Attachment>")
    twice = data[:end] + data[start:end].replace(b"att-0", b"att-9") + data[end:]
    with verify_package(twice, policy=INTEGRITY) as result:
        (located,) = [f for f in result.errors if f.rule == "SIG135"]
        assert "1 attachment(s) added" in located.message


def test_tampered_signed_properties(signed: bytes) -> None:
    data = re.sub(
        rb"<xades:SigningTime>[^<]+<", b"<xades:SigningTime>2020-01-01T00:00:00Z<", signed
    )
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.indication is Indication.FAILED
        (check,) = result.signatures
        assert [r.digest_matches for r in check.references] == [True, False, True]
        assert any("signed properties" in f.message for f in check.findings if f.rule == "SIG130")


def test_tampered_signature_value(signed: bytes) -> None:
    value = re.search(rb"<ds:SignatureValue>([^<]+)<", signed)
    assert value is not None
    raw = bytearray(base64.b64decode(value.group(1)))
    raw[10] ^= 1
    data = signed.replace(value.group(1), base64.b64encode(bytes(raw)))
    with verify_package(data, policy=INTEGRITY) as result:
        assert result.indication is Indication.FAILED
        assert "SIG131" in rules(result)


def test_not_trusted_without_store(signed: bytes) -> None:
    with verify_package(signed) as result:
        assert result.indication is Indication.INDETERMINATE
        assert result.package is None
        assert "SIG140" in rules(result)


# -- base64 line ends ----------------------------------------------------------------------


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n", b"\r", b"\r\n  "])
def test_wrapped_base64_verifies(
    package_with: Callable[..., EdocPackage],
    sign_bytes: Callable[..., bytes],
    rsa_signer: KeySigner,
    resign: Callable[..., bytes],
    line_end: bytes,
) -> None:
    """Payload text with line breaks (CR LF, lone CR): the digest sees what the parser sees."""
    payload = bytes(range(256)) * 20
    data = sign_bytes(package_with(payload), rsa_signer, profile="xmldsig")
    one_line = base64.b64encode(payload)
    wrapped = line_end.join(one_line[i : i + 76] for i in range(0, len(one_line), 76)) + line_end
    changed = data.replace(one_line, wrapped)
    with verify_package(changed, policy=INTEGRITY) as result:  # the signed text was one line
        assert result.indication is Indication.FAILED
    fixed = resign(changed, rsa_signer, in_memory_digest(changed))
    assert streaming_digest(fixed) == in_memory_digest(fixed)
    with verify_package(fixed, policy=INTEGRITY) as result:
        assert result.passed, result.findings
        assert content(result.package.attachments[0]) == payload  # type: ignore[union-attr]


def in_memory_digest(data: bytes, exclusive: bool = True) -> bytes:
    """The reference implementation: full parse, remove the signature, lxml c14n, SHA-256."""
    parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
    root = etree.fromstring(data, parser)
    for sig in root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        dsig.remove_keeping_tail(sig)
        break
    c14n = etree.tostring(
        root.getroottree(), method="c14n", exclusive=exclusive, with_comments=False
    )
    return hashlib.sha256(c14n).digest()


def streaming_digest(data: bytes, exclusive: bool = True) -> bytes:
    import tempfile

    from vbdt_exchange import _xml
    from vbdt_exchange.envelope import _scan
    from vbdt_exchange.envelope.limits import Limits

    with tempfile.TemporaryDirectory() as spool:
        scan = _scan.scan(
            io.BytesIO(data), limits=Limits(), recover=False, spool_dir=Path(spool), keep_raw=True
        )
        root = _xml.parse(scan.skeleton)
        for sig in root.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"):
            dsig.remove_keeping_tail(sig)
            break
        return dsig.document_digest(root, scan, exclusive=exclusive, hash_name="sha256")


# -- streaming digest == in-memory digest ----------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payloads=st.lists(st.binary(max_size=400), max_size=3),
    line_end=st.sampled_from([b"", b"\n", b"\r\n", b"\r", b" \t", b"\r\n\r\n"]),
    width=st.integers(min_value=1, max_value=80),
    exclusive=st.booleans(),
)
def test_streaming_digest_equals_in_memory(
    package_with: Callable[..., EdocPackage],
    payloads: list[bytes],
    line_end: bytes,
    width: int,
    exclusive: bool,
) -> None:
    data = to_bytes(package_with(*payloads))
    for payload in payloads:
        one_line = base64.b64encode(payload)
        if one_line:
            wrapped = line_end.join(one_line[i : i + width] for i in range(0, len(one_line), width))
            data = data.replace(b">" + one_line + b"<", b">" + wrapped + line_end + b"<", 1)
    assert streaming_digest(data, exclusive) == in_memory_digest(data, exclusive)
