"""TrustStore: loading anchors from files and directories, and refusing what is not one."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from vbdt_exchange.errors import SignatureError, VbdtError
from vbdt_exchange.signature import trust as trust_module
from vbdt_exchange.signature.trust import TrustStore, TrustStoreError, load_certificates
from vbdt_exchange.testing.pki import TestPKI

DER = serialization.Encoding.DER


def test_pem_file_with_many_certificates(tmp_path: Path, pki: TestPKI) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(b"# NEAC + Ban Co yeu\n" + pki.root.pem() + pki.intermediate.pem())
    store = TrustStore.from_paths(roots=[bundle])
    assert store.roots == (pki.root.certificate, pki.intermediate.certificate)
    assert store.intermediates == ()
    assert not store.is_empty


def test_der_file_and_a_single_path(tmp_path: Path, pki: TestPKI) -> None:
    der = tmp_path / "root.cer"
    der.write_bytes(pki.root.certificate.public_bytes(DER))
    store = TrustStore.from_paths(roots=der, intermediates=[str(der)])  # type: ignore[arg-type]
    assert store.roots == (pki.root.certificate,)
    assert store.intermediates == (pki.root.certificate,)


def test_directory_is_read_non_recursively(
    tmp_path: Path, pki: TestPKI, other_pki: TestPKI
) -> None:
    (tmp_path / "a.pem").write_bytes(pki.root.pem())
    (tmp_path / "b.CRT").write_bytes(other_pki.root.pem())
    (tmp_path / "c.der").write_bytes(pki.intermediate.certificate.public_bytes(DER))
    (tmp_path / "dup.cer").write_bytes(pki.root.pem())  # duplicates are dropped
    (tmp_path / "readme.txt").write_text("not a certificate")  # other suffixes are ignored
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "d.pem").write_bytes(pki.person.pem())  # subdirectories are not read
    store = TrustStore.from_paths(roots=[tmp_path])
    assert store.roots == (
        pki.root.certificate,
        other_pki.root.certificate,
        pki.intermediate.certificate,
    )


def test_empty_directory_gives_an_empty_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = TrustStore.from_paths(roots=[tmp_path])
    assert store.is_empty
    assert "no certificate files" in caplog.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "neither a PEM nor a DER"),
        (b"hello", "neither a PEM nor a DER"),
        (b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "no CERTIFICATE"),
        (
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
            "malformed PEM certificate",
        ),
        (b"\x30\x82\xff\xff" + b"\x00" * 20, "neither a PEM nor a DER"),
    ],
)
def test_bad_files_are_named(tmp_path: Path, content: bytes, message: str) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_bytes(content)
    with pytest.raises(TrustStoreError, match=message) as info:
        TrustStore.from_paths(roots=[bad])
    assert info.value.path == bad
    assert str(bad) in str(info.value)
    assert isinstance(info.value, SignatureError)
    assert isinstance(info.value, VbdtError)
    assert isinstance(info.value, ValueError)


def test_bad_file_in_a_directory_is_named(tmp_path: Path, pki: TestPKI) -> None:
    (tmp_path / "good.pem").write_bytes(pki.root.pem())
    (tmp_path / "broken.crt").write_bytes(b"garbage")
    with pytest.raises(TrustStoreError, match=r"broken\.crt"):
        TrustStore.from_paths(roots=[tmp_path])


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="does not exist"):
        TrustStore.from_paths(intermediates=[tmp_path / "nope.pem"])


def test_oversized_file_refused(
    tmp_path: Path, pki: TestPKI, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.pem"
    big.write_bytes(pki.root.pem())
    monkeypatch.setattr(trust_module, "MAX_CERTIFICATE_FILE", 100)
    with pytest.raises(TrustStoreError, match="larger than the 100"):
        load_certificates(big)


def test_stores_combine_and_deduplicate(pki: TestPKI, other_pki: TestPKI) -> None:
    neac = TrustStore(roots=[pki.root.certificate])
    ban_co_yeu = TrustStore(
        roots=[other_pki.root.certificate, pki.root.certificate],
        intermediates=[other_pki.intermediate.certificate],
    )
    both = neac + ban_co_yeu
    assert both.roots == (pki.root.certificate, other_pki.root.certificate)
    assert both.intermediates == (other_pki.intermediate.certificate,)


def test_only_certificates(pki: TestPKI) -> None:
    with pytest.raises(TypeError, match=r"x509\.Certificate"):
        TrustStore(roots=[pki.root.pem()])  # type: ignore[list-item]


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.sampled_from([b"", b"-----BEGIN CERTIFICATE-----\n", b"\x30\x82"]),
    body=st.binary(max_size=300),
)
def test_any_bytes_load_or_raise_trust_store_error(prefix: bytes, body: bytes) -> None:
    """Whatever a certificate file holds, loading it gives certificates or TrustStoreError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "anchor.pem"
        path.write_bytes(prefix + body)
        failure: TrustStoreError | None = None
        try:
            store = TrustStore.from_paths(roots=[path])
        except TrustStoreError as exc:
            failure = exc
        if failure is not None:
            assert failure.path == path
        else:
            assert store.roots
