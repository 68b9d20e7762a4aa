"""The two LGSP adapters against faithful fakes: the token flow (log-in, expiry, refresh once
on 401), every operation, and each hub's errors mapped onto the shared outcomes."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from vbdt_exchange.adapters import (
    Agency,
    AxisAuthError,
    AxisRefused,
    AxisUnavailable,
    AxisUnsupported,
    Channel,
    DeliveryState,
    Outcome,
    RetryPolicy,
)
from vbdt_exchange.adapters.lgsp_langson import LangSonClient, LangSonConfig
from vbdt_exchange.adapters.lgsp_quangnam import QuangNamClient, QuangNamConfig

SENDER, RECEIVER = "000.00.00.H29", "000.00.00.G22"
NO_WAIT = RetryPolicy(attempts=3, backoff=0.0)


# -- Lạng Sơn ---------------------------------------------------------------------------------


@pytest.fixture
def langson(fakes_lgsp: Any, clock: list[float]) -> Any:
    return fakes_lgsp.FakeLangSon({SENDER: "key-h29", RECEIVER: "key-g22"}, clock)


@pytest.fixture
def langson_client(langson: Any, clock: list[float]) -> Iterator[Callable[..., LangSonClient]]:
    opened: list[LangSonClient] = []

    def make(system_id: str = SENDER, **options: Any) -> LangSonClient:
        values: dict[str, Any] = {
            "secret_key": {SENDER: "key-h29", RECEIVER: "key-g22"}.get(system_id, "?"),
            "username": langson.USER,
            "password": langson.PASSWORD,
            "application_code": langson.APP,
            "retry": NO_WAIT,
            "test": True,
        }
        values.update(options)
        client = LangSonClient(
            LangSonConfig("http://lgsp.test", system_id, **values),
            transport=langson.transport,
            sleep=lambda s: None,
            clock=lambda: clock[0],
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


def test_langson_full_exchange(
    langson: Any,
    langson_client: Callable[..., LangSonClient],
    edoc: Callable[..., bytes],
    tmp_path: Path,
    fakes_lgsp: Any,
) -> None:
    sender, receiver = langson_client(SENDER), langson_client(RECEIVER)
    assert isinstance(sender, Channel)
    package = edoc(attachment=b"%PDF-1.7 data")
    sent = sender.send(package)
    assert sent.message_type == "edoc"
    assert sent.doc_id
    (upload,) = langson.calls("/v1/sendEdoc")
    fields = fakes_lgsp.multipart_fields(upload)
    assert fields["edocFile"][0].endswith(".edxml")
    assert fields["edocFile"][1] == package
    assert fields["messageType"][1] == b"edoc"

    (notice,) = receiver.received()
    assert (notice.from_, notice.to, notice.state) == (SENDER, RECEIVER, DeliveryState.INITIAL)
    fetched = receiver.fetch(notice.doc_id, tmp_path / "in.edxml")
    assert (tmp_path / "in.edxml").read_bytes() == package
    assert fetched.size == len(package)
    assert receiver.acknowledge(notice.doc_id, "done").state is DeliveryState.DONE
    assert receiver.received() == []
    assert json.loads(langson.calls("/v1/updateStatus")[0].content) == {
        "docId": notice.doc_id,
        "status": "done",
    }

    for request in langson.requests:
        if request.url.path != "/v1/auth/login":
            assert request.headers["authorization"].startswith("Bearer ")
            assert request.headers["x-systemid"] in (SENDER, RECEIVER)
            assert request.headers["x-secretkey"].startswith("key-")
    assert sender.logins == 1
    assert receiver.logins == 1


def test_langson_agencies_come_from_every_page(
    langson: Any, langson_client: Callable[..., LangSonClient]
) -> None:
    agencies = langson_client().agencies()
    assert len(agencies) == 7  # five registered units and the two systems
    assert len(langson.calls("/v1/getAgenciesList")) == 4
    assert all(a.parent == "000.00.00.H37" for a in agencies)


def test_langson_inbox_leaves_out_done_and_failed_rows(
    langson: Any, langson_client: Callable[..., LangSonClient]
) -> None:
    langson.extra_rows = [
        {"docId": "old-1", "from": SENDER, "to": RECEIVER, "status": "done"},
        {"docId": "old-2", "from": SENDER, "to": RECEIVER, "status": "fail"},
        {
            "docId": "new-1",
            "from": SENDER,
            "to": RECEIVER,
            "status": "initial",
            "createdTime": "2026-11-22 10:00:00",
        },
    ]
    (notice,) = langson_client(RECEIVER).received()
    assert notice.doc_id == "new-1"
    assert notice.created is not None


def test_langson_token_is_renewed_before_it_expires(
    langson: Any, langson_client: Callable[..., LangSonClient], clock: list[float]
) -> None:
    client = langson_client(RECEIVER)
    client.received()
    clock[0] += 1800 - 10  # inside the 30 s margin before the JWT's exp
    client.received()
    assert client.logins == 2
    statuses = [r for r in langson.requests if r.url.path == "/v1/syncReceivedEdocList"]
    assert len(statuses) == 2  # no 401 was needed


def test_langson_refreshes_once_on_401(
    langson: Any, langson_client: Callable[..., LangSonClient]
) -> None:
    client = langson_client(RECEIVER)
    client.received()
    langson.revoke()  # the hub forgot every token
    assert client.received() == []
    assert client.logins == 2
    assert len(langson.calls("/v1/syncReceivedEdocList")) == 3  # ok, 401, ok


def test_langson_second_401_is_an_auth_error(
    langson: Any, langson_client: Callable[..., LangSonClient]
) -> None:
    unauthorized = httpx.Response(401, json={"code": 401, "message": "licenseInfo:invalid"})
    langson.fail("/v1/syncReceivedEdocList", unauthorized, unauthorized)
    client = langson_client(RECEIVER)
    with pytest.raises(AxisAuthError) as info:
        client.received()
    assert info.value.http_status == 401
    assert "licenseInfo" in str(info.value)
    assert client.logins == 2
    assert len(langson.calls("/v1/syncReceivedEdocList")) == 2


def test_langson_bad_login(langson_client: Callable[..., LangSonClient]) -> None:
    with pytest.raises(AxisAuthError, match="Sai mật khẩu") as info:
        langson_client(password="wrong").received()
    assert info.value.outcome is Outcome.REJECTED_CREDENTIALS


def test_langson_wrong_secret_key_is_code_15(langson_client: Callable[..., LangSonClient]) -> None:
    with pytest.raises(AxisAuthError) as info:
        langson_client(secret_key="wrong").received()
    assert info.value.code == "15"


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("10", Outcome.REJECTED_PACKAGE),
        ("18", Outcome.REJECTED_ADDRESSING),
        ("19", Outcome.REJECTED_ADDRESSING),
        ("22", Outcome.REJECTED_PACKAGE),
        ("23", Outcome.REJECTED_ADDRESSING),
        ("99", Outcome.UNKNOWN),
    ],
)
def test_langson_error_codes(
    langson: Any,
    langson_client: Callable[..., LangSonClient],
    edoc: Callable[..., bytes],
    code: str,
    outcome: Outcome,
) -> None:
    langson.fail(
        "/v1/sendEdoc",
        httpx.Response(
            200,
            json={
                "code": 500,
                "message": "Loi xu ly",
                "errorDetail": [{"exception": "x"}],
                "data": {"status": "FAIL", "errorCode": code, "errorDesc": f"Loi {code}"},
            },
        ),
    )
    with pytest.raises(AxisRefused) as info:
        langson_client().send(edoc())
    assert (info.value.code, info.value.outcome) == (code, outcome)
    assert f"Loi {code}" in str(info.value)
    assert len(langson.calls("/v1/sendEdoc")) == 1


@pytest.mark.parametrize("code", ["20", "21"])
def test_langson_transient_codes_are_unavailable(
    langson: Any,
    langson_client: Callable[..., LangSonClient],
    edoc: Callable[..., bytes],
    code: str,
) -> None:
    failure = httpx.Response(
        200,
        json={
            "success": False,
            "message": "Loi he thong",
            "data": {"errorCode": code, "errorDesc": "Loi"},
        },
    )
    langson.fail("/v1/sendEdoc", failure)
    with pytest.raises(AxisUnavailable) as info:
        langson_client().send(edoc())
    assert info.value.code == code
    assert info.value.retryable
    assert len(langson.calls("/v1/sendEdoc")) == 1  # a send is never repeated by itself
    langson.fail("/v1/syncReceivedEdocList", failure)
    assert langson_client(RECEIVER).received() == []  # a read is
    assert len(langson.calls("/v1/syncReceivedEdocList")) == 2


def test_langson_has_no_sent_list_nor_registration(
    langson_client: Callable[..., LangSonClient],
) -> None:
    client = langson_client()
    with pytest.raises(AxisUnsupported):
        client.sent()
    with pytest.raises(NotImplementedError):
        client.register_agency(Agency(code="x"))
    with pytest.raises(AxisUnsupported):
        client.delete_agency("x")


# -- Quảng Nam ---------------------------------------------------------------------------------


@pytest.fixture
def quangnam(fakes_lgsp: Any, clock: list[float]) -> Any:
    return fakes_lgsp.FakeQuangNam({"unit-h29": SENDER, "unit-g22": RECEIVER}, clock)


@pytest.fixture
def quangnam_client(quangnam: Any, clock: list[float]) -> Iterator[Callable[..., QuangNamClient]]:
    opened: list[QuangNamClient] = []

    def make(system_id: str = SENDER, **options: Any) -> QuangNamClient:
        values: dict[str, Any] = {
            "client_id": quangnam.CLIENT_ID,
            "client_secret": quangnam.CLIENT_SECRET,
            "unit_secret": {SENDER: "unit-h29", RECEIVER: "unit-g22"}[system_id],
            "retry": NO_WAIT,
            "test": True,
        }
        values.update(options)
        client = QuangNamClient(
            QuangNamConfig("http://qnam.test", system_id, **values),
            transport=quangnam.transport,
            sleep=lambda s: None,
            clock=lambda: clock[0],
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


def test_quangnam_full_exchange(
    quangnam: Any,
    quangnam_client: Callable[..., QuangNamClient],
    edoc: Callable[..., bytes],
    status_package: Callable[..., bytes],
) -> None:
    sender, receiver = quangnam_client(SENDER), quangnam_client(RECEIVER)
    assert isinstance(receiver, Channel)
    package = edoc(attachment=bytes(range(256)) * 500)
    sent = sender.send(package)
    (post,) = quangnam.calls("/truclienthong/v1.0.0/vanbans")
    body = json.loads(post.content)
    assert body["type"] == "edoc"
    assert base64.b64decode(body["data"]) == package
    assert post.headers["content-length"] == str(len(post.content))
    assert post.headers["secret"] == "unit-h29"

    (notice,) = receiver.received()
    assert notice.from_ == SENDER
    assert notice.state is DeliveryState.INITIAL
    out = io.BytesIO()
    assert receiver.fetch(notice.doc_id, out).sha256 == sent.sha256
    assert out.getvalue() == package
    receiver.acknowledge(notice.doc_id, DeliveryState.DONE)
    put = next(r for r in quangnam.requests if r.method == "PUT")
    assert put.url.params["status"] == "DONE"
    assert receiver.received() == []

    receiver.send(status_package("01", about=package))
    (back,) = sender.received("status")
    assert back.message_type == "status"
    assert sender.received("edoc") == []


def test_quangnam_directory(quangnam_client: Callable[..., QuangNamClient]) -> None:
    client = quangnam_client()
    client.register_agency(
        Agency(code="001.00.10.H47", name="UBND Huyện Duy Xuyên", parent="001.00.00.H47")
    )
    assert "001.00.10.H47" in {a.code for a in client.agencies()}
    assert [a.code for a in client.province_agencies()] == ["001.00.10.H47"]
    client.delete_agency("001.00.10.H47")
    assert "001.00.10.H47" not in {a.code for a in client.agencies()}
    with pytest.raises(AxisUnsupported):
        client.sent()


def test_quangnam_token_uses_client_credentials_and_expires_in(
    quangnam: Any, quangnam_client: Callable[..., QuangNamClient], clock: list[float]
) -> None:
    client = quangnam_client()
    client.agencies()
    (token_request,) = quangnam.calls("/token")
    assert token_request.content == b"grant_type=client_credentials"
    assert token_request.headers["authorization"].startswith("Basic ")
    clock[0] += 3600 - 29
    client.agencies()
    assert len(quangnam.calls("/token")) == 2


def test_quangnam_refreshes_once_on_401_then_gives_up(
    quangnam: Any, quangnam_client: Callable[..., QuangNamClient]
) -> None:
    client = quangnam_client()
    client.agencies()
    quangnam.revoke()
    client.agencies()
    assert client.logins == 2
    invalid = httpx.Response(401, json={"fault": {"message": "Invalid Credentials"}})
    quangnam.fail("/truclienthong/v1.0.0/donvilienthongs", invalid, invalid)
    with pytest.raises(AxisAuthError):
        client.agencies()
    assert client.logins == 3


def test_quangnam_bad_client_secret(quangnam_client: Callable[..., QuangNamClient]) -> None:
    with pytest.raises(AxisAuthError, match="Client Authentication failed"):
        quangnam_client(client_secret="wrong").agencies()


def test_quangnam_refusal_keeps_code_and_text(
    quangnam: Any, quangnam_client: Callable[..., QuangNamClient]
) -> None:
    with pytest.raises(AxisRefused) as info:
        quangnam_client(RECEIVER).fetch("no-such-id", io.BytesIO())
    assert info.value.code == "30"
    assert "no message no-such-id" in (info.value.description or "")


def test_quangnam_fetch_retried_after_a_broken_stream_writes_the_package_once(
    quangnam: Any, quangnam_client: Callable[..., QuangNamClient], edoc: Callable[..., bytes]
) -> None:
    package = edoc()
    quangnam_client(SENDER).send(package)
    receiver = quangnam_client(RECEIVER)
    (notice,) = receiver.received()
    path = f"/truclienthong/v1.0.0/vanbans/{notice.doc_id}"

    class Broken(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'{"status":"OK","errorCode":"0","data":"' + base64.b64encode(package[:300])
            raise httpx.ReadError("connection reset")

    quangnam.fail(path, httpx.Response(200, stream=Broken()))
    out = io.BytesIO()
    receiver.fetch(notice.doc_id, out)
    assert out.getvalue() == package


def test_lgsp_configs_hide_secrets_and_warn_about_plain_http(
    caplog: pytest.LogCaptureFixture,
) -> None:
    langson = LangSonConfig(
        "http://lgsp.example",
        SENDER,
        secret_key="sk-secret",
        username="u",
        password="pw-secret",
        application_code="a",
    )
    quangnam = QuangNamConfig(
        "https://qnam.example",
        SENDER,
        client_id="c",
        client_secret="cs-secret",
        unit_secret="us-secret",
    )
    for config in (langson, quangnam):
        assert "-secret" not in repr(config)
    with caplog.at_level("WARNING", logger="vbdt_exchange.adapters"):
        LangSonClient(langson).close()
        QuangNamClient(quangnam).close()
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "http://lgsp.example uses plain http://" in warnings[0]
