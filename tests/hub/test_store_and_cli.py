"""The store's schema versioning and the ``vbdt hub`` commands."""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vbdt_exchange.cli._main import load_commands
from vbdt_exchange.hub import (
    SCHEMA_VERSION,
    HubConfig,
    HubConfigError,
    HubStoreError,
    Store,
    UnknownSystem,
)


def test_schema_is_versioned(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with Store(db) as store:
        store.add_system("000.00.00.H29", b"x")
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert oct(db.stat().st_mode & 0o777) == "0o600"  # it holds the secrets
    with Store(db) as store:  # reopening keeps everything
        assert store.secret_for("000.00.00.H29") == b"x"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HubStoreError, match="upgrade vbdt_exchange"):
        Store(db)


def test_other_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(HubStoreError, match="not a hub database"):
        Store(other)
    with sqlite3.connect(other) as conn:  # left as it was
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    conn.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HubStoreError, match="not a hub database"):
        Store(junk)


def test_systems_and_organ_ids(tmp_path: Path) -> None:
    with Store(tmp_path / "hub.db") as store:
        store.add_system("000.00.00.H29", b"a", organ_ids=["000.01.00.H29"])
        store.add_system("000.00.00.G22", b"b")
        with pytest.raises(HubStoreError, match=r"already belongs to system 000\.00\.00\.H29"):
            store.add_system("000.00.00.G22", b"b", organ_ids=["000.01.00.H29"])
        with pytest.raises(HubStoreError, match="already an organ id"):
            store.add_system("000.01.00.H29", b"c")
        with pytest.raises(UnknownSystem):
            store.add_system("000.00.00.G09", b"")
        assert store.route("000.01.00.H29") == "000.00.00.H29"
        assert store.route("000.00.00.G22") == "000.00.00.G22"
        assert store.route("000.00.00.Z99") is None
        store.add_system("000.00.00.H29", b"new")  # a new secret, organ ids kept
        assert store.secret_for("000.00.00.H29") == b"new"
        assert store.system("000.00.00.H29").organ_ids == ("000.01.00.H29",)
        assert store.remove_system("000.00.00.H29")
        assert store.route("000.01.00.H29") is None
        assert not store.remove_system("000.00.00.H29")
        with pytest.raises(UnknownSystem):
            store.system("000.00.00.H29")


def test_done_is_final_in_the_store_and_the_first_fetch_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's single-statement updates: a delivery that is done stays done whatever is
    asked after (two acknowledgements may race past the hub's own check), and the time of the
    first fetch is not moved by later ones."""
    from vbdt_exchange.hub import DeliveryState
    from vbdt_exchange.hub import store as hub_store

    from .conftest import RECEIVER, SENDER, store_package

    with Store(tmp_path / "hub.db") as store:
        store.add_system(SENDER, b"s")
        store.add_system(RECEIVER, b"r")
        store_package(store, b"<edXML/>")
        (delivery,) = store.received(RECEIVER)
        first = datetime.datetime(2026, 12, 8, 9, 0, 0)
        monkeypatch.setattr(hub_store, "now", lambda: first)
        store.mark_received(delivery.doc_id)
        monkeypatch.setattr(hub_store, "now", lambda: first + datetime.timedelta(hours=1))
        store.mark_received(delivery.doc_id)
        assert store.set_state(delivery.doc_id, DeliveryState.PROCESSING).state is (
            DeliveryState.PROCESSING
        )
        done = store.set_state(delivery.doc_id, DeliveryState.DONE)
        assert done.state is DeliveryState.DONE
        for other in (DeliveryState.PROCESSING, DeliveryState.FAIL, DeliveryState.INITIAL):
            assert store.set_state(delivery.doc_id, other).state is DeliveryState.DONE
        after = store.set_state(delivery.doc_id, DeliveryState.DONE)  # idempotent
        assert (after.state, after.updated, after.received) == (
            DeliveryState.DONE,
            done.updated,
            first,
        )


def test_a_temporary_store_is_removed(tmp_path: Path) -> None:
    store = Store(None)
    folder = store.path.parent
    assert folder.exists()
    store.close()
    assert not folder.exists()
    with pytest.raises(HubStoreError, match="closed"):
        store.systems()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(load_commands(), list(args), env=env)
    return result.exit_code, result.output


def test_cli_systems(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    code, out = run(
        "hub",
        "add-system",
        "--db",
        db,
        "--system-id",
        "000.00.00.H29",
        "--secret-env",
        "HUB_SECRET",
        "--organ-id",
        "000.01.00.H29",
        env={"HUB_SECRET": "top-secret"},
    )
    assert (code, out) == (0, "registered 000.00.00.H29 (also 000.01.00.H29)\n")
    code, out = run(
        "hub",
        "add-system",
        "--db",
        db,
        "--system-id",
        "000.00.00.G22",
        "--secret-env",
        "UNSET_VAR_FOR_TEST",
        env={"UNSET_VAR_FOR_TEST": ""},
    )
    assert code == 2
    assert "UNSET_VAR_FOR_TEST is not set" in out
    code, out = run("hub", "list-systems", "--db", db)
    assert (code, out) == (0, "000.00.00.H29 (also 000.01.00.H29)\n")
    assert "top-secret" not in out
    code, out = run("hub", "list-systems", "--db", db, "--json")
    assert json.loads(out) == [{"system_id": "000.00.00.H29", "organ_ids": ["000.01.00.H29"]}]
    code, out = run("hub", "remove-system", "--db", db, "--system-id", "000.00.00.G22")
    assert code == 1
    assert "no system 000.00.00.G22" in out
    code, out = run("hub", "remove-system", "--db", db, "--system-id", "000.00.00.H29")
    assert (code, out) == (0, "removed 000.00.00.H29\n")
    code, out = run("hub", "list-systems", "--db", str(tmp_path / "missing.db"))
    assert code == 2
    assert "no hub database" in out
    (tmp_path / "bad.db").write_bytes(b"garbage" * 1000)
    code, out = run("hub", "list-systems", "--db", str(tmp_path / "bad.db"))
    assert code == 2
    assert "not a hub database" in out
    assert "Traceback" not in out


def test_cli_serve_refusals(tmp_path: Path) -> None:
    db = str(tmp_path / "hub.db")
    code, out = run("hub", "serve", "--db", db, "--refuse-replays")
    assert code == 2
    assert "--refuse-replays needs --max-clock-skew" in out
    code, out = run("hub", "serve", "--db", db, "--reading", "header", "--refuse-invalid")
    assert code == 2
    assert "--refuse-invalid needs --reading full" in out


@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain", "so-reuseport"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_serve_port_in_use(tmp_path: Path, workers: str, reuse_port: bool) -> None:
    """A port in use is refused, also with workers (each on its own SO_REUSEPORT socket), and
    also when what holds it could share it (another `vbdt hub serve --workers`)."""
    import socket

    with socket.socket() as taken:
        if reuse_port:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out = run(
            "hub", "serve", "--db", str(tmp_path / "h.db"), "--port", str(port),
            "--workers", workers,
        )  # fmt: skip
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in out


def test_cli_serve_warns_without_systems_and_stops_on_sigterm(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vbdt_exchange",
            "hub",
            "serve",
            "--db",
            str(tmp_path / "h.db"),
            "--port",
            "0",
            "--max-clock-skew",
            "300",
            "--refuse-replays",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert proc.stderr is not None
    warning = proc.stderr.readline()
    serving = proc.stderr.readline()
    proc.terminate()
    _, rest = proc.communicate(timeout=30)
    assert "no system is registered" in warning
    assert serving.startswith("vbdt hub: serving ")
    assert "http://127.0.0.1:" in serving
    assert proc.returncode == 0
    assert rest == "vbdt hub: stopped\n"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reading": "some"}, "reading must be"),
        ({"reading": "header", "refuse_invalid": True}, "refuse_invalid needs"),
        ({"refuse_replays": True}, "refuse_replays needs max_clock_skew"),
        ({"max_clock_skew": datetime.timedelta(0)}, "must be positive"),
        ({"max_body_bytes": 0}, "at least 1"),
    ],
)
def test_config_contradictions(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(HubConfigError, match=message):
        HubConfig(**kwargs)  # type: ignore[arg-type]


def test_cli_serve_body_timeout_cuts_a_slow_body(tmp_path: Path) -> None:
    """``--body-timeout`` reaches the hub: a body that stalls is refused with 408, code 10."""
    import re
    import socket
    import time

    from vbdt_exchange.adapters.vdxp_wire import sign_request

    env = {**os.environ, "HUB_SECRET": "s3cret"}
    subprocess.run(
        [
            *(sys.executable, "-m", "vbdt_exchange", "hub", "add-system"),
            *("--db", str(tmp_path / "h.db"), "--system-id", "000.00.00.H29"),
            *("--secret-env", "HUB_SECRET"),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    headers = sign_request(
        [
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("from", "000.00.00.H29"),
            ("hash-file", "0"),
        ],
        system_id="000.00.00.H29",
        secret=b"s3cret",
        content_type="application/octet-stream",
    )
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vbdt_exchange",
            "hub",
            "serve",
            "--db",
            str(tmp_path / "h.db"),
            "--port",
            "0",
            "--body-timeout",
            "0.5",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert proc.stderr is not None
        serving = proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", serving)
        assert found, serving
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", int(found.group(1))), timeout=20) as sock:
            sock.sendall(
                b"POST /sendEdoc HTTP/1.1\r\nHost: x\r\n" + head + b"Content-Length: 1000\r\n\r\n<"
            )
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        waited = time.monotonic() - started
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"ErrorCode":"10"' in answer.replace(b" ", b"")
    assert waited < 15  # cut off by the 0.5 s timeout, not by the test's socket timeout


def test_cli_serve_head_timeout_closes_a_slow_head(tmp_path: Path) -> None:
    """``--head-timeout`` reaches the server: a request head that never ends gets a 408."""
    import re
    import select
    import socket
    import time

    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "vbdt_exchange", "hub", "serve"),
            *("--db", str(tmp_path / "h.db"), "--port", "0", "--head-timeout", "0.5"),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert proc.stderr is not None
        proc.stderr.readline()  # the warning: no system registered
        serving = proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", serving)
        assert found, serving
        with socket.create_connection(("127.0.0.1", int(found.group(1))), timeout=20) as sock:
            started = time.monotonic()
            sock.sendall(b"POST /getEdoc HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            ready, _, _ = select.select([sock], [], [], 10)
            elapsed = time.monotonic() - started
            assert ready
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert 0.4 <= elapsed <= 5
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert proc.returncode == 0
