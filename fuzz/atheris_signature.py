"""Atheris harness for the XML signature verifier
:func:`~vbdt_exchange.signature.xml.verify_package`.

Feeds the fuzzer's bytes to ``verify_package`` (integrity only: ``require_trust=False``), seeded
with the signature-wrapping corpus ``tests/signature/wrapping/`` and the signature inputs kept in
``tests/fuzz/found/`` (``sig_*.bin``). Properties:

* the only exception is :class:`~vbdt_exchange.errors.EnvelopeReadError` (the file cannot be
  read at all); anything else is a crash;
* the verdict converts to JSON, and a package is returned exactly when the verdict is PASSED;
* **PASSED implies the package is one the signer signed**: nobody but the test signer can make a
  signature that verifies, so the package of a PASSED verdict (in its JSON form, without the
  signature element) must equal the package of one of the seed files. A mutation that passes
  with a different package is a hole in the verifier.

Run through ``fuzz/run.sh signature`` (bounded) or directly::

    .venv/bin/python fuzz/atheris_signature.py CORPUS_DIR [libFuzzer flags]
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import atheris

with atheris.instrument_imports():
    from vbdt_exchange.envelope.jsonform import package_to_json
    from vbdt_exchange.envelope.reader import read
    from vbdt_exchange.errors import EnvelopeReadError, VbdtError
    from vbdt_exchange.signature.policy import Indication, VerificationPolicy
    from vbdt_exchange.signature.xml import verify_package

ROOT = Path(__file__).resolve().parent.parent
WRAPPING = ROOT / "tests" / "signature" / "wrapping"
FOUND = ROOT / "tests" / "fuzz" / "found"
POLICY = VerificationPolicy(require_trust=False)


def seeds() -> list[Path]:
    return sorted(WRAPPING.glob("*.edxml")) + sorted(FOUND.glob("sig_*.bin"))


def signed_form(package: Any) -> str:
    """The package as JSON without its signature element: what a signature vouches for."""
    form = package_to_json(package)
    form.pop("signature", None)
    return json.dumps(form, sort_keys=True, ensure_ascii=False)


def _signed_packages() -> frozenset[str]:
    forms = set()
    for path in seeds():
        try:
            with read(path) as result:
                forms.add(signed_form(result.package))
        except VbdtError:
            continue
    return frozenset(forms)


SIGNED: frozenset[str] = frozenset()


def seed(corpus: Path) -> int:
    corpus.mkdir(parents=True, exist_ok=True)
    for path in seeds():
        shutil.copyfile(path, corpus / path.name)
    return len(seeds())


def test_one_input(data: bytes) -> None:
    try:
        verification = verify_package(data, policy=POLICY)
    except EnvelopeReadError:
        return
    with verification:
        json.dumps(verification.to_dict())
        passed = verification.indication is Indication.PASSED
        if passed != (verification.package is not None):
            raise AssertionError(f"{verification.indication} with package {verification.package}")
        if passed and signed_form(verification.package) not in SIGNED:
            raise AssertionError("PASSED for a package the signer never signed")


def main() -> None:
    global SIGNED
    args = sys.argv[:]
    if len(args) >= 3 and args[1] == "--seed":
        sys.stdout.write(f"seeded {seed(Path(args[2]))} file(s) into {args[2]}\n")
        return
    SIGNED = _signed_packages()
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
