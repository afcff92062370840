"""The HTTP side of the Slack stand-in: route a request to a `Call`, send back the answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from bot.demo.standin.calls import Call, Headers, parse_args

logger = logging.getLogger(__name__)

Answer = Callable[[Call, bytes], tuple[int, dict[str, str], bytes]]


class StandInServer(ThreadingHTTPServer):
    """Serve on 127.0.0.1, a free port, handing every recognised request to `answer`."""

    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connections when a bench sends bursts

    def __init__(self, *, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), StandInHandler)
        self.answer = answer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-answer is not worth a traceback on stderr.
        logger.debug("Slack stand-in: request from %s failed", client_address, exc_info=True)


class StandInHandler(BaseHTTPRequestHandler):
    """Route `/api/<method>`, `/response/<key>` and `/upload/<file_id>`; 404 anything else."""

    server: StandInServer
    server_version = "SlackStandIn/1.0"

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: pytest and `gatebot demo` own stderr."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        kind, _, name = url.path.lstrip("/").partition("/")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = Headers((k.lower(), v) for k, v in self.headers.items())
        content_type = headers.get("content-type") or ""
        try:
            if kind == "api" and name:
                args = parse_args(url.query, body, content_type)
                call = Call(name, args, headers, time.monotonic())
            elif kind == "response" and name:
                args = parse_args("", body, content_type)
                call = Call("response_url", args, headers, time.monotonic(), key=unquote(name))
            elif kind == "upload" and name:
                args = {"file_id": name, "size": len(body)}
                call = Call("file.upload", args, headers, time.monotonic())
            else:
                self._send(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found")
                return
        except ValueError:
            self._send(200, {}, b'{"ok": false, "error": "invalid_json"}')
            return
        self._send(*self.server.answer(call, body))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json; charset=utf-8", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
