"""Posting the weekly digest: the clock's claim per (project, ISO week), or /digest now's.

The same guarantees as the gate reviews (bot.gates.reviews, bot.claims.work): the run's row is
the claim, committed before Slack hears anything; a clock that dies leaves it CLAIMED for
another to take over after the lease; a digest more than the grace window late is
recorded as SKIPPED; a transient Slack failure puts it off with backoff (1, 2, 4 … minutes,
about two hours in all) and its retry is never skipped as late; Slack's refusals, and the
giving up, go on project.last_error and never stop the other projects. The message is
recorded as posted on its own, before the thread's details and the chart go out: a failed
chart upload is noted on the run, never a second digest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

import db.digests as queries
from bot.claims.work import ClockWork, record_failure
from bot.core.errors import InvalidInput
from bot.core.time import as_utc
from bot.digests.charts import Charts, Pending
from bot.digests.service import Built, Due, build, due_digest, manual_key
from bot.slack import dedupe
from bot.slack.failures import SlackFailure, call_slack
from bot.slack.packing import Block, pack
from bot.slack.posting import post_once
from db.models.digests import DigestRun, DigestStatus
from db.models.gates import Project
from db.reviews import projects_by_id, set_project_error

logger = logging.getLogger(__name__)

_BATCH = 10  # claims per INSERT: each digest is a few Slack calls, so keep batches short


@dataclass
class DigestReport:
    """What one clock pass did about weekly digests (bot.digests.flows) and escape alerts."""

    posted: int = 0
    skipped: int = 0
    failed: int = 0
    retaken: int = 0
    deferred: int = 0
    alerts: int = 0  # escape alerts the safety-net sweep posted (bot.escapes.sweep)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def post_digest(
    *,
    session: Session,
    client: WebClient,
    project: Project,
    run: DigestRun,
    now: datetime,
    charts: Charts | None = None,
) -> str:
    """Post a claimed digest, then its thread; return "posted", "failed" or "deferred". Commits."""
    now = as_utc(now)
    built = build(session=session, project=project, now=now)
    session.commit()  # no read transaction held across the Slack calls
    # Drawn meanwhile when `charts` has processes; else when the thread needs it.
    chart = (charts or Charts()).submit(built.panels(), built.chart_title)
    message = built.message
    # What passes one message's budget goes on in the thread, before the compact details.
    first, *overflow = pack(message.blocks)
    replies = [*overflow, *(pack(message.thread, note=False) if message.thread else [])]
    try:
        # A retaken or put-off claim may have reached Slack before: look for it first.
        posted = post_once(
            client=client,
            channel=project.channel_id,
            key=f"digest:{run.id}",
            retry=run.attempts > 1,
            since=run.created_at,
            text=message.text,
            blocks=first,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackFailure as failure:
        return record_failure(session=session, project=project, row=run, now=now, failure=failure)
    run.status, run.posted_at, run.error = DigestStatus.POSTED, now, None
    run.message_ts = posted.ts
    run.channel_id = posted.channel
    run.compact, run.counts = bool(message.thread), built.data.counts
    session.add(run)
    if project.last_error is not None:  # the channel works again: stop showing the old error
        set_project_error(session=session, project=project, error=None, at=None)
    session.commit()
    _post_thread(
        session=session,
        client=client,
        project=project,
        run=run,
        built=built,
        replies=replies,
        chart=chart,
        now=now,
    )
    return "posted"


def _post_thread(
    *,
    session: Session,
    client: WebClient,
    project: Project,
    run: DigestRun,
    built: Built,
    replies: list[list[Block]],
    chart: Pending,
    now: datetime,
) -> None:
    channel, ts = run.channel_id or project.channel_id, run.message_ts
    try:
        for index, reply in enumerate(replies):
            post_once(  # never retried: a thread that failed is noted on the run instead
                client=client,
                channel=channel,
                thread_ts=ts,
                key=f"digest-thread:{run.id}" + (f":{index}" if index else ""),
                text=built.message.text,
                blocks=reply,
                unfurl_links=False,
                unfurl_media=False,
            )
        png = chart()
        if png is not None:
            uploaded = call_slack(
                lambda: client.files_upload_v2(
                    channel=channel,
                    thread_ts=ts,
                    content=png,
                    filename=built.chart_name,
                    title=f"Flagged metrics, {built.data.week}",
                )
            )
            run.chart_file_id = str((uploaded.get("file") or {}).get("id") or "") or None
    except SlackFailure as failure:
        # The digest is in the channel: note what is missing rather than post it again.
        run.error = f"The digest was posted, but not all of its thread: {failure.message}"
        set_project_error(session=session, project=project, error=run.error, at=now)
    except Exception:  # a bug here must not read as "not posted": the message is out
        logger.exception("the thread of digest %s of project %s failed", run.id, project.id)
        session.rollback()
        run.error = "The digest was posted, but its thread failed on our side"
    session.add(run)
    session.commit()


def post_now(
    *, session: Session, client: WebClient, project: Project, user_id: str | None, now: datetime
) -> DigestRun | None:
    """Post a digest on request, outside the weekly slot; None if one was asked within a minute."""
    if not dedupe.first_ask(session=session, what=f"digest-now:{project.id}", team_id="", now=now):
        return None
    run = queries.claim(
        session=session,
        run=DigestRun(
            project_id=project.id,  # type: ignore[arg-type]
            week_key=manual_key(now),
            due_at=as_utc(now),
            claimed_at=as_utc(now),
            claimed_by=f"user:{user_id}" if user_id else "cli",
            attempts=1,
            requested_by=user_id,
            compact=project.digest_compact,
            channel_id=project.channel_id,
            created_at=as_utc(now),
        ),
    )
    session.commit()  # the claim is durable before Slack hears anything
    if run is None:
        return None
    post_digest(session=session, client=client, project=project, run=run, now=now)
    return run


@dataclass(frozen=True)
class _Due:
    project: Project
    team_id: str
    due: Due


class DigestPass:
    """The digest part of a clock pass: stale claims, then every project's due week."""

    def __init__(self, *, work: ClockWork, report: DigestReport) -> None:
        self.work, self.report = work, report
        self.charts = Charts()

    def run(self) -> None:
        """Take over stale digest claims, skip the long missed, post the rest in parallel."""
        work = self.work
        work.retake_stale(model=DigestRun, report=self.report, post=self._post)
        due = self._find_due()
        missed = [d for d in due if work.now - d.due.at > work.grace]
        if missed:
            rows = [self._row(d, skipped=True) for d in missed]
            self.report.skipped += len(queries.claim_many(session=work.session, rows=rows))
            work.session.commit()
        on_time = [d for d in due if work.now - d.due.at <= work.grace]
        batches = [on_time[i : i + _BATCH] for i in range(0, len(on_time), _BATCH)]
        with Charts.for_pass(due=len(on_time), workers=work.workers) as self.charts:
            work.fan_out(batches, self._claim_and_post)

    def _find_due(self) -> list[_Due]:
        session, found = self.work.session, {}
        for schedule in queries.schedules(session=session):
            try:
                due = due_digest(schedule=schedule, now=self.work.now)
            except InvalidInput as error:  # a zone stored broken; /gate setup shows why
                logger.warning("project %s has no usable digest time: %s", schedule.id, error)
                continue
            if due is not None:
                found[(schedule.id, due.key)] = (schedule.team_id, due)
        have = queries.existing_weeks(session=session, wanted=sorted(found))
        keys = [key for key in sorted(found) if key not in have]
        projects = projects_by_id(session=session, ids=[i for i, _ in keys])
        session.commit()  # end the read transaction before any write
        # Loaded after the schedules were read: a project paused meanwhile is left alone.
        return [
            _Due(projects[i], *found[(i, k)])
            for i, k in keys
            if i in projects and not projects[i].paused
        ]

    def _claim_and_post(self, session: Session, batch: Sequence[_Due]) -> None:
        work = self.work
        work.claim_and_post(
            session,
            batch,
            claim=lambda due: queries.claim_many(session=session, rows=[self._row(d) for d in due]),
            release=lambda ids: queries.release(session=session, ids=ids, clock_id=work.clock_id),
            send=self._send,
            report=self.report,
            what="digest",
        )

    def _row(self, due: _Due, *, skipped: bool = False) -> dict[str, Any]:
        stamp = self.work.stamp()
        return {
            "project_id": due.project.id,
            "week_key": due.due.key,
            "due_at": due.due.at,
            "status": DigestStatus.SKIPPED if skipped else DigestStatus.CLAIMED,
            "claimed_at": stamp,
            "claimed_by": self.work.clock_id,
            "attempts": 0 if skipped else 1,
            "compact": due.project.digest_compact,
            "channel_id": due.project.channel_id,
            "counts": {},
            "error": "missed while the clock was down, past the grace window" if skipped else None,
            "created_at": stamp,
        }

    def _post(self, session: Session, project: Project, team_id: str, run: Any) -> str | None:
        return self.work.post_claimed(
            session, project, team_id, run, send=self._send, what="digest"
        )

    def _send(
        self, session: Session, client: WebClient, project: Project, run: Any, now: datetime
    ) -> str:
        return post_digest(
            session=session, client=client, project=project, run=run, now=now, charts=self.charts
        )
