"""The signature-wrapping corpus (``wrapping/``, made by ``wrapping/make_corpus.py``): every
hostile variant is refused with the rule ``expected.json`` names, the package is never returned
for it, and the controls pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vbdt_exchange.envelope.models import EdocPackage
from vbdt_exchange.errors import EnvelopeReadError
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.xml import verify_package

CORPUS = Path(__file__).resolve().parent / "wrapping"
EXPECTED: dict[str, str] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
INTEGRITY = VerificationPolicy(require_trust=False)


def test_corpus_is_complete() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.edxml"))
    assert files == sorted(EXPECTED)
    assert sum(rule.startswith("SIG") for rule in EXPECTED.values()) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variant(name: str) -> None:
    expected = EXPECTED[name]
    path = CORPUS / name
    if expected == "unreadable":
        with pytest.raises(EnvelopeReadError, match="EDX004"):
            verify_package(path, policy=INTEGRITY)
        return
    with verify_package(path, policy=INTEGRITY) as result:
        if expected == "PASSED":
            assert result.indication is Indication.PASSED, result.findings
            assert isinstance(result.package, EdocPackage)
            assert result.package.subject is not None
            assert result.package.subject.startswith("V/v triển khai kết nối")
            return
        assert result.indication is Indication.FAILED
        assert result.package is None
        rules = [f.rule for f in result.errors]
        assert expected in rules, (name, [str(f) for f in result.findings])
        refused = next(f for f in result.errors if f.rule == expected)
        assert refused.message_vi
        assert refused.path
        assert refused.line


def test_comment_does_not_truncate_the_value() -> None:
    with verify_package(CORPUS / "control-comment-in-value.edxml", policy=INTEGRITY) as result:
        assert isinstance(result.package, EdocPackage)
        assert result.package.subject == (
            "V/v triển khai kết nối, liên thông văn bản điện tử năm 2026"
        )
