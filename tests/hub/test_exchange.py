"""Routing, delivery exactly once, idempotent sends, delivery status, restarts."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from vbdt_exchange.hub import DeliveryState
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

from .conftest import OTHER, RECEIVER, SENDER, Caller, unpadded_hex


def receive_all(call: Caller, system: AxisSystem, message_type: str = "edoc") -> list[bytes]:
    """The receiver's loop: list, fetch, ack done; the packages received."""
    got = []
    for item in call.inbox(system, message_type):
        answer = call.fetch(system, item["docId"]).json()
        assert answer["status"] == "OK", answer
        got.append(base64.b64decode(answer["data"]))
        assert call.ack(system, item["docId"]).json()["status"] == "OK"
    return got


def test_two_receivers_each_get_it_exactly_once(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    package = packages(to=[RECEIVER, OTHER])
    doc_id = call.send(axis.system(SENDER), package).json()["DocId"]
    assert receive_all(call, axis.system(RECEIVER)) == [package]
    assert receive_all(call, axis.system(OTHER)) == [package]
    assert receive_all(call, axis.system(RECEIVER)) == []
    assert receive_all(call, axis.system(OTHER)) == []
    assert receive_all(call, axis.system(SENDER)) == []  # the sender is not a receiver
    rows = call(axis.system(SENDER), "getSentEdocList", {"docId": doc_id}).json()["data"]
    assert sorted((r["toCode"], r["sendStatus"], r["receiveStatus"]) for r in rows) == [
        (OTHER, "done", "done"),
        (RECEIVER, "done", "done"),
    ]
    assert all(r["senderDocId"] == doc_id and r["receivedTime"] for r in rows)
    assert len({r["receiverDocId"] for r in rows}) == 2


def test_a_repeated_send_is_not_delivered_twice(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    sender = axis.system(SENDER)
    package = packages(to=[RECEIVER, OTHER])
    first = call.send(sender, package).json()
    # the same bytes again: after a lost answer, without the CRLF, as multipart
    again = call.send(sender, package).json()
    no_crlf = call(
        sender,
        "sendEdoc",
        {"messagetype": "edoc", "from": SENDER, "hash-file": unpadded_hex(package)},
        body=package,
        content_type="application/octet-stream",
    ).json()
    assert first["DocId"] == again["DocId"] == no_crlf["DocId"]
    assert "da nhan truoc do" in again["ErrorDesc"]
    assert receive_all(call, axis.system(RECEIVER)) == [package]
    assert receive_all(call, axis.system(OTHER)) == [package]
    # even after delivery: still the same message, nothing new in the inboxes
    assert call.send(sender, package).json()["DocId"] == first["DocId"]
    assert call.inbox(axis.system(RECEIVER)) == []
    assert axis.store is not None
    assert axis.store.counts() == {"systems": 3, "messages": 1, "deliveries": 2}


def test_a_different_package_is_a_new_message(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    sender = axis.system(SENDER)
    ids = {call.send(sender, packages()).json()["DocId"] for _ in range(3)}
    assert len(ids) == 3
    assert len(call.inbox(axis.system(RECEIVER))) == 3


def test_organ_ids_route_to_their_system(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    package = packages(to=["000.01.00.G22"])
    assert call.send(axis.system(SENDER), package).json()["status"] == "OK"
    (item,) = call.inbox(axis.system(RECEIVER))
    assert item["to"] == "000.01.00.G22"
    # and the system may send with its organ id as From
    reply = packages(from_="000.01.00.G22", to=[SENDER])
    assert call.send(axis.system(RECEIVER), reply).json()["status"] == "OK"
    assert receive_all(call, axis.system(SENDER)) == [reply]


def test_an_unknown_receiver_among_known_ones(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    answer = call.send(axis.system(SENDER), packages(to=[RECEIVER, "000.00.00.Z01"])).json()
    assert answer["status"] == "OK"
    assert "000.00.00.Z01" in answer["ErrorDesc"]
    rows = call(axis.system(SENDER), "getSentEdocList", {}).json()["data"]
    assert sorted((r["toCode"], r["sendStatus"]) for r in rows) == [
        (RECEIVER, "done"),
        ("000.00.00.Z01", "fail"),
    ]
    assert len(call.inbox(axis.system(RECEIVER))) == 1


def test_status_packages_go_back_to_the_sender(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    package = packages(to=[RECEIVER, OTHER])
    call.send(axis.system(SENDER), package)
    receive_all(call, axis.system(RECEIVER))
    for code in ("01", "03"):
        status = packages.status(package, code, from_=RECEIVER)
        answer = call.send(axis.system(RECEIVER), status, message_type="status").json()
        assert answer["status"] == "OK", answer
    assert call.inbox(axis.system(SENDER), "edoc") == []
    items = call.inbox(axis.system(SENDER), "status")
    assert [(i["from"], i["to"], i["messageType"]) for i in items] == [
        (RECEIVER, SENDER, "status")
    ] * 2
    assert call.inbox(axis.system(OTHER), "status") == []
    # 13 (take back) goes from the sender to the receiver named in ResponseFor
    take_back = packages.status(package, "13", to=OTHER)
    assert call.send(axis.system(SENDER), take_back, message_type="status").json()["status"] == "OK"
    assert receive_all(call, axis.system(OTHER), "status") == [take_back]
    assert call.inbox(axis.system(RECEIVER), "status") == []


def test_list_without_messagetype_gives_both_queues(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    package = packages(from_=SENDER, to=[RECEIVER])
    call.send(axis.system(SENDER), package)
    reply = packages(from_=RECEIVER, to=[SENDER])
    call.send(axis.system(RECEIVER), reply)
    status = packages.status(reply, "01", from_=SENDER)
    call.send(axis.system(SENDER), status, message_type="status")
    answer = call(axis.system(SENDER), "getReceivedEdocList", {}).json()
    assert sorted(i["messageType"] for i in answer["data"]) == ["edoc"]
    answer = call(axis.system(RECEIVER), "getReceivedEdocList", {}).json()
    assert sorted(i["messageType"] for i in answer["data"]) == ["edoc", "status"]
    counted = call(axis.system(RECEIVER), "countReceiveStatus", {}).json()
    assert counted["count"] == 1
    assert call(axis.system(RECEIVER), "countReceiveEdoc", {}).json()["count"] == 1


def test_delivery_status_rules(call: Caller, axis: LocalAxis, packages: PackageFactory) -> None:
    call.send(axis.system(SENDER), packages())
    receiver = axis.system(RECEIVER)
    (item,) = call.inbox(receiver)
    doc_id = item["docId"]
    # only the receiver may see or change it
    for stranger in (axis.system(SENDER), axis.system(OTHER)):
        assert call.fetch(stranger, doc_id).json()["ErrorCode"] == "30"
        assert call.ack(stranger, doc_id).json()["ErrorCode"] == "30"
    assert call.ack(receiver, doc_id, "PROCESSING").json()["status"] == "OK"
    (item,) = call.inbox(receiver)  # processing stays listed
    assert item["status"] == "processing"
    assert call.ack(receiver, doc_id, "fail").json()["status"] == "OK"
    assert call.inbox(receiver) == []  # fail is not offered again ...
    assert call.fetch(receiver, doc_id).json()["status"] == "OK"  # ... but can be fetched
    assert call.ack(receiver, doc_id, "initial").json()["status"] == "OK"  # and reopened
    assert [i["docId"] for i in call.inbox(receiver)] == [doc_id]
    assert call.ack(receiver, doc_id, "done").json()["status"] == "OK"
    assert call.ack(receiver, doc_id, "done").json()["status"] == "OK"  # idempotent
    answer = call.ack(receiver, doc_id, "fail")
    assert (answer.status_code, answer.json()["ErrorCode"]) == (409, "32")
    assert axis.store is not None
    delivery = axis.store.delivery(doc_id)
    assert delivery is not None
    assert delivery.state is DeliveryState.DONE


def test_download_edoc_streams_raw(call: Caller, axis: LocalAxis, packages: PackageFactory) -> None:
    package = packages(attachments={"a.pdf": os.urandom(100_000)})
    call.send(axis.system(SENDER), package)
    (item,) = call.inbox(axis.system(RECEIVER))
    response = call(axis.system(RECEIVER), "downloadEdoc", {"docId": item["docId"]})
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == package
    response = call(axis.system(OTHER), "downloadEdoc", {"docId": item["docId"]})
    assert response.json()["ErrorCode"] == "30"


def test_multipart_upload_and_padded_hash(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    sender = axis.system(SENDER)
    package = packages()
    boundary = "----vbdt-boundary-" + "x" * 20
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file_doc"; '
            f'filename="p.edxml"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + package
        + f"\r\n--{boundary}--\r\n".encode()
    )
    padded = hashlib.sha256(package).hexdigest()
    answer = call(
        sender,
        "sendEdoc",
        {"messagetype": "edoc", "from": SENDER, "hash-file": padded},
        body=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    ).json()
    assert answer["status"] == "OK", answer
    assert receive_all(call, axis.system(RECEIVER)) == [package]
    # the same package sent raw afterwards is recognised as the same message
    assert call.send(sender, package).json()["DocId"] == answer["DocId"]
    # a multipart body without file_doc
    body = f'--{boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--{boundary}--'
    answer = call(
        sender,
        "sendEdoc",
        {"messagetype": "edoc"},
        body=body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    ).json()
    assert (answer["ErrorCode"], "file_doc" in answer["ErrorDesc"]) == ("10", True)


def test_agencies(call: Caller, axis: LocalAxis, packages: PackageFactory) -> None:
    receiver = axis.system(RECEIVER)
    answer = call(
        receiver,
        "registerAgency",
        body=b'{"code": "000.02.00.G22", "name": "Ph\xc3\xb2ng 2", "mail": "p2@x.vn"}',
    )
    assert answer.json()["status"] == "OK"
    agencies = call(receiver, "getAgenciesList").json()["data"]
    by_code = {a["code"]: a for a in agencies}
    assert by_code["000.02.00.G22"]["pid"] == RECEIVER
    assert by_code["000.02.00.G22"]["name"] == "Phòng 2"
    assert by_code[RECEIVER]["pid"] == ""
    assert {SENDER, OTHER, "000.01.00.G22"} <= set(by_code)
    # the new unit receives
    call.send(axis.system(SENDER), packages(to=["000.02.00.G22"]))
    assert call.inbox(receiver)[0]["to"] == "000.02.00.G22"
    # another system cannot take it over
    taken = call(axis.system(OTHER), "registerAgency", body=b'{"code": "000.02.00.G22"}')
    assert taken.json()["ErrorCode"] == "31"
    assert call(receiver, "deleteAgency", {"AgencyCode": "000.02.00.G22"}).json()["status"] == "OK"
    codes = {a["code"] for a in call(receiver, "getAgenciesList").json()["data"]}
    assert "000.02.00.G22" not in codes


def test_restart_mid_exchange_loses_nothing(tmp_path: Path) -> None:
    factory = PackageFactory()
    systems = [AxisSystem(SENDER, "s"), AxisSystem(RECEIVER, "r", ("000.01.00.G22",))]
    with LocalAxis(systems, db=tmp_path / "hub.db") as axis, httpx.Client() as client:
        call = Caller(client, axis.url)
        first, second = (factory(to=[RECEIVER]) for _ in range(2))
        call.send(axis.system(SENDER), first)
        call.send(axis.system(SENDER), second)
        items = call.inbox(axis.system(RECEIVER))
        call.ack(axis.system(RECEIVER), items[0]["docId"])
        axis.restart()  # a new application and store on the same database file
        call.base = axis.url
        left = call.inbox(axis.system(RECEIVER))
        assert [i["docId"] for i in left] == [items[1]["docId"]]
        assert (
            base64.b64decode(call.fetch(axis.system(RECEIVER), left[0]["docId"]).json()["data"])
            == second
        )
        # idempotency survives too
        assert (
            call.send(axis.system(SENDER), first)
            .json()["ErrorDesc"]
            .startswith("Thanh cong (da nhan truoc do")
        )
    # a new process on the same database (vbdt hub serve), systems and messages kept
    env = {**os.environ, "VBDT_HUB_DB": str(tmp_path / "hub.db")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vbdt_exchange", "hub", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "serving" in line, line
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        with httpx.Client() as client:
            call = Caller(client, url)
            left = call.inbox(systems[1])
            assert [i["docId"] for i in left] == [items[1]["docId"]]
            assert call.ack(systems[1], left[0]["docId"]).json()["status"] == "OK"
            assert call.inbox(systems[1]) == []
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in err


def test_in_process_transport(packages: PackageFactory) -> None:
    with LocalAxis([AxisSystem(SENDER, "s"), AxisSystem(RECEIVER, "r")], serve=False) as axis:
        with pytest.raises(Exception, match="not serving"):
            _ = axis.url
        with httpx.Client(transport=axis.transport(), base_url="http://axis") as client:
            call = Caller(client, "http://axis")
            package = packages()
            assert call.send(axis.system(SENDER), package).json()["status"] == "OK"
            assert receive_all(call, axis.system(RECEIVER)) == [package]


def test_concurrent_identical_sends_make_one_message(
    call: Caller, axis: LocalAxis, packages: PackageFactory
) -> None:
    import concurrent.futures

    package = packages(to=[RECEIVER, OTHER])
    sender = axis.system(SENDER)

    def send(_: int) -> str:
        with httpx.Client(timeout=60) as client:
            answer = Caller(client, axis.url).send(sender, package).json()
        assert answer["status"] == "OK", answer
        return str(answer["DocId"])

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(send, range(12)))
    assert len(ids) == 1
    assert len(call.inbox(axis.system(RECEIVER))) == 1
    assert len(call.inbox(axis.system(OTHER))) == 1
    assert axis.store is not None
    assert axis.store.counts()["messages"] == 1
    assert not list((axis.store.blob_dir / "incoming").iterdir())


def test_stale_uploads_are_swept(tmp_path: Path) -> None:
    from vbdt_exchange.hub import Store

    incoming = tmp_path / "hub.db.blobs" / "incoming"
    incoming.mkdir(parents=True)
    (incoming / "body-old").write_bytes(b"x")
    (incoming / "body-new").write_bytes(b"y")
    os.utime(incoming / "body-old", (0, 0))
    with Store(tmp_path / "hub.db"):
        assert sorted(p.name for p in incoming.iterdir()) == ["body-new"]
