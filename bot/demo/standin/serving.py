"""Serving on a free local port in a thread (tests, the demo, benchmarks), stopped at once.

socketserver's serve_forever checks for shutdown() once per poll_interval, 0.5 s by default:
every stop() then idles up to half a second, and each test that starts a server pays it in
teardown. A short poll costs a few wake-ups a second while serving and ends that wait.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from socketserver import BaseServer

from werkzeug.serving import BaseWSGIServer, make_server

POLL_SECONDS = 0.01  # the longest stop() waits for the serving loop to notice


def serve_in_thread(server: BaseServer, *, name: str) -> threading.Thread:
    """Start `server.serve_forever` in a daemon thread that stop_serving() ends at once."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, name=name, daemon=True
    )
    thread.start()
    return thread


def stop_serving(server: BaseServer, thread: threading.Thread | None) -> None:
    """Stop a server serve_in_thread() started and release its port."""
    if thread is not None and thread.is_alive():  # shutdown() waits for a loop that never ran
        server.shutdown()
    server.server_close()
    if thread is not None:
        thread.join(timeout=5)


@dataclass
class LocalServer:
    """A WSGI app served on 127.0.0.1 until stop()."""

    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        """Return the server's root URL."""
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        """Stop serving and release the port."""
        stop_serving(self.server, self.thread)


def serve_wsgi(app: object) -> LocalServer:
    """Serve `app` on a free local port in a daemon thread."""
    # Werkzeug logs every request at INFO on its own logger; locally that is noise.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    return LocalServer(server=server, thread=serve_in_thread(server, name="wsgi"))
