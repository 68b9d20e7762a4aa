"""The per-(document, receiver) state machine of business status codes, as data.

**The transitions are inferred, not normative**: no source defines them (``edxml.md`` §12.4).
They live in ``status/data/transitions.toml``; this module only reads and applies them.

Two tracks are folded for one receiver: *progress* (01–06) and *answer* (13, 15, 16, plus the
pseudo-state ``"update"`` while an update package awaits an answer). :func:`check` compares a new
code with the state of its own track and returns a :class:`TransitionResult` naming the rule
that decided, with an English and a Vietnamese reason. Two modes:

* ``strict`` — only the natural workflow: 01 → 02 | 03, 03 → 04 → 05 → 06 (skips of 04/05
  allowed), 13 → 15 | 16; unknown codes are refused;
* ``lenient`` — also accepts missing steps (a 03 without 01, a 05 without 03, an answer whose
  request was not seen) and keeps unknown codes without moving the state. Regressions, repeats
  and contradictions are refused in both modes (a tracker keeps them in the timeline and does
  not move the state back).

>>> check("01", "03").allowed
True
>>> result = check("03", "02")
>>> result.allowed, result.rule.id
(False, 'ST-CONTRADICTION')
>>> check(None, "05", mode="lenient").rule.id
'ST-HANDLE-UNREGISTERED'
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import Any, Literal

import attrs

from vbdt_exchange.status.codes import StatusCode, StatusError

__all__ = [
    "Mode",
    "Track",
    "TransitionRefused",
    "TransitionResult",
    "TransitionRule",
    "Transitions",
    "check",
    "load_transitions",
    "require",
    "state_token",
]

Mode = Literal["strict", "lenient"]
Track = Literal["progress", "answer"]
MODES: tuple[Mode, ...] = ("strict", "lenient")

Previous = StatusCode | str | None
"""A track's state: ``None``/``"none"`` (nothing yet), a code, or ``"update"``."""


def state_token(value: Previous) -> str:
    """The state name used by the rules: ``"none"``, ``"update"``, a known code, or
    ``"unknown"`` for a code the standard does not define."""
    if value is None:
        return "none"
    if isinstance(value, str):
        if value in ("none", "update", "unknown"):
            return value
        value = StatusCode.parse(value)
    return value.code if value.known else "unknown"


class TransitionRefused(StatusError):
    """A transition refused by a rule (raised by :func:`require`).

    :ivar from_state: the state before (``"none"``, ``"03"``, ``"update"``).
    :ivar to_code: the code refused.
    :ivar rule: the rule id (``ST-CONTRADICTION``).
    :ivar reason: English reason; :ivar reason_vi: Vietnamese reason.
    """

    def __init__(self, from_state: str, to_code: str, rule: str, reason: str, reason_vi: str):
        super().__init__(f"{from_state} → {to_code} refused ({rule}): {reason}")
        self.from_state = from_state
        self.to_code = to_code
        self.rule = rule
        self.reason = reason
        self.reason_vi = reason_vi


def _set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@attrs.frozen
class TransitionRule:
    """One rule of the data file.

    ``kind`` is ``"allow"`` or ``"refuse"``; ``from_states``/``to_states`` may contain ``"*"``.
    ``anomaly`` names what a tracker reports for a refusal; ``moves`` is false for an accepted
    code that leaves the state as it was (unknown codes). Refuse rules with ``overrides`` are
    tried before the allow rules, the others after them.
    """

    id: str
    kind: Literal["allow", "refuse"]
    from_states: frozenset[str] = attrs.field(converter=_set)
    to_states: frozenset[str] = attrs.field(converter=_set)
    modes: frozenset[str] = attrs.field(converter=_set)
    reason: str
    reason_vi: str
    moves: bool = True
    anomaly: str | None = None
    same: bool = False
    other_track: bool = False
    taken_back: bool = False
    overrides: bool = False
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, hash=False, repr=False)

    def matches(
        self,
        previous: str,
        new: str,
        mode: str,
        taken_back: bool,
        tracks: Mapping[str, str],
    ) -> bool:
        if mode not in self.modes:
            return False
        if "*" not in self.from_states and previous not in self.from_states:
            return False
        if "*" not in self.to_states and new not in self.to_states:
            return False
        if self.same and previous != new:
            return False
        if self.taken_back and not taken_back:
            return False
        if self.other_track:
            before, after = tracks.get(previous), tracks.get(new)
            if before is None or after is None or before == after:
                return False
        return True


@attrs.frozen
class TransitionResult:
    """What :func:`check` decided.

    :ivar allowed: whether the transition is accepted.
    :ivar rule: the deciding :class:`TransitionRule`.
    :ivar previous: the state before, as a rule state name.
    :ivar new: the code checked.
    :ivar mode: ``strict`` or ``lenient``.
    """

    allowed: bool
    rule: TransitionRule
    previous: str
    new: StatusCode
    mode: Mode

    @property
    def reason(self) -> str:
        return self.rule.reason

    @property
    def reason_vi(self) -> str:
        return self.rule.reason_vi

    @property
    def moves(self) -> bool:
        """The state becomes :attr:`new` (allowed, and not a keep-only rule)."""
        return self.allowed and self.rule.moves

    def raise_if_refused(self) -> TransitionResult:
        """Return ``self`` when allowed; raise :class:`TransitionRefused` otherwise."""
        if not self.allowed:
            raise TransitionRefused(
                self.previous, self.new.code, self.rule.id, self.reason, self.reason_vi
            )
        return self


@attrs.frozen
class Transitions:
    """The rule set: overriding refuse rules, allow rules, then the other refuse rules, each
    group in file order; the first rule that matches decides."""

    rules: tuple[TransitionRule, ...]
    final: frozenset[str] = attrs.field(converter=_set)
    tracks: Mapping[str, tuple[str, ...]] = attrs.field(eq=False, hash=False)

    @classmethod
    def from_toml(cls, text: str) -> Transitions:
        """Rules from the text of a data file like ``status/data/transitions.toml``.

        :raises StatusError: the file is not valid TOML or a rule lacks a field.
        """
        try:
            data = tomllib.loads(text)
            rules: list[TransitionRule] = []
            for kind in ("allow", "refuse"):
                for entry in data.get(kind, []):
                    rules.append(
                        TransitionRule(
                            id=entry["id"],
                            kind=kind,
                            from_states=entry["from"],
                            to_states=entry["to"],
                            modes=entry["modes"],
                            reason=entry["en"],
                            reason_vi=entry["vi"],
                            moves=entry.get("moves", True),
                            anomaly=entry.get("anomaly"),
                            same=entry.get("same", False),
                            other_track=entry.get("other_track", False),
                            taken_back=entry.get("taken_back", False),
                            overrides=entry.get("overrides", False),
                            raw=entry,
                        )
                    )
            tracks = {name: tuple(codes) for name, codes in data["tracks"].items()}
            return cls(tuple(rules), data["final"], tracks)
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise StatusError(f"malformed transitions data: {exc}") from None

    def rule(self, rule_id: str) -> TransitionRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise StatusError(f"no transition rule {rule_id!r}")

    def track_of(self, code: StatusCode | str) -> Track | None:
        """``"progress"`` for 01–06, ``"answer"`` for 13/15/16, ``None`` for unknown codes."""
        token = state_token(code)
        for name, codes in self.tracks.items():
            if token in codes:
                return name  # type: ignore[return-value]
        return None

    def check(
        self,
        previous: Previous,
        new: StatusCode | str,
        mode: Mode = "strict",
        *,
        taken_back: bool = False,
    ) -> TransitionResult:
        """Decide ``previous`` → ``new``; ``taken_back`` says a take-back was agreed."""
        if mode not in MODES:
            raise StatusError(f"mode is 'strict' or 'lenient', not {mode!r}")
        code = new if isinstance(new, StatusCode) else StatusCode.parse(new)
        before, after = state_token(previous), state_token(code)
        tracks = {c: name for name, codes in self.tracks.items() for c in codes}
        tracks["update"] = "answer"
        ordered = (
            [r for r in self.rules if r.kind == "refuse" and r.overrides]
            + [r for r in self.rules if r.kind == "allow"]
            + [r for r in self.rules if r.kind == "refuse" and not r.overrides]
        )
        for rule in ordered:
            if rule.matches(before, after, mode, taken_back, tracks):
                return TransitionResult(rule.kind == "allow", rule, before, code, mode)
        raise StatusError(f"the transitions data has no rule for {before} → {after}")


@functools.cache
def load_transitions() -> Transitions:
    """The bundled rules (``status/data/transitions.toml``), read once."""
    text = (files("vbdt_exchange.status") / "data" / "transitions.toml").read_text("utf-8")
    return Transitions.from_toml(text)


def check(
    previous: Previous,
    new: StatusCode | str,
    mode: Mode = "strict",
    *,
    taken_back: bool = False,
) -> TransitionResult:
    """Check a transition with the bundled rules; see :meth:`Transitions.check`."""
    return load_transitions().check(previous, new, mode, taken_back=taken_back)


def require(
    previous: Previous,
    new: StatusCode | str,
    mode: Mode = "strict",
    *,
    taken_back: bool = False,
) -> TransitionResult:
    """Like :func:`check`, but raise :class:`TransitionRefused` when refused."""
    return check(previous, new, mode, taken_back=taken_back).raise_if_refused()
