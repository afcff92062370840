"""The App Home tab as Block Kit (the modals its own buttons open: bot.blocks.home_modals).

A Home view takes at most 100 blocks. A project card takes at most nine, a page
holds bot.home.PAGE_SIZE of them, and cards past the budget are summarised in one line, so
no Home can overflow whatever it is given. Untrusted text (project names, hypotheses,
Slack errors) is escaped and cut to Slack's limits.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from bot.blocks import Block, button, clip, context, divider, header, section
from bot.blocks.digest_lines import metric_fields, one_line
from bot.blocks.gate import local, review_title
from bot.gates import Phase, phase_gate
from bot.mrkdwn import escape
from db.claims import as_utc
from db.gate_models import Project
from db.models import Hypothesis
from prompts import render

if TYPE_CHECKING:  # bot.home publishes with this module's view, so import only for types
    from bot.home import AwaitingReview, Home, ProjectCard

MAX_BLOCKS = 100  # Slack's limit for a Home tab and for a modal
SHOWN_REVIEWS = 3  # awaiting reviews per card; the rest are counted
SHOWN_WATCHED = 5  # metric lines per card; the rest are counted

HOME_REFRESH = "home_refresh"
HOME_PREVIOUS, HOME_NEXT = "home_page_previous", "home_page_next"
HOME_ANSWER, HOME_HYPOTHESIS, HOME_DIGEST = "home_answer", "home_hypothesis", "home_digest"
HOME_WRITE, HOME_PICK_CHANNEL = "home_write", "home_pick_channel"
PAGE_ACTIONS = (HOME_REFRESH, HOME_PREVIOUS, HOME_NEXT)

_VERDICT_ICONS = {"on_track": ":large_green_circle:", "at_risk": ":large_orange_circle:"}
_ROLES = (
    "Projects you lead, set up, answered a review of, wrote a hypothesis in or own a metric of."
)


def home_view(home: Home) -> Block:
    """Return the Home tab of `home`: the person's projects, or how to start."""
    if not home.cards:
        blocks = _welcome(home)
    else:
        blocks = [header("Your projects"), section(_summary(home)), _top_actions(home.page)]
        footer = _footer(home)
        budget = MAX_BLOCKS - len(blocks) - len(footer) - 1  # one for the "more" line
        for index, card in enumerate(home.cards):
            built = _card(card, user_id=home.user_id)
            if len(built) > budget:
                left = len(home.cards) - index
                blocks.append(
                    context(
                        f"_…and {left} more {_plural(left, 'project')}: "
                        "`/gate status` in their channels._"
                    )
                )
                break
            blocks += built
            budget -= len(built)
        blocks += footer
    return {
        "type": "home",
        "private_metadata": json.dumps({"page": home.page}),
        "blocks": blocks,
    }


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _summary(home: Home) -> str:
    projects = f"You take part in *{home.projects}* {_plural(home.projects, 'project')}."
    if not home.awaiting:
        return f"{projects}\n:white_check_mark: No gate review is waiting for your answers."
    reviews = f"*{home.awaiting} gate {_plural(home.awaiting, 'review')}*"
    where = f"{home.awaiting_projects} {_plural(home.awaiting_projects, 'project')}"
    verb = "awaits" if home.awaiting == 1 else "await"
    return f"{projects}\n:hourglass_flowing_sand: {reviews} {verb} your answers in {where}."


def _top_actions(page: int) -> Block:
    return {
        "type": "actions",
        "block_id": "home_top",
        "elements": [
            button("Write a hypothesis", action_id=HOME_WRITE, value="home", style="primary"),
            button("Refresh", action_id=HOME_REFRESH, value=str(page)),
        ],
    }


def _footer(home: Home) -> list[Block]:
    where = f"Page {home.page} of {home.pages} · " if home.pages > 1 else ""
    blocks = [
        divider(),
        context(f"{where}{home.projects} {_plural(home.projects, 'project')}. {_ROLES}"),
    ]
    pages = []
    if home.page > 1:
        pages.append(button("← Previous", action_id=HOME_PREVIOUS, value=str(home.page - 1)))
    if home.page < home.pages:
        pages.append(button("Next →", action_id=HOME_NEXT, value=str(home.page + 1)))
    if pages:
        blocks.append({"type": "actions", "block_id": "home_pages", "elements": pages})
    return blocks


def _card(card: ProjectCard, *, user_id: str) -> list[Block]:
    project = card.project
    blocks = [divider(), section(_head(card))]
    blocks += [_awaiting(item, project) for item in card.awaiting[:SHOWN_REVIEWS]]
    if len(card.awaiting) > SHOWN_REVIEWS:
        left = len(card.awaiting) - SHOWN_REVIEWS
        blocks.append(
            context(
                f"_…and {left} more {_plural(left, 'review')} awaiting you: "
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
            f"{upcoming.at:%a %-d %b %Y, %H:%M} ({escape(project.timezone)})"
        )
    following = card.next_phase
    if following is None:
        return ":alarm_clock: *Next gate:* none: this is the last phase."
    return (
        f":alarm_clock: *Next gate:* {phase_gate(following).label}, asked when the team "
        f"moves on with `/gate phase {following.value}`"
    )


def _when(moment: datetime, project: Project) -> str:
    try:
        return local(moment, tz=project.timezone)
    except ValueError:  # a zone stored broken: the card already says so; show UTC
        return f"{as_utc(moment):%a %-d %b %Y, %H:%M} UTC"


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
    if view is not None and view.progress is not None:
        judged = view.progress.verdict.value
        icon = _VERDICT_ICONS.get(judged, ":red_circle:")
        verdict += f" · {icon} {judged.replace('_', ' ')}"
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
    lines = [f"*Metrics in warn or breach* · {len(card.watched)} of {card.metrics}"]
    for view in card.watched[:SHOWN_WATCHED]:
        lines.append(clip(render("digest.j2", part="metric", m=metric_fields(view)), 500))
    left = len(card.watched) - SHOWN_WATCHED
    if left > 0:
        lines.append(f"_…and {left} more: `/metric list` in {channel}._")
    return clip("\n".join(lines))


def _welcome(home: Home) -> list[Block]:
    blocks = [
        header("Welcome to gatebot"),
        section(
            "gatebot helps product managers, data scientists and ML engineers test what they "
            "believe instead of arguing about it: hypotheses that data could prove wrong, gate "
            "reviews at the right moment, and shared metrics with a rollback trigger."
        ),
        section(
            ":memo: *Write a hypothesis.* `/hypothesis &lt;statement&gt;` in a channel checks that "
            "data could prove it wrong and proposes a sharper version; `/hypothesis` alone "
            "opens a form."
        ),
        section(
            ":clipboard: *Set up gate reviews.* `/gate setup` in your team's channel picks the "
            "sprint calendar, the leads and the phase; gatebot then asks the right questions "
            "at each sprint boundary and phase gate."
        ),
        section(
            ":chart_with_upwards_trend: *Share the metrics.* `/metric define` names a metric, "
            "its owner and its thresholds: escape alerts and a weekly digest follow."
        ),
        {
            "type": "actions",
            "block_id": "home_top",
            "elements": [
                button("Write a hypothesis", action_id=HOME_WRITE, value="home", style="primary")
            ],
        },
    ]
    note = "Your projects show up here once you lead or set one up, answer its gate reviews, "
    note += "write a hypothesis in its channel or own one of its metrics."
    if home.workspace_projects:
        count = home.workspace_projects
        note += (
            f" This workspace has {count} {_plural(count, 'project')} already: "
            "`/gate status` in their channels."
        )
    blocks.append(context(note))
    return blocks
