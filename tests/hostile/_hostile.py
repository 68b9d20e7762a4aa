"""Builders for hostile edXML inputs (the generated half of the cases; the static half is in
``cases/``).

Every builder returns the bytes of a package (or writes one to a path, streaming, for the big
ones) so that each test names exactly the defect it plants and nothing else.
"""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

from vbdt_exchange import Finding, Severity

HERE = Path(__file__).parent
CASES = HERE / "cases"
NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
CID = "7f1c0d7e-5a4b-4c1e-9a53-2f0e8c6b1d20"
UUID_ENTRY = "0b0c4f4e-6a47-4f0e-9d8b-3a8f2f1f6a11.txt"
BOMB_SIZE = 200 * 1024 * 1024  # 200 MiB of zeros: about 200 KB deflated

HEADER = "\n".join(
    [
        "<edXMLEnvelope>",
        "    <edXMLHeader>",
        "      <MessageHeader>",
        "        <From><OrganId>000.00.00.H41</OrganId>"
        "<OrganName>UBND tỉnh Nghệ An</OrganName></From>",
        "        <To><OrganId>000.00.00.G22</OrganId>"
        "<OrganName>Văn phòng Chính phủ</OrganName></To>",
        "        <Code><CodeNumber>3244</CodeNumber><CodeNotation>UBND-VP</CodeNotation></Code>",
        "        <PromulgationInfo><Place>Nghệ An</Place>"
        "<PromulgationDate>2026/11/20</PromulgationDate></PromulgationInfo>",
        "        <DocumentType><Type>1</Type><TypeDetail>0</TypeDetail>"
        "<TypeName>Công văn</TypeName></DocumentType>",
        "        <Subject>{subject}</Subject>",  # line 11 of a package
        "        <SteeringType>1</SteeringType>",
        "        <DocumentId>000.00.00.H41,2026/11/20,3244/UBND-VP</DocumentId>",
        "      </MessageHeader>",
        "      <TraceHeaderList>",
        "        <TraceHeader><OrganId>000.00.00.H41</OrganId>"
        "<Timestamp>2026/11/20 09:30:00</Timestamp></TraceHeader>",
        "        <Bussiness><BussinessDocType>0</BussinessDocType>"
        "<BussinessDocReason>Văn bản mới</BussinessDocReason></Bussiness>",
        "      </TraceHeaderList>",
        "    </edXMLHeader>",
        "    <edXMLBody>",
        '      <edXMLManifest version="1.0">{references}',
        "      </edXMLManifest>",
        "    </edXMLBody>",
        "  </edXMLEnvelope>",
    ]
)
"""The header of every generated package. Lines of a package: 11 ``Subject``, 12
``SteeringType``, 22 first ``Reference``, 25 ``extra_root_children``, 27 the first attachment."""


def reference(cid: str = CID, name: str = "a.txt", content_type: str = "text/plain") -> str:
    return (
        f"\n        <Reference><ContentId>cid:{cid}</ContentId>"
        f"<ContentType>{content_type}</ContentType>"
        f"<AttachmentName>{name}</AttachmentName></Reference>"
    )


def attachment(
    payload: str,
    *,
    cid: str = CID,
    name: str = "a.txt",
    content_type: str = "text/plain",
    cte_open: str = "<ContentTransferEncoded>",
    cte_close: str = "</ContentTransferEncoded>",
) -> str:
    return (
        f"\n    <Attachment><ContentId>cid:{cid}</ContentId>"
        f"<AttachmentName>{name}</AttachmentName>"
        f"<ContentType>{content_type}</ContentType>"
        f"{cte_open}{payload}{cte_close}</Attachment>"
    )


def package(
    *,
    payload: str | None = "aGVsbG8=",
    attachments: list[str] | None = None,
    references: list[str] | None = None,
    subject: str = "Kiểm thử",
    prolog: str = DECL,
    between: str = "",
    extra_root_children: str = "",
    root_attrs: str = "",
) -> bytes:
    """A small, valid edoc package, with the given parts swapped in.

    ``payload`` is the text of the single attachment's ``ContentTransferEncoded`` (ignored when
    ``attachments`` is given); ``between`` goes between the prolog and the root start tag.
    """
    if attachments is None:
        attachments = [attachment(payload)] if payload is not None else []
    if references is None:
        references = [reference()] if attachments else []
    encoded = (
        f"\n  <AttachmentEncoded>{''.join(attachments)}\n  </AttachmentEncoded>"
        if attachments
        else ""
    )
    text = (
        f'{prolog}{between}<edXML xmlns="{NS}"{root_attrs}>\n  '
        f"{HEADER.format(subject=subject, references=''.join(references))}"
        f"{extra_root_children}{encoded}\n</edXML>\n"
    )
    return text.encode("utf-8")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sdk_zip(inner: bytes, entry: str = UUID_ENTRY) -> bytes:
    """The official SDK's wrapper: a ZIP with one UUID-named entry."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(entry, inner)
    return buffer.getvalue()


def zip_bomb(size: int, entry: str = UUID_ENTRY) -> bytes:
    """A single-entry ZIP of ``size`` zero bytes, built by streaming (never holds them all)."""
    buffer = io.BytesIO()
    info = zipfile.ZipInfo(entry, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w") as archive, archive.open(info, "w", force_zip64=False) as out:
        for _ in range(size // len(chunk)):
            out.write(chunk)
        out.write(bytes(size % len(chunk)))
    return buffer.getvalue()


def lying_zip(archive: bytes, declared_size: int) -> bytes:
    """``archive`` (a single-entry ZIP) with its local header and central directory both
    claiming ``declared_size`` uncompressed bytes (the deflate stream is unchanged)."""
    data = bytearray(archive)
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    # the uncompressed size is at offset 22 of the local header and 24 of the central header
    for offset in (local + 22, central + 24):
        data[offset : offset + 4] = declared_size.to_bytes(4, "little")
    return bytes(data)


def encrypted_flag_zip(inner: bytes, entry: str = UUID_ENTRY) -> bytes:
    """A single-entry ZIP whose entry has the 'encrypted' general-purpose flag set."""
    data = bytearray(sdk_zip(inner, entry))
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 6] |= 0x01
    data[central + 8] |= 0x01
    return bytes(data)


def write_big_package(path: Path, size: int, *, zeros: bool = False) -> None:
    """Stream a package with one ``size``-byte attachment to ``path`` (base64 in 76-char lines)."""
    head, tail = package(payload="\x00SPLIT\x00").split(b"\x00SPLIT\x00")
    block = 57 * 16 * 1024  # a multiple of 57 bytes: whole 76-character lines
    pattern = bytes(block) if zeros else (bytes(range(256)) * (block // 256 + 1))[:block]
    encoded = base64.encodebytes(pattern)
    with open(path, "wb") as out:
        out.write(head)
        for _ in range(size // block):
            out.write(encoded)
        rest = size % block
        if rest:
            out.write(base64.encodebytes(pattern[:rest]))
        out.write(tail)


def by_rule(findings: tuple[Finding, ...], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def only(findings: tuple[Finding, ...], rule: str, severity: Severity) -> Finding:
    """The one finding with ``rule``; fails unless there is exactly one, of ``severity``."""
    matches = by_rule(findings, rule)
    assert len(matches) == 1, (rule, findings)
    assert matches[0].severity is severity, matches[0]
    return matches[0]
