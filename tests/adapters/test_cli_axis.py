"""``vbdt axis``: every subcommand against the local reference axis over loopback, settings
from flags, environment and a config file, and its exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import vbdt_exchange.cli.axis  # noqa: F401 - registers `vbdt axis`
from vbdt_exchange.cli._main import cli
from vbdt_exchange.testing.axis import LocalAxis

SENDER, RECEIVER = "000.00.00.H29", "000.00.00.G22"


@pytest.fixture(scope="module")
def axis() -> Iterator[LocalAxis]:
    with LocalAxis([SENDER, RECEIVER]) as running:
        yield running


def _env(axis: LocalAxis, system_id: str) -> dict[str, str]:
    return {
        "VBDT_AXIS_ENDPOINT": axis.url,
        "VBDT_AXIS_SYSTEM_ID": system_id,
        "VBDT_AXIS_SECRET": axis.system(system_id).secret,
        "VBDT_AXIS_TEST": "1",
        "VBDT_AXIS_CONFIG": "",
    }


@pytest.fixture
def vbdt(axis: LocalAxis) -> Callable[..., Result]:
    def run(
        *args: str | Path, system_id: str = SENDER, env: dict[str, str] | None = None
    ) -> Result:
        environment = {**_env(axis, system_id), **(env or {})}
        return CliRunner().invoke(cli, ["axis", *map(str, args)], env=environment)

    return run


def test_send_list_fetch_ack_sent(
    vbdt: Callable[..., Result], edoc: Callable[..., bytes], tmp_path: Path
) -> None:
    package = tmp_path / "cong-van.edxml"
    package.write_bytes(edoc(number="501"))
    sent = vbdt("send", package, "--json")
    assert sent.exit_code == 0, sent.output
    doc_id = json.loads(sent.output)["doc_id"]
    assert json.loads(sent.output)["message_type"] == "edoc"

    listed = vbdt("list", "--json", system_id=RECEIVER)
    assert listed.exit_code == 0, listed.output
    notice = next(n for n in json.loads(listed.output) if n["from"] == SENDER)
    assert notice["state"] == "initial"
    plain = vbdt("list", system_id=RECEIVER)
    assert notice["doc_id"] in plain.output
    assert "initial" in plain.output

    out = tmp_path / "in.edxml"
    fetched = vbdt("fetch", notice["doc_id"], "-o", out, system_id=RECEIVER)
    assert fetched.exit_code == 0, fetched.output
    assert out.read_bytes() == package.read_bytes()
    assert f"wrote {out}" in fetched.output

    ack = vbdt("ack", notice["doc_id"], "--status", "done", system_id=RECEIVER)
    assert ack.exit_code == 0
    assert ack.output.strip() == f"{notice['doc_id']}: done"

    rows = json.loads(vbdt("sent", doc_id, "--json").output)
    assert [(r["to"], r["receive_status"]) for r in rows] == [(RECEIVER, "done")]
    assert f"to {RECEIVER}" in vbdt("sent", doc_id).output

    again = vbdt("ack", notice["doc_id"], "--status", "processing", system_id=RECEIVER)
    assert again.exit_code == 1
    assert again.output.startswith("vbdt: error: updateStatus: refused (code 32)")


def test_status_queue(
    vbdt: Callable[..., Result],
    edoc: Callable[..., bytes],
    status_package: Callable[..., bytes],
    tmp_path: Path,
) -> None:
    package = edoc(number="502")
    reply = tmp_path / "status.edxml"
    reply.write_bytes(status_package("03", about=package))
    assert vbdt("send", reply, system_id=RECEIVER).output.endswith(
        f"(status, {reply.stat().st_size} bytes)\n"
    )
    queue = json.loads(vbdt("list", "--status", "--json").output)
    assert any(n["from"] == RECEIVER and n["message_type"] == "status" for n in queue)
    assert json.loads(vbdt("sent", "--status", "--json", system_id=RECEIVER).output)


def test_agencies(vbdt: Callable[..., Result]) -> None:
    result = vbdt("agencies")
    assert result.exit_code == 0
    assert f"{SENDER}" in result.output
    assert f"{RECEIVER}" in result.output
    codes = [a["code"] for a in json.loads(vbdt("agencies", "--json").output)]
    assert SENDER in codes


def test_refused_package_exits_1(
    vbdt: Callable[..., Result], edoc: Callable[..., bytes], tmp_path: Path
) -> None:
    package = tmp_path / "foreign.edxml"
    package.write_bytes(edoc(from_="002.00.20.H13"))
    result = vbdt("send", package)
    assert result.exit_code == 1
    assert "refused (code 13)" in result.output
    assert "[rejected-addressing]" in result.output


def test_wrong_secret_exits_2(vbdt: Callable[..., Result]) -> None:
    result = vbdt("list", env={"VBDT_AXIS_SECRET": "wrong"})
    assert result.exit_code == 2
    assert "refused (code 15)" in result.output


def test_secret_from_a_named_variable_and_flags_over_env(
    axis: LocalAxis, vbdt: Callable[..., Result]
) -> None:
    secret = axis.system(RECEIVER).secret
    result = vbdt(
        "list",
        "--system-id",
        RECEIVER,
        "--secret-env",
        "MY_SECRET",
        env={"MY_SECRET": secret, "VBDT_AXIS_SECRET": "the sender's, not used"},
    )
    assert result.exit_code == 0, result.output


def test_config_file(axis: LocalAxis, tmp_path: Path) -> None:
    config = tmp_path / "axis.toml"
    config.write_text(
        f'[axis]\nendpoint = "{axis.url}"\nsystem_id = "{SENDER}"\nsecret_env = "H29"\n'
        "test = true\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["axis", "agencies", "--config", str(config)],
        env={
            "H29": axis.system(SENDER).secret,
            "VBDT_AXIS_ENDPOINT": "",
            "VBDT_AXIS_SECRET": "",
            "VBDT_AXIS_SYSTEM_ID": "",
            "VBDT_AXIS_CONFIG": "",
        },
    )
    assert result.exit_code == 0, result.output
    assert SENDER in result.output


def test_the_secret_is_not_a_command_line_value(vbdt: Callable[..., Result]) -> None:
    result = vbdt("list", "--secret", "s3cret")
    assert result.exit_code == 2
    assert "No such option '--secret'" in result.output


def test_missing_settings_say_how_to_give_them() -> None:
    result = CliRunner().invoke(
        cli,
        ["axis", "list"],
        env={
            "VBDT_AXIS_ENDPOINT": "",
            "VBDT_AXIS_SYSTEM_ID": "",
            "VBDT_AXIS_SECRET": "",
            "VBDT_AXIS_CONFIG": "",
        },
    )
    assert result.exit_code == 2
    assert "no endpoint: give --endpoint, set VBDT_AXIS_ENDPOINT" in result.output
    assert "no secret: set VBDT_AXIS_SECRET (or name another variable with --secret-env" in (
        result.output.replace("\n", " ")
    )


def test_unreachable_axis_exits_2(vbdt: Callable[..., Result]) -> None:
    result = vbdt("list", "--endpoint", "http://127.0.0.1:9", "--timeout", "2")
    assert result.exit_code == 2
    assert "could not be reached" in result.output


def test_fetch_of_an_unknown_id_writes_nothing(vbdt: Callable[..., Result], tmp_path: Path) -> None:
    result = vbdt("fetch", "no-such-doc", "-o", tmp_path / "x.edxml", system_id=RECEIVER)
    assert result.exit_code == 1
    assert "code 30" in result.output
    assert not (tmp_path / "x.edxml").exists()
