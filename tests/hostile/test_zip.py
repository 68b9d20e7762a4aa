"""The official SDK's ZIP wrapper (edXML §9.3) as an attack surface: bombs, lying headers,
encrypted, corrupt and multi-entry archives."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest
from _hostile import (
    BOMB_SIZE,
    UUID_ENTRY,
    attachment,
    by_rule,
    encrypted_flag_zip,
    lying_zip,
    only,
    package,
    reference,
    sdk_zip,
)

import vbdt_exchange as vbdt
from vbdt_exchange import Limits, ReadOptions, Severity

ZIP = "application/zip"


def zipped(archive: bytes, *, name: str = "a.txt", ref_type: str = ZIP) -> bytes:
    """A package whose one attachment is ``archive``, labelled application/zip."""
    return package(
        attachments=[attachment(base64.b64encode(archive).decode(), name=name, content_type=ZIP)],
        references=[reference(name=name, content_type=ref_type)],
    )


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def _data(result: vbdt.ReadResult) -> bytes:
    with result.package.attachments[0].data.open() as stream:
        return stream.read()


def test_sdk_wrapper_is_removed() -> None:
    """The control case: a genuine SDK wrapper is unwrapped, with an info finding."""
    result = vbdt.read(zipped(sdk_zip(b"hello"), ref_type="text/plain"))
    assert [(f.rule, f.severity) for f in result.findings] == [("EDX302", Severity.INFO)]
    (att,) = result.package.attachments
    assert att.sdk_zipped
    assert att.content_type == "text/plain"
    assert _data(result) == b"hello"


def test_zip_bomb_is_refused_without_inflating(bomb: bytes, private_tmp: Path) -> None:
    result = vbdt.read(zipped(bomb))
    finding = only(result.findings, "EDX304", Severity.ERROR)
    assert "compression ratio exceeds 200" in finding.message
    (att,) = result.package.attachments
    assert not att.sdk_zipped
    assert att.size == len(bomb)  # the wrapper itself is given, not its content
    assert _data(result) == bomb
    # no temporary file holds more than the wrapper while the result is alive ...
    spooled = _files(private_tmp)
    assert sum(spooled.values()) == len(bomb), spooled
    # ... and nothing is left once it is closed
    result.close()
    assert _files(private_tmp) == {}


def test_zip_bomb_in_a_given_spool_dir(bomb: bytes, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    with vbdt.read(zipped(bomb), spool_dir=spool) as result:
        only(result.findings, "EDX304", Severity.ERROR)
        assert sum(_files(spool).values()) == len(bomb)
    assert _files(spool) == {}


def test_zip_bomb_refused_by_declared_size(bomb: bytes) -> None:
    options = ReadOptions(limits=Limits(max_zip_ratio=10**9, max_attachment_bytes=10 * 1024**2))
    result = vbdt.read(zipped(bomb), options=options)
    finding = only(result.findings, "EDX304", Severity.ERROR)
    assert f"declares {BOMB_SIZE} bytes, over the limit of {10 * 1024**2}" in finding.message


def test_zip_bomb_whose_headers_lie_about_its_size(bomb: bytes, private_tmp: Path) -> None:
    """Local header and central directory claim 1000 bytes: inflating stops there."""
    result = vbdt.read(zipped(lying_zip(bomb, 1000)))
    finding = only(result.findings, "EDX304", Severity.ERROR)
    assert "damaged" in finding.message
    assert not result.package.attachments[0].sdk_zipped
    assert max(_files(private_tmp).values()) <= len(bomb)
    result.close()


def test_encrypted_entry_is_refused() -> None:
    result = vbdt.read(zipped(encrypted_flag_zip(b"hello")))
    finding = only(result.findings, "EDX304", Severity.ERROR)
    assert "encrypted" in finding.message
    assert not result.package.attachments[0].sdk_zipped


def _stored_zip(inner: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(UUID_ENTRY, inner)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("archive", "detail"),
    [
        (
            sdk_zip(b"hello " * 200)[:40] + b"\x00" * 20 + sdk_zip(b"hello " * 200)[60:],
            "File name in directory",
        ),
        (_stored_zip(b"hello world").replace(b"hello world", b"hellO world"), "Bad CRC-32"),
    ],
    ids=["local-header-overwritten", "bad-crc"],
)
def test_corrupt_sdk_wrapper_is_refused(archive: bytes, detail: str) -> None:
    result = vbdt.read(zipped(archive))
    finding = only(result.findings, "EDX304", Severity.ERROR)
    assert "damaged" in finding.message
    assert detail in finding.message
    assert not result.package.attachments[0].sdk_zipped
    assert _data(result) == archive


@pytest.mark.parametrize(
    "damage",
    [lambda z: z[:50], lambda z: z.replace(b"PK\x01\x02", b"PK\x09\x09")],
    ids=["truncated", "central-directory-broken"],
)
def test_bytes_that_only_start_like_a_zip_are_kept_as_they_are(damage: object) -> None:
    broken = damage(sdk_zip(b"hello " * 200))  # type: ignore[operator]
    assert broken.startswith(b"PK\x03\x04")
    result = vbdt.read(zipped(broken))
    assert result.findings == ()
    assert not result.package.attachments[0].sdk_zipped
    assert _data(result) == broken


def test_zip_with_two_entries_is_not_unwrapped() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(UUID_ENTRY, "first")
        archive.writestr("0b0c4f4e-6a47-4f0e-9d8b-3a8f2f1f6a12.txt", "second")
    result = vbdt.read(zipped(buffer.getvalue()))
    assert result.findings == ()
    (att,) = result.package.attachments
    assert not att.sdk_zipped
    assert _data(result) == buffer.getvalue()


@pytest.mark.parametrize(
    "entry",
    [
        "passwd",
        "../0b0c4f4e-6a47-4f0e-9d8b-3a8f2f1f6a11.txt",
        "/0b0c4f4e-6a47-4f0e-9d8b-3a8f2f1f6a11.txt",
        "0b0c4f4e-6a47-4f0e-9d8b-3a8f2f1f6a11",
        "0b0c4f4e-6a47-4f0e-9d8b-3a8f2f1f6a11/",
    ],
    ids=["not-a-uuid", "traversal", "absolute", "no-extension", "directory"],
)
def test_single_entry_not_named_like_the_sdk_is_not_unwrapped(entry: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(entry, "" if entry.endswith("/") else "x")
    result = vbdt.read(zipped(buffer.getvalue()))
    assert result.findings == ()
    assert not result.package.attachments[0].sdk_zipped


def test_attachment_named_zip_is_not_unwrapped(bomb: bytes) -> None:
    result = vbdt.read(zipped(bomb, name="archive.zip"))
    assert result.findings == ()
    assert not result.package.attachments[0].sdk_zipped


def test_unwrapping_switched_off_leaves_a_bomb_alone(bomb: bytes) -> None:
    result = vbdt.read(zipped(bomb), options=ReadOptions(unwrap_sdk_zip=False))
    assert by_rule(result.findings, "EDX304") == []
    assert result.package.attachments[0].size == len(bomb)


def test_bomb_in_every_attachment(bomb: bytes, private_tmp: Path) -> None:
    count = 5
    data = package(
        attachments=[
            attachment(
                base64.b64encode(bomb).decode(), cid=f"c{i}", name=f"{i}.txt", content_type=ZIP
            )
            for i in range(count)
        ],
        references=[
            reference(cid=f"c{i}", name=f"{i}.txt", content_type=ZIP) for i in range(count)
        ],
    )
    with vbdt.read(data) as result:
        assert len(by_rule(result.findings, "EDX304")) == count
        assert sum(_files(private_tmp).values()) == count * len(bomb)
