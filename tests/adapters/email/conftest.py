"""Fixtures of the e-mail channel tests: real SMTP (aiosmtpd) and IMAP (Dovecot) on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from vbdt_exchange.adapters.base import Agency
from vbdt_exchange.adapters.email import EmailChannel, EmailConfig
from vbdt_exchange.testing.mailserver import MailServer

SENDER = "000.00.00.H29"
RECEIVER = "000.00.00.G22"
OTHER = "000.00.00.G10"
ADDRESSES = {
    SENDER: "vanthu@h29.example",
    RECEIVER: "vanthu@g22.example",
    OTHER: "vanthu@g10.example",
}
PASSWORDS = {SENDER: "h29-secret", RECEIVER: "g22-secret", OTHER: "g10-secret"}


@pytest.fixture
def mail_server(require_tool: Callable[[str, str], str]) -> Iterator[MailServer]:
    """A fresh SMTP + Dovecot pair with a mailbox for each of the three organs."""
    require_tool("dovecot", "dovecot-imapd")
    users = {ADDRESSES[organ]: PASSWORDS[organ] for organ in ADDRESSES}
    with MailServer(users) as server:
        yield server


@pytest.fixture
def config_for(mail_server: MailServer) -> Callable[..., EmailConfig]:
    """``config_for(organ, **changes)`` -> the EmailConfig of that organ's system."""

    def make(organ: str, **changes: object) -> EmailConfig:
        settings: dict[str, object] = {
            "system_id": organ,
            "address": ADDRESSES[organ],
            "smtp_host": mail_server.host,
            "smtp_port": mail_server.smtp_port,
            "imap_host": mail_server.host,
            "imap_port": mail_server.imap_port,
            "smtp_security": "none",
            "imap_security": "none",
            "username": ADDRESSES[organ],
            "password": PASSWORDS[organ],
            "address_book": {o: a for o, a in ADDRESSES.items() if o != organ},
            "agencies": (Agency(code=RECEIVER, name="Văn phòng Chính phủ"),),
            "timeout": 10.0,
        }
        settings.update(changes)
        return EmailConfig(**settings)  # type: ignore[arg-type]

    return make


@pytest.fixture
def channel_for(config_for: Callable[..., EmailConfig]) -> Iterator[Callable[..., EmailChannel]]:
    """``channel_for(organ, **changes)`` -> an EmailChannel, closed after the test."""
    opened: list[EmailChannel] = []

    def make(organ: str, **changes: object) -> EmailChannel:
        channel = EmailChannel(config_for(organ, **changes))
        opened.append(channel)
        return channel

    yield make
    for channel in opened:
        channel.close()


@pytest.fixture
def raw_mail() -> Callable[..., bytes]:
    """``raw_mail(package, message_id=..., filename=...)`` -> a raw e-mail as another system
    (or an attacker) would write it, for delivering straight into a mailbox."""
    from email.message import EmailMessage
    from email.policy import SMTP

    def make(
        package: bytes | None,
        *,
        message_id: str | None = "<other.1@g10.example>",
        filename: str = "package.edxml",
        sender: str = ADDRESSES[OTHER],
    ) -> bytes:
        msg = EmailMessage(policy=SMTP)
        msg["From"] = sender
        msg["To"] = ADDRESSES[RECEIVER]
        msg["Subject"] = "Văn bản đến"
        if message_id is not None:
            msg["Message-ID"] = message_id
        msg.set_content("Kính gửi: văn thư")
        if package is not None:
            msg.add_attachment(package, maintype="application", subtype="xml", filename=filename)
        return msg.as_bytes()

    return make
