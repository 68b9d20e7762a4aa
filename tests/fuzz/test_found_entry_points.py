"""Replay of the inputs that once crashed the verifier and the request check
(``tests/fuzz/found/sig_*.bin`` and ``wire_*.bin``; see ``fuzz/README.md``).

``test_fuzz.py`` replays every found file through the reader as well; here each goes to the entry
point it crashed, with the specific outcome it must now give:

* ``sig_*``: :func:`verify_package` FAILS with ``SIG122`` (the KeyInfo certificate cannot be
  read) and returns no package;
* ``wire_*``: the header block (``Name: value`` lines, as ``fuzz/atheris_wire.py`` reads them)
  is refused by :func:`check_request` with a ``WireAuthError`` whose reason is documented.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vbdt_exchange.adapters.vdxp_wire import WireAuthError, check_request
from vbdt_exchange.signature.policy import Indication, VerificationPolicy
from vbdt_exchange.signature.xml import verify_package

FOUND = Path(__file__).parent / "found"
SIG = sorted(FOUND.glob("sig_*.bin"))
WIRE = sorted(FOUND.glob("wire_*.bin"))
REASONS = {"missing-header", "malformed", "unknown-system", "bad-hmac", "header-mismatch"}


def test_there_are_found_inputs() -> None:
    assert len(SIG) >= 2
    assert len(WIRE) >= 1


@pytest.mark.parametrize("path", SIG, ids=[p.stem for p in SIG])
def test_signature_inputs(path: Path) -> None:
    with verify_package(path, policy=VerificationPolicy(require_trust=False)) as result:
        assert result.indication is Indication.FAILED
        assert result.package is None
        assert "SIG122" in [f.rule for f in result.errors], [str(f) for f in result.findings]


def _headers(data: bytes) -> dict[str, str]:
    headers = {}
    for raw in data.split(b"\n"):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("latin-1")
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip()] = value.strip()
    return headers


@pytest.mark.parametrize("path", WIRE, ids=[p.stem for p in WIRE])
def test_wire_inputs(path: Path) -> None:
    with pytest.raises(WireAuthError) as caught:
        check_request(_headers(path.read_bytes()), lambda system_id: b"s3cret")
    assert caught.value.reason in REASONS
