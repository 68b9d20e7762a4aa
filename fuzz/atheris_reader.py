"""Atheris harness for the edXML reader and validator (issue 8, item 2).

Feeds the fuzzer's bytes to ``vbdt_exchange.read`` (strict and recovering) and
``vbdt_exchange.validate``. A :class:`~vbdt_exchange.VbdtError` is the expected refusal; any
other exception propagates and atheris records the input as a crash. When ``read`` succeeds,
the package must also convert to JSON and write back (``strict=False``).

Run through ``fuzz/run.sh`` (bounded) or directly::

    .venv/bin/python fuzz/atheris_reader.py CORPUS_DIR [libFuzzer flags]

``CORPUS_DIR`` is seeded from the peer samples and the library's example with ``--seed DIR``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import vbdt_exchange as vbdt

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "tests" / "vectors" / "peers"
FOUND = ROOT / "tests" / "fuzz" / "found"
# VBDT_FUZZ_RECOVER=0 fuzzes only the strict reader (while recovery-mode findings are open)
MODES = (False,) if os.environ.get("VBDT_FUZZ_RECOVER") == "0" else (False, True)
MAX_SEED = 64 * 1024  # the 360 KB samples slow every execution; the small ones cover the shapes


def seed(corpus: Path) -> int:
    """Copy the small peer samples, the example and earlier crashes into ``corpus``."""
    corpus.mkdir(parents=True, exist_ok=True)
    sources = [p for p in PEERS.rglob("*") if p.suffix in {".edxml", ".xml"}]
    sources.append(Path(vbdt.example_path()))
    sources += sorted(FOUND.glob("*.bin")) if FOUND.is_dir() else []
    count = 0
    for path in sources:
        if path.is_file() and path.stat().st_size <= MAX_SEED:
            shutil.copyfile(path, corpus / f"{path.parent.name}__{path.name}")
            count += 1
    return count


def test_one_input(data: bytes) -> None:
    for recover in MODES:
        try:
            result = vbdt.read(data, recover=recover)
        except vbdt.VbdtError:
            continue
        with result:
            json.dumps(vbdt.package_to_json(result.package, result.findings))
            written = vbdt.to_bytes(result.package, strict=False)
        with vbdt.read(written, recover=True):
            pass
    report = vbdt.validate(data, recover=MODES[-1])
    if not isinstance(report, vbdt.Report):
        raise TypeError(f"validate returned {type(report).__name__}")


def main() -> None:
    args = sys.argv[:]
    if len(args) >= 3 and args[1] == "--seed":
        sys.stdout.write(f"seeded {seed(Path(args[2]))} file(s) into {args[2]}\n")
        return
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
