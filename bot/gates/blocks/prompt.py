"""The gate prompt in the team's channel and the one reminder in its thread."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.core.time import as_utc
from bot.gates import Gate, GateKind, time_zone
from bot.gates.blocks.away import away_note
from bot.gates.schedule import moved_note
from bot.gates.standins import Cover
from bot.slack.blocks import Block, button, context, section
from bot.slack.mrkdwn import escape
from db.models.gates import GateReview, Project
from prompts import render

ANSWER = "gate_answer"  # value: str(review.id)
DECIDE = "gate_decide"  # value: str(review.id)

# The clock runs every minute: a prompt this much behind its time means the clock was down.
LATE_AFTER = timedelta(minutes=10)

_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,31}$")  # anything else must not become a mention


def leads(project: Project) -> str:
    """Return the leads as mentions with their roles, e.g. "<@U1> (PM), <@U2> (DS)"."""
    roles: dict[str, list[str]] = {}
    for role, user_id in (("PM", project.pm_lead), ("DS", project.ds_lead)):
        if user_id and _USER_ID.match(user_id):
            roles.setdefault(user_id, []).append(role)
    return ", ".join(f"<@{user}> ({' + '.join(names)})" for user, names in roles.items())


def lead_ids(project: Project) -> tuple[str, ...]:
    """Return the PM and DS leads that are Slack user ids, each once, PM first."""
    found = (project.pm_lead, project.ds_lead)
    return tuple(dict.fromkeys(u for u in found if u and _USER_ID.match(u)))


def _mentions(project: Project, cover: Cover | None = None) -> str:
    users = lead_ids(project) if cover is None else (*cover.present, *cover.extra)
    return " ".join(f"<@{user}>" for user in users)


def late_note(*, project: Project, review: GateReview) -> str | None:
    """Return the local time the prompt was due if it went out late, e.g. "09:30"; else None."""
    if review.posted_at is None:
        return None
    due, posted = as_utc(review.due_at), as_utc(review.posted_at)
    if posted - due <= LATE_AFTER:
        return None
    zone = time_zone(project.timezone)
    local_due, local_posted = due.astimezone(zone), posted.astimezone(zone)
    if local_due.date() == local_posted.date():
        return f"{local_due:%H:%M}"
    return f"{local_due:%H:%M} on {local_due:%a} {local_due.day} {local_due:%b}"


def _actions(review: GateReview, *, decide: bool) -> Block:
    value = str(review.id)
    elements = [button("Answer", action_id=ANSWER, value=value, style="primary")]
    if decide:
        elements.append(button("Record decision", action_id=DECIDE, value=value))
    return {"type": "actions", "block_id": f"gate_review_{value}", "elements": elements}


def prompt_message(*, project: Project, review: GateReview, gate: Gate) -> list[Block]:
    """Return the channel message asking `gate` of the team, with Answer and Record decision."""
    text = render(
        "gate_prompt.j2",
        title=gate.title,
        purpose=gate.purpose,
        # A sprint review's title names its sprint already; a phase gate says when it is asked.
        sprint=None if gate.kind is GateKind.SPRINT_REVIEW else review.sprint_number,
        leads=leads(project),
        late=late_note(project=project, review=review),
        moved=moved_note(
            project=project, occurrence_key=review.occurrence_key, due_at=review.due_at
        ),
        questions=gate.questions,
        inputs=[number.label for number in gate.inputs],
    )
    first, *rest = (part.strip() for part in re.split(r"^---$", text, flags=re.MULTILINE))
    blocks = [section(first)]
    blocks += [section(part) for part in rest[:1] if part]  # the questions
    blocks.append(_actions(review, decide=True))
    blocks += [context(part) for part in rest[1:] if part]
    return blocks


def prompt_text(*, project: Project, review: GateReview, gate: Gate) -> str:
    """Return the notification text of the prompt (shown where blocks are not)."""
    who = _mentions(project)
    return f"{gate.title}{': ' + who if who else ''}"


def reminder_message(
    *, project: Project, review: GateReview, cover: Cover | None = None
) -> list[Block]:
    """Return the reminder posted once in the prompt's thread, mentioning the leads.

    With `cover`, the leads who are away are not mentioned and their stand-in is.
    """
    text = reminder_text(project=project, review=review, cover=cover)
    return [section(text), _actions(review, decide=False)]


def reminder_text(*, project: Project, review: GateReview, cover: Cover | None = None) -> str:
    """Return the reminder's words: whom it is for, and who is away and stands in."""
    kind = GateKind(review.gate_kind)
    return render(
        "gate_reminder.j2",
        mentions=_mentions(project, cover),
        away=away_note(cover) if cover else None,
        label=escape(kind.label),
        sprint=review.sprint_number if kind is GateKind.SPRINT_REVIEW else None,
    )
