"""The retry schedule of the outbox and the classification of send failures.

>>> schedule = RetrySchedule(delays=(30, 120), jitter=0.0, max_attempts=3)
>>> schedule.delay(1), schedule.delay(2), schedule.delay(5)
(30.0, 120.0, 120.0)
>>> from vbdt_exchange.adapters.errors import AxisUnavailable
>>> decide(AxisUnavailable("down"), attempts=1, schedule=schedule).action
'retry'
>>> decide(AxisUnavailable("down"), attempts=3, schedule=schedule).action
'held'
"""

from __future__ import annotations

import random
from typing import Literal

import attrs

from vbdt_exchange.adapters.errors import AxisProtocolError, Outcome
from vbdt_exchange.engine.errors import EngineConfigError
from vbdt_exchange.errors import AxisError

__all__ = ["Decision", "RetrySchedule", "decide"]

Action = Literal["retry", "reconcile", "failed", "held"]


def _delays(value: object) -> tuple[float, ...]:
    if not isinstance(value, tuple | list) or not value:
        raise EngineConfigError("retry delays: give a non-empty list of seconds")
    delays = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | float) or item < 0:
            raise EngineConfigError(f"retry delays: {item!r} is not a number of seconds >= 0")
        delays.append(float(item))
    return tuple(delays)


def _jitter(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise EngineConfigError(f"retry jitter: {value!r} is not a fraction in [0, 1)")
    return float(value)


def _attempts(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EngineConfigError(f"retry max_attempts: {value!r} is not a whole number >= 1")
    return value


@attrs.frozen
class RetrySchedule:
    """When to try a send again: exponential-ish delays with jitter, bounded.

    The default follows axis spec §8.3: 30 s, 2 min, 8 min, 20 min, then hourly, at most 8
    attempts, each delay varied by ±20 % so that many engines restarting together spread out.

    :ivar delays: seconds to wait after the 1st, 2nd, ... failed attempt (the last repeats).
    :ivar jitter: the fraction each delay is varied by (uniformly, both ways).
    :ivar max_attempts: after this many transient failures the item is held for a human.
    """

    delays: tuple[float, ...] = attrs.field(
        default=(30.0, 120.0, 480.0, 1200.0, 3600.0), converter=_delays
    )
    jitter: float = attrs.field(default=0.2, converter=_jitter)
    max_attempts: int = attrs.field(default=8, converter=_attempts)

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """The seconds to wait after ``attempts`` failed attempts."""
        base = self.delays[min(max(attempts, 1), len(self.delays)) - 1]
        if not self.jitter:
            return base
        return base * (1 + (rng or random).uniform(-self.jitter, self.jitter))


@attrs.frozen
class Decision:
    """What to do with an outbox item after a failed send.

    :ivar action: ``retry`` (later, same bytes), ``reconcile`` (the axis may have it: look at
        the sent list first), ``failed`` (the package must be fixed; never retried), ``held``
        (a human must act: addressing, credentials, an unknown refusal, or retries exhausted).
    :ivar outcome: the adapters' :class:`~vbdt_exchange.adapters.errors.Outcome`.
    :ivar reason: the failure in words.
    """

    action: Action
    outcome: Outcome
    reason: str


def decide(error: AxisError, *, attempts: int, schedule: RetrySchedule) -> Decision:
    """Classify a failed send by the error's ``.outcome`` (axis spec §8.3)."""
    outcome: Outcome = getattr(error, "outcome", Outcome.UNKNOWN)
    reason = str(error)
    if isinstance(error, AxisProtocolError):
        # an answer we cannot read, after the upload: the axis may have taken it
        outcome = Outcome.AMBIGUOUS
    if outcome is Outcome.AMBIGUOUS:
        action: Action = "reconcile"
    elif outcome is Outcome.TRANSIENT:
        action = "retry" if attempts < schedule.max_attempts else "held"
        if action == "held":
            reason = f"gave up after {attempts} attempts: {reason}"
    elif outcome is Outcome.REJECTED_PACKAGE:
        action = "failed"
    else:
        action = "held"
    return Decision(action, outcome, reason)
