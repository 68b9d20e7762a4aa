"""The local reference axis as an ASGI application: the VDXP wire protocol of the official SDK.

:class:`HubApp` serves ``POST {endpoint}/{operation}`` exactly as SDKVXP 2.0.1 calls it
(``axis-wire-capture.md``): every parameter in a signed ``XroadVnpt-*`` header, the package as
the raw request body (with or without the SDK's trailing CRLF, or a multipart part
``file_doc``), answers in the axis's JSON envelope ``{"status", "ErrorCode", "ErrorDesc", ...}``.
Run it with any ASGI server (``vbdt hub serve`` uses uvicorn), or in-process with
:class:`~vbdt_exchange.hub.SyncASGITransport`.

Operations: ``sendEdoc``, ``getReceivedEdocList``, ``getEdoc``, ``downloadEdoc``,
``updateStatus``, ``getSentEdocList``, ``countReceiveEdoc``, ``countReceiveStatus``,
``getAgenciesList``, ``registerAgency``, ``deleteAgency``. The operation is the last segment of
the path, so any endpoint prefix works (``http://host/vxp/sendEdoc``).

Refusals carry one of these ``ErrorCode`` values (codes shared with the Lạng Sơn LGSP keep its
meaning) and, unless :attr:`HubConfig.http_errors` is off, this HTTP status; nothing is stored
for a refused request:

====  ====  ==========================================================================
code  HTTP  meaning
====  ====  ==========================================================================
10    400   the body is not a readable edXML package, or not the announced message type; a bad
            multipart body (no boundary, no complete part ``file_doc``, two of them)
10    408   the body did not arrive within :attr:`HubConfig.body_timeout` (the connection is
            closed)
11    400   ``hash-file`` does not match the body
12    413   the body is larger than :attr:`HubConfig.max_body_bytes`
13    403   the package's ``From`` is not the sender's registered id or one of its organ ids
15    401   signature headers missing or malformed, wrong HMAC, a header that differs from its
            signed value, a timestamp outside the allowed skew, a replayed request
18    422   no receiver of the package is registered (or it names none)
19    401   the ``systemid`` is not registered
30    404   no such ``docId`` for this system (or no such agency)
31    400   a parameter is missing or invalid (``docId``, ``status``, a JSON body)
32    409   the delivery status cannot change so (``done`` is final)
40    404   no such operation (405 for a method other than GET or POST)
20    500   the hub failed (its store); the only transient code
====  ====  ==========================================================================
"""

from __future__ import annotations

import asyncio
import binascii
import collections
import contextlib
import datetime
import hashlib
import io
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import attrs
from lxml import etree

from vbdt_exchange.adapters.vdxp_wire import WireAuthError, check_request, hash_file_matches
from vbdt_exchange.envelope.models import EdocPackage, StatusPackage
from vbdt_exchange.envelope.reader import read
from vbdt_exchange.errors import VbdtError
from vbdt_exchange.hub.model import (
    Delivery,
    DeliveryState,
    HubConfig,
    HubStoreError,
    System,
)
from vbdt_exchange.hub.packs import Slice
from vbdt_exchange.hub.store import Store

__all__ = ["ERROR_CODES", "HubApp"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ERROR_CODES: Mapping[str, int] = {
    "10": 400,
    "11": 400,
    "12": 413,
    "13": 403,
    "15": 401,
    "18": 422,
    "19": 401,
    "20": 500,
    "30": 404,
    "31": 400,
    "32": 409,
    "40": 404,
}
"""Every refusal code of the hub, with its HTTP status."""

_OK = "Thanh cong"
_CHUNK = 1024 * 1024
_B64_CHUNK = 3 * 256 * 1024  # a multiple of 3: base64 pieces concatenate
_SMALL_BODY = 1024 * 1024  # JSON operations: bodies are empty, "{}" or a small JSON object
_INLINE_BODY = 4 * 1024 * 1024  # reading="header": accept packages up to this on the event loop
_TAIL = 4096  # reading="header": how much of the package's end is checked
# the root's end tag, then only what XML allows after it: white space, comments, processing
# instructions
_END_TAG = re.compile(
    rb"</(?:[A-Za-z_][\w.-]*:)?edXML\s*>(?:\s|<!--(?:(?!--).)*-->|<\?(?:(?!\?>).)*\?>)*$",
    re.DOTALL,
)
_STATE_DESC = {
    DeliveryState.INITIAL: "Moi, chua nhan",
    DeliveryState.PROCESSING: "Dang xu ly",
    DeliveryState.DONE: "Da nhan",
    DeliveryState.FAIL: "Nhan loi",
}
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_PART_NAME = re.compile(rb'(?:^|;)\s*name\s*=\s*"([^"]*)"', re.IGNORECASE)


class _Refusal(Exception):
    def __init__(self, code: str, desc: str, http_status: int | None = None) -> None:
        super().__init__(desc)
        self.code = code
        self.desc = desc
        self.http_status = http_status


@attrs.frozen
class _Call:
    system: System
    params: dict[str, str]
    headers: dict[str, str]


@attrs.define
class _Answer:
    """A JSON answer, or a file streamed as base64 inside one (``getEdoc``) or raw."""

    payload: dict[str, Any]
    http_status: int = 200
    stream: Slice | None = None
    raw: bool = False


def _ok(**extra: Any) -> _Answer:
    return _Answer({"status": "OK", "ErrorCode": "0", "ErrorDesc": _OK, **extra})


class HubApp:
    """The ASGI application of the local reference axis.

    :param store: where systems, messages and deliveries are kept (:class:`Store`); the
        application does not close it.
    :param config: :class:`HubConfig` (defaults: any timestamp accepted, 256 MiB bodies).
    """

    def __init__(self, store: Store, config: HubConfig | None = None) -> None:
        self.store = store
        self.config = config or HubConfig()
        self._seen: collections.OrderedDict[str, float] = collections.OrderedDict()
        self._operations: dict[str, Callable[[_Call, _Body], Awaitable[_Answer]]] = {
            "sendedoc": self._send_edoc,
            "getreceivededoclist": self._received_list,
            "getedoc": self._get_edoc,
            "downloadedoc": self._download_edoc,
            "updatestatus": self._update_status,
            "getsentedoclist": self._sent_list,
            "countreceiveedoc": self._count_edoc,
            "countreceivestatus": self._count_status,
            "getagencieslist": self._agencies,
            "registeragency": self._register_agency,
            "deleteagency": self._delete_agency,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        operation = scope["path"].rstrip("/").rsplit("/", 1)[-1]
        body = _Body(receive, self.config)
        try:
            answer = await self._handle(scope, operation, body)
        except _Refusal as refusal:
            with contextlib.suppress(_Refusal):  # the rest is too slow: answer without it
                await _drain(body, _SMALL_BODY)
            log.info("hub: %s refused (%s): %s", operation, refusal.code, refusal.desc)
            answer = self._refusal(refusal)
        except Exception:
            log.exception("hub: %s failed", operation)
            answer = self._refusal(_Refusal("20", "Loi he thong (internal error of the hub)"))
        # a body left unread (too slow, too large): the connection cannot serve another request,
        # and must not stay open for the client to go on trickling into
        await _respond(send, answer, close=body.abandoned or not body.done)

    def _refusal(self, refusal: _Refusal) -> _Answer:
        status = ERROR_CODES.get(refusal.code, 400) if self.config.http_errors else 200
        if refusal.code == "20":
            status = 500
        if refusal.code == "40" and refusal.desc.startswith("method"):
            status = 405 if self.config.http_errors else 200
        if refusal.http_status is not None and self.config.http_errors:
            status = refusal.http_status
        return _Answer(
            {"status": "FAIL", "ErrorCode": refusal.code, "ErrorDesc": refusal.desc}, status
        )

    async def _handle(self, scope: Scope, operation: str, receive: _Body) -> _Answer:
        if scope["method"] not in ("GET", "POST"):
            raise _Refusal("40", f"method {scope['method']} is not allowed (use POST)")
        handler = self._operations.get(operation.lower())
        if handler is None:
            raise _Refusal("40", f"no such operation: {operation!r}")
        headers = _headers(scope)
        call = await _quick(self._authenticate, headers)
        log.debug("hub: %s from %s", operation, call.system.system_id)
        return await handler(call, receive)

    # -- authentication -------------------------------------------------------------------------

    def _authenticate(self, headers: dict[str, str]) -> _Call:
        found: list[System] = []

        def secret_for(system_id: str) -> bytes | None:
            # the secret and the system's organ ids in one query, read once per request
            credentials = self.store.credentials(system_id)
            if credentials is None:
                return None
            found.append(credentials[1])
            return credentials[0]

        try:
            signed = check_request(headers, secret_for)
        except WireAuthError as exc:
            if exc.reason == "unknown-system":
                raise _Refusal(
                    "19", f"He thong chua dang ky (system not registered): {exc}"
                ) from None
            raise _Refusal("15", f"Xac thuc that bai (authentication failed): {exc}") from None
        skew = self.config.max_clock_skew
        if skew is not None:
            if signed.timestamp is None:
                raise _Refusal("15", "Xac thuc that bai: XroadVnpt-timestamp is not a timestamp")
            off = abs(datetime.datetime.now() - signed.timestamp)
            if off > skew:
                raise _Refusal(
                    "15",
                    f"Xac thuc that bai: timestamp {signed.params.get('timestamp')} is "
                    f"{off.total_seconds():.0f} s away from the hub's clock "
                    f"(allowed {skew.total_seconds():.0f} s)",
                )
            if self.config.refuse_replays:
                self._check_replay(headers["xroadvnpt-hash-header"].strip().lower(), skew)
        return _Call(found[-1], signed.params, headers)

    def _check_replay(self, signature: str, skew: datetime.timedelta) -> None:
        # a timestamp passes within ``skew`` either side of the clock: 2 × skew covers it
        window = 2 * skew.total_seconds()
        if self.config.replay_cache == "store":
            fresh = self.store.remember_request(signature, ttl=window)
        else:
            fresh = self._remember(signature, window)
        if not fresh:
            raise _Refusal("15", "Xac thuc that bai: this signed request was already received")

    def _remember(self, signature: str, window: float) -> bool:
        """The in-process replay cache: ``False`` when ``signature`` was seen within
        ``window`` seconds."""
        horizon = time.monotonic() - window
        while self._seen and next(iter(self._seen.values())) < horizon:
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = time.monotonic()
        return True

    # -- sendEdoc -------------------------------------------------------------------------------

    async def _send_edoc(self, call: _Call, receive: _Body) -> _Answer:
        if self.config.reading == "header" and _inline(call):
            # a package small enough to keep in memory: no spool file to create, cut and
            # read back; the store writes it once, into place
            body, sha256 = await self._receive_inline(call, receive)
            return self._accept(call, body, sha256, len(body))
        path, sha256, size = await self._receive_package(call, receive)
        try:
            if self.config.reading == "header" and size <= _INLINE_BODY:
                # the header, a short transaction and a rename: less than a hop to a thread
                return self._accept(call, path, sha256, size)
            return await asyncio.to_thread(self._accept, call, path, sha256, size)
        finally:
            path.unlink(missing_ok=True)

    def _check_declared(self, call: _Call, receive: _Body) -> None:
        limit = self.config.max_body_bytes
        declared = call.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:  # refused before reading a byte
            receive.abandon()
            raise _Refusal("12", f"Goi tin qua lon: the body is larger than {limit} bytes")

    async def _chunks(self, receive: _Body) -> AsyncIterator[bytes]:
        """The request body's pieces, refused past ``max_body_bytes`` or on a disconnect."""
        limit = self.config.max_body_bytes
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Refusal("10", "the client went away before the body was complete")
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            size += len(chunk)
            if size > limit:
                raise _Refusal("12", f"Goi tin qua lon: the body is larger than {limit} bytes")
            yield chunk

    async def _receive_inline(self, call: _Call, receive: _Body) -> tuple[bytes, str]:
        """The package of a small ``sendEdoc`` in memory, and its SHA-256."""
        self._check_declared(call, receive)
        digests = _Digests()
        parts = []
        async for chunk in self._chunks(receive):
            digests.update(chunk)
            parts.append(chunk)
        body = parts[0] if len(parts) == 1 else b"".join(parts)
        sha256, size = digests.settle(call.params.get("hash-file"), len(body))
        return (body if size == len(body) else body[:size]), sha256

    async def _receive_package(self, call: _Call, receive: _Body) -> tuple[Path, str, int]:
        """The package of a ``sendEdoc`` in a file of the store, its SHA-256 and size."""
        self._check_declared(call, receive)
        out, path = self.store.incoming_file()
        digests = _Digests()
        size = 0
        try:
            with out:
                async for chunk in self._chunks(receive):
                    out.write(chunk)
                    digests.update(chunk)
                    size += len(chunk)
            content_type = call.headers.get("content-type", "")
            if content_type.lower().startswith("multipart/"):
                return await asyncio.to_thread(self._from_multipart, path, content_type, call)
            sha256, kept = digests.settle(call.params.get("hash-file"), size)
            if kept != size:
                _truncate(path, kept)
            return path, sha256, kept
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def _from_multipart(self, path: Path, content_type: str, call: _Call) -> tuple[Path, str, int]:
        m = re.search(r'boundary="?([^";]+)"?', content_type)
        if not m:
            raise _Refusal("10", "a multipart body without a boundary")
        out, part_path = self.store.incoming_file()
        try:
            with out, open(path, "rb") as source:
                if not _multipart_part(source, m.group(1).encode("latin-1"), b"file_doc", out):
                    raise _Refusal("10", "the multipart body has no part named file_doc")
            digest = hashlib.sha256()
            size = 0
            with open(part_path, "rb") as f:
                while chunk := f.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
            given = call.params.get("hash-file")
            if given is not None and not hash_file_matches(given, digest.digest()):
                raise _Refusal(
                    "11", "Ma bam khong khop: XroadVnpt-hash-file does not match part file_doc"
                )
        except BaseException:
            part_path.unlink(missing_ok=True)
            raise
        finally:
            path.unlink(missing_ok=True)
        return part_path, digest.hexdigest(), size

    def _accept(self, call: _Call, body: Path | bytes, sha256: str, size: int) -> _Answer:
        system = call.system
        announced = call.params.get("messagetype", "").strip().lower() or None
        if announced not in (None, "edoc", "status"):
            raise _Refusal("31", f"messagetype must be edoc or status, not {announced!r}")
        if self.config.reading == "header":
            head = _read_header(body)
        else:
            assert isinstance(body, Path)  # reading="full" always spools
            head = self._read_full(body)
        if announced is not None and announced != head.kind:
            raise _Refusal(
                "10", f"messagetype is {announced} but the body is a {head.kind} package"
            )
        from_organ = head.from_organ
        from_param = call.params.get("from")
        for claimed in (from_organ, from_param):
            if claimed is not None and claimed not in system.addresses:
                raise _Refusal(
                    "13", f"Don vi gui {claimed} khong dung voi ma da dang ky: {system.system_id}"
                )
        if not from_organ:
            raise _Refusal("10", "Goi tin khong hop le: the package has no From/OrganId")
        to_organs, title, notation, document_id = (
            head.to_organs,
            head.title,
            head.notation,
            head.document_id,
        )
        if not to_organs:
            raise _Refusal("18", "Khong co don vi nhan: the package names no receiver")
        unknown = [organ for organ in to_organs if self.store.route(organ) is None]
        if len(unknown) == len(to_organs):
            raise _Refusal(
                "18",
                "Khong tim thay don vi nhan (no receiver is registered with the hub): "
                + ", ".join(unknown),
            )
        message, new = self.store.accept(
            sender=system.system_id,
            from_organ=from_organ,
            message_type=head.kind,
            sha256=sha256,
            size=size,
            body=body,
            document_id=document_id,
            title=title,
            notation=notation,
            to_organs=to_organs,
        )
        desc = _OK
        if not new:
            desc += (
                " (da nhan truoc do: the same package was already accepted; not delivered again)"
            )
            log.info("hub: %s re-sent message %s", system.system_id, message.doc_id)
        else:
            log.info(
                "hub: %s sent %s message %s (%d bytes) to %s",
                system.system_id,
                message.message_type,
                message.doc_id,
                size,
                ", ".join(to_organs),
            )
        if unknown:
            desc += "; khong tim thay don vi nhan (not registered, not delivered): " + ", ".join(
                unknown
            )
        return _Answer(
            {"status": "OK", "ErrorCode": "0", "ErrorDesc": desc, "DocId": message.doc_id}
        )

    def _read_full(self, path: Path) -> _Head:
        """Read the package with the library's reader (attachments decoded and checked)."""
        try:
            result = read(path, spool_dir=self.store.blob_dir / "incoming")
        except VbdtError as exc:
            raise _Refusal("10", f"Goi tin khong hop le (not a readable package): {exc}") from None
        with result:
            package = result.package
            errors = result.errors
        if self.config.refuse_invalid and errors:
            first = errors[0]
            raise _Refusal(
                "10",
                f"Goi tin khong hop le: [{first.rule}] {first.message}"
                + (f" ({first.path})" if first.path else ""),
            )
        return _head(package)

    # -- receiving ------------------------------------------------------------------------------

    async def _received_list(self, call: _Call, receive: _Body) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        message_type = _message_type(call)
        items = await _quick(
            self.store.received,
            call.system.system_id,
            message_type=message_type,
            limit=self.config.max_list_items,
        )
        return _ok(data=[_notice(d) for d in items])

    async def _count(self, call: _Call, receive: _Body, message_type: str) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        items = await _quick(
            self.store.received, call.system.system_id, message_type=message_type, limit=-1
        )
        return _ok(count=len(items))

    async def _count_edoc(self, call: _Call, receive: _Body) -> _Answer:
        return await self._count(call, receive, "edoc")

    async def _count_status(self, call: _Call, receive: _Body) -> _Answer:
        return await self._count(call, receive, "status")

    def _own_delivery(self, call: _Call) -> Delivery:
        doc_id = call.params.get("docId") or call.params.get("docid")
        if not doc_id:
            raise _Refusal("31", "Thieu tham so docId (the docId parameter is missing)")
        delivery = self.store.delivery(doc_id.strip())
        if delivery is None or delivery.receiver != call.system.system_id:
            raise _Refusal("30", f"Khong tim thay van ban (no message {doc_id} for this system)")
        return delivery

    async def _get_edoc(self, call: _Call, receive: _Body) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        delivery = await _quick(self._fetch, call)
        answer = _ok()
        answer.stream = self.store.stored(delivery.message)
        return answer

    async def _download_edoc(self, call: _Call, receive: _Body) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        delivery = await _quick(self._fetch, call)
        return _Answer({}, stream=self.store.stored(delivery.message), raw=True)

    def _fetch(self, call: _Call) -> Delivery:
        delivery = self._own_delivery(call)
        if delivery.received is None:
            self.store.mark_received(delivery.doc_id)
        log.info("hub: %s fetched %s", call.system.system_id, delivery.doc_id)
        return delivery

    async def _update_status(self, call: _Call, receive: _Body) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        return await _quick(self._set_status, call)

    def _set_status(self, call: _Call) -> _Answer:
        text = call.params.get("status", "").strip().lower()
        try:
            state = DeliveryState(text)
        except ValueError:
            raise _Refusal(
                "31",
                f"Trang thai khong hop le: status must be initial, processing, done or fail, "
                f"not {call.params.get('status')!r}",
            ) from None
        delivery = self._own_delivery(call)
        # the store keeps a done whatever is asked (also when another request acknowledged it
        # since the lookup above): a state other than the one asked is that refusal
        if self.store.set_state(delivery.doc_id, state).state is not state:
            raise _Refusal(
                "32", f"Van ban {delivery.doc_id} da nhan (done is final; cannot become {text})"
            )
        log.info("hub: %s set %s to %s", call.system.system_id, delivery.doc_id, state.value)
        return _ok()

    # -- the sender's view, the directory ---------------------------------------------------------

    async def _sent_list(self, call: _Call, receive: _Body) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        rows = await _quick(
            self.store.sent,
            call.system.system_id,
            message_type=_message_type(call),
            doc_id=call.params.get("docId") or call.params.get("docid") or None,
            limit=self.config.max_list_items,
        )
        return _ok(data=[_sent_row(d) for d in rows])

    async def _agencies(self, call: _Call, receive: _Body) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        rows = await _quick(self.store.agencies)
        return _ok(
            data=[
                {
                    "id": code,
                    "pid": "" if code == system else system,
                    "code": code,
                    "name": name or code,
                    "mail": mail,
                    "oldCode": "",
                }
                for code, system, name, mail, _pcode in rows
            ]
        )

    async def _register_agency(self, call: _Call, receive: _Body) -> _Answer:
        body = await _read_small(receive)
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            raise _Refusal("31", "registerAgency needs a JSON object body") from None
        if not isinstance(data, dict):
            raise _Refusal("31", "registerAgency needs a JSON object body")
        code = str(data.get("code") or data.get("id") or "").strip()
        if not code:
            raise _Refusal("31", "registerAgency needs the agency's code")

        def register() -> None:
            try:
                self.store.add_organ(
                    call.system.system_id,
                    code,
                    name=str(data.get("name") or ""),
                    mail=str(data.get("mail") or ""),
                )
            except HubStoreError as exc:
                raise _Refusal("31", str(exc)) from None

        await _quick(register)
        log.info("hub: %s registered agency %s", call.system.system_id, code)
        return _ok()

    async def _delete_agency(self, call: _Call, receive: _Body) -> _Answer:
        await _drain(receive, _SMALL_BODY)
        code = (call.params.get("AgencyCode") or call.params.get("agencycode") or "").strip()
        if not code:
            raise _Refusal("31", "deleteAgency needs the AgencyCode parameter")
        removed = await _quick(self.store.remove_organ, call.system.system_id, code)
        if not removed:
            raise _Refusal("30", f"no agency {code} under system {call.system.system_id}")
        return _ok()


# -- helpers ------------------------------------------------------------------------------------


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        try:
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            value = raw_value.decode("latin-1")
        headers[name] = value
    return headers


def _message_type(call: _Call) -> str | None:
    value = call.params.get("messagetype", "").strip().lower()
    if value in ("", "all"):
        return None
    if value not in ("edoc", "status"):
        raise _Refusal("31", f"messagetype must be edoc or status, not {value!r}")
    return value


@attrs.frozen
class _Head:
    """What the hub needs from a package's header."""

    kind: str
    from_organ: str | None
    to_organs: list[str]
    title: str
    notation: str
    document_id: str | None


def _head(package: EdocPackage | StatusPackage) -> _Head:
    from_organ = (
        package.from_.organ_id.strip() if package.from_ and package.from_.organ_id else None
    )
    if isinstance(package, EdocPackage):
        organs = [o.organ_id.strip() for o in package.to if o.organ_id and o.organ_id.strip()]
        code = package.code
        notation = "/".join(p for p in (code.number, code.notation) if p) if code else ""
        return _Head(
            "edoc", from_organ, organs, package.subject or "", notation, package.document_id
        )
    response = package.response_for
    return _Head(
        "status",
        from_organ,
        [response.organ_id.strip()] if response and response.organ_id else [],
        f"Trang thai {package.status_code or ''}".strip(),
        (response.code or "") if response else "",
        response.document_id if response else None,
    )


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _read_header(source: Path | bytes, limit: int = 16 * 1024 * 1024) -> _Head:
    """The header of a package read with a pull parser that stops after ``MessageHeader``
    (``HubConfig.reading == "header"``); the attachments are not read, but the package must end
    with the closing tag of its ``edXML`` root (a package cut short is refused)."""
    parser = etree.XMLPullParser(
        events=("end",),
        tag="{*}MessageHeader",  # in any namespace, or none
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    seen = 0
    message: Any = None
    end = b""
    carry = b""  # the previous chunk's last bytes: a DOCTYPE split between two chunks
    with open(source, "rb") if isinstance(source, Path) else io.BytesIO(source) as f:
        step = 1024
        while message is None:
            # the header is at the start: parse little else (each byte fed is parsed, and
            # the attachments' text follows the header); 1 KiB first (a header often ends
            # there), then 4 KiB at a time
            chunk = f.read(step)
            step = 4096
            if not chunk:
                break
            if _DOCTYPE.search(carry + chunk) or (seen == 0 and chunk.lstrip()[:1] != b"<"):
                raise _Refusal(
                    "10",
                    "Goi tin khong hop le (not a readable package): "
                    "not XML, or a DOCTYPE (refused for safety)",
                )
            seen += len(chunk)
            carry = chunk[-8:]
            if seen > limit:
                raise _Refusal(
                    "10", f"Goi tin khong hop le: no MessageHeader in the first {limit} bytes"
                )
            try:
                parser.feed(chunk)
                for _, element in parser.read_events():
                    message = element
                    break
            except etree.XMLSyntaxError as exc:
                raise _Refusal(
                    "10", f"Goi tin khong hop le (not a readable package): {exc}"
                ) from None
        if message is not None:
            # a package cut short (an interrupted upload, a truncated file) ends elsewhere
            size = os.fstat(f.fileno()).st_size if isinstance(source, Path) else len(source)
            f.seek(max(0, size - _TAIL))
            end = f.read(_TAIL)
    if message is None:
        raise _Refusal("10", "Goi tin khong hop le (not a readable package): no MessageHeader")
    root = message.getroottree().getroot()
    if _local(root.tag) != "edXML":
        raise _Refusal(
            "10", f"Goi tin khong hop le: the root element is {_local(root.tag)}, not edXML"
        )
    encoding = (message.getroottree().docinfo.encoding or "utf-8").lower()
    wide = encoding.startswith(("utf-16", "utf-32", "ucs"))  # not ASCII-compatible: not checked
    if not wide and not _END_TAG.search(end):
        raise _Refusal(
            "10",
            "Goi tin khong hop le (not a readable package): it does not end with the closing "
            "tag of edXML (cut short?)",
        )

    def first(parent: Any) -> dict[str, Any]:
        """The first child element of each local name (comments and PIs skipped)."""
        found: dict[str, Any] = {}
        for child in parent:
            if isinstance(child.tag, str):
                found.setdefault(_local(child.tag), child)
        return found

    def text(kids: dict[str, Any], *names: str) -> str | None:
        node = kids.get(names[0])
        for name in names[1:]:
            if node is None:
                return None
            node = first(node).get(name)
        if node is None:
            return None
        value = (node.text or "").strip()
        return value or None

    kids = first(message)
    from_organ = text(kids, "From", "OrganId")
    if "StatusCode" in kids and "To" not in kids:
        response = kids.get("ResponseFor")
        of = first(response) if response is not None else {}
        organ = text(of, "OrganId")
        return _Head(
            "status",
            from_organ,
            [organ] if organ else [],
            f"Trang thai {text(kids, 'StatusCode') or ''}".strip(),
            text(of, "Code") or "",
            text(of, "DocumentId"),
        )
    organs = []
    for to in message:
        if _local(to.tag) == "To":
            organ = text(first(to), "OrganId")
            if organ:
                organs.append(organ)
    code = first(kids["Code"]) if "Code" in kids else {}
    notation = "/".join(p for p in (text(code, "CodeNumber"), text(code, "CodeNotation")) if p)
    return _Head(
        "edoc",
        from_organ,
        organs,
        text(kids, "Subject") or "",
        notation,
        text(kids, "DocumentId"),
    )


def _time(moment: datetime.datetime | None) -> str:
    return moment.isoformat(" ") if moment else ""


def _notice(d: Delivery) -> dict[str, Any]:
    return {
        "docId": d.doc_id,
        "serviceType": "eDoc",
        "messageType": d.message.message_type,
        "created_time": _time(d.message.created),
        "updated_time": _time(d.updated),
        "from": d.message.from_organ,
        "to": d.to_organ,
        "status": d.state.value,
        "status_desc": _STATE_DESC[d.state],
        "contentSha256": d.message.sha256,
        "contentLength": d.message.size,
    }


def _sent_row(d: Delivery) -> dict[str, Any]:
    return {
        "serviceType": "eDoc",
        "messageType": d.message.message_type,
        "senderDocId": d.message.doc_id,
        "receiverDocId": d.doc_id if d.sent else "",
        "fromCode": d.message.from_organ,
        "toCode": d.to_organ,
        "title": d.message.title,
        "notation": d.message.notation,
        "sentTime": _time(d.message.created),
        "receivedTime": _time(d.received),
        "sendStatus": "done" if d.sent else "fail",
        "sendStatusDesc": "Da gui" if d.sent else "Khong tim thay don vi nhan",
        "receiveStatus": d.state.value if d.sent else "",
        "receiveStatusDesc": _STATE_DESC[d.state] if d.sent else "",
    }


def _truncate(path: Path, size: int) -> None:
    os.truncate(path, size)


def _multipart_part(source: BinaryIO, boundary: bytes, name: bytes, out: BinaryIO) -> bool:
    """Copy the content of the part called ``name`` to ``out``, streaming; whether found.

    A second part of that name is refused: which one counts would depend on the parser (a
    proxy or a logger may read the other one)."""
    delimiter = b"\r\n--" + boundary
    keep = len(delimiter) - 1
    buf = b"\r\n"  # so that a delimiter at the very start matches like the others
    state = "preamble"
    wanted = False
    got = False
    eof = False
    while not eof:
        chunk = source.read(_CHUNK)
        eof = not chunk
        buf += chunk
        while True:
            if state in ("preamble", "content"):
                i = buf.find(delimiter)
                if i < 0:
                    if len(buf) > keep:
                        if wanted:
                            out.write(buf[:-keep])
                        buf = buf[-keep:]
                    break
                if wanted:
                    out.write(buf[:i])
                    wanted, got = False, True
                buf = buf[i + len(delimiter) :]
                state = "delimiter"
            if state == "delimiter":
                if len(buf) < 2 and not eof:
                    break
                if buf.startswith(b"--"):
                    return got
                j = buf.find(b"\r\n")
                if j < 0:
                    if len(buf) > 1024 or eof:
                        raise _Refusal("10", "a malformed multipart body")
                    break
                buf = buf[j + 2 :]
                state = "headers"
            if state == "headers":
                if buf.startswith(b"\r\n"):
                    head, buf = b"", buf[2:]
                else:
                    j = buf.find(b"\r\n\r\n")
                    if j < 0:
                        if len(buf) > 16 * 1024 or eof:
                            raise _Refusal("10", "a malformed multipart body (part headers)")
                        break
                    head, buf = buf[:j], buf[j + 4 :]
                found = None
                for line in head.split(b"\r\n"):
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-disposition":
                        m = _PART_NAME.search(value)
                        found = m.group(1) if m else None
                wanted = found == name
                if wanted and got:
                    raise _Refusal(
                        "10", f"the multipart body has two parts named {name.decode('latin-1')}"
                    )
                state = "content"
    return got


class _Digests:
    """SHA-256 of a body and of the body but its last two bytes (the SDK's CRLF), in one pass
    and without copying the body."""

    def __init__(self) -> None:
        self.but_two = hashlib.sha256()
        self.tail = b""

    def update(self, chunk: bytes) -> None:
        if len(chunk) >= 2:
            self.but_two.update(self.tail)
            self.but_two.update(memoryview(chunk)[:-2])
            self.tail = chunk[-2:]
        else:
            data = self.tail + chunk
            self.but_two.update(data[:-2])
            self.tail = data[-2:]

    def settle(self, given: str | None, size: int) -> tuple[str, int]:
        """The package's SHA-256 (hex) and size: the whole body, or the body without a trailing
        CRLF when that is what ``hash-file`` (``given``) names, or when there is no
        ``hash-file`` and the body ends with one (as the SDK sends it)."""
        whole = self.but_two.copy()
        whole.update(self.tail)
        crlf = self.tail == b"\r\n"
        if given is None:
            return (self.but_two.hexdigest(), size - 2) if crlf else (whole.hexdigest(), size)
        if hash_file_matches(given, whole.digest()):
            return whole.hexdigest(), size
        if crlf and hash_file_matches(given, self.but_two.digest()):
            return self.but_two.hexdigest(), size - 2
        raise _Refusal(
            "11", "Ma bam khong khop: XroadVnpt-hash-file does not match the package sent"
        )


def _inline(call: _Call) -> bool:
    """Whether a ``sendEdoc`` body may be kept in memory: a declared length within
    :data:`_INLINE_BODY`, and not multipart (whose part goes through a file)."""
    declared = call.headers.get("content-length", "").strip()
    return (
        declared.isdigit()
        and int(declared) <= _INLINE_BODY
        and not call.headers.get("content-type", "").lower().startswith("multipart/")
    )


async def _quick(func: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run a short store operation (one small SQLite statement or transaction) on the event
    loop's thread: a hop to a worker thread costs more than the operation. Only reading a
    package and copying files go to threads."""
    return func(*args, **kwargs)


class _Body:
    """The request's ``receive``, remembering whether the body was read to its end, and
    bounding the time the body may take (:attr:`HubConfig.body_timeout` plus a second per
    :attr:`HubConfig.min_body_rate` bytes received): a slow body is refused with code ``10``
    and HTTP 408."""

    def __init__(self, receive: Receive, config: HubConfig) -> None:
        self._receive = receive
        self.done = False
        self._timeout = config.body_timeout
        self._rate = config.min_body_rate
        self._start = time.monotonic()
        self._received = 0
        self.abandoned = False

    def abandon(self) -> None:
        """Read no more of the body (the connection is closed after the answer)."""
        self.done = self.abandoned = True

    async def __call__(self) -> Message:
        if self.done:
            return {"type": "http.request", "body": b"", "more_body": False}
        if self._timeout is None:
            message = await self._receive()
        else:
            allowed = self._timeout.total_seconds() + self._received / self._rate
            left = self._start + allowed - time.monotonic()
            try:
                # a deadline on this task: wait_for would start a new task per message
                async with asyncio.timeout(max(left, 0.0)):
                    message = await self._receive()
            except TimeoutError:
                self.abandon()
                raise _Refusal(
                    "10",
                    f"Het thoi gian nhan (body timeout): the body did not arrive within "
                    f"{allowed:.0f} s ({self._received} bytes received)",
                    http_status=408,
                ) from None
        self._received += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.done = True
        return message


async def _drain(receive: _Body, limit: int) -> None:
    """Consume what is left of a request body (up to ``limit`` bytes), discarding it."""
    seen = 0
    while not receive.done and seen <= limit:
        message = await receive()
        seen += len(message.get("body", b""))


async def _read_small(receive: _Body) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _SMALL_BODY:
            raise _Refusal("12", f"the body is larger than {_SMALL_BODY} bytes")
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def _respond(send: Send, answer: _Answer, *, close: bool = False) -> None:
    if answer.stream is None:
        body = json.dumps(answer.payload, ensure_ascii=False).encode("utf-8")
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        if close:
            headers.append((b"connection", b"close"))
        await send(
            {"type": "http.response.start", "status": answer.http_status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": body})
        return
    size = answer.stream.size
    with contextlib.ExitStack() as files:
        # opened (or read) before the answer starts: a package that cannot be read is an error
        # answer, not a cut one
        if size > _B64_CHUNK:
            pieces = _read_in_thread(files.enter_context(answer.stream.open()))
        else:  # one read, on the event loop: less than a hop to a thread
            pieces = _these(answer.stream.read())
        if answer.raw:
            length = size
            content_type = b"application/octet-stream"
            head = tail = b""
        else:
            head = json.dumps(answer.payload, ensure_ascii=False)[:-1].encode() + b', "data": "'
            tail = b'"}'
            length = len(head) + 4 * ((size + 2) // 3) + len(tail)
            content_type = b"application/json; charset=utf-8"
        start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", content_type), (b"content-length", str(length).encode())],
        }
        await send(start)
        if head:
            await send({"type": "http.response.body", "body": head, "more_body": True})
        # joining head, data and tail would copy the data once more (fresh pages: slower)
        async for chunk in pieces:
            data = chunk if answer.raw else _b64encode(chunk)
            await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": tail})


async def _read_in_thread(f: BinaryIO) -> AsyncIterator[bytes]:
    """The pieces of a large stored package, each read in a worker thread."""
    while chunk := await asyncio.to_thread(f.read, _B64_CHUNK):
        yield chunk


async def _these(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def _b64encode_stdlib(data: bytes) -> bytes:
    return binascii.b2a_base64(data, newline=False)


_b64encode: Callable[[bytes], bytes]
try:  # SIMD base64 (the "fast" extra): getEdoc's encoding ~30 times faster than binascii's
    import pybase64

    _b64encode = pybase64.b64encode
except ImportError:  # pragma: no cover - tested with the extra installed
    _b64encode = _b64encode_stdlib


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
