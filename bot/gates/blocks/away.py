"""The line saying who is away and who stands in, under a reminder or an escape alert."""

from __future__ import annotations

from bot.gates.away import emoji_name
from bot.gates.standins import Cover, Person
from bot.slack.mrkdwn import escape_clipped
from prompts import render

STATUS_LIMIT = 100  # Slack's own cap on a status text
NAME_LIMIT = 80


def status_shown(person: Person) -> str:
    """Return the status as mrkdwn, e.g. ":palm_tree: Vacationing until Jan 5"."""
    emoji = person.status.emoji.strip().lower() if emoji_name(person.status.emoji) else ""
    text = escape_clipped(" ".join(person.status.text.split()), STATUS_LIMIT)
    return " ".join(part for part in (emoji, text) if part)


def away_note(cover: Cover) -> str | None:
    """Return why someone expected is not mentioned and who is instead; None if nobody is away."""
    if not cover.away:
        return None
    return render(
        "away_note.j2",
        away=[
            {"name": escape_clipped(p.name, NAME_LIMIT) or "Someone", "status": status_shown(p)}
            for p in cover.away
        ],
        standin=f"<@{cover.standin}>" if cover.standin else None,
        standins_set=cover.standins_set,
    )
