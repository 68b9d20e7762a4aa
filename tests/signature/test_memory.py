"""Signing and verifying a package with a large attachment stay within bounded memory: the
peak RSS of a child process does not grow with the attachment (200 MiB here)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys, datetime
    from pathlib import Path
    import attrs
    from vbdt_exchange.envelope.models import Attachment
    from vbdt_exchange.envelope.reader import read
    from vbdt_exchange.signature.keys import KeySigner
    from vbdt_exchange.signature.policy import VerificationPolicy
    from vbdt_exchange.signature.xml import sign_package, verify_package
    from vbdt_exchange.testing.pki import TestPKI

    work = Path(sys.argv[1]); size = int(sys.argv[2]); example = sys.argv[3]
    big = work / "big.bin"
    block = os.urandom(1024 * 1024)
    with open(big, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
    pki = TestPKI.generate()
    signer = KeySigner(pki.person.private_key, pki.person.certificate)
    package = attrs.evolve(read(example).package, attachments=(Attachment.from_path(big),))
    def rss():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    before = rss()
    sign_package(package, work / "signed.edxml", signer)
    after_sign = rss()
    with verify_package(work / "signed.edxml",
                        policy=VerificationPolicy(require_trust=False)) as result:
        indication = str(result.indication)
        attachment = result.package.attachments[0]
        same = attachment.data.size == size
    print(json.dumps({"before": before, "sign": after_sign, "verify": rss(),
                      "indication": indication, "same": same,
                      "file": (work / "signed.edxml").stat().st_size}))
    """
)


@pytest.mark.slow
def test_sign_and_verify_200_mib_in_bounded_memory(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "src/vbdt_exchange/examples/cong-van.edxml"
    size = 200 * 1024 * 1024
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), str(size), str(example)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["indication"] == "PASSED"
    assert result["same"]
    assert result["file"] > size * 4 // 3
    # the attachment is 200 MiB (267 MiB as base64); what the operations add stays far below
    assert result["sign"] - result["before"] < 64, result
    assert result["verify"] - result["before"] < 64, result
