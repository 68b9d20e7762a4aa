"""What the LGSP adapters share: a bearer token obtained, cached until it expires, and
refreshed once when the hub answers 401."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from vbdt_exchange.adapters._http import (
    RetryPolicy,
    Timeouts,
    nothing_sent,
    read_bounded,
    transport_error,
    warn_if_plain_http,
    with_retries,
)
from vbdt_exchange.adapters.errors import AxisAmbiguous, AxisUnavailable

log = logging.getLogger("vbdt_exchange.adapters")
T = TypeVar("T")

#: Refresh a token this many seconds before it expires.
TOKEN_MARGIN = 30.0


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (seconds since the epoch), read without verifying it.

    Only to know when to fetch a new token; the hub verifies the token, not us.

    >>> body = base64.urlsafe_b64encode(b'{"exp": 1790000000}').decode().rstrip("=")
    >>> jwt_expiry(f"e30.{body}.sig")
    1790000000.0
    >>> jwt_expiry("not a jwt") is None
    True
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class TokenClient:
    """An httpx client whose calls carry a bearer token, fetched when missing or expired and
    fetched again (once) when the hub answers 401."""

    what = "LGSP"

    def __init__(
        self,
        base: str,
        *,
        timeouts: Timeouts,
        retry: RetryPolicy,
        verify: bool | str,
        test: bool,
        max_answer_bytes: int,
        transport: httpx.BaseTransport | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        warn_if_plain_http(base, self.what, test=test)
        self.base = base.rstrip("/")
        self.timeouts = timeouts
        self.retry = retry
        self.max_answer_bytes = max_answer_bytes
        self._sleep = sleep
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self.logins = 0
        self._client = httpx.Client(
            transport=transport,
            timeout=timeouts.httpx(),
            verify=verify,
            follow_redirects=False,
            trust_env=False,
        )

    # to be provided by each hub -----------------------------------------------------------

    def _login(self) -> tuple[str, float | None]:
        """Fetch a new token: (token, expiry in seconds since the epoch, or None)."""
        raise NotImplementedError

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _default_ttl(self) -> float:
        return 29 * 60.0

    # ---------------------------------------------------------------------------------------

    def token(self, *, renew: bool = False) -> str:
        """The current token, logging in when there is none, it expired, or ``renew``."""
        if renew or self._token is None or self._clock() >= self._expires:
            token, expiry = self._login()
            self.logins += 1
            now = self._clock()
            ttl = self._default_ttl() if expiry is None else expiry - now
            self._token = token
            self._expires = now + max(ttl - TOKEN_MARGIN, 0.0)
            log.debug("%s: new token, valid for %.0f s", self.what, ttl)
        return self._token

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        build: Callable[[], Mapping[str, Any]] = dict,
        consume: Callable[[httpx.Response], T] | None = None,
        transfer: bool = False,
        uploading: bool = False,
        retry: bool = True,
        authenticated: bool = True,
    ) -> tuple[int, T | bytes]:
        """One call: ``build()`` gives the httpx request arguments for each attempt (so a body
        can be produced again); ``consume`` reads the response (default: the bounded body).

        A 401 is answered by logging in again and repeating the call once.
        """
        url = path if path.startswith(("http://", "https://")) else f"{self.base}{path}"

        def attempt() -> tuple[int, T | bytes]:
            renew = False
            while True:
                kwargs = dict(build())
                headers = dict(kwargs.pop("headers", {}))
                if authenticated:
                    headers.update(self._auth_headers(self.token(renew=renew)))
                try:
                    with self._client.stream(
                        method,
                        url,
                        headers=headers,
                        timeout=self.timeouts.httpx(transfer=transfer),
                        **kwargs,
                    ) as response:
                        if response.status_code == 401 and authenticated and not renew:
                            response.read()
                            log.info("%s %s: 401, logging in again", self.what, operation)
                            renew = True
                            continue
                        if consume is not None and 200 <= response.status_code < 300:
                            return response.status_code, consume(response)
                        body = read_bounded(response, self.max_answer_bytes, operation)
                        return response.status_code, body
                except httpx.TransportError as exc:
                    raise transport_error(exc, operation, uploading=uploading) from exc

        if not retry:
            return attempt()
        return with_retries(
            attempt,
            self.retry,
            operation=operation,
            sleep=self._sleep,
            retry_if=nothing_sent if uploading else None,
        )

    def close(self) -> None:
        self._client.close()


def gateway_failure(operation: str, status: int, *, uploading: bool) -> Exception | None:
    """The error of an HTTP status that needs no body to understand (gateways), or None."""
    if uploading and status in (502, 504):
        return AxisAmbiguous(
            f"HTTP {status} from a gateway after the upload: the hub may have taken the "
            "package; check before sending it again",
            operation=operation,
            http_status=status,
        )
    if status in (429, 502, 503, 504):
        return AxisUnavailable(
            f"the hub is unavailable (HTTP {status})", operation=operation, http_status=status
        )
    return None


def now_epoch() -> float:
    return time.time()
