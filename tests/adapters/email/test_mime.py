"""The e-mail form of a package, without servers: building, and defensive parsing."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from vbdt_exchange.adapters._email_mime import (
    MailContentError,
    build_message,
    clean_message_id,
    parse_mail,
)
from vbdt_exchange.adapters.email import EmailConfig
from vbdt_exchange.adapters.errors import AxisConfigError


def _built(package: bytes) -> bytes:
    return build_message(
        package,
        message_id="vbdt.1@h29.example",
        sender_address="vanthu@h29.example",
        receiver_addresses=["vanthu@g22.example", "vanthu@g10.example"],
        subject="Số 12/UBND-VP: Về việc thử nghiệm",
        message_type="edoc",
        from_organ="000.00.00.H29",
        to_organs=["000.00.00.G22", "000.00.00.G10"],
        sha256="ab" * 32,
        filename="x.edxml",
    ).as_bytes()


def test_built_message_parses_back(edoc: Callable[..., bytes]) -> None:
    package = edoc()
    raw = _built(package)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # SMTP's line limit
    assert raw.isascii()  # the Vietnamese subject is RFC 2047 encoded
    mail = parse_mail(raw)
    assert mail.package == package
    assert mail.message_type == "edoc"
    assert mail.message_id == "vbdt.1@h29.example"
    assert mail.from_organ == "000.00.00.H29"
    assert mail.from_address == "vanthu@h29.example"
    assert mail.subject == "Số 12/UBND-VP: Về việc thử nghiệm"
    assert mail.filename == "x.edxml"


def _with_attachment(package: bytes, cte: str | None = None) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["Message-ID"] = "<q@g10.example>"
    msg.set_content("x")
    msg.add_attachment(
        package, maintype="application", subtype="xml", filename="p.edxml", cte=cte or "base64"
    )
    return msg.as_bytes()


def test_quoted_printable_attachment_is_taken(edoc: Callable[..., bytes]) -> None:
    package = edoc()
    raw = _with_attachment(package, "quoted-printable")
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    assert parse_mail(raw).package == package


def test_unknown_transfer_encoding_is_refused(edoc: Callable[..., bytes]) -> None:
    raw = _with_attachment(edoc()).replace(
        b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: x-uuencode"
    )
    with pytest.raises(MailContentError, match="unknown Content-Transfer-Encoding"):
        parse_mail(raw)


def test_too_many_parts_are_refused(edoc: Callable[..., bytes]) -> None:
    msg = EmailMessage(policy=SMTP)
    msg.set_content("x")
    for n in range(12):
        msg.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=f"{n}")
    with pytest.raises(MailContentError, match="more than 10 MIME parts"):
        parse_mail(msg.as_bytes(), max_parts=10)


def test_package_size_bound_applies_to_the_attachment(edoc: Callable[..., bytes]) -> None:
    raw = _with_attachment(edoc(attachment=b"y" * 50_000))
    with pytest.raises(MailContentError, match="larger than 10000 bytes"):
        parse_mail(raw, max_package_bytes=10_000)


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00" * 100, b"Subject: x\r\n\r\nno parts", "Subject: é\r\n\r\n".encode("latin-1")],
)
def test_garbage_is_a_clear_error(raw: bytes) -> None:
    with pytest.raises(MailContentError, match=r"no \.edxml attachment"):
        parse_mail(raw)


def test_message_ids_that_cannot_be_ids() -> None:
    assert clean_message_id("<a b@c>") is None  # a space
    assert clean_message_id("<" + "a" * 300 + "@c>") is None
    assert clean_message_id("<x@y>") == "x@y"
    assert clean_message_id(None) is None


def _config(**changes: object) -> EmailConfig:
    settings: dict[str, object] = {
        "system_id": "000.00.00.H29",
        "address": "vanthu@h29.example",
        "smtp_host": "127.0.0.1",
        "imap_host": "127.0.0.1",
        "username": "u",
        "password": "p",
    }
    settings.update(changes)
    return EmailConfig(**settings)  # type: ignore[arg-type]


def test_config_validation() -> None:
    assert _config(smtp_security="none", imap_security="none").imap_port_or_default == 143
    assert _config(smtp_security="ssl").smtp_port_or_default == 465
    assert _config(smtp_host="mail.example", smtp_security="none", allow_plaintext=True)
    with pytest.raises(AxisConfigError, match="smtp_security must be one of"):
        _config(smtp_security="tls")
    with pytest.raises(AxisConfigError, match="not an e-mail address"):
        _config(address="vanthu")
    with pytest.raises(AxisConfigError, match=r"clear text to mail\.example"):
        _config(imap_host="mail.example", imap_security="none")
    assert "p-secret" not in repr(_config(password="p-secret"))
