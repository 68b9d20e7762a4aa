"""StatusCode and DeliveryStatus: two layers, never mapped implicitly."""

from __future__ import annotations

import pytest

from vbdt_exchange.errors import VbdtError
from vbdt_exchange.status.codes import DeliveryStatus, StatusCode, StatusError

KNOWN = ["01", "02", "03", "04", "05", "06", "13", "15", "16"]


def test_known_codes() -> None:
    assert [c.code for c in StatusCode.known_codes()] == KNOWN
    for code in StatusCode.known_codes():
        assert code.known
        assert code.phrase_vi
        assert code.phrase_en
        assert code.description_vi
        assert StatusCode.parse(code.code) is code
        assert str(code) == code.code
        assert repr(code) == f"StatusCode.{code.name}"


def test_metadata() -> None:
    assert StatusCode.ACCEPTED.code == "03"
    assert StatusCode.ACCEPTED.phrase_vi == "Đã tiếp nhận"
    assert StatusCode.TAKE_BACK_REQUESTED.sender == "sender"
    assert not StatusCode.TAKE_BACK_REQUESTED.from_receiver
    assert {c.code for c in StatusCode.known_codes() if c.sender == "receiver"} == set(KNOWN) - {
        "13"
    }
    assert {c.code for c in StatusCode.known_codes() if c.is_final} == {"02", "06"}
    assert StatusCode.ARRIVED.description_vi.endswith("văn thư chưa xử lý")


@pytest.mark.parametrize("text", ["07", "1", "103", "", "abc", "14"])
def test_unknown_codes_are_kept(text: str) -> None:
    code = StatusCode.parse(text)
    assert not code.known
    assert code.code == text
    assert code.sender is None
    assert not code.is_final
    assert StatusCode.parse(text) == code
    assert repr(code) == f"StatusCode.parse({text!r})"


def test_whitespace_is_ignored_but_nothing_else() -> None:
    assert StatusCode.parse(" 03\n") is StatusCode.ACCEPTED
    assert not StatusCode.parse("3").known


def test_parse_refuses_non_text() -> None:
    with pytest.raises(StatusError):
        StatusCode.parse(3)  # type: ignore[arg-type]
    assert issubclass(StatusError, VbdtError)
    assert issubclass(StatusError, ValueError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("initial", DeliveryStatus.INITIAL),
        ("PROCESSING", DeliveryStatus.PROCESSING),
        ("Done", DeliveryStatus.DONE),
        (" fail ", DeliveryStatus.FAIL),
    ],
)
def test_delivery_parse(text: str, expected: DeliveryStatus) -> None:
    assert DeliveryStatus.parse(text) is expected
    assert expected.lgsp == expected.value.upper()
    assert str(expected) == expected.value
    assert expected.phrase_en
    assert expected.phrase_vi


@pytest.mark.parametrize("text", ["03", "01", "ok", ""])
def test_delivery_is_not_a_business_code(text: str) -> None:
    with pytest.raises(StatusError):
        DeliveryStatus.parse(text)


def test_business_code_hint_in_message() -> None:
    with pytest.raises(StatusError, match="business StatusCode"):
        DeliveryStatus.parse("03")
    with pytest.raises(StatusError):
        DeliveryStatus.parse(None)  # type: ignore[arg-type]


def test_layers_are_separate() -> None:
    assert not StatusCode.parse("done").known
    assert DeliveryStatus.DONE.business_hint is StatusCode.ARRIVED
    assert DeliveryStatus.FAIL.business_hint is None
    assert DeliveryStatus.INITIAL.business_hint is None
    assert DeliveryStatus.PROCESSING.business_hint is None
