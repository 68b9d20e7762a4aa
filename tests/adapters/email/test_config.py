"""The e-mail channel from settings: ``kind = "email"`` in a TOML file or ``VBDT_AXIS_*``
variables, ``open_channel`` building an :class:`EmailChannel`, and ``vbdt axis`` over real
SMTP and IMAP servers with nothing but a config file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import vbdt_exchange.cli.axis  # noqa: F401 - registers `vbdt axis`
from vbdt_exchange.adapters.config import load_settings, open_channel
from vbdt_exchange.adapters.email import EmailChannel
from vbdt_exchange.adapters.errors import AxisConfigError
from vbdt_exchange.cli._main import cli
from vbdt_exchange.testing.mailserver import MailServer

from .conftest import ADDRESSES, PASSWORDS, RECEIVER, SENDER

FULL = """
[axis]
kind = "email"
system_id = "000.00.00.G22"
address = "vanthu@g22.example"
smtp_host = "mail.g22.example"
smtp_port = 2525
smtp_security = "ssl"
smtp_username = "relay"
smtp_password_env = "G22_RELAY_PASSWORD"
imap_host = "imap.g22.example"
imap_port = 1993
imap_security = "ssl"
username = "vanthu@g22.example"
password_env = "G22_MAIL_PASSWORD"
inbox = "Van ban den"
sent_folder = "Van ban di"
timeout = 12

[axis.address_book]
"000.00.00.H29" = "vanthu@h29.example"
"000.00.00.G10" = "vanthu@g10.example"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "axis.toml"
    path.write_text(text, "utf-8")
    path.chmod(0o600)
    return path


def test_every_setting_reaches_the_channel(tmp_path: Path) -> None:
    env = {"G22_MAIL_PASSWORD": "mailbox-secret", "G22_RELAY_PASSWORD": "relay-secret"}
    settings = load_settings(config_file=write(tmp_path, FULL), env=env)
    assert settings.kind == "email"
    assert "mailbox-secret" not in repr(settings)
    assert "relay-secret" not in repr(settings)
    channel = open_channel(settings)
    assert isinstance(channel, EmailChannel)
    config = channel.config
    assert (config.system_id, config.address) == (RECEIVER, "vanthu@g22.example")
    assert (config.smtp_host, config.smtp_port, config.smtp_security) == (
        "mail.g22.example",
        2525,
        "ssl",
    )
    assert (config.smtp_username, config.smtp_password) == ("relay", "relay-secret")
    assert (config.imap_host, config.imap_port, config.imap_security) == (
        "imap.g22.example",
        1993,
        "ssl",
    )
    assert (config.username, config.password) == ("vanthu@g22.example", "mailbox-secret")
    assert (config.inbox, config.sent_folder, config.timeout) == ("Van ban den", "Van ban di", 12)
    assert dict(config.address_book) == {
        SENDER: "vanthu@h29.example",
        "000.00.00.G10": "vanthu@g10.example",
    }
    channel.close()


def test_from_environment_variables_with_the_channels_defaults() -> None:
    env = {
        "VBDT_AXIS_KIND": "email",
        "VBDT_AXIS_SYSTEM_ID": RECEIVER,
        "VBDT_AXIS_ADDRESS": "vanthu@g22.example",
        "VBDT_AXIS_SMTP_HOST": "mail.g22.example",
        "VBDT_AXIS_IMAP_HOST": "mail.g22.example",
        "VBDT_AXIS_USERNAME": "vanthu@g22.example",
        "VBDT_AXIS_PASSWORD": "pw",
        "VBDT_AXIS_SMTP_PORT": "587",
    }
    channel = open_channel(load_settings(env=env))
    assert isinstance(channel, EmailChannel)
    assert channel.config.smtp_port == 587
    assert (channel.config.smtp_security, channel.config.imap_security) == ("starttls", "ssl")
    assert channel.config.imap_port_or_default == 993
    assert channel.config.inbox == "INBOX"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('smtp_host = "mail.g22.example"', "no smtp_host: set VBDT_AXIS_SMTP_HOST, or smtp_host"),
        ('address = "vanthu@g22.example"', "no address: set VBDT_AXIS_ADDRESS"),
        ('password_env = "G22_MAIL_PASSWORD"', "no password: set VBDT_AXIS_PASSWORD"),
    ],
)
def test_missing_settings_say_how_to_give_them(tmp_path: Path, change: str, message: str) -> None:
    env = {"G22_MAIL_PASSWORD": "pw", "G22_RELAY_PASSWORD": "pw"}
    settings = load_settings(config_file=write(tmp_path, FULL.replace(change, "")), env=env)
    with pytest.raises(AxisConfigError, match=message):
        open_channel(settings)


@pytest.mark.parametrize("bad", ['smtp_port = "smtp"', "smtp_port = 70000", "smtp_port = true"])
def test_a_bad_port_is_refused(tmp_path: Path, bad: str) -> None:
    env = {"G22_MAIL_PASSWORD": "pw", "G22_RELAY_PASSWORD": "pw"}
    path = write(tmp_path, FULL.replace("smtp_port = 2525", bad))
    with pytest.raises(AxisConfigError, match=r"smtp_port \(file .*\): not a port number"):
        load_settings(config_file=path, env=env)


def test_a_bad_address_book_or_security_is_refused(tmp_path: Path) -> None:
    env = {"G22_MAIL_PASSWORD": "pw", "G22_RELAY_PASSWORD": "pw"}
    bad_book = FULL.replace('"000.00.00.G10" = "vanthu@g10.example"', '"000.00.00.G10" = 10')
    with pytest.raises(AxisConfigError, match="address_book"):
        load_settings(config_file=write(tmp_path, bad_book), env=env)
    plain = FULL.replace('smtp_security = "ssl"', 'smtp_security = "none"')
    with pytest.raises(AxisConfigError, match="clear text"):
        open_channel(load_settings(config_file=write(tmp_path, plain), env=env))
    unknown = FULL.replace('smtp_security = "ssl"', 'smtp_security = "tls13"')
    with pytest.raises(AxisConfigError):
        open_channel(load_settings(config_file=write(tmp_path, unknown), env=env))


def test_vbdt_axis_lists_and_fetches_mail_with_only_a_config_file(
    mail_server: MailServer,
    channel_for: Callable[..., EmailChannel],
    edoc: Callable[..., bytes],
    tmp_path: Path,
) -> None:
    """What ``vbdt engine`` and ``vbdt axis`` read: the receiver's mailbox, configured by file."""
    package = edoc(attachment=b"%PDF-1.7 cong van")
    sent = channel_for(SENDER).send(package)
    config = write(
        tmp_path,
        f"""
[axis]
kind = "email"
system_id = "{RECEIVER}"
address = "{ADDRESSES[RECEIVER]}"
smtp_host = "{mail_server.host}"
smtp_port = {mail_server.smtp_port}
smtp_security = "none"
imap_host = "{mail_server.host}"
imap_port = {mail_server.imap_port}
imap_security = "none"
username = "{ADDRESSES[RECEIVER]}"
password_env = "G22_MAIL_PASSWORD"
timeout = 10

[axis.address_book]
"{SENDER}" = "{ADDRESSES[SENDER]}"
""",
    )
    env = {"G22_MAIL_PASSWORD": PASSWORDS[RECEIVER], "VBDT_AXIS_CONFIG": ""}
    runner = CliRunner()
    listed = runner.invoke(cli, ["axis", "list", "--json", "--config", str(config)], env=env)
    assert listed.exit_code == 0, listed.output
    (notice,) = json.loads(listed.output)
    assert notice["from"] == SENDER
    out = tmp_path / "fetched.edxml"
    fetched = runner.invoke(
        cli,
        ["axis", "fetch", notice["doc_id"], "-o", str(out), "--config", str(config)],
        env=env,
    )
    assert fetched.exit_code == 0, fetched.output
    assert out.read_bytes() == package
    assert sent.size == os.path.getsize(out)
