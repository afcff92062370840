"""Serving a WSGI app on a free local port in a thread (tests, the demo, benchmarks)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, make_server


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
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_wsgi(app: object) -> LocalServer:
    """Serve `app` on a free local port in a daemon thread."""
    # Werkzeug logs every request at INFO on its own logger; locally that is noise.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, name="wsgi", daemon=True)
    thread.start()
    return LocalServer(server=server, thread=thread)
