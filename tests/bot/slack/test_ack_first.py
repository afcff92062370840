"""Background jobs start once the process has answered its requests (bot/slack/ack_first.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.core.settings import load_settings
from bot.falsifiability.service import FalsifiabilityChecker
from bot.server import gunicorn_options
from bot.slack.ack_first import REQUESTS, AckFirst
from bot.slack.jobs import BackgroundJobs

RULES_ONLY = FalsifiabilityChecker(client=None, model="none", timeout=1)
# Long enough for a held job to have started had it not been held; a pass proves nothing
# slower, a failure is always real.
HELD = 0.3


@pytest.fixture
def started() -> threading.Event:
    return threading.Event()


@contextmanager
def _jobs(engine: Engine, requests: AckFirst) -> Iterator[BackgroundJobs]:
    jobs = BackgroundJobs(engine=engine, checker=RULES_ONLY, max_workers=2, requests=requests)
    yield jobs
    jobs.shutdown(wait=True)


def _mark(*, started: threading.Event, **_: Any) -> None:
    started.set()


def test_a_job_waits_until_the_request_in_flight_is_answered(
    engine: Engine, started: threading.Event
) -> None:
    requests = AckFirst(quiet=0, max_hold=60)
    with _jobs(engine, requests) as jobs:
        requests.request_started()
        done = jobs.submit(_mark, started=started)
        assert not started.wait(HELD), "the job ran while a request awaited its answer"
        requests.request_finished()
        done.result(timeout=10)
        assert started.is_set()


def test_a_gap_between_two_requests_is_not_a_quiet_moment(
    engine: Engine, started: threading.Event
) -> None:
    requests = AckFirst(quiet=HELD * 3, max_hold=60)
    with _jobs(engine, requests) as jobs:
        requests.request_started()
        done = jobs.submit(_mark, started=started)
        requests.request_finished()
        assert not started.wait(HELD), "the job ran the moment the last request was answered"
        done.result(timeout=10)


def test_a_steady_stream_of_requests_delays_jobs_but_never_starves_them(
    engine: Engine, started: threading.Event
) -> None:
    requests = AckFirst(quiet=0, max_hold=0.05)
    with _jobs(engine, requests) as jobs:
        requests.request_started()  # and never answered
        jobs.submit(_mark, started=started).result(timeout=10)
        assert started.is_set()
        assert requests.in_flight == 1


def test_the_hold_counts_from_when_a_job_was_queued_not_when_a_thread_took_it() -> None:
    requests = AckFirst(quiet=0, max_hold=HELD)
    requests.request_started()  # and never answered: only the hold lets the job go
    queued_at = time.monotonic() - HELD  # waited its whole hold for a free thread already

    started = time.monotonic()
    requests.wait_for_quiet(since=queued_at)

    assert time.monotonic() - started < HELD / 3, "a job queued long ago waited a fresh hold"


def test_gunicorn_counts_the_requests_that_jobs_wait_for() -> None:
    options = gunicorn_options(settings=load_settings(), port=3000, workers=2)
    before = REQUESTS.in_flight
    options["pre_request"](None, None)
    assert REQUESTS.in_flight == before + 1
    options["post_request"](None, None, {}, None)
    assert REQUESTS.in_flight == before
