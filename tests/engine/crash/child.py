"""The engine in a child process, killed with SIGKILL at a chosen point (run by test_crash.py).

Usage: ``python child.py SETTINGS.json``; the settings name the axis, the stores, the host
database, the crash point and on which pass of it to die (``crash_at``, ``crash_on``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path


def main(path: str) -> int:
    settings = json.loads(Path(path).read_text())
    sys.path.insert(0, settings["examples"])
    from engine_host import ExampleHost  # type: ignore[import-not-found]

    from vbdt_exchange.adapters.vdxp import VdxpClient, VdxpConfig
    from vbdt_exchange.engine import Engine, EngineSettings, RetrySchedule, open_store

    passes = 0

    def crash(point: str) -> None:
        nonlocal passes
        if point == settings.get("crash_at"):
            passes += 1
            if passes == settings.get("crash_on", 1):
                os.kill(os.getpid(), signal.SIGKILL)

    channel = VdxpClient(
        VdxpConfig(settings["url"], settings["system_id"], secret=settings["secret"], test=True)
    )
    store = open_store(settings["store"], schema=settings.get("schema"))
    host = ExampleHost(settings["host_db"])
    engine = Engine(
        channel,
        store,
        host,
        EngineSettings(
            lease=settings.get("lease", 0.5),
            retry=RetrySchedule(delays=(0.1,), jitter=0.0, max_attempts=5),
        ),
        crash_points=crash,
    )
    try:
        for _ in range(settings.get("cycles", 3)):
            engine.run_once()
    finally:
        channel.close()
        store.close()
        host.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
