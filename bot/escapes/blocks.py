"""Escape alerts: a rollback trigger fired, or its episode closed, in the team's channel."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date

from bot.escapes.deciders import USER_ID, Deciders
from bot.gates.blocks.away import away_note
from bot.metrics.flags import Alert, MetricStatus
from bot.metrics.format import NumberFormat, signed_percent
from bot.metrics.registry import spec_of
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


def _format(metric: Metric) -> NumberFormat:
    return NumberFormat.of(spec_of(metric))


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


def _leads(project: Project, users: Sequence[str], *, owner: str | None) -> str:
    roles = {project.pm_lead: "PM", project.ds_lead: "DS"}
    if project.pm_lead == project.ds_lead:
        roles[project.pm_lead] = "PM + DS"
    # The owner is already mentioned on the line above: named again, they are pinged twice.
    return ", ".join(
        f"{'the owner' if user == owner else f'<@{user}>'} ({roles.get(user, 'lead')})"
        for user in users
    )


def deciders_text(deciders: Deciders, *, project: Project, owner: str | None = None) -> str:
    """Return who decides, and who stands in for any of them who is away."""
    shown = _deciders(deciders, project=project, owner=owner)
    note = away_note(deciders.cover) if deciders.cover else None
    return f"{shown}\n{note}" if note else shown


def _deciders(deciders: Deciders, *, project: Project, owner: str | None) -> str:
    """Return who decides: the users the escape gate names, else its words and the leads."""
    if not deciders.leads_stand_in:
        return f"{deciders.answer} _(escape gate)_"
    if deciders.users:
        paged = f"the leads stand in: {_leads(project, deciders.users, owner=owner)}"
    else:
        paged = "no leads are set either: `/gate setup` names them"
    if deciders.answer is None:
        return f"the escape gate names nobody yet (`/gate now escape` asks it); {paged}"
    return f"{paged}. The escape gate says:\n> {deciders.answer}"


def trend_text(metric: Metric, *, status: MetricStatus, recent: Sequence[float]) -> str:
    """Return the change on last week, the fitted trend and the recent days as a sparkline."""
    fmt, parts = _format(metric), []
    before = status.previous_week_value
    if status.change_abs is None or before is None:
        parts.append("no value a week earlier to compare")
    elif status.change_abs == 0:
        parts.append(f"unchanged on last week's {fmt.value(before)}")
    else:
        way = "up" if status.change_abs > 0 else "down"
        relative = f" ({signed_percent(status.change_abs / abs(before))})" if before else ""
        verdict = "better" if fmt.direction.gain(status.change_abs) > 0 else "worse"
        parts.append(
            f"{way} {fmt.size(status.change_abs)}{relative} on last week's "
            f"{fmt.value(before)}, {verdict}"
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
    periods, fmt = metric.periods_in_row, _format(metric)
    streak = f"{alert.streak} reported days in a row" if alert.streak > 1 else "on 1 reported day"
    return _blocks(
        render(
            "escape_breach.j2",
            title=title(metric),
            versus=fmt.versus(alert.value, threshold=alert.threshold),
            day=_day(alert.day),
            side=fmt.bad_side,
            streak=streak,
            periods=periods,
            trend=trend_text(metric, status=status, recent=recent),
            owner=owner_text(metric),
            decides=deciders_text(deciders, project=project, owner=metric.owner),
            clear=f"for {periods} reported days in a row" if periods > 1 else "",
        )
    )


def breach_text(*, metric: Metric, alert: Alert, deciders: Deciders) -> str:
    """Return the notification text: what fired, and each person paged, mentioned once."""
    mentions = (_mention(metric.owner), *map(_mention, deciders.paged))
    people = " ".join(dict.fromkeys(m for m in mentions if m))
    versus = _format(metric).versus(alert.value, threshold=alert.threshold)
    return f":rotating_light: Escape alert: {title(metric)} {versus}." + (
        f" {people}" if people else ""
    )


def recovery_message(
    *, project: Project, metric: Metric, alert: Alert, back: date, deciders: Deciders
) -> list[Block]:
    """Return the channel's note that the episode closed: since when, and how long it lasted."""
    return _blocks(
        render(
            "escape_recovered.j2",
            title=title(metric),
            versus=_format(metric).versus(alert.value, threshold=alert.threshold),
            day=_day(alert.day),
            back=_day(back),
            since=_day(alert.since),
            lasted=_days(max((back - alert.since).days, 1)),
            owner=owner_text(metric),
            decides=deciders_text(deciders, project=project, owner=metric.owner),
        )
    )


def recovery_text(*, metric: Metric, alert: Alert) -> str:
    """Return the notification text of a recovery."""
    versus = _format(metric).versus(alert.value, threshold=alert.threshold)
    return (
        f":white_check_mark: Recovered: {title(metric)} {versus}, back inside it "
        f"(in breach since {_day(alert.since)})."
    )


def direct_note(*, project: Project, channel_error: str | None, standin: bool = False) -> Block:
    """Return the line a decider's DM adds: why they hear it, and a channel post that failed."""
    role = "standing in for a decider who is away" if standin else "as a decider"
    why = f"You are paged {role} for *{escape(project.name)}*."
    if channel_error is None:
        return context(f"{why} The team sees this in <#{project.channel_id}>.")
    return context(
        f"{why} :warning: I could not post it in <#{project.channel_id}>: {escape(channel_error)}"
    )
