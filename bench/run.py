"""Pack/unpack benchmark of vbdt_exchange against a floor measured in the same run.

Run: ``python bench/run.py`` (1 GiB attachment) or ``python bench/run.py --size 64M`` (quick).
See bench/README.md for what is measured and how to read the output.

Every measured operation runs in a fresh child (``bench/_child.py``): the child times the
operation itself (imports excluded) and the parent reads the child's peak RSS from
``os.wait4`` (``ru_maxrss``, KiB on Linux). An idle child of each kind (imports only) gives the
baseline, so that *RSS growth* = peak - idle of the same kind.

Caveat on ``ru_maxrss``: Linux folds the spawning process's peak RSS into the child's
``ru_maxrss`` (exec records the high-water mark of the address space it replaces, which after
vfork/posix_spawn is the parent's). This script's own peak (~20 MiB: argparse, subprocess ...) is
above the idle floor child's (~14 MiB), so it does not spawn the children itself: a minimal
*spawner* interpreter (``python -I -S``, only ``os``/``sys``/``time``; peak ~9 MiB) does, and
reads ``ru_maxrss`` with ``os.wait4``. Each child also reports its own ``VmHWM`` (from
/proc/self/status, unaffected by this); the JSON output has both.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

Json = dict[str, Any]

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_child.py"
MiB = 1024 * 1024
GiB = 1024 * MiB
BLOCK = MiB  # generation / warming / scanning buffer: keeps this process small
TARGET_RATIO = 1.3
TARGET_GROWTH_MIB = 64.0
CTE_OPEN = b"<ContentTransferEncoded>"

_UNITS = {
    "": 1,
    "B": 1,
    "K": 1024,
    "KB": 1024,
    "KIB": 1024,
    "M": MiB,
    "MB": MiB,
    "MIB": MiB,
    "G": GiB,
    "GB": GiB,
    "GIB": GiB,
}


def parse_size(text: str) -> int:
    """``1073741824``, ``64M``, ``1G``, ``512k`` (binary units) -> bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    if not m or m.group(2).upper() not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 64M, 1G, 1073741824)")
    size = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if size <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return size


def human(n: float) -> str:
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:.0f} B"


def vmhwm_kib() -> int:
    with open("/proc/self/status") as f:
        m = re.search(r"^VmHWM:\s+(\d+)\s+kB", f.read(), re.MULTILINE)
    return int(m.group(1)) if m else -1


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# -- files ----------------------------------------------------------------------------------------


def generate(path: Path, size: int) -> str:
    """Write ``size`` incompressible bytes cheaply: 1 MiB of os.urandom, each copy stamped with a
    counter (so no two MiB are equal). Returns the SHA-256."""
    block = bytearray(os.urandom(BLOCK))
    sha = hashlib.sha256()
    left = size
    counter = 0
    with open(path, "wb") as f:
        while left > 0:
            block[:8] = counter.to_bytes(8, "little")
            piece = memoryview(block)[: min(BLOCK, left)]
            f.write(piece)
            sha.update(piece)
            left -= len(piece)
            counter += 1
    return sha.hexdigest()


def warm(path: Path) -> None:
    """Read a file once so that it is in the page cache (never more than 1 MiB held)."""
    buf = bytearray(BLOCK)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buf):
            pass


def find_payload(path: Path) -> tuple[int, int]:
    """Byte offset and length of the base64 text of the (single) ContentTransferEncoded element
    of a package written by the library (no prefix, one line, ends at the next '<')."""
    overlap = len(CTE_OPEN)
    offset = None
    base = 0
    tail = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(BLOCK)
            if not chunk:
                break
            data = tail + chunk
            start = base - len(tail)
            if offset is None:
                i = data.find(CTE_OPEN)
                if i >= 0:
                    offset = start + i + len(CTE_OPEN)
                    j = data.find(b"<", i + len(CTE_OPEN))
                    if j >= 0:
                        return offset, start + j - offset
            else:
                j = data.find(b"<")
                if j >= 0:
                    return offset, start + j - offset
            tail = data[-overlap:]
            base += len(chunk)
    raise SystemExit(f"no ContentTransferEncoded payload found in {path}")


def remove(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


# -- children --------------------------------------------------------------------------------------

# The spawner: started once, before any data is touched; one command per line (the child's
# stdout file, then its argv, separated by \x1f), one answer per line.
SPAWNER = r"""
import os, sys, time
inp, out = sys.stdin.buffer, sys.stdout.buffer
for line in inp:
    parts = line.rstrip(b"\n").split(b"\x1f")
    if parts[0] == b"hwm":
        with open("/proc/self/status", "rb") as f:
            hwm = [l for l in f if l.startswith(b"VmHWM:")][0].split()[1]
        out.write(hwm + b"\n"); out.flush(); continue
    fd = os.open(parts[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    t0 = time.perf_counter()
    pid = os.posix_spawn(parts[1], parts[1:], os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, fd, 1)])
    os.close(fd)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    out.write(("%d %d %.6f %.6f %.6f\n" % (os.waitstatus_to_exitcode(status), ru.ru_maxrss,
                                          ru.ru_utime, ru.ru_stime, wall)).encode())
    out.flush()
"""


class Spawner:
    """Runs children from a minimal interpreter so that their ``ru_maxrss`` is their own."""

    def __init__(self, python: str) -> None:
        self.proc = subprocess.Popen(
            [python, "-I", "-S", "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def _ask(self, line: bytes) -> bytes:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(line + b"\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise SystemExit("the spawner died")
        return answer

    def peak_kib(self) -> int:
        return int(self._ask(b"hwm"))

    def run(self, argv: list[str], stdout: Path) -> tuple[int, int, float, float, float]:
        fields = [str(stdout), *argv]
        if any("\x1f" in f or "\n" in f for f in fields):
            raise ValueError("an argument holds a newline or \\x1f")
        code, maxrss, utime, stime, wall = self._ask("\x1f".join(fields).encode()).split()
        return int(code), int(maxrss), float(utime), float(stime), float(wall)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def run_child(spawner: Spawner, python: str, op: str, args: Json | None, scratch: Path) -> Json:
    """Run one operation in a fresh interpreter; add the wall time of the whole child and its
    ``ru_maxrss`` (KiB)."""
    out_file = scratch / "child-stdout.json"
    code, maxrss, utime, stime, wall = spawner.run(
        [python, str(CHILD), op, json.dumps(args or {})], out_file
    )
    text = out_file.read_text()
    out_file.unlink()
    if code != 0:
        raise SystemExit(f"child {op} failed with exit code {code}")
    result: Json = json.loads(text.strip().splitlines()[-1])
    result["maxrss_kib"] = maxrss
    result["process_seconds"] = wall
    result["user_seconds"] = utime
    result["system_seconds"] = stime
    return result


def prepare(inputs: list[Path], outputs: list[Path]) -> None:
    """The same starting state before every measured run: previous outputs gone, dirty pages
    written back, the input in the page cache."""
    remove(*outputs)
    os.sync()
    for path in inputs:
        warm(path)


# -- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size",
        type=parse_size,
        default=GiB,
        help="attachment size: bytes or 64M, 1G ... (default 1G = 1073741824)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="measured runs of each (default 1)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results here")
    parser.add_argument(
        "--workdir", type=Path, help="where to put the files (default: a new directory in /tmp)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for the children (default: this one)"
    )
    opts = parser.parse_args(argv)
    if opts.repeat < 1:
        parser.error("--repeat must be at least 1")

    probe = subprocess.run([opts.python, "-c", "import vbdt_exchange"], capture_output=True)
    if probe.returncode != 0:
        parser.error(f"{opts.python} cannot import vbdt_exchange (run with the project's venv)")

    if opts.workdir is not None:
        opts.workdir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="vbdt-bench-", dir=opts.workdir))
    else:
        work = Path(tempfile.mkdtemp(prefix="vbdt-bench-"))
    spawner = Spawner(opts.python)
    try:
        return _bench(opts, work, spawner)
    finally:
        spawner.close()
        if opts.keep:
            print(f"files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _bench(opts: argparse.Namespace, work: Path, spawner: Spawner) -> int:
    size = opts.size
    python = opts.python
    src = work / "attachment.bin"
    package = work / "package.edxml"
    floor_b64 = work / "floor-pack.b64"
    floor_bin = work / "floor-unpacked.bin"
    unpacked = work / "unpacked"

    def child(op: str, args: Json | None = None) -> Json:
        return run_child(spawner, python, op, args, work)

    started = datetime.datetime.now().astimezone()
    load_start = loadavg()
    print(f"vbdt_exchange pack/unpack benchmark  {started:%Y-%m-%d %H:%M %Z}")
    version = subprocess.run(
        [python, "-c", "import vbdt_exchange as v; print(v.__version__)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"  python {platform.python_version()} ({python}), vbdt_exchange {version}")
    print(f"  CPU {cpu_model()} x{os.cpu_count()}, workdir {work}")
    print(
        f"  attachment {size} bytes ({human(size)}), repeat {opts.repeat}, load average {loadavg()}"
    )

    t0 = time.perf_counter()
    src_sha = generate(src, size)
    print(f"  generated the attachment in {time.perf_counter() - t0:.1f} s")

    samples: dict[str, list[Json]] = {
        k: []
        for k in ("idle-floor", "idle-lib", "floor-pack", "lib-pack", "floor-unpack", "lib-unpack")
    }
    problems: list[str] = []

    def idle() -> None:
        for op in ("idle-floor", "idle-lib"):
            samples[op].append(child(op))

    def check_same(result: Json, what: str) -> None:
        if result["size"] != size or result["sha256"] != src_sha:
            problems.append(
                f"{what}: {result['size']} bytes, sha256 {result['sha256'][:16]}... "
                f"(expected {size}, {src_sha[:16]}...)"
            )

    # pack: floor and library alternate which goes first, run to run
    for r in range(opts.repeat):
        idle()
        order = ("floor-pack", "lib-pack") if r % 2 == 0 else ("lib-pack", "floor-pack")
        for op in order:
            out = floor_b64 if op == "floor-pack" else package
            prepare([src], [floor_b64, package])
            res = child(op, {"src": str(src), "out": str(out)})
            check_same(res, op)
            samples[op].append(res)
            print(
                f"  run {r + 1}: {op:<12} {res['seconds']:8.2f} s  "
                f"peak {res['maxrss_kib'] / 1024:7.1f} MiB"
            )
    # the last library pack is still there unless the floor ran last: write it once more then
    if not package.exists():
        prepare([src], [floor_b64])
        child("lib-pack", {"src": str(src), "out": str(package)})
    remove(floor_b64)

    package_size = package.stat().st_size
    offset, length = find_payload(package)
    expected_b64 = 4 * ((size + 2) // 3)
    if length != expected_b64:
        problems.append(f"the payload is {length} characters, expected {expected_b64}")

    for r in range(opts.repeat):
        idle()
        order = ("floor-unpack", "lib-unpack") if r % 2 == 0 else ("lib-unpack", "floor-unpack")
        for op in order:
            prepare([package], [floor_bin, unpacked])
            if op == "floor-unpack":
                args = {
                    "src": str(package),
                    "offset": offset,
                    "length": length,
                    "out": str(floor_bin),
                }
            else:
                args = {"src": str(package), "out": str(unpacked)}
            res = child(op, args)
            check_same(res, op)
            if res.get("errors"):
                problems.append(f"{op}: the reader reported errors: {res['errors']}")
            samples[op].append(res)
            print(
                f"  run {r + 1}: {op:<12} {res['seconds']:8.2f} s  "
                f"peak {res['maxrss_kib'] / 1024:7.1f} MiB"
            )
    remove(floor_bin, unpacked)

    # -- summary ---------------------------------------------------------------------------------
    idle_kib = {
        k: statistics.median(s["maxrss_kib"] for s in samples[f"idle-{k}"])
        for k in ("floor", "lib")
    }
    parent_kib = vmhwm_kib()
    spawner_kib = spawner.peak_kib()

    def row(op: str, kind: str) -> Json:
        runs = samples[op]
        secs = [s["seconds"] for s in runs]
        peak = max(s["maxrss_kib"] for s in runs)
        own_peak = max(s["vmhwm_kib"] for s in runs)
        own_idle = statistics.median(s["vmhwm_kib"] for s in samples[f"idle-{kind}"])
        t = statistics.median(secs)
        cpu = statistics.median(s["cpu_seconds"] for s in runs)
        return {
            "seconds": t,
            "seconds_min": min(secs),
            "seconds_max": max(secs),
            "cpu_seconds": cpu,
            "mib_per_s": size / MiB / t,
            "peak_rss_mib": peak / 1024,
            "idle_rss_mib": idle_kib[kind] / 1024,
            "rss_growth_mib": (peak - idle_kib[kind]) / 1024,
            "vmhwm_growth_mib": (own_peak - own_idle) / 1024,
        }

    summary: dict[str, Json] = {}
    print()
    print(f"  load average now {loadavg()} (other load on the machine skews wall-clock times)")
    print(
        f"  package.edxml {package_size} bytes ({human(package_size)}); base64 payload "
        f"{length} bytes at offset {offset}"
    )
    print(
        f"  idle peak RSS: floor {idle_kib['floor'] / 1024:.1f} MiB "
        f"(import hashlib, binascii), library {idle_kib['lib'] / 1024:.1f} MiB "
        f"(import vbdt_exchange)"
    )
    print(
        f"  (children spawned from a process of peak {spawner_kib / 1024:.1f} MiB; "
        f"this script's own peak {parent_kib / 1024:.1f} MiB)"
    )
    print()
    print(
        f"  {'operation':<10}{'impl':<9}{'time s':>9}{'cpu s':>8}{'MiB/s':>9}"
        f"{'peak RSS MiB':>14}{'growth MiB':>12}"
    )
    for name in ("pack", "unpack"):
        floor = row(f"floor-{name}", "floor")
        lib = row(f"lib-{name}", "lib")
        for impl, r_ in (("floor", floor), ("library", lib)):
            spread = (
                f"  (min {r_['seconds_min']:.2f}, max {r_['seconds_max']:.2f})"
                if opts.repeat > 1
                else ""
            )
            print(
                f"  {name:<10}{impl:<9}{r_['seconds']:9.2f}{r_['cpu_seconds']:8.2f}"
                f"{r_['mib_per_s']:9.1f}"
                f"{r_['peak_rss_mib']:14.1f}{r_['rss_growth_mib']:12.1f}{spread}"
            )
        ratio = lib["seconds"] / floor["seconds"]
        summary[name] = {
            "floor": floor,
            "library": lib,
            "time_ratio": ratio,
            "cpu_ratio": lib["cpu_seconds"] / floor["cpu_seconds"],
            "time_ok": ratio <= TARGET_RATIO,
            "rss_growth_mib": lib["rss_growth_mib"],
            "rss_ok": lib["rss_growth_mib"] <= TARGET_GROWTH_MIB,
        }
    print()
    missed = False
    for name in ("pack", "unpack"):
        s = summary[name]
        t_ok, m_ok = s["time_ok"], s["rss_ok"]
        missed |= not (t_ok and m_ok)
        print(
            f"  {name:<7} time ratio {s['time_ratio']:.2f}x (target <= {TARGET_RATIO}x) "
            f"{'PASS' if t_ok else 'FAIL'};  RSS growth {s['rss_growth_mib']:.1f} MiB "
            f"(target <= {TARGET_GROWTH_MIB:.0f} MiB) {'PASS' if m_ok else 'FAIL'}"
            f"   [cpu-time ratio {s['cpu_ratio']:.2f}x]"
        )
    if problems:
        missed = True
        print()
        for p in problems:
            print(f"  CHECK FAILED: {p}")
    if opts.json is not None:
        document = {
            "date": started.isoformat(timespec="seconds"),
            "cpu": cpu_model(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "vbdt_exchange": version,
            "size": size,
            "repeat": opts.repeat,
            "package_size": package_size,
            "payload_offset": offset,
            "payload_length": length,
            "targets": {"time_ratio": TARGET_RATIO, "rss_growth_mib": TARGET_GROWTH_MIB},
            "loadavg_start": load_start,
            "loadavg_end": loadavg(),
            "idle_rss_kib": idle_kib,
            "parent_peak_rss_kib": parent_kib,
            "spawner_peak_rss_kib": spawner_kib,
            "summary": summary,
            "samples": samples,
            "problems": problems,
        }
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps(document, indent=2) + "\n")
        print(f"\n  results written to {opts.json}")
    if problems:
        return 2  # the floor and the library did not do the same work: the numbers mean nothing
    return 1 if (opts.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
