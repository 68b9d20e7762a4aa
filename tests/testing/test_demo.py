"""The demo exchange (``vbdt demo``, the README's main job) runs end to end."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from vbdt_exchange import read
from vbdt_exchange.cli._main import load_commands
from vbdt_exchange.signature.policy import Indication
from vbdt_exchange.testing.demo import RECEIVER, SENDER, run_demo


def test_run_demo_exchanges_a_signed_package_and_three_answers(tmp_path: Path) -> None:
    seen = []
    result = run_demo(tmp_path, progress=seen.append)

    assert result.verdict is Indication.PASSED
    assert [s.action for s in result.steps] == [s.action for s in seen]
    assert [e.code for e in result.timeline if e.kind == "status"] == ["01", "03", "06"]
    assert {e.organ_id for e in result.timeline} == {RECEIVER.organ_id}
    [row] = result.delivery
    assert (row.from_, row.to) == (SENDER.organ_id, RECEIVER.organ_id)
    assert (row.send_status, row.receive_status) == ("done", "done")
    # what the receiver fetched is, byte for byte, what the sender signed and sent
    assert (tmp_path / "received.edxml").read_bytes() == (tmp_path / "sent.edxml").read_bytes()
    with read(tmp_path / "received.edxml") as got:
        assert got.package.document_id == result.document_id
    # the axis's store is a real SQLite file that outlives the run
    with sqlite3.connect(result.db) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert tables


def test_vbdt_demo_prints_the_timeline(tmp_path: Path) -> None:
    done = CliRunner().invoke(load_commands(), ["demo", "--workdir", str(tmp_path / "w")])
    assert done.exit_code == 0, done.output
    assert "PASSED" in done.output
    lines = done.output.splitlines()
    timeline = lines[lines.index(next(x for x in lines if x.startswith("Timeline of"))) :]
    assert [x.split()[3:5] for x in timeline[2:5]] == [
        ["status", "01"],
        ["status", "03"],
        ["status", "06"],
    ]
    assert "sent done, received done" in done.output
    assert (tmp_path / "w" / "axis.sqlite3").exists()
