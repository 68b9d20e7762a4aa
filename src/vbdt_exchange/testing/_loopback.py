"""What the test servers on loopback share: serve from a daemon thread, stop, ``with``."""

from __future__ import annotations

import http.server
import threading
from typing import Self

__all__ = ["LoopbackServer"]


class LoopbackServer:
    """Serve an ``http.server`` on 127.0.0.1 from a daemon thread; stop it with ``with``."""

    _thread_name = "vbdt-test-server"
    _httpd: http.server.ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def _serve(self, httpd: http.server.ThreadingHTTPServer) -> None:
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, name=self._thread_name, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def start(self) -> Self:  # pragma: no cover - each server defines how it binds
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
