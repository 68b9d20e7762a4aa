"""A client of the Quảng Nam style LGSP (a WSO2 API Manager): an OAuth2 client-credentials
token, and the unit's secret with every call (axis spec §7.2).

Known from one public client generated from the province's API: token from
``{gateway}/token``; base path ``/truclienthong/v1.0.0``; ``GET /vanbans`` (received),
``GET /vanbans/{docId}`` (one package, base64 in ``data``), ``POST /vanbans`` (base64 of the
package and its type), ``PUT /vanbans/{docId}`` (``INITIAL|PROCESSING|DONE|FAIL``),
``GET /donvilienthongs`` (national units), ``GET /donvilienthongs/qn`` (the province's),
``POST /donvilienthongs`` (register), ``PUT /donvilienthongs`` (unregister). Answers carry
``status``, ``errorCode``, ``errorDesc``.

Where the generated client hides the placement of a parameter (the unit secret, the status, the
package), this adapter uses the choices in :class:`QuangNamConfig` (``secret`` header, query
parameters, a JSON body ``{"type", "data"}``) — check them against your hub's API description.
TLS is verified (the public example turned verification off: do not).
"""

from __future__ import annotations

import json
import math
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

import attrs
import httpx

from vbdt_exchange.adapters._http import (
    CHUNK,
    GiB,
    JsonBase64Stream,
    MiB,
    RetryPolicy,
    Timeouts,
    Upload,
    parse_json,
    sink,
    with_retries,
)
from vbdt_exchange.adapters._lgsp import TokenClient, gateway_failure
from vbdt_exchange.adapters.base import (
    Acknowledged,
    Agency,
    DeliveryState,
    Destination,
    Fetched,
    MessageType,
    Notice,
    PackageSource,
    ReceiverState,
    SentMessage,
    parse_axis_time,
    sniff_message_type,
)
from vbdt_exchange.adapters.errors import (
    AxisAuthError,
    AxisConfigError,
    AxisProtocolError,
    AxisRefused,
    AxisUnsupported,
    Outcome,
)

__all__ = ["QuangNamClient", "QuangNamConfig"]


def _secret(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


@attrs.frozen(repr=False)
class QuangNamConfig:
    """How to reach a Quảng Nam style LGSP.

    :ivar gateway: the API manager's URL (``https://host:8247``); the token is at
        ``{gateway}/token``.
    :ivar system_id: our organ id (the ``From`` of what we send).
    :ivar client_id: the OAuth2 consumer key.
    :ivar client_secret: the OAuth2 consumer secret (hidden from ``repr``).
    :ivar unit_secret: the unit's secret ("mã định danh đơn vị") sent with every call (hidden).
    :ivar base_path: the API's base path.
    :ivar unit_secret_header: the header that carries ``unit_secret``.
    :ivar timeouts: connect/read/write timeouts.
    :ivar retry: how calls that are safe to repeat are repeated.
    :ivar max_package_bytes: the largest package sent or fetched.
    :ivar max_answer_bytes: the largest JSON answer read (lists).
    :ivar verify: TLS verification: ``True`` or a CA bundle path.
    :ivar test: a test hub: plain ``http://`` is expected (no warning).
    """

    gateway: str
    system_id: str
    client_id: str
    client_secret: str = attrs.field(converter=_secret)
    unit_secret: str = attrs.field(converter=_secret)
    base_path: str = "/truclienthong/v1.0.0"
    unit_secret_header: str = "secret"  # noqa: S105 - a header name, not a secret
    timeouts: Timeouts = attrs.field(factory=lambda: Timeouts(transfer_read=60.0))
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_package_bytes: int = 2 * GiB
    max_answer_bytes: int = 256 * MiB
    verify: bool | str = True
    test: bool = False

    def __repr__(self) -> str:
        return f"QuangNamConfig(gateway={self.gateway!r}, system_id={self.system_id!r}, ...)"


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _Base64Json:
    """The JSON body ``{"type": …, "data": "<base64 of the package>"}``, produced as it is
    sent (never the whole base64 in memory) and produced again for a repeated request."""

    def __init__(self, upload: Upload, kind: str) -> None:
        self.upload = upload
        self.head = json.dumps({"type": kind})[:-1].encode() + b', "data": "'
        self.tail = b'"}'

    @property
    def length(self) -> int:
        return len(self.head) + 4 * math.ceil(self.upload.size / 3) + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        import base64

        yield self.head
        rest = b""
        for chunk in self.upload.chunks(suffix=False):
            chunk = rest + chunk
            whole = len(chunk) // 3 * 3
            rest = chunk[whole:]
            if whole:
                yield base64.b64encode(chunk[:whole])
        if rest:
            yield base64.b64encode(rest)
        yield self.tail


class QuangNamClient(TokenClient):
    """A :class:`~vbdt_exchange.adapters.base.Channel` to a Quảng Nam style LGSP.

    :param config: :class:`QuangNamConfig`.
    :param transport: an httpx transport instead of the network (tests).
    :param sleep: how to wait between retries.
    :param clock: the wall clock in seconds since the epoch (token expiry).
    """

    what = "LGSP Quảng Nam"

    def __init__(
        self,
        config: QuangNamConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for name in ("system_id", "client_id", "client_secret", "unit_secret"):
            if not getattr(config, name):
                raise AxisConfigError(f"{self.what}: {name} is empty")
        self.config = config
        gateway = config.gateway.rstrip("/")
        super().__init__(
            gateway + "/" + config.base_path.strip("/"),
            timeouts=config.timeouts,
            retry=config.retry,
            verify=config.verify,
            test=config.test,
            max_answer_bytes=config.max_answer_bytes,
            transport=transport,
            sleep=sleep,
            clock=clock,
        )
        self._token_url = gateway + "/token"

    @property
    def system_id(self) -> str:
        return self.config.system_id

    def __enter__(self) -> QuangNamClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"QuangNamClient({self.base!r}, system_id={self.system_id!r})"

    # -- authentication ----------------------------------------------------------------------

    def _login(self) -> tuple[str, float | None]:
        operation = "token"
        auth = httpx.BasicAuth(self.config.client_id, self.config.client_secret)
        status, raw = self.call(
            operation,
            "POST",
            self._token_url,
            build=lambda: {"data": {"grant_type": "client_credentials"}, "auth": auth},
            authenticated=False,
        )
        assert isinstance(raw, bytes)
        failure = gateway_failure(operation, status, uploading=False)
        if failure is not None:
            raise failure
        answer = parse_json(raw, operation, status) if raw.strip() else {}
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if status >= 400 or not isinstance(token, str) or not token:
            error = (
                answer.get("error_description") or answer.get("error")
                if isinstance(answer, dict)
                else None
            )
            raise AxisAuthError(
                f"token refused: {error or f'HTTP {status}, no access_token'}",
                code=_text(answer.get("error")) if isinstance(answer, dict) else None,
                operation=operation,
                http_status=status,
            )
        expires_in = answer.get("expires_in")
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            return token, self._clock() + float(expires_in)
        return token, None

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            self.config.unit_secret_header: self.config.unit_secret,
            "Accept": "application/json",
        }

    # -- answers -----------------------------------------------------------------------------

    def _check(self, operation: str, status: int, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise AxisProtocolError("the answer is not a JSON object", operation=operation)
        state = answer.get("status")
        code = answer.get("errorCode", answer.get("ErrorCode"))
        code_text = None if code is None else str(code).strip()
        ok = (
            200 <= status < 300
            and (not isinstance(state, str) or state.upper() in ("OK", "SUCCESS", "200"))
            and code_text in (None, "", "0")
        )
        if ok:
            return answer
        description = (
            _text(answer.get("errorDesc", answer.get("ErrorDesc")))
            or _text(answer.get("message"))
            or f"HTTP {status}"
        )
        if status in (401, 403):
            raise AxisAuthError(
                description, code=code_text, operation=operation, http_status=status
            )
        outcome = Outcome.REJECTED_PACKAGE if status in (400, 413, 422) else Outcome.UNKNOWN
        raise AxisRefused(
            description, code=code_text, outcome=outcome, operation=operation, http_status=status
        )

    def _json(self, operation: str, method: str, path: str, **request: Any) -> dict[str, Any]:
        retry = request.pop("retry", True)

        def attempt() -> dict[str, Any]:
            status, raw = self.call(operation, method, path, build=lambda: request, retry=False)
            assert isinstance(raw, bytes)
            failure = gateway_failure(operation, status, uploading=False)
            if failure is not None:
                raise failure
            return self._check(operation, status, parse_json(raw, operation, status))

        if not retry:
            return attempt()
        return with_retries(attempt, self.retry, operation=operation, sleep=self._sleep)

    # -- the channel -------------------------------------------------------------------------

    def send(
        self,
        package: PackageSource,
        *,
        message_type: MessageType | None = None,
        to: Sequence[str] = (),
    ) -> SentMessage:
        """``POST /vanbans``: the package as base64 in a JSON body, encoded as it is sent."""
        operation = "vanbansPost"
        with Upload(package, max_bytes=self.config.max_package_bytes) as upload:
            kind = message_type or sniff_message_type(upload.head())
            body = _Base64Json(upload, kind)

            def build() -> Mapping[str, Any]:
                return {
                    "content": body,
                    "headers": {
                        "Content-Type": "application/json",
                        "Content-Length": str(body.length),
                    },
                }

            status, raw = self.call(
                operation, "POST", "/vanbans", build=build, transfer=True, uploading=True
            )
            assert isinstance(raw, bytes)
            failure = gateway_failure(operation, status, uploading=True)
            if failure is not None:
                raise failure
            answer = self._check(operation, status, parse_json(raw, operation, status))
            doc_id = answer.get("docId", answer.get("DocId"))
            if not isinstance(doc_id, str) or not doc_id:
                raise AxisProtocolError("the answer has no docId", operation=operation)
            return SentMessage(
                doc_id, kind, upload.sha256, upload.size, _text(answer.get("errorDesc"))
            )

    def received(self, message_type: MessageType = "edoc") -> list[Notice]:
        """``GET /vanbans``: the received list (``message_type`` filters its rows)."""
        operation = "vanbansGet"
        answer = self._json(operation, "GET", "/vanbans")
        rows = answer.get("data") or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise AxisProtocolError("data is not a list of objects", operation=operation)
        notices = []
        for row in cast(list[dict[str, Any]], rows):
            kind = "status" if str(row.get("messageType", "edoc")).lower() == "status" else "edoc"
            if kind != message_type:
                continue
            doc_id = _text(row.get("docId"))
            if not doc_id:
                raise AxisProtocolError("a row has no docId", operation=operation)
            notices.append(
                Notice(
                    doc_id=doc_id,
                    from_=_text(row.get("from")),
                    to=_text(row.get("to")),
                    message_type=message_type,
                    state=DeliveryState.maybe(row.get("status")),
                    status_text=_text(row.get("status")),
                    status_desc=_text(row.get("statusDesc")),
                    created=parse_axis_time(row.get("createdTime")),
                    service_type=_text(row.get("serviceType")),
                )
            )
        return notices

    def fetch(self, doc_id: str, into: Destination) -> Fetched:
        """``GET /vanbans/{docId}``: the base64 in ``data``, decoded as it arrives."""
        operation = "vanbansDocIdGet"
        path = "/vanbans/" + urllib.parse.quote(doc_id, safe="")
        with sink(doc_id, into, self.config.max_package_bytes, operation) as out:
            parser = JsonBase64Stream("data", out.write, operation)

            def consume(response: httpx.Response) -> dict[str, Any]:
                nonlocal parser
                out.reset()  # a repeated attempt starts again
                parser = JsonBase64Stream("data", out.write, operation)
                for chunk in response.iter_bytes(CHUNK):
                    parser.feed(chunk)
                parser.finish()
                return parser.members

            status, result = self.call(operation, "GET", path, consume=consume, transfer=True)
            if isinstance(result, bytes):  # not a 2xx: an error answer
                failure = gateway_failure(operation, status, uploading=False)
                if failure is not None:
                    raise failure
                self._check(operation, status, parse_json(result, operation, status))
                raise AxisProtocolError(f"HTTP {status}", operation=operation)
            self._check(operation, status, result)
            if not parser.found:
                raise AxisProtocolError("the answer carries no package (data)", operation=operation)
            return out.commit()

    def acknowledge(self, doc_id: str, state: DeliveryState | str) -> Acknowledged:
        """``PUT /vanbans/{docId}`` with the state in capitals (``DONE``)."""
        state = state if isinstance(state, DeliveryState) else DeliveryState.parse(state)
        path = "/vanbans/" + urllib.parse.quote(doc_id, safe="")
        answer = self._json("vanbansDocIdPut", "PUT", path, params={"status": state.value.upper()})
        return Acknowledged(doc_id, state, _text(answer.get("errorDesc")))

    def sent(
        self, doc_id: str | None = None, message_type: MessageType = "edoc"
    ) -> list[ReceiverState]:
        raise AxisUnsupported("the Quảng Nam LGSP has no sent list", operation="sent")

    def agencies(self) -> list[Agency]:
        """``GET /donvilienthongs``: the national units."""
        return self._agencies("donvilienthongsGet", "/donvilienthongs")

    def province_agencies(self) -> list[Agency]:
        """``GET /donvilienthongs/qn``: the province's units."""
        return self._agencies("donvilienthongsQnGet", "/donvilienthongs/qn")

    def _agencies(self, operation: str, path: str) -> list[Agency]:
        answer = self._json(operation, "GET", path)
        rows = answer.get("data") or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise AxisProtocolError("data is not a list of objects", operation=operation)
        agencies = []
        for row in cast(list[dict[str, Any]], rows):
            code = _text(row.get("code"))
            if not code:
                raise AxisProtocolError("a unit has no code", operation=operation)
            agencies.append(
                Agency(
                    code=code,
                    name=_text(row.get("name")),
                    id=_text(row.get("id")),
                    parent=_text(row.get("pid")),
                    mail=_text(row.get("email", row.get("mail"))),
                )
            )
        return agencies

    def register_agency(self, agency: Agency) -> None:
        """``POST /donvilienthongs``: register a unit (not retried)."""
        body = {
            "code": agency.code,
            "pcode": agency.parent or "",
            "name": agency.name or "",
            "email": agency.mail or "",
            "mobile": agency.mobile or "",
            "fax": agency.fax or "",
        }
        self._json("donvilienthongsPost", "POST", "/donvilienthongs", json=body, retry=False)

    def delete_agency(self, code: str) -> None:
        """``PUT /donvilienthongs``: unregister the unit ``code`` (not retried)."""
        self._json(
            "donvilienthongsPut",
            "PUT",
            "/donvilienthongs",
            params={"agencyCode": code},
            retry=False,
        )
