"""The VDXP wire protocol as the official SDK speaks it: ``XroadVnpt-*`` request signing.

Both sides use this module: the VDXP client (:mod:`vbdt_exchange.adapters.vdxp`) signs requests
with :func:`sign_request`, and the local reference axis (:mod:`vbdt_exchange.hub`) checks them
with :func:`check_request`. What it implements is the captured behaviour of SDKVXP 2.0.1
(``axis-wire-capture.md``):

* every parameter travels as a header ``XroadVnpt-<name>``; the signed set is also sent as a
  compact JSON object (``XroadVnpt-sign-header``) whose HMAC-SHA256 under the system's secret,
  in lowercase hex, is ``XroadVnpt-hash-header``; the names are listed in
  ``XroadVnpt-sign-header-key``;
* the SDK keeps its parameters in a Java ``HashMap``, so they go out in that map's iteration
  order; :func:`java_hashmap_order` reproduces it, which makes our requests byte for byte the
  SDK's (the order carries no meaning: the server recomputes the HMAC over the string it got);
* ``timestamp`` is ``ddMMyyyy'T'HHmmss+SSSS`` where ``SSSS`` is the milliseconds, not a zone;
* ``hash-file`` is SHA-256 of the body in the SDK's unpadded hex (each byte ``%x``).

>>> headers = sign_request(
...     [("servicetype", "eDoc"), ("messagetype", "edoc")],
...     system_id="000.00.00.H29",
...     secret=b"s3cret",
...     content_type="application/json",
...     timestamp="22112026T000518+0709",
... )
>>> headers["XroadVnpt-sign-header-key"]
'systemid;servicetype;messagetype;timestamp;Content-Type'
>>> check_request(headers, lambda system_id: b"s3cret").params["messagetype"]
'edoc'
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping

import attrs

from vbdt_exchange.errors import AxisError

__all__ = [
    "PREFIX",
    "SDK_USER_AGENT",
    "SDK_VERSION",
    "SignedRequest",
    "WireAuthError",
    "check_request",
    "hash_file_matches",
    "java_hashmap_order",
    "parse_sdk_timestamp",
    "sdk_hash_file",
    "sdk_timestamp",
    "sign_request",
]

PREFIX = "XroadVnpt-"
SDK_USER_AGENT = "JAVASDKAgent/1.0.0 XRoad/VPCP"
SDK_VERSION = "3.0.201608"

_TIMESTAMP = re.compile(r"(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{4})")


class WireAuthError(AxisError, ValueError):
    """A request's ``XroadVnpt-*`` signature is missing, malformed or wrong.

    :ivar reason: a short machine-readable reason (``missing-header``, ``unknown-system``,
        ``bad-hmac``, ``header-mismatch``, ``malformed``).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _java_string_hash(text: str) -> int:
    h = 0
    data = text.encode("utf-16-be")  # Java hashes UTF-16 code units
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def java_hashmap_order(names: Iterable[str]) -> list[str]:
    """``names`` (in insertion order) in the iteration order of a Java 8+ ``HashMap``.

    Valid for up to 12 keys (the default table of 16 buckets before it grows), which covers
    every SDK call.

    >>> java_hashmap_order(["timestamp", "systemid", "Content-Type", "docId", "status"])
    ['systemid', 'docId', 'timestamp', 'Content-Type', 'status']
    """
    names = list(names)
    size = 16
    while len(names) > size * 3 // 4:
        size *= 2
    buckets: dict[int, list[str]] = {}
    for name in names:
        h = _java_string_hash(name)
        buckets.setdefault((h ^ (h >> 16)) & (size - 1), []).append(name)
    return [name for index in sorted(buckets) for name in buckets[index]]


def sdk_timestamp(moment: datetime.datetime | None = None) -> str:
    """The SDK's ``timestamp``: local wall-clock time, ``+`` and the milliseconds.

    >>> sdk_timestamp(datetime.datetime(2026, 11, 22, 0, 5, 18, 709000))
    '22112026T000518+0709'
    """
    moment = moment or datetime.datetime.now()
    return f"{moment:%d%m%Y}T{moment:%H%M%S}+{moment.microsecond // 1000:04d}"


def parse_sdk_timestamp(text: str) -> datetime.datetime:
    """Read a ``timestamp`` header back into a naive local datetime.

    :raises ValueError: when ``text`` is not in the SDK's form.
    """
    m = _TIMESTAMP.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not an SDK timestamp (ddMMyyyyTHHmmss+SSSS): {text!r}")
    day, month, year, hour, minute, second, millis = (int(g) for g in m.groups())
    if millis > 999:
        raise ValueError(f"milliseconds out of range in timestamp {text!r}")
    return datetime.datetime(year, month, day, hour, minute, second, millis * 1000)


_UNPADDED_HEX = tuple(format(b, "x") for b in range(256))


def sdk_hash_file(data: bytes | None = None, *, digest: bytes | None = None) -> str:
    """SHA-256 in the SDK's unpadded hex: each byte as ``%x``, so ``0f`` becomes ``f``.

    Give either the body (``data``) or its SHA-256 ``digest``.

    >>> sdk_hash_file(digest=bytes([0x0F, 0xA0, 0x00]))
    'fa00'
    """
    if digest is None:
        if data is None:
            raise TypeError("give data or digest")
        digest = hashlib.sha256(data).digest()
    return "".join([_UNPADDED_HEX[b] for b in digest])


def hash_file_matches(value: str, digest: bytes) -> bool:
    """Whether a ``hash-file`` header names ``digest``, in the SDK's form or plain hex."""
    value = value.strip().lower()
    return hmac.compare_digest(value, sdk_hash_file(digest=digest)) or hmac.compare_digest(
        value, digest.hex()
    )


def _gson(signed: Mapping[str, str]) -> str:
    # Gson's JsonObject.toString(): compact, insertion order, non-ASCII raw, and it escapes
    # U+2028/U+2029 (json.dumps leaves them raw with ensure_ascii=False).
    text = json.dumps(signed, separators=(",", ":"), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def sign_request(
    params: Iterable[tuple[str, str]],
    *,
    system_id: str,
    secret: bytes,
    content_type: str,
    timestamp: str | None = None,
) -> dict[str, str]:
    """The headers of one signed request, in the order the SDK sends them.

    :param params: the operation's parameters (``servicetype``, ``messagetype``, ``from``,
        ``hash-file``, ``docId``, ``status`` …), without the ``XroadVnpt-`` prefix.
    :param timestamp: the SDK timestamp to send; a fresh one (:func:`sdk_timestamp`) by
        default. Pass one only to reproduce a captured request.
    """
    values: dict[str, str] = {
        "timestamp": timestamp or sdk_timestamp(),
        "systemid": system_id,
        "Content-Type": content_type,
    }
    for name, value in params:
        values[name] = value
    headers: dict[str, str] = {}
    signed: dict[str, str] = {}
    names = java_hashmap_order(values)
    for name in names:
        headers[PREFIX + name] = values[name]
        signed[PREFIX + name] = values[name]
    text = _gson(signed)
    headers["XroadVnpt-sign-header-key"] = ";".join(names)
    headers["XroadVnpt-sign-header"] = text
    headers["XroadVnpt-hash-header"] = hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()
    headers["XroadVnpt-version"] = SDK_VERSION
    headers["User-Agent"] = SDK_USER_AGENT
    headers["Content-Type"] = content_type
    return headers


@attrs.frozen
class SignedRequest:
    """A request whose ``XroadVnpt-*`` signature checked out.

    :ivar system_id: the ``systemid`` it was signed for.
    :ivar params: every signed parameter, by name without the prefix (``timestamp``,
        ``Content-Type`` and ``systemid`` included).
    :ivar timestamp: the ``timestamp`` parsed, or ``None`` when it is not in the SDK's form.
    """

    system_id: str
    params: dict[str, str]
    timestamp: datetime.datetime | None


def check_request(
    headers: Mapping[str, str], secret_for: Callable[[str], bytes | None]
) -> SignedRequest:
    """Check the ``XroadVnpt-*`` signature of a request's headers.

    The HMAC is recomputed over the transmitted ``XroadVnpt-sign-header`` string; then every
    name in ``XroadVnpt-sign-header-key`` must be in that JSON, and every ``XroadVnpt-<name>``
    header sent must carry the value the JSON signs. Header names compare case-insensitively.
    Timestamp freshness is the caller's policy.

    :param headers: the request headers (any mapping; keys are matched case-insensitively).
    :param secret_for: the secret of a registered system id, or ``None`` when it is unknown.
    :raises WireAuthError: with a ``reason`` saying what failed.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    text = lower.get("xroadvnpt-sign-header")
    given = lower.get("xroadvnpt-hash-header")
    key_list = lower.get("xroadvnpt-sign-header-key")
    if text is None or given is None or key_list is None:
        raise WireAuthError(
            "missing XroadVnpt-sign-header, XroadVnpt-hash-header or XroadVnpt-sign-header-key",
            "missing-header",
        )
    try:
        signed = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise WireAuthError(f"XroadVnpt-sign-header is not JSON: {exc}", "malformed") from None
    if not isinstance(signed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in signed.items()
    ):
        raise WireAuthError("XroadVnpt-sign-header is not a JSON object of strings", "malformed")
    params = {k[len(PREFIX) :]: v for k, v in signed.items() if k.startswith(PREFIX)}
    system_id = params.get("systemid")
    if not system_id:
        raise WireAuthError("the signed headers name no systemid", "missing-header")
    secret = secret_for(system_id)
    if secret is None:
        raise WireAuthError(f"unknown system id {system_id!r}", "unknown-system")
    try:
        signed_bytes = text.encode()
    except UnicodeEncodeError:  # lone surrogates: no request on the wire can carry them
        raise WireAuthError("XroadVnpt-sign-header is not valid Unicode", "malformed") from None
    expected = hmac.new(secret, signed_bytes, hashlib.sha256).hexdigest()
    # compare bytes: compare_digest refuses str with non-ASCII characters (TypeError)
    sent_hash = given.strip().lower().encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(expected.encode(), sent_hash):
        raise WireAuthError("XroadVnpt-hash-header does not match the signed headers", "bad-hmac")
    for name in filter(None, key_list.split(";")):
        if name not in params:
            raise WireAuthError(
                f"{name!r} is listed in XroadVnpt-sign-header-key but not signed", "malformed"
            )
    for name, value in params.items():
        sent = lower.get((PREFIX + name).lower())
        if sent is not None and sent != value:
            raise WireAuthError(
                f"header {PREFIX}{name} ({sent!r}) differs from its signed value ({value!r})",
                "header-mismatch",
            )
    try:
        moment: datetime.datetime | None = parse_sdk_timestamp(params.get("timestamp", ""))
    except ValueError:
        moment = None
    return SignedRequest(system_id=system_id, params=params, timestamp=moment)
