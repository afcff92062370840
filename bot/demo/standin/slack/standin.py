"""A local stand-in for the Slack Web API: a real HTTP server on 127.0.0.1 in a daemon thread."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote

from bot.demo.standin.calls import Call
from bot.demo.standin.serving import serve_in_thread, stop_serving
from bot.demo.standin.slack.api import SlackWorkspace
from bot.demo.standin.slack.limits import refusal
from bot.demo.standin.slack.server import StandInServer

_SCOPES = (
    "chat:write,commands,users:read,files:write,channels:join,channels:read,groups:read,"
    "channels:history,groups:history,im:history"
)


@dataclass
class _Fault:
    status: int
    error: str
    remaining: int | None
    headers: dict[str, str]


class SlackStandIn:
    """Answer Slack Web API calls locally and record them, so slack_sdk and Bolt run offline."""

    def __init__(
        self, *, team_id: str = "T0GATEBOT", bot_user_id: str = "UBOT", latency: float = 0.0
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.latency = latency  # read on every request, so it can change while running
        self._workspace = SlackWorkspace(team_id=team_id, bot_user_id=bot_user_id)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._slow: dict[str, list[float]] = {}  # method -> answer delays still to apply
        self._server: StandInServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SlackStandIn:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("SlackStandIn is already running")
        server = StandInServer(answer=self._answer)
        host, port = server.server_address[:2]
        with self._lock:
            self._workspace.server_url = f"http://{host!s}:{port}"
        self._thread = serve_in_thread(server, name=f"slack-stand-in:{port}")
        self._server = server
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        stop_serving(server, thread)

    def __enter__(self) -> SlackStandIn:
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Return the server root, e.g. `http://127.0.0.1:PORT`."""
        if self._server is None:
            raise RuntimeError("SlackStandIn is not running; call start() first")
        return self._workspace.server_url

    @property
    def api_url(self) -> str:
        """Return the Web API base URL for `WebClient(base_url=...)`."""
        return f"{self.url}/api/"

    def response_url(self, key: str = "default") -> str:
        """Return a URL accepting Slack response_url POSTs, recorded as "response_url"."""
        return f"{self.url}/response/{quote(key, safe='')}"

    def calls(self, method: str | None = None, *, team: str | None = None) -> list[Call]:
        """Return the calls received so far, oldest first, optionally of one method or team.

        A call's team is its token's (`team_of`); calls without a token count for no team.
        """
        with self._lock:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method)
                and (
                    team is None
                    or (c.token is not None and self._workspace.teams.team_of(c.token) == team)
                )
            ]

    def install_code(self, team_id: str, *, name: str | None = None, **grants: bool) -> str:
        """Return a one-time OAuth code; oauth.v2.access trades it for a bot token of the team.

        `grants` (user_token, rotation) add to what the exchange returns: see SlackTeams.
        """
        with self._lock:
            return self._workspace.teams.code_for(team_id, name=name, **grants)

    def team_of(self, token: str | None) -> str:
        """Return the team a token belongs to (tokens the stand-in did not issue: the default)."""
        with self._lock:
            return self._workspace.teams.team_of(token)

    def token_for(self, team_id: str) -> str | None:
        """Return the bot token last issued to the team by an install, if any."""
        with self._lock:
            return self._workspace.teams.token_for(team_id)

    def revoke(self, team_id: str) -> None:
        """Revoke the team's tokens, as an uninstall does: later calls get token_revoked."""
        with self._lock:
            self._workspace.teams.revoke(team_id)

    def wait_for(self, method: str, *, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls of `method` arrived and return them all."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                matching = [c for c in self._calls if c.method == method]
                remaining = deadline - time.monotonic()
                if len(matching) >= count or remaining <= 0:
                    break
                self._arrived.wait(remaining)
            arrived = [c.method for c in self._calls]
        if len(matching) >= count:
            return matching
        raise AssertionError(
            f"waited {timeout}s for {count} {method} call(s), got {len(matching)}; "
            f"arrived: {', '.join(arrived) or 'nothing'}"
        )

    def messages(self, channel: str, *, team_id: str | None = None) -> list[dict[str, Any]]:
        """Return what a person sees in `channel` (a user id: the DM), replies too, oldest first."""
        with self._lock:
            return self._workspace.messages.all(team=team_id or self.team_id, channel=channel)

    def slow(self, method: str, *, seconds: float, times: int = 1) -> None:
        """Do `method`'s work at once but answer only after `seconds`, `times` times.

        Slack slower than the client's timeout: the post is in the channel, the reply late.
        """
        _check_times(times)
        with self._lock:
            self._slow.setdefault(method, []).extend([seconds] * times)

    def clear(self) -> None:
        """Forget recorded calls, uploads and pending faults; users and latency stay."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._slow.clear()
            self._workspace.uploads.clear()

    def fail(
        self, method: str, error: str = "channel_not_found", *, times: int | None = None
    ) -> None:
        """Answer `method` with `{"ok": false, "error": error}`, `times` times or forever."""
        self._add_fault(method, _Fault(200, error, _check_times(times), {}))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer `method` with HTTP 429 and a Retry-After header, `times` times."""
        headers = {"Retry-After": str(retry_after)}
        self._add_fault(method, _Fault(429, "ratelimited", _check_times(times), headers))

    def server_error(self, method: str, *, status: int = 500, times: int = 1) -> None:
        """Answer `method` with an HTTP `status` error, `times` times."""
        self._add_fault(method, _Fault(status, "fatal_error", _check_times(times), {}))

    def set_user(
        self,
        user_id: str,
        *,
        tz: str = "America/New_York",
        name: str | None = None,
        real_name: str | None = None,
    ) -> None:
        """Set what users.info returns for `user_id`."""
        with self._lock:
            self._workspace.set_user(user_id, tz=tz, name=name, real_name=real_name)

    def set_status(
        self, user_id: str, *, text: str = "", emoji: str = "", expiration: int = 0
    ) -> None:
        """Set the status users.info shows for `user_id`; `expiration` in Unix seconds, 0: none."""
        with self._lock:
            self._workspace.set_status(user_id, text=text, emoji=emoji, expiration=expiration)

    def set_channels(
        self, user_id: str, channels: list[str], *, team_id: str | None = None
    ) -> None:
        """Set the channels users.conversations lists for `user_id` (unset: `default_channels`)."""
        with self._lock:
            self._workspace.channels[(team_id or self.team_id, user_id)] = list(channels)

    def set_default_channels(self, channels: list[str]) -> None:
        """Set the channels listed for every user without channels of their own."""
        with self._lock:
            self._workspace.default_channels = list(channels)

    def home_of(self, user_id: str, *, team_id: str | None = None) -> dict[str, Any] | None:
        """Return the Home last published for `user_id` as Slack keeps it (with id and hash)."""
        with self._lock:
            return self._workspace.homes.get((team_id or self.team_id, user_id))

    def uploaded_files(self) -> dict[str, bytes]:
        """Return the bytes POSTed to upload URLs, by file id."""
        with self._lock:
            return dict(self._workspace.uploads)

    def _add_fault(self, method: str, fault: _Fault) -> None:
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining == 0:
                queue.pop(0)
        return fault

    def _answer(self, call: Call, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Record `call`, then build the HTTP answer: status, headers, body."""
        with self._arrived:
            self._calls.append(call)
            self._arrived.notify_all()
        if self.latency > 0:
            time.sleep(self.latency)
        answer = self._build_answer(call, body)
        with self._lock:
            delays = self._slow.get(call.method)
            delay = delays.pop(0) if delays else 0.0
        if delay > 0:
            time.sleep(delay)  # the work is done; only the answer is late
        return answer

    def _build_answer(self, call: Call, body: bytes) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            fault = self._take_fault(call.method)
            if fault is not None:
                payload = {"ok": False, "error": fault.error}
                return fault.status, fault.headers, json.dumps(payload).encode()
            if call.method == "file.upload":
                self._workspace.uploads[str(call.args["file_id"])] = body
                return (
                    200,
                    {"Content-Type": "text/plain; charset=utf-8"},
                    f"OK - {len(body)}".encode(),
                )
            if call.method == "response_url":
                if error := refusal(call.method, call.args):
                    return 400, {"Content-Type": "text/plain; charset=utf-8"}, error.encode()
                return 200, {"Content-Type": "text/plain; charset=utf-8"}, b"ok"
            payload = self._workspace.respond(call.method, call.args, token=call.token)
        return 200, {"X-OAuth-Scopes": _SCOPES}, json.dumps(payload).encode()


def _check_times(times: int | None) -> int | None:
    if times is not None and times < 1:
        raise ValueError(f"times must be at least 1 (or None for always), got {times}")
    return times
