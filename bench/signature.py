"""XML signature benchmark: sign and verify time and peak memory of vbdt_exchange.

Run: ``python bench/signature.py`` (a 200 KB package against signxml, and a 100 MiB attachment
against the hashlib + base64 floor) or ``python bench/signature.py --size 16M`` (quick).
See bench/README.md ("XML signatures") for what is measured and how to read the output.

Every measured operation runs in a fresh child interpreter (``python bench/signature.py --child
OP ARGS``) that times the operation alone (imports and key loading excluded); the parent reads
the child's peak RSS with ``os.wait4`` (``ru_maxrss``). An idle child of each kind (imports only)
gives the baseline; *growth* = peak - idle. The parent stays small (standard library only), so
that its own peak, which Linux folds into the children's ``ru_maxrss``, is below every child's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

Json = dict[str, Any]
HERE = Path(__file__).resolve().parent
MiB = 1024 * 1024
CHUNK = 3 * MiB


# -- children ----------------------------------------------------------------------------------


def _signer(work: Path) -> Any:
    from vbdt_exchange.signature.keys import load_pem

    return load_pem(work / "person.key.pem", work / "person.pem")


def child(op: str, args: Json) -> Json:
    work = Path(args["work"])
    result: Json = {}
    if op == "prepare":
        return make_inputs(work, args["size"])
    if op == "idle-lib":
        import vbdt_exchange.signature.xml

        return {"seconds": 0.0}
    if op == "idle-floor":
        import binascii
        import hashlib

        return {"seconds": 0.0}
    if op == "idle-signxml":
        import signxml  # noqa: F401

        return {"seconds": 0.0}
    if op == "lib-sign":
        from vbdt_exchange.signature.xml import sign_package

        signer = _signer(work)
        start = time.perf_counter()
        sign_package(args["input"], args["output"], signer, profile=args["profile"])
    elif op == "lib-sign-model":
        import attrs

        import vbdt_exchange
        from vbdt_exchange.envelope.models import Attachment
        from vbdt_exchange.envelope.reader import read
        from vbdt_exchange.signature.xml import sign_package

        signer = _signer(work)
        start = time.perf_counter()
        package = attrs.evolve(
            read(vbdt_exchange.example_path()).package,
            attachments=(Attachment.from_path(args["attachment"]),),
        )
        sign_package(package, args["output"], signer, profile=args["profile"])
    elif op == "lib-verify":
        from vbdt_exchange.signature.policy import VerificationPolicy
        from vbdt_exchange.signature.xml import verify_package

        policy = VerificationPolicy(require_trust=False)
        start = time.perf_counter()
        with verify_package(args["input"], policy=policy) as verification:
            result["indication"] = str(verification.indication)
    elif op == "signxml-sign":
        from lxml import etree
        from signxml import XMLSigner, methods

        key = (work / "person.key.pem").read_bytes()
        cert = (work / "person.pem").read_bytes()
        start = time.perf_counter()
        root = etree.parse(args["input"]).getroot()
        signed = XMLSigner(
            method=methods.enveloped,
            c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
        ).sign(root, key=key, cert=cert)
        Path(args["output"]).write_bytes(etree.tostring(signed, xml_declaration=True))
    elif op == "signxml-verify":
        from signxml import XMLVerifier

        cert = (work / "person.pem").read_bytes()
        start = time.perf_counter()
        data = Path(args["input"]).read_bytes()
        XMLVerifier().verify(data, x509_cert=cert)
        result["indication"] = "PASSED"
    elif op == "floor-sign":
        import binascii
        import hashlib

        # the least a signer must do: read the attachment, base64 it, hash the base64, write it
        start = time.perf_counter()
        digest = hashlib.sha256()
        with open(args["attachment"], "rb") as src, open(args["output"], "wb") as out:
            while chunk := src.read(CHUNK):
                text = binascii.b2a_base64(chunk, newline=False)
                digest.update(text)
                out.write(text)
        result["digest"] = digest.hexdigest()
    elif op == "floor-verify":
        import binascii
        import hashlib

        # the least a verifier must do: read the base64 text, hash it, decode it, write it
        start = time.perf_counter()
        digest = hashlib.sha256()
        with open(args["base64"], "rb") as src, open(args["output"], "wb") as out:
            while chunk := src.read(4 * MiB):
                digest.update(chunk)
                out.write(binascii.a2b_base64(chunk))
        result["digest"] = digest.hexdigest()
    else:
        raise SystemExit(f"unknown op {op}")
    result["seconds"] = time.perf_counter() - start
    return result


# -- parent ------------------------------------------------------------------------------------


def run_child(op: str, args: Json) -> Json:
    argv = [sys.executable, str(Path(__file__)), "--child", op, json.dumps(args)]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if proc.returncode:
        raise SystemExit(f"{op} failed ({proc.returncode})")
    result: Json = json.loads(text)
    result["peak_mib"] = usage.ru_maxrss / 1024
    return result


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MiB, "G": 1024 * MiB}
    text = text.strip().upper().rstrip("IB")
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def make_inputs(work: Path, attachment_size: int) -> Json:
    """Keys, a ~200 KB package and a package with a large attachment."""
    import attrs

    import vbdt_exchange
    from vbdt_exchange.envelope.models import Attachment
    from vbdt_exchange.envelope.reader import read
    from vbdt_exchange.envelope.writer import write
    from vbdt_exchange.testing.pki import TestPKI

    TestPKI.generate().person.write(work)
    example = read(vbdt_exchange.example_path()).package
    small = attrs.evolve(
        example, attachments=(Attachment.from_bytes("a.pdf", os.urandom(150 * 1024)),)
    )
    write(small, work / "small.edxml")
    big_attachment = work / "big.bin"
    block = os.urandom(MiB)
    with open(big_attachment, "wb") as f:
        for _ in range(attachment_size // MiB):
            f.write(block)
    big = attrs.evolve(example, attachments=(Attachment.from_path(big_attachment),))
    write(big, work / "big.edxml")
    # the base64 text alone, for the verify floor
    with open(work / "big.b64", "wb") as out, open(big_attachment, "rb") as src:
        import binascii

        while chunk := src.read(CHUNK):
            out.write(binascii.b2a_base64(chunk, newline=False))
    return {"small_bytes": (work / "small.edxml").stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100M", help="large attachment size (default 100M)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.child:
        print(json.dumps(child(opts.child[0], json.loads(opts.child[1]))))
        return 0
    size = parse_size(opts.size)
    with tempfile.TemporaryDirectory(prefix="vbdt-bench-sig-") as tmp:
        work = Path(tmp)
        w = str(work)
        info = run_child("prepare", {"work": w, "size": size})
        plan: list[tuple[str, str, Json]] = [
            ("200 KB", "idle-lib", {"work": w}),
            ("200 KB", "idle-signxml", {"work": w}),
            (
                "200 KB",
                "lib-sign",
                {
                    "work": w,
                    "input": f"{w}/small.edxml",
                    "output": f"{w}/small-lib.edxml",
                    "profile": "xmldsig",
                },
            ),
            ("200 KB", "lib-verify", {"work": w, "input": f"{w}/small-lib.edxml"}),
            (
                "200 KB",
                "signxml-sign",
                {"work": w, "input": f"{w}/small.edxml", "output": f"{w}/small-signxml.edxml"},
            ),
            ("200 KB", "signxml-verify", {"work": w, "input": f"{w}/small-signxml.edxml"}),
            ("large", "idle-floor", {"work": w}),
            (
                "large",
                "floor-sign",
                {"work": w, "attachment": f"{w}/big.bin", "output": f"{w}/floor.b64"},
            ),
            (
                "large",
                "lib-sign",
                {
                    "work": w,
                    "input": f"{w}/big.edxml",
                    "output": f"{w}/big-lib.edxml",
                    "profile": "xades-b-b",
                },
            ),
            (
                "large",
                "lib-sign-model",
                {
                    "work": w,
                    "attachment": f"{w}/big.bin",
                    "output": f"{w}/big-model.edxml",
                    "profile": "xades-b-b",
                },
            ),
            (
                "large",
                "floor-verify",
                {"work": w, "base64": f"{w}/big.b64", "output": f"{w}/floor.bin"},
            ),
            ("large", "lib-verify", {"work": w, "input": f"{w}/big-lib.edxml"}),
        ]
        results: dict[tuple[str, str], list[Json]] = {}
        for _ in range(opts.repeat):
            for group, op, args in plan:
                results.setdefault((group, op), []).append(run_child(op, args))
    rows = {
        key: {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mib": statistics.median(r["peak_mib"] for r in runs),
            "indication": runs[0].get("indication"),
        }
        for key, runs in results.items()
    }
    for (group, op), row in rows.items():
        if row["indication"] not in (None, "PASSED"):
            print(f"CHECK FAILED: {group} {op} gave {row['indication']}")
            return 2
    if opts.json:
        out = {f"{g} {o}": r for (g, o), r in rows.items()}
        print(json.dumps({"size": size, **info, "results": out}, indent=2))
        return 0

    def idle(op: str) -> float:
        kind = (
            "idle-signxml"
            if op.startswith("signxml")
            else ("idle-floor" if op.startswith("floor") else "idle-lib")
        )
        group = "large" if kind == "idle-floor" else "200 KB"
        return float(rows[(group, kind)]["peak_mib"])

    print(
        f"package of {info['small_bytes'] / 1024:.0f} KiB; large attachment {size / MiB:.0f} MiB;"
        f" median of {opts.repeat}"
    )
    print(f"{'input':8} {'operation':16} {'seconds':>9} {'peak MiB':>9} {'growth MiB':>11}  ratio")
    for (group, op), row in rows.items():
        if op.startswith("idle"):
            continue
        ratio = ""
        if group == "200 KB" and op.startswith("lib"):
            other = rows[(group, op.replace("lib", "signxml"))]["seconds"]
            ratio = f"{row['seconds'] / other:.2f}x signxml"
        elif group == "large" and op.startswith("lib"):
            floor = rows[(group, op.replace("lib", "floor").replace("-model", ""))]["seconds"]
            ratio = f"{row['seconds'] / floor:.2f}x floor"
        growth = row["peak_mib"] - idle(op)
        print(
            f"{group:8} {op:16} {row['seconds']:9.3f} {row['peak_mib']:9.1f} {growth:11.1f}  "
            f"{ratio}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
