"""Channel settings: flags > environment > file, secrets never as flag values, clear messages
for what is missing, and open_channel builds the right client."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from vbdt_exchange.adapters import AxisConfigError, VdxpClient
from vbdt_exchange.adapters.config import load_settings, open_channel
from vbdt_exchange.adapters.lgsp_langson import LangSonClient
from vbdt_exchange.adapters.lgsp_quangnam import QuangNamClient


def _file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "axis.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_precedence_flags_then_env_then_file(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '[axis]\nendpoint = "https://file"\nsystem_id = "FILE"\n'
        'secret = "file-secret"\ntimeout = 5\n',
    )
    env = {"VBDT_AXIS_SYSTEM_ID": "ENV", "VBDT_AXIS_SECRET": "env-secret"}
    s = load_settings(
        flags={"endpoint": "https://flag", "system_id": None}, env=env, config_file=path
    )
    assert (s.endpoint, s.system_id, s.secret, s.timeout) == (
        "https://flag",
        "ENV",
        "env-secret",
        5.0,
    )
    assert s.origin["endpoint"] == "flag"
    assert s.origin["system_id"] == "env VBDT_AXIS_SYSTEM_ID"
    assert s.origin["timeout"] == f"file {path}"
    assert "env-secret" not in repr(s)
    assert "secret=***" in repr(s)


def test_secret_from_a_named_variable(tmp_path: Path) -> None:
    s = load_settings(flags={"secret_env": "MINE"}, env={"MINE": "x1", "VBDT_AXIS_SECRET": "x2"})
    assert s.secret == "x1"
    assert s.origin["secret"] == "env MINE"
    path = _file(tmp_path, 'secret_env = "FROM_FILE"\n')
    assert load_settings(env={"FROM_FILE": "y"}, config_file=path).secret == "y"
    with pytest.raises(AxisConfigError, match=r"'NOT_SET' .* is not set"):
        load_settings(flags={"secret_env": "NOT_SET"}, env={})


@pytest.mark.parametrize("name", ["secret", "password", "client_secret"])
def test_secrets_are_refused_as_flag_values(name: str) -> None:
    with pytest.raises(AxisConfigError, match="cannot be given as a value"):
        load_settings(flags={name: "plain"}, env={})


def test_config_file_from_the_environment_and_its_errors(tmp_path: Path) -> None:
    path = _file(tmp_path, 'kind = "langson"\nendpoint = "https://lgsp"\n')
    assert load_settings(env={"VBDT_AXIS_CONFIG": str(path)}).kind == "langson"
    with pytest.raises(AxisConfigError, match="unknown key"):
        load_settings(env={}, config_file=_file(tmp_path, 'endpont = "x"\n'))
    with pytest.raises(AxisConfigError, match="not valid TOML"):
        load_settings(env={}, config_file=_file(tmp_path, "endpoint = \n"))
    with pytest.raises(AxisConfigError, match="cannot read"):
        load_settings(env={}, config_file=tmp_path / "missing.toml")
    with pytest.raises(AxisConfigError, match="unknown axis kind"):
        load_settings(env={"VBDT_AXIS_KIND": "bkav"})
    with pytest.raises(AxisConfigError, match="not a yes/no"):
        load_settings(env={"VBDT_AXIS_TEST": "maybe"})
    with pytest.raises(AxisConfigError, match="not a number"):
        load_settings(env={"VBDT_AXIS_TIMEOUT": "soon"})
    with pytest.raises(AxisConfigError, match="not a string"):
        load_settings(env={}, config_file=_file(tmp_path, "system_id = 12\n"))


def test_a_readable_file_with_a_secret_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _file(tmp_path, 'secret = "x"\n', mode=0o644)
    with caplog.at_level(logging.WARNING):
        load_settings(env={}, config_file=path)
    assert any("other users can read it" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        load_settings(env={}, config_file=_file(tmp_path, 'secret = "x"\n', mode=0o600))
    assert caplog.records == []


def test_open_channel_builds_each_kind() -> None:
    base = {
        "VBDT_AXIS_ENDPOINT": "https://axis",
        "VBDT_AXIS_SYSTEM_ID": "000.00.00.H29",
        "VBDT_AXIS_SECRET": "s",
    }
    with open_channel(load_settings(env=base)) as channel:
        assert isinstance(channel, VdxpClient)
        assert channel.system_id == "000.00.00.H29"
    langson = {
        **base,
        "VBDT_AXIS_KIND": "langson",
        "VBDT_AXIS_USERNAME": "u",
        "VBDT_AXIS_PASSWORD": "p",
        "VBDT_AXIS_APPLICATION_CODE": "a",
        "VBDT_AXIS_TIMEOUT": "7",
    }
    with open_channel(load_settings(env=langson)) as channel:
        assert isinstance(channel, LangSonClient)
        assert channel.timeouts.read == 7.0
        assert channel.timeouts.transfer_read == 28.0
    quangnam = {
        **base,
        "VBDT_AXIS_KIND": "quangnam",
        "VBDT_AXIS_CLIENT_ID": "c",
        "VBDT_AXIS_CLIENT_SECRET": "cs",
    }
    with open_channel(load_settings(env=quangnam)) as channel:
        assert isinstance(channel, QuangNamClient)


def test_open_channel_names_what_is_missing() -> None:
    with pytest.raises(AxisConfigError) as info:
        open_channel(
            load_settings(
                env={
                    "VBDT_AXIS_KIND": "langson",
                    "VBDT_AXIS_ENDPOINT": "https://x",
                    "VBDT_AXIS_SYSTEM_ID": "a",
                    "VBDT_AXIS_SECRET": "b",
                }
            )
        )
    message = str(info.value)
    assert "no username" in message
    assert "no password: set VBDT_AXIS_PASSWORD" in message
    assert "no application_code" in message
