"""The e-mail channel against real servers: routing, idempotency, hostile mail, failures."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from vbdt_exchange.adapters.base import Agency, DeliveryState
from vbdt_exchange.adapters.email import EmailChannel, MailContentError
from vbdt_exchange.adapters.errors import (
    AxisAuthError,
    AxisRefused,
    AxisUnavailable,
    AxisUnsupported,
    Outcome,
)
from vbdt_exchange.testing.mailserver import MailServer

SENDER = "000.00.00.H29"
RECEIVER = "000.00.00.G22"
OTHER = "000.00.00.G10"
G22 = "vanthu@g22.example"


def test_status_package_travels_back(
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    status_package: Callable[..., bytes],
) -> None:
    sender, receiver = channel_for(SENDER), channel_for(RECEIVER)
    package = edoc()
    sender.send(package)
    (notice,) = receiver.received()
    receiver.acknowledge(notice.doc_id, "done")

    answer = receiver.send(status_package("03", about=package))
    assert answer.message_type == "status"
    assert sender.received("edoc") == []
    (status,) = sender.received("status")
    assert (status.doc_id, status.from_, status.message_type) == (answer.doc_id, RECEIVER, "status")
    out = io.BytesIO()
    fetched = sender.fetch(status.doc_id, out)
    assert out.getvalue() == status_package("03", about=package)
    assert fetched.sha256 == answer.sha256
    assert [r.to for r in receiver.sent(answer.doc_id, "status")] == [SENDER]


def test_two_receivers_get_one_message_each(
    channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    sender = channel_for(SENDER)
    sent = sender.send(edoc(to=(RECEIVER, OTHER)))
    for organ in (RECEIVER, OTHER):
        channel = channel_for(organ)
        (notice,) = channel.received()
        assert notice.doc_id == sent.doc_id
        assert notice.to == organ
        channel.acknowledge(notice.doc_id, "done")
    rows = sender.sent(sent.doc_id)
    assert sorted((r.to, r.send_status) for r in rows) == [(OTHER, "done"), (RECEIVER, "done")]
    assert sender.sent(sent.doc_id, "status") == []


def test_ids_are_stable_across_reconnects(
    channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    channel_for(SENDER).send(edoc())
    first = channel_for(RECEIVER)
    (before,) = first.received()
    first.close()
    second = channel_for(RECEIVER)
    (after,) = second.received()
    assert after.doc_id == before.doc_id
    assert second.acknowledge(after.doc_id, "processing").state is DeliveryState.PROCESSING
    (processing,) = first.received()  # the closed channel re-connects
    assert processing.state is DeliveryState.PROCESSING


def test_the_same_email_delivered_twice_is_one_notice(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    raw_mail: Callable[..., bytes],
) -> None:
    raw = raw_mail(edoc(from_=OTHER))
    mail_server.deliver(G22, raw)
    mail_server.deliver(G22, raw)
    receiver = channel_for(RECEIVER)
    (notice,) = receiver.received()
    assert notice.doc_id == "other.1@g10.example"
    assert notice.from_ == OTHER  # from the address book: the mail has no X-Vbdt-From
    receiver.acknowledge(notice.doc_id, "done")
    assert receiver.received() == []  # both copies acknowledged


def test_a_second_email_with_the_same_package_is_a_second_notice(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    raw_mail: Callable[..., bytes],
) -> None:
    package = edoc(from_=OTHER)
    mail_server.deliver(G22, raw_mail(package, message_id="<a@g10.example>"))
    mail_server.deliver(G22, raw_mail(package, message_id="<b@g10.example>"))
    receiver = channel_for(RECEIVER)
    notices = receiver.received()
    assert sorted(n.doc_id for n in notices) == ["a@g10.example", "b@g10.example"]
    hashes = {receiver.fetch(n.doc_id, io.BytesIO()).sha256 for n in notices}
    assert len(hashes) == 1  # the engine de-duplicates by this content hash


def test_message_id_search_matches_the_whole_id(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    raw_mail: Callable[..., bytes],
) -> None:
    mail_server.deliver(G22, raw_mail(edoc(from_=OTHER, number="1"), message_id="<xa@g10.example>"))
    receiver = channel_for(RECEIVER)
    with pytest.raises(AxisRefused, match=r"no message a@g10\.example"):
        receiver.fetch("a@g10.example", io.BytesIO())
    with pytest.raises(AxisRefused, match="not a message id"):
        receiver.fetch('a" OR ALL "', io.BytesIO())
    with pytest.raises(AxisRefused, match="no message"):
        receiver.acknowledge("a@g10.example", "done")


def test_a_mail_without_message_id_gets_a_uid_id(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    raw_mail: Callable[..., bytes],
) -> None:
    package = edoc(from_=OTHER)
    mail_server.deliver(G22, raw_mail(package, message_id=None))
    receiver = channel_for(RECEIVER)
    (notice,) = receiver.received()
    assert notice.doc_id.startswith("uid-")
    out = io.BytesIO()
    receiver.fetch(notice.doc_id, out)
    assert out.getvalue() == package
    receiver.acknowledge(notice.doc_id, "done")
    assert receiver.received() == []
    validity = notice.doc_id.split("-")[1]
    with pytest.raises(AxisRefused, match="rebuilt"):
        receiver.fetch(f"uid-{int(validity) + 1}-1", io.BytesIO())


def test_states_follow_the_axis_rules(
    channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    channel_for(SENDER).send(edoc(number="1"))
    channel_for(SENDER).send(edoc(number="2"))
    receiver = channel_for(RECEIVER)
    first, second = receiver.received()
    receiver.acknowledge(first.doc_id, DeliveryState.DONE)
    with pytest.raises(AxisRefused, match="is done") as refused:
        receiver.acknowledge(first.doc_id, "fail")
    assert refused.value.outcome is Outcome.UNKNOWN
    receiver.acknowledge(second.doc_id, "fail")
    assert receiver.received() == []  # fail is final too
    with pytest.raises(ValueError, match="02"):
        receiver.acknowledge(second.doc_id, "02")  # a business status is not a delivery state


@pytest.mark.parametrize(
    ("mail", "reason"),
    [
        (lambda raw, pkg: raw(b"<html>not a package</html>"), "not an edXML package"),
        (lambda raw, pkg: raw(None), "no .edxml attachment"),
        (lambda raw, pkg: raw(pkg, filename="package.xml"), "no .edxml attachment"),
        (
            lambda raw, pkg: (
                raw(pkg)
                .replace(b"Content-Transfer-Encoding: base64", b"X: y")
                .replace(b"PD94", b"!!!")
            ),
            "not an edXML package",
        ),
    ],
    ids=["html", "no-attachment", "wrong-name", "broken-encoding"],
)
def test_mail_without_a_package_is_refused_not_crashing(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    raw_mail: Callable[..., bytes],
    mail: Callable[..., bytes],
    reason: str,
) -> None:
    mail_server.deliver(G22, mail(raw_mail, edoc(from_=OTHER)))
    good = raw_mail(edoc(from_=OTHER, number="9"), message_id="<good@g10.example>")
    mail_server.deliver(G22, good)
    receiver = channel_for(RECEIVER)
    (notice,) = receiver.received()
    assert notice.doc_id == "good@g10.example"
    (rejected,) = receiver.rejected
    assert reason in rejected.reason
    assert receiver.received() == [notice]  # flagged: not read again
    assert receiver.rejected == []
    if rejected.doc_id == "other.1@g10.example":
        with pytest.raises(MailContentError, match=reason):
            receiver.fetch(rejected.doc_id, io.BytesIO())


def _nested(depth: int, inner: bytes) -> bytes:
    body = inner
    for level in range(depth):
        b = f"b{level}".encode()
        body = (
            b"Content-Type: multipart/mixed; boundary="
            + b
            + b"\r\n\r\n--"
            + b
            + b"\r\n"
            + body
            + b"\r\n--"
            + b
            + b"--\r\n"
        )
    return b"From: x@g10.example\r\nMessage-ID: <deep@g10.example>\r\nMIME-Version: 1.0\r\n" + body


def test_hostile_mime_is_refused_with_a_reason(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    raw_mail: Callable[..., bytes],
) -> None:
    package = edoc(from_=OTHER)
    leaf = (
        b"Content-Type: application/xml\r\n"
        b"Content-Disposition: attachment; filename=x.edxml\r\n\r\n<x/>"
    )
    mails = {
        "deep": _nested(40, leaf),
        "headers": b"From: x@g10.example\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\nbody",
        "base64": raw_mail(package, message_id="<b64@g10.example>").replace(b"PD94", b"P*94"),
        "garbage": b"\x00\xff" * 5000,
    }
    for raw in mails.values():
        mail_server.deliver(G22, raw)
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["Message-ID"] = "<many@g10.example>"
    msg.set_content("x")
    msg.add_attachment(package, maintype="application", subtype="xml", filename="a.edxml")
    msg.add_attachment(package, maintype="application", subtype="xml", filename="b.edxml")
    mail_server.deliver(G22, msg.as_bytes())
    receiver = channel_for(RECEIVER)
    assert receiver.received() == []
    reasons = sorted(r.reason for r in receiver.rejected)
    assert len(reasons) == 5, reasons
    assert any("nested deeper" in r for r in reasons), reasons
    assert any("header block is larger" in r for r in reasons), reasons
    assert any("invalid base64" in r for r in reasons), reasons
    assert any("2 .edxml attachments" in r for r in reasons), reasons
    assert any("no .edxml attachment" in r for r in reasons), reasons


def test_oversized_mail_is_refused_before_download(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    raw_mail: Callable[..., bytes],
) -> None:
    mail_server.deliver(G22, raw_mail(edoc(from_=OTHER, attachment=b"x" * 200_000)))
    receiver = channel_for(RECEIVER, max_package_bytes=10_000)
    assert receiver.received() == []
    (rejected,) = receiver.rejected
    assert "larger than" in rejected.reason


def test_receiver_without_address_is_refused_before_sending(
    mail_server: MailServer, channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    sender = channel_for(SENDER, address_book={})
    with pytest.raises(AxisRefused, match=f"no e-mail address for {RECEIVER}") as refused:
        sender.send(edoc())
    assert refused.value.outcome is Outcome.REJECTED_ADDRESSING
    assert mail_server.messages(G22) == []
    with pytest.raises(AxisRefused, match="not this system") as wrong:
        channel_for(RECEIVER).send(edoc())  # From is H29
    assert wrong.value.outcome is Outcome.REJECTED_ADDRESSING
    with pytest.raises(AxisRefused, match="not a readable package") as bad:
        channel_for(SENDER).send(b"<html/>")
    assert bad.value.outcome is Outcome.REJECTED_PACKAGE
    with pytest.raises(AxisRefused, match="larger than"):
        channel_for(SENDER, max_package_bytes=100).send(edoc())


def test_agency_mail_completes_the_address_book(
    mail_server: MailServer, channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    sender = channel_for(
        SENDER, address_book={}, agencies=(Agency(code=RECEIVER, name="VPCP", mail=G22),)
    )
    sender.send(edoc())
    assert len(mail_server.messages(G22)) == 1
    assert [a.code for a in sender.agencies()] == [RECEIVER]
    with pytest.raises(AxisUnsupported):
        sender.register_agency(Agency(code="x"))
    with pytest.raises(AxisUnsupported):
        sender.delete_agency(RECEIVER)


def test_unknown_mailbox_is_refused_5xx_and_partial_delivery_is_recorded(
    mail_server: MailServer, channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    book = {RECEIVER: G22, OTHER: "nobody@g10.example"}
    sender = channel_for(SENDER, address_book=book)
    sent = sender.send(edoc(to=(RECEIVER, OTHER)))
    assert sent.description is not None
    assert "nobody@g10.example" in sent.description
    rows = {r.to: r for r in sender.sent(sent.doc_id)}
    assert rows[RECEIVER].send_status == "done"
    assert rows[OTHER].send_status == "fail"
    assert "550" in (rows[OTHER].send_status_desc or "")
    with pytest.raises(AxisRefused, match="550") as refused:
        sender.send(edoc(to=(OTHER,)))
    assert refused.value.outcome is Outcome.REJECTED_ADDRESSING


@pytest.mark.parametrize(
    ("reply", "error", "outcome"),
    [
        ("451 4.3.0 try again later", AxisUnavailable, Outcome.TRANSIENT),
        ("552 5.3.4 message too big", AxisRefused, Outcome.REJECTED_PACKAGE),
    ],
)
def test_smtp_refusals_map_onto_outcomes(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    reply: str,
    error: type[Exception],
    outcome: Outcome,
) -> None:
    mail_server.smtp_reply = reply
    with pytest.raises(error) as raised:
        channel_for(SENDER).send(edoc())
    assert raised.value.outcome is outcome  # type: ignore[attr-defined]
    assert mail_server.messages(G22) == []
    assert channel_for(SENDER).sent() == []  # nothing journalled


def test_servers_down_are_unavailable(
    channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # bound, never listening: connections are refused
        channel = channel_for(SENDER, smtp_port=closed, imap_port=closed, timeout=2.0)
        with pytest.raises(AxisUnavailable, match="cannot reach the SMTP server") as smtp:
            channel.send(edoc())
        assert smtp.value.retryable
        with pytest.raises(AxisUnavailable, match="cannot reach the IMAP server") as imap:
            channel.received()
        assert imap.value.retryable


def test_wrong_passwords_are_auth_errors(
    mail_server: MailServer, channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    with pytest.raises(AxisAuthError, match=r"IMAP server .* refused the log-in") as imap:
        channel_for(RECEIVER, password="wrong").received()
    assert imap.value.outcome is Outcome.REJECTED_CREDENTIALS
    with pytest.raises(AxisAuthError, match=r"SMTP server .* refused the log-in") as smtp:
        channel_for(SENDER, smtp_password="wrong").send(edoc())
    assert smtp.value.outcome is Outcome.REJECTED_CREDENTIALS
    assert mail_server.messages(G22) == []


def test_starttls_required_but_not_offered_is_a_clear_refusal(
    mail_server: MailServer, channel_for: Callable[..., EmailChannel], edoc: Callable[..., bytes]
) -> None:
    with pytest.raises(AxisRefused, match="STARTTLS") as refused:
        channel_for(SENDER, smtp_security="starttls").send(edoc())
    assert not refused.value.retryable
    assert mail_server.messages(G22) == []
