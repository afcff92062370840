"""Escape alerts: a rollback trigger fired, or its episode closed, in the team's channel."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date

from bot.escapes.deciders import USER_ID, Deciders
from bot.metrics import Direction, format_number
from bot.metrics.blocks import amount
from bot.metrics.flags import Alert, MetricStatus
from bot.metrics.sparkline import sparkline
from bot.slack.blocks import Block, context, section
from bot.slack.mrkdwn import escape
from db.models.gates import Project
from db.models.metrics import Metric
from prompts import render

RECENT_DAYS = 12  # the sparkline: the days leading into the alert, one bar each


def title(metric: Metric) -> str:
    """Return the metric as people named it, escaped: its label, else its name in code."""
    if metric.display_name:
        return f"{escape(metric.display_name)} (`{escape(metric.name)}`)"
    return f"`{escape(metric.name)}`"


def _side(metric: Metric) -> str:
    return "below" if metric.direction == Direction.HIGHER_IS_BETTER else "above"


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _mention(user_id: str | None) -> str | None:
    return f"<@{user_id}>" if user_id and USER_ID.fullmatch(user_id) else None


def owner_text(metric: Metric) -> str:
    """Return the owner as a mention, or how to name one."""
    return _mention(metric.owner) or (
        f"nobody yet: `/metric update {escape(metric.name)} owner=@someone` names one"
    )


def _leads(project: Project, users: Sequence[str]) -> str:
    roles = {project.pm_lead: "PM", project.ds_lead: "DS"}
    if project.pm_lead == project.ds_lead:
        roles[project.pm_lead] = "PM + DS"
    return ", ".join(f"<@{user}> ({roles.get(user, 'lead')})" for user in users)


def deciders_text(deciders: Deciders, *, project: Project) -> str:
    """Return who decides: the users the escape gate names, else its words and the leads."""
    if not deciders.leads_stand_in:
        return f"{deciders.answer} _(escape gate)_"
    if deciders.users:
        paged = f"the leads stand in: {_leads(project, deciders.users)}"
    else:
        paged = "no leads are set either: `/gate setup` names them"
    if deciders.answer is None:
        return f"the escape gate names nobody yet (`/gate now escape` asks it); {paged}"
    return f"{paged}. The escape gate says:\n> {deciders.answer}"


def trend_text(metric: Metric, *, status: MetricStatus, recent: Sequence[float]) -> str:
    """Return the change on last week, the fitted trend and the recent days as a sparkline."""
    parts = []
    if status.change_abs is None or status.previous_week_value is None:
        parts.append("no value a week earlier to compare")
    elif status.change_abs == 0:
        parts.append(f"unchanged on last week's {amount(status.previous_week_value, metric.unit)}")
    else:
        way = "up" if status.change_abs > 0 else "down"
        relative = ""
        if status.change_rel is not None:
            relative = f" ({status.change_rel:+.1%})".replace("-", "−")
        gain = Direction(metric.direction).gain(status.change_abs)
        verdict = "better" if gain > 0 else "worse"
        parts.append(
            f"{way} {format_number(abs(status.change_abs))}{relative} on last week's "
            f"{amount(status.previous_week_value, metric.unit)}, {verdict}"
        )
    if status.trend is not None:
        parts.append(f"{status.trend.value} over the last 7 days")
    if any(math.isfinite(v) for v in recent):
        parts.append(f"`{sparkline(recent)}` the last {len(recent)} days")
    return " · ".join(parts)


def _blocks(text: str) -> list[Block]:
    first, *rest = (part.strip() for part in re.split(r"^---$", text, flags=re.MULTILINE))
    blocks = [section(first)]
    blocks += [section(part) for part in rest[:1] if part]
    blocks += [context(part) for part in rest[1:] if part]
    return blocks


def breach_message(
    *,
    project: Project,
    metric: Metric,
    alert: Alert,
    status: MetricStatus,
    recent: Sequence[float],
    deciders: Deciders,
) -> list[Block]:
    """Return the channel's escape alert: value, trigger, trend, owner and who decides."""
    periods = metric.periods_in_row
    streak = f"{alert.streak} reported days in a row" if alert.streak > 1 else "on 1 reported day"
    return _blocks(
        render(
            "escape_breach.j2",
            title=title(metric),
            value=amount(alert.value, metric.unit),
            day=_day(alert.day),
            side=_side(metric),
            threshold=amount(alert.threshold, metric.unit),
            streak=streak,
            periods=periods,
            trend=trend_text(metric, status=status, recent=recent),
            owner=owner_text(metric),
            decides=deciders_text(deciders, project=project),
            clear=f"for {periods} reported days in a row" if periods > 1 else "",
        )
    )


def breach_text(*, metric: Metric, alert: Alert, deciders: Deciders) -> str:
    """Return the notification text: what fired, and the mentions, so they are paged."""
    people = " ".join(m for m in (_mention(metric.owner), *map(_mention, deciders.users)) if m)
    return (
        f":rotating_light: Escape alert: {title(metric)} is {amount(alert.value, metric.unit)}, "
        f"past its rollback trigger ({_side(metric)} {amount(alert.threshold, metric.unit)})."
        + (f" {people}" if people else "")
    )


def recovery_message(
    *, project: Project, metric: Metric, alert: Alert, back: date, deciders: Deciders
) -> list[Block]:
    """Return the channel's note that the episode closed: since when, and how long it lasted."""
    return _blocks(
        render(
            "escape_recovered.j2",
            title=title(metric),
            value=amount(alert.value, metric.unit),
            day=_day(alert.day),
            side=_side(metric),
            threshold=amount(alert.threshold, metric.unit),
            back=_day(back),
            since=_day(alert.since),
            lasted=_days(max((back - alert.since).days, 1)),
            owner=owner_text(metric),
            decides=deciders_text(deciders, project=project),
        )
    )


def recovery_text(*, metric: Metric, alert: Alert) -> str:
    """Return the notification text of a recovery."""
    return (
        f":white_check_mark: Recovered: {title(metric)} is back inside its rollback trigger "
        f"({amount(alert.value, metric.unit)}; in breach since {_day(alert.since)})."
    )


def direct_note(*, project: Project, channel_error: str | None) -> Block:
    """Return the line a decider's DM adds: why they hear it, and a channel post that failed."""
    why = f"You are paged as a decider for *{escape(project.name)}*."
    if channel_error is None:
        return context(f"{why} The team sees this in <#{project.channel_id}>.")
    return context(
        f"{why} :warning: I could not post it in <#{project.channel_id}>: {escape(channel_error)}"
    )
