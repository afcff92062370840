"""Blocks for /gate: status, history and help, and the names and times they show."""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.core.time import as_utc
from bot.gates import Decision, GateKind, Phase, time_zone
from bot.gates.blocks.setup import days_off_words
from bot.gates.setup import Asked
from bot.gates.skips import SKIPPED_BY, day_words
from bot.gates.status import HISTORY_PAGE, ProjectStatus, ReviewLine, ReviewPage
from bot.slack.blocks import Block, button, clip, context, header, quote, section
from bot.slack.mrkdwn import escape, reader_time
from bot.slack.paging import Page, pager
from db.models.gates import GateReview, Project, ReviewStatus
from prompts import render


def plain(mrkdwn: str) -> str:
    """Return escaped mrkdwn as the plain text a plain_text field shows literally."""
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def review_title(review: GateReview) -> str:
    """Return a review's name as people say it, e.g. "Sprint 3 boundary review"."""
    kind = GateKind(review.gate_kind)
    if kind is GateKind.SPRINT_REVIEW and review.sprint_number:
        return f"Sprint {review.sprint_number} boundary review"
    return kind.label


HISTORY_PAGE_ACTION = "gate_history_page"
OPEN_PAGE_ACTION = "gate_open_page"


def local(moment: datetime, *, tz: str) -> str:
    """Return a stored moment in the team's time, e.g. "Mon 24 Nov 2026, 09:30"."""
    return as_utc(moment).astimezone(time_zone(tz)).strftime("%a %-d %b %Y, %H:%M")


def when(moment: datetime, *, tz: str) -> str:
    """Return a stored moment in each reader's own zone, falling back to the team's."""
    return reader_time(as_utc(moment), fallback=f"{local(moment, tz=tz)} ({tz})")


def _review_line(line: ReviewLine, *, tz: str, limit: int = 500) -> str:
    review = line.review
    parts = [
        f"*{review_title(review)}*",
        f"asked {when(review.posted_at or review.due_at, tz=tz)}",
    ]
    if review.status == ReviewStatus.FAILED:
        parts.append(f":warning: not posted: {escape(review.error or 'Slack refused it')}")
    elif review.status == ReviewStatus.SKIPPED:
        parts[1] = f"due {when(review.due_at, tz=tz)}"
        parts.append(skip_reason(review))
    elif line.answers:
        people = "person" if line.people == 1 else "people"
        plural = "s" if line.answers != 1 else ""
        parts.append(f"{line.answers} answer{plural} from {line.people} {people}")
    else:
        parts.append("no answers yet")
    text = " · ".join(parts)
    if review.decision:
        on = f" on {when(review.decided_at, tz=tz)}" if review.decided_at else ""
        text += (
            f"\n:memo: *{Decision(review.decision).label}* by <@{review.decided_by}>{on}"
            + "\n"
            + quote(escape(review.decision_reason or ""))
        )
    # Twenty in a history page, or ten in one status section, stay within the budget.
    return clip(text, limit)


_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,31}$")
SKIPS_SHOWN = 8  # skipped dates /gate status lists; `/gate unskip` lists them all


def skip_reason(review: GateReview) -> str:
    """Return why a review was not asked: who skipped it, days off, or the clock was down."""
    claimed_by = review.claimed_by or ""
    if claimed_by.startswith(SKIPPED_BY):
        who = claimed_by.removeprefix(SKIPPED_BY)
        return f"skipped with `/gate skip` by {person(who)}" if who else "skipped with `/gate skip`"
    return f"skipped: {escape(review.error or 'the clock was down past the grace window')}"


def _skipped_words(day: date, who: str) -> str:
    return f"{day_words(day)} by {person(who)}" if who else day_words(day)


def person(user_id: str | None) -> str:
    """Return someone as a mention; a forgotten person's alias, not a Slack id, as text."""
    if not user_id:
        return "someone"
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def status_message(status: ProjectStatus) -> list[Block]:
    """Return /gate status: phase, sprint, next prompt in team time, open reviews, last error."""
    project, upcoming = status.project, status.next_prompt
    text = render(
        "gate_status.j2",
        phase=Phase(project.phase).label,
        sprint=status.sprint,
        sprint_day=status.sprint_day,
        sprint_length=project.sprint_length_days,
        first_sprint=project.sprint_start.strftime("%a %-d %b %Y"),
        pm_lead=project.pm_lead,
        ds_lead=project.ds_lead,
        paused=project.paused,
        next_title=f"Sprint {upcoming.number} boundary review" if upcoming else None,
        next_at=when(upcoming.at, tz=project.timezone) if upcoming else None,
        moved=status.moved,
        days_off=days_off_words(project),
        skipped=", ".join(_skipped_words(day, who) for day, who in status.skipped[:SKIPS_SHOWN]),
        more_skipped=max(0, len(status.skipped) - SKIPS_SHOWN),
    )
    blocks = [header(f"Gate reviews: {project.name}"), section(text)]
    lines = [_review_line(line, tz=project.timezone, limit=280) for line in status.open_reviews]
    blocks.append(section("*Open reviews:*\n" + ("\n".join(lines) if lines else "none")))
    blocks += [section(f":warning: {note}") for note in status.silent]
    left = status.open_total - len(lines)
    if left > 0:
        blocks.append(context(f"…and {left} more open review{'s' if left != 1 else ''}"))
        more = button(
            f"Show all {status.open_total} open reviews", action_id=OPEN_PAGE_ACTION, value="0"
        )
        blocks.append({"type": "actions", "block_id": "gate_status_more", "elements": [more]})
    if project.last_error:
        at = project.last_error_at
        on = f" ({when(at, tz=project.timezone)})" if at else ""
        blocks.append(section(f":warning: *Last Slack error*{on}: {escape(project.last_error)}"))
    blocks.append(
        context("`/gate now` · `/gate phase &lt;phase&gt;` · `/gate history` · `/gate setup`")
    )
    return blocks


def history_message(page: ReviewPage, *, open_: bool = False) -> list[Block]:
    """Return a page of /gate history (past reviews) or of the open ones, newest first."""
    project = page.project
    title = "Open reviews" if open_ else "Gate history"
    blocks = [header(f"{title}: {project.name}")]
    if not page.lines:
        blocks.append(section("No gate reviews yet. Ask one with `/gate now`."))
        return blocks
    # One section per review, each within 900 characters: twenty fit one message's budget.
    blocks += [section(_review_line(line, tz=project.timezone)) for line in page.lines]
    blocks.append(context(f"Times in your own zone; where Slack cannot, in {project.timezone}."))
    where = Page(offset=page.offset, shown=len(page.lines), total=page.total)
    action = OPEN_PAGE_ACTION if open_ else HISTORY_PAGE_ACTION
    noun = "open reviews" if open_ else "past reviews"
    return blocks + pager(where, noun=noun, action_id=action, size=HISTORY_PAGE)


def help_text(*, unknown: str | None = None) -> str:
    """Return /gate help, saying which word was not understood."""
    return render(
        "gate_help.j2",
        unknown=unknown,
        gates=", ".join(f"`{k.value}`" for k in GateKind),
        phases=", ".join(f"`{p.value}`" for p in Phase),
    )


def pause_note(*, project: Project, user_id: str, paused: bool, changed: bool) -> str:
    """Return what /gate pause or resume says (to the channel when it changed something)."""
    if not changed:
        return f"Scheduled prompts are already {'paused' if paused else 'running'}."
    if paused:
        return (
            f"<@{user_id}> paused the scheduled gate prompts of *{escape(project.name)}*. "
            "`/gate resume` restarts them; `/gate now` still asks a gate."
        )
    return (
        f"<@{user_id}> resumed the scheduled gate prompts of *{escape(project.name)}*. "
        "Prompts that fell due while paused are not sent late."
    )


def phase_note(*, asked: Asked, user_id: str) -> str:
    """Return what /gate phase says: the move, to the channel, or that nothing moved."""
    name, phase = escape(asked.project.name), Phase(asked.project.phase).label
    if not asked.moved:
        return f"*{name}* is already in {phase}: `/gate now` asks its gate again."
    return f"<@{user_id}> moved *{name}* to *{phase}*; its gate, the {asked.kind.label}, follows."


def ask_problem(asked: Asked) -> str | None:
    """Return why an asked gate is not in the channel, or None when its prompt is there."""
    review = asked.review
    if review is None:
        return f"The {asked.kind.label} was asked a moment ago: answer that one."
    if review.status == ReviewStatus.FAILED:
        return f":warning: I could not ask the {review_title(review)}: {escape(review.error or '')}"
    if review.status == ReviewStatus.CLAIMED:
        return f"Slack is busy: the {review_title(review)} will be posted within a few minutes."
    return None
