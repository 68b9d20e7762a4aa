"""Channel settings from command-line flags, environment variables and a TOML file, and
:func:`open_channel` to build the channel they describe.

Precedence: flags > environment > file. A secret (the VDXP secret, the LGSP password or client
secret) is never a command-line value: it comes from an environment variable (the standard one,
or one named with ``secret_env``/``--secret-env``) or from the file.

Environment variables: ``VBDT_AXIS_KIND`` (``vdxp``, ``langson``, ``quangnam``, ``email``),
``VBDT_AXIS_ENDPOINT``, ``VBDT_AXIS_SYSTEM_ID``, ``VBDT_AXIS_SECRET``, ``VBDT_AXIS_TEST``
(``1``/``true``), ``VBDT_AXIS_TIMEOUT`` (seconds), ``VBDT_AXIS_CA_BUNDLE``,
``VBDT_AXIS_USERNAME``, ``VBDT_AXIS_PASSWORD``, ``VBDT_AXIS_APPLICATION_CODE`` (Lạng Sơn),
``VBDT_AXIS_CLIENT_ID``, ``VBDT_AXIS_CLIENT_SECRET`` (Quảng Nam), the e-mail channel's
``VBDT_AXIS_ADDRESS``, ``VBDT_AXIS_SMTP_HOST``, ``VBDT_AXIS_SMTP_PORT``,
``VBDT_AXIS_SMTP_SECURITY``, ``VBDT_AXIS_SMTP_USERNAME``, ``VBDT_AXIS_SMTP_PASSWORD``,
``VBDT_AXIS_IMAP_HOST``, ``VBDT_AXIS_IMAP_PORT``, ``VBDT_AXIS_IMAP_SECURITY``,
``VBDT_AXIS_INBOX``, ``VBDT_AXIS_SENT_FOLDER`` (with ``USERNAME`` and ``PASSWORD`` for the
mailbox), and ``VBDT_AXIS_CONFIG`` (the file, when no ``--config`` is given).

The file is TOML, its keys in an ``[axis]`` table (or at the top level)::

    [axis]
    kind = "vdxp"
    endpoint = "https://axis.example.gov.vn/vxp"
    system_id = "000.00.00.H29"
    secret_env = "H29_AXIS_SECRET"   # or: secret = "..." (then keep the file private)

The e-mail channel (:class:`~vbdt_exchange.adapters.email.EmailChannel`) takes its mailbox and
servers, and the receivers' addresses in an ``[axis.address_book]`` table (file only)::

    [axis]
    kind = "email"
    system_id = "000.00.00.G22"
    address = "vanthu@g22.gov.vn"
    smtp_host = "mail.g22.gov.vn"      # smtp_port, smtp_security = "starttls" | "ssl"
    imap_host = "mail.g22.gov.vn"      # imap_port, imap_security = "ssl" | "starttls"
    username = "vanthu@g22.gov.vn"
    password_env = "G22_MAIL_PASSWORD"

    [axis.address_book]
    "000.00.00.H29" = "vanthu@h29.gov.vn"

>>> s = load_settings(flags={"endpoint": "http://127.0.0.1:8080"}, env={
...     "VBDT_AXIS_SYSTEM_ID": "000.00.00.H29", "VBDT_AXIS_SECRET": "s3cret",
...     "VBDT_AXIS_TEST": "1"})
>>> s.kind, s.endpoint, s.system_id, s.test
('vdxp', 'http://127.0.0.1:8080', '000.00.00.H29', True)
>>> "s3cret" in repr(s)
False
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

import attrs
import httpx

from vbdt_exchange.adapters._http import Timeouts
from vbdt_exchange.adapters.base import Channel
from vbdt_exchange.adapters.errors import AxisConfigError

__all__ = ["ENV_PREFIX", "KINDS", "AxisSettings", "load_settings", "open_channel"]

log = logging.getLogger(__name__)

ENV_PREFIX = "VBDT_AXIS_"
Kind = Literal["vdxp", "langson", "quangnam", "email"]
KINDS: tuple[Kind, ...] = ("vdxp", "langson", "quangnam", "email")

_EMAIL_PLAIN = (
    "address",
    "smtp_host",
    "smtp_security",
    "smtp_username",
    "imap_host",
    "imap_security",
    "inbox",
    "sent_folder",
)
_PLAIN = (
    "kind",
    "endpoint",
    "system_id",
    "username",
    "application_code",
    "client_id",
    *_EMAIL_PLAIN,
)
_SECRETS = ("secret", "password", "client_secret", "smtp_password")
_NUMBERS = ("timeout", "smtp_port", "imap_port")
_ALL_KEYS = frozenset(
    {
        *_PLAIN,
        *_SECRETS,
        *(f"{s}_env" for s in _SECRETS),
        *_NUMBERS,
        "test",
        "ca_bundle",
        "address_book",
    }
)
#: settings that ``vbdt axis`` also takes as flags (the others: environment or file)
_FLAGGED = frozenset(
    {"kind", "endpoint", "system_id", "test", "timeout", "ca_bundle", "username"}
    | {"application_code", "client_id"}
)


@attrs.frozen(repr=False)
class AxisSettings:
    """What is needed to open a channel, and where each value came from.

    :ivar kind: ``vdxp`` (the national axis or the local reference axis), ``langson`` or
        ``quangnam``.
    :ivar endpoint: the base URL (for Quảng Nam: the API manager's gateway).
    :ivar system_id: our system id / organ id.
    :ivar secret: the VDXP secret, the Lạng Sơn ``X-SecretKey``, or the Quảng Nam unit secret.
    :ivar test: a test axis: plain ``http://`` without a warning.
    :ivar timeout: the read timeout in seconds (packages get four times as long), or None.
    :ivar ca_bundle: a CA bundle to verify TLS with, or None for the system's.
    :ivar username: Lạng Sơn log-in user.
    :ivar password: its password.
    :ivar application_code: Lạng Sơn ``applicationCode``.
    :ivar client_id: Quảng Nam OAuth2 consumer key.
    :ivar client_secret: its secret.
    :ivar address: e-mail: our official address; ``username``/``password`` log in to the
        mailbox.
    :ivar smtp_host: e-mail: the submission server (``smtp_port``, ``smtp_security``,
        ``smtp_username``, ``smtp_password`` as in
        :class:`~vbdt_exchange.adapters.email.EmailConfig`).
    :ivar imap_host: e-mail: the mailbox's server (``imap_port``, ``imap_security``,
        ``inbox``, ``sent_folder``).
    :ivar address_book: e-mail: organ id → official address of the receivers (file only).
    :ivar origin: for each value set, where it came from (``flag``, ``env VAR``, ``file PATH``).
    """

    kind: Kind = "vdxp"
    endpoint: str | None = None
    system_id: str | None = None
    secret: str | None = None
    test: bool = False
    timeout: float | None = None
    ca_bundle: str | None = None
    username: str | None = None
    password: str | None = None
    application_code: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    address: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    imap_host: str | None = None
    imap_port: int | None = None
    imap_security: str | None = None
    inbox: str | None = None
    sent_folder: str | None = None
    address_book: dict[str, str] = attrs.field(factory=dict)
    origin: dict[str, str] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}"
            for f in attrs.fields(AxisSettings)
            if f.name not in (*_SECRETS, "origin") and getattr(self, f.name) not in (None, {})
        )
        hidden = ", ".join(f"{s}=***" for s in _SECRETS if getattr(self, s))
        return f"AxisSettings({shown}{', ' + hidden if hidden else ''})"

    def require(self, *names: str) -> None:
        """Raise :class:`AxisConfigError` naming how to give each of ``names`` that is missing."""
        missing = [n for n in names if not getattr(self, n)]
        if missing:
            raise AxisConfigError("; ".join(_how_to_give(n) for n in missing))


def _how_to_give(name: str) -> str:
    env = ENV_PREFIX + name.upper()
    if name in _SECRETS:
        flag = "--" + name.replace("_", "-") + "-env VAR"
        return f"no {name}: set {env} (or name another variable with {flag}) or {name} in the file"
    if name not in _FLAGGED:
        return f"no {name}: set {env}, or {name} in the config file"
    return f"no {name}: give --{name.replace('_', '-')}, set {env}, or {name} in the config file"


def _boolean(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise AxisConfigError(f"{where}: not a yes/no value: {value!r}")


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            document = tomllib.load(f)
    except OSError as exc:
        raise AxisConfigError(f"cannot read the config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise AxisConfigError(f"{path} is not valid TOML: {exc}") from None
    table = document.get("axis", document)
    if not isinstance(table, dict):
        raise AxisConfigError(f"{path}: [axis] is not a table")
    unknown = sorted(set(table) - _ALL_KEYS - {"axis"})
    if unknown:
        raise AxisConfigError(
            f"{path}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_ALL_KEYS))})"
        )
    if any(table.get(s) for s in _SECRETS):
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning(
                "%s holds a secret but other users can read it (mode %o): chmod 600 it, or use "
                "*_env keys",
                path,
                stat.S_IMODE(mode),
            )
    return {k: v for k, v in table.items() if k != "axis"}


def load_settings(
    *,
    flags: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> AxisSettings:
    """The settings from ``flags`` (None values ignored), ``env`` (default ``os.environ``)
    and the TOML file (``config_file``, else ``VBDT_AXIS_CONFIG``), in that precedence.

    ``flags`` may name ``secret_env``, ``password_env`` and ``client_secret_env``: the variable
    to read that secret from. Plain secret values are not accepted in ``flags``.

    :raises AxisConfigError: an unreadable file, an unknown key or kind, a named variable that
        is not set, a flag that carries a secret.
    """
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    env = os.environ if env is None else env
    leaked = [s for s in _SECRETS if s in flags]
    if leaked:
        raise AxisConfigError(
            f"{', '.join(leaked)} cannot be given as a value; name an environment variable "
            "(*_env) or put it in the config file"
        )
    path_value = config_file or env.get(ENV_PREFIX + "CONFIG")
    file_values: dict[str, Any] = _read_file(Path(path_value)) if path_value else {}
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}

    def take(name: str, value: object, where: str) -> None:
        if name not in values and value not in (None, ""):
            values[name] = value
            origin[name] = where

    for layer, where in ((flags, "flag"), (None, "env"), (file_values, f"file {path_value}")):
        for name in (*_PLAIN, *_NUMBERS, "test", "ca_bundle"):
            if layer is None:
                take(name, env.get(ENV_PREFIX + name.upper()), f"env {ENV_PREFIX}{name.upper()}")
            else:
                take(name, layer.get(name), where)
        for secret in _SECRETS:
            if layer is None:
                take(
                    secret,
                    env.get(ENV_PREFIX + secret.upper()),
                    f"env {ENV_PREFIX}{secret.upper()}",
                )
                continue
            variable = layer.get(f"{secret}_env")
            if variable and secret not in values:
                if not isinstance(variable, str) or variable not in env:
                    raise AxisConfigError(
                        f"{secret}: the environment variable {variable!r} ({where}) is not set"
                    )
                take(secret, env[variable], f"env {variable}")
            if layer is file_values:
                take(secret, layer.get(secret), where)

    kind = str(values.get("kind", "vdxp")).lower()
    if kind not in KINDS:
        raise AxisConfigError(f"unknown axis kind {kind!r} (known: {', '.join(KINDS)})")
    timeout = values.get("timeout")
    if timeout is not None:
        try:
            timeout = float(timeout)
        except (TypeError, ValueError):
            raise AxisConfigError(f"timeout ({origin['timeout']}): not a number") from None
        if timeout <= 0:
            raise AxisConfigError(f"timeout ({origin['timeout']}): must be positive")
    ports: dict[str, int | None] = {"smtp_port": None, "imap_port": None}
    for port in ports:
        value = values.get(port)
        if value is None:
            continue
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or not 0 < int(text) < 65536:
            raise AxisConfigError(f"{port} ({origin[port]}): not a port number: {value!r}")
        ports[port] = int(text)
    for name in (*(n for n in _PLAIN if n != "kind"), "ca_bundle", *_SECRETS):
        if name in values and not isinstance(values[name], str):
            raise AxisConfigError(f"{name} ({origin[name]}): not a string")
    book = file_values.get("address_book", {})
    if not isinstance(book, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in book.items()
    ):
        raise AxisConfigError(
            f"{path_value}: [axis.address_book] must map organ ids to e-mail addresses (strings)"
        )
    return AxisSettings(
        kind=kind,
        endpoint=values.get("endpoint"),
        system_id=values.get("system_id"),
        secret=values.get("secret"),
        test=_boolean(values.get("test", False), origin.get("test", "test")),
        timeout=timeout,
        ca_bundle=values.get("ca_bundle"),
        username=values.get("username"),
        password=values.get("password"),
        application_code=values.get("application_code"),
        client_id=values.get("client_id"),
        client_secret=values.get("client_secret"),
        address=values.get("address"),
        smtp_host=values.get("smtp_host"),
        smtp_port=ports["smtp_port"],
        smtp_security=values.get("smtp_security"),
        smtp_username=values.get("smtp_username"),
        smtp_password=values.get("smtp_password"),
        imap_host=values.get("imap_host"),
        imap_port=ports["imap_port"],
        imap_security=values.get("imap_security"),
        inbox=values.get("inbox"),
        sent_folder=values.get("sent_folder"),
        address_book=dict(book),
        origin=origin,
    )


def open_channel(
    settings: AxisSettings, *, transport: httpx.BaseTransport | None = None
) -> Channel:
    """The channel ``settings`` describe (:class:`~vbdt_exchange.adapters.vdxp.VdxpClient`,
    :class:`~vbdt_exchange.adapters.lgsp_langson.LangSonClient`,
    :class:`~vbdt_exchange.adapters.lgsp_quangnam.QuangNamClient` or
    :class:`~vbdt_exchange.adapters.email.EmailChannel`); close it after use.

    :raises AxisConfigError: a setting the kind needs is missing (the message says how to give
        it), or one the channel refuses (a plain-text mail server that is not on loopback ...).
    """
    from vbdt_exchange.adapters.lgsp_langson import LangSonClient, LangSonConfig
    from vbdt_exchange.adapters.lgsp_quangnam import QuangNamClient, QuangNamConfig
    from vbdt_exchange.adapters.vdxp import VdxpClient, VdxpConfig

    if settings.kind == "email":
        return _email_channel(settings)
    settings.require("endpoint", "system_id", "secret")
    assert settings.endpoint
    assert settings.system_id
    assert settings.secret
    verify: bool | str = settings.ca_bundle or True
    timeouts = (
        Timeouts(read=settings.timeout, transfer_read=4 * settings.timeout)
        if settings.timeout
        else None
    )
    extra: dict[str, Any] = {"timeouts": timeouts} if timeouts else {}
    if settings.kind == "langson":
        settings.require("username", "password", "application_code")
        return LangSonClient(
            LangSonConfig(
                settings.endpoint,
                settings.system_id,
                secret_key=settings.secret,
                username=cast(str, settings.username),
                password=cast(str, settings.password),
                application_code=cast(str, settings.application_code),
                verify=verify,
                test=settings.test,
                **extra,
            ),
            transport=transport,
        )
    if settings.kind == "quangnam":
        settings.require("client_id", "client_secret")
        return QuangNamClient(
            QuangNamConfig(
                settings.endpoint,
                settings.system_id,
                client_id=cast(str, settings.client_id),
                client_secret=cast(str, settings.client_secret),
                unit_secret=settings.secret,
                verify=verify,
                test=settings.test,
                **extra,
            ),
            transport=transport,
        )
    return VdxpClient(
        VdxpConfig(
            settings.endpoint,
            settings.system_id,
            secret=settings.secret,
            verify=verify,
            test=settings.test,
            **extra,
        ),
        transport=transport,
    )


def _email_channel(settings: AxisSettings) -> Channel:
    import ssl

    from vbdt_exchange.adapters.email import EmailChannel, EmailConfig

    settings.require("system_id", "address", "smtp_host", "imap_host", "username", "password")
    context = None
    if settings.ca_bundle:
        try:
            context = ssl.create_default_context(cafile=settings.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise AxisConfigError(f"ca_bundle {settings.ca_bundle}: {exc}") from None
    names = (
        *("smtp_port", "imap_port", "smtp_security", "imap_security", "smtp_username"),
        *("smtp_password", "inbox", "sent_folder", "timeout"),
    )
    options: dict[str, Any] = {n: getattr(settings, n) for n in names if getattr(settings, n)}
    try:
        config = EmailConfig(
            system_id=cast(str, settings.system_id),
            address=cast(str, settings.address),
            smtp_host=cast(str, settings.smtp_host),
            imap_host=cast(str, settings.imap_host),
            username=cast(str, settings.username),
            password=cast(str, settings.password),
            address_book=cast(Any, settings.address_book),
            ssl_context=context,
            **options,
        )
    except (TypeError, ValueError) as exc:  # a security value EmailConfig does not know ...
        raise AxisConfigError(f"e-mail channel: {exc}") from None
    return EmailChannel(config)
