"""Post one escape alert: the channel first, then each decider by DM (bot.escapes.service)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

import numpy as np
from slack_sdk import WebClient
from sqlmodel import Session

from bot.core.time import as_utc
from bot.escapes import blocks
from bot.escapes.deciders import Deciders
from bot.metrics import Direction
from bot.metrics.flags import Alert, AlertKind, MetricStatus, beyond
from bot.metrics.series import DailySeries, trailing_run
from bot.slack.blocks import Block
from bot.slack.failures import SlackFailure
from bot.slack.posting import post_once
from db.columns import utcnow
from db.models.gates import Project
from db.models.metrics import Metric
from db.reviews import set_project_error

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class SentAlert:
    """An escape alert this evaluation owned: posted, or refused for good (`error`)."""

    metric_id: int
    metric: str
    kind: AlertKind
    day: date
    channel_ts: str | None  # None when the channel refused it
    direct: tuple[str, ...]  # the deciders who got it by DM
    error: str | None = None  # why the channel refused it


def message(
    *,
    project: Project,
    metric: Metric,
    alert: Alert,
    status: MetricStatus,
    daily: DailySeries,
    deciders: Deciders,
) -> tuple[str, list[Block]]:
    """Return the alert's notification text and blocks."""
    if alert.kind is AlertKind.BREACH:
        recent = daily.window(end=status.day, days=blocks.RECENT_DAYS)
        shown = blocks.breach_message(
            project=project,
            metric=metric,
            alert=alert,
            status=status,
            recent=[float(v) for v in recent],
            deciders=deciders,
        )
        return blocks.breach_text(metric=metric, alert=alert, deciders=deciders), shown
    back = back_inside(metric=metric, alert=alert, daily=daily)
    shown = blocks.recovery_message(
        project=project, metric=metric, alert=alert, back=back, deciders=deciders
    )
    return blocks.recovery_text(metric=metric, alert=alert), shown


def back_inside(*, metric: Metric, alert: Alert, daily: DailySeries) -> date:
    """Return the first day of the trailing run of reports inside the trigger that fired."""
    days_kept = len(daily)
    window = daily.window(end=alert.day, days=days_kept)
    days = np.flatnonzero(np.isfinite(window))
    outside = beyond(Direction(metric.direction), window[days], alert.threshold)
    run = trailing_run(~outside)
    if run == 0:
        return alert.day
    first = alert.day - timedelta(days=days_kept - 1 - int(days[-run]))
    return min(max(first, alert.since + timedelta(days=1)), alert.day)


def deliver(
    *,
    session: Session,
    client: WebClient,
    project: Project,
    metric: Metric,
    alert: Alert,
    text: str,
    shown: list[Block],
    deciders: Deciders,
    undo: Callable[[], object],
) -> SentAlert | None:
    """Post the alert to the channel and DM the deciders; None when it must be tried again."""
    now = as_utc(utcnow())
    channel_error: str | None = None
    ts: str | None = None
    # No row remembers an earlier try (a transient failure moves the episode back), so
    # every alert looks for its key first; alerts are rare enough for the extra read.
    key = f"escape:{metric.id}:{alert.kind.value}:{alert.since}:{alert.day}"
    try:
        ts = post_once(
            client=client,
            channel=project.channel_id,
            key=key,
            retry=True,
            since=now - timedelta(days=1),
            text=text,
            blocks=shown,
            unfurl_links=False,
            unfurl_media=False,
        ).ts
    except SlackFailure as failure:
        if failure.transient:
            undo()  # the episode's state moves back: the next evaluation posts it again
            logger.warning("escape alert for metric %s deferred: %s", metric.id, failure)
            return None
        channel_error = failure.message
    # From here on the outcome stands: an error below must not move the state back and
    # have the next evaluation post the same alert again.
    direct: list[str] = []
    try:
        _record(session=session, project=project, metric=metric, error=channel_error, now=now)
        for user in deciders.paged:
            note = blocks.direct_note(
                project=project, channel_error=channel_error, standin=user not in deciders.users
            )
            dm = partial(
                post_once,
                client=client,
                channel=user,
                key=f"{key}:dm:{user}",
                retry=True,
                since=now - timedelta(days=1),
                text=text,
                blocks=[*shown, note],
            )
            try:
                dm()
            except SlackFailure as failure:  # the channel has it; a DM is not worth a re-post
                logger.warning("escape alert DM to %s failed: %s", user, failure)
                if channel_error is None:
                    error = f"Could not DM {user} the escape alert: {failure.message}"
                    set_project_error(session=session, project=project, error=error, at=now)
            else:
                direct.append(user)
        session.commit()
    except Exception:
        logger.exception("after the escape alert for metric %s", metric.id)
        session.rollback()
    return SentAlert(
        metric_id=metric.id or 0,
        metric=metric.name,
        kind=alert.kind,
        day=alert.day,
        channel_ts=ts,
        direct=tuple(direct),
        error=channel_error,
    )


def _record(
    *, session: Session, project: Project, metric: Metric, error: str | None, now: datetime
) -> None:
    """Show a refused alert in /gate status; a channel that works again clears the old error."""
    if error is not None:
        note = f"The escape alert for `{metric.name}` was not posted: {error}"
        set_project_error(session=session, project=project, error=note, at=now)
    elif project.last_error is not None:
        set_project_error(session=session, project=project, error=None, at=None)
