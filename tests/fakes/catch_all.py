"""An HTTP server on 127.0.0.1 that answers 200 to anything and records every request.

A forged request names a response_url of the forger's choosing; pointing it here shows
whether the app sent anything there at all.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass(frozen=True)
class Caught:
    """One request the server received."""

    method: str
    path: str
    body: bytes


class CatchAll:
    """Record every request; `url` is where to point a forged response_url."""

    def __init__(self) -> None:
        self.caught: list[Caught] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.caught.append(Caught(self.command, self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = do_PUT = do_DELETE = _record  # noqa: N815 (http.server's names)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Return the server's root URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def catch_all() -> Iterator[CatchAll]:
    """Yield a running catch-all HTTP server."""
    server = CatchAll()
    yield server
    server.stop()
