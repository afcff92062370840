"""One clock pass (run_pass): gate reviews, reminders, then weekly digests.

Each stage of a pass runs on its own: an error in one (a bug, a table a migration broke) is
logged and rolled back, and the stages after it, the outbox above all, still run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot.claims.work import ClockWork
from bot.clock.report import PassReport
from bot.core.errors import InvalidInput
from bot.core.time import as_utc
from bot.gates import GateKind, Occurrence
from bot.gates.reminders import remind_due
from bot.gates.reviews import (
    DEFAULT_GRACE,
    DEFAULT_LEASE,
    SPRINT_PHASES,
    Planned,
    floor,
    latest_due,
    post_review,
    sprint_key,
)
from bot.gates.skips import skip_row_fields
from bot.outbox.drain import drain
from bot.queue.service import prune_finished
from bot.record.forget import purge_uninstalled
from bot.slack import dedupe
from db import days_off as skips
from db import heartbeats
from db import reviews as queries
from db.models.gates import GateReview, Project, ReviewStatus

logger = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(days=30)  # GATEBOT_RETENTION_DAYS' default
_BATCH = 20  # claims per INSERT: small, so each is posted well inside its lease
_SKIP_CHUNK = 500


@dataclass(frozen=True)
class _Due:
    key: str
    project: Project
    team_id: str
    plan: Planned

    @property
    def occurrence(self) -> Occurrence:
        return self.plan.occurrence


class Pass(ClockWork):
    """One pass of one clock over the database behind `session`."""

    def __init__(
        self,
        *,
        session: Session,
        client_for: Callable[[str], WebClient],
        now: datetime,
        clock_id: str,
        grace: timedelta,
        lease: timedelta,
        workers: int,
        stop: threading.Event,
        report: PassReport,
        ticks: Callable[[], float],
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        super().__init__(
            session=session,
            client_for=client_for,
            now=now,
            clock_id=clock_id,
            grace=grace,
            lease=lease,
            workers=workers,
            stop=stop,
            ticks=ticks,
        )
        self.report = report
        self.retention = retention

    def run(self) -> None:
        """Beat, retake stale claims (the oldest), open what is due, remind, digest, then post
        what waits in the outbox (bot.outbox.service), forget old event receipts and
        finished jobs, and delete workspaces uninstalled longer than the retention."""
        from bot.digests.flows import DigestPass  # numpy and matplotlib load only with the clock

        stages: list[tuple[str, Callable[[], object]]] = [
            ("heartbeat", self._beat),
            (
                "stale claims",
                lambda: self.retake_stale(model=GateReview, report=self.report, post=self._post),
            ),
            ("sprint reviews", self._open_due),
            ("reminders", lambda: remind_due(work=self, report=self.report)),
            ("digests", lambda: DigestPass(work=self, report=self.report.digests).run()),
            (
                "outbox",
                lambda: drain(
                    session=self.session,
                    client_for=self.client,
                    now=self.stamp(),
                    stop=self.stop,
                    clock=self.stamp,
                ),
            ),
            ("event receipts", lambda: dedupe.prune(session=self.session, now=self.now)),
            ("finished jobs", lambda: prune_finished(session=self.session, now=self.now)),
            (
                "retention",
                lambda: purge_uninstalled(
                    session=self.session, now=self.now, retention=self.retention
                ),
            ),
        ]
        for name, stage in stages:
            try:
                stage()
            except Exception:  # a stage that keeps failing must not starve the ones after it
                logger.exception("the clock's %s failed; the pass goes on", name)
                self.session.rollback()

    def _beat(self) -> None:
        # First, so a pass that later hangs still shows the clock was alive when it began.
        heartbeats.beat(session=self.session, process="clock", now=self.stamp())
        self.session.commit()

    def _open_due(self) -> None:
        schedules = queries.schedules_in(session=self.session, phases=SPRINT_PHASES)
        self.report.projects = len(schedules)
        found: dict[tuple[int, str], tuple[str, Planned]] = {}
        for schedule in schedules:
            try:
                plan = latest_due(project=schedule, now=self.now)
            except InvalidInput as error:  # a calendar stored broken; /gate setup shows why
                logger.warning("project %s has an unusable calendar: %s", schedule.id, error)
                continue
            if plan is not None and plan.occurrence.at >= floor(schedule):
                key = sprint_key(project=schedule, number=plan.occurrence.number)
                found[(schedule.id, key)] = (schedule.team_id, plan)
        have = queries.existing_keys(
            session=self.session, gate_kind=GateKind.SPRINT_REVIEW.value, wanted=sorted(found)
        )
        keys = [key for key in sorted(found) if key not in have]
        projects = queries.projects_by_id(session=self.session, ids=[i for i, _ in keys])
        self.session.commit()  # end the read transaction before any write
        # Loaded after the schedules were read: a project paused meanwhile is left alone.
        active = {i: p for i, p in projects.items() if not p.paused}
        missing = [_Due(k, active[i], *found[(i, k)]) for i, k in keys if i in active]
        # Not asked: skipped by the team or every day of it off, or missed past the grace.
        missed = [d for d in missing if d.plan.skip or self.now - d.occurrence.at > self.grace]
        by_skip = [d.project.id or 0 for d in missed if d.plan.skipped_date]
        who = skips.skippers(session=self.session, project_ids=by_skip)
        for start in range(0, len(missed), _SKIP_CHUNK):
            rows = [
                self._row(d, skipped=True) | self._why_skipped(d, who)
                for d in missed[start : start + _SKIP_CHUNK]
            ]
            self.report.skipped += len(queries.claim_many(session=self.session, rows=rows))
            self.session.commit()
        on_time = [
            d for d in missing if not d.plan.skip and self.now - d.occurrence.at <= self.grace
        ]
        batches = [on_time[start : start + _BATCH] for start in range(0, len(on_time), _BATCH)]
        self.fan_out(batches, self._claim_and_post)

    def _claim_and_post(self, session: Session, batch: Sequence[_Due]) -> None:
        self.claim_and_post(
            session,
            batch,
            claim=lambda due: queries.claim_many(session=session, rows=[self._row(d) for d in due]),
            release=lambda ids: queries.release(
                session=session, review_ids=ids, clock_id=self.clock_id
            ),
            send=_send_review,
            report=self.report,
            what="review",
        )

    def _row(self, due: _Due, *, skipped: bool = False) -> dict[str, Any]:
        stamp = self.stamp()
        return {
            "project_id": due.project.id,
            "gate_kind": GateKind.SPRINT_REVIEW.value,
            "occurrence_key": due.key,
            "sprint_number": due.occurrence.number,
            "due_at": due.occurrence.at,
            "status": ReviewStatus.SKIPPED if skipped else ReviewStatus.CLAIMED,
            "claimed_at": stamp,
            "claimed_by": self.clock_id,
            "attempts": 0 if skipped else 1,
            "channel_id": due.project.channel_id,
            "error": "missed while the clock was down, past the grace window" if skipped else None,
            "inputs": {},
            "created_at": stamp,
        }

    @staticmethod
    def _why_skipped(due: _Due, who: dict[tuple[int, date], str]) -> dict[str, Any]:
        day = due.plan.skipped_date
        by = who.get((due.project.id or 0, day)) if day is not None else None
        return skip_row_fields(plan=due.plan, skipped_by=by)

    def _post(self, session: Session, project: Project, team_id: str, review: Any) -> str | None:
        return self.post_claimed(
            session, project, team_id, review, send=_send_review, what="review"
        )


def _send_review(
    session: Session, client: WebClient, project: Project, review: Any, now: datetime
) -> str:
    return post_review(session=session, client=client, project=project, review=review, now=now)


def run_pass(
    *,
    engine: Engine,
    client_for: Callable[[str], WebClient],
    now: datetime,
    clock_id: str,
    grace: timedelta = DEFAULT_GRACE,
    lease: timedelta = DEFAULT_LEASE,
    workers: int = 4,
    stop: threading.Event | None = None,
    ticks: Callable[[], float] = time.monotonic,
    retention: timedelta = DEFAULT_RETENTION,
) -> PassReport:
    """Run one pass: retake stale claims, open due sprint reviews, send due reminders.

    `ticks` is the seconds counter the pass tells its elapsed time by (ClockWork.stamp).
    """
    started = time.monotonic()
    report = PassReport()
    with Session(engine, expire_on_commit=False) as session:
        Pass(
            session=session,
            client_for=client_for,
            now=as_utc(now),
            clock_id=clock_id,
            grace=grace,
            lease=lease,
            workers=workers,
            stop=stop or threading.Event(),
            report=report,
            ticks=ticks,
            retention=retention,
        ).run()
    report.seconds = time.monotonic() - started
    return report
