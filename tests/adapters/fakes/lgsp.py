"""Fakes of the two LGSP styles as ``httpx.MockTransport`` handlers, state in a MemoryAxis.

* :class:`FakeLangSon` — log-in for a JWT-like token (``data.token``), then Bearer +
  ``X-SystemId`` + ``X-SecretKey`` on every call; the answer shapes of spec §7.1.
* :class:`FakeQuangNam` — OAuth2 client credentials at ``/token`` (HTTP Basic), then Bearer +
  the unit secret header; ``/truclienthong/v1.0.0/...`` (spec §7.2).

Both issue tokens that expire on a shared clock (``clock[0]``, seconds since the epoch) and can
revoke every token (:meth:`revoke`) so that the next call gets 401.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import urllib.parse
from typing import Any

import httpx

from vbdt_exchange.adapters.base import Agency, DeliveryState
from vbdt_exchange.adapters.errors import AxisRefused
from vbdt_exchange.adapters.memory import MemoryAxis, MemoryChannel


def _jwt(number: int, exp: float) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'sub': str(number), 'exp': int(exp)})}.sig{number}"


def multipart_fields(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    """The parts of a multipart/form-data body: name -> (filename, content)."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        fields[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


class _Fake:
    def __init__(self, clock: list[float], ttl: float) -> None:
        self.clock = clock
        self.ttl = ttl
        self.axis = MemoryAxis()
        self.tokens: dict[str, float] = {}
        self.logins = 0
        self.requests: list[httpx.Request] = []
        self.faults: dict[str, list[httpx.Response | Exception]] = {}
        self.transport = httpx.MockTransport(self.handle)

    def fail(self, path: str, *faults: httpx.Response | Exception) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def revoke(self) -> None:
        self.tokens.clear()

    def issue(self) -> str:
        self.logins += 1
        token = _jwt(self.logins, self.clock[0] + self.ttl)
        self.tokens[token] = self.clock[0] + self.ttl
        return token

    def bearer_ok(self, request: httpx.Request) -> bool:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        return token in self.tokens and self.clock[0] < self.tokens[token]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queued = self.faults.get(request.url.path)
        if queued:
            fault = queued.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return fault
        return self.route(request)

    def route(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


class FakeLangSon(_Fake):
    """The Lạng Sơn LGSP: ``systems`` maps X-SystemId -> X-SecretKey."""

    USER, PASSWORD, APP = "vanthu", "mat-khau", "QLVB"

    def __init__(self, systems: dict[str, str], clock: list[float], ttl: float = 1800) -> None:
        super().__init__(clock, ttl)
        self.systems = systems
        self.channels: dict[str, MemoryChannel] = {s: self.axis.channel(s) for s in systems}
        self.extra_rows: list[dict[str, Any]] = []
        for i in range(5):
            self.channels[next(iter(systems))].register_agency(
                Agency(code=f"000.00.{i:02d}.H37", name=f"Đơn vị {i}")
            )

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/auth/login":
            if request.url.params.get("allow_anonymous") != "true":
                return httpx.Response(401, json={"code": 401, "message": "anonymous not allowed"})
            body = json.loads(request.content)
            if (body.get("username"), body.get("password"), body.get("applicationCode")) != (
                self.USER,
                self.PASSWORD,
                self.APP,
            ):
                return httpx.Response(401, json={"code": 401, "message": "Sai mật khẩu"})
            return httpx.Response(
                200,
                json={
                    "code": 200,
                    "message": "Success",
                    "data": {"id": "u1", "token": self.issue()},
                },
            )
        if not self.bearer_ok(request):
            return httpx.Response(401, json={"code": 401, "message": "licenseInfo:invalid"})
        system = request.headers.get("x-systemid", "")
        if self.systems.get(system) != request.headers.get("x-secretkey"):
            return httpx.Response(
                200,
                json={
                    "success": False,
                    "message": "Loi",
                    "data": {"errorCode": "15", "errorDesc": "Sai SystemId/SecretKey"},
                },
            )
        channel = self.channels[system]
        try:
            return self.operation(path, request, channel)
        except AxisRefused as exc:
            return httpx.Response(
                200,
                json={
                    "code": 500,
                    "message": exc.description,
                    "errorDetail": [{"exception": exc.description}],
                    "data": {"status": "FAIL", "errorCode": exc.code, "errorDesc": exc.description},
                },
            )

    def operation(
        self, path: str, request: httpx.Request, channel: MemoryChannel
    ) -> httpx.Response:
        if path == "/v1/sendEdoc":
            fields = multipart_fields(request)
            _, content = fields["edocFile"]
            kind = fields["messageType"][1].decode()
            sent = channel.send(content, message_type=kind)  # type: ignore[arg-type]
            return httpx.Response(
                200,
                json={
                    "code": 200,
                    "message": "Success",
                    "data": {
                        "status": "OK",
                        "docId": sent.doc_id,
                        "errorCode": None,
                        "errorDesc": None,
                        "filePath": "/app/x",
                    },
                },
            )
        if path == "/v1/syncReceivedEdocList":
            p = request.url.params
            assert p["fromDate"].count("/") == 2
            assert p["toDate"].count("/") == 2
            kind = p["messageType"]
            rows = [
                {
                    "serviceType": "eDoc",
                    "createdTime": f"{n.created:%Y-%m-%d %H:%M:%S}",
                    "updatedTime": f"{n.updated:%Y-%m-%d %H:%M:%S}",
                    "messageType": kind,
                    "docId": n.doc_id,
                    "from": n.from_,
                    "to": n.to,
                    "status": n.status_text,
                    "statusDesc": "Mới",
                }
                for n in channel.received("status" if kind == "status" else "edoc")
            ] + self.extra_rows
            return httpx.Response(
                200, json={"success": True, "message": "OK", "count": len(rows), "data": rows}
            )
        if path == "/v1/getEdoc":
            doc_id = request.url.params["docId"]
            data = channel.fetch_bytes(doc_id)
            return httpx.Response(
                200,
                json={
                    "success": True,
                    "message": "OK",
                    "data": {
                        "docId": doc_id,
                        "from": "x",
                        "edxml": data.decode("utf-8"),
                        "attachments": [],
                    },
                },
            )
        if path == "/v1/updateStatus":
            body = json.loads(request.content)
            channel.acknowledge(body["docId"], DeliveryState.parse(body["status"]))
            return httpx.Response(200, json={"success": True, "message": "OK"})
        if path == "/v1/getAgenciesList":
            page = int(request.url.params.get("page", "0"))
            everything = channel.agencies()
            size = 2
            content = [
                {
                    "id": str(i),
                    "code": a.code,
                    "oldCode": None,
                    "name": a.name,
                    "centerCode": "000.00.00.H37",
                    "parentId": None,
                    "level": 2,
                    "type": "NATIONAL",
                }
                for i, a in enumerate(everything[page * size : (page + 1) * size])
            ]
            total = (len(everything) + size - 1) // size
            return httpx.Response(
                200,
                json={
                    "code": 200,
                    "message": "OK",
                    "data": {
                        "currentPage": page,
                        "totalPages": total,
                        "pageSize": size,
                        "totalRecords": len(everything),
                        "content": content,
                    },
                },
            )
        return httpx.Response(404, json={"code": 404, "message": "not found"})


class FakeQuangNam(_Fake):
    """The Quảng Nam LGSP: ``units`` maps the unit secret -> its organ id."""

    CLIENT_ID, CLIENT_SECRET = "consumer-key", "consumer-secret"
    BASE = "/truclienthong/v1.0.0"

    def __init__(self, units: dict[str, str], clock: list[float], ttl: float = 3600) -> None:
        super().__init__(clock, ttl)
        self.units = units
        self.channels = {secret: self.axis.channel(organ) for secret, organ in units.items()}

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/token":
            expected = (
                "Basic "
                + base64.b64encode(f"{self.CLIENT_ID}:{self.CLIENT_SECRET}".encode()).decode()
            )
            form = urllib.parse.parse_qs(request.content.decode())
            if request.headers.get("authorization") != expected:
                return httpx.Response(
                    401,
                    json={
                        "error": "invalid_client",
                        "error_description": "Client Authentication failed.",
                    },
                )
            if form.get("grant_type") != ["client_credentials"]:
                return httpx.Response(400, json={"error": "unsupported_grant_type"})
            return httpx.Response(
                200,
                json={
                    "access_token": self.issue(),
                    "token_type": "Bearer",
                    "expires_in": int(self.ttl),
                    "scope": "default",
                },
            )
        if not self.bearer_ok(request):
            return httpx.Response(
                401, json={"fault": {"code": 900901, "message": "Invalid Credentials"}}
            )
        channel = self.channels.get(request.headers.get("secret", ""))
        if channel is None:
            return httpx.Response(
                200,
                json={
                    "status": "FAIL",
                    "errorCode": "15",
                    "errorDesc": "Ma dinh danh don vi khong dung",
                },
            )
        if not path.startswith(self.BASE):
            return httpx.Response(404, json={"status": "FAIL", "errorCode": "404"})
        try:
            return self.operation(path[len(self.BASE) :], request, channel)
        except AxisRefused as exc:
            return httpx.Response(
                200, json={"status": "FAIL", "errorCode": exc.code, "errorDesc": exc.description}
            )

    def operation(
        self, path: str, request: httpx.Request, channel: MemoryChannel
    ) -> httpx.Response:
        ok = {"status": "OK", "errorCode": "0", "errorDesc": "Thành công"}
        if path == "/vanbans" and request.method == "POST":
            body = json.loads(request.content)
            sent = channel.send(
                base64.b64decode(body["data"], validate=True), message_type=body["type"]
            )
            return httpx.Response(200, json={**ok, "docId": sent.doc_id})
        if path == "/vanbans":
            rows = [
                {
                    "serviceType": "eDoc",
                    "messageType": n.message_type,
                    "statusDesc": "",
                    "docId": n.doc_id,
                    "from": n.from_,
                    "to": n.to,
                    "status": n.status_text.upper() if n.status_text else None,
                    "createdTime": f"{n.created:%Y-%m-%d %H:%M:%S}",
                }
                for kind in ("edoc", "status")
                for n in channel.received(kind)  # type: ignore[arg-type]
            ]
            return httpx.Response(200, json={**ok, "data": rows})
        if path.startswith("/vanbans/"):
            doc_id = urllib.parse.unquote(path[len("/vanbans/") :])
            if request.method == "PUT":
                status = request.url.params["status"]
                assert status == status.upper()
                channel.acknowledge(doc_id, DeliveryState.parse(status))
                return httpx.Response(200, json=ok)
            data = base64.b64encode(channel.fetch_bytes(doc_id)).decode()
            return httpx.Response(200, json={**ok, "data": data})
        if path in ("/donvilienthongs", "/donvilienthongs/qn") and request.method == "GET":
            rows = [
                {"id": str(i), "code": a.code, "name": a.name, "pid": a.parent}
                for i, a in enumerate(channel.agencies())
                if path == "/donvilienthongs" or a.code.endswith("H47")
            ]
            return httpx.Response(200, json={**ok, "data": rows})
        if path == "/donvilienthongs" and request.method == "POST":
            body = json.loads(request.content)
            channel.register_agency(
                Agency(code=body["code"], name=body["name"], parent=body["pcode"] or None)
            )
            return httpx.Response(200, json=ok)
        if path == "/donvilienthongs" and request.method == "PUT":
            channel.delete_agency(request.url.params["agencyCode"])
            return httpx.Response(200, json=ok)
        return httpx.Response(404, json={"status": "FAIL", "errorCode": "404"})
