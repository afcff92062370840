"""A TCP proxy on 127.0.0.1 that drops the next N connections, then forwards to a real server.

A dropped connection is closed before a byte is read, as a restarting load balancer does:
the client sees RemoteDisconnected, which slack_sdk's ConnectionErrorRetryHandler retries.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from types import TracebackType

from bot.demo.standin.serving import serve_in_thread, stop_serving


class FlakyProxy:
    """Forward to `target` (host, port); `drop(n)` closes the next n connections at once."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._to_drop = 0
        self.dropped = 0
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Return the proxy's root URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def drop(self, connections: int) -> None:
        """Close the next `connections` connections without answering."""
        with self._lock:
            self._to_drop += connections

    def __enter__(self) -> FlakyProxy:
        self._thread = serve_in_thread(self._server, name="flaky-proxy")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stop_serving(self._server, self._thread)

    def _handle(self, client: socket.socket) -> None:
        with self._lock:
            drop = self._to_drop > 0
            if drop:
                self._to_drop -= 1
                self.dropped += 1
        if drop:
            client.close()
            return
        with socket.create_connection(self.target, timeout=10) as upstream:
            pump = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            pump.start()
            _pipe(client, upstream)
            pump.join(timeout=10)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        return
