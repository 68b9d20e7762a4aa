"""The official e-mail channel: packages as e-mail attachments, sent over SMTP, received over IMAP.

Where an organisation is not on an axis, documents still travel by its official mailbox
("hòm thư công vụ"). :class:`EmailChannel` gives that route the same
:class:`~vbdt_exchange.adapters.base.Channel` interface as the axis clients:

* :meth:`EmailChannel.send` — one e-mail per package to every receiver's official address (the
  address book: organ id → address), the package as its one ``<DocumentId>.edxml`` attachment,
  a ``Message-ID`` the channel generates and returns as the ``doc_id``; a copy goes to the sent
  journal (an IMAP folder, ``Sent`` by default) with one ``X-Vbdt-Receiver`` line per receiver;
* :meth:`EmailChannel.received` — the e-mails in the INBOX that carry an edXML package and are
  not yet acknowledged ``done`` or ``fail``, one :class:`~vbdt_exchange.adapters.base.Notice`
  per ``Message-ID`` (an e-mail delivered twice is one notice);
* :meth:`EmailChannel.fetch` — the package of one of them, written to a file (atomically) or a
  stream; fetching changes nothing on the server;
* :meth:`EmailChannel.acknowledge` — an IMAP keyword on every copy of the message
  (``$VbdtDone``, ``$VbdtFail``, ``$VbdtProcessing``), idempotent: acknowledge after the package
  is persisted, and nothing is lost if the process dies in between;
* :meth:`EmailChannel.sent` — one row per receiver from the sent journal: whether the SMTP
  server took it for that address. E-mail has no delivery state: ``receive_status`` is ``None``
  (the receiver's answer comes back as a status package).

E-mails that do not carry a package (no or several ``.edxml`` attachments, an attachment that
is not edXML, broken or hostile MIME, too large) are not listed: they get the keyword
``$VbdtRejected``, a warning is logged, and :attr:`EmailChannel.rejected` says why.

The same package sent again by a second e-mail has a new ``Message-ID``: recognise it by its
content (the engine compares the SHA-256 of what it stored).

Failures map onto the adapters' :class:`~vbdt_exchange.adapters.errors.Outcome`: a server
that cannot be reached, or an SMTP ``4xx``, is :class:`AxisUnavailable` (transient); a refused
log-in is :class:`AxisAuthError`; an SMTP ``5xx`` is :class:`AxisRefused` (a refused
recipient: ``rejected-addressing``; a refused message: ``rejected-package``); a connection lost
while the message was being transferred is :class:`AxisAmbiguous`.

>>> config = EmailConfig(
...     system_id="000.00.00.H29", address="vanthu@h29.example", smtp_host="smtp.h29.example",
...     imap_host="imap.h29.example", username="vanthu@h29.example", password="secret",
...     address_book={"000.00.00.G22": "vanthu@g22.example"},
... )
>>> config.smtp_security, config.smtp_port_or_default, config.imap_security
('starttls', 587, 'ssl')
>>> EmailConfig(
...     system_id="x", address="a@b.example", smtp_host="mail.example", imap_host="mail.example",
...     username="a", password="p", smtp_security="none",
... )
Traceback (most recent call last):
...
vbdt_exchange.adapters.errors.AxisConfigError: smtp_security='none' sends the password and \
packages in clear text to mail.example; only loopback hosts may use it (or set allow_plaintext)
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import hashlib
import imaplib
import ipaddress
import logging
import os
import re
import smtplib
import ssl
import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Literal, TypeAlias, TypeVar

import attrs

from vbdt_exchange.adapters import _email_mime as mime
from vbdt_exchange.adapters._email_mime import MailContentError
from vbdt_exchange.adapters.base import (
    Acknowledged,
    Agency,
    DeliveryState,
    Destination,
    Fetched,
    MessageType,
    Notice,
    PackageSource,
    ReceiverState,
    SentMessage,
)
from vbdt_exchange.adapters.errors import (
    AxisAmbiguous,
    AxisAuthError,
    AxisConfigError,
    AxisProtocolError,
    AxisRefused,
    AxisUnavailable,
    AxisUnsupported,
    Outcome,
)
from vbdt_exchange.envelope.models import EdocPackage
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.errors import EnvelopeError

__all__ = [
    "EmailChannel",
    "EmailConfig",
    "MailContentError",
    "RejectedMail",
    "Security",
]

logger = logging.getLogger(__name__)

Security: TypeAlias = Literal["ssl", "starttls", "none"]
"""How a connection is protected: implicit TLS, STARTTLS, or nothing (loopback only)."""

KEYWORD_DONE = "$VbdtDone"
KEYWORD_FAIL = "$VbdtFail"
KEYWORD_PROCESSING = "$VbdtProcessing"
KEYWORD_REJECTED = "$VbdtRejected"
_KEYWORDS = {
    DeliveryState.DONE: KEYWORD_DONE,
    DeliveryState.FAIL: KEYWORD_FAIL,
    DeliveryState.PROCESSING: KEYWORD_PROCESSING,
}
_SECURITIES = ("ssl", "starttls", "none")
_T = TypeVar("_T")


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_security(config: EmailConfig, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in _SECURITIES:
        raise AxisConfigError(f"{attribute.name} must be one of {', '.join(_SECURITIES)}")


@attrs.frozen
class EmailConfig:
    """The settings of an :class:`EmailChannel`.

    :ivar system_id: the organ id this system sends as.
    :ivar address: our official address (``From`` of what we send).
    :ivar smtp_host: the SMTP server (submission).
    :ivar imap_host: the IMAP server holding our mailbox.
    :ivar username: the log-in name (IMAP, and SMTP unless :attr:`smtp_username` is given).
    :ivar password: its password.
    :ivar smtp_port: default 465 for ``ssl``, 587 for ``starttls``, 25 for ``none``.
    :ivar imap_port: default 993 for ``ssl``, 143 otherwise.
    :ivar smtp_security: ``starttls`` (default), ``ssl`` or ``none``.
    :ivar imap_security: ``ssl`` (default), ``starttls`` or ``none``.
    :ivar allow_plaintext: allow ``none`` for hosts that are not loopback (never do this).
    :ivar smtp_username: the SMTP log-in name when it differs; ``""`` for no SMTP log-in.
    :ivar smtp_password: its password.
    :ivar address_book: organ id → official e-mail address of the receivers.
    :ivar agencies: the directory :meth:`EmailChannel.agencies` returns; their ``mail`` fields
        complete the address book.
    :ivar organ_ids: other organ ids this system speaks for (a package's ``From`` must be one).
    :ivar inbox: the folder packages arrive in.
    :ivar sent_folder: the folder of the sent journal (created when missing); ``None`` for no
        journal (then :meth:`EmailChannel.sent` is unsupported).
    :ivar timeout: seconds for each network operation.
    :ivar max_package_bytes: the largest package sent or received.
    :ivar max_header_bytes: the largest header block of a received e-mail.
    :ivar ssl_context: the TLS context (default: the system's trust store, host names checked).
    """

    system_id: str
    address: str
    smtp_host: str
    imap_host: str
    username: str
    password: str = attrs.field(repr=False)
    smtp_port: int | None = None
    imap_port: int | None = None
    smtp_security: Security = attrs.field(default="starttls", validator=_check_security)
    imap_security: Security = attrs.field(default="ssl", validator=_check_security)
    allow_plaintext: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = attrs.field(default=None, repr=False)
    address_book: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    agencies: tuple[Agency, ...] = attrs.field(default=(), converter=tuple)
    organ_ids: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    inbox: str = "INBOX"
    sent_folder: str | None = "Sent"
    timeout: float = 30.0
    max_package_bytes: int = 64 * 1024 * 1024
    max_header_bytes: int = 64 * 1024
    ssl_context: ssl.SSLContext | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        for what, security, host in (
            ("smtp_security", self.smtp_security, self.smtp_host),
            ("imap_security", self.imap_security, self.imap_host),
        ):
            if security == "none" and not self.allow_plaintext and not _is_loopback(host):
                raise AxisConfigError(
                    f"{what}='none' sends the password and packages in clear text to {host}; "
                    "only loopback hosts may use it (or set allow_plaintext)"
                )
        if "@" not in self.address:
            raise AxisConfigError(f"address {self.address!r} is not an e-mail address")

    @property
    def smtp_port_or_default(self) -> int:
        """The SMTP port, with the default of :attr:`smtp_security`."""
        if self.smtp_port is not None:
            return self.smtp_port
        return {"ssl": 465, "starttls": 587, "none": 25}[self.smtp_security]

    @property
    def imap_port_or_default(self) -> int:
        """The IMAP port, with the default of :attr:`imap_security`."""
        if self.imap_port is not None:
            return self.imap_port
        return 993 if self.imap_security == "ssl" else 143

    def address_of(self, organ_id: str) -> str | None:
        """The official address of ``organ_id``: the address book, then the agencies' mail."""
        if organ_id in self.address_book:
            return self.address_book[organ_id]
        for agency in self.agencies:
            if agency.code == organ_id and agency.mail:
                return agency.mail
        return None


@attrs.frozen
class RejectedMail:
    """An e-mail in the inbox that does not carry a usable package.

    :ivar doc_id: its ``Message-ID`` (or ``uid-<uidvalidity>-<uid>``).
    :ivar uid: its IMAP UID.
    :ivar reason: why it was refused.
    """

    doc_id: str
    uid: int
    reason: str


@attrs.frozen
class _Meta:
    doc_id: str
    uid: int
    message_type: MessageType
    from_organ: str | None
    created: datetime.datetime | None


_UID = re.compile(rb"UID (\d+)")
_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID_ID = re.compile(r"uid-(\d+)-(\d+)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _text(data: object) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    if isinstance(data, list | tuple):
        return " ".join(_text(d) for d in data if d is not None)
    return str(data)


def _read_source(source: PackageSource, limit: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            data = f.read(limit + 1)
    else:
        data = source.read(limit + 1)
    return data


class EmailChannel:
    """A :class:`~vbdt_exchange.adapters.base.Channel` over an official mailbox (SMTP + IMAP).

    :param config: :class:`EmailConfig`.

    The IMAP connection is opened on first use and kept (re-opened once when the server drops
    it); SMTP connects for each :meth:`send`. Use the channel as a context manager.

    :ivar rejected: the e-mails the last :meth:`received` refused, and why.
    """

    def __init__(self, config: EmailConfig) -> None:
        self.config = config
        self._imap: imaplib.IMAP4 | None = None
        self._lock = threading.RLock()
        self._meta: dict[tuple[int, int], _Meta | None] = {}
        self.rejected: list[RejectedMail] = []

    @property
    def system_id(self) -> str:
        return self.config.system_id

    def __repr__(self) -> str:
        return f"EmailChannel({self.config.system_id!r}, {self.config.address!r})"

    # -- IMAP plumbing -------------------------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        return self.config.ssl_context or ssl.create_default_context()

    def _connect_imap(self, operation: str) -> imaplib.IMAP4:
        c = self.config
        host, port = c.imap_host, c.imap_port_or_default
        try:
            conn: imaplib.IMAP4
            if c.imap_security == "ssl":
                conn = imaplib.IMAP4_SSL(host, port, ssl_context=self._context(), timeout=c.timeout)
            else:
                conn = imaplib.IMAP4(host, port, timeout=c.timeout)
                if c.imap_security == "starttls":
                    conn.starttls(self._context())
        except (OSError, imaplib.IMAP4.error) as exc:
            raise AxisUnavailable(
                f"cannot reach the IMAP server {host}:{port}: {exc}", operation=operation
            ) from None
        try:
            conn.login(c.username, c.password)
        except imaplib.IMAP4.error as exc:
            _close_imap(conn)
            raise AxisAuthError(
                f"the IMAP server {host} refused the log-in of {c.username}: {_text(exc.args)}",
                operation=operation,
            ) from None
        except OSError as exc:
            _close_imap(conn)
            raise AxisUnavailable(f"IMAP log-in: {exc}", operation=operation) from None
        return conn

    def _with_imap(self, operation: str, action: Callable[[imaplib.IMAP4], _T]) -> _T:
        """Run ``action`` on the IMAP connection, re-connecting once if the server dropped it."""
        with self._lock:
            for attempt in (1, 2):
                if self._imap is None:
                    self._imap = self._connect_imap(operation)
                try:
                    return action(self._imap)
                except (imaplib.IMAP4.abort, OSError) as exc:
                    _close_imap(self._imap)
                    self._imap = None
                    if attempt == 2:
                        raise AxisUnavailable(
                            f"the IMAP connection failed: {exc}", operation=operation
                        ) from None
                    logger.info("IMAP connection lost (%s); reconnecting", exc)
                except imaplib.IMAP4.error as exc:
                    raise AxisProtocolError(
                        f"the IMAP server answered BAD: {_text(exc.args)}", operation=operation
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _ok(typ: str, data: object, operation: str, what: str) -> None:
        if typ != "OK":
            raise AxisRefused(
                f"{what}: {_text(data)}", code=typ, outcome=Outcome.UNKNOWN, operation=operation
            )

    def _select(self, conn: imaplib.IMAP4, folder: str, operation: str, readonly: bool) -> int:
        typ, data = conn.select(_quote(folder), readonly=readonly)
        self._ok(typ, data, operation, f"cannot open the folder {folder}")
        _, validity = conn.response("UIDVALIDITY")
        try:
            return int(_text(validity[0]))
        except (ValueError, IndexError, TypeError):
            return 0

    @staticmethod
    def _search(conn: imaplib.IMAP4, operation: str, *criteria: str) -> list[int]:
        typ, data = conn.uid("SEARCH", *criteria)
        EmailChannel._ok(typ, data, operation, "search refused")
        return [int(n) for n in _text(data).split() if n.isdigit()]

    @staticmethod
    def _fetch_raw(conn: imaplib.IMAP4, uid: int, operation: str) -> bytes | None:
        typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
        EmailChannel._ok(typ, data, operation, f"cannot fetch message {uid}")
        literals = _literals(data)
        return literals[0] if literals else None

    # -- send ----------------------------------------------------------------------------------

    def send(
        self,
        package: PackageSource,
        *,
        message_type: MessageType | None = None,
        to: Sequence[str] = (),
    ) -> SentMessage:
        op = "send"
        c = self.config
        data = _read_source(package, c.max_package_bytes)
        if len(data) > c.max_package_bytes:
            raise AxisRefused(
                f"the package is larger than {c.max_package_bytes} bytes",
                outcome=Outcome.REJECTED_PACKAGE,
                operation=op,
            )
        try:
            with read(data) as result:
                parsed = result.package
        except EnvelopeError as exc:
            raise AxisRefused(
                f"not a readable package: {exc}", outcome=Outcome.REJECTED_PACKAGE, operation=op
            ) from None
        kind: MessageType = parsed.kind
        if message_type is not None and message_type != kind:
            raise AxisRefused(
                f"the package is a {kind} package, not {message_type}",
                outcome=Outcome.REJECTED_PACKAGE,
                operation=op,
            )
        sender = parsed.from_.organ_id if parsed.from_ else None
        if sender not in (c.system_id, *c.organ_ids):
            raise AxisRefused(
                f"the package's From is {sender}, not this system ({c.system_id})",
                outcome=Outcome.REJECTED_ADDRESSING,
                operation=op,
            )
        if isinstance(parsed, EdocPackage):
            organs = [o.organ_id for o in parsed.to if o.organ_id]
            notation = parsed.code.full if parsed.code else None
            subject = f"Số {notation}: {parsed.subject or ''}" if notation else parsed.subject
            document_id = parsed.document_id
        else:
            addressee = parsed.response_for.organ_id if parsed.response_for else None
            organs = [addressee] if addressee else []
            answered = parsed.response_for.code if parsed.response_for else None
            subject = f"Trạng thái {parsed.status_code or ''}: {answered or ''}"
            document_id = parsed.response_for.document_id if parsed.response_for else None
        organs = list(dict.fromkeys([*organs, *to]))
        if not organs:
            raise AxisRefused(
                "the package names no receiver", outcome=Outcome.REJECTED_ADDRESSING, operation=op
            )
        addresses = {organ: c.address_of(organ) for organ in organs}
        unknown = [organ for organ, address in addresses.items() if not address]
        if unknown:
            raise AxisRefused(
                f"no e-mail address for {', '.join(unknown)} (address book or agencies)",
                outcome=Outcome.REJECTED_ADDRESSING,
                operation=op,
            )
        sha256 = hashlib.sha256(data).hexdigest()
        domain = c.address.rpartition("@")[2] or "localhost"
        message_id = f"vbdt.{uuid.uuid4().hex}@{domain}"
        filename = mime.safe_filename(document_id, sha256[:16])
        recipients = list(dict.fromkeys(a for a in addresses.values() if a))
        msg = mime.build_message(
            data,
            message_id=message_id,
            sender_address=c.address,
            receiver_addresses=recipients,
            subject=(subject or "edXML")[:200],
            message_type=kind,
            from_organ=c.system_id,
            to_organs=organs,
            sha256=sha256,
            filename=filename,
        )
        raw = msg.as_bytes()
        refused = self._smtp_send(recipients, raw, sha256)
        rows = []
        for organ, address in addresses.items():
            problem = refused.get(address or "")
            state = f"refused {problem[0]} {_text(problem[1])}" if problem else "accepted"
            rows.append(f"{organ} <{address}> {state}")
        self._journal(msg, rows)
        description = None
        if refused:
            description = "refused by the SMTP server: " + ", ".join(sorted(refused))
        logger.info("sent %s (%s, %d bytes) to %s", message_id, kind, len(data), recipients)
        return SentMessage(message_id, kind, sha256, len(data), description)

    def _smtp_send(
        self, recipients: list[str], raw: bytes, sha256: str
    ) -> dict[str, tuple[int, bytes]]:
        op = "send"
        c = self.config
        host, port = c.smtp_host, c.smtp_port_or_default
        try:
            smtp: smtplib.SMTP
            if c.smtp_security == "ssl":
                smtp = smtplib.SMTP_SSL(host, port, timeout=c.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=c.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise AxisUnavailable(
                f"cannot reach the SMTP server {host}:{port}: {exc}", operation=op
            ) from None
        with smtp:
            try:
                if c.smtp_security == "starttls":
                    smtp.starttls(context=self._context())
                user = c.username if c.smtp_username is None else c.smtp_username
                if user:
                    password = c.password if c.smtp_password is None else c.smtp_password
                    smtp.login(user, password)
            except smtplib.SMTPNotSupportedError as exc:
                raise AxisRefused(
                    f"the SMTP server {host} does not offer it: {exc} "
                    "(check smtp_security and the port)",
                    outcome=Outcome.UNKNOWN,
                    operation=op,
                ) from None
            except smtplib.SMTPAuthenticationError as exc:
                raise AxisAuthError(
                    f"the SMTP server {host} refused the log-in of {user}: {_text(exc.smtp_error)}",
                    code=str(exc.smtp_code),
                    operation=op,
                ) from None
            except (OSError, smtplib.SMTPException) as exc:
                raise AxisUnavailable(
                    f"SMTP set-up with {host} failed: {exc}", operation=op
                ) from None
            try:
                return smtp.sendmail(c.address, recipients, raw)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = {code for code, _ in exc.recipients.values()}
                text = "; ".join(
                    f"{a}: {code} {_text(t)}" for a, (code, t) in exc.recipients.items()
                )
                if all(400 <= code < 500 for code in codes):
                    raise AxisUnavailable(
                        f"every recipient refused for now: {text}", operation=op
                    ) from None
                raise AxisRefused(
                    f"every recipient refused: {text}",
                    code=str(max(codes)),
                    outcome=Outcome.REJECTED_ADDRESSING,
                    operation=op,
                ) from None
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                code, text = exc.smtp_code, _text(exc.smtp_error)
                if 400 <= code < 500:
                    raise AxisUnavailable(
                        f"the SMTP server refused for now: {code} {text}", operation=op
                    ) from None
                outcome = (
                    Outcome.REJECTED_ADDRESSING
                    if isinstance(exc, smtplib.SMTPSenderRefused)
                    else Outcome.REJECTED_PACKAGE
                )
                raise AxisRefused(text, code=str(code), outcome=outcome, operation=op) from None
            except (OSError, smtplib.SMTPException) as exc:
                raise AxisAmbiguous(
                    f"the SMTP connection failed while sending: {exc}",
                    operation=op,
                    sha256=sha256,
                ) from None

    def _journal(self, msg: EmailMessage, rows: list[str]) -> None:
        folder = self.config.sent_folder
        if folder is None:
            return
        for row in rows:
            msg[mime.HEADER_RECEIVER] = _CONTROL.sub(" ", row)[:900]
        raw = msg.as_bytes()

        def append(conn: imaplib.IMAP4) -> None:
            typ, data = conn.append(_quote(folder), "(\\Seen)", None, raw)
            if typ != "OK":
                conn.create(_quote(folder))
                typ, data = conn.append(_quote(folder), "(\\Seen)", None, raw)
            self._ok(typ, data, "send", f"cannot write the sent journal {folder}")

        try:
            self._with_imap("send", append)
        except (AxisUnavailable, AxisRefused, AxisProtocolError) as exc:
            # the e-mail went; only the journal copy is missing: say so, do not fail the send
            logger.warning("sent, but the sent journal %s was not written: %s", folder, exc)

    # -- receive -------------------------------------------------------------------------------

    def received(self, message_type: MessageType = "edoc") -> list[Notice]:
        op = "received"

        def listing(conn: imaplib.IMAP4) -> list[Notice]:
            validity = self._select(conn, self.config.inbox, op, readonly=False)
            uids = self._search(
                conn,
                op,
                "UNKEYWORD",
                KEYWORD_DONE,
                "UNKEYWORD",
                KEYWORD_FAIL,
                "UNKEYWORD",
                KEYWORD_REJECTED,
            )
            self.rejected = []
            if not uids:
                return []
            flags, sizes = self._flags(conn, uids, op)
            current = {(validity, uid) for uid in uids}
            for key in [k for k in self._meta if k not in current]:
                del self._meta[key]  # acknowledged or gone: forget it
            notices: dict[str, Notice] = {}
            for uid in uids:
                meta = self._describe(conn, validity, uid, sizes.get(uid, 0), op)
                if meta is None or meta.message_type != message_type:
                    continue
                if meta.doc_id in notices:
                    continue  # the same e-mail delivered twice: one notice
                processing = KEYWORD_PROCESSING.lower() in flags.get(uid, "").lower()
                state = DeliveryState.PROCESSING if processing else DeliveryState.INITIAL
                notices[meta.doc_id] = Notice(
                    doc_id=meta.doc_id,
                    from_=meta.from_organ,
                    to=self.config.system_id,
                    message_type=meta.message_type,
                    state=state,
                    status_text=state.value,
                    created=meta.created,
                    service_type="email",
                )
            return list(notices.values())

        return self._with_imap(op, listing)

    def _flags(
        self, conn: imaplib.IMAP4, uids: list[int], op: str
    ) -> tuple[dict[int, str], dict[int, int]]:
        typ, data = conn.uid("FETCH", ",".join(map(str, uids)), "(FLAGS RFC822.SIZE)")
        self._ok(typ, data, op, "cannot read flags")
        flags: dict[int, str] = {}
        sizes: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid = _UID.search(line)
            if uid is None:
                continue
            f = _FLAGS.search(line)
            s = _SIZE.search(line)
            flags[int(uid.group(1))] = f.group(1).decode("ascii", "replace") if f else ""
            sizes[int(uid.group(1))] = int(s.group(1)) if s else 0
        return flags, sizes

    def _max_message_bytes(self) -> int:
        return self.config.max_package_bytes * 4 // 3 + 1024 * 1024

    def _describe(
        self, conn: imaplib.IMAP4, validity: int, uid: int, size: int, op: str
    ) -> _Meta | None:
        key = (validity, uid)
        if key in self._meta:
            return self._meta[key]
        fallback = f"uid-{validity}-{uid}"
        meta: _Meta | None = None
        reason = None
        doc_id = fallback
        if size > self._max_message_bytes():
            reason = f"the e-mail is larger than {self._max_message_bytes()} bytes"
        else:
            raw = self._fetch_raw(conn, uid, op)
            if raw is None:
                reason = "the server returned no message body"
            else:
                try:
                    mail = self._parse(raw)
                except MailContentError as exc:
                    reason = exc.message
                else:
                    doc_id = mail.message_id or fallback
                    meta = _Meta(
                        doc_id,
                        uid,
                        mail.message_type,
                        self._organ_of(mail.from_address) or mail.from_organ,
                        mail.date,
                    )
        if meta is None:
            assert reason is not None
            logger.warning("e-mail %s (UID %d) refused: %s", doc_id, uid, reason)
            self.rejected.append(RejectedMail(doc_id, uid, reason))
            typ, data = conn.uid("STORE", str(uid), "+FLAGS", f"({KEYWORD_REJECTED})")
            if typ != "OK":
                logger.warning("cannot flag UID %d %s: %s", uid, KEYWORD_REJECTED, _text(data))
        self._meta[key] = meta
        return meta

    def _parse(self, raw: bytes) -> mime.ReceivedMail:
        return mime.parse_mail(
            raw,
            max_header_bytes=self.config.max_header_bytes,
            max_package_bytes=self.config.max_package_bytes,
        )

    def _organ_of(self, address: str | None) -> str | None:
        if not address:
            return None
        for organ, known in self.config.address_book.items():
            if known.lower() == address.lower():
                return organ
        for agency in self.config.agencies:
            if agency.mail and agency.mail.lower() == address.lower():
                return agency.code
        return None

    def _find(self, conn: imaplib.IMAP4, doc_id: str, op: str) -> list[int]:
        """The UIDs in the inbox carrying ``doc_id`` (every copy)."""
        validity = self._select(conn, self.config.inbox, op, readonly=False)
        m = _UID_ID.fullmatch(doc_id)
        if m is not None:
            if int(m.group(1)) != validity:
                raise AxisRefused(
                    f"{doc_id}: the mailbox was rebuilt (UIDVALIDITY is now {validity})",
                    outcome=Outcome.UNKNOWN,
                    operation=op,
                )
            uid = int(m.group(2))
            return self._search(conn, op, "UID", str(uid))
        wanted = mime.clean_message_id(doc_id)
        if wanted is None or wanted != doc_id:
            raise AxisRefused(
                f"{doc_id!r} is not a message id of this channel",
                outcome=Outcome.UNKNOWN,
                operation=op,
            )
        candidates = self._search(conn, op, "HEADER", "Message-ID", _quote(f"<{doc_id}>"))
        found = []
        for uid in candidates:  # HEADER search matches substrings: check the whole id
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            self._ok(typ, data, op, f"cannot read message {uid}")
            for literal in _literals(data):
                header = mime.parse_headers(literal)
                if mime.clean_message_id(str(header.get("Message-ID", ""))) == doc_id:
                    found.append(uid)
        return found

    def fetch(self, doc_id: str, into: Destination) -> Fetched:
        op = "fetch"

        def get(conn: imaplib.IMAP4) -> bytes:
            uids = self._find(conn, doc_id, op)
            if not uids:
                raise AxisRefused(
                    f"no message {doc_id} in {self.config.inbox}",
                    outcome=Outcome.UNKNOWN,
                    operation=op,
                )
            _, sizes = self._flags(conn, uids[:1], op)
            if sizes.get(uids[0], 0) > self._max_message_bytes():
                raise MailContentError(
                    f"the e-mail is larger than {self._max_message_bytes()} bytes", operation=op
                )
            raw = self._fetch_raw(conn, uids[0], op)
            if raw is None:
                raise AxisProtocolError(f"{doc_id}: the server returned no body", operation=op)
            return self._parse(raw).package

        try:
            data = self._with_imap(op, get)
        except MailContentError as exc:
            raise MailContentError(f"{doc_id}: {exc.message}", operation=op) from None
        sha256 = hashlib.sha256(data).hexdigest()
        if isinstance(into, str | os.PathLike):
            path = Path(into)
            fd, tmp = tempfile.mkstemp(prefix=".vbdt-", suffix=".part", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return Fetched(doc_id, len(data), sha256, path)
        into.write(data)
        return Fetched(doc_id, len(data), sha256)

    def acknowledge(self, doc_id: str, state: DeliveryState | str) -> Acknowledged:
        op = "acknowledge"
        state = state if isinstance(state, DeliveryState) else DeliveryState.parse(state)

        def ack(conn: imaplib.IMAP4) -> Acknowledged:
            uids = self._find(conn, doc_id, op)
            if not uids:
                raise AxisRefused(
                    f"no message {doc_id} in {self.config.inbox}",
                    outcome=Outcome.UNKNOWN,
                    operation=op,
                )
            uid_set = ",".join(map(str, uids))
            flags, _ = self._flags(conn, uids, op)
            done = any(KEYWORD_DONE.lower() in f.lower() for f in flags.values())
            if done and state is not DeliveryState.DONE:
                raise AxisRefused(
                    f"{doc_id} is done; its state cannot become {state.value}",
                    outcome=Outcome.UNKNOWN,
                    operation=op,
                )
            add = _KEYWORDS.get(state)
            remove = [
                k for s, k in _KEYWORDS.items() if s is not state and s is not DeliveryState.DONE
            ]
            if add is not None:
                extra = " \\Seen" if state is DeliveryState.DONE else ""
                typ, data = conn.uid("STORE", uid_set, "+FLAGS", f"({add}{extra})")
                self._ok(typ, data, op, f"cannot set {add}")
            typ, data = conn.uid("STORE", uid_set, "-FLAGS", f"({' '.join(remove)})")
            self._ok(typ, data, op, "cannot clear the other states")
            return Acknowledged(doc_id, state)

        return self._with_imap(op, ack)

    # -- sent journal, directory ---------------------------------------------------------------

    def sent(
        self, doc_id: str | None = None, message_type: MessageType = "edoc"
    ) -> list[ReceiverState]:
        op = "sent"
        folder = self.config.sent_folder
        if folder is None:
            raise AxisUnsupported(
                "this e-mail channel keeps no sent journal (sent_folder is None)", operation=op
            )

        def journal(conn: imaplib.IMAP4) -> list[ReceiverState]:
            typ, data = conn.select(_quote(folder), readonly=True)
            if typ != "OK":
                return []  # no journal yet: nothing was sent
            criteria = ["HEADER", mime.HEADER_TYPE, message_type]
            if doc_id is not None:
                if mime.clean_message_id(doc_id) != doc_id:
                    return []
                criteria += ["HEADER", "Message-ID", _quote(f"<{doc_id}>")]
            uids = self._search(conn, op, *criteria)
            rows: list[ReceiverState] = []
            for uid in uids:
                typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[HEADER])")
                self._ok(typ, data, op, f"cannot read journal message {uid}")
                for literal in _literals(data):
                    rows.extend(self._rows(mime.parse_headers(literal), doc_id, message_type))
            return rows

        return self._with_imap(op, journal)

    def _rows(
        self, header: Message, doc_id: str | None, message_type: MessageType
    ) -> list[ReceiverState]:
        message_id = mime.clean_message_id(str(header.get("Message-ID", "")))
        if doc_id is not None and message_id != doc_id:
            return []
        if str(header.get(mime.HEADER_TYPE, "")).strip() != message_type:
            return []
        sent_at = None
        with contextlib.suppress(TypeError, ValueError):
            sent_at = email.utils.parsedate_to_datetime(str(header.get("Date")))
        subject = str(header.get("Subject", "")) or None
        rows = []
        for line in header.get_all(mime.HEADER_RECEIVER) or []:
            organ, _, rest = str(line).strip().partition(" ")
            _address, _, state = rest.partition("> ")
            accepted = state.strip() == "accepted"
            rows.append(
                ReceiverState(
                    sender_doc_id=message_id,
                    receiver_doc_id=message_id,
                    from_=self.config.system_id,
                    to=organ,
                    message_type=message_type,
                    title=subject,
                    sent=sent_at,
                    send_status="done" if accepted else "fail",
                    send_status_desc=None if accepted else state.strip(),
                )
            )
        return rows

    def agencies(self) -> list[Agency]:
        """The configured directory (:attr:`EmailConfig.agencies`) and the address book."""
        listed = {a.code: a for a in self.config.agencies}
        for organ, address in self.config.address_book.items():
            listed.setdefault(organ, Agency(code=organ, mail=address))
        return [listed[code] for code in sorted(listed)]

    def register_agency(self, agency: Agency) -> None:
        raise AxisUnsupported(
            "the e-mail channel has no directory service: configure the address book",
            operation="registerAgency",
        )

    def delete_agency(self, code: str) -> None:
        raise AxisUnsupported(
            "the e-mail channel has no directory service: configure the address book",
            operation="deleteAgency",
        )

    def close(self) -> None:
        """Log out of IMAP."""
        with self._lock:
            conn, self._imap = self._imap, None
            if conn is not None:
                _close_imap(conn)

    def __enter__(self) -> EmailChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _literals(data: Sequence[object]) -> list[bytes]:
    """The literals (message bodies, header blocks) of an IMAP FETCH answer."""
    found: list[bytes] = []
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            found.append(item[1])
    return found


def _quote(value: str) -> str:
    """An IMAP quoted string (refusing what cannot be quoted)."""
    if any(ch in value for ch in '\r\n"\\') or not value.isascii():
        raise AxisConfigError(
            f"{value!r} cannot be used in an IMAP command (ASCII only; give a folder name in "
            "modified UTF-7 as the server lists it)"
        )
    return f'"{value}"'


def _close_imap(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except (OSError, imaplib.IMAP4.error):
        with contextlib.suppress(OSError):
            conn.shutdown()
