"""Atheris harness for the axis request check
:func:`~vbdt_exchange.adapters.vdxp_wire.check_request`.

The fuzzer's bytes are a header block as the hub receives it: ``Name: value`` lines, each
decoded the way the hub decodes header bytes (UTF-8, else ISO-8859-1, so every byte value
reaches the check).
Seeds are requests signed by :func:`~vbdt_exchange.adapters.vdxp_wire.sign_request` (plus the
``wire_*.bin`` inputs kept in ``tests/fuzz/found/``); every system id has the secret
``s3cret`` except ``unknown``. Properties:

* the only exception is :class:`~vbdt_exchange.adapters.vdxp_wire.WireAuthError`, whose
  ``reason`` is one of the documented ones;
* an accepted request really is signed: the HMAC-SHA256 of the transmitted
  ``XroadVnpt-sign-header`` under the secret is the ``XroadVnpt-hash-header``, and the returned
  parameters are exactly the signed ones.

Run through ``fuzz/run.sh wire`` (bounded) or directly::

    .venv/bin/python fuzz/atheris_wire.py CORPUS_DIR [libFuzzer flags]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from vbdt_exchange.adapters.vdxp_wire import WireAuthError, check_request, sign_request

ROOT = Path(__file__).resolve().parent.parent
FOUND = ROOT / "tests" / "fuzz" / "found"
SECRET = b"s3cret"
REASONS = {"missing-header", "malformed", "unknown-system", "bad-hmac", "header-mismatch"}


def secret_for(system_id: str) -> bytes | None:
    return None if system_id == "unknown" else SECRET


def headers_of(data: bytes) -> list[tuple[str, str]]:
    """``Name: value`` lines as a list of header pairs (decoded as the hub decodes them)."""
    pairs = []
    for raw in data.split(b"\n"):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("latin-1")
        name, sep, value = line.partition(":")
        if sep:
            pairs.append((name.strip(), value.strip()))
    return pairs


def block(headers: dict[str, str]) -> bytes:
    return "".join(f"{k}: {v}\n" for k, v in headers.items()).encode("utf-8")


def samples() -> list[bytes]:
    """Signed requests in the header-block form: the shapes the SDK sends."""
    common = {"system_id": "000.00.00.H41", "secret": SECRET, "timestamp": "22112026T000518+0709"}
    out = [
        block(sign_request([("servicetype", "eDoc")], content_type="application/json", **common)),
        block(
            sign_request(
                [("servicetype", "eDoc"), ("messagetype", "edoc"), ("from", "000.00.00.H41")],
                content_type="multipart/form-data; boundary=x",
                **common,
            )
        ),
        block(sign_request([("docid", "Tiếng Việt")], content_type="text/plain", **common)),
    ]
    return out + [p.read_bytes() for p in sorted(FOUND.glob("wire_*.bin"))]


def seed(corpus: Path) -> int:
    corpus.mkdir(parents=True, exist_ok=True)
    found = samples()
    for i, data in enumerate(found):
        (corpus / f"signed-{i}.txt").write_bytes(data)
    return len(found)


def test_one_input(data: bytes) -> None:
    pairs = headers_of(data)
    headers = dict(pairs)
    try:
        signed = check_request(headers, secret_for)
    except WireAuthError as exc:
        if exc.reason not in REASONS:
            raise AssertionError(f"undocumented reason {exc.reason!r}") from exc
        return
    lower = {k.lower(): v for k, v in headers.items()}
    text = lower["xroadvnpt-sign-header"]
    expected = hmac.new(SECRET, text.encode(), hashlib.sha256).hexdigest()
    if expected != lower["xroadvnpt-hash-header"].strip().lower():
        raise AssertionError("accepted a request whose HMAC does not match")
    values = json.loads(text)
    if signed.params != {
        k[len("XroadVnpt-") :]: v for k, v in values.items() if k.startswith("XroadVnpt-")
    }:
        raise AssertionError("returned parameters that were not signed")


def main() -> None:
    args = sys.argv[:]
    if len(args) >= 3 and args[1] == "--seed":
        sys.stdout.write(f"seeded {seed(Path(args[2]))} file(s) into {args[2]}\n")
        return
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
