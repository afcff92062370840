"""Which request (or clock pass) a log line belongs to, carried in a context variable.

An id is bound when work starts: per HTTP request (Flask hooks; an incoming X-Request-ID is
honoured, e.g. from Heroku's router or a pipeline, and echoed back), per Slack request (the
Bolt middleware, which adds the team and user), per clock pass. Work handed to other threads
(listeners, queue workers, clock workers) goes through ContextThreadPoolExecutor, which
copies the context, so a job's log lines carry the id of the request that queued it.
"""

from __future__ import annotations

import contextvars
import functools
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Response, g, request
from slack_bolt import BoltContext, BoltRequest

HEADER = "X-Request-ID"
# An incoming id is written into every log line: accept only a plain, short token.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class RequestIds:
    """The ids a log line is tagged with; None where not known."""

    request_id: str | None = None
    team_id: str | None = None
    user_id: str | None = None


_current: contextvars.ContextVar[RequestIds] = contextvars.ContextVar(
    "gatebot_request_ids",
    default=RequestIds(),  # noqa: B039 (frozen: never mutated, only replaced)
)


def current() -> RequestIds:
    """Return the ids of the work this thread is doing now."""
    return _current.get()


def new_id() -> str:
    """Return a fresh request id."""
    return uuid.uuid4().hex


def accept_incoming(value: str | None) -> str:
    """Return `value` if it is a usable request id, else a fresh one."""
    if value and _ACCEPTED_ID.fullmatch(value):
        return value
    return new_id()


def bind(**ids: str | None) -> contextvars.Token[RequestIds]:
    """Add `ids` to the current ones (None leaves a field as it is); reset() with the token."""
    known = {name: value for name, value in ids.items() if value is not None}
    return _current.set(replace(_current.get(), **known))


def reset(token: contextvars.Token[RequestIds]) -> None:
    """Restore the ids that were current before the bind() that gave `token`."""
    _current.reset(token)


@contextmanager
def bound(**ids: str | None) -> Iterator[RequestIds]:
    """Bind `ids` for the block, e.g. `with bound(request_id=new_id()):` around a clock pass."""
    token = bind(**ids)
    try:
        yield current()
    finally:
        reset(token)


def with_pass_id(work: Callable[P, T]) -> Callable[P, T]:
    """Run each call of `work` (a clock pass, an escape sweep) under an id of its own."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with bound(request_id=new_id()):
            return work(*args, **kwargs)

    return run


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose jobs run in a copy of the submitter's context (ids included)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unfinished: set[Future[Any]] = set()
        self._unfinished_lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        future = super().submit(context.run, fn, *args, **kwargs)
        with self._unfinished_lock:
            self._unfinished.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Any]) -> None:
        with self._unfinished_lock:
            self._unfinished.discard(future)

    def wait_idle(self, *, timeout: float = 60.0) -> None:
        """Return once every job submitted so far, and any it submitted, has finished.

        A Bolt listener goes on after its ack (it posts, then queues a redraw): whoever
        waits for the app to be idle (the demo, between its scenes) waits for these too.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._unfinished_lock:
                pending = set(self._unfinished)
            if not pending:
                return
            _, not_done = wait(pending, timeout=max(0.0, deadline - time.monotonic()))
            if not_done:
                left = len(not_done)
                raise TimeoutError(f"listener jobs still running after {timeout} s: {left}")


def bolt_request_ids(req: BoltRequest, context: BoltContext, next: Callable[[], Any]) -> None:  # noqa: A002
    """Bolt middleware: tag the request's log lines with a request id, the team and the user.

    Bolt starts the listener (on another thread, with a copy of these ids) after every
    middleware has returned, so the ids stay bound here. Over HTTP, the Flask hook bound this
    request's id and unbinds everything when the request ends; a Socket Mode request gets a
    fresh id and replaces all three, so nothing of the previous request on the thread remains.
    """
    request_id = current().request_id if req.mode == "http" else None
    request_id = request_id or new_id()
    context["request_id"] = request_id
    _current.set(RequestIds(request_id, team_id=context.team_id, user_id=context.user_id))
    next()


def track_requests(web: Flask) -> None:
    """Give every request to `web` an id, bound while it is handled and echoed as X-Request-ID."""

    @web.before_request
    def _bind_request_id() -> None:
        request_id = accept_incoming(request.headers.get(HEADER))
        g.request_ids_token = _current.set(RequestIds(request_id))  # nothing older carries over

    @web.after_request
    def _echo_request_id(response: Response) -> Response:
        request_id = current().request_id
        if request_id:
            response.headers[HEADER] = request_id
        return response

    @web.teardown_request
    def _unbind_request_id(_error: BaseException | None) -> None:
        # Server threads are reused: a later request must not inherit this one's ids.
        token = g.pop("request_ids_token", None)
        if token is not None:
            reset(token)
