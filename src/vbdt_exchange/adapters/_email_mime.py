"""The e-mail form of a package: building the message, and taking the package out of one.

An edXML package travels as the one attachment named ``*.edxml`` (``application/xml``, base64)
of a ``multipart/mixed`` message, with a short bilingual text part and ``X-Vbdt-*`` headers
(message type, sender and receiver organ ids, SHA-256) that let the receiver list its inbox
without reading the package. Taking a package out of a received message is defensive: bounded
header block, parts and nesting, strict base64, exactly one ``.edxml`` attachment that is an
edXML package; anything else is a :class:`MailContentError` naming what is wrong.

>>> safe_filename("000.00.00.H29,2026/11/22,12/UBND-VP")
'000.00.00.H29_2026_11_22_12_UBND-VP.edxml'
"""

from __future__ import annotations

import datetime
import email.errors
import email.policy
import email.utils
import re
from collections.abc import Iterator, Sequence
from email.message import EmailMessage, Message
from email.parser import BytesParser

import attrs

from vbdt_exchange.adapters.base import MessageType, sniff_message_type
from vbdt_exchange.adapters.errors import AxisProtocolError

__all__ = [
    "MailContentError",
    "ReceivedMail",
    "build_message",
    "parse_mail",
    "safe_filename",
]

HEADER_TYPE = "X-Vbdt-Message-Type"
HEADER_FROM = "X-Vbdt-From"
HEADER_TO = "X-Vbdt-To"
HEADER_SHA256 = "X-Vbdt-Sha256"
HEADER_RECEIVER = "X-Vbdt-Receiver"

_POLICY = email.policy.SMTP.clone(max_line_length=78)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MESSAGE_ID = re.compile(r"<?([!-;=?-~]{1,250})>?")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BASE64_DEFECTS = (
    email.errors.InvalidBase64CharactersDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.InvalidBase64LengthDefect,
)


class MailContentError(AxisProtocolError):
    """A received e-mail does not carry a usable package (no or several ``.edxml``
    attachments, an attachment that is not edXML, hostile or broken MIME)."""


def safe_filename(document_id: str | None, fallback: str = "package") -> str:
    """An attachment file name from a ``DocumentId``: only ``[A-Za-z0-9._-]``, ``.edxml``.

    >>> safe_filename(None, "3f2a")
    '3f2a.edxml'
    >>> safe_filename("../../etc/passwd")
    'etc_passwd.edxml'
    """
    name = _SAFE.sub("_", document_id or "").strip("._-")[:120]
    return f"{name or fallback}.edxml"


def clean_message_id(value: str | None) -> str | None:
    """A ``Message-ID`` without its angle brackets, or ``None`` when it is unusable as an id.

    >>> clean_message_id(" <vbdt.1@h29.example> ")
    'vbdt.1@h29.example'
    >>> clean_message_id('<"quoted" id>') is None
    True
    """
    if value is None:
        return None
    m = _MESSAGE_ID.fullmatch(str(value).strip())
    if m is None or '"' in m.group(1) or "\\" in m.group(1):
        return None
    return m.group(1)


def build_message(
    package: bytes,
    *,
    message_id: str,
    sender_address: str,
    receiver_addresses: Sequence[str],
    subject: str,
    message_type: MessageType,
    from_organ: str,
    to_organs: Sequence[str],
    sha256: str,
    filename: str,
    date: datetime.datetime | None = None,
) -> EmailMessage:
    """The e-mail carrying ``package`` (``message_id`` without angle brackets)."""
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender_address
    msg["To"] = ", ".join(receiver_addresses)
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(date or datetime.datetime.now(datetime.UTC))
    msg["Message-ID"] = f"<{message_id}>"
    msg[HEADER_TYPE] = message_type
    msg[HEADER_FROM] = from_organ
    msg[HEADER_TO] = " ".join(to_organs)
    msg[HEADER_SHA256] = sha256
    msg.set_content(
        "Văn bản điện tử kèm theo (gói edXML, QCVN 102:2016): "
        f"{filename}\n"
        f"An electronic document is attached (edXML package, QCVN 102:2016): {filename}\n"
        f"SHA-256: {sha256}\n",
        cte="quoted-printable",
    )
    msg.add_attachment(package, maintype="application", subtype="xml", filename=filename)
    return msg


@attrs.frozen
class ReceivedMail:
    """A received e-mail and the package it carries.

    :ivar message_id: its ``Message-ID`` without angle brackets, when usable as an id.
    :ivar from_address: the ``From`` address.
    :ivar from_organ: the sender's organ id from ``X-Vbdt-From``, when present.
    :ivar date: its ``Date``.
    :ivar subject: its ``Subject``.
    :ivar message_type: ``edoc`` or ``status``, sniffed from the package.
    :ivar filename: the attachment's file name.
    :ivar package: the package bytes.
    """

    message_id: str | None
    from_address: str | None
    from_organ: str | None
    date: datetime.datetime | None
    subject: str | None
    message_type: MessageType
    filename: str
    package: bytes = attrs.field(repr=False)


def _walk(part: Message, depth: int, max_depth: int) -> Iterator[Message]:
    if depth > max_depth:
        raise MailContentError(f"MIME parts nested deeper than {max_depth} levels")
    yield part
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from _walk(sub, depth + 1, max_depth)


def _header(msg: Message, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:  # a header the policy cannot parse
        return None
    return None if value is None else str(value).strip()


def parse_mail(
    raw: bytes,
    *,
    max_header_bytes: int = 64 * 1024,
    max_parts: int = 100,
    max_depth: int = 8,
    max_package_bytes: int = 64 * 1024 * 1024,
) -> ReceivedMail:
    """Take the package out of the raw e-mail ``raw``.

    :raises MailContentError: the e-mail is not a usable package carrier (says why).
    """
    end = _HEADER_END.search(raw, 0, max_header_bytes + 4)
    if end is None and len(raw) > max_header_bytes:
        raise MailContentError(f"the header block is larger than {max_header_bytes} bytes")
    try:
        msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    except (RecursionError, Exception) as exc:
        raise MailContentError(f"not a readable MIME message: {type(exc).__name__}") from None
    candidates: list[Message] = []
    try:
        for count, part in enumerate(_walk(msg, 0, max_depth), 1):
            if count > max_parts:
                raise MailContentError(f"more than {max_parts} MIME parts")
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if filename and filename.strip().lower().endswith(".edxml"):
                candidates.append(part)
    except RecursionError:
        raise MailContentError(f"MIME parts nested deeper than {max_depth} levels") from None
    if not candidates:
        raise MailContentError("the e-mail has no .edxml attachment")
    if len(candidates) > 1:
        raise MailContentError(
            f"the e-mail has {len(candidates)} .edxml attachments; one package per e-mail"
        )
    (part,) = candidates
    filename = (part.get_filename() or "").strip()
    cte = str(part.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    if cte not in ("base64", "7bit", "8bit", "binary", "quoted-printable"):
        raise MailContentError(f"{filename}: unknown Content-Transfer-Encoding {cte!r}")
    encoded = part.get_payload(decode=False)
    if not isinstance(encoded, str):
        raise MailContentError(f"{filename}: the attachment has no body")
    if len(encoded) > max_package_bytes * 4 // 3 + 4096:
        raise MailContentError(f"{filename}: the package is larger than {max_package_bytes} bytes")
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        raise MailContentError(f"{filename}: the attachment cannot be decoded")
    bad = [d for d in part.defects if isinstance(d, _BASE64_DEFECTS)]
    if bad:
        raise MailContentError(f"{filename}: invalid base64 ({type(bad[0]).__name__})")
    if len(data) > max_package_bytes:
        raise MailContentError(f"{filename}: the package is larger than {max_package_bytes} bytes")
    try:
        message_type = sniff_message_type(data)
    except AxisProtocolError:
        raise MailContentError(
            f"{filename}: the attachment is not an edXML package (no MessageHeader)"
        ) from None
    date = None
    date_text = _header(msg, "Date")
    if date_text:
        try:
            date = email.utils.parsedate_to_datetime(date_text)
        except (TypeError, ValueError):
            date = None
    from_text = _header(msg, "From")
    from_address = email.utils.parseaddr(from_text)[1] or None if from_text else None
    return ReceivedMail(
        message_id=clean_message_id(_header(msg, "Message-ID")),
        from_address=from_address,
        from_organ=_header(msg, HEADER_FROM),
        date=date,
        subject=_header(msg, "Subject"),
        message_type=message_type,
        filename=filename,
        package=data,
    )


def parse_headers(raw: bytes) -> Message:
    """The header block of a raw e-mail (for the sent journal)."""
    return BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=True)
