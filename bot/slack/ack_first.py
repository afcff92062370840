"""Acks before background work: jobs start once this process has answered its requests.

CPython runs one thread at a time. A job starting its LLM call spends milliseconds in
Python (the SDK building the request), and during a burst of slash commands each of them
is time the burst's acks wait for (profiled under `bench/ack_latency.py`: a third to two
thirds of the burst's GIL time went to jobs). The acks have Slack's 3 seconds; the jobs'
users already see "Checking…". So a job waits for a quiet moment: no request in flight
and none for QUIET_SECONDS (the gap between two requests of a burst is not one).
MAX_HOLD_SECONDS bounds the wait: a steady stream of requests delays jobs that much, but
never starves them.

Gunicorn's request hooks feed the process's REQUESTS (bot/server.py); BackgroundJobs waits on
it (bot/slack/jobs.py). Served any other way (tests, Socket Mode), nothing is in flight: no wait.
"""

from __future__ import annotations

import threading
import time

QUIET_SECONDS = 0.02
MAX_HOLD_SECONDS = 1.0


class AckFirst:
    """Counts the requests in flight; `wait_for_quiet` returns when there are none."""

    def __init__(self, *, quiet: float = QUIET_SECONDS, max_hold: float = MAX_HOLD_SECONDS) -> None:
        self._quiet = quiet
        self._max_hold = max_hold
        self._in_flight = 0
        self._last_finished = float("-inf")
        self._changed = threading.Condition()

    @property
    def in_flight(self) -> int:
        """Return how many requests are being answered now."""
        return self._in_flight

    def request_started(self) -> None:
        """Count a request in."""
        with self._changed:
            self._in_flight += 1

    def request_finished(self) -> None:
        """Count a request out; wake the waiting jobs when it was the last."""
        with self._changed:
            self._in_flight = max(0, self._in_flight - 1)
            self._last_finished = time.monotonic()
            if self._in_flight == 0:
                self._changed.notify_all()

    def wait_for_quiet(self, *, since: float | None = None) -> None:
        """Return at the next quiet moment, or MAX_HOLD_SECONDS after `since` at most.

        `since` is when the job was queued (time.monotonic()): a job that already waited in
        the pool's queue for a free thread does not wait the whole hold again.
        """
        deadline = (time.monotonic() if since is None else since) + self._max_hold
        with self._changed:
            while (now := time.monotonic()) < deadline:
                if self._in_flight > 0:
                    self._changed.wait(deadline - now)
                    continue
                quiet_left = self._last_finished + self._quiet - now
                if quiet_left <= 0:
                    return
                self._changed.wait(min(quiet_left, deadline - now))


# This process's requests: gunicorn's hooks count them, every job pool waits on them.
REQUESTS = AckFirst()
