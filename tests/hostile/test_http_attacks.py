"""HTTP attacks on the local axis over real sockets (issue 8): slow bodies, bodies that lie about
their length, oversized and chunked bodies, replays, bad multipart.

Every case runs against a real :class:`~vbdt_exchange.testing.axis.LocalAxis` (uvicorn on
loopback), speaks HTTP/1.1 over a raw socket where a client library would not misbehave as
needed, and asserts the HTTP status, the axis's JSON ``ErrorCode`` and that the store holds
nothing new: no message, no delivery, no file (blobs and the ``incoming`` spool folder).

Covered elsewhere, not repeated here:

* missing or forged HMAC headers — ``tests/hub/test_refusals.py`` (``test_wrong_secret``,
  ``test_tampered_header``, ``test_tampered_sign_header``, ``test_missing_signature_headers``,
  ``test_sign_header_not_json``, ``test_unknown_system``), ``tests/hostile/test_wire.py``;
* a body over ``max_body_bytes`` with a true ``Content-Length`` —
  ``tests/hub/test_refusals.py::test_body_too_large``;
* a replayed *listing* with ``refuse_replays`` and the SDK's reused timestamp accepted by
  default — ``tests/hub/test_refusals.py::test_stale_timestamp_with_a_skew_configured`` and
  ``test_default_accepts_the_sdks_old_timestamp`` (here: a replayed ``sendEdoc``);
* the multipart reader on its own (delimiters split across reads, malformed part headers) —
  ``tests/hub/test_multipart.py``; hypothesis fuzz of the application —
  ``tests/fuzz/test_fuzz_hub.py``.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import select
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from vbdt_exchange.adapters.vdxp_wire import sdk_hash_file, sign_request
from vbdt_exchange.hub import HubConfig
from vbdt_exchange.hub.model import HubConfigError
from vbdt_exchange.testing.axis import AxisSystem, LocalAxis
from vbdt_exchange.testing.pytest_plugin import PackageFactory

SENDER = "000.00.00.H29"
RECEIVER = "000.00.00.G22"
MAX_BODY = 256 * 1024
# small bounds so that the module stays fast: a body must arrive within 1 s plus 1 s per KiB
CONFIG = HubConfig(
    body_timeout=datetime.timedelta(seconds=1), min_body_rate=1024, max_body_bytes=MAX_BODY
)
SYSTEMS = [AxisSystem(SENDER, "s3cret"), AxisSystem(RECEIVER, "r3ceiver")]
HEAD_TIMEOUT = 1.0  # seconds for a request head (the server's default is 30)
PROTOCOLS = {"h11": "BoundedH11Protocol", "httptools": "BoundedHttpToolsProtocol"}
OCTETS = "application/octet-stream"
BOUNDARY = "vbdt-b0undary"

Snapshot = tuple[int, int, tuple[tuple[str, int], ...]]


# -- helpers --------------------------------------------------------------------------------------


@pytest.fixture(
    scope="module",
    params=[("h11", "full"), ("httptools", "full"), ("httptools", "header")],
    ids=["h11", "httptools", "httptools-header"],
)
def axis(request: pytest.FixtureRequest) -> Iterator[LocalAxis]:
    """The hub on each of uvicorn's HTTP parsers (``vbdt hub serve --http``), and reading
    only packages' headers (small packages then go into a pack file, not a file each)."""
    http, reading = request.param
    config = attrs.evolve(CONFIG, reading=reading)
    with LocalAxis(SYSTEMS, config=config, http=http, head_timeout=HEAD_TIMEOUT) as running:
        # the parser asked for is the one serving
        assert running._server is not None
        protocol = running._server.config.http_protocol_class
        assert protocol.__name__ == PROTOCOLS[http]
        yield running


@pytest.fixture(scope="module")
def package() -> bytes:
    return PackageFactory()(from_=SENDER, to=[RECEIVER])


def snapshot(axis: LocalAxis) -> Snapshot:
    """Messages, deliveries and every file under the store's blob folder (spool included),
    with its size (a pack file grows, it is not a new file)."""
    assert axis.store is not None
    counts = axis.store.counts()
    files = tuple(
        sorted((str(p), p.stat().st_size) for p in axis.store.blob_dir.rglob("*") if p.is_file())
    )
    return counts["messages"], counts["deliveries"], files


def send_headers(
    package: bytes | None,
    *,
    content_type: str = OCTETS,
    timestamp: str | None = None,
) -> dict[str, str]:
    """The signed headers of a ``sendEdoc`` (with ``hash-file`` when ``package`` is given)."""
    params = [("servicetype", "eDoc"), ("messagetype", "edoc"), ("from", SENDER)]
    if package is not None:
        params.append(("hash-file", sdk_hash_file(package)))
    return sign_request(
        params,
        system_id=SENDER,
        secret=b"s3cret",
        content_type=content_type,
        timestamp=timestamp,
    )


def head(
    operation: str, headers: dict[str, str], *, length: int | None, chunked: bool = False
) -> bytes:
    """The request line and headers of a POST, as bytes."""
    lines = [f"POST /vxp/{operation} HTTP/1.1", "Host: axis"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


@pytest.fixture
def connect(axis: LocalAxis) -> Iterator[Callable[[], socket.socket]]:
    """Open raw connections to the axis (all closed after the test)."""
    opened: list[socket.socket] = []

    def open_one() -> socket.socket:
        sock = socket.create_connection((axis.host, axis.port), timeout=10)
        opened.append(sock)
        return sock

    yield open_one
    for sock in opened:
        sock.close()


def read_response(sock: socket.socket, data: bytes = b"") -> tuple[int, dict[str, Any], bytes]:
    """One HTTP response (``data``: what was already read of it): its status, its JSON body and
    whatever came after it."""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before a response: {data!r}"
        data += chunk
    raw_head, rest = data.split(b"\r\n\r\n", 1)
    lines = raw_head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = dict(line.split(":", 1) for line in lines[1:])
    declared = [v for k, v in fields.items() if k.lower() == "content-length"]
    if declared:
        length = int(declared[0])
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "the connection closed inside a response body"
            rest += chunk
    else:  # a body up to the end of the connection
        while chunk := sock.recv(65536):
            rest += chunk
        length = len(rest)
    body = rest[:length]
    text = json.loads(body) if body.startswith(b"{") else {"raw": body.decode("latin-1")}
    return status, text, rest[length:]


def sendall_tolerant(sock: socket.socket, data: bytes) -> None:
    """Send what the server is willing to read: it may refuse and close midway."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed the connection (after its answer)."""
    sock.settimeout(5)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def assert_refused(
    status: int, answer: dict[str, Any], http: int, code: str, contains: str = ""
) -> None:
    assert status == http, (status, answer)
    assert answer["status"] == "FAIL", answer
    assert answer["ErrorCode"] == code, answer
    assert contains in answer["ErrorDesc"], answer


def wait_for_log(caplog: pytest.LogCaptureFixture, text: str) -> None:
    """Wait (bounded) until the hub's thread has logged ``text``."""
    for _ in range(500):
        if any(text in r.getMessage() for r in caplog.records):
            return
        select.select([], [], [], 0.01)
    raise AssertionError(f"the hub never logged {text!r}")


# -- control --------------------------------------------------------------------------------------


def test_control_a_well_formed_request_is_accepted(
    axis: LocalAxis, package: bytes, connect: Callable[[], socket.socket]
) -> None:
    """The raw-socket helpers work: the same request, sent honestly, is stored."""
    before = snapshot(axis)
    sock = connect()
    sock.sendall(head("sendEdoc", send_headers(package), length=len(package)) + package)
    status, answer, _ = read_response(sock)
    assert (status, answer["status"], answer["ErrorCode"]) == (200, "OK", "0"), answer
    after = snapshot(axis)
    assert after[0] >= before[0]  # a new message, or the same one again (idempotent)
    assert axis.store is not None
    assert not list((axis.store.blob_dir / "incoming").iterdir())
    # a body read to its end leaves the connection open for the next request
    sock.sendall(head("sendEdoc", send_headers(package), length=len(package)) + package)
    status, answer, _ = read_response(sock)
    assert (status, answer["ErrorCode"]) == (200, "0"), answer


@pytest.mark.parametrize(
    "settings",
    [
        {"body_timeout": datetime.timedelta(0)},
        {"body_timeout": datetime.timedelta(seconds=-1)},
        {"min_body_rate": 0},
    ],
)
def test_body_bounds_must_be_positive(settings: dict[str, Any]) -> None:
    with pytest.raises(HubConfigError, match=r"body_timeout|min_body_rate"):
        HubConfig(**settings)


# -- slow bodies ----------------------------------------------------------------------------------


def test_slow_body_is_cut_off(
    axis: LocalAxis, connect: Callable[[], socket.socket], package: bytes
) -> None:
    """Slowloris on the body: Content-Length N, then one byte now and then. The hub answers
    408 / code 10 once ``body_timeout`` (plus the allowance for what arrived) has passed,
    stores nothing and frees the spool file; then it closes the connection."""
    body = PackageFactory()(from_=SENDER, to=[RECEIVER], subject="Chậm")
    before = snapshot(axis)
    sock = connect()
    sock.sendall(head("sendEdoc", send_headers(body), length=len(body)) + body[:100])
    answered = False
    for i in range(100, 150):  # at most 10 s; the hub answers after about 1.1 s
        readable, _, _ = select.select([sock], [], [], 0.2)
        if readable:
            answered = True
            break
        sendall_tolerant(sock, body[i : i + 1])
    assert answered, "the hub waited for the whole slow body"
    status, answer, _ = read_response(sock)
    assert_refused(status, answer, 408, "10", "body timeout")
    assert closed_by_server(sock)
    assert snapshot(axis) == before


def test_stalled_body_of_a_json_operation(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """Headers announcing a body that never comes: the same bound for every operation."""
    headers = sign_request(
        [("servicetype", "eDoc"), ("messagetype", "edoc")],
        system_id=RECEIVER,
        secret=b"r3ceiver",
        content_type="application/json",
    )
    sock = connect()
    sock.sendall(head("getReceivedEdocList", headers, length=100) + b"{")
    status, answer, _ = read_response(sock)
    assert_refused(status, answer, 408, "10", "body timeout")
    assert closed_by_server(sock)


def test_many_slow_clients_do_not_block_a_normal_client(package: bytes) -> None:
    """Twenty clients stalled in their bodies and five in their headers (with no body timeout
    at all, so that they are all still pending) do not keep the hub from serving another."""
    config = HubConfig(body_timeout=None, max_body_bytes=MAX_BODY)
    with LocalAxis(SYSTEMS, config=config) as slow_axis:
        stalled = []
        try:
            for _ in range(20):
                sock = socket.create_connection((slow_axis.host, slow_axis.port), timeout=10)
                stalled.append(sock)
                sock.sendall(
                    head("sendEdoc", send_headers(package), length=len(package)) + package[:50]
                )
            for _ in range(5):
                sock = socket.create_connection((slow_axis.host, slow_axis.port), timeout=10)
                stalled.append(sock)
                sock.sendall(b"POST /vxp/sendEdoc HTTP/1.1\r\nHost: axis\r\nX-Slow: ")
            before = snapshot(slow_axis)
            normal = socket.create_connection((slow_axis.host, slow_axis.port), timeout=10)
            stalled.append(normal)
            normal.sendall(head("sendEdoc", send_headers(package), length=len(package)) + package)
            status, answer, _ = read_response(normal)
            assert (status, answer["status"]) == (200, "OK"), answer
            assert snapshot(slow_axis)[:2] == (before[0] + 1, before[1] + 1)
            for sock in stalled[:20]:  # none of the stalled ones got an answer
                assert select.select([sock], [], [], 0)[0] == []
        finally:
            for sock in stalled:
                sock.close()


def test_oversized_headers_are_refused_by_the_server(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """Headers are uvicorn's (h11's) to read: a header block past its 16 KiB limit gets its
    plain 400 answer (not the axis's JSON: the application never sees the request)."""
    before = snapshot(axis)
    sock = connect()
    sendall_tolerant(sock, b"POST /vxp/sendEdoc HTTP/1.1\r\nHost: axis\r\nX-Big: " + b"a" * 70000)
    status, answer, _ = read_response(sock)
    assert status == 400
    assert "ErrorCode" not in answer
    assert "Invalid HTTP request" in answer["raw"]
    assert snapshot(axis) == before


def listing_request(padding: int = 0) -> bytes:
    """A signed ``getReceivedEdocList`` of the receiver, with ``padding`` bytes of an extra
    header (unsigned, so harmless to the signature)."""
    headers = sign_request(
        [("servicetype", "eDoc"), ("messagetype", "edoc")],
        system_id=RECEIVER,
        secret=b"r3ceiver",
        content_type="application/json",
    )
    if padding:
        headers["X-Padding"] = "p" * padding
    return head("getReceivedEdocList", headers, length=0)


def test_a_head_trickled_past_the_bound_is_refused(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """A header sent 1 KiB at a time never ends: refused once past 16 KiB (plus at most the
    read in which it began), with the server's plain 400, and the connection closed."""
    sock = connect()
    sock.sendall(b"POST /vxp/getReceivedEdocList HTTP/1.1\r\nHost: axis\r\nX-Slow: ")
    sent = 0
    answered = False
    while sent < 256 * 1024:
        try:
            sock.sendall(b"s" * 1024)
        except (BrokenPipeError, ConnectionResetError):
            answered = True
            break
        sent += 1024
        ready, _, _ = select.select([sock], [], [], 0.01)
        if ready:
            answered = True
            break
    assert answered, f"{sent} bytes of header and no answer"
    assert sent <= 20 * 1024, sent
    status, answer, _ = read_response(sock)
    assert status == 400
    assert "Invalid HTTP request" in answer["raw"]
    assert closed_by_server(sock)


def test_a_head_under_the_bound_is_served(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    sock = connect()
    sock.sendall(listing_request(padding=15 * 1024))
    status, answer, _ = read_response(sock)
    assert (status, answer["status"]) == (200, "OK"), answer


def test_pipelined_requests_after_a_large_body_are_served(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """The read in which a request begins may hold most of an earlier body: that is not
    counted against the next request's head."""
    body = PackageFactory()(
        from_=SENDER, to=[RECEIVER], attachments={"a.bin": bytes(range(256)) * 600}
    )
    sock = connect()
    sock.sendall(
        head("sendEdoc", send_headers(body), length=len(body))
        + body
        + listing_request(padding=12 * 1024)
    )
    status, answer, rest = read_response(sock)
    assert (status, answer["status"]) == (200, "OK"), answer
    status, answer, _ = read_response(sock, rest)
    assert (status, answer["status"]) == (200, "OK"), answer


def test_many_small_pipelined_requests_are_served(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """Hundreds of requests in one write (most arrive in one read): none is mistaken for an
    oversized head."""
    request = listing_request()
    sock = connect()
    sock.sendall(request * 300)
    rest = b""
    for _ in range(300):
        status, answer, rest = read_response(sock, rest)
        assert (status, answer["status"]) == (200, "OK"), answer


def timed_answer(sock: socket.socket, limit: float) -> tuple[float, int, dict[str, Any]]:
    """Seconds until the server answered (at most ``limit``), its status and body."""
    started = time.monotonic()
    ready, _, _ = select.select([sock], [], [], limit)
    assert ready, f"no answer within {limit} s"
    status, answer, _ = read_response(sock)
    return time.monotonic() - started, status, answer


def test_a_head_trickled_a_byte_at_a_time_meets_its_deadline(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """Each byte would reset uvicorn's keep-alive timer: the head's own deadline still ends
    it, with a 408, and the connection is closed."""
    sock = connect()
    started = time.monotonic()
    sock.sendall(b"POST /vxp/getReceivedEdocList HTTP/1.1\r\nHost: axis\r\nX-Slow: ")
    while time.monotonic() - started < HEAD_TIMEOUT + 3:
        ready, _, _ = select.select([sock], [], [], 0.2)
        if ready:
            break
        sendall_tolerant(sock, b"s")
    elapsed = time.monotonic() - started
    status, answer, _ = read_response(sock)
    assert status == 408
    assert "took too long" in answer["raw"]
    assert HEAD_TIMEOUT - 0.1 <= elapsed <= HEAD_TIMEOUT + 2
    assert closed_by_server(sock)


def test_a_connection_that_sends_nothing_is_closed(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    sock = connect()
    elapsed, status, _ = timed_answer(sock, HEAD_TIMEOUT + 3)
    assert status == 408
    assert elapsed <= HEAD_TIMEOUT + 2
    assert closed_by_server(sock)


def test_the_head_deadline_spares_keep_alive_and_slow_bodies(
    axis: LocalAxis, connect: Callable[[], socket.socket], package: bytes
) -> None:
    """The deadline is per head: a second request after a pause, and a body that takes longer
    than the head's deadline (but within the hub's body timeout), are served."""
    sock = connect()
    sock.sendall(listing_request())
    status, answer, _ = read_response(sock)
    assert (status, answer["status"]) == (200, "OK")
    time.sleep(HEAD_TIMEOUT * 0.3)
    sock.sendall(listing_request())
    status, answer, _ = read_response(sock)
    assert (status, answer["status"]) == (200, "OK")
    # a body trickled over 1.5 × the head's deadline: the hub allows 1 s + 1 s per KiB
    body = PackageFactory()(from_=SENDER, to=[RECEIVER], subject="Chậm mà chắc")
    sock.sendall(head("sendEdoc", send_headers(body), length=len(body)))
    pieces = [body[i : i + 1024] for i in range(0, len(body), 1024)]
    for piece in pieces:
        sock.sendall(piece)
        time.sleep(HEAD_TIMEOUT * 1.5 / len(pieces))
    status, answer, _ = read_response(sock)
    assert (status, answer["status"]) == (200, "OK"), answer


# -- bodies that lie about their length -----------------------------------------------------------


def test_body_shorter_than_content_length_then_close(
    axis: LocalAxis,
    connect: Callable[[], socket.socket],
    package: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The client sends half the body and closes: refused (nobody to answer), nothing kept."""
    caplog.set_level(logging.INFO, logger="vbdt_exchange.hub.app")
    body = PackageFactory()(from_=SENDER, to=[RECEIVER], subject="Cắt ngắn")
    before = snapshot(axis)
    sock = connect()
    sock.sendall(head("sendEdoc", send_headers(body), length=len(body)) + body[: len(body) // 2])
    sock.close()
    wait_for_log(caplog, "client went away")
    assert snapshot(axis) == before


def test_body_longer_than_declared_is_the_next_request(
    axis: LocalAxis, connect: Callable[[], socket.socket], package: bytes
) -> None:
    """Bytes past Content-Length are not part of the body: HTTP/1.1 reads them as the next
    request, which has to pass the signature check on its own (here: a smuggled, unsigned
    sendEdoc, refused with 15)."""
    body = PackageFactory()(from_=SENDER, to=[RECEIVER], subject="Dài hơn")
    smuggled = head("sendEdoc", {"Content-Type": OCTETS}, length=len(package)) + package
    before = snapshot(axis)
    sock = connect()
    sock.sendall(head("sendEdoc", send_headers(body), length=len(body)) + body + smuggled)
    status, answer, rest = read_response(sock)
    assert (status, answer["status"]) == (200, "OK"), answer
    assert axis.store is not None
    assert axis.store.counts()["messages"] == before[0] + 1
    # only the declared bytes were stored (in a file named by their hash, or in a pack)
    message = axis.store.message(answer["DocId"])
    assert (message.sha256, message.size) == (hashlib.sha256(body).hexdigest(), len(body))
    with axis.store.open_package(message) as f:
        assert f.read() == body
    status, answer, _ = read_response(sock, rest)
    assert_refused(status, answer, 401, "15")
    assert axis.store.counts()["messages"] == before[0] + 1


def test_chunked_body_over_max_body_bytes(
    axis: LocalAxis, connect: Callable[[], socket.socket], package: bytes
) -> None:
    """No Content-Length to check up front: the hub counts as it reads and stops at the
    limit."""
    before = snapshot(axis)
    sock = connect()
    sock.sendall(head("sendEdoc", send_headers(None), length=None, chunked=True))
    piece = b"<!-- " + b"x" * (64 * 1024 - 9) + b" -->"
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    sendall_tolerant(sock, chunk * (2 * MAX_BODY // len(piece)) + b"0\r\n\r\n")
    status, answer, _ = read_response(sock)
    assert_refused(status, answer, 413, "12", str(MAX_BODY))
    assert snapshot(axis) == before


def test_content_length_over_max_body_bytes_is_refused_before_reading(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """A declared length past the limit is refused at once (413, not the 408 that waiting for
    the 10 GiB would end in), and the connection closed."""
    before = snapshot(axis)
    sock = connect()
    sock.sendall(head("sendEdoc", send_headers(None), length=10 * 1024**3))
    status, answer, _ = read_response(sock)
    assert_refused(status, answer, 413, "12", str(MAX_BODY))
    assert closed_by_server(sock)
    assert snapshot(axis) == before


# -- replays --------------------------------------------------------------------------------------


def test_replayed_send_is_refused_with_refuse_replays(package: bytes) -> None:
    config = HubConfig(
        max_clock_skew=datetime.timedelta(minutes=5), refuse_replays=True, body_timeout=None
    )
    with LocalAxis(SYSTEMS, config=config) as strict:
        request = head("sendEdoc", send_headers(package), length=len(package)) + package
        answers = []
        for _ in range(2):
            with socket.create_connection((strict.host, strict.port), timeout=10) as sock:
                sock.sendall(request)
                answers.append(read_response(sock))
        (first, ok, _), (second, again, _) = answers
        assert (first, ok["status"]) == (200, "OK"), ok
        assert_refused(second, again, 401, "15", "already received")
        assert snapshot(strict)[:2] == (1, 1)


def test_replayed_send_is_idempotent_by_default(package: bytes) -> None:
    """The documented default: any timestamp, no replay check; the second identical request
    returns the same DocId and delivers nothing again (docs/axis/hub.md, *Idempotency*)."""
    with LocalAxis(SYSTEMS, config=HubConfig(body_timeout=None)) as lenient:
        request = (
            head(
                "sendEdoc",
                send_headers(package, timestamp="01012020T000000+0000"),
                length=len(package),
            )
            + package
        )
        answers = []
        for _ in range(2):
            with socket.create_connection((lenient.host, lenient.port), timeout=10) as sock:
                sock.sendall(request)
                answers.append(read_response(sock))
        (first, ok, _), (second, again, _) = answers
        assert (first, second) == (200, 200)
        assert ok["DocId"] == again["DocId"]
        assert "da nhan truoc do" in again["ErrorDesc"]
        assert snapshot(lenient)[:2] == (1, 1)


# -- bad multipart --------------------------------------------------------------------------------


def part(name: str | None, content: bytes, *, extra: str = "") -> bytes:
    disposition = "form-data" + (f'; name="{name}"' if name is not None else "")
    disposition += '; filename="goi-tin.edxml"'
    return (
        f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{extra}\r\n".encode()
        + content
        + b"\r\n"
    )


CLOSE = f"--{BOUNDARY}--\r\n".encode()


def multipart_cases(package: bytes) -> dict[str, tuple[str, bytes, int, str, str]]:
    inner = b"--inner\r\nContent-Type: application/xml\r\n\r\n" + package + b"\r\n--inner--\r\n"
    return {
        "missing boundary": (
            "multipart/form-data",
            part("file_doc", package) + CLOSE,
            400,
            "10",
            "without a boundary",
        ),
        "boundary never closed": (
            f"multipart/form-data; boundary={BOUNDARY}",
            part("file_doc", package),
            400,
            "10",
            "no part named file_doc",
        ),
        "part without name": (
            f"multipart/form-data; boundary={BOUNDARY}",
            part(None, package) + CLOSE,
            400,
            "10",
            "no part named file_doc",
        ),
        "two file_doc parts": (
            f"multipart/form-data; boundary={BOUNDARY}",
            part("file_doc", package) + part("file_doc", b"<edXML/>") + CLOSE,
            400,
            "10",
            "two parts named file_doc",
        ),
        "huge preamble": (
            f"multipart/form-data; boundary={BOUNDARY}",
            b"p" * (MAX_BODY + 1) + b"\r\n" + part("file_doc", package) + CLOSE,
            413,
            "12",
            str(MAX_BODY),
        ),
        "nested multipart": (
            f"multipart/form-data; boundary={BOUNDARY}",
            part("file_doc", inner, extra="Content-Type: multipart/mixed; boundary=inner\r\n")
            + CLOSE,
            400,
            "10",
            "not a readable package",
        ),
    }


CASES = [
    "missing boundary",
    "boundary never closed",
    "part without name",
    "two file_doc parts",
    "huge preamble",
    "nested multipart",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_multipart(
    axis: LocalAxis, connect: Callable[[], socket.socket], package: bytes, case: str
) -> None:
    content_type, body, http, code, contains = multipart_cases(package)[case]
    before = snapshot(axis)
    sock = connect()
    headers = send_headers(None, content_type=content_type)
    sendall_tolerant(sock, head("sendEdoc", headers, length=len(body)) + body)
    status, answer, _ = read_response(sock)
    assert_refused(status, answer, http, code, contains)
    assert snapshot(axis) == before


def test_large_preamble_within_the_limit_is_skipped(
    axis: LocalAxis, connect: Callable[[], socket.socket]
) -> None:
    """A preamble is legal: it is streamed past (not held), and the part after it is read."""
    body_package = PackageFactory()(from_=SENDER, to=[RECEIVER], subject="Lời mở đầu")
    body = b"p" * (MAX_BODY // 2) + b"\r\n" + part("file_doc", body_package) + CLOSE
    headers = send_headers(body_package, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    sock = connect()
    sock.sendall(head("sendEdoc", headers, length=len(body)) + body)
    status, answer, _ = read_response(sock)
    assert (status, answer["status"]) == (200, "OK"), answer
