"""Days off: holidays, working days and skips, and the clock moving prompts and reminders."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.clock.passes import run_pass
from bot.core.errors import InvalidInput
from bot.core.time import as_utc
from bot.demo.standin.slack import SlackStandIn
from bot.gates.days_off import DaysOff, parse_region
from db.models import Workspace
from db.models.gates import GateReview, Project, ReviewStatus

LONDON_WINTER = UTC  # London keeps GMT (UTC+0) from late October to late March


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def _project(
    session: Session, *, set_up_at: datetime = datetime(2026, 11, 1, tzinfo=UTC), **fields: object
) -> Project:
    workspace = session.exec(select(Workspace)).first()
    if workspace is None:
        workspace = Workspace(team_id="T0GATEBOT")
        session.add(workspace)
        session.flush()
    values: dict[str, object] = {
        "workspace_id": workspace.id,
        "name": "Search ranking",
        "channel_id": "C1",
        "sprint_start": date(2026, 12, 11),  # a Friday; sprint 2 starts Fri 25 Dec
        "timezone": "Europe/London",
        "prompt_time": time(9, 30),
        "pm_lead": "UPM",
        "ds_lead": "UDS",
        "phase": "iteration",
        "holiday_country": "GB",
        "created_at": set_up_at,
        "updated_at": set_up_at,
    }
    project = Project(**(values | fields))
    session.add(project)
    session.commit()
    return project


def _pass(engine: Engine, client: WebClient, now: datetime):
    # A seconds counter standing still: every time the pass writes is its `now`.
    return run_pass(
        engine=engine,
        client_for=lambda team: client,
        now=now,
        clock_id="clock-a",
        ticks=lambda: 0.0,
    )


def _reviews(engine: Engine) -> list[GateReview]:
    with Session(engine) as session:
        return list(session.exec(select(GateReview).order_by(GateReview.id)))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON_WINTER)


def test_why_names_the_holiday_the_day_not_worked_or_who_skipped():
    days = DaysOff(country="GB", skipped={date(2026, 12, 24): "U0PRIYA", date(2026, 12, 31): None})

    assert days.why(date(2026, 12, 25)) == "Christmas Day (GB)"
    assert days.why(date(2026, 12, 26)) == "Boxing Day (GB)"  # a Saturday, named for its holiday
    assert days.why(date(2026, 11, 28)) == "not a working day"  # a Saturday
    assert days.why(date(2026, 12, 24)) == "skipped by <@U0PRIYA>"
    assert days.why(date(2026, 12, 31)) == "skipped"
    assert days.why(date(2026, 11, 26)) is None  # Thanksgiving is not a British holiday
    assert DaysOff(country="US").why(date(2026, 11, 26)) == "Thanksgiving Day (US)"
    assert DaysOff(country="GB", subdivision="SCT").why(date(2026, 11, 30)) == (
        "Saint Andrew's Day (GB-SCT)"
    )
    assert DaysOff(country="GB").why(date(2026, 11, 30)) is None  # not in England


def test_the_next_working_day_passes_the_holidays_weekends_and_skips():
    gb, us = DaysOff(country="GB"), DaysOff(country="US")

    assert gb.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)  # Boxing Day observed
    assert us.next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)
    assert DaysOff().next_working_day(date(2026, 12, 25)) == date(2026, 12, 25)
    middle_east = DaysOff(working_days=frozenset({6, 0, 1, 2, 3}))
    assert middle_east.next_working_day(date(2026, 12, 4)) == date(2026, 12, 6)  # Fri → Sun
    skipping = DaysOff(country="GB", skipped={date(2026, 12, 29): "U0PM"})
    assert skipping.next_working_day(date(2026, 12, 25)) == date(2026, 12, 30)
    assert skipping.next_working_day(date(2026, 12, 25), counting_skips=False) == date(2026, 12, 29)


def test_a_region_is_read_as_the_holidays_package_names_it():
    assert parse_region(" us-ca ") == ("US", "CA")
    assert parse_region("GB SCT") == ("GB", "SCT")
    assert parse_region("") == (None, None)
    with pytest.raises(InvalidInput, match="No public holidays are known for 'Mordor'"):
        parse_region("Mordor")


def test_the_web_app_does_not_import_the_holidays_package():
    # The web process imports the gates for every request; holidays loads only when used.
    script = "import sys, bot.app, bot.web; print('holidays' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"


def test_a_boundary_on_a_public_holiday_is_prompted_the_next_working_day_and_says_why(
    engine, session, client, slack
):
    project = _project(session, set_up_at=datetime(2026, 12, 20, tzinfo=UTC))  # after sprint 1

    on_christmas = _pass(engine, client, _at(date(2026, 12, 25), 9, 31))
    on_boxing_day = _pass(engine, client, _at(date(2026, 12, 28), 9, 31))
    just_before = _pass(engine, client, _at(date(2026, 12, 29), 9, 29))
    moved = _pass(engine, client, _at(date(2026, 12, 29), 9, 31))
    again = _pass(engine, client, _at(date(2026, 12, 29), 9, 45))

    assert [r.posted for r in (on_christmas, on_boxing_day, just_before, moved, again)] == [
        0, 0, 0, 1, 0
    ]  # fmt: skip
    [call] = slack.calls("chat.postMessage")
    shown = str(call.args["blocks"])
    assert "Sprint 2 boundary review" in shown
    assert (
        "Moved from Fri 25 Dec to Tue 29 Dec, the next working day: Fri 25 Dec is Christmas Day "
        "(GB); Mon 28 Dec is Boxing Day (observed) (GB)." in shown
    )
    assert "posted late" not in shown
    [review] = _reviews(engine)
    assert (review.project_id, review.occurrence_key) == (project.id, "sprint-2026-12-25")
    assert as_utc(review.due_at) == _at(date(2026, 12, 29), 9, 30)


@pytest.mark.parametrize(
    ("country", "zone", "posted_on", "note"),
    [
        ("GB", "Europe/London", date(2026, 11, 26), None),  # Thanksgiving: a London work day
        (
            "US",
            "America/New_York",
            date(2026, 11, 27),
            "Moved from Thu 26 Nov to Fri 27 Nov, the next working day: Thu 26 Nov is "
            "Thanksgiving Day (US).",
        ),
    ],
)
def test_only_the_teams_own_holidays_move_its_prompt(
    country, zone, posted_on, note, engine, session, client, slack
):
    _project(
        session,
        sprint_start=date(2026, 11, 26),
        holiday_country=country,
        timezone=zone,
    )

    for day in (date(2026, 11, 26), date(2026, 11, 27)):
        for hour in (9, 14):  # 09:31 in London, 09:31 in New York (UTC-5)
            _pass(engine, client, datetime.combine(day, time(hour, 31), tzinfo=UTC))

    [call] = slack.calls("chat.postMessage")
    [review] = _reviews(engine)
    assert as_utc(review.posted_at).date() == posted_on
    shown = str(call.args["blocks"])
    assert (note in shown) if note else ("Moved from" not in shown)


def test_a_boundary_on_a_day_the_team_does_not_work_moves(engine, session, client, slack):
    _project(session, sprint_start=date(2026, 11, 29), holiday_country=None)  # a Sunday
    _project(
        session,
        channel_id="C2",
        sprint_start=date(2026, 11, 29),
        holiday_country=None,
        working_days=[6, 0, 1, 2, 3],  # Sunday to Thursday: this team works on Sunday
    )

    sunday = _pass(engine, client, _at(date(2026, 11, 29), 10))
    monday = _pass(engine, client, _at(date(2026, 11, 30), 10))

    assert (sunday.posted, monday.posted) == (1, 1)
    first, second = slack.calls("chat.postMessage")
    assert first.args["channel"] == "C2" and "Moved from" not in str(first.args["blocks"])
    assert second.args["channel"] == "C1"
    assert (
        "Moved from Sun 29 Nov to Mon 30 Nov, the next working day: Sun 29 Nov is not a "
        "working day." in str(second.args["blocks"])
    )


def test_a_sprint_whose_every_day_is_off_is_recorded_as_skipped(engine, session, client, slack):
    _project(session, sprint_start=date(2026, 11, 28), sprint_length_days=1, holiday_country=None)

    saturday = _pass(engine, client, _at(date(2026, 11, 28), 10))
    monday = _pass(engine, client, _at(date(2026, 11, 30), 10))

    assert (saturday.posted, saturday.skipped, monday.posted) == (0, 1, 1)
    skipped, asked = _reviews(engine)
    assert (skipped.occurrence_key, skipped.status) == ("sprint-2026-11-28", ReviewStatus.SKIPPED)
    assert skipped.error == "every day of sprint 1 was a day off"
    assert (asked.occurrence_key, asked.status) == ("sprint-2026-11-30", ReviewStatus.POSTED)


@pytest.mark.parametrize(
    ("skipped", "reminded_on"),
    [
        ([], date(2026, 12, 30)),  # 24 working hours from Thu 24 Dec: past Christmas and Boxing Day
        (["2026-12-29"], date(2026, 12, 31)),  # a skipped day does not count either
    ],
)
def test_reminders_skip_days_off(skipped, reminded_on, engine, session, client, slack):
    _project(
        session,
        sprint_start=date(2026, 12, 24),
        skipped_dates=skipped,
    )
    _pass(engine, client, _at(date(2026, 12, 24), 9, 30))
    [review] = _reviews(engine)
    remind_at = as_utc(review.remind_at)

    # Thu 24 Dec 09:30-18:00, then (with no holidays) Mon 28 Dec would finish the 24 hours.
    assert remind_at == _at(reminded_on, 15, 30)
    for day in (date(2026, 12, 25), date(2026, 12, 28), reminded_on - timedelta(days=1)):
        _pass(engine, client, _at(day, 17))
    assert len(slack.calls("chat.postMessage")) == 1  # the prompt alone: no reminder yet
    report = _pass(engine, client, _at(reminded_on, 15, 31))
    assert report.reminded == 1
    assert "nobody has answered" in slack.calls("chat.postMessage")[-1].args["text"]


def test_a_reminder_due_on_a_day_skipped_after_the_prompt_waits_for_the_next_working_day(
    engine, session, client, slack
):
    project = _project(session, sprint_start=date(2026, 12, 24))
    _pass(engine, client, _at(date(2026, 12, 24), 9, 30))
    [review] = _reviews(engine)
    assert as_utc(review.remind_at) == _at(date(2026, 12, 30), 15, 30)
    project.skipped_dates = ["2026-12-30"]  # /gate skip 30 Dec, once the prompt is out
    session.add(project)
    session.commit()

    on_the_skipped_day = _pass(engine, client, _at(date(2026, 12, 30), 15, 31))

    assert on_the_skipped_day.reminded == 0
    [waiting] = _reviews(engine)
    assert as_utc(waiting.remind_at) == _at(date(2026, 12, 31), 9)  # the next day opens
    assert _pass(engine, client, _at(date(2026, 12, 31), 8, 59)).reminded == 0
    assert _pass(engine, client, _at(date(2026, 12, 31), 9, 1)).reminded == 1
    assert "nobody has answered" in slack.calls("chat.postMessage")[-1].args["text"]
