"""The test mail servers themselves: log-in required, unknown mailboxes refused, clean stop."""

from __future__ import annotations

import imaplib
import smtplib
from collections.abc import Callable

import pytest

from vbdt_exchange.testing.mailserver import MailServer, MailServerError


def test_smtp_requires_log_in_and_known_recipients(
    require_tool: Callable[[str, str], str],
) -> None:
    require_tool("dovecot", "dovecot-imapd")
    with MailServer({"a@x.example": "pa", "b@y.example": "pb"}) as server:
        directory = server.directory
        with smtplib.SMTP(server.host, server.smtp_port, timeout=10) as smtp:
            with pytest.raises(smtplib.SMTPSenderRefused) as anonymous:
                smtp.sendmail("a@x.example", ["b@y.example"], b"Subject: x\r\n\r\ny\r\n")
            assert anonymous.value.smtp_code == 530
            smtp.login("a@x.example", "pa")
            refused = smtp.sendmail(
                "a@x.example", ["b@y.example", "c@z.example"], b"Subject: x\r\n\r\ny\r\n"
            )
            assert refused["c@z.example"][0] == 550
        (message,) = server.messages("b@y.example")
        assert b"Subject: x" in message
        with imaplib.IMAP4(server.host, server.imap_port, timeout=10) as imap:
            imap.login("b@y.example", "pb")
            typ, data = imap.select("INBOX")
            assert (typ, data) == ("OK", [b"1"])
        with pytest.raises(MailServerError, match="before starting"):
            server.add_user("d@z.example", "pd")
    assert not directory.exists()
    with pytest.raises(MailServerError, match="not running"):
        _ = server.smtp_port
