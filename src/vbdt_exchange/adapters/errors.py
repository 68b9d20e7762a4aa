"""Errors of the axis adapters, each carrying the axis's own code and text and an :class:`Outcome`.

::

    AxisError                       (vbdt_exchange.errors)
    ├── AxisConfigError (ValueError) a channel cannot be set up: a setting is missing or malformed
    ├── AxisUnavailable              transient: connection refused or reset, a timeout before the
    │                                request was sent, HTTP 502/503/504, LGSP code 20; safe to retry
    ├── AxisAmbiguous                the upload of a package finished but no answer came: the axis
    │                                may have taken it; check the sent list before sending again
    ├── AxisRefused                  the axis answered with a refusal (``status: FAIL``, a
    │   │                            non-zero code); ``.code``, ``.description``, ``.outcome``
    │   └── AxisAuthError            the credentials were refused (HTTP 401/403, LGSP code 15)
    ├── AxisProtocolError            an answer that is not in the protocol (not JSON, a field of
    │                                the wrong type, a package that is not valid base64)
    └── AxisUnsupported (NotImplementedError)  the channel has no such operation

Retry logic catches exactly what it needs: every error the adapters raise has ``.outcome`` (an
:class:`Outcome`: what to do), ``.retryable`` (true only for :attr:`Outcome.TRANSIENT`),
``.operation`` (the axis operation that failed), ``.http_status`` (when there was an answer),
and ``.code`` and ``.description`` (the axis's own error code and text, when it sent them).
"""

from __future__ import annotations

import enum

from vbdt_exchange.errors import AxisError

__all__ = [
    "AxisAmbiguous",
    "AxisAuthError",
    "AxisConfigError",
    "AxisError",
    "AxisProtocolError",
    "AxisRefused",
    "AxisUnavailable",
    "AxisUnsupported",
    "Outcome",
]


class Outcome(enum.Enum):
    """What a failed call means for the caller (the retry classification of the axis spec §8.3).

    * ``TRANSIENT`` — retry with back-off, bounded;
    * ``AMBIGUOUS`` — the axis may have acted: look before repeating (a send: the sent list);
    * ``REJECTED_PACKAGE`` — the package must be fixed; never retry;
    * ``REJECTED_ADDRESSING`` — receiver unknown or locked, sender not registered: a directory or
      configuration action;
    * ``REJECTED_CREDENTIALS`` — wrong system id, secret or token: alert an operator;
    * ``UNKNOWN`` — any other refusal: no automatic retry.
    """

    TRANSIENT = "transient"
    AMBIGUOUS = "ambiguous"
    REJECTED_PACKAGE = "rejected-package"
    REJECTED_ADDRESSING = "rejected-addressing"
    REJECTED_CREDENTIALS = "rejected-credentials"
    UNKNOWN = "unknown"


def _describe(operation: str | None, message: str) -> str:
    return f"{operation}: {message}" if operation else message


class _AxisErrorBase(AxisError):
    """Common fields: the operation that failed, the HTTP status when there was one."""

    outcome: Outcome = Outcome.UNKNOWN
    code: str | None = None
    description: str | None = None

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        http_status: int | None = None,
        code: str | None = None,
        description: str | None = None,
    ) -> None:
        self.message = message
        self.operation = operation
        self.http_status = http_status
        if code is not None:
            self.code = code
        if description is not None:
            self.description = description
        super().__init__(_describe(operation, message))

    @property
    def retryable(self) -> bool:
        """Whether repeating the same call is safe and may succeed."""
        return self.outcome is Outcome.TRANSIENT


class AxisConfigError(_AxisErrorBase, ValueError):
    """A channel cannot be set up: a setting is missing, malformed, or a secret was not found."""


class AxisUnavailable(_AxisErrorBase):
    """The axis could not be reached or said it is unavailable; repeating later is safe.

    Raised for connection errors, timeouts before the request was complete, HTTP 502/503/504
    (for reads; see :class:`AxisAmbiguous` for sends) and code ``20`` (an LGSP or the local
    axis failing internally); ``.code`` and ``.description`` are set when the axis sent them.
    """

    outcome = Outcome.TRANSIENT


class AxisAmbiguous(_AxisErrorBase):
    """A package was uploaded but no answer came: the axis may or may not have taken it.

    Never re-send blindly: list what was sent (``sent()``) and compare, or re-send the same
    package knowing the receiver may get it twice (receivers de-duplicate, spec §8.1).

    :ivar sha256: the SHA-256 (hex) of the package that was uploaded, to recognise it.
    """

    outcome = Outcome.AMBIGUOUS

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        http_status: int | None = None,
        sha256: str | None = None,
    ) -> None:
        self.sha256 = sha256
        super().__init__(message, operation=operation, http_status=http_status)


class AxisRefused(_AxisErrorBase):
    """The axis answered, and refused: it carries the axis's code and text.

    :ivar code: the axis's error code as sent (``ErrorCode``, LGSP ``errorCode``), or ``None``.
    :ivar description: the axis's message (``ErrorDesc``), as sent.
    :ivar outcome: the :class:`Outcome` this refusal falls under.
    """

    def __init__(
        self,
        description: str,
        *,
        code: str | None = None,
        outcome: Outcome = Outcome.UNKNOWN,
        operation: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.outcome = outcome
        shown = f"refused (code {code}): {description}" if code else f"refused: {description}"
        super().__init__(
            shown,
            operation=operation,
            http_status=http_status,
            code=code,
            description=description,
        )


class AxisAuthError(AxisRefused):
    """The axis refused the credentials (HTTP 401/403, LGSP code 15, a failed log-in)."""

    def __init__(
        self,
        description: str,
        *,
        code: str | None = None,
        operation: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(
            description,
            code=code,
            outcome=Outcome.REJECTED_CREDENTIALS,
            operation=operation,
            http_status=http_status,
        )


class AxisProtocolError(_AxisErrorBase):
    """The axis answered something that is not in the protocol (not JSON, wrong field types)."""


class AxisUnsupported(_AxisErrorBase, NotImplementedError):
    """The channel has no such operation (e.g. the Lạng Sơn LGSP has no sent list)."""
