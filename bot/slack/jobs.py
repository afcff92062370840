"""Slow work after the ack (LLM checks and their replies), on its own pool of threads.

Bolt runs each listener on a shared pool and a request is acked only once its listener
starts. If slow checks held those threads, a burst of /hypothesis would queue new
requests behind them and acks would miss Slack's 3 seconds. So a listener acks, hands
the slow part to BackgroundJobs and returns; the jobs queue here, never in front of an ack,
and start once the process has answered the requests in flight (bot/slack/ack_first.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.core.errors import report_error
from bot.core.request_ids import ContextThreadPoolExecutor
from bot.hypotheses.service import Checker
from bot.slack.ack_first import REQUESTS, AckFirst

logger = logging.getLogger(__name__)


class BackgroundJobs:
    """A pool that runs jobs with their own DB session and the falsifiability checker."""

    def __init__(
        self, *, engine: Engine, checker: Checker, max_workers: int, requests: AckFirst = REQUESTS
    ) -> None:
        self._engine = engine
        self._checker = checker
        self._requests = requests  # a job starts once these are answered (bot/slack/ack_first.py)
        # A job runs in a copy of its submitter's context: its lines carry the request's id.
        self._pool = ContextThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="job")

    def submit(self, job: Callable[..., None], /, **kwargs: Any) -> Future[None]:
        """Run `job(session=…, checker=…, **kwargs)` later; errors reach the user, not Bolt."""
        return self._pool.submit(self._run, job, kwargs, time.monotonic())

    def _run(self, job: Callable[..., None], kwargs: dict[str, Any], queued_at: float) -> None:
        self._requests.wait_for_quiet(since=queued_at)
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                job(session=session, checker=self._checker, **kwargs)
        except Exception as error:  # a job has no caller to raise to: tell the user instead
            report_error(
                error,
                respond=kwargs.get("respond"),
                client=kwargs.get("client"),
                user_id=kwargs.get("user_id"),
            )

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking jobs; with wait, finish the ones queued."""
        self._pool.shutdown(wait=wait)
