"""`vbdt engine run/status/release` and the config file."""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from vbdt_exchange.cli._main import load_commands
from vbdt_exchange.engine import EngineConfigError, load_config, load_host
from vbdt_exchange.envelope import Organization, new_edoc, to_bytes
from vbdt_exchange.testing.axis import LocalAxis

cli = load_commands()
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SENDER, RECEIVER = "000.00.00.H29", "000.00.00.G22"


@pytest.fixture
def axis() -> Iterator[LocalAxis]:
    with LocalAxis() as axis:
        yield axis


def _config(tmp_path: Path, axis: LocalAxis, system_id: str, extra: str = "") -> Path:
    folder = tmp_path / system_id
    folder.mkdir()
    path = folder / "engine.toml"
    path.write_text(
        f"""
[axis]
endpoint = "{axis.url}"
system_id = "{system_id}"
secret_env = "SECRET_{system_id.replace(".", "_")}"
test = true

[engine]
store = "engine.db"
host = "engine_host:make_host"
poll_interval = 0.1
{extra}
[engine.retry]
delays = [0.1]
jitter = 0.1
max_attempts = 3

[host]
db = "dms.db"
""",
        encoding="utf-8",
    )
    return path


def test_run_once_sends_and_receives(
    axis: LocalAxis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for system in axis.systems:
        monkeypatch.setenv(f"SECRET_{system.system_id.replace('.', '_')}", system.secret)
    sender, receiver = _config(tmp_path, axis, SENDER), _config(tmp_path, axis, RECEIVER)
    package = new_edoc(
        from_=Organization(organ_id=SENDER, organ_name="UBND"),
        to=[Organization(organ_id=RECEIVER, organ_name="Sở")],
        number="5",
        notation="UBND-VP",
        date=datetime.date(2026, 11, 22),
        subject="Thử dòng lệnh",
    )
    with sqlite3.connect(sender.parent / "dms.db") as dms:
        dms.executescript(
            "CREATE TABLE dms_outgoing (key TEXT PRIMARY KEY, package BLOB NOT NULL, "
            "handed INTEGER NOT NULL DEFAULT 0)"
        )
        dms.execute(
            "INSERT INTO dms_outgoing (key, package) VALUES ('cv-5', ?)", (to_bytes(package),)
        )
    dms.close()
    runner = CliRunner()
    out = runner.invoke(cli, ["engine", "run", "--once", "--config", str(sender)])
    assert out.exit_code == 0, out.output
    assert "cycle 1: taken 1, received 0" in out.output
    assert "sent 1" in out.output
    got = runner.invoke(cli, ["engine", "run", "--cycles", "2", "--config", str(receiver)])
    assert got.exit_code == 0, got.output
    assert "received 1" in got.output
    status = runner.invoke(cli, ["engine", "status", "--config", str(receiver), "--json"])
    counts = json.loads(status.output)
    assert counts["documents"] == {"in:done": 1}
    assert counts["outbox"] == {"sent": 1}  # the automatic status 01
    with sqlite3.connect(receiver.parent / "dms.db") as dms:
        assert dms.execute("SELECT subject FROM dms_documents").fetchall() == [("Thử dòng lệnh",)]
    dms.close()


def test_run_once_reports_an_unreachable_axis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setenv("SECRET_000_00_00_G22", "x")
    path = tmp_path / "engine.toml"
    path.write_text(
        '[axis]\nendpoint = "http://127.0.0.1:9"\nsystem_id = "000.00.00.G22"\n'
        'secret_env = "SECRET_000_00_00_G22"\ntest = true\ntimeout = 2\n'
        '[engine]\nstore = "e.db"\nhost = "engine_host:make_host"\n[host]\ndb = "dms.db"\n'
    )
    result = CliRunner().invoke(cli, ["engine", "run", "--once", "--config", str(path)])
    assert result.exit_code == 1
    assert "warning: receiving edoc" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[axis]\n", "no [engine] table"),
        ("[engine]\nhost = 'x:y'\n", "store"),
        ("[engine]\nstore = 'e.db'\nspeed = 3\n", "unknown key(s) speed"),
        ("[engine]\nstore = 'e.db'\npoll_interval = -1\n", "poll_interval"),
        ("[engine]\nstore = 'e.db'\nrequire_signature = true\n", "needs trust_anchors"),
        ("[engine]\nstore = 'e.db'\n[engine.retry]\njitter = 2\n", "jitter"),
        ("[engine\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "engine.toml"
    path.write_text(text)
    with pytest.raises(EngineConfigError, match=r"engine|TOML") as info:
        load_config(path)
    assert message in str(info.value)
    result = CliRunner().invoke(cli, ["engine", "status", "--config", str(path)])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("nothing", "module:attribute"),
        ("no_such_module_xyz:host", "cannot import"),
        ("json:nope", "has no nope"),
        ("json:dumps", "could not make the host"),
        ("json:__doc__", "not a host"),
    ],
)
def test_bad_host_reference(reference: str, message: str) -> None:
    with pytest.raises(EngineConfigError, match=message):
        load_host(reference, {})


def test_host_factory_gets_the_host_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    host = load_host("engine_host:ExampleHost", {"db": str(tmp_path / "h.db")})
    try:
        assert (tmp_path / "h.db").exists()
    finally:
        host.close()  # type: ignore[attr-defined]


def test_release_and_status_need_a_store(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["engine", "status"])
    assert result.exit_code == 2
    assert "--config FILE or --store" in result.output
    result = runner.invoke(cli, ["engine", "release", "k", "--store", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no such engine store" in result.output
