"""Pack files: small packages appended to one file per hub process, read back exactly, never a
row without its bytes, never one process writing another's pack."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
from pathlib import Path

import httpx
import pytest

from vbdt_exchange.hub import HubConfig, Store
from vbdt_exchange.hub.model import HubStoreError
from vbdt_exchange.hub.packs import PackWriter, Slice, check_pack_name
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

from .conftest import RECEIVER, SENDER, Caller, store_package, unpadded_hex


def packs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pack"))


def test_appends_go_one_after_another_and_read_back(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path)
    pieces = [os.urandom(n) for n in (0, 1, 4096, 300_000)]
    where = [writer.append(piece) for piece in pieces]
    assert [offset for _, offset in where] == [0, 0, 1, 4097]
    assert len({name for name, _ in where}) == 1
    writer.close()
    for (name, offset), piece in zip(where, pieces, strict=True):
        stored = Slice(tmp_path / check_pack_name(name), offset, len(piece))
        assert stored.read() == piece
        with stored.open() as f:
            assert f.read() == piece
            f.seek(1)
            assert f.read(3) == piece[1:4]
            assert f.read() == piece[4:]
            assert f.read() == b""  # never past the package into the next one
    (pack,) = packs(tmp_path)
    assert pack.stat().st_size == sum(map(len, pieces))
    assert pack.stat().st_mode & 0o777 == 0o600


def test_a_new_pack_past_the_limit(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path, limit=10_000)
    names = [writer.append(b"x" * 4_000)[0] for _ in range(5)]
    writer.close()
    # 4 000 + 4 000 fit, a third would pass 10 000: three packs of 2, 2 and 1 packages
    assert [names.count(n) for n in dict.fromkeys(names)] == [2, 2, 1]
    assert sorted(p.stat().st_size for p in packs(tmp_path)) == [4_000, 8_000, 8_000]
    writer = PackWriter(tmp_path, limit=10)
    name, offset = writer.append(b"y" * 50)  # larger than the limit on its own: one pack for it
    assert offset == 0
    writer.close()
    assert (tmp_path / name).read_bytes() == b"y" * 50


def test_undo_gives_the_place_to_the_next_package(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path)
    writer.append(b"kept")
    name, offset = writer.append(b"rolled back")
    writer.undo(name, offset, len(b"rolled back"))
    assert writer.append(b"next") == (name, 4)
    _, kept_offset = writer.append(b"tail")
    writer.undo(name, offset, 4)  # not the last append any more: nothing changes
    assert writer.append(b"!") == (name, kept_offset + 4)
    writer.close()
    assert (tmp_path / name).read_bytes() == b"keptnexttail!"


def test_close_cuts_off_what_no_package_took(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path)
    writer.append(b"kept")
    name, offset = writer.append(b"orphan")
    writer.undo(name, offset, 6)
    writer.close()
    assert (tmp_path / name).read_bytes() == b"kept"


def _append_in_child(writer: PackWriter, out: multiprocessing.connection.Connection) -> None:
    out.send(writer.append(b"child"))
    writer.close()
    out.close()


def test_a_forked_process_writes_its_own_pack(tmp_path: Path) -> None:
    """``vbdt hub serve --workers N`` forks: each worker appends to a pack of its own."""
    writer = PackWriter(tmp_path)
    parent_name, _ = writer.append(b"parent")
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_append_in_child, args=(writer, send))
    child.start()
    child_name, child_offset = receive.recv()
    child.join(30)
    assert child.exitcode == 0
    assert writer.append(b"+") == (parent_name, 6)  # the parent's pack is untouched
    writer.close()
    assert child_name != parent_name
    assert child_offset == 0
    assert (tmp_path / parent_name).read_bytes() == b"parent+"
    assert (tmp_path / child_name).read_bytes() == b"child"


@pytest.mark.parametrize(
    "name",
    ["../hub.db", "/etc/passwd", "20261208-020000-1-0123abcd.pack/..", "x.pack", ""],
)
def test_only_pack_names_are_joined_to_the_folder(name: str) -> None:
    with pytest.raises(HubStoreError, match="not a pack"):
        check_pack_name(name)


def test_a_pack_cut_short_is_an_error_not_a_short_package(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path)
    name, offset = writer.append(b"0123456789")
    writer.close()
    os.truncate(tmp_path / name, 6)
    stored = Slice(tmp_path / name, offset, 10)
    with pytest.raises(OSError, match="ends after 6 of its 10 bytes"):
        stored.read()
    with stored.open() as f, pytest.raises(OSError, match="ends after 6 of its 10 bytes"):
        f.read()


def test_a_store_row_naming_something_else_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    package = b"<edXML/>"
    with Store(db) as store:
        store.add_system(SENDER, b"s")
        store.add_system(RECEIVER, b"r")
        message = store_package(store, package)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE messages SET pack = '../hub.db'")
    conn.close()
    with Store(db) as store, pytest.raises(HubStoreError, match="not a pack"):
        store.open_package(store.message(message.doc_id))


def test_a_failed_transaction_leaves_no_row_and_its_bytes_are_reused(tmp_path: Path) -> None:
    with Store(tmp_path / "hub.db") as store:
        store.add_system(SENDER, b"s")
        store.add_system(RECEIVER, b"r")

        real_route = store.route

        def failing_route(organ: str) -> str | None:
            if organ == "boom":
                raise sqlite3.OperationalError("disk I/O error")
            return real_route(organ)

        store.route = failing_route  # type: ignore[method-assign]
        with pytest.raises(sqlite3.OperationalError):
            store_package(store, b"<edXML>lost</edXML>", to=[RECEIVER, "boom"])
        assert store.counts()["messages"] == 0
        message = store_package(store, b"<edXML>kept</edXML>")
        assert message.pack_offset == 0  # where the rolled-back bytes were
        with store.open_package(message) as f:
            assert f.read() == b"<edXML>kept</edXML>"


def test_the_hub_serves_packed_packages_across_restarts(tmp_path: Path) -> None:
    """``reading="header"``: small packages go into packs; a restarted hub starts a new pack
    and still serves the old ones; every package comes back byte for byte."""
    systems = [AxisSystem(SENDER, "s"), AxisSystem(RECEIVER, "r")]
    factory = PackageFactory()
    sent: dict[str, bytes] = {}
    for round_ in range(2):
        with (
            LocalAxis(systems, db=tmp_path / "hub.db", config=HubConfig(reading="header")) as axis,
            httpx.Client(timeout=60) as client,
        ):
            call = Caller(client, axis.url)
            for n in range(3):
                package = factory(
                    to=[RECEIVER], attachments={"a.pdf": os.urandom(1000 * (n + 1) + round_)}
                )
                answer = call(
                    axis.system(SENDER),
                    "sendEdoc",
                    {
                        "servicetype": "eDoc",
                        "messagetype": "edoc",
                        "from": SENDER,
                        "hash-file": unpadded_hex(package),
                    },
                    body=package + b"\r\n",
                    content_type="application/octet-stream",
                ).json()
                assert answer["status"] == "OK", answer
                sent[hashlib.sha256(package).hexdigest()] = package
            got = {}
            for item in call.inbox(axis.system(RECEIVER)):
                raw = call(
                    axis.system(RECEIVER), "downloadEdoc", {"docId": item["docId"]}, body=b"{}"
                )
                got[item["contentSha256"]] = raw.content
            assert got == sent
            assert axis.store is not None
            blob_dir = axis.store.blob_dir
    assert len(packs(blob_dir / "packs")) == 2  # one per hub process
    assert not [p for p in blob_dir.rglob("*") if p.is_file() and p.parent.name != "packs"]


def test_a_failed_commit_keeps_the_bytes(tmp_path: Path) -> None:
    """A COMMIT that raises may still have committed (a connection lost on the way): the
    bytes it names are never given to the next package."""
    with Store(tmp_path / "hub.db") as store:
        store.add_system(SENDER, b"s")
        store.add_system(RECEIVER, b"r")
        real_connection = store._connection

        class CommitFails:
            def __init__(self, conn: sqlite3.Connection) -> None:
                self.conn = conn

            def execute(self, sql: str, *args: object) -> object:
                result = self.conn.execute(sql, *args)
                if sql == "COMMIT":  # committed, then the answer is lost
                    raise sqlite3.OperationalError("connection lost")
                return result

        store._connection = lambda: CommitFails(real_connection())  # type: ignore[method-assign]
        with pytest.raises(sqlite3.OperationalError, match="connection lost"):
            store_package(store, b"<edXML>committed</edXML>")
        store._connection = real_connection  # type: ignore[method-assign]
        (first,) = store.sent(SENDER)
        second = store_package(store, b"<edXML>next</edXML>")
        assert second.pack_offset != first.message.pack_offset
        with store.open_package(first.message) as f:
            assert f.read() == b"<edXML>committed</edXML>"
