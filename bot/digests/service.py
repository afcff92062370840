"""The weekly digest: when it is due, what it says and its chart (posting: bot.digests.flows).

When: once per ISO week per project, at its `digest_weekday` and `digest_time` in its own
time zone (default Monday 09:00), for projects with at least one shared metric that are
not paused (a paused channel asked for quiet; escape alerts still reach it). The clock
claims (project, ISO week) before posting, with the gates' guarantees: a stale claim is
taken over, a digest missed by more than the grace window is recorded as skipped.

`/digest now` (and `gatebot digest` without --dry-run) posts an extra digest keyed by the
second it was asked: it never takes the week's scheduled slot, because stakeholders rely
on Monday's digest arriving whoever looked at the numbers on Thursday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from sqlmodel import Session

from bot.core.errors import InvalidInput
from bot.core.time import as_utc
from bot.digests.blocks import DigestMessage, digest_message
from bot.digests.data import DigestData, MetricView, gather, iso_week
from bot.gates import local_datetime, time_zone
from bot.metrics.chart import ChartSeries, render_chart
from bot.metrics.judging import DAYS
from bot.metrics.series import DailySeries
from bot.metrics.state import Standing
from db.models.gates import Project

CHART_DAYS = DAYS  # the same twelve weeks as the sparklines beside each metric's line
MAX_CHARTED = 8  # panels; the worst first, the rest are in the message


class DigestSchedule(Protocol):
    """What the digest's timing needs of a project: a Project, or a row of its columns."""

    timezone: str
    digest_weekday: int
    digest_time: time
    created_at: datetime


@dataclass(frozen=True)
class Due:
    """A scheduled digest: its ISO week (the claim's key) and when it was due."""

    key: str
    at: datetime


def due_digest(*, schedule: DigestSchedule, now: datetime) -> Due | None:
    """Return the latest scheduled digest at or before `now`, unless it predates the project.

    Raises CalendarError for a time zone stored broken.
    """
    zone, instant = time_zone(schedule.timezone), as_utc(now)
    local = instant.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    for week in (monday, monday - timedelta(days=7)):
        day = week + timedelta(days=schedule.digest_weekday % 7)
        # Compared in UTC: two times in one zone compare by wall clock, wrong at fall-back.
        at = local_datetime(day, schedule.digest_time, tz=zone).astimezone(UTC)
        if at <= instant:
            break
    else:
        return None
    if at < as_utc(schedule.created_at):  # set up after it: the first digest is next week's
        return None
    return Due(key=iso_week(day), at=at)


def manual_key(now: datetime) -> str:
    """Return the key of a digest asked for at `now`: a double-sent command posts once."""
    return f"now-{as_utc(now):%Y%m%dT%H%M%S}"


@dataclass(frozen=True)
class Built:
    """A digest ready to post: the data, the message, and the metrics its chart shows."""

    data: DigestData
    message: DigestMessage
    charted: list[MetricView]

    @property
    def chart_name(self) -> str:
        """Return the chart's file name."""
        return f"digest-{self.data.project.id}-{self.data.week}.png"

    @property
    def chart_title(self) -> str:
        """Return the chart's title."""
        return f"{self.data.project.name}: flagged metrics, {self.data.week}"

    def panels(self) -> list[ChartSeries]:
        """Return one panel per charted metric: its twelve weeks against its thresholds."""
        first = self.data.today - timedelta(days=CHART_DAYS - 1)
        panels = []
        for view in self.charted:
            recent = DailySeries(
                start=first, values=view.series.window(end=self.data.today, days=CHART_DAYS)
            )
            standing = view.state.standing
            status = "anomaly" if standing is Standing.OK else standing.label
            label = view.metric.display_name or view.metric.name
            voided = view.state.voids[0].limit(view.spec.direction) if view.state.voids else None
            panels.append(
                ChartSeries.of(view.spec, recent, status=status, label=label, guard=voided)
            )
        return panels

    def chart(self) -> bytes | None:
        """Return the PNG of the flagged metrics against their thresholds; None if none."""
        panels = self.panels()
        return render_chart(series=panels, title=self.chart_title) if panels else None


def build(
    *,
    session: Session,
    project: Project,
    now: datetime,
    compact: bool | None = None,
    posted: bool = True,
) -> Built:
    """Gather the project's week and lay it out (compact per the project unless told)."""
    data = gather(session=session, project=project, now=now)
    charted = data.flagged[:MAX_CHARTED]
    message = digest_message(
        data,
        compact=project.digest_compact if compact is None else compact,
        charted=len(charted),
        posted=posted,
    )
    return Built(data=data, message=message, charted=charted)


class Action(StrEnum):
    """What /digest was asked to do."""

    HELP = "help"
    PREVIEW = "preview"
    NOW = "now"
    COMPACT = "compact"


@dataclass(frozen=True)
class DigestCommand:
    """A parsed /digest: the action, `compact`'s choice, and a word not understood."""

    action: Action
    compact: bool | None = None
    unknown: str = ""


_ON, _OFF = {"on", "yes", "true", "1"}, {"off", "no", "false", "0"}


def parse_command(text: str) -> DigestCommand:
    """Parse /digest's text; raise InvalidInput for `compact` without on or off."""
    words = text.strip().lower().split()
    if not words or words[0] == "help":
        return DigestCommand(Action.HELP)
    first, rest = words[0], words[1:]
    if first in {"preview", "now"} and not rest:
        return DigestCommand(Action(first))
    if first == "compact" and len(rest) == 1 and rest[0] in _ON | _OFF:
        return DigestCommand(Action.COMPACT, compact=rest[0] in _ON)
    if first == "compact":
        raise InvalidInput("Say `/digest compact on` or `/digest compact off`.")
    return DigestCommand(Action.HELP, unknown=text.strip()[:80])


def set_compact(*, session: Session, project: Project, compact: bool) -> bool:
    """Choose the project's layout; False if it already was. Flushes, the caller commits."""
    if project.digest_compact == compact:
        return False
    project.digest_compact = compact
    session.add(project)
    session.flush()
    return True


def next_digest(*, project: Project, now: datetime) -> datetime:
    """Return when the clock next posts this project's digest (aware, in its time zone)."""
    zone = time_zone(project.timezone)
    local = as_utc(now).astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    for week in range(3):
        day = monday + timedelta(days=7 * week + project.digest_weekday % 7)
        at = local_datetime(day, project.digest_time, tz=zone)
        if at > as_utc(now):
            return at
    raise AssertionError("a weekly time is always within three weeks")  # pragma: no cover
