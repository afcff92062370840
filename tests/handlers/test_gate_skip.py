"""/gate skip and /gate unskip through the real app, then the real clock pass on its day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.clock.passes import run_pass
from bot.clock.report import PassReport
from bot.core.time import time_source
from bot.slack.client import build_web_client
from db.models.gates import ReviewStatus
from tests.handlers.gate_steps import project, reviews, set_up, texts
from tests.live_app import LiveApp

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # Friday 4 December, 10:00 in London
SPRINT_2 = datetime(2026, 12, 14, 9, 31, tzinfo=UTC)  # a minute after Monday's prompt time
SPRINT_3 = "Tue 29 Dec 2026, 09:30 (Europe/London)"  # Mon 28 Dec is Boxing Day (observed)


@pytest.fixture
def team(live_app: LiveApp) -> Iterator[LiveApp]:
    """The app on 4 Dec 2026, with 14-day sprints from Mon 30 Nov and GB's public holidays."""
    with time_source(lambda: NOW):
        set_up(live_app, sprint_start="2026-11-30", holidays="GB")
        yield live_app


def _reply(live: LiveApp, text: str) -> dict:
    before = len(live.slack.calls("response_url"))
    reply = live.sender.command("/gate", text)
    assert reply.status == 200 and reply.seconds < 3
    return live.slack.wait_for("response_url", count=before + 1)[-1].args


def _clock(live: LiveApp, now: datetime) -> PassReport:
    client = build_web_client(live.settings)
    return run_pass(engine=live.engine, client_for=lambda _: client, now=now, clock_id="clock")


def test_a_skipped_date_is_not_prompted_and_status_and_history_say_who_skipped_it(team):
    me = team.sender.user_id

    said = _reply(team, "skip 14 Dec")

    assert said["response_type"] == "in_channel"
    assert said["text"].startswith(
        f"<@{me}> skipped Mon 14 Dec 2026 for *Search ranking*: the Sprint 2 boundary review "
        "due then will not be asked. The next is the Sprint 3 boundary review on <!date^"
    )
    assert f"|{SPRINT_3}>." in said["text"] and "`/gate unskip 2026-12-14`" in said["text"]
    assert project(team).skipped_dates == ["2026-12-14"]  # type: ignore[union-attr]
    status = texts(_reply(team, "status")["blocks"])
    assert (
        f"*Days off:* Saturday and Sunday, and GB public holidays · skipped: Mon 14 Dec 2026 "
        f"by <@{me}>." in status
    )
    assert "Sprint 3 boundary review on" in status
    assert (
        "Moved from Mon 28 Dec to Tue 29 Dec, the next working day: Mon 28 Dec is Boxing Day "
        "(observed) (GB)." in status
    )

    posts = len(team.slack.calls("chat.postMessage"))
    report = _clock(team, SPRINT_2)

    assert (report.posted, report.skipped) == (0, 1)
    assert len(team.slack.calls("chat.postMessage")) == posts
    [review] = reviews(team)
    assert (review.occurrence_key, review.status) == ("sprint-2026-12-14", ReviewStatus.SKIPPED)
    assert review.claimed_by == f"skip:{me}"
    history = texts(_reply(team, "history")["blocks"])
    assert "*Sprint 2 boundary review* · due <!date^" in history
    assert f"skipped with `/gate skip` by <@{me}>" in history


def test_unskip_brings_the_prompt_back(team):
    _reply(team, "skip next")  # the next prompt's date: Mon 14 Dec
    assert project(team).skipped_dates == ["2026-12-14"]  # type: ignore[union-attr]

    said = _reply(team, "unskip 2026-12-14")

    assert said["response_type"] == "in_channel"
    assert (
        f"<@{team.sender.user_id}> unskipped Mon 14 Dec 2026 for *Search ranking*: the Sprint 2 "
        "boundary review will be asked again. The next is the Sprint 2 boundary review on "
    ) in said["text"]
    assert project(team).skipped_dates == []  # type: ignore[union-attr]
    report = _clock(team, SPRINT_2)
    assert report.posted == 1
    assert "Sprint 2 boundary review" in str(team.slack.calls("chat.postMessage")[-1].args)
    assert reviews(team)[0].status == ReviewStatus.POSTED


def test_a_day_without_a_prompt_becomes_a_day_off_and_unskip_lists_the_skips(team):
    said = _reply(team, "skip 24 December")

    assert (
        "skipped Thu 24 Dec 2026 for *Search ranking*: no review was due that day; it is a day "
        "off now, so no reminder lands on it."
    ) in said["text"]
    again = _reply(team, "skip 2026-12-24")
    assert again["response_type"] == "ephemeral"
    assert f"Thu 24 Dec 2026 is skipped already (by <@{team.sender.user_id}>)" in again["text"]
    listed = _reply(team, "unskip")["text"]
    assert f"• Thu 24 Dec 2026, by <@{team.sender.user_id}>" in listed
    assert "`/gate unskip 2026-12-24`" in listed


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("skip 32/13", "I can't read '32/13' as a date: write it as 2026-12-25 or 25 Dec."),
        ("skip 2026-11-30", "Mon 30 Nov 2026 is past: only today or a later date can be skipped"),
        ("skip", "Say which date to skip, e.g. `/gate skip 2026-12-25`"),
        ("unskip 30 Feb", "'30 Feb' is not a day of the calendar"),
        ("unskip 2026-12-14", "Mon 14 Dec 2026 is not skipped: nothing to undo."),
    ],
)
def test_a_date_that_cannot_be_skipped_says_why_and_nothing_changes(team, typed, words):
    said = _reply(team, typed)

    assert words in said["text"]
    assert said.get("response_type", "ephemeral") == "ephemeral"
    assert project(team).skipped_dates == []  # type: ignore[union-attr]


def test_help_describes_skip_and_unskip(live_app: LiveApp):
    reply = live_app.sender.command("/gate", "help")

    shown = reply.body
    assert "`/gate skip &lt;date&gt;`" in shown and "`/gate skip next`" in shown
    assert "`/gate unskip` lists the skipped dates" in shown


def test_unskipping_a_day_the_clock_already_skipped_says_how_to_ask_anyway(team):
    _reply(team, "skip 2026-12-14")
    _clock(team, SPRINT_2)

    with time_source(lambda: SPRINT_2):
        said = _reply(team, "unskip 14 Dec")

    assert (
        "the Sprint 2 boundary review due then was recorded as skipped already "
        "(`/gate now` asks a review at once)."
    ) in said["text"]
    assert [r.status for r in reviews(team)] == [ReviewStatus.SKIPPED]


def test_outside_model_iteration_a_skipped_date_is_only_a_day_off(team):
    _reply(team, "phase evaluation")

    said = _reply(team, "skip 14 Dec")

    assert "no review was due that day; it is a day off now" in said["text"]
    assert "No sprint review is scheduled next." in said["text"]
    assert project(team).skipped_dates == ["2026-12-14"]  # type: ignore[union-attr]
