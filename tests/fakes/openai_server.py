"""A fake OpenAI-compatible server on 127.0.0.1 that the real `openai` client can talk to."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

_STATEMENT = re.compile(r"<statement>\n?(.*?)\n?</statement>", re.DOTALL)


class FakeOpenAI:
    """Serve POST /v1/chat/completions with whatever the test set up, and record requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        # Set on stop so a handler sleeping in delay() wakes up and the server closes at once.
        self._stopping = threading.Event()
        self._content: str | None = json.dumps({"note": "no reply set"})
        self._refusal: str | None = None
        self._delay = 0.0
        self._status: tuple[int, int | None, dict[str, str]] | None = None
        self._from_rules = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        # Join handler threads on close, so no socket outlives the test (filterwarnings=error).
        self._server.daemon_threads = False
        self._server.block_on_close = True
        # A short poll keeps shutdown() (and so every test teardown) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """Return the URL to give the client as `base_url`."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        """Start serving on a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any delayed handler and close every socket."""
        self._stopping.set()
        if self._thread.is_alive():  # shutdown() would wait forever for a loop never started
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reply(self, content: dict[str, Any] | str) -> None:
        """Answer with `content` (a dict is JSON-encoded) as choices[0].message.content."""
        with self._lock:
            self._content = content if isinstance(content, str) else json.dumps(content)
            self._refusal, self._from_rules = None, False

    def invalid_json(self) -> None:
        """Answer 200 with message content that is not JSON."""
        self.reply("Sure! Here is my verdict: the statement is vague.")

    def refusal(self, text: str) -> None:
        """Answer 200 with message.refusal set and content null."""
        with self._lock:
            self._content, self._refusal, self._from_rules = None, text, False

    def delay(self, seconds: float) -> None:
        """Wait `seconds` before answering (a stop cuts the wait short)."""
        self._delay = seconds

    def status(
        self, code: int, *, times: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """Answer `code` instead of the reply, `times` times (None: until changed)."""
        with self._lock:
            self._status = (code, times, dict(headers or {}))

    def from_rules(self) -> None:
        """Answer with a verdict computed by the rules checker from the statement in the prompt."""
        with self._lock:
            self._from_rules, self._refusal = True, None

    def _record(self, *, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append({"body": body, "headers": headers})

    def _next_status(self) -> tuple[int, dict[str, str]] | None:
        with self._lock:
            if self._status is None:
                return None
            code, times, headers = self._status
            if times is not None:
                self._status = (code, times - 1, headers) if times > 1 else None
            return code, headers

    def _answer(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            content, refusal, from_rules = self._content, self._refusal, self._from_rules
        if from_rules:
            content = json.dumps(_rules_reply(body))
        message = {"role": "assistant", "content": content, "refusal": refusal}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "unknown"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }


def _rules_reply(body: dict[str, Any]) -> dict[str, Any]:
    # Imported here so the fake works before (and without) the rules checker.
    from bot.falsifiability.rules import check_rules

    prompt = str(body["messages"][-1]["content"])
    match = _STATEMENT.search(prompt)
    verdict = check_rules(match.group(1) if match else prompt)
    return {
        "elements_found": [{"element": e.value, "text": t} for e, t in verdict.elements.items()],
        "missing": [e.value for e in verdict.missing],
        "vague_terms": [{"term": v.term, "family": v.family.value} for v in verdict.vague_terms],
        "explanation": verdict.explanation,
        "vague": verdict.vague,
        "rewrite": verdict.rewrite,
    }


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output quiet

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = json.loads(raw or b"{}")
            fake._record(body=body, headers={k.lower(): v for k, v in self.headers.items()})
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(
                    404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
                )
                return
            if fake._delay and fake._stopping.wait(fake._delay):
                return  # the server is stopping; the client gave up long ago
            status = fake._next_status()
            if status is not None:
                code, headers = status
                error = {"message": HTTPStatus(code).phrase, "type": "fake_error", "code": None}
                self._send(code, {"error": error}, headers=headers)
                return
            self._send(200, fake._answer(body))

        def _send(
            self, code: int, payload: dict[str, Any], *, headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and hung up: what a slow-server test expects

    return Handler


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """Yield a started FakeOpenAI, stopped after the test."""
    with FakeOpenAI() as server:
        yield server
