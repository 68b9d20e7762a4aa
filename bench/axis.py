"""End-to-end throughput of the local reference axis, and its peak memory.

Run: ``python bench/axis.py`` (a quick run: 200 documents of ~200 KB, 2 client processes,
``--reading header``) or ``python bench/axis.py --count 2000 --repeat 3 --workers 2 --clients 4``
(the target's run). See bench/README.md ("Local axis") for what is measured and how to read
the output.

The hub runs in a child process (``python -m vbdt_exchange hub serve``, uvicorn) on a fresh
database. The clients are ``--clients`` child processes, each one sending system and one
receiving system registered with the hub; they speak HTTP/1.1 with keep-alive through
``http.client`` and sign with :func:`vbdt_exchange.adapters.vdxp_wire.sign_request` (the SDK's
headers), so the measurement does not depend on the VDXP client. One *document* is the whole
exchange: ``sendEdoc`` (sender) → ``getReceivedEdocList`` (receiver, one call lists up to 1000)
→ ``getEdoc`` → ``updateStatus`` (done). The hub's peak RSS is its ``VmHWM`` just before it stops.

``--server floor`` runs the same exchanges against a trivial ASGI application on the same
uvicorn (no signature check, no hashing, no store, no package reading): the cost of the HTTP
stack alone, the floor under which the hub cannot go.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import multiprocessing
import multiprocessing.connection
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vbdt_exchange.adapters.vdxp_wire import sdk_hash_file, sign_request

TARGET = 500.0  # documents per second
OPERATIONS = ("sendEdoc", "getReceivedEdocList", "getEdoc", "updateStatus")


def pair(index: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """The sending and the receiving system of client ``index``: (id, secret) each."""
    return (
        (f"000.00.{index:02d}.H29", f"bench-sender-secret-{index}"),
        (f"000.00.{index:02d}.G22", f"bench-receiver-secret-{index}"),
    )


# -- the hub (or the floor) in a child process --------------------------------------------------


def start_server(workdir: Path, args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ)
    if args.server == "floor":
        command = [args.python, __file__, "--serve-floor", "--http", args.http]
    else:
        db = workdir / "hub.db"
        from vbdt_exchange.hub import Store  # as `vbdt hub add-system` does, without a process each

        with Store(db) as store:
            for index in range(args.clients):
                for system_id, secret in pair(index):
                    store.add_system(system_id, secret.encode())
        command = [args.python, "-m", "vbdt_exchange", "hub", "serve", "--db", str(db)]
        command += ["--port", "0", "--reading", args.reading, "--workers", str(args.workers)]
        command += ["--http", args.http]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    m = re.search(r"on (http://\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"the server did not start: {line}{proc.stderr.read()}")
    return proc, m.group(1)


def server_stack(python: str, http: str) -> str:
    """What uvicorn runs on with ``python``: the parser asked for (``--http``), and uvloop or
    asyncio (uvicorn takes uvloop when it is installed)."""
    probe = (
        "import importlib.util as u, uvicorn; "
        "print(uvicorn.__version__, 'yes' if u.find_spec('httptools') else 'no', "
        "'uvloop' if u.find_spec('uvloop') else 'asyncio')"
    )
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    version, httptools, loop = out.stdout.split()
    if http == "httptools" and httptools != "yes":
        raise SystemExit(f"{python} has no httptools: pip install '.[fast]', or --http h11")
    return f"uvicorn {version} with {http} and {loop}"


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (with ``--workers N``: the workers)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            queue.extend(int(child) for child in children)
    return found


def vmhwm_kib(pid: int) -> int:
    """The peak RSS of a running process (``VmHWM``), in KiB.

    ``ru_maxrss`` of a child is no good here: Linux folds the spawning process's peak into it,
    and this process holds every package of the run before the hub is started.
    """
    text = Path(f"/proc/{pid}/status").read_text()
    m = re.search(r"^VmHWM:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(m.group(1)) if m else -1


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its workers."""
    return sum(cpu_seconds(p) for p in process_tree(pid))


def tree_vmhwm_kib(pid: int) -> int:
    """The peak RSS of ``pid`` plus its workers' (each one's ``VmHWM``), in KiB."""
    return sum(max(vmhwm_kib(p), 0) for p in process_tree(pid))


def stop_server(proc: subprocess.Popen[str]) -> int:
    """Stop the server; its peak RSS in KiB (VmHWM, summed over its workers)."""
    peak = tree_vmhwm_kib(proc.pid)
    proc.terminate()
    proc.wait()
    assert proc.stderr is not None
    rest = proc.stderr.read()
    proc.stderr.close()
    if proc.returncode != 0:
        print(f"server exited with {proc.returncode}: {rest}", file=sys.stderr)
    return peak


# -- the clients ---------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection signing as one system.

    HTTP on a bare socket: the request head and body go out in one ``sendmsg``, the answer is
    read by its ``Content-Length`` into one buffer. The clients share the machine's cores with
    the server, so the less they spend per request the more of the machine measures the server;
    ``http.client`` spends about twice as much (see bench/README.md).
    """

    def __init__(self, url: str, system: tuple[str, str]) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port), 60)
        # without it a request's head and body meet the server's delayed ACK
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = f"Host: {parts.hostname}:{parts.port}".encode()
        self.system_id, secret = system
        self.secret = secret.encode()
        self.times: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        self.pending = b""  # bytes read past the previous answer (none in practice)

    def exchange(self, operation: str, headers: dict[str, str], body: bytes) -> bytes:
        """Send one request; the body of its answer (HTTP 200 expected)."""
        head = [f"POST /{operation} HTTP/1.1".encode(), self.host]
        head.append(b"Content-Length: " + str(len(body)).encode())
        head += [f"{name}: {value}".encode("latin-1") for name, value in headers.items()]
        self.sock.sendmsg([b"\r\n".join(head) + b"\r\n\r\n", body])
        buffer = self.pending
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            more = self.sock.recv(262144)
            if not more:
                raise SystemExit(f"{operation}: the server closed the connection")
            buffer += more
        status = buffer[: buffer.find(b"\r\n")]
        m = re.search(rb"\r\ncontent-length:\s*(\d+)", buffer[:end], re.IGNORECASE)
        if not status.startswith(b"HTTP/1.1 200") or m is None:
            raise SystemExit(f"{operation} failed: {buffer[:end].decode('latin-1')}")
        length, start = int(m.group(1)), end + 4
        if len(buffer) - start >= length:
            self.pending = buffer[start + length :]
            return buffer[start : start + length]
        answer = bytearray(length)
        view = memoryview(answer)
        got = len(buffer) - start
        view[:got] = buffer[start:]
        while got < length:
            n = self.sock.recv_into(view[got:], length - got)
            if not n:
                raise SystemExit(f"{operation}: the server closed the connection")
            got += n
        self.pending = b""
        return bytes(answer)

    def call(
        self,
        operation: str,
        params: list[tuple[str, str]],
        body: bytes = b"",
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        t0 = time.perf_counter()
        headers = sign_request(
            params, system_id=self.system_id, secret=self.secret, content_type=content_type
        )
        raw = self.exchange(operation, headers, body)
        data = None
        if operation == "getEdoc":
            # the package's base64 is most of the answer: cut it out rather than decode 270 KB
            # of JSON string (base64 needs no escapes); the rest is parsed as JSON
            m = re.search(rb'"data":\s*"', raw)
            if m is not None:
                close = raw.index(b'"', m.end())
                data = raw[m.end() : close]
                raw = raw[: m.start()] + b'"data": null' + raw[close + 1 :]
        answer: dict[str, Any] = json.loads(raw)
        if data is not None:
            answer["data"] = data
        self.times[operation].append(time.perf_counter() - t0)
        if answer.get("status") != "OK":
            raise SystemExit(f"{operation} failed: {answer}")
        return answer

    def send(self, package: bytes, hash_file: str) -> str:
        params = [
            ("servicetype", "eDoc"),
            ("messagetype", "edoc"),
            ("from", self.system_id),
            ("hash-file", hash_file),
        ]
        answer = self.call("sendEdoc", params, package + b"\r\n", "application/octet-stream")
        return str(answer["DocId"])

    def close(self) -> None:
        self.sock.close()


def fingerprint(data: bytes) -> tuple[int, int]:
    """CRC-32 and length of ``data``: cheaper to compare than the bytes (a set of 270 KB
    values hashes each one whole)."""
    return zlib.crc32(data), len(data)


def client_process(
    url: str,
    index: int,
    packages: list[bytes],
    batch: int,
    start: Any,
    out: multiprocessing.connection.Connection,
) -> None:
    """Send ``packages`` from client ``index``'s sender to its receiver and take them in,
    ``batch`` at a time (send them, list, fetch and acknowledge each); report to ``out``."""
    sending, receiving = pair(index)
    # what each package looks like in getEdoc's answer (its base64), as CRC-32 and length
    expected = {fingerprint(base64.b64encode(p)) for p in packages}
    # the SDK's hash-file of each package, computed with the package as a sending system does
    # when it builds one: the clients' time goes to the exchange, not to preparing it
    hashes = [sdk_hash_file(p) for p in packages]
    sender, receiver = Client(url, sending), Client(url, receiving)
    received = mismatches = 0
    start.wait()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    for first in range(0, len(packages), batch):
        for package, hash_file in zip(
            packages[first : first + batch], hashes[first : first + batch], strict=True
        ):
            sender.send(package, hash_file)
        while True:
            items = receiver.call(
                "getReceivedEdocList", [("servicetype", "eDoc"), ("messagetype", "edoc")]
            )["data"]
            if not items:
                break
            for item in items:
                doc_id = item["docId"]
                data = receiver.call("getEdoc", [("docId", doc_id)], b"{}")["data"]
                mismatches += fingerprint(data) not in expected  # the bytes sent, as base64
                receiver.call("updateStatus", [("docId", doc_id), ("status", "done")], b"{}")
                received += 1
    t1 = time.perf_counter()
    cpu = time.process_time() - cpu0
    times = {op: sender.times[op] + receiver.times[op] for op in OPERATIONS}
    sender.close()
    receiver.close()
    out.send(
        {
            "start": t0,
            "end": t1,
            "cpu": cpu,
            "received": received,
            "bad": mismatches,
            "times": times,
        }
    )
    out.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    from vbdt_exchange.testing.pytest_plugin import PackageFactory

    factory = PackageFactory()
    attachment = os.urandom(args.size * 3 // 4)  # base64 grows it to about args.size
    t0 = time.perf_counter()
    shares = [[] for _ in range(args.clients)]  # type: list[list[bytes]]
    for n in range(args.count):
        index = n % args.clients
        sending, receiving = pair(index)
        shares[index].append(
            factory(from_=sending[0], to=[receiving[0]], attachments={"van-ban.pdf": attachment})
        )
    prepare_s = time.perf_counter() - t0
    workdir = Path(tempfile.mkdtemp(prefix="vbdt-bench-axis-", dir=args.workdir))
    proc, url = start_server(workdir, args)
    idle_kib = tree_vmhwm_kib(proc.pid)
    try:
        # warm up: one document through every client's pair (connections, imports, caches)
        warm = multiprocessing.get_context("fork")
        for index in range(args.clients):
            sending, receiving = pair(index)
            package = factory(
                from_=sending[0], to=[receiving[0]], attachments={"van-ban.pdf": attachment}
            )
            start = warm.Barrier(1)
            here, there = warm.Pipe(duplex=False)
            p = warm.Process(target=client_process, args=(url, index, [package], 1, start, there))
            p.start()
            there.close()
            here.recv()
            p.join()
        hub_cpu0 = tree_cpu_seconds(proc.pid)
        start = warm.Barrier(args.clients + 1)
        processes, pipes = [], []
        for index in range(args.clients):
            here, there = warm.Pipe(duplex=False)
            p = warm.Process(
                target=client_process,
                args=(url, index, shares[index], args.batch, start, there),
            )
            p.start()
            there.close()
            processes.append(p)
            pipes.append(here)
        start.wait()
        reports = [pipe.recv() for pipe in pipes]
        for p in processes:
            p.join()
        hub_cpu_s = tree_cpu_seconds(proc.pid) - hub_cpu0
    finally:
        rss_kib = stop_server(proc)
        shutil.rmtree(workdir, ignore_errors=True)
    received = sum(r["received"] for r in reports)
    mismatches = sum(r["bad"] for r in reports)
    if received != args.count or mismatches:
        raise SystemExit(
            f"CHECK FAILED: {received} of {args.count} received, "
            f"{mismatches} different from what was sent"
        )
    total_s = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    latency = {}
    for op in OPERATIONS:
        values = sorted(v for r in reports for v in r["times"][op])
        latency[op] = {
            "calls": len(values),
            "mean_ms": 1000 * statistics.fmean(values),
            "p50_ms": 1000 * values[len(values) // 2],
            "p99_ms": 1000 * values[min(len(values) - 1, int(len(values) * 0.99))],
        }
    return {
        "server": args.server,
        "reading": args.reading if args.server == "hub" else None,
        "workers": args.workers if args.server == "hub" else 1,
        "count": args.count,
        "package_bytes": len(shares[0][0]),
        "clients": args.clients,
        "batch": args.batch,
        "prepare_s": prepare_s,
        "total_s": total_s,
        "docs_per_s": args.count / total_s,
        "client_cpu_ms_per_doc": 1000 * sum(r["cpu"] for r in reports) / args.count,
        "hub_cpu_ms_per_doc": 1000 * hub_cpu_s / args.count,
        "hub_peak_rss_mib": rss_kib / 1024,
        "hub_idle_rss_mib": idle_kib / 1024,
        "latency": latency,
        "load": os.getloadavg()[0],
    }


# -- the floor: the same HTTP exchanges against a trivial application ---------------------------


class FloorApp:
    """A trivial ASGI application answering the four operations from memory: no signature
    check, no hashing, no files, no database (``--server floor``)."""

    def __init__(self) -> None:
        self.inbox: dict[str, dict[str, bytes]] = {}  # receiver → docId → package

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        operation = scope["path"].rsplit("/", 1)[-1]
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        answer: dict[str, Any] = {"status": "OK", "ErrorCode": "0", "ErrorDesc": "Thanh cong"}
        system = headers["xroadvnpt-systemid"]
        if operation == "sendEdoc":
            doc_id = str(uuid.uuid4())
            inbox = self.inbox.setdefault(system.replace("H29", "G22"), {})  # see pair()
            inbox[doc_id] = b"".join(chunks)[:-2]
            answer["DocId"] = doc_id
        elif operation == "getReceivedEdocList":
            answer["data"] = [{"docId": d} for d in self.inbox.get(system, {})]
        elif operation == "getEdoc":
            data = self.inbox[system].pop(headers["xroadvnpt-docid"])
            # as the hub frames it: base64 needs no JSON escaping (json.dumps of 270 KB of
            # string would cost more than the rest of the request)
            body = json.dumps(answer)[:-1].encode() + b', "data": "'
            body += b64encode(data) + b'"}'
        if operation != "getEdoc":
            body = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


try:  # the hub's encoder when it has it (the "fast" extra): the floor must not do more
    from pybase64 import b64encode
except ImportError:
    from base64 import b64encode


def serve_floor(http: Any) -> None:
    import uvicorn

    from vbdt_exchange.hub.server import server_config

    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            print(f"floor on http://127.0.0.1:{sock.getsockname()[1]}", file=sys.stderr, flush=True)

    Server(server_config(FloorApp(), http=http)).run(sockets=[sock])


# -- the command line ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="documents (default 200)")
    parser.add_argument(
        "--size",
        type=int,
        default=200 * 1024,
        help="approximate package size in bytes (default 200 KiB)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=2,
        help="client processes, each a sender and a receiver system (default 2)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=50,
        help="each client sends this many, then lists and takes them in (default 50)",
    )
    parser.add_argument(
        "--server",
        choices=["hub", "floor"],
        default="hub",
        help="the hub, or a trivial application on the same HTTP server (default hub)",
    )
    parser.add_argument(
        "--reading",
        choices=["full", "header"],
        default="header",
        help="the hub's --reading (default header, the throughput mode; full reads every "
        "package with the library's reader)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="the hub's --workers: processes serving the port (default 1; the floor has one)",
    )
    parser.add_argument(
        "--http",
        choices=["h11", "httptools"],
        default="httptools",
        help="uvicorn's HTTP parser for the hub and the floor (default httptools: the "
        "'fast' extra)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("--workdir", default=None, help="where the hub's database goes")
    parser.add_argument("--python", default=sys.executable, help="the server's interpreter")
    parser.add_argument("--check", action="store_true", help="exit 1 below the target")
    parser.add_argument("--serve-floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        serve_floor(args.http)
        return
    stack = server_stack(args.python, args.http)
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.2f}; server: {stack}"
    )
    results = []
    for _ in range(args.repeat):
        r = run(args)
        r["server_stack"] = stack
        results.append(r)
        what = (
            f"hub, reading {r['reading']}, {r['workers']} worker(s)"
            if r["server"] == "hub"
            else "floor"
        )
        print(
            f"{r['count']} documents of {r['package_bytes']:,} bytes, {what}, "
            f"{r['clients']} client process(es), batches of {r['batch']}: "
            f"{r['docs_per_s']:.1f} documents/s end to end ({r['total_s']:.2f} s); "
            f"CPU per document: hub {r['hub_cpu_ms_per_doc']:.2f} ms, clients "
            f"{r['client_cpu_ms_per_doc']:.2f} ms; hub peak RSS {r['hub_peak_rss_mib']:.1f} MiB "
            f"(idle {r['hub_idle_rss_mib']:.1f}); load {r['load']:.2f}"
        )
        print(
            "  latency ms (mean/p50/p99): "
            + "; ".join(
                f"{op} {v['mean_ms']:.1f}/{v['p50_ms']:.1f}/{v['p99_ms']:.1f}"
                for op, v in r["latency"].items()
            )
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
