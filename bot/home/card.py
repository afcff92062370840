"""One project's card on the Home tab: at most nine blocks (bot.home.blocks lays them out).

A person outside the project's channel gets its name and status, and why nothing more.
Untrusted text (project names, hypotheses, Slack errors) is escaped and cut to Slack's limits.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.time import as_utc
from bot.digests.lines import metric_fields, one_line
from bot.gates import Phase, phase_gate
from bot.gates.blocks.status import review_title, when
from bot.home.ids import HOME_ANSWER, HOME_DIGEST, HOME_HYPOTHESIS
from bot.metrics.blocks import VERDICT_ICONS
from bot.slack.blocks import Block, button, clip, context, divider, section
from bot.slack.mrkdwn import escape, reader_time
from db.models import Hypothesis
from db.models.gates import Project
from prompts import render

if TYPE_CHECKING:  # bot.home.service publishes with these views, so import only for types
    from bot.home.model import AwaitingReview, ProjectCard

SHOWN_REVIEWS = 3  # awaiting reviews per card; the rest are counted
SHOWN_WATCHED = 5  # metric lines per card; the rest are counted


def plural(count: int, word: str) -> str:
    """Return `word` for one, `word`s for any other count."""
    return word if count == 1 else word + "s"


def card_blocks(card: ProjectCard, *, user_id: str, explain: bool = True) -> list[Block]:
    """Return a project's card; for someone outside its channel, the name and status only
    (with why, unless `explain` is off because the Home says it once for every card)."""
    project = card.project
    blocks = [divider(), section(_head(card))]
    if not card.member:
        if explain:
            blocks.append(
                context(
                    f":lock: You're not in <#{project.channel_id}>, so its reviews, hypotheses "
                    "and metrics stay with its members. Join the channel to see them here."
                )
            )
        return blocks
    blocks += [_awaiting(item, project) for item in card.awaiting[:SHOWN_REVIEWS]]
    if len(card.awaiting) > SHOWN_REVIEWS:
        left = len(card.awaiting) - SHOWN_REVIEWS
        blocks.append(
            context(
                f"_…and {left} more {plural(left, 'review')} awaiting you: "
                f"`/gate status` in <#{project.channel_id}>._"
            )
        )
    blocks.append(section(_hypotheses(card, user_id=user_id)))
    blocks.append(section(_metrics(card)))
    buttons = [button("Write a hypothesis", action_id=HOME_HYPOTHESIS, value=str(project.id))]
    if card.metrics:
        buttons.append(button("Digest preview", action_id=HOME_DIGEST, value=str(project.id)))
    blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _head(card: ProjectCard) -> str:
    project, status = card.project, card.status
    phase = Phase(project.phase).label if project.phase in set(Phase) else escape(project.phase)
    lines = [f"*{escape(project.name)}* · <#{project.channel_id}>"]
    where = f"*{phase}*"
    if status is not None and status.sprint:
        where += (
            f" · Sprint {status.sprint}, day {status.sprint_day} of {project.sprint_length_days}"
        )
    elif status is not None:
        where += f" · the first sprint starts {project.sprint_start:%a %-d %b %Y}"
    if card.roles:
        where += " · you: " + " and ".join(card.roles)
    lines += [where, _next_gate(card)]
    if project.last_error:
        lines.append(f":warning: Last Slack error: {one_line(project.last_error, limit=200)}")
    return clip("\n".join(lines))


def _next_gate(card: ProjectCard) -> str:
    project, status = card.project, card.status
    if card.problem is not None:
        return (
            f":warning: {one_line(card.problem, limit=300)} "
            f"`/gate setup` in <#{project.channel_id}> fixes it."
        )
    if project.paused:
        return ":double_vertical_bar: *Paused:* no scheduled prompts until `/gate resume`."
    if status is not None and status.next_prompt is not None:
        upcoming = status.next_prompt
        return (
            f":alarm_clock: *Next gate:* Sprint {upcoming.number} boundary review, "
            f"{_when(upcoming.at, project)}"
        )
    following = card.next_phase
    if following is None:
        return ":alarm_clock: *Next gate:* none: this is the last phase."
    return (
        f":alarm_clock: *Next gate:* {phase_gate(following).label}, asked when the team "
        f"moves on with `/gate phase {following.value}`"
    )


def _when(moment: datetime, project: Project) -> str:
    """Return `moment` in the reader's own zone, the team's (or UTC's) as the fallback."""
    try:
        return when(moment, tz=project.timezone)
    except ValueError:  # a zone stored broken: the card already says so; fall back to UTC
        return reader_time(as_utc(moment), fallback=f"{as_utc(moment):%a %-d %b %Y, %H:%M} UTC")


def _awaiting(item: AwaitingReview, project: Project) -> Block:
    review = item.review
    text = (
        f":hourglass_flowing_sand: *{review_title(review)}* awaits your answers · "
        f"{item.answered} of {item.questions} answered · "
        f"asked {_when(review.posted_at or review.due_at, project)}"
    )
    label = "Answer" if not item.answered else "Finish answering"
    block = section(text)
    block["accessory"] = button(label, action_id=HOME_ANSWER, value=str(review.id))
    return block


def _hypothesis_line(hypothesis: Hypothesis, card: ProjectCard, *, user_id: str) -> str:
    verdict = ":warning: vague" if hypothesis.vague else ":white_check_mark: falsifiable"
    view = card.progress.get(hypothesis.id or 0)
    if view is not None and view.judged is not None:
        judged = view.judged.verdict
        verdict += f" · {VERDICT_ICONS[judged]} {judged.value.replace('_', ' ')}"
        if view.judged.voided_by:
            verdict += f": `{escape(view.judged.voided_by[0])}` voids its lift"
    elif view is not None:
        verdict += " · :white_circle: no data on its metric this week"
    mine = " · yours" if hypothesis.author_id == user_id else ""
    return f"• *#{hypothesis.id}* {verdict}{mine}\n   {one_line(hypothesis.text, limit=200)}"


def _hypotheses(card: ProjectCard, *, user_id: str) -> str:
    channel = f"<#{card.project.channel_id}>"
    if not card.open_hypotheses:
        return f"*Hypotheses:* none on record in {channel} yet."
    lines = [f"*Hypotheses* · {card.open_hypotheses} on record"]
    lines += [_hypothesis_line(h, card, user_id=user_id) for h in card.hypotheses]
    left = card.open_hypotheses - len(card.hypotheses)
    if left > 0:
        lines.append(f"_…and {left} more: `/hypothesis list` in {channel}._")
    return clip("\n".join(lines))


def _metrics(card: ProjectCard) -> str:
    channel = f"<#{card.project.channel_id}>"
    if not card.metrics:
        return f"*Metrics:* no shared metrics yet: `/metric define` in {channel} adds one."
    if card.metrics_problem:
        return f":warning: *Metrics:* I could not judge them just now; `/metric list` in {channel}."
    if not card.watched:
        if card.metrics == 1:
            return ":large_green_circle: *Metrics:* the shared metric is within its thresholds."
        return f":large_green_circle: *Metrics:* all {card.metrics} are within their thresholds."
    lines = [f"*Flagged metrics* · {len(card.watched)} of {card.metrics}"]
    for view in card.watched[:SHOWN_WATCHED]:
        lines.append(clip(render("digest.j2", part="metric", m=metric_fields(view)), 500))
    left = len(card.watched) - SHOWN_WATCHED
    if left > 0:
        lines.append(f"_…and {left} more: `/metric list` in {channel}._")
    return clip("\n".join(lines))
