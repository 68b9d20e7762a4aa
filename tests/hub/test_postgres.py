"""The local axis on PostgreSQL: the same exchange behaviours as on SQLite, several hubs on one
database delivering once, schema versioning in ``hub_meta``, clear errors.

Each test gets its own schema (dropped afterwards) in the database of ``postgres_dsn``.
"""

from __future__ import annotations

import base64
import concurrent.futures
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from vbdt_exchange.cli._main import load_commands
from vbdt_exchange.hub import HubApp, HubStoreError, Store
from vbdt_exchange.hub.store import SCHEMA_VERSION, redact
from vbdt_exchange.hub.transport import SyncASGITransport
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

from .conftest import OTHER, RECEIVER, SENDER, Caller

psycopg = pytest.importorskip("psycopg")

SYSTEMS = [
    AxisSystem(SENDER, "s3cret"),
    AxisSystem(RECEIVER, "r3ceiver", ("000.01.00.G22",)),
    AxisSystem(OTHER, "0ther"),
]


@pytest.fixture
def schema(postgres_dsn: str) -> Iterator[str]:
    """A fresh schema name; the schema is dropped after the test."""
    name = f"vbdt_hub_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def pg_axis(postgres_dsn: str, schema: str, tmp_path: Path) -> Iterator[LocalAxis]:
    with LocalAxis(
        SYSTEMS, db=postgres_dsn, blob_dir=tmp_path / "blobs", schema=schema, serve=False
    ) as axis:
        yield axis


@pytest.fixture
def call(pg_axis: LocalAxis) -> Iterator[Caller]:
    with httpx.Client(transport=pg_axis.transport(), base_url="http://axis") as client:
        yield Caller(client, "http://axis")


def receive_all(call: Caller, system: AxisSystem) -> list[bytes]:
    """List, fetch, ack done; the packages received."""
    got = []
    for item in call.inbox(system):
        answer = call.fetch(system, item["docId"]).json()
        assert answer["status"] == "OK", answer
        got.append(base64.b64decode(answer["data"]))
        assert call.ack(system, item["docId"]).json()["status"] == "OK"
    return got


def test_two_receivers_each_get_it_exactly_once(call: Caller, pg_axis: LocalAxis) -> None:
    package = PackageFactory()(to=[RECEIVER, OTHER])
    doc_id = call.send(pg_axis.system(SENDER), package).json()["DocId"]
    assert receive_all(call, pg_axis.system(RECEIVER)) == [package]
    assert receive_all(call, pg_axis.system(OTHER)) == [package]
    assert receive_all(call, pg_axis.system(RECEIVER)) == []
    assert receive_all(call, pg_axis.system(OTHER)) == []
    assert receive_all(call, pg_axis.system(SENDER)) == []
    rows = call(pg_axis.system(SENDER), "getSentEdocList", {"docId": doc_id}).json()["data"]
    assert sorted((r["toCode"], r["sendStatus"], r["receiveStatus"]) for r in rows) == [
        (OTHER, "done", "done"),
        (RECEIVER, "done", "done"),
    ]
    assert all(r["senderDocId"] == doc_id and r["receivedTime"] for r in rows)
    # organ ids route to their system; the agencies list comes from PostgreSQL too
    organ = PackageFactory()(to=["000.01.00.G22"])
    call.send(pg_axis.system(SENDER), organ)
    assert receive_all(call, pg_axis.system(RECEIVER)) == [organ]
    agencies = call(pg_axis.system(SENDER), "getAgenciesList").json()["data"]
    assert sorted(a["code"] for a in agencies) == sorted([SENDER, RECEIVER, OTHER, "000.01.00.G22"])


def test_a_repeated_send_is_not_delivered_twice(call: Caller, pg_axis: LocalAxis) -> None:
    sender = pg_axis.system(SENDER)
    package = PackageFactory()(to=[RECEIVER, OTHER])
    first = call.send(sender, package).json()
    again = call.send(sender, package).json()
    assert first["DocId"] == again["DocId"]
    assert "da nhan truoc do" in again["ErrorDesc"]
    assert receive_all(call, pg_axis.system(RECEIVER)) == [package]
    assert call.send(sender, package).json()["DocId"] == first["DocId"]
    assert call.inbox(pg_axis.system(RECEIVER)) == []
    assert call.inbox(pg_axis.system(OTHER)) != []
    assert pg_axis.store is not None
    assert pg_axis.store.counts() == {"systems": 3, "messages": 1, "deliveries": 2}


def test_restart_loses_nothing(postgres_dsn: str, schema: str, tmp_path: Path) -> None:
    factory = PackageFactory()
    first, second = factory(to=[RECEIVER]), factory(to=[RECEIVER])
    blobs = tmp_path / "blobs"
    axis = LocalAxis(SYSTEMS, db=postgres_dsn, blob_dir=blobs, schema=schema, serve=False)
    with axis, httpx.Client(transport=axis.start().transport(), base_url="http://axis") as client:
        call = Caller(client, "http://axis")
        call.send(axis.system(SENDER), first)
        call.send(axis.system(SENDER), second)
        items = call.inbox(axis.system(RECEIVER))
        assert call.ack(axis.system(RECEIVER), items[0]["docId"]).json()["status"] == "OK"
    # a new store and application on the same DSN and blob folder
    with (
        Store(postgres_dsn, blob_dir=blobs, schema=schema) as store,
        SyncASGITransport(HubApp(store)) as transport,
        httpx.Client(transport=transport, base_url="http://axis") as client,
    ):
        call = Caller(client, "http://axis")
        left = call.inbox(SYSTEMS[1])
        assert [i["docId"] for i in left] == [items[1]["docId"]]
        data = call.fetch(SYSTEMS[1], left[0]["docId"]).json()["data"]
        assert base64.b64decode(data) == second
        answer = call.send(SYSTEMS[0], first).json()
        assert answer["ErrorDesc"].startswith("Thanh cong (da nhan truoc do")
        assert store.counts() == {"systems": 3, "messages": 2, "deliveries": 2}


def test_two_hubs_on_one_database_deliver_once(
    postgres_dsn: str, schema: str, tmp_path: Path
) -> None:
    blobs = tmp_path / "blobs"
    package = PackageFactory()(to=[RECEIVER, OTHER])
    with (
        Store(postgres_dsn, blob_dir=blobs, schema=schema) as one,
        Store(postgres_dsn, blob_dir=blobs, schema=schema) as two,
    ):
        for system in SYSTEMS:
            one.add_system(system.system_id, system.secret_bytes, organ_ids=system.organ_ids)
        # one client per hub (closing a client closes its transport)
        with (
            httpx.Client(transport=SyncASGITransport(HubApp(one)), base_url="http://a") as c1,
            httpx.Client(transport=SyncASGITransport(HubApp(two)), base_url="http://a") as c2,
        ):
            callers = (Caller(c1, "http://a"), Caller(c2, "http://a"))

            def send(i: int) -> str:
                answer = callers[i % 2].send(SYSTEMS[0], package).json()
                assert answer["status"] == "OK", answer
                return str(answer["DocId"])

            with concurrent.futures.ThreadPoolExecutor(6) as pool:
                ids = set(pool.map(send, range(12)))
            assert len(ids) == 1
            assert receive_all(callers[1], SYSTEMS[1]) == [package]
            assert receive_all(callers[1], SYSTEMS[2]) == [package]
            assert callers[0].inbox(SYSTEMS[1]) == []
            assert callers[0].inbox(SYSTEMS[2]) == []
        assert one.counts() == {"systems": 3, "messages": 1, "deliveries": 2}
        assert not list((blobs / "incoming").iterdir())


def test_schema_is_versioned(postgres_dsn: str, schema: str, tmp_path: Path) -> None:
    blobs = tmp_path / "blobs"
    with Store(postgres_dsn, blob_dir=blobs, schema=schema) as store:
        assert store.postgres
        assert store.path is None
        assert store.location.endswith(f"(schema {schema})")
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        rows = dict(conn.execute(f'SELECT key, value FROM "{schema}".hub_meta').fetchall())
        assert rows["schema_version"] == str(SCHEMA_VERSION)
        conn.execute(
            f"UPDATE \"{schema}\".hub_meta SET value = '{SCHEMA_VERSION + 1}' "
            "WHERE key = 'schema_version'"
        )
    with pytest.raises(HubStoreError, match="upgrade vbdt_exchange"):
        Store(postgres_dsn, blob_dir=blobs, schema=schema)


def test_other_tables_are_refused(postgres_dsn: str, schema: str, tmp_path: Path) -> None:
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".messages (id integer)')
    with pytest.raises(HubStoreError, match=r"not a hub database.*messages"):
        Store(postgres_dsn, blob_dir=tmp_path / "b", schema=schema)


def test_bad_arguments_and_unreachable_servers(tmp_path: Path) -> None:
    with pytest.raises(HubStoreError, match="needs blob_dir"):
        Store("postgresql://u@127.0.0.1/db")
    with pytest.raises(HubStoreError, match="PostgreSQL store only"):
        Store(tmp_path / "hub.db", schema="x")
    # port 1 on loopback: refused at once; the password never appears in the message
    with pytest.raises(HubStoreError, match="cannot open the hub store") as caught:
        Store("postgresql://u:topsecret@127.0.0.1:1/db", blob_dir=tmp_path / "b")
    assert "topsecret" not in str(caught.value)
    assert redact("postgresql://u:pw@h:5/d") == "postgresql://u:***@h:5/d"
    assert redact("postgresql://h/d") == "postgresql://h/d"


def test_cli_on_postgres(postgres_dsn: str, schema: str, tmp_path: Path) -> None:
    cli = load_commands()
    runner = CliRunner()
    base = ["hub", "add-system", "--db", postgres_dsn, "--schema", schema]
    env = {"SECRET_A": "aaa"}
    result = runner.invoke(cli, [*base, "--system-id", SENDER, "--secret-env", "SECRET_A"], env=env)
    assert result.exit_code == 2
    assert "needs --blob-dir" in result.output
    blob = ["--blob-dir", str(tmp_path / "blobs")]
    result = runner.invoke(
        cli,
        [*base, *blob, "--system-id", SENDER, "--secret-env", "SECRET_A", "--organ-id", "X.1"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"registered {SENDER} (also X.1)\n"
    listing = ["hub", "list-systems", "--db", postgres_dsn, "--schema", schema, *blob]
    result = runner.invoke(cli, listing)
    assert result.output == f"{SENDER} (also X.1)\n"
    with Store(postgres_dsn, blob_dir=tmp_path / "blobs", schema=schema) as store:
        assert store.credentials(SENDER) == (b"aaa", store.system(SENDER))
    result = runner.invoke(
        cli,
        [
            "hub",
            "remove-system",
            "--db",
            postgres_dsn,
            "--schema",
            schema,
            *blob,
            "--system-id",
            "nobody",
        ],
    )
    assert result.exit_code == 1
    assert "no system nobody" in result.output
    assert "vbdt:vbdt@" not in result.output  # the password is not echoed
    result = runner.invoke(
        cli, ["hub", "list-systems", "--db", str(tmp_path / "h.db"), "--schema", schema]
    )
    assert result.exit_code == 2
    assert "PostgreSQL --db only" in result.output


def test_cli_serve_on_postgres(postgres_dsn: str, schema: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    blobs = tmp_path / "blobs"
    with Store(postgres_dsn, blob_dir=blobs, schema=schema) as store:
        for system in SYSTEMS:
            store.add_system(system.system_id, system.secret_bytes, organ_ids=system.organ_ids)
    env = {
        **os.environ,
        "VBDT_HUB_DB": postgres_dsn,
        "VBDT_HUB_BLOB_DIR": str(blobs),
        "VBDT_HUB_SCHEMA": schema,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "vbdt_exchange", "hub", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "serving postgresql://" in line, line
        assert f"(schema {schema})" in line
        assert redact(postgres_dsn) in line
        password = urlsplit(postgres_dsn).password
        assert not password or f":{password}@" not in line
        url = line.split(" on http", 1)[1].split(" ", 1)[0]
        package = PackageFactory()(to=[RECEIVER])
        with httpx.Client(timeout=30) as client:
            call = Caller(client, "http" + url)
            assert call.send(SYSTEMS[0], package).json()["status"] == "OK"
            assert receive_all(call, SYSTEMS[1]) == [package]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_a_lost_connection_is_replaced(postgres_dsn: str, schema: str, tmp_path: Path) -> None:
    with Store(postgres_dsn, blob_dir=tmp_path / "blobs", schema=schema) as store:
        store.add_system(SENDER, b"s")
        pid = store._connection().raw.info.backend_pid
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg.OperationalError):  # the call that finds it gone
            store.counts()
        assert store.counts()["systems"] == 1  # the next one connects again
        assert store._connection().raw.info.backend_pid != pid
