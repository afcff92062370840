"""The clock process: every GATEBOT_CLOCK_INTERVAL, one pass over what is due (run_pass).

A pass posts due gate prompts, reminders and weekly digests; every
GATEBOT_ESCAPE_SWEEP_MINUTES the clock also re-judges every metric (bot.escapes.sweep), the
safety net behind the escape alerts that go out as samples arrive.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from threading import Event

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.clock.passes import run_pass
from bot.clock.report import PassReport
from bot.core.request_ids import with_pass_id
from bot.core.settings import Settings
from bot.escapes.sweep import sweep

logger = logging.getLogger(__name__)


@cache
def clock_id() -> str:
    """Return this clock process's name, stored on the reviews it claims; stable per process."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _clients(settings: Settings, engine: Engine) -> Callable[[str], WebClient]:
    # One bot token's client for every team, or in OAuth mode each team's own; a team
    # without a token becomes a Slack failure recorded on its projects (bot.claims.work).
    from bot.install.service import client_for

    return client_for(settings=settings, engine=engine)


def _on_signals(handler: Callable[[int, object], None]) -> None:
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _pass(
    *,
    settings: Settings,
    engine: Engine,
    now: datetime,
    stop: Event | None,
    client_for: Callable[[str], WebClient],
) -> PassReport:
    return run_pass(
        engine=engine,
        client_for=client_for,
        now=now,
        clock_id=clock_id(),
        grace=timedelta(hours=settings.gatebot_grace_hours),
        lease=timedelta(seconds=settings.gatebot_claim_lease_seconds),
        workers=settings.gatebot_clock_workers,
        stop=stop,
        retention=timedelta(days=settings.gatebot_retention_days),
    )


@with_pass_id  # every line of the pass, its workers' too, carries one id
def run_once(
    *,
    settings: Settings,
    engine: Engine,
    now: datetime | None = None,
    stop: Event | None = None,
    client_for: Callable[[str], WebClient] | None = None,
) -> PassReport:
    """Run one pass with the settings' grace, lease and workers, then the escape sweep."""
    now = now or datetime.now(UTC)
    client_for = client_for or _clients(settings, engine)
    report = _pass(settings=settings, engine=engine, now=now, stop=stop, client_for=client_for)
    report.digests.alerts = sweep(engine=engine, client_for=client_for, now=now, stop=stop)
    return report


def run_once_in_foreground(*, settings: Settings, engine: Engine) -> PassReport:
    """Run one pass; SIGTERM or SIGINT ends it after the post in hand (`gatebot clock --once`)."""
    stop = Event()

    def on_signal(signum: int, _frame: object) -> None:
        logger.info("clock pass stopping on signal %s", signum)
        stop.set()

    _on_signals(on_signal)
    return run_once(settings=settings, engine=engine, stop=stop)


def run_forever(*, settings: Settings, engine: Engine) -> None:
    """Run a pass every interval until SIGTERM or SIGINT; then finish the post in hand."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    stop = Event()
    scheduler = BlockingScheduler(timezone=UTC)
    client_for = _clients(settings, engine)

    @with_pass_id
    def tick() -> None:
        now = datetime.now(UTC)
        report = _pass(settings=settings, engine=engine, now=now, stop=stop, client_for=client_for)
        # A pass a minute that did nothing is not news; GATEBOT_LOG_LEVEL=DEBUG shows it.
        logger.log(logging.DEBUG if report.idle else logging.INFO, "%s", report)

    @with_pass_id
    def sweep_escapes() -> None:
        try:
            alerts = sweep(engine=engine, client_for=client_for, now=datetime.now(UTC), stop=stop)
        except Exception:  # the database may be away for a moment; the next sweep tries again
            logger.exception("the escape sweep failed")
            return
        logger.log(logging.INFO if alerts else logging.DEBUG, "escape sweep: %s alerts", alerts)

    # coalesce + one instance: a pass slower than the interval delays the next, never doubles it.
    scheduler.add_job(
        tick,
        "interval",
        seconds=settings.gatebot_clock_interval,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        id="gate-clock",
    )
    scheduler.add_job(
        sweep_escapes,
        "interval",
        minutes=settings.gatebot_escape_sweep_minutes,
        max_instances=1,
        coalesce=True,
        id="escape-sweep",
    )

    def on_signal(signum: int, _frame: object) -> None:
        logger.info("clock stopping on signal %s", signum)
        stop.set()
        scheduler.shutdown(wait=True)

    _on_signals(on_signal)
    scheduler.start()
