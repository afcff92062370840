"""What /gate skip and /gate unskip say: the date, the review it stops or brings back, who."""

from __future__ import annotations

from datetime import date

from bot.gates.blocks.status import person, when
from bot.gates.schedule import Planned
from bot.gates.skips import SkipResult, day_words
from bot.slack.mrkdwn import escape
from db.models.gates import ReviewStatus


def skip_note(result: SkipResult, *, user_id: str) -> str:
    """Return what /gate skip says: to the channel when it skipped something."""
    day = day_words(result.day)
    if not result.changed:
        return f"{day} is skipped already (by {person(result.by)}). `/gate unskip` asks again."
    text = f"{person(user_id)} skipped {day} for *{escape(result.project.name)}*: "
    prompt = result.prompt
    if prompt is not None and result.prompt_status is not None:
        text += (
            f"the Sprint {prompt.occurrence.number} boundary review due then was "
            f"{_where(result.prompt_status)} already; the day counts as a day off from now."
        )
    elif prompt is not None:
        text += f"the Sprint {prompt.occurrence.number} boundary review due then will not be asked."
    else:
        text += "no review was due that day; it is a day off now, so no reminder lands on it."
    return f"{text} {_next(result)} `/gate unskip {result.day.isoformat()}` undoes it."


def unskip_note(result: SkipResult, *, user_id: str) -> str:
    """Return what /gate unskip says: to the channel when it changed something."""
    day = day_words(result.day)
    if not result.changed:
        return f"{day} is not skipped: nothing to undo. `/gate unskip` lists the skipped dates."
    text = f"{person(user_id)} unskipped {day} for *{escape(result.project.name)}*: "
    prompt = result.prompt
    if prompt is not None and result.prompt_status is not None:
        text += (
            f"the Sprint {prompt.occurrence.number} boundary review due then was "
            f"{_where(result.prompt_status)} already (`/gate now` asks a review at once)."
        )
    elif prompt is not None and not prompt.skip:
        text += f"the Sprint {prompt.occurrence.number} boundary review will be asked again."
    else:
        text += "it is a working day again."
    return f"{text} {_next(result)}"


def skipped_list(*, name: str, skipped: list[tuple[date, str]]) -> str:
    """Return what /gate unskip with no date says: every date skipped from today on."""
    if not skipped:
        return (
            f"No dates are skipped for *{escape(name)}*. `/gate skip 2026-12-25`, "
            "`/gate skip 25 Dec` or `/gate skip next` skips one."
        )
    lines = [f"• {day_words(day)}, by {person(who or None)}" for day, who in skipped]
    return (
        f"Dates skipped for *{escape(name)}*:\n"
        + "\n".join(lines)
        + "\n`/gate unskip <date>`, e.g. "
        + f"`/gate unskip {skipped[0][0].isoformat()}`, asks on one again."
    )


def _where(status: str) -> str:
    return "recorded as skipped" if status == ReviewStatus.SKIPPED else "asked"


def _next(result: SkipResult) -> str:
    upcoming: Planned | None = result.next_prompt
    if upcoming is None:
        return "No sprint review is scheduled next."
    at = when(upcoming.occurrence.at, tz=result.project.timezone)
    return f"The next is the Sprint {upcoming.occurrence.number} boundary review on {at}."
