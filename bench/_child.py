"""One measured operation, run in a fresh interpreter by ``bench/run.py``.

Usage: ``python bench/_child.py OP JSON_ARGS``. Prints one JSON object on stdout: the wall-clock
seconds and CPU seconds (``time.process_time``) of the operation alone (imports excluded), the
child's own ``VmHWM`` (a cross-check for the ``ru_maxrss`` the parent reads with ``os.wait4``)
and what the operation produced (sizes, SHA-256), so that the parent can check that the floor
and the library did the same work.

Operations:

* ``idle-floor``   ``import hashlib, binascii`` and nothing else;
* ``idle-lib``     ``import vbdt_exchange`` and nothing else;
* ``floor-pack``   read the attachment in chunks, SHA-256 + ``binascii.b2a_base64`` of each
                   chunk, write the base64 to a file;
* ``lib-pack``     ``vbdt_exchange.write`` of a package with ``Attachment.from_path``;
* ``floor-unpack`` read the base64 text (a byte range of the package the library wrote) in
                   chunks, ``binascii.a2b_base64`` + SHA-256, write the bytes to a file;
* ``lib-unpack``   ``vbdt_exchange.unpack`` of that package into a directory.

Only the standard library is imported here at module level: the kind-specific imports happen in
each operation, before the clock starts, so that the idle children measure the same footprint.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vbdt_exchange import EdocPackage

Json = dict[str, Any]

PACK_CHUNK = 3 * 1024 * 1024  # a multiple of 3 (the library's writer uses the same size)
UNPACK_CHUNK = 4 * 1024 * 1024  # a multiple of 4


def _vmhwm_kib() -> int:
    with open("/proc/self/status") as f:
        m = re.search(r"^VmHWM:\s+(\d+)\s+kB", f.read(), re.MULTILINE)
    return int(m.group(1)) if m else -1


def idle_floor(args: Json) -> Json:
    import binascii  # noqa: F401
    import hashlib  # noqa: F401

    return {}


def idle_lib(args: Json) -> Json:
    import vbdt_exchange  # noqa: F401

    return {}


def floor_pack(args: Json) -> Json:
    import binascii
    import hashlib

    t0, c0 = time.perf_counter(), time.process_time()
    sha = hashlib.sha256()
    size = written = 0
    with open(args["src"], "rb") as src, open(args["out"], "wb") as out:
        while chunk := src.read(PACK_CHUNK):
            sha.update(chunk)
            size += len(chunk)
            written += out.write(binascii.b2a_base64(chunk, newline=False))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "size": size,
        "sha256": sha.hexdigest(),
        "out_size": written,
    }


def _package(src: str) -> EdocPackage:
    import datetime

    from vbdt_exchange import (
        Attachment,
        Code,
        EdocPackage,
        Organization,
        PromulgationInfo,
    )

    return EdocPackage(
        from_=Organization(organ_id="000.00.00.H41", organ_name="UBND tỉnh Nghệ An"),
        to=(Organization(organ_id="000.00.00.G22", organ_name="Văn phòng Chính phủ"),),
        code=Code("1", "BENCH"),
        promulgation=PromulgationInfo(datetime.date(2026, 1, 1), "Nghệ An"),
        subject="Benchmark package",
        steering_type=1,
        document_id="000.00.00.H41,2026/01/01,1/BENCH",
        attachments=(
            Attachment.from_path(
                src, name="attachment.bin", content_id="00000000-0000-4000-8000-000000000001"
            ),
        ),
    )


def lib_pack(args: Json) -> Json:
    import vbdt_exchange

    t0, c0 = time.perf_counter(), time.process_time()
    result = vbdt_exchange.write(_package(args["src"]), args["out"])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    (att,) = result.attachments
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "size": att.size,
        "sha256": att.sha256,
        "out_size": result.size,
    }


def floor_unpack(args: Json) -> Json:
    import binascii
    import hashlib

    t0, c0 = time.perf_counter(), time.process_time()
    sha = hashlib.sha256()
    size = 0
    left = args["length"]
    with open(args["src"], "rb") as src, open(args["out"], "wb") as out:
        src.seek(args["offset"])
        while left > 0:
            text = src.read(min(UNPACK_CHUNK, left))
            if not text:
                raise SystemExit("floor-unpack: the package ended early")
            left -= len(text)
            data = binascii.a2b_base64(text)
            sha.update(data)
            size += out.write(data)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu_seconds": cpu, "size": size, "sha256": sha.hexdigest()}


def lib_unpack(args: Json) -> Json:
    import vbdt_exchange

    t0, c0 = time.perf_counter(), time.process_time()
    result = vbdt_exchange.unpack(args["src"], args["out"])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    (item,) = result.files
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "size": item.attachment.data.size,
        "sha256": item.attachment.data.sha256(),
        "file_size": os.stat(item.path).st_size if item.path else None,
        "errors": [str(f) for f in result.findings if f.is_error],
    }


OPS = {
    "idle-floor": idle_floor,
    "idle-lib": idle_lib,
    "floor-pack": floor_pack,
    "lib-pack": lib_pack,
    "floor-unpack": floor_unpack,
    "lib-unpack": lib_unpack,
}


def main() -> None:
    op, args = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    result = OPS[op](args)
    result["op"] = op
    result["vmhwm_kib"] = _vmhwm_kib()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
