"""The VDXP client against a fake axis: every operation, errors and their classification,
retries only where safe, streaming both ways, bounds."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from vbdt_exchange.adapters import (
    Agency,
    AxisAmbiguous,
    AxisAuthError,
    AxisConfigError,
    AxisProtocolError,
    AxisRefused,
    AxisUnavailable,
    Channel,
    DeliveryState,
    Outcome,
    VdxpClient,
    VdxpConfig,
)

SENDER, RECEIVER, OTHER = "000.00.00.H29", "000.00.00.G22", "000.00.00.G10"


def test_a_package_goes_from_sender_to_receiver_and_back_as_status(
    vdxp_client: Callable[..., Any],
    edoc: Callable[..., bytes],
    status_package: Callable[..., bytes],
    tmp_path: Path,
) -> None:
    package = edoc(to=(RECEIVER, OTHER), attachment=b"%PDF-1.7 " + bytes(range(256)) * 64)
    sender, receiver = vdxp_client(SENDER), vdxp_client(RECEIVER)
    assert isinstance(sender, Channel)
    sent = sender.send(package)
    assert sent.message_type == "edoc"
    assert sent.sha256 == hashlib.sha256(package).hexdigest()
    assert sent.size == len(package)

    (notice,) = receiver.received()
    assert notice.from_ == SENDER
    assert notice.to == RECEIVER
    assert notice.state is DeliveryState.INITIAL
    assert notice.message_type == "edoc"
    assert notice.created is not None
    assert receiver.count() == 1
    assert receiver.count("status") == 0

    fetched = receiver.fetch(notice.doc_id, tmp_path / "in.edxml")
    assert (tmp_path / "in.edxml").read_bytes() == package
    assert fetched.sha256 == sent.sha256
    assert fetched.path == tmp_path / "in.edxml"
    stream = io.BytesIO()
    receiver.download(notice.doc_id, stream)
    assert stream.getvalue() == package

    rows = {r.to: r for r in sender.sent(sent.doc_id)}
    assert set(rows) == {RECEIVER, OTHER}
    assert rows[RECEIVER].receive_state is DeliveryState.INITIAL
    assert rows[RECEIVER].sender_doc_id == sent.doc_id

    ack = receiver.acknowledge(notice.doc_id, "done")
    assert ack.state is DeliveryState.DONE
    assert receiver.received() == []
    assert {r.to: r.receive_state for r in sender.sent(sent.doc_id)}[RECEIVER] is DeliveryState.DONE

    # the business status goes back as a status package; message type sniffed from it
    status = receiver.send(status_package("01", about=package))
    assert status.message_type == "status"
    assert sender.received() == []
    (back,) = sender.received("status")
    assert back.message_type == "status"
    assert back.from_ == RECEIVER


def test_repeated_send_of_the_same_bytes_is_the_same_message(
    vdxp_client: Callable[..., Any], edoc: Callable[..., bytes]
) -> None:
    package = edoc()
    sender, receiver = vdxp_client(SENDER), vdxp_client(RECEIVER)
    assert sender.send(package).doc_id == sender.send(package).doc_id
    assert len(receiver.received()) == 1


def test_send_streams_a_file_and_a_non_seekable_stream(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes], tmp_path: Path
) -> None:
    package = edoc(attachment=bytes(300_000))
    path = tmp_path / "out.edxml"
    path.write_bytes(package)
    sender = vdxp_client(SENDER)
    by_path = sender.send(path)

    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            chunk = self._data.read(min(len(b), 1000))
            b[: len(chunk)] = chunk
            return len(chunk)

    other = edoc(attachment=bytes(300_000), number="13")
    by_pipe = sender.send(Pipe(other))
    assert by_pipe.sha256 == hashlib.sha256(other).hexdigest()
    first, second = fake_vdxp.calls("sendEdoc")
    assert first.content == package + b"\r\n"
    assert second.content == other + b"\r\n"
    assert by_path.size == len(package)


class ChunkRecorder(httpx.BaseTransport):
    """Sees the request body as the client streams it, then hands it to the fake."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.chunks: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        parts = list(request.stream)  # type: ignore[arg-type]
        self.chunks = [len(p) for p in parts]
        copy = httpx.Request(
            request.method, request.url, headers=request.headers, content=b"".join(parts)
        )
        return self.inner.handle_request(copy)


def test_a_file_is_streamed_in_chunks_not_read_whole(
    fake_vdxp: Any, edoc: Callable[..., bytes], tmp_path: Path
) -> None:
    package = edoc(attachment=bytes(range(256)) * 2000)
    path = tmp_path / "big.edxml"
    path.write_bytes(package)
    recorder = ChunkRecorder(fake_vdxp.transport)
    config = VdxpConfig("http://axis.test", SENDER, secret="s3cret", test=True)
    with VdxpClient(config, transport=recorder) as client:
        sent = client.send(path)
    assert sent.size == len(package) > 300_000
    assert max(recorder.chunks) <= 64 * 1024
    assert sum(recorder.chunks) == len(package) + 2
    assert recorder.chunks[-1] == 2


def test_seekable_stream_is_sent_from_its_position_and_rewound(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    package = edoc()
    stream = io.BytesIO(b"JUNK" + package)
    stream.seek(4)
    vdxp_client(SENDER).send(stream)
    (request,) = fake_vdxp.calls("sendEdoc")
    assert request.content == package + b"\r\n"


def test_gson_escaped_base64_is_decoded(
    fakes_vdxp: Any, edoc: Callable[..., bytes], tmp_path: Path
) -> None:
    fake = fakes_vdxp.FakeVdxp({SENDER: b"a", RECEIVER: b"b"}, gson_escape=True)
    config = {"test": True}
    with (
        VdxpClient(
            VdxpConfig("http://x", SENDER, secret="a", **config), transport=fake.transport
        ) as s,
        VdxpClient(
            VdxpConfig("http://x", RECEIVER, secret="b", **config), transport=fake.transport
        ) as r,
    ):
        package = next(p for n in range(5) if len(p := edoc(attachment=b"x" * n)) % 3)
        s.send(package)  # a length not divisible by 3: the base64 has "=" padding
        (notice,) = r.received()
        assert r.fetch(notice.doc_id, tmp_path / "p").size == len(package)
    assert (tmp_path / "p").read_bytes() == package


def test_directory_operations(vdxp_client: Callable[..., Any]) -> None:
    client = vdxp_client(SENDER)
    client.register_agency(Agency(code="001.01.29.H29", name="Sở Nội vụ", parent=SENDER))
    codes = {a.code: a for a in client.agencies()}
    assert codes["001.01.29.H29"].name == "Sở Nội vụ"
    assert codes["001.01.29.H29"].parent == SENDER
    assert "001.01.29.H29" in {a.code for a in client.agencies_qd20()}
    client.delete_agency("001.01.29.H29")
    assert "001.01.29.H29" not in {a.code for a in client.agencies()}
    with pytest.raises(AxisRefused) as info:
        client.delete_agency("001.01.29.H29")
    assert info.value.code == "30"


# -- refusals and their classification --------------------------------------------------------


def test_a_sender_that_is_not_the_registered_system_is_refused_for_addressing(
    vdxp_client: Callable[..., Any], edoc: Callable[..., bytes]
) -> None:
    with pytest.raises(AxisRefused) as info:
        vdxp_client(SENDER).send(edoc(from_="002.00.20.H13"))
    error = info.value
    assert error.code == "13"
    assert "khong dung voi ma da dang ky" in (error.description or "")
    assert error.outcome is Outcome.REJECTED_ADDRESSING
    assert not error.retryable
    assert error.operation == "sendEdoc"


def test_a_wrong_secret_is_an_auth_error(vdxp_client: Callable[..., Any], fake_vdxp: Any) -> None:
    with pytest.raises(AxisAuthError) as info:
        vdxp_client(SENDER, secret="wrong").received()
    assert info.value.outcome is Outcome.REJECTED_CREDENTIALS
    assert info.value.http_status == 401
    assert info.value.code == "15"
    assert len(fake_vdxp.requests) == 1  # credentials are never retried


@pytest.mark.parametrize(
    ("code", "desc", "outcome"),
    [
        ("10", "Goi tin khong hop le", Outcome.REJECTED_PACKAGE),
        ("18", "Khong co don vi nhan", Outcome.REJECTED_ADDRESSING),
        (
            "1",
            "Don vi gui 002.00.20.H13 khong dung voi ma da dang ky: vxp.saas.03",
            Outcome.REJECTED_ADDRESSING,
        ),
        ("99", "edXML không hợp lệ", Outcome.REJECTED_PACKAGE),
        ("7", "Something else entirely", Outcome.UNKNOWN),
    ],
)
def test_refusals_carry_code_text_and_outcome(
    vdxp_client: Callable[..., Any],
    fake_vdxp: Any,
    fakes_vdxp: Any,
    code: str,
    desc: str,
    outcome: Outcome,
) -> None:
    fake_vdxp.fail("getReceivedEdocList", fakes_vdxp.refusal(code, desc))
    with pytest.raises(AxisRefused) as info:
        vdxp_client().received()
    assert (info.value.code, info.value.description, info.value.outcome) == (code, desc, outcome)
    assert desc in str(info.value)
    assert code in str(info.value)
    assert len(fake_vdxp.requests) == 1


@pytest.mark.parametrize(
    ("response", "error", "outcome"),
    [
        (
            httpx.Response(401, json={"error": "unauthorized"}),
            AxisAuthError,
            Outcome.REJECTED_CREDENTIALS,
        ),
        (httpx.Response(403, text="Forbidden"), AxisAuthError, Outcome.REJECTED_CREDENTIALS),
        (httpx.Response(413, json={"message": "too big"}), AxisRefused, Outcome.REJECTED_PACKAGE),
    ],
)
def test_http_refusals_without_the_axis_envelope(
    vdxp_client: Callable[..., Any],
    fake_vdxp: Any,
    response: httpx.Response,
    error: type[Exception],
    outcome: Outcome,
) -> None:
    fake_vdxp.fail("getReceivedEdocList", response)
    with pytest.raises(error) as info:
        vdxp_client().received()
    assert info.value.outcome is outcome  # type: ignore[attr-defined]
    assert info.value.http_status == response.status_code  # type: ignore[attr-defined]


def test_code_20_is_transient_and_retried(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, fakes_vdxp: Any
) -> None:
    pauses: list[float] = []
    fake_vdxp.fail("getReceivedEdocList", fakes_vdxp.refusal("20", "Loi he thong", 500))
    assert vdxp_client(sleep=pauses.append).received() == []
    assert len(fake_vdxp.requests) == 2
    assert len(pauses) == 1


def test_unavailable_reads_are_retried_with_backoff_then_given_up(
    vdxp_client: Callable[..., Any], fake_vdxp: Any
) -> None:
    pauses: list[float] = []
    fake_vdxp.fail("getAgenciesList", *[httpx.Response(503)] * 5)
    from vbdt_exchange.adapters._http import RetryPolicy

    client = vdxp_client(sleep=pauses.append, retry=RetryPolicy(attempts=4, backoff=1.0))
    with pytest.raises(AxisUnavailable) as info:
        client.agencies()
    assert info.value.retryable
    assert info.value.http_status == 503
    assert len(fake_vdxp.requests) == 4
    assert len(pauses) == 3
    assert 0.5 <= pauses[0] <= 1.0
    assert 1.0 <= pauses[1] <= 2.0
    assert 2.0 <= pauses[2] <= 4.0


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.ReadTimeout("late")],
)
def test_transport_failures_of_reads_are_retried(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, error: Exception
) -> None:
    fake_vdxp.fail("getReceivedEdocList", error)
    assert vdxp_client().received() == []
    assert len(fake_vdxp.requests) == 2


def test_send_is_retried_when_the_connection_could_not_be_opened(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    fake_vdxp.fail("sendEdoc", httpx.ConnectError("refused"))
    sent = vdxp_client().send(edoc())
    assert sent.doc_id
    assert len(fake_vdxp.calls("sendEdoc")) == 2
    assert fake_vdxp.calls("sendEdoc")[1].content.endswith(b"\r\n")


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("no answer"),
        httpx.RemoteProtocolError("closed"),
        httpx.Response(504),
        httpx.Response(502),
    ],
)
def test_send_without_an_answer_is_ambiguous_and_never_resent(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes], fault: Any
) -> None:
    package = edoc()
    fake_vdxp.fail("sendEdoc", fault)
    with pytest.raises(AxisAmbiguous) as info:
        vdxp_client().send(package)
    assert info.value.outcome is Outcome.AMBIGUOUS
    assert not info.value.retryable
    assert info.value.sha256 == hashlib.sha256(package).hexdigest()
    assert len(fake_vdxp.calls("sendEdoc")) == 1


def test_send_refused_503_is_unavailable_but_not_resent(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    fake_vdxp.fail("sendEdoc", httpx.Response(503))
    with pytest.raises(AxisUnavailable):
        vdxp_client().send(edoc())
    assert len(fake_vdxp.calls("sendEdoc")) == 1


def test_update_status_is_idempotent_and_retried(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    vdxp_client(SENDER).send(edoc())
    receiver = vdxp_client(RECEIVER)
    (notice,) = receiver.received()
    fake_vdxp.fail("updateStatus", httpx.ReadTimeout("late"))
    assert receiver.acknowledge(notice.doc_id, DeliveryState.PROCESSING).state.value == "processing"
    assert receiver.acknowledge(notice.doc_id, "processing").state is DeliveryState.PROCESSING
    assert len(fake_vdxp.calls("updateStatus")) == 3
    with pytest.raises(ValueError, match="not a delivery status"):
        receiver.acknowledge(notice.doc_id, "02")


def test_register_agency_is_not_retried(vdxp_client: Callable[..., Any], fake_vdxp: Any) -> None:
    fake_vdxp.fail("registerAgency", httpx.ReadTimeout("late"))
    with pytest.raises(AxisUnavailable):
        vdxp_client().register_agency(Agency(code="001.01.29.H29", name="x"))
    assert len(fake_vdxp.calls("registerAgency")) == 1


# -- answers outside the protocol -------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "match"),
    [
        (httpx.Response(200, content=b"<html>gateway</html>"), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "not an object"),
        (httpx.Response(200, json={"hello": "world"}), "without status or ErrorCode"),
        (
            httpx.Response(200, json={"status": "OK", "ErrorCode": "0", "data": {"a": 1}}),
            "not a list",
        ),
        (httpx.Response(404, json={"status": "OK", "ErrorCode": "0"}), "HTTP 404 with status OK"),
        (httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
    ],
)
def test_answers_outside_the_protocol(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, response: httpx.Response, match: str
) -> None:
    fake_vdxp.fail("getReceivedEdocList", response)
    with pytest.raises(AxisProtocolError, match=match):
        vdxp_client().received()


def test_send_answer_without_doc_id(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    fake_vdxp.fail("sendEdoc", httpx.Response(200, json={"status": "OK", "ErrorCode": "0"}))
    with pytest.raises(AxisProtocolError, match="no DocId"):
        vdxp_client().send(edoc())


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b'{"status":"OK","ErrorCode":"0","data":["a"]}', "not a string"),
        (b'{"status":"OK","ErrorCode":"0","data":"QUJD!"}', "not valid base64"),
        (b'{"status":"OK","ErrorCode":"0","data":"QUJDRA=="', "ends before"),
        (b'{"status":"OK","ErrorCode":"0","data":null}', "carries no package"),
        (
            b'{"status":"FAIL","ErrorCode":"30","ErrorDesc":"Khong tim thay","data":"QUJD"}',
            "Khong tim thay",
        ),
    ],
)
def test_a_bad_fetch_writes_nothing(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, tmp_path: Path, body: bytes, match: str
) -> None:
    fake_vdxp.fail("getEdoc", httpx.Response(200, content=body))
    target = tmp_path / "in.edxml"
    with pytest.raises((AxisProtocolError, AxisRefused), match=match):
        vdxp_client(RECEIVER).fetch("d-1", target)
    assert list(tmp_path.iterdir()) == []
    stream = io.BytesIO()
    fake_vdxp.fail("getEdoc", httpx.Response(200, content=body))
    with pytest.raises((AxisProtocolError, AxisRefused)):
        vdxp_client(RECEIVER).fetch("d-1", stream)
    assert stream.getvalue() == b""


def test_fetch_is_bounded(vdxp_client: Callable[..., Any], fake_vdxp: Any, tmp_path: Path) -> None:
    data = base64.b64encode(bytes(5000)).decode()
    fake_vdxp.fail(
        "getEdoc", httpx.Response(200, json={"status": "OK", "ErrorCode": "0", "data": data})
    )
    with pytest.raises(AxisProtocolError, match="larger than the limit"):
        vdxp_client(RECEIVER, max_package_bytes=4096).fetch("d-1", tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


def test_json_answers_are_bounded(vdxp_client: Callable[..., Any], fake_vdxp: Any) -> None:
    fake_vdxp.fail(
        "getAgenciesList",
        httpx.Response(
            200, json={"status": "OK", "ErrorCode": "0", "data": [{"code": "x" * 2000}]}
        ),
    )
    with pytest.raises(AxisProtocolError, match="larger than the limit"):
        vdxp_client(max_answer_bytes=1000).agencies()


def test_send_is_bounded_before_anything_is_sent(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, edoc: Callable[..., bytes]
) -> None:
    with pytest.raises(AxisConfigError, match="larger than the limit"):
        vdxp_client(max_package_bytes=100).send(edoc())
    assert fake_vdxp.requests == []


def test_not_an_edxml_package_is_refused_locally(
    vdxp_client: Callable[..., Any], fake_vdxp: Any
) -> None:
    with pytest.raises(AxisProtocolError, match="MessageHeader"):
        vdxp_client().send(b"%PDF-1.7 not a package")
    assert fake_vdxp.requests == []


# -- configuration ----------------------------------------------------------------------------


def test_the_secret_never_shows(caplog: pytest.LogCaptureFixture) -> None:
    config = VdxpConfig("https://axis.example", SENDER, secret="s3cret-value")
    assert "s3cret" not in repr(config)
    with VdxpClient(config) as client:
        assert "s3cret" not in repr(client)


def test_plain_http_is_warned_about_unless_test(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="vbdt_exchange.adapters"):
        VdxpClient(VdxpConfig("http://vxpdungchung.vnpt.vn", SENDER, secret="x")).close()
    assert any("plain http://" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="vbdt_exchange.adapters"):
        VdxpClient(VdxpConfig("http://127.0.0.1:9", SENDER, secret="x", test=True)).close()
        VdxpClient(VdxpConfig("https://axis.example", SENDER, secret="x")).close()
    assert caplog.records == []


@pytest.mark.parametrize(
    ("endpoint", "system_id", "secret", "match"),
    [
        ("ftp://axis", SENDER, "x", "http:// or https://"),
        ("https://axis", "", "x", "system id"),
        ("https://axis", SENDER, "", "secret"),
    ],
)
def test_bad_configuration(endpoint: str, system_id: str, secret: str, match: str) -> None:
    with pytest.raises(AxisConfigError, match=match):
        VdxpClient(VdxpConfig(endpoint, system_id, secret=secret))


def test_download_of_an_unknown_id_is_a_refusal_and_writes_nothing(
    vdxp_client: Callable[..., Any], fake_vdxp: Any, tmp_path: Path
) -> None:
    with pytest.raises(AxisRefused) as info:
        vdxp_client(RECEIVER).download("d-404", tmp_path / "x.edxml")
    assert info.value.code == "30"
    assert list(tmp_path.iterdir()) == []
    (request,) = fake_vdxp.calls("downloadEdoc")
    assert request.method == "GET"
    assert request.content == b""
