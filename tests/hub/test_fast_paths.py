"""The hub's fast paths keep their checks: header reading refuses a package cut short, one-query
credentials see registrations made while serving, large answers stream in pieces, the schema
upgrades from version 1 on."""

from __future__ import annotations

import base64
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vbdt_exchange.hub import SCHEMA_VERSION, HubConfig, Store
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

from .conftest import OTHER, RECEIVER, SENDER, Caller, store_package, unpadded_hex


@pytest.fixture
def header_axis() -> Iterator[tuple[LocalAxis, Caller]]:
    systems = [AxisSystem(SENDER, "s"), AxisSystem(RECEIVER, "r"), AxisSystem(OTHER, "o")]
    with (
        LocalAxis(systems, config=HubConfig(reading="header")) as axis,
        httpx.Client(timeout=60) as client,
    ):
        yield axis, Caller(client, axis.url)


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda p: p[: len(p) // 2], id="in-the-attachment"),
        pytest.param(lambda p: p[: p.index(b"</edXMLHeader>") + 14], id="after-the-header"),
        pytest.param(lambda p: p[:-3], id="in-the-end-tag"),
        pytest.param(lambda p: p + b"<edXML>", id="more-after-the-end"),
        pytest.param(lambda p: p + b"<!-- not closed", id="open-comment-after-the-end"),
    ],
)
def test_header_reading_refuses_a_package_cut_short(
    header_axis: tuple[LocalAxis, Caller], cut: object
) -> None:
    axis, call = header_axis
    package = PackageFactory()(to=[RECEIVER], attachments={"a.pdf": os.urandom(30_000)})
    assert package.rstrip().endswith(b"edXML>")
    body = cut(package)  # type: ignore[operator]
    answer = call.send(axis.system(SENDER), body).json()
    assert (answer["status"], answer["ErrorCode"]) == ("FAIL", "10"), answer
    assert axis.store is not None
    assert axis.store.counts()["messages"] == 0
    # the whole package, with what XML allows after the root, goes through
    answer = call.send(axis.system(SENDER), package + b"\n <!-- x -->\n<?pi y?> \n").json()
    assert answer["status"] == "OK", answer


def test_large_package_through_the_threaded_and_chunked_paths(
    header_axis: tuple[LocalAxis, Caller],
) -> None:
    """Larger than what is accepted on the event loop (4 MiB) and than one base64 piece of
    ``getEdoc`` (768 KiB): the pieces must join into exactly the package."""
    axis, call = header_axis
    package = PackageFactory()(to=[RECEIVER], attachments={"big.pdf": os.urandom(5 * 1024 * 1024)})
    assert len(package) > 6 * 1024 * 1024
    answer = call.send(axis.system(SENDER), package).json()
    assert answer["status"] == "OK", answer
    (item,) = call.inbox(axis.system(RECEIVER))
    response = call.fetch(axis.system(RECEIVER), item["docId"])
    assert int(response.headers["content-length"]) == len(response.content)
    assert base64.b64decode(response.json()["data"], validate=True) == package
    raw = call(axis.system(RECEIVER), "downloadEdoc", {"docId": item["docId"]}, body=b"{}")
    assert raw.content == package


def test_credentials_in_one_query(tmp_path: Path) -> None:
    with Store(tmp_path / "hub.db") as store:
        store.add_system(SENDER, b"s3cret", organ_ids=["000.02.00.H29", "000.01.00.H29"])
        store.add_system(RECEIVER, b"other")
        store.add_organ(RECEIVER, "odd\nid;with,separators")
        assert store.credentials(SENDER) == (b"s3cret", store.system(SENDER))
        assert store.credentials(SENDER)[1].organ_ids == ("000.01.00.H29", "000.02.00.H29")
        assert store.credentials(RECEIVER) == (b"other", store.system(RECEIVER))
        assert store.credentials(RECEIVER)[1].organ_ids == ("odd\nid;with,separators",)
        assert store.credentials(OTHER) is None


def test_an_organ_registered_while_serving_may_send_at_once(
    header_axis: tuple[LocalAxis, Caller],
) -> None:
    axis, call = header_axis
    factory = PackageFactory()
    package = factory(from_="000.05.00.H29", to=[RECEIVER])
    assert call.send(axis.system(SENDER), package).json()["ErrorCode"] == "13"
    assert axis.store is not None
    axis.store.add_organ(SENDER, "000.05.00.H29")
    assert call.send(axis.system(SENDER), package).json()["status"] == "OK"
    axis.store.remove_system(OTHER)
    answer = call(axis.system(OTHER), "getReceivedEdocList", {"servicetype": "eDoc"}).json()
    assert answer["ErrorCode"] == "19"


def test_upgrade_from_schema_version_1(tmp_path: Path) -> None:
    """Version 2 adds the sequence index, 3 the replay table, 4 the pack columns; a package
    stored as a file before the upgrade is still read after it."""
    db = tmp_path / "hub.db"
    old, fresh = b"<edXML>old</edXML>", b"<edXML>new</edXML>"
    with Store(db) as store:
        store.add_system(SENDER, b"s")
        store.add_system(RECEIVER, b"r")
        out, spooled = store.incoming_file()
        with out:
            out.write(old)
        old_id = store_package(store, old, spooled).doc_id
    with sqlite3.connect(db) as conn:  # as version 1 left it
        conn.execute("DROP INDEX deliveries_seq")
        conn.execute("DROP TABLE seen_requests")
        conn.execute("ALTER TABLE messages DROP COLUMN pack")
        conn.execute("ALTER TABLE messages DROP COLUMN pack_offset")
        conn.execute("PRAGMA user_version=1")
    conn.close()
    with Store(db) as store:
        assert store.system(SENDER).system_id == SENDER
        assert store.remember_request("signature", ttl=60)  # version 3's table
        assert not store.remember_request("signature", ttl=60)
        before = store.message(old_id)
        assert before.pack is None
        with store.open_package(before) as f:
            assert f.read() == old
        after = store.message(
            store_package(store, fresh).doc_id
        )  # in memory: into a pack (version 4)
        assert after.pack is not None
        assert after.pack_offset == 0
        with store.open_package(after) as f:
            assert f.read() == fresh
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        plan = conn.execute("EXPLAIN QUERY PLAN SELECT max(seq) FROM deliveries").fetchall()
    conn.close()
    assert "deliveries_seq" in " ".join(str(row) for row in plan)


@pytest.mark.parametrize("reading", ["header", "full"])
@pytest.mark.parametrize(
    ("hash_of", "stored"),
    [
        pytest.param("package", "package", id="hash-file-of-the-package"),
        pytest.param("body", "body", id="hash-file-of-the-body-with-crlf"),
        pytest.param(None, "package", id="no-hash-file"),
        pytest.param("other", None, id="wrong-hash-file"),
    ],
)
def test_the_bytes_kept_in_memory_and_in_a_spool_file_are_the_same(
    reading: str, hash_of: str | None, stored: str | None
) -> None:
    """``reading="header"`` keeps a body up to 4 MiB in memory, ``"full"`` spools it: the
    same ``hash-file`` rules decide what is stored (the SDK appends CRLF to the package), and
    a refusal leaves nothing behind, not even a spool file."""
    systems = [AxisSystem(SENDER, "s"), AxisSystem(RECEIVER, "r")]
    package = PackageFactory()(to=[RECEIVER], attachments={"a.pdf": os.urandom(50_000)})
    body = package + b"\r\n"
    digest = {"package": package, "body": body, "other": b"other"}
    with (
        LocalAxis(systems, config=HubConfig(reading=reading)) as axis,  # type: ignore[arg-type]
        httpx.Client(timeout=60) as client,
    ):
        call = Caller(client, axis.url)
        params = {"servicetype": "eDoc", "messagetype": "edoc", "from": SENDER}
        if hash_of is not None:
            params["hash-file"] = unpadded_hex(digest[hash_of])
        answer = call(
            axis.system(SENDER),
            "sendEdoc",
            params,
            body=body,
            content_type="application/octet-stream",
        ).json()
        assert axis.store is not None
        assert not list((axis.store.blob_dir / "incoming").iterdir())
        if stored is None:
            assert (answer["status"], answer["ErrorCode"]) == ("FAIL", "11"), answer
            assert axis.store.counts()["messages"] == 0
            assert not [p for p in axis.store.blob_dir.rglob("*") if p.is_file()]
            return
        assert answer["status"] == "OK", answer
        expected = package if stored == "package" else body
        (item,) = call.inbox(axis.system(RECEIVER))
        raw = call(axis.system(RECEIVER), "downloadEdoc", {"docId": item["docId"]}, body=b"{}")
        assert raw.content == expected
        files = [p for p in axis.store.blob_dir.rglob("*") if p.is_file()]
        assert [p.read_bytes() for p in files] == [expected]
