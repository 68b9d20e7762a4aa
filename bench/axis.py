"""End-to-end throughput of the local reference axis, and its peak memory.

Run: ``python bench/axis.py`` (500 documents of ~200 KB) or ``python bench/axis.py --count 100``.
See bench/README.md ("Local axis") for what is measured and how to read the output.

The hub runs in a child process (``python -m vbdt_exchange hub serve``, uvicorn) on a fresh
database; this process is the client: plain ``httpx`` with keep-alive and
``vbdt_exchange.adapters.vdxp_wire.sign_request`` (the SDK's headers), so the measurement does
not depend on the VDXP client. One *document* is the whole exchange: ``sendEdoc`` (sender) →
``getReceivedEdocList`` (receiver, one call lists up to 1000) → ``getEdoc`` → ``updateStatus``
(done). The hub's peak RSS is its ``ru_maxrss`` read with ``os.wait4`` when it exits.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from vbdt_exchange.adapters.vdxp_wire import sdk_hash_file, sign_request
from vbdt_exchange.testing.pytest_plugin import PackageFactory

SENDER = ("000.00.00.H29", "bench-sender-secret")
RECEIVER = ("000.00.00.G22", "bench-receiver-secret")
TARGET = 500.0  # documents per second


def start_hub(workdir: Path, python: str, extra: list[str]) -> tuple[subprocess.Popen[str], str]:
    db = workdir / "hub.db"
    env = {**os.environ, "BENCH_S": SENDER[1], "BENCH_R": RECEIVER[1]}
    for (system_id, _), var in ((SENDER, "BENCH_S"), (RECEIVER, "BENCH_R")):
        subprocess.run(
            [
                python,
                "-m",
                "vbdt_exchange",
                "hub",
                "add-system",
                "--db",
                str(db),
                "--system-id",
                system_id,
                "--secret-env",
                var,
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    proc = subprocess.Popen(
        [python, "-m", "vbdt_exchange", "hub", "serve", "--db", str(db), "--port", "0", *extra],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    m = re.search(r"on (http://\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"the hub did not start: {line}{proc.stderr.read()}")
    return proc, m.group(1)


def vmhwm_kib(pid: int) -> int:
    """The peak RSS of a running process (``VmHWM``), in KiB.

    ``ru_maxrss`` of a child is no good here: Linux folds the spawning process's peak into it,
    and this process holds every package of the run before the hub is started.
    """
    text = Path(f"/proc/{pid}/status").read_text()
    m = re.search(r"^VmHWM:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(m.group(1)) if m else -1


def stop_hub(proc: subprocess.Popen[str]) -> tuple[int, float]:
    """Stop the hub; its peak RSS in KiB (VmHWM) and the CPU seconds it used."""
    peak = vmhwm_kib(proc.pid)
    proc.terminate()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    rest = proc.stderr.read()
    proc.stderr.close()
    if proc.returncode != 0:
        print(f"hub exited with {proc.returncode}: {rest}", file=sys.stderr)
    return peak, usage.ru_utime + usage.ru_stime


class Client:
    def __init__(self, url: str, system: tuple[str, str]) -> None:
        # Without TCP_NODELAY, httpx writes the headers and the body separately and Nagle's
        # algorithm meets the server's delayed ACK: ~40 ms lost per request with a body.
        transport = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        )
        self.http = httpx.Client(base_url=url, timeout=60, transport=transport)
        self.system_id, secret = system
        self.secret = secret.encode()

    def call(
        self,
        operation: str,
        params: list[tuple[str, str]],
        body: bytes = b"",
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        headers = sign_request(
            params, system_id=self.system_id, secret=self.secret, content_type=content_type
        )
        response = self.http.post(f"/{operation}", headers=headers, content=body)
        answer: dict[str, Any] = response.json()
        if answer.get("status") != "OK":
            raise SystemExit(f"{operation} failed: {answer}")
        return answer

    def send(self, package: bytes) -> str:
        params = [
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("from", self.system_id),
            ("hash-file", sdk_hash_file(package)),
        ]
        answer = self.call("sendEdoc", params, package + b"\r\n", "application/octet-stream")
        return str(answer["DocId"])

    def close(self) -> None:
        self.http.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    factory = PackageFactory()
    attachment = os.urandom(args.size * 3 // 4)  # base64 grows it to about args.size
    t0 = time.perf_counter()
    packages = [
        factory(from_=SENDER[0], to=[RECEIVER[0]], attachments={"van-ban.pdf": attachment})
        for _ in range(args.count)
    ]
    prepare_s = time.perf_counter() - t0
    workdir = Path(tempfile.mkdtemp(prefix="vbdt-bench-axis-", dir=args.workdir))
    extra = ["--reading", args.reading]
    proc, url = start_hub(workdir, args.python, extra)
    idle_kib = vmhwm_kib(proc.pid)
    sender, receiver = Client(url, SENDER), Client(url, RECEIVER)
    senders = [Client(url, SENDER) for _ in range(args.clients)]
    receivers = [Client(url, RECEIVER) for _ in range(args.clients)]
    received = 0
    mismatches = 0
    try:
        sender.send(packages[0])  # warm up (connection, imports in the hub)
        first = receiver.call(
            "getReceivedEdocList", [("servicetype", "eDoc"), ("messagetype", "edoc")]
        )["data"]
        for item in first:
            receiver.call("updateStatus", [("docId", item["docId"]), ("status", "done")], b"{}")
        packages = [
            *packages[1:],
            factory(from_=SENDER[0], to=[RECEIVER[0]], attachments={"van-ban.pdf": attachment}),
        ]
        expected = {hash(p) for p in packages}

        def fetch_ack(client: Client, doc_id: str) -> bool:
            data = client.call("getEdoc", [("docId", doc_id)], b"{}")["data"]
            ok = hash(base64.b64decode(data)) in expected
            client.call("updateStatus", [("docId", doc_id), ("status", "done")], b"{}")
            return ok

        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            list(
                pool.map(lambda ip: senders[ip[0] % args.clients].send(ip[1]), enumerate(packages))
            )
            sent_s = time.perf_counter() - t0
            while received < len(packages):
                items = receiver.call(
                    "getReceivedEdocList", [("servicetype", "eDoc"), ("messagetype", "edoc")]
                )["data"]
                if not items:
                    break
                results = pool.map(
                    lambda ii: fetch_ack(receivers[ii[0] % args.clients], ii[1]["docId"]),
                    enumerate(items),
                )
                for ok in results:
                    received += 1
                    mismatches += not ok
            total_s = time.perf_counter() - t0
            client_cpu_s = time.process_time() - cpu0
    finally:
        for c in (sender, receiver, *senders, *receivers):
            c.close()
        rss_kib, hub_cpu_s = stop_hub(proc)
        shutil.rmtree(workdir, ignore_errors=True)
    if received != len(packages) or mismatches:
        raise SystemExit(
            f"CHECK FAILED: {received} of {len(packages)} received, "
            f"{mismatches} different from what was sent"
        )
    return {
        "count": len(packages),
        "package_bytes": len(packages[0]),
        "clients": args.clients,
        "reading": args.reading,
        "prepare_s": prepare_s,
        "send_s": sent_s,
        "total_s": total_s,
        "client_cpu_s": client_cpu_s,
        "docs_per_s": len(packages) / total_s,
        "send_per_s": len(packages) / sent_s,
        "hub_peak_rss_mib": rss_kib / 1024,
        "hub_cpu_s": hub_cpu_s,
        "hub_idle_rss_mib": idle_kib / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="documents (default 500)")
    parser.add_argument(
        "--size",
        type=int,
        default=200 * 1024,
        help="approximate package size in bytes (default 200 KiB)",
    )
    parser.add_argument(
        "--clients", type=int, default=1, help="concurrent client connections per role (default 1)"
    )
    parser.add_argument(
        "--reading",
        choices=["full", "header"],
        default="full",
        help="the hub's --reading (default full)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("--workdir", default=None, help="where the hub's database goes")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--check", action="store_true", help="exit 1 below the target")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    )
    results = []
    for _ in range(args.repeat):
        r = run(args)
        results.append(r)
        print(
            f"{r['count']} documents of {r['package_bytes']:,} bytes, {r['clients']} client(s), "
            f"reading {r['reading']}: "
            f"{r['docs_per_s']:.1f} documents/s end to end ({r['total_s']:.2f} s; sends alone "
            f"{r['send_per_s']:.1f}/s); client CPU {r['client_cpu_s']:.2f} s, hub CPU "
            f"{r['hub_cpu_s']:.2f} s (whole life); "
            f"hub peak RSS {r['hub_peak_rss_mib']:.1f} MiB (idle {r['hub_idle_rss_mib']:.1f})"
        )
    best = max(r["docs_per_s"] for r in results)
    verdict = "PASS" if best >= TARGET else "FAIL"
    print(
        f"best {best:.0f} documents/s (target >= {TARGET:.0f}) {verdict}; "
        f"load {os.getloadavg()[0]:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.check and verdict == "FAIL":
        sys.exit(1)


if __name__ == "__main__":
    main()
