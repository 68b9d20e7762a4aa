"""A client of the national axis (VDXP) that speaks exactly as the official SDK does.

Every operation is an HTTP POST (or GET) to ``{endpoint}/{operation}`` whose parameters travel as
``XroadVnpt-*`` headers signed with the system's secret
(:func:`vbdt_exchange.adapters.vdxp_wire.sign_request`), with a fresh timestamp per request. A
package goes up as the SDK sends it: the raw bytes followed by ``\\r\\n``, as
``application/octet-stream``, with ``hash-file`` in the SDK's unpadded hex, streamed from the
file (it is hashed in a first pass, never read whole into memory). A fetched package, which the
axis answers as base64 inside JSON, is decoded as it arrives into a file or stream.

Calls that are safe to repeat (lists, fetches, setting a delivery state) are retried after a
transient failure (:class:`~vbdt_exchange.adapters._http.RetryPolicy`); a send is repeated only
when no connection could be opened, and a send that was uploaded but got no answer raises
:class:`~vbdt_exchange.adapters.errors.AxisAmbiguous` instead of being sent again.

>>> config = VdxpConfig("https://axis.example", "000.00.00.H29", secret="s3cret")
>>> config
VdxpConfig(endpoint='https://axis.example', system_id='000.00.00.H29', ...)
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs
import httpx

from vbdt_exchange.adapters._http import (
    GiB,
    JsonBase64Stream,
    MiB,
    RetryPolicy,
    Timeouts,
    Upload,
    nothing_sent,
    parse_json,
    read_bounded,
    sink,
    transport_error,
    warn_if_plain_http,
    with_retries,
)
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
    AxisAmbiguous,
    AxisAuthError,
    AxisConfigError,
    AxisError,
    AxisProtocolError,
    AxisRefused,
    AxisUnavailable,
    Outcome,
)
from vbdt_exchange.adapters.vdxp_wire import sdk_hash_file, sign_request

__all__ = ["CODE_OUTCOMES", "VdxpClient", "VdxpConfig", "check_envelope", "classify_refusal"]

log = logging.getLogger(__name__)

_JSON = "application/json"
_OCTETS = "application/octet-stream"


def _secret(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _repr_config(self: VdxpConfig) -> str:
    return f"VdxpConfig(endpoint={self.endpoint!r}, system_id={self.system_id!r}, ...)"


@attrs.frozen(repr=False)
class VdxpConfig:
    """How to reach the axis and who we are on it.

    :ivar endpoint: the axis's base URL; each operation is ``{endpoint}/{operation}``.
    :ivar system_id: our registered system id (``XroadVnpt-systemid``, ``from``).
    :ivar secret: the shared secret the requests are signed with (never sent, never shown in
        ``repr``).
    :ivar timeouts: connect/read/write timeouts, and the longer read timeout for packages.
    :ivar retry: how calls that are safe to repeat are repeated after a transient failure.
    :ivar max_package_bytes: the largest package sent or fetched.
    :ivar max_answer_bytes: the largest JSON answer read (the agency list is the biggest).
    :ivar service_type: the ``servicetype`` parameter (``eDoc``).
    :ivar send_suffix: what follows the package in the body of ``sendEdoc`` (the SDK's
        ``\\r\\n``).
    :ivar verify: TLS verification: ``True``, or the path of a CA bundle.
    :ivar test: this is a test axis: plain ``http://`` is expected (no warning).
    """

    endpoint: str
    system_id: str
    secret: bytes = attrs.field(converter=_secret)
    timeouts: Timeouts = attrs.field(factory=Timeouts)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_package_bytes: int = 8 * GiB
    max_answer_bytes: int = 256 * MiB
    service_type: str = "eDoc"
    send_suffix: bytes = b"\r\n"
    verify: bool | str = True
    test: bool = False

    __repr__ = _repr_config

    @property
    def base(self) -> str:
        return self.endpoint.rstrip("/")


# -- refusals ---------------------------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


_ADDRESSING = re.compile(
    r"khong dung voi ma da dang ky|not registered|chua dang ky|unknown (?:receiver|organ|system)"
    r"|khong tim thay don vi|don vi nhan khong ton tai|no registered system"
)
_CREDENTIALS = re.compile(r"hash-header|chu ky|signature|xac thuc|authenticat|secret")
_PACKAGE = re.compile(r"edxml|goi tin|hash-file|not valid|khong hop le|malformed|too large")


#: Error codes of the local reference axis (:mod:`vbdt_exchange.hub`), which keeps the meaning of
#: the Lạng Sơn LGSP's codes (spec §7.1) where they overlap. The national axis's own table is
#: not public.
CODE_OUTCOMES: dict[str, Outcome] = {
    "10": Outcome.REJECTED_PACKAGE,
    "11": Outcome.REJECTED_PACKAGE,
    "12": Outcome.REJECTED_PACKAGE,
    "13": Outcome.REJECTED_ADDRESSING,
    "15": Outcome.REJECTED_CREDENTIALS,
    "18": Outcome.REJECTED_ADDRESSING,
    "19": Outcome.REJECTED_CREDENTIALS,
    "20": Outcome.TRANSIENT,
    "22": Outcome.REJECTED_PACKAGE,
    "23": Outcome.REJECTED_ADDRESSING,
}


def classify_refusal(code: str | None, description: str, http_status: int | None) -> Outcome:
    """The :class:`Outcome` of a refusal of a VDXP axis.

    The national axis's error-code table is not public (spec §4), so this reads, in order: the
    codes of the local reference axis (:data:`CODE_OUTCOMES`, which keep the Lạng Sơn LGSP's
    meanings); the HTTP status (401/403 → credentials, 413 → package); then the message:
    "khong dung voi ma da dang ky" (the sender is not the registered system) or an unknown
    receiver → addressing, a message about the signature → credentials, about the package
    (edXML, hash-file, invalid) → package; anything else → unknown.

    >>> classify_refusal("1", "Don vi gui 002.00.20.H13 khong dung voi ma da dang ky: x", 200)
    <Outcome.REJECTED_ADDRESSING: 'rejected-addressing'>
    >>> classify_refusal("20", "Loi he thong", 500)
    <Outcome.TRANSIENT: 'transient'>
    """
    if code is not None and code.strip() in CODE_OUTCOMES:
        return CODE_OUTCOMES[code.strip()]
    if http_status in (401, 403):
        return Outcome.REJECTED_CREDENTIALS
    if http_status == 413:
        return Outcome.REJECTED_PACKAGE
    folded = _fold(description)
    if _ADDRESSING.search(folded):
        return Outcome.REJECTED_ADDRESSING
    if _CREDENTIALS.search(folded):
        return Outcome.REJECTED_CREDENTIALS
    if _PACKAGE.search(folded):
        return Outcome.REJECTED_PACKAGE
    return Outcome.UNKNOWN


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _message_type(value: object, default: MessageType) -> MessageType:
    return "status" if isinstance(value, str) and value.lower() == "status" else default


def check_envelope(answer: Mapping[str, Any], operation: str, http_status: int) -> None:
    """Raise the error an axis answer stands for; return when it is a success."""
    status = answer.get("status")
    code = _text(answer.get("ErrorCode"))
    description = _text(answer.get("ErrorDesc")) or ""
    ok_status = isinstance(status, str) and status.upper() == "OK"
    ok_code = code is None or code.strip() in ("", "0")
    if ok_status and ok_code and 200 <= http_status < 300:
        return
    if status is None and code is None and http_status < 400:
        raise AxisProtocolError(
            f"HTTP {http_status} without status or ErrorCode",
            operation=operation,
            http_status=http_status,
        )
    if ok_status and ok_code:
        raise AxisProtocolError(
            f"HTTP {http_status} with status OK", operation=operation, http_status=http_status
        )
    description = (
        description or _text(answer.get("message")) or f"HTTP {http_status}, no description"
    )
    outcome = classify_refusal(code, description, http_status)
    if outcome is Outcome.TRANSIENT:
        raise AxisUnavailable(
            f"the axis failed (code {code}): {description}",
            operation=operation,
            http_status=http_status,
            code=code,
            description=description,
        )
    if outcome is Outcome.REJECTED_CREDENTIALS:
        raise AxisAuthError(description, code=code, operation=operation, http_status=http_status)
    raise AxisRefused(
        description, code=code, outcome=outcome, operation=operation, http_status=http_status
    )


def _http_failure(
    operation: str, http_status: int, body: bytes, *, uploading: bool
) -> AxisError | None:
    """The error of an HTTP status that needs no JSON to understand, or None."""
    if http_status in (502, 504) and uploading:
        return AxisAmbiguous(
            f"HTTP {http_status} from a gateway after the upload: the axis may have taken the "
            "package; check the sent list before sending it again",
            operation=operation,
            http_status=http_status,
        )
    if http_status in (429, 502, 503, 504):
        return AxisUnavailable(
            f"the axis is unavailable (HTTP {http_status})",
            operation=operation,
            http_status=http_status,
        )
    if http_status in (401, 403) and not body.lstrip().startswith(b"{"):
        return AxisAuthError(f"HTTP {http_status}", operation=operation, http_status=http_status)
    return None


# -- the client -------------------------------------------------------------------------------


class VdxpClient:
    """A :class:`~vbdt_exchange.adapters.base.Channel` to the national axis (VDXP/VXP).

    :param config: the endpoint, system id and secret (:class:`VdxpConfig`).
    :param transport: an httpx transport to use instead of the network (tests:
        ``httpx.MockTransport``, or any transport).
    :param sleep: how to wait between retries (tests pass a recorder).

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        config: VdxpConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not config.system_id:
            raise AxisConfigError("the system id is empty")
        if not config.secret:
            raise AxisConfigError("the secret is empty")
        warn_if_plain_http(config.endpoint, "VDXP", test=config.test)
        self.config = config
        self._sleep = sleep
        self._client = httpx.Client(
            transport=transport,
            timeout=config.timeouts.httpx(),
            verify=config.verify,
            follow_redirects=False,
            trust_env=False,
        )

    @property
    def system_id(self) -> str:
        return self.config.system_id

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> VdxpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"VdxpClient({self.config.base!r}, system_id={self.system_id!r})"

    # -- one signed call ---------------------------------------------------------------------

    def _headers(self, params: Sequence[tuple[str, str]], content_type: str) -> dict[str, str]:
        return sign_request(
            params,
            system_id=self.config.system_id,
            secret=self.config.secret,
            content_type=content_type,
        )

    def _call(
        self,
        operation: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        method: str = "POST",
        body: bytes | None = None,
        retry: bool = True,
    ) -> dict[str, Any]:
        """One JSON operation: sign, send, read the bounded answer, check the envelope."""

        def attempt() -> dict[str, Any]:
            headers = self._headers(params, _JSON)
            url = f"{self.config.base}/{operation}"
            log.debug("%s %s", method, url)
            try:
                with self._client.stream(method, url, headers=headers, content=body) as response:
                    raw = read_bounded(response, self.config.max_answer_bytes, operation)
            except httpx.TransportError as exc:
                raise transport_error(exc, operation, uploading=False) from exc
            return self._answer(operation, response.status_code, raw)

        if not retry:
            return attempt()
        return with_retries(attempt, self.config.retry, operation=operation, sleep=self._sleep)

    def _answer(
        self, operation: str, http_status: int, raw: bytes, *, uploading: bool = False
    ) -> dict[str, Any]:
        failure = _http_failure(operation, http_status, raw, uploading=uploading)
        if failure is not None:
            raise failure
        answer = parse_json(raw, operation, http_status)
        if not isinstance(answer, dict):
            raise AxisProtocolError(
                f"the answer is a JSON {type(answer).__name__}, not an object",
                operation=operation,
                http_status=http_status,
            )
        check_envelope(answer, operation, http_status)
        return answer

    def _rows(self, answer: Mapping[str, Any], operation: str) -> list[dict[str, Any]]:
        data = answer.get("data")
        if data is None:
            return []
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise AxisProtocolError("data is not a list of objects", operation=operation)
        return cast(list[dict[str, Any]], data)

    # -- sending -----------------------------------------------------------------------------

    def send(
        self,
        package: PackageSource,
        *,
        message_type: MessageType | None = None,
        to: Sequence[str] = (),
    ) -> SentMessage:
        """``sendEdoc``: upload ``package`` and return the axis's ``DocId``.

        The package is streamed (a path or a seekable stream is read twice: once to hash it,
        once to send it). ``message_type`` is sniffed from the package when not given.

        :param to: sent as the SDK's optional ``to`` parameter (a JSON list); the axis routes by
            the package's ``To`` elements, so leave it empty unless your axis asks for it.
        :raises AxisAmbiguous: uploaded, but no answer (never retried automatically).
        """
        operation = "sendEdoc"
        with Upload(
            package, suffix=self.config.send_suffix, max_bytes=self.config.max_package_bytes
        ) as upload:
            kind = message_type or sniff_message_type(upload.head())
            params: list[tuple[str, str]] = [
                ("servicetype", self.config.service_type),
                ("messagetype", kind),
                ("from", self.config.system_id),
            ]
            if to:
                params.append(("to", json.dumps(list(to), separators=(",", ":"))))
            params.append(("hash-file", sdk_hash_file(digest=upload.digest)))

            def attempt() -> dict[str, Any]:
                headers = self._headers(params, _OCTETS)
                headers["Content-Length"] = str(upload.content_length)
                url = f"{self.config.base}/{operation}"
                log.debug("POST %s (%d bytes)", url, upload.size)
                try:
                    with self._client.stream(
                        "POST",
                        url,
                        headers=headers,
                        content=upload,
                        timeout=self.config.timeouts.httpx(transfer=True),
                    ) as response:
                        raw = read_bounded(response, self.config.max_answer_bytes, operation)
                except httpx.TransportError as exc:
                    error = transport_error(exc, operation, uploading=True)
                    if isinstance(error, AxisAmbiguous):
                        error.sha256 = upload.sha256
                    raise error from exc
                try:
                    return self._answer(operation, response.status_code, raw, uploading=True)
                except AxisAmbiguous as exc:
                    exc.sha256 = upload.sha256
                    raise

            answer = with_retries(
                attempt,
                self.config.retry,
                operation=operation,
                sleep=self._sleep,
                retry_if=nothing_sent,
            )
            doc_id = answer.get("DocId", answer.get("docId"))
            if not isinstance(doc_id, str | int) or isinstance(doc_id, bool) or doc_id == "":
                raise AxisProtocolError("the answer has no DocId", operation=operation)
            log.info(
                "sent %s package %s (%d bytes) as %s", kind, upload.sha256[:12], upload.size, doc_id
            )
            return SentMessage(
                doc_id=str(doc_id),
                message_type=kind,
                sha256=upload.sha256,
                size=upload.size,
                description=_text(answer.get("ErrorDesc")),
            )

    # -- receiving ---------------------------------------------------------------------------

    def received(self, message_type: MessageType = "edoc") -> list[Notice]:
        """``getReceivedEdocList``: the messages waiting in the ``message_type`` inbox."""
        operation = "getReceivedEdocList"
        answer = self._call(
            operation,
            [("servicetype", self.config.service_type), ("messagetype", message_type)],
            body=b"",
        )
        notices = []
        for row in self._rows(answer, operation):
            doc_id = _text(row.get("docId"))
            if not doc_id:
                raise AxisProtocolError("a row has no docId", operation=operation)
            status = _text(row.get("status"))
            notices.append(
                Notice(
                    doc_id=doc_id,
                    from_=_text(row.get("from")),
                    to=_text(row.get("to")),
                    message_type=_message_type(row.get("messageType"), message_type),
                    state=DeliveryState.maybe(status),
                    status_text=status,
                    status_desc=_text(row.get("status_desc", row.get("statusDesc"))),
                    created=parse_axis_time(row.get("created_time", row.get("createdTime"))),
                    updated=parse_axis_time(row.get("updated_time", row.get("updatedTime"))),
                    service_type=_text(row.get("serviceType")),
                )
            )
        return notices

    def count(self, message_type: MessageType = "edoc") -> int:
        """``countReceiveEdoc`` / ``countReceiveStatus`` (SDK 2.0.1): how many are waiting."""
        operation = "countReceiveStatus" if message_type == "status" else "countReceiveEdoc"
        answer = self._call(
            operation,
            [("servicetype", self.config.service_type), ("messagetype", message_type)],
            method="GET",
        )
        value = answer.get("count", answer.get("data"))
        try:
            return int(cast(Any, value))
        except (TypeError, ValueError):
            raise AxisProtocolError(
                f"count is not a number: {value!r}", operation=operation
            ) from None

    def fetch(self, doc_id: str, into: Destination) -> Fetched:
        """``getEdoc``: the package ``doc_id``, decoded from the answer's base64 as it arrives.

        :param into: a path (written atomically: a temporary file next to it, renamed when the
            whole answer was good) or a writable binary stream (written only then).
        """
        operation = "getEdoc"

        def attempt() -> Fetched:
            headers = self._headers([("docId", doc_id)], _JSON)
            url = f"{self.config.base}/{operation}"
            with sink(doc_id, into, self.config.max_package_bytes, operation) as out:
                parser = JsonBase64Stream("data", out.write, operation)
                try:
                    with self._client.stream(
                        "POST",
                        url,
                        headers=headers,
                        content=b"{}",
                        timeout=self.config.timeouts.httpx(transfer=True),
                    ) as response:
                        if not 200 <= response.status_code < 300:
                            raw = read_bounded(response, self.config.max_answer_bytes, operation)
                            self._answer(operation, response.status_code, raw)
                            raise AxisProtocolError(
                                f"HTTP {response.status_code} with status OK",
                                operation=operation,
                            )
                        for chunk in response.iter_bytes():
                            parser.feed(chunk)
                        parser.finish()
                except httpx.TransportError as exc:
                    raise transport_error(exc, operation, uploading=False) from exc
                check_envelope(parser.members, operation, response.status_code)
                if not parser.found:
                    raise AxisProtocolError(
                        "the answer carries no package (data)", operation=operation
                    )
                return out.commit()

        return with_retries(attempt, self.config.retry, operation=operation, sleep=self._sleep)

    def download(self, doc_id: str, into: Destination) -> Fetched:
        """``downloadEdoc`` (SDK 2.0.1): the package ``doc_id`` as a raw stream (no base64)."""
        operation = "downloadEdoc"

        def attempt() -> Fetched:
            headers = self._headers([("docId", doc_id)], _JSON)
            url = f"{self.config.base}/{operation}"
            with sink(doc_id, into, self.config.max_package_bytes, operation) as out:
                try:
                    with self._client.stream(
                        "GET",
                        url,
                        headers=headers,
                        timeout=self.config.timeouts.httpx(transfer=True),
                    ) as response:
                        kind = response.headers.get("content-type", "").split(";")[0].strip()
                        if kind == _JSON or not 200 <= response.status_code < 300:
                            raw = read_bounded(response, self.config.max_answer_bytes, operation)
                            self._answer(operation, response.status_code, raw)
                            raise AxisProtocolError(
                                "the answer is JSON, not the package", operation=operation
                            )
                        for chunk in response.iter_bytes():
                            out.write(chunk)
                except httpx.TransportError as exc:
                    raise transport_error(exc, operation, uploading=False) from exc
                return out.commit()

        return with_retries(attempt, self.config.retry, operation=operation, sleep=self._sleep)

    def acknowledge(self, doc_id: str, state: DeliveryState | str) -> Acknowledged:
        """``updateStatus``: set the delivery state of the received message ``doc_id``.

        Setting a state is idempotent, so it is retried after a transient failure.
        """
        state = state if isinstance(state, DeliveryState) else DeliveryState.parse(state)
        answer = self._call(
            "updateStatus", [("docId", doc_id), ("status", state.value)], body=b"{}"
        )
        return Acknowledged(doc_id=doc_id, state=state, description=_text(answer.get("ErrorDesc")))

    # -- what we sent ------------------------------------------------------------------------

    def sent(
        self, doc_id: str | None = None, message_type: MessageType = "edoc"
    ) -> list[ReceiverState]:
        """``getSentEdocList``: one row per receiver of what we sent (of ``doc_id`` if given)."""
        operation = "getSentEdocList"
        params = [("servicetype", self.config.service_type), ("messagetype", message_type)]
        if doc_id is not None:
            params.append(("docId", doc_id))
        answer = self._call(operation, params, body=b"")
        return [
            ReceiverState(
                sender_doc_id=_text(row.get("senderDocId")),
                receiver_doc_id=_text(row.get("receiverDocId")),
                from_=_text(row.get("fromCode")),
                to=_text(row.get("toCode")),
                message_type=_message_type(row.get("messageType"), message_type),
                title=_text(row.get("title")),
                notation=_text(row.get("notation")),
                sent=parse_axis_time(row.get("sentTime")),
                received=parse_axis_time(row.get("receivedTime")),
                send_status=_text(row.get("sendStatus")),
                send_status_desc=_text(row.get("sendStatusDesc")),
                receive_status=_text(row.get("receiveStatus")),
                receive_status_desc=_text(row.get("receiveStatusDesc")),
            )
            for row in self._rows(answer, operation)
        ]

    # -- the directory -----------------------------------------------------------------------

    def agencies(self) -> list[Agency]:
        """``getAgenciesList``: the axis's directory of units."""
        return self._agencies("getAgenciesList", [])

    def agencies_qd20(self, level: str = "1") -> list[Agency]:
        """``getAgenciesListQD20`` (SDK 2.0.1): the directory by the codes of Decision 20."""
        return self._agencies("getAgenciesListQD20", [("level", level)])

    def _agencies(self, operation: str, params: list[tuple[str, str]]) -> list[Agency]:
        answer = self._call(operation, params, body=b"")
        agencies = []
        for row in self._rows(answer, operation):
            code = _text(row.get("code"))
            if not code:
                raise AxisProtocolError("an agency has no code", operation=operation)
            agencies.append(
                Agency(
                    code=code,
                    name=_text(row.get("name")),
                    id=_text(row.get("id")),
                    parent=_text(row.get("pid", row.get("pcode"))),
                    mail=_text(row.get("mail")),
                    old_code=_text(row.get("oldCode", row.get("code102"))),
                )
            )
        return agencies

    def register_agency(self, agency: Agency) -> None:
        """``registerAgency``: register a unit under our centre (not retried)."""
        body = {
            "id": agency.id or "",
            "pcode": agency.parent or "",
            "code": agency.code,
            "name": agency.name or "",
            "mail": agency.mail or "",
            "mobile": agency.mobile or "",
            "fax": agency.fax or "",
        }
        self._call(
            "registerAgency",
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            retry=False,
        )

    def delete_agency(self, code: str) -> None:
        """``deleteAgency``: delete the unit ``code`` from under our centre (not retried)."""
        self._call("deleteAgency", [("AgencyCode", code)], body=b"", retry=False)
