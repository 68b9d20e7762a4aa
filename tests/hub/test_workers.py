"""Several hub processes on one store: ``vbdt hub serve --workers N`` and the replay cache
they share (``HubConfig.replay_cache = "store"``)."""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vbdt_exchange.hub import HubApp, HubConfig, Store, SyncASGITransport
from vbdt_exchange.testing.axis import AxisSystem
from vbdt_exchange.testing.pytest_plugin import PackageFactory

from .conftest import RECEIVER, SENDER, Caller

SKEW = datetime.timedelta(minutes=5)
ME = AxisSystem(RECEIVER, "receiver-secret")
YOU = AxisSystem(SENDER, "sender-secret")


def fresh_timestamp() -> str:
    now = datetime.datetime.now()
    return f"{now:%d%m%Y}T{now:%H%M%S}+{now.microsecond // 1000:04d}"


def listing(caller: Caller, timestamp: str) -> httpx.Response:
    return caller(ME, "getReceivedEdocList", {"servicetype": "eDoc"}, timestamp=timestamp)


def two_apps(store: Store, cache: str) -> Iterator[tuple[Caller, Caller]]:
    config = HubConfig(max_clock_skew=SKEW, refuse_replays=True, replay_cache=cache)  # type: ignore[arg-type]
    one, two = HubApp(store, config), HubApp(store, config)
    with (
        httpx.Client(transport=SyncASGITransport(one)) as a,
        httpx.Client(transport=SyncASGITransport(two)) as b,
    ):
        yield Caller(a, "http://hub"), Caller(b, "http://hub")


def test_a_replay_to_another_process_is_refused_with_the_store_cache(tmp_path: Path) -> None:
    with Store(tmp_path / "hub.db") as store:
        store.add_system(ME.system_id, ME.secret.encode())
        for first, second in two_apps(store, "store"):
            stamp = fresh_timestamp()
            assert listing(first, stamp).json()["status"] == "OK"
            again = listing(second, stamp)  # the same signed request, to the other application
            assert again.status_code == 401
            assert again.json()["ErrorCode"] == "15"
            assert "already received" in again.json()["ErrorDesc"]
            # a new request (a new timestamp, so a new signature) goes through either one
            time.sleep(0.002)
            assert listing(second, fresh_timestamp()).json()["status"] == "OK"


def test_the_process_cache_sees_only_its_own_requests(tmp_path: Path) -> None:
    """Why ``--workers`` switches to the store: two in-memory caches miss each other's."""
    with Store(tmp_path / "hub.db") as store:
        store.add_system(ME.system_id, ME.secret.encode())
        for first, second in two_apps(store, "process"):
            stamp = fresh_timestamp()
            assert listing(first, stamp).json()["status"] == "OK"
            assert listing(second, stamp).json()["status"] == "OK"
            assert listing(first, stamp).json()["ErrorCode"] == "15"


def test_remembered_requests_expire(tmp_path: Path) -> None:
    with Store(tmp_path / "hub.db") as store:
        assert store.remember_request("abc", ttl=0.05)
        assert not store.remember_request("abc", ttl=0.05)
        assert store.remember_request("def", ttl=60)
        time.sleep(0.1)
        assert store.remember_request("abc", ttl=60)  # expired: seen as new, and swept
        assert not store.remember_request("def", ttl=60)
    with sqlite3.connect(tmp_path / "hub.db") as conn:
        rows = dict(conn.execute("SELECT signature, expires FROM seen_requests").fetchall())
    conn.close()
    assert set(rows) == {"abc", "def"}
    assert min(rows.values()) > time.time() + 30


def test_remembered_requests_on_postgres(postgres_dsn: str, tmp_path: Path) -> None:
    schema = f"workers_{os.getpid()}_{time.monotonic_ns()}"
    with (
        Store(postgres_dsn, blob_dir=tmp_path / "blobs", schema=schema) as one,
        Store(postgres_dsn, blob_dir=tmp_path / "blobs", schema=schema) as two,
    ):
        assert one.remember_request("sig", ttl=60)
        assert not two.remember_request("sig", ttl=60)
        assert two.remember_request("other", ttl=0.01)
        time.sleep(0.05)
        assert one.remember_request("other", ttl=60)
        conn = one._connection()
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_bad_replay_cache_value() -> None:
    from vbdt_exchange.hub import HubConfigError

    with pytest.raises(HubConfigError, match="replay_cache must be"):
        HubConfig(replay_cache="disk")  # type: ignore[arg-type]


# -- vbdt hub serve --workers 2 ------------------------------------------------------------------


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_serve_with_two_workers(tmp_path: Path, http: str) -> None:
    db = tmp_path / "hub.db"
    env = {**os.environ, "A_SECRET": YOU.secret, "B_SECRET": ME.secret}
    for system, var in ((YOU, "A_SECRET"), (ME, "B_SECRET")):
        subprocess.run(
            [
                *(sys.executable, "-m", "vbdt_exchange", "hub", "add-system", "--db", str(db)),
                *("--system-id", system.system_id, "--secret-env", var),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "vbdt_exchange", "hub", "serve", "--db", str(db)),
            *("--port", "0", "--workers", "2", "--max-clock-skew", "300", "--refuse-replays"),
            *("--http", http),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    workers: list[int] = []
    try:
        assert proc.stderr is not None
        serving = proc.stderr.readline()
        assert "2 workers" in serving, serving
        found = re.search(r"(http://127\.0\.0\.1:\d+)", serving)
        assert found, serving
        url = found.group(1)
        # two spawned workers (and multiprocessing's resource tracker) serve; each has the store
        python = [p for p in children(proc.pid) if "spawn_main" in _cmdline(p)]
        assert len(python) == 2
        workers = python
        port = int(url.rsplit(":", 1)[1])
        # each worker accepts on a socket of its own, the two in one SO_REUSEPORT group: the
        # kernel spreads the connections over the workers
        listening = tcp_sockets(port, LISTEN)
        assert len(listening) == 2
        owned = [listening & socket_inodes(pid) for pid in workers]
        assert [len(one) for one in owned] == [1, 1], owned
        assert owned[0] != owned[1]
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                accepted = tcp_sockets(port, ESTABLISHED)
                spread = [len(accepted & socket_inodes(pid)) for pid in workers]
                if sum(spread) == 16:
                    break
                time.sleep(0.05)
            assert sum(spread) == 16, spread
            assert min(spread) > 0, spread  # by chance: 2 ** -15
        finally:
            for held_socket in held:
                held_socket.close()
        factory = PackageFactory()
        packages = [factory(from_=SENDER, to=[RECEIVER]) for _ in range(12)]
        sent = set()
        # a new connection per request: the kernel spreads them over both workers
        for package in packages:
            with httpx.Client() as client:
                answer = Caller(client, url).send(YOU, package, timestamp=fresh_timestamp())
                assert answer.json()["status"] == "OK", answer.text
                sent.add(answer.json()["DocId"])
        assert len(sent) == 12
        taken = 0
        for _ in range(3):  # list, fetch and acknowledge, each on a fresh connection
            with httpx.Client() as client:
                call = Caller(client, url)
                items = call(
                    ME,
                    "getReceivedEdocList",
                    {"servicetype": "eDoc", "messagetype": "edoc"},
                    timestamp=fresh_timestamp(),
                ).json()["data"]
            for item in items:
                with httpx.Client() as client:
                    call = Caller(client, url)
                    got = call(
                        ME,
                        "getEdoc",
                        {"docId": item["docId"]},
                        body=b"{}",
                        timestamp=fresh_timestamp(),
                    )
                    assert got.json()["status"] == "OK"
                    time.sleep(0.002)  # a new timestamp: a new signature
                    done = call(
                        ME,
                        "updateStatus",
                        {"docId": item["docId"], "status": "done"},
                        body=b"{}",
                        timestamp=fresh_timestamp(),
                    )
                    assert done.json()["status"] == "OK", done.text
                    taken += 1
        assert taken == 12  # every package once, whichever worker answered
        # the same signed request on ten new connections: one answer, nine refusals
        stamp = fresh_timestamp()
        codes = []
        for _ in range(10):
            with httpx.Client() as client:
                codes.append(listing(Caller(client, url), stamp).json()["ErrorCode"])
        assert codes.count("0") == 1, codes
        assert codes.count("15") == 9, codes
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert rest.rstrip().endswith("vbdt hub: stopped")
    assert workers
    assert not any(alive(pid) for pid in workers)


def test_a_worker_that_dies_is_replaced_on_its_own_socket(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    with Store(db) as store:
        store.add_system(ME.system_id, ME.secret.encode())
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "vbdt_exchange", "hub", "serve", "--db", str(db)),
            *("--port", "0", "--workers", "2"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        serving = proc.stderr.readline()
        found = re.search(r"(http://127\.0\.0\.1:(\d+))", serving)
        assert found, serving
        url, port = found.group(1), int(found.group(2))
        workers = [p for p in children(proc.pid) if "spawn_main" in _cmdline(p)]
        listening = tcp_sockets(port, LISTEN)
        slots = {pid: listening & socket_inodes(pid) for pid in workers}
        victim = workers[0]
        os.kill(victim, 9)
        deadline = time.monotonic() + 30
        replacement = None
        while replacement is None and time.monotonic() < deadline:
            time.sleep(0.1)
            now = [p for p in children(proc.pid) if "spawn_main" in _cmdline(p)]
            new = [p for p in now if p not in workers]
            if new and listening & socket_inodes(new[0]):
                replacement = new[0]
        assert replacement is not None, "no worker replaced the one killed"
        # the new worker took the dead one's socket, the other kept its own
        assert listening & socket_inodes(replacement) == slots[victim]
        assert listening & socket_inodes(workers[1]) == slots[workers[1]]
        for _ in range(6):  # and both serve (new connections land on both sockets)
            with httpx.Client() as client:
                answer = listing(Caller(client, url), fresh_timestamp())
                assert answer.json()["status"] == "OK", answer.text
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert "died; starting another" in rest


LISTEN, ESTABLISHED = "0A", "01"


def tcp_sockets(port: int, state: str) -> set[str]:
    """The inodes of the TCP sockets on local ``port`` in ``state`` (``/proc/net/tcp``)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                found.add(fields[9])
    return found


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` holds."""
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                found.add(target[8:-1])
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
