"""bot.demo.standin.serving: a local server answers, and once stopped its port is free."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from bot.demo.standin.serving import serve_wsgi


def _hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello " + environ["PATH_INFO"].encode()]


def test_a_served_app_answers_and_a_stopped_one_no_longer_listens():
    server = serve_wsgi(_hello)
    with urllib.request.urlopen(f"{server.url}/there", timeout=5) as reply:
        assert reply.read() == b"hello /there"
    port = server.server.server_port

    server.stop()

    assert not server.thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_stopping_twice_is_harmless():
    server = serve_wsgi(_hello)
    server.stop()
    server.stop()
    assert not server.thread.is_alive()
