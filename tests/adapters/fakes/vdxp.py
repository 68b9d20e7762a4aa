"""A fake national axis (VDXP) as an ``httpx.MockTransport`` handler.

It checks every request the way the axis does (``check_request`` over the signed headers, the
``Content-Type`` against its signed value, ``hash-file`` against the body, the SDK's trailing
CRLF) and keeps its state in a :class:`~vbdt_exchange.adapters.memory.MemoryAxis`. Faults can be
queued per operation: an exception to raise or a response to return instead of the real answer.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx

from vbdt_exchange.adapters.base import Agency, DeliveryState
from vbdt_exchange.adapters.errors import AxisRefused
from vbdt_exchange.adapters.memory import MemoryAxis, MemoryChannel
from vbdt_exchange.adapters.vdxp_wire import WireAuthError, check_request, hash_file_matches

Fault = Exception | httpx.Response | Callable[[httpx.Request], httpx.Response]


def _answer(status: int = 200, **fields: Any) -> httpx.Response:
    body = {"status": "OK", "ErrorCode": "0", "ErrorDesc": "Thanh cong", **fields}
    return httpx.Response(status, json=body)


def refusal(code: str, desc: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"status": "FAIL", "ErrorCode": code, "ErrorDesc": desc})


class FakeVdxp:
    """The fake axis; ``transport`` is the MockTransport to give the client."""

    def __init__(self, secrets: dict[str, bytes], *, gson_escape: bool = False) -> None:
        self.secrets = dict(secrets)
        self.axis = MemoryAxis()
        self.channels: dict[str, MemoryChannel] = {s: self.axis.channel(s) for s in secrets}
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.faults: dict[str, list[Fault]] = {}
        self.gson_escape = gson_escape
        self.transport = httpx.MockTransport(self.handle)

    def fail(self, operation: str, *faults: Fault) -> None:
        self.faults.setdefault(operation, []).extend(faults)

    def calls(self, operation: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.rsplit("/", 1)[-1] == operation]

    def handle(self, request: httpx.Request) -> httpx.Response:
        operation = request.url.path.rsplit("/", 1)[-1]
        self.requests.append(request)
        self.bodies.append(request.content)
        queued = self.faults.get(operation)
        if queued:
            fault = queued.pop(0)
            if isinstance(fault, Exception):
                raise fault
            if isinstance(fault, httpx.Response):
                return fault
            return fault(request)
        try:
            signed = check_request(request.headers, self.secrets.get)
        except WireAuthError as exc:
            return refusal("15", f"Xac thuc that bai: {exc}", 401)
        if signed.params.get("Content-Type") != request.headers.get("content-type"):
            return refusal("15", "Content-Type differs from its signed value", 401)
        channel = self.channels[signed.system_id]
        try:
            return self.dispatch(operation, request, signed.params, channel)
        except AxisRefused as exc:
            return refusal(exc.code or "99", exc.description or "", 200)

    def dispatch(
        self, operation: str, request: httpx.Request, p: dict[str, str], channel: MemoryChannel
    ) -> httpx.Response:
        if operation == "sendEdoc":
            body = request.content
            if body.endswith(b"\r\n"):
                body = body[:-2]
            digest = hashlib.sha256(body).digest()
            if not hash_file_matches(p.get("hash-file", ""), digest):
                return refusal("11", "hash-file khong khop")
            if p.get("from") != channel.system_id:
                return refusal("13", "from is not the system id")
            to = json.loads(p["to"]) if "to" in p else ()
            kind = p.get("messagetype")
            sent = channel.send(
                body, message_type=kind if kind in ("edoc", "status") else None, to=to
            )
            return _answer(DocId=sent.doc_id)
        if operation == "getReceivedEdocList":
            kind = p["messagetype"]
            rows = [
                {
                    "docId": n.doc_id,
                    "serviceType": "eDoc",
                    "messageType": n.message_type,
                    "created_time": f"{n.created:%Y-%m-%d %H:%M:%S}" if n.created else None,
                    "updated_time": f"{n.updated:%Y-%m-%d %H:%M:%S}" if n.updated else None,
                    "from": n.from_,
                    "to": n.to,
                    "status": n.status_text,
                    "status_desc": "Khoi tao",
                }
                for n in channel.received("status" if kind == "status" else "edoc")
            ]
            return _answer(data=rows)
        if operation == "getEdoc":
            data = base64.b64encode(channel.fetch_bytes(p["docId"])).decode()
            if not self.gson_escape:
                return _answer(data=data)
            text = json.dumps(
                {"status": "OK", "ErrorCode": "0", "ErrorDesc": "Thanh cong", "data": data}
            ).replace("=", "\\u003d")
            return httpx.Response(
                200, content=text.encode(), headers={"content-type": "application/json"}
            )
        if operation == "downloadEdoc":
            if request.method != "GET":
                return refusal("40", "downloadEdoc is GET", 405)
            return httpx.Response(
                200,
                content=channel.fetch_bytes(p["docId"]),
                headers={"content-type": "application/octet-stream"},
            )
        if operation == "updateStatus":
            channel.acknowledge(p["docId"], DeliveryState.parse(p["status"]))
            return _answer()
        if operation == "getSentEdocList":
            kind = "status" if p["messagetype"] == "status" else "edoc"
            rows = [
                {
                    "serviceType": "eDoc",
                    "messageType": r.message_type,
                    "senderDocId": r.sender_doc_id,
                    "receiverDocId": r.receiver_doc_id,
                    "fromCode": r.from_,
                    "toCode": r.to,
                    "title": r.title,
                    "notation": r.notation,
                    "sentTime": f"{r.sent:%Y-%m-%d %H:%M:%S}" if r.sent else None,
                    "receivedTime": None,
                    "sendStatus": r.send_status,
                    "sendStatusDesc": "",
                    "receiveStatus": r.receive_status,
                    "receiveStatusDesc": "",
                }
                for r in channel.sent(p.get("docId"), kind)
            ]
            return _answer(data=rows)
        if operation in ("countReceiveEdoc", "countReceiveStatus"):
            kind = "status" if operation == "countReceiveStatus" else "edoc"
            return _answer(count=len(channel.received(kind)))
        if operation in ("getAgenciesList", "getAgenciesListQD20"):
            rows = [
                {
                    "id": str(i),
                    "pid": a.parent,
                    "code": a.code,
                    "name": a.name,
                    "mail": a.mail,
                    "oldCode": a.old_code,
                }
                for i, a in enumerate(channel.agencies(), 1)
            ]
            return _answer(data=rows)
        if operation == "registerAgency":
            body = json.loads(request.content)
            channel.register_agency(
                Agency(
                    code=body["code"],
                    name=body.get("name"),
                    parent=body.get("pcode"),
                    mail=body.get("mail"),
                )
            )
            return _answer()
        if operation == "deleteAgency":
            channel.delete_agency(p["AgencyCode"])
            return _answer()
        return refusal("40", f"no such operation {operation}", 404)
