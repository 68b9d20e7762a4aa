"""The transition rules: every rule of the data file with an allowed and a refused example."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest

from vbdt_exchange.status.codes import StatusCode, StatusError
from vbdt_exchange.status.transitions import (
    TransitionRefused,
    TransitionRule,
    Transitions,
    check,
    load_transitions,
    require,
    state_token,
)

RULES = load_transitions().rules


def _code(token: str) -> str:
    return "07" if token == "unknown" else token


def _default_mode(rule: TransitionRule) -> Any:
    return "strict" if "strict" in rule.modes else "lenient"


def _cases(kind: str) -> list[Any]:
    cases = []
    for rule in RULES:
        for previous, new in rule.raw.get(kind, []):
            cases.append(pytest.param(rule, previous, new, id=f"{rule.id}-{previous}-{new}"))
    return cases


def test_every_rule_has_both_examples() -> None:
    for rule in RULES:
        assert rule.raw.get("allowed"), f"{rule.id} has no allowed example"
        assert rule.raw.get("refused"), f"{rule.id} has no refused example"
        assert rule.reason
        assert rule.reason_vi
        assert rule.modes <= {"strict", "lenient"}
    assert len({r.id for r in RULES}) == len(RULES)


@pytest.mark.parametrize(("rule", "previous", "new"), _cases("allowed"))
def test_allowed(rule: TransitionRule, previous: str, new: str) -> None:
    if rule.kind == "allow":
        mode = rule.raw.get("mode", _default_mode(rule))
        result = check(previous, _code(new), mode)
        assert result.allowed
        assert result.rule.id == rule.id
    else:
        mode = rule.raw.get("allowed_mode", _default_mode(rule))
        taken_back = rule.raw.get("allowed_taken_back", False)
        result = check(previous, _code(new), mode, taken_back=taken_back)
        assert result.allowed, result.rule.id
        assert require(previous, _code(new), mode, taken_back=taken_back) == result


@pytest.mark.parametrize(("rule", "previous", "new"), _cases("refused"))
def test_refused(rule: TransitionRule, previous: str, new: str) -> None:
    if rule.kind == "allow":
        mode = rule.raw.get("refused_mode", rule.raw.get("mode", _default_mode(rule)))
        result = check(previous, _code(new), mode)
        assert not result.allowed
        assert result.rule.id != rule.id
    else:
        mode = _default_mode(rule)
        result = check(previous, _code(new), mode, taken_back=rule.taken_back)
        assert not result.allowed
        assert result.rule.id == rule.id
        assert not result.moves
        with pytest.raises(TransitionRefused) as info:
            require(previous, _code(new), mode, taken_back=rule.taken_back)
        error = info.value
        assert (error.rule, error.from_state, error.to_code) == (rule.id, previous, _code(new))
        assert error.reason == rule.reason
        assert error.reason_vi == rule.reason_vi
        assert isinstance(error, StatusError)


def test_final_matches_codes() -> None:
    final = {c.code for c in StatusCode.known_codes() if c.is_final}
    assert load_transitions().final == final


def test_tracks_cover_the_known_codes() -> None:
    transitions = load_transitions()
    codes = {c for track in transitions.tracks.values() for c in track}
    assert codes == {c.code for c in StatusCode.known_codes()}
    assert transitions.track_of("03") == "progress"
    assert transitions.track_of(StatusCode.AGREED) == "answer"
    assert transitions.track_of("07") is None


def test_every_pair_is_decided() -> None:
    states = ["none", "update", "01", "02", "03", "04", "05", "06", "13", "15", "16"]
    for previous in states:
        for new in [*states[2:], "07"]:
            for mode in ("strict", "lenient"):
                for taken_back in (False, True):
                    result = check(previous, new, mode, taken_back=taken_back)  # type: ignore[arg-type]
                    assert result.reason


def test_unknown_code_lenient_does_not_move() -> None:
    result = check("03", "1", "lenient")
    assert result.allowed
    assert not result.moves


def test_state_token() -> None:
    assert state_token(None) == "none"
    assert state_token("update") == "update"
    assert state_token(StatusCode.ACCEPTED) == "03"
    assert state_token("07") == "unknown"


def test_bad_mode_and_data() -> None:
    with pytest.raises(StatusError):
        check("01", "03", "loose")  # type: ignore[arg-type]
    with pytest.raises(StatusError):
        Transitions.from_toml("not toml [")
    with pytest.raises(StatusError):
        Transitions.from_toml("final = []\n[[allow]]\nid = 'X'\n")
    with pytest.raises(StatusError):
        load_transitions().rule("NOPE")
    assert load_transitions().rule("ST-ARRIVE").kind == "allow"


def test_no_rule_at_all() -> None:
    empty = Transitions.from_toml("final = []\n[tracks]\nprogress = ['01']\n")
    with pytest.raises(StatusError):
        empty.check(None, "01")


def test_data_file_says_inferred() -> None:
    text = (files("vbdt_exchange.status") / "data" / "transitions.toml").read_text("utf-8")
    assert "INFERRED" in text.splitlines()[2]


def test_docs_table_matches_data() -> None:
    from pathlib import Path

    page = Path(__file__).parents[2] / "docs" / "status" / "tracking.md"
    rows = [line for line in page.read_text("utf-8").splitlines() if line.startswith("| `ST-")]
    expected = []
    for r in RULES:
        modes = ", ".join(m for m in ("strict", "lenient") if m in r.modes)
        expected.append(
            f"| `{r.id}` | {r.kind} | {', '.join(sorted(r.from_states))} | "
            f"{', '.join(sorted(r.to_states))} | {modes} | {r.anomaly or ''} | {r.reason} |"
        )
    assert rows == expected
