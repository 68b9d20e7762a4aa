"""Real mail servers on loopback, for tests of the e-mail channel.

:class:`MailServer` starts, on 127.0.0.1 and free ports:

* an SMTP server (aiosmtpd, in a thread of this process) that takes mail for its users (log-in
  required, plain text on loopback) and delivers each message into the recipient's Maildir;
* a private Dovecot instance (``dovecot -F -c <temp>/dovecot.conf``, the Debian package
  ``dovecot-imapd``) serving those Maildirs over IMAP, without TLS.

Everything lives in a temporary directory that :meth:`MailServer.stop` removes. As root, Dovecot
runs its processes as the unprivileged ``dovecot``/``dovenull`` users and the mail belongs to
``nobody``; as any other user, everything runs as that user.

Usage (needs Dovecot installed)::

    with MailServer({"vanthu@g22.example": "secret"}) as mail:
        mail.smtp_port, mail.imap_port, mail.messages("vanthu@g22.example")
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

__all__ = ["MailServer", "MailServerError"]

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"


class MailServerError(RuntimeError):
    """The test mail servers could not be started (Dovecot missing or failing)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class _Handler:
    """The aiosmtpd handler: authenticated senders, known recipients, Maildir delivery."""

    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook names
        self, smtp: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.server.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, smtp: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() not in self.server._users:
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        reply = self.server.smtp_reply
        if reply is not None:
            return reply
        data: bytes = envelope.original_content or envelope.content
        for address in envelope.rcpt_tos:
            self.server.deliver(address, data)
        return "250 2.0.0 OK: delivered"


def _authenticator(server: MailServer) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode("utf-8", "replace").lower()
        password = data.password.decode("utf-8", "replace")
        ok = server._users.get(login) == password
        return AuthResult(success=ok, handled=False)

    return check


class MailServer:
    """An SMTP server and a Dovecot IMAP server on loopback sharing Maildirs.

    :param users: e-mail address → password; the address is also the log-in name, on SMTP and
        IMAP. More can be added with :meth:`add_user` before :meth:`start`.
    :param require_auth: whether SMTP senders must log in (``AUTH PLAIN``/``LOGIN``).
    :param data_size_limit: the largest message the SMTP server takes (bytes).
    :param startup_timeout: seconds to wait for Dovecot to listen.

    :ivar smtp_reply: when set (``"451 4.3.0 try later"``), the SMTP server answers every
        ``DATA`` with it instead of delivering: a way to test the client's error handling.
    """

    def __init__(
        self,
        users: Mapping[str, str] | None = None,
        *,
        require_auth: bool = True,
        data_size_limit: int = 128 * 1024 * 1024,
        startup_timeout: float = 20.0,
    ) -> None:
        self._users: dict[str, str] = {}
        self.require_auth = require_auth
        self.data_size_limit = data_size_limit
        self.startup_timeout = startup_timeout
        self.smtp_reply: str | None = None
        self._dir: Path | None = None
        self._dovecot: subprocess.Popen[bytes] | None = None
        self._controller: Any = None
        self._smtp_port: int | None = None
        self._imap_port: int | None = None
        self._owner: tuple[int, int] = (os.getuid(), os.getgid())
        self._lock = threading.Lock()
        for address, password in (users or {}).items():
            self.add_user(address, password)

    # -- set-up -------------------------------------------------------------------------------

    def add_user(self, address: str, password: str) -> None:
        """Add a mailbox ``address`` (log-in name) with ``password``; before :meth:`start`."""
        if self._dir is not None:
            raise MailServerError("add users before starting the server")
        if ":" in address or ":" in password or "\n" in address + password:
            raise MailServerError(f"unusable test user {address!r}")
        self._users[address.lower()] = password

    @property
    def users(self) -> dict[str, str]:
        """The mailboxes: address → password."""
        return dict(self._users)

    @property
    def host(self) -> str:
        """The address both servers listen on (``127.0.0.1``)."""
        return HOST

    @property
    def smtp_port(self) -> int:
        """The SMTP server's port."""
        if self._smtp_port is None:
            raise MailServerError("the mail server is not running")
        return self._smtp_port

    @property
    def imap_port(self) -> int:
        """Dovecot's IMAP port."""
        if self._imap_port is None:
            raise MailServerError("the mail server is not running")
        return self._imap_port

    @property
    def directory(self) -> Path:
        """The temporary directory of both servers (configuration, Maildirs, logs)."""
        if self._dir is None:
            raise MailServerError("the mail server is not running")
        return self._dir

    def maildir(self, address: str) -> Path:
        """The Maildir of ``address`` (its INBOX)."""
        return self.directory / "mail" / address.lower() / "Maildir"

    def messages(self, address: str) -> list[bytes]:
        """The raw messages in the INBOX of ``address`` (new and seen), oldest first."""
        root = self.maildir(address)
        files = [p for sub in ("new", "cur") for p in (root / sub).iterdir() if p.is_file()]
        return [p.read_bytes() for p in sorted(files, key=lambda p: p.stat().st_mtime_ns)]

    def dovecot_log(self) -> str:
        """Dovecot's log so far (for a failing test's message)."""
        path = self.directory / "dovecot.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def deliver(self, address: str, data: bytes) -> Path:
        """Deliver the raw message ``data`` into the INBOX of ``address`` (as SMTP does)."""
        root = self.maildir(address)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.vbdt-test"
        with self._lock:
            tmp = root / "tmp" / name
            tmp.write_bytes(data)
            os.chown(tmp, *self._owner)
            os.chmod(tmp, 0o600)
            target = root / "new" / name
            os.replace(tmp, target)
        return target

    def _prepare(self) -> None:
        root = Path(tempfile.mkdtemp(prefix="vbdt-mail-"))
        self._dir = root
        os.chmod(root, 0o755)  # noqa: S103 - Dovecot's unprivileged users must traverse it
        if os.geteuid() == 0:
            internal = "dovecot" if _user_exists("dovecot") else "nobody"
            login = "dovenull" if _user_exists("dovenull") else "nobody"
            nobody = pwd.getpwnam("nobody")
            self._owner = (nobody.pw_uid, nobody.pw_gid)
        else:
            internal = login = pwd.getpwuid(os.getuid()).pw_name
            self._owner = (os.getuid(), os.getgid())
        uid, gid = self._owner
        lines = []
        for address, password in self._users.items():
            home = root / "mail" / address
            for sub in ("cur", "new", "tmp"):
                (home / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
            for path in [home, *home.rglob("*")]:
                os.chown(path, uid, gid)
                os.chmod(path, 0o700)
            lines.append(f"{address}:{{PLAIN}}{password}:{uid}:{gid}::{home}::\n")
        (root / "mail").chmod(0o755)
        users_file = root / "users"
        users_file.write_text("".join(lines), "utf-8")
        users_file.chmod(0o644)
        for sub in ("run", "state"):
            (root / sub).mkdir()
        self._imap_port = _free_port()
        (root / "dovecot.conf").write_text(
            _DOVECOT_CONF.format(
                root=root,
                port=self._imap_port,
                internal=internal,
                login=login,
                first_uid=min(uid, 500) if uid else 1,
            ),
            "utf-8",
        )

    def start(self) -> Self:
        """Start both servers; raises :class:`MailServerError` when Dovecot does not start."""
        if self._dir is not None:
            return self
        dovecot = shutil.which("dovecot")
        if dovecot is None:
            raise MailServerError("dovecot is not installed (Debian package dovecot-imapd)")
        self._prepare()
        root = self.directory
        try:
            with open(root / "dovecot.out", "wb") as out:
                self._dovecot = subprocess.Popen(  # noqa: S603 - our own config file
                    [dovecot, "-F", "-c", str(root / "dovecot.conf")],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            if not _wait_for_port(self.imap_port, self.startup_timeout, self._dovecot):
                output = (root / "dovecot.out").read_text("utf-8", "replace")
                raise MailServerError(
                    f"dovecot did not listen on port {self.imap_port}:\n{output}\n"
                    f"{self.dovecot_log()}"
                )
            self._start_smtp()
        except BaseException:
            self.stop()
            raise
        logger.info("test mail servers: SMTP %d, IMAP %d", self.smtp_port, self.imap_port)
        return self

    def _start_smtp(self) -> None:
        from aiosmtpd.controller import Controller

        port = _free_port()
        controller = Controller(
            _Handler(self),
            hostname=HOST,
            port=port,
            authenticator=_authenticator(self),
            auth_require_tls=False,
            data_size_limit=self.data_size_limit,
            ready_timeout=self.startup_timeout,
        )
        controller.start()
        self._controller = controller
        self._smtp_port = port

    def stop(self) -> None:
        """Stop both servers and remove the temporary directory; safe to call twice."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
        process, self._dovecot = self._dovecot, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        directory, self._dir = self._dir, None
        self._smtp_port = self._imap_port = None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


_DOVECOT_CONF = """\
# a private Dovecot for tests: loopback, no TLS, plain passwords
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {first_uid}
mail_location = maildir:~/Maildir
mail_attribute_dict =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
