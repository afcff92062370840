"""Escape alerts: judge a project's metrics and page the channel and the deciders, once an episode.

Once per episode: each metric's EpisodeState moves by a conditional UPDATE
(db.metrics.move_alert) committed before Slack hears anything, so of two evaluators judging
the same breach only the one that moved the state posts. Re-sent or further breached samples
find the episode open and post nothing.

Delivery: the channel post is the alert; deciders who are Slack users also get a DM.
- A transient failure (rate limit, 5xx, Slack unreachable) moves the state back, so the
  next evaluation (the next sample, or the clock's safety-net pass) posts it: late, not lost.
- A permanent refusal (not_in_channel, channel_not_found, …) would repeat on every retry,
  so the state stays moved, the error goes on project.last_error (/gate status shows it)
  and the deciders' DMs say the channel post failed.
- The one gap: a process dying between that commit and the post loses the alert.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

import db.metrics as queries
from bot.core.time import as_utc
from bot.escapes import flows as post
from bot.escapes.deciders import deciders_for, with_standin
from bot.escapes.flows import SentAlert
from bot.gates import time_zone
from bot.gates.standins import Statuses
from bot.metrics.flags import EpisodeState, evaluate, next_alert
from bot.metrics.registry import spec_of
from bot.metrics.series import DailySeries, daily_series
from bot.queue.service import enqueue
from bot.queue.tasks import task
from db.columns import utcnow
from db.models.gates import Project
from db.models.metrics import AlertState, Metric

__all__ = [
    "SentAlert",
    "evaluate_ingested",
    "evaluate_later",
    "evaluate_project",
    "evaluate_task",
]

logger = logging.getLogger(__name__)

HISTORY_DAYS = 56  # the trailing window the flags judge: z-score baseline, runs, last week


def evaluate_project(
    *,
    session: Session,
    client: WebClient,
    project: Project,
    today: date | None = None,
    now: datetime | None = None,
    metric_ids: Iterable[int] | None = None,
) -> list[SentAlert]:
    """Judge the project's metrics (or those given) on `today`; post each alert due. Commits."""
    assert project.id is not None
    now = as_utc(now or utcnow())
    zone = _zone(project)
    today = today or now.astimezone(zone).date()
    metrics = _metrics(session=session, project_id=project.id, metric_ids=metric_ids)
    series = _series(session=session, metrics=metrics, zone=zone, today=today)
    session.commit()  # no read transaction held across the Slack calls below
    sent: list[SentAlert] = []
    statuses = Statuses(now=now)  # read only when an alert fires, each person once
    for metric in metrics:
        try:
            outcome = _judge(
                session=session,
                client=client,
                project=project,
                metric=metric,
                daily=series[metric.id or 0],
                today=today,
                now=now,
                statuses=statuses,
            )
        except Exception:  # one metric's bug or lost connection must not silence the others
            logger.exception("escape evaluation of metric %s failed", metric.id)
            session.rollback()
            continue
        if outcome is not None:
            sent.append(outcome)
    return sent


def _judge(
    *,
    session: Session,
    client: WebClient,
    project: Project,
    metric: Metric,
    daily: DailySeries,
    today: date,
    now: datetime,
    statuses: Statuses,
) -> SentAlert | None:
    """Advance one metric's episode; post the alert if this call moved it."""
    status = evaluate(spec_of(metric), daily, today=today, history_days=HISTORY_DAYS)
    before = EpisodeState(
        in_breach=metric.alert_state == AlertState.BREACH,
        since=metric.alert_since,
        threshold=metric.alert_threshold,
    )
    after, alert = next_alert(state=before, status=status)
    if alert is None or not _move(session=session, metric=metric, to=after, now=now):
        return None
    undo = partial(_move, session=session, metric=metric, to=before, now=now)
    try:
        deciders = with_standin(
            deciders_for(session=session, project=project),
            project=project,
            person=statuses.lookup(client=client, team_id=str(project.workspace_id)),
        )
        text, shown = post.message(
            project=project,
            metric=metric,
            alert=alert,
            status=status,
            daily=daily,
            deciders=deciders,
        )
        return post.deliver(
            session=session,
            client=client,
            project=project,
            metric=metric,
            alert=alert,
            text=text,
            shown=shown,
            deciders=deciders,
            undo=undo,
        )
    except Exception:
        # The state moved but nobody heard: move it back so the next evaluation tries again.
        session.rollback()
        undo()
        raise


def evaluate_ingested(
    *,
    session: Session,
    client: WebClient,
    project_id: int,
    metric_ids: Iterable[int],
    now: datetime | None = None,
) -> list[SentAlert]:
    """Judge metrics that just received data; errors are logged, never raised (nobody waits)."""
    try:
        project = session.get(Project, project_id)
        if project is None:
            return []
        return evaluate_project(
            session=session, client=client, project=project, now=now, metric_ids=metric_ids
        )
    except Exception:
        logger.exception("escape evaluation of project %s failed", project_id)
        session.rollback()
        return []


@task("escapes.evaluate")
def evaluate_task(
    *, session: Session, client: WebClient, project_id: int, metric_ids: list[int]
) -> None:
    """Judge metrics that just received data, from the queue (no checker: alerts need none)."""
    evaluate_ingested(session=session, client=client, project_id=project_id, metric_ids=metric_ids)


def evaluate_later(
    *, session: Session, team_id: str, project_id: int, metric_ids: Iterable[int]
) -> None:
    """Queue the judgement of freshly stored metrics, to run after the caller has answered.

    Does not commit: the caller commits it, with the samples when it can.
    """
    ids = sorted(set(metric_ids))
    if ids:
        enqueue(
            session=session,
            task=evaluate_task,
            team_id=team_id,
            project_id=project_id,
            metric_ids=ids,
        )


def _zone(project: Project) -> ZoneInfo:
    try:
        return time_zone(project.timezone)
    except ValueError:  # a zone stored broken must not silence the alerts; ingest does the same
        return ZoneInfo("UTC")


def _metrics(
    *, session: Session, project_id: int, metric_ids: Iterable[int] | None
) -> list[Metric]:
    query = select(Metric).where(Metric.project_id == project_id).order_by(col(Metric.name))
    if metric_ids is not None:
        query = query.where(col(Metric.id).in_(list(metric_ids)))
    # populate_existing: a long-lived caller's session may hold an episode state gone stale.
    return list(session.exec(query.execution_options(populate_existing=True)))


def _series(
    *, session: Session, metrics: list[Metric], zone: ZoneInfo, today: date
) -> dict[int, DailySeries]:
    start = today - timedelta(days=HISTORY_DAYS - 1)
    rows = queries.samples_between(
        session=session,
        metric_ids=[m.id for m in metrics if m.id is not None],
        start=datetime.combine(start, time(), tzinfo=zone).astimezone(UTC),
        end=datetime.combine(today + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC),
    )
    samples: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for metric_id, at, value in rows:
        samples[metric_id].append((at, value))
    return {
        m.id: daily_series(samples[m.id], tz=zone, start=start, end=today)
        for m in metrics
        if m.id is not None
    }


def _move(*, session: Session, metric: Metric, to: EpisodeState, now: datetime) -> bool:
    """Move the stored episode to `to` if nobody else did; commit, and mirror it on `metric`."""
    assert metric.id is not None
    state = AlertState.BREACH if to.in_breach else AlertState.OK
    won = queries.move_alert(
        session=session,
        metric_id=metric.id,
        to_state=state,
        since=to.since,
        threshold=to.threshold,
        now=now,
    )
    session.commit()
    if won:
        mirrored = {"alert_state": state, "alert_since": to.since, "alert_threshold": to.threshold}
        for name, value in (mirrored | {"alert_changed_at": now}).items():
            set_committed_value(metric, name, value)
    return won
