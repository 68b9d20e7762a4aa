"""``vbdt status explain``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import vbdt_exchange.cli.status_explain  # noqa: F401 - registers the command
from vbdt_exchange.cli._main import cli

PEERS = Path(__file__).parent.parent / "vectors" / "peers" / "PVN-Organization__API-Gateway-iOffice"
DOC = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
FILES = [
    PEERS / "resources__status_inbox_01.edxml",
    PEERS / "resources__status_acceptance_03.edxml",
    PEERS / "resources__edoc_revocation.edxml",
]


@pytest.fixture(autouse=True)
def _keep_commands() -> Iterator[None]:
    before = dict(cli.commands)
    yield
    cli.commands.clear()
    cli.commands.update(before)


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["status", "explain", *map(str, args)])
    return result.exit_code, result.output


def test_text() -> None:
    code, out = run(*FILES)
    assert code == 0, out
    assert out.splitlines()[0] == DOC
    assert "  000.00.00.H41: 03 Accepted and registered, revoked" in out
    assert "[ST-DECIDE]" in out


def test_json_shape() -> None:
    code, out = run("--json", *FILES)
    assert code == 0, out
    data = json.loads(out)
    assert set(data) == {"documents", "anomalies"}
    (document,) = data["documents"]
    assert set(document) == {"document_id", "receivers", "anomalies"}
    assert document["document_id"] == DOC
    organs = [r["organ_id"] for r in document["receivers"]]
    assert organs == ["000.00.00.G17", "000.00.00.H14", "000.00.00.H41"]
    h41 = document["receivers"][2]
    assert set(h41) == {"organ_id", "state", "events"}
    assert h41["state"]["progress"] == "03"
    assert set(h41["events"][0]) == {
        "time", "kind", "code", "from", "description", "accepted", "rule", "out_of_order",
    }  # fmt: skip
    assert [e["code"] for e in h41["events"]] == ["01", "03", "revocation"]


def test_anomalies_and_strict() -> None:
    code, out = run("--json", "--strict", PEERS / "resources__status_acceptance_03.edxml")
    assert code == 0
    (document,) = json.loads(out)["documents"]
    kinds = [a["kind"] for a in document["anomalies"]]
    assert kinds == ["unseen-document", "skipped"]
    code, out = run(PEERS / "resources__status_acceptance_03.edxml")
    assert "anomalies:" in out
    assert "unseen-document" in out


def test_recover_needed() -> None:
    code, out = run(PEERS / "resources__edoc_new.edxml")
    assert code == 2
    code, out = run("--recover", PEERS / "resources__edoc_new.edxml")
    assert code == 0, out
    assert "28.22.H17" in out


def test_unreadable(tmp_path: Path) -> None:
    code, out = run(tmp_path / "missing.edxml")
    assert code == 2
    bad = tmp_path / "bad.edxml"
    bad.write_bytes(b"not xml")
    code, out = run(bad)
    assert code == 2
    assert "vbdt: error" in out
