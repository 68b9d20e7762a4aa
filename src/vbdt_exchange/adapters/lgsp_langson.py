"""A client of the Lạng Sơn style LGSP: a log-in for a bearer token, and ``X-SystemId`` and
``X-SecretKey`` on every call (axis spec §7.1).

The shapes follow the one public client of that hub (its authors fixed them against the
province's Postman collection): ``POST /v1/auth/login?allow_anonymous=true`` with ``username``,
``password`` and ``applicationCode`` → ``data.token`` (a JWT, about 30 minutes);
``POST /v1/sendEdoc`` (multipart ``edocFile`` + ``messageType``);
``GET /v1/syncReceivedEdocList?messageType=…&fromDate=YYYY/MM/DD&toDate=YYYY/MM/DD``;
``GET /v1/getEdoc?docId=…`` (the package in ``data.edxml``); ``POST /v1/updateStatus``
(``{docId, status}``); ``GET /v1/getAgenciesList`` (paginated, ``data.content[]``). The hub has
no sent list and no agency registration: those raise
:class:`~vbdt_exchange.adapters.errors.AxisUnsupported`.

Its error codes (:data:`ERROR_CODES`) map onto the shared :class:`Outcome`\\ s. The token is
fetched when needed, renewed before it expires (the JWT's ``exp``, else 29 minutes) and, when
the hub answers 401 anyway, fetched again once.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs
import httpx

from vbdt_exchange.adapters._http import (
    GiB,
    MiB,
    RetryPolicy,
    Timeouts,
    Upload,
    parse_json,
    sink,
    with_retries,
)
from vbdt_exchange.adapters._lgsp import TokenClient, gateway_failure, jwt_expiry
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
    AxisUnavailable,
    AxisUnsupported,
    Outcome,
)

__all__ = ["ERROR_CODES", "LangSonClient", "LangSonConfig"]

#: The Lạng Sơn LGSP's error codes: (outcome, meaning).
ERROR_CODES: dict[str, tuple[Outcome, str]] = {
    "10": (Outcome.REJECTED_PACKAGE, "invalid file"),
    "15": (Outcome.REJECTED_CREDENTIALS, "wrong SystemId or SecretKey"),
    "18": (Outcome.REJECTED_ADDRESSING, "receiver not found"),
    "19": (Outcome.REJECTED_ADDRESSING, "sender not registered"),
    "20": (Outcome.TRANSIENT, "LGSP system error"),
    "21": (Outcome.TRANSIENT, "file-processing error"),
    "22": (Outcome.REJECTED_PACKAGE, "edXML not conforming"),
    "23": (Outcome.REJECTED_ADDRESSING, "receiver locked"),
}

_VIETNAM = datetime.timezone(datetime.timedelta(hours=7))


def _secret(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


@attrs.frozen(repr=False)
class LangSonConfig:
    """How to reach a Lạng Sơn style LGSP.

    :ivar base_url: the hub's base URL (``https://apiltvb.langson.gov.vn``).
    :ivar system_id: our ``X-SystemId``.
    :ivar secret_key: our ``X-SecretKey`` (hidden from ``repr``).
    :ivar username: the log-in user.
    :ivar password: its password (hidden from ``repr``).
    :ivar application_code: the ``applicationCode`` of the log-in.
    :ivar sync_days: how many days back :meth:`LangSonClient.received` asks for.
    :ivar timeouts: connect/read/write timeouts.
    :ivar retry: how calls that are safe to repeat are repeated.
    :ivar max_package_bytes: the largest package sent or fetched.
    :ivar max_answer_bytes: the largest JSON answer read (a fetched package is inside one).
    :ivar verify: TLS verification: ``True`` or a CA bundle path.
    :ivar test: a test hub: plain ``http://`` is expected (no warning).
    """

    base_url: str
    system_id: str
    secret_key: str = attrs.field(converter=_secret)
    username: str = ""
    password: str = attrs.field(default="", converter=_secret)
    application_code: str = ""
    sync_days: int = 7
    timeouts: Timeouts = attrs.field(factory=lambda: Timeouts(transfer_read=60.0))
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_package_bytes: int = 2 * GiB
    max_answer_bytes: int = 512 * MiB
    verify: bool | str = True
    test: bool = False

    def __repr__(self) -> str:
        return f"LangSonConfig(base_url={self.base_url!r}, system_id={self.system_id!r}, ...)"


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _code(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(value).strip() or None


class LangSonClient(TokenClient):
    """A :class:`~vbdt_exchange.adapters.base.Channel` to a Lạng Sơn style LGSP.

    :param config: :class:`LangSonConfig`.
    :param transport: an httpx transport instead of the network (tests).
    :param sleep: how to wait between retries.
    :param clock: the wall clock in seconds since the epoch (token expiry).
    """

    what = "LGSP Lạng Sơn"

    def __init__(
        self,
        config: LangSonConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for name in ("system_id", "secret_key", "username", "password", "application_code"):
            if not getattr(config, name):
                raise AxisConfigError(f"{self.what}: {name} is empty")
        self.config = config
        super().__init__(
            config.base_url,
            timeouts=config.timeouts,
            retry=config.retry,
            verify=config.verify,
            test=config.test,
            max_answer_bytes=config.max_answer_bytes,
            transport=transport,
            sleep=sleep,
            clock=clock,
        )

    @property
    def system_id(self) -> str:
        return self.config.system_id

    def __enter__(self) -> LangSonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LangSonClient({self.base!r}, system_id={self.system_id!r})"

    # -- authentication ----------------------------------------------------------------------

    def _login(self) -> tuple[str, float | None]:
        operation = "login"
        body = {
            "username": self.config.username,
            "password": self.config.password,
            "applicationCode": self.config.application_code,
            "otp": None,
            "twoFactorProvider": None,
            "typeObjs": [0, 1],
        }
        status, raw = self.call(
            operation,
            "POST",
            "/v1/auth/login",
            build=lambda: {"params": {"allow_anonymous": "true"}, "json": body},
            authenticated=False,
        )
        assert isinstance(raw, bytes)
        failure = gateway_failure(operation, status, uploading=False)
        if failure is not None:
            raise failure
        answer = parse_json(raw, operation, status) if raw.strip() else {}
        data = answer.get("data") if isinstance(answer, dict) else None
        token = (data.get("token") if isinstance(data, dict) else None) or (
            answer.get("token") if isinstance(answer, dict) else None
        )
        if not isinstance(token, str) or not token or status >= 400:
            message = answer.get("message") if isinstance(answer, dict) else None
            raise AxisAuthError(
                f"log-in refused: {message or f'HTTP {status}, no token'}",
                code=_code(answer.get("code")) if isinstance(answer, dict) else None,
                operation=operation,
                http_status=status,
            )
        return token, jwt_expiry(token)

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "X-SystemId": self.config.system_id,
            "X-SecretKey": self.config.secret_key,
            "Accept": "application/json",
        }

    # -- answers -----------------------------------------------------------------------------

    def _answer(
        self, operation: str, status: int, raw: bytes, *, uploading: bool = False
    ) -> dict[str, Any]:
        failure = gateway_failure(operation, status, uploading=uploading)
        if failure is not None:
            raise failure
        answer = parse_json(raw, operation, status)
        if not isinstance(answer, dict):
            raise AxisProtocolError("the answer is not a JSON object", operation=operation)
        data = answer.get("data")
        data_map = data if isinstance(data, dict) else {}
        error_code = _code(data_map.get("errorCode", answer.get("errorCode")))
        code = _code(answer.get("code"))
        details = answer.get("errorDetail")
        data_status = data_map.get("status")
        failed = (
            status >= 400
            or answer.get("success") is False
            or (code is not None and code not in ("0", "200"))
            or (error_code is not None and error_code != "0")
            or bool(details)
            or (isinstance(data_status, str) and data_status.upper() not in ("OK", "SUCCESS"))
        )
        if not failed:
            return answer
        description = (
            _text(data_map.get("errorDesc"))
            or _text(answer.get("message"))
            or (json.dumps(details, ensure_ascii=False) if details else None)
            or f"HTTP {status}"
        )
        refused = error_code or (code if code not in (None, "0", "200") else None)
        outcome, meaning = ERROR_CODES.get(refused or "", (Outcome.UNKNOWN, ""))
        if status in (401, 403):
            outcome = Outcome.REJECTED_CREDENTIALS
        text = (
            f"{description} ({meaning})" if meaning and meaning not in description else description
        )
        if outcome is Outcome.TRANSIENT:
            raise AxisUnavailable(
                f"the hub failed (code {refused}): {text}",
                operation=operation,
                http_status=status,
                code=refused,
                description=description,
            )
        if outcome is Outcome.REJECTED_CREDENTIALS:
            raise AxisAuthError(text, code=refused, operation=operation, http_status=status)
        raise AxisRefused(
            text, code=refused, outcome=outcome, operation=operation, http_status=status
        )

    def _json(self, operation: str, method: str, path: str, **request: Any) -> dict[str, Any]:
        retry = request.pop("retry", True)

        def attempt() -> dict[str, Any]:
            status, raw = self.call(operation, method, path, build=lambda: request, retry=False)
            assert isinstance(raw, bytes)
            return self._answer(operation, status, raw)

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
        """``POST /v1/sendEdoc``: the package as the multipart part ``edocFile``.

        The hub routes by the package's ``To``; ``to`` is not sent.
        """
        operation = "sendEdoc"
        with Upload(package, max_bytes=self.config.max_package_bytes) as upload:
            kind = message_type or sniff_message_type(upload.head())
            name = f"{upload.sha256[:16]}.edxml"
            with upload.as_file() as file:

                def build() -> Mapping[str, Any]:
                    return {
                        "files": {"edocFile": (name, file, "application/xml")},
                        "data": {"messageType": kind},
                    }

                status, raw = self.call(
                    operation, "POST", "/v1/sendEdoc", build=build, transfer=True, uploading=True
                )
            assert isinstance(raw, bytes)
            answer = self._answer(operation, status, raw, uploading=True)
            data = answer.get("data")
            doc_id = (data.get("docId") if isinstance(data, dict) else None) or answer.get("docId")
            if not isinstance(doc_id, str) or not doc_id:
                raise AxisProtocolError("the answer has no docId", operation=operation)
            return SentMessage(
                doc_id, kind, upload.sha256, upload.size, _text(answer.get("message"))
            )

    def received(self, message_type: MessageType = "edoc") -> list[Notice]:
        """``GET /v1/syncReceivedEdocList`` for the last :attr:`LangSonConfig.sync_days` days.

        The hub lists every message of the period; those already ``done`` or ``fail`` are left
        out, as an inbox would.
        """
        operation = "syncReceivedEdocList"
        today = datetime.datetime.now(_VIETNAM).date()
        since = today - datetime.timedelta(days=self.config.sync_days)
        answer = self._json(
            operation,
            "GET",
            "/v1/syncReceivedEdocList",
            params={
                "messageType": message_type,
                "fromDate": f"{since:%Y/%m/%d}",
                "toDate": f"{today:%Y/%m/%d}",
            },
        )
        rows = answer.get("data") or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise AxisProtocolError("data is not a list of objects", operation=operation)
        notices = []
        for row in cast(list[dict[str, Any]], rows):
            doc_id = _text(row.get("docId"))
            if not doc_id:
                raise AxisProtocolError("a row has no docId", operation=operation)
            state = DeliveryState.maybe(row.get("status"))
            if state in (DeliveryState.DONE, DeliveryState.FAIL):
                continue
            notices.append(
                Notice(
                    doc_id=doc_id,
                    from_=_text(row.get("from")),
                    to=_text(row.get("to")),
                    message_type=message_type,
                    state=state,
                    status_text=_text(row.get("status")),
                    status_desc=_text(row.get("statusDesc")),
                    created=parse_axis_time(row.get("createdTime")),
                    updated=parse_axis_time(row.get("updatedTime")),
                    service_type=_text(row.get("serviceType")),
                )
            )
        return notices

    def fetch(self, doc_id: str, into: Destination) -> Fetched:
        """``GET /v1/getEdoc``: the package in ``data.edxml`` (XML text, or base64 of it).

        The hub answers the package as a JSON string, so the answer is read whole (bounded by
        :attr:`LangSonConfig.max_answer_bytes`) before the package is written.
        """
        operation = "getEdoc"
        answer = self._json(operation, "GET", "/v1/getEdoc", params={"docId": doc_id})
        data = answer.get("data")
        edxml = data.get("edxml") if isinstance(data, dict) else None
        if not isinstance(edxml, str) or not edxml.strip():
            raise AxisProtocolError(
                "the answer carries no package (data.edxml)", operation=operation
            )
        if edxml.lstrip().startswith("<"):
            content = edxml.encode("utf-8")
        else:
            try:
                content = base64.b64decode(edxml, validate=True)
            except (binascii.Error, ValueError):
                raise AxisProtocolError(
                    "data.edxml is neither XML nor base64", operation=operation
                ) from None
        with sink(doc_id, into, self.config.max_package_bytes, operation) as out:
            out.write(content)
            return out.commit()

    def acknowledge(self, doc_id: str, state: DeliveryState | str) -> Acknowledged:
        """``POST /v1/updateStatus`` with ``{docId, status}`` (a transport state keyword)."""
        state = state if isinstance(state, DeliveryState) else DeliveryState.parse(state)
        answer = self._json(
            "updateStatus",
            "POST",
            "/v1/updateStatus",
            json={"docId": doc_id, "status": state.value},
        )
        return Acknowledged(doc_id, state, _text(answer.get("message")))

    def sent(
        self, doc_id: str | None = None, message_type: MessageType = "edoc"
    ) -> list[ReceiverState]:
        raise AxisUnsupported("the Lạng Sơn LGSP has no sent list", operation="sent")

    def agencies(self) -> list[Agency]:
        """``GET /v1/getAgenciesList``, every page (``data.content[]``)."""
        operation = "getAgenciesList"
        agencies: list[Agency] = []
        page = 0
        while True:
            answer = self._json(operation, "GET", "/v1/getAgenciesList", params={"page": page})
            data = answer.get("data")
            content = data.get("content") if isinstance(data, dict) else data
            if not isinstance(content, list) or not all(isinstance(r, dict) for r in content):
                raise AxisProtocolError(
                    "data.content is not a list of objects", operation=operation
                )
            for row in cast(list[dict[str, Any]], content):
                code = _text(row.get("code"))
                if not code:
                    raise AxisProtocolError("an agency has no code", operation=operation)
                agencies.append(
                    Agency(
                        code=code,
                        name=_text(row.get("name")),
                        id=_text(row.get("id")),
                        parent=_text(row.get("centerCode")) or _text(row.get("parentId")),
                        old_code=_text(row.get("oldCode")),
                    )
                )
            total = data.get("totalPages") if isinstance(data, dict) else None
            page += 1
            if not isinstance(total, int) or page >= min(total, 10_000) or not content:
                return agencies

    def register_agency(self, agency: Agency) -> None:
        raise AxisUnsupported(
            "the Lạng Sơn LGSP registers units in its portal, not through the API",
            operation="registerAgency",
        )

    def delete_agency(self, code: str) -> None:
        raise AxisUnsupported(
            "the Lạng Sơn LGSP registers units in its portal, not through the API",
            operation="deleteAgency",
        )
