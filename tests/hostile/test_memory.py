"""Bounded memory, measured for real: each read runs in a child process whose address space is
capped with ``RLIMIT_AS`` (``tracemalloc`` would not see libxml2's allocations).

A 300 MiB attachment (400 MiB of base64) read under a 512 MiB cap proves the payload is
streamed rather than held; the ZIP bomb read under the same cap proves it is not inflated.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from _hostile import BOMB_SIZE, attachment, package, reference, write_big_package

CAP = 512 * 1024 * 1024
BIG = 300 * 1024 * 1024

CHILD = r"""
import json, resource, sys
cap = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
import vbdt_exchange as vbdt
with vbdt.read(sys.argv[1]) as result:
    attachments = [
        {"size": a.size, "sha256": a.sha256() if a.size is not None else None,
         "sdk_zipped": a.sdk_zipped}
        for a in result.package.attachments
    ]
    findings = [[f.rule, f.severity.value] for f in result.findings]
print(json.dumps({"attachments": attachments, "findings": findings,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _read_in_child(path: Path) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(CAP)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def _idle_maxrss_kib() -> int:
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, vbdt_exchange;"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(run.stdout)


def _expected_sha256(size: int) -> str:
    """The SHA-256 of what :func:`write_big_package` encodes, computed the same streaming way."""
    block = 57 * 16 * 1024
    pattern = (bytes(range(256)) * (block // 256 + 1))[:block]
    digest = hashlib.sha256()
    for _ in range(size // block):
        digest.update(pattern)
    digest.update(pattern[: size % block])
    return digest.hexdigest()


def test_300_mib_attachment_reads_under_a_512_mib_address_space(tmp_path: Path) -> None:
    path = tmp_path / "big.edxml"
    write_big_package(path, BIG)
    assert path.stat().st_size > 400 * 1024 * 1024  # the base64 alone is bigger than ...
    report = _read_in_child(path)
    (att,) = report["attachments"]  # type: ignore[misc]
    assert att["size"] == BIG
    assert att["sha256"] == _expected_sha256(BIG)
    assert report["findings"] == []
    # ... and the peak resident set stays far below the attachment (streaming, not buffering)
    assert report["maxrss_kib"] - _idle_maxrss_kib() < 100 * 1024, report


def test_zip_bomb_reads_under_a_512_mib_address_space(bomb: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bomb.edxml"
    path.write_bytes(
        package(
            attachments=[
                attachment(base64.b64encode(bomb).decode(), content_type="application/zip")
            ],
            references=[reference(content_type="application/zip")],
        )
    )
    report = _read_in_child(path)
    assert report["findings"] == [["EDX304", "error"]]
    (att,) = report["attachments"]  # type: ignore[misc]
    assert att["size"] == len(bomb) < BOMB_SIZE // 500
    assert not att["sdk_zipped"]
    assert report["maxrss_kib"] - _idle_maxrss_kib() < 50 * 1024, report
