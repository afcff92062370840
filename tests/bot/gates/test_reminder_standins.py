"""A reminder skips a lead whose Slack status says away and mentions a stand-in instead.

Each test runs the real clock pass against the stand-in Slack over HTTP: the statuses are
read with users.info, the reminder is posted in the prompt's thread, and the assertions
read what the channel shows.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.demo.standin.slack import SlackStandIn
from bot.slack.posting import key_of
from db.models.gates import Project
from tests.bot.gates.test_reviews import BOUNDARY, add_project, clock, reviews

WEDNESDAY = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)  # 24 working hours after the prompt
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


@pytest.fixture
def team(slack: SlackStandIn) -> SlackStandIn:
    """The people of the project: two leads and two stand-ins, with the names Slack shows."""
    for user, name in (("UPM", "Priya"), ("UDS", "Daniel"), ("USAM", "Sam"), ("UTOM", "Tom")):
        slack.set_user(user, name=name, real_name=f"{name} Example")
    return slack


def project_with_standins(session: Session, *, channel: str = "C1") -> Project:
    # The set-up form fills the stand-ins; the column is what the reminder reads.
    return add_project(session, channel=channel, standins=["USAM", "UTOM"])


def reminder_in(slack: SlackStandIn, channel: str = "C1") -> dict:
    """Return the reminder as the channel shows it: the one reply in the prompt's thread."""
    [reminder] = [m for m in slack.messages(channel) if m.get("thread_ts")]
    return reminder


def shown(message: dict) -> str:
    """Return every word the message shows, its blocks' text and its notification text."""
    parts = [message["text"]] + [b["text"]["text"] for b in message["blocks"] if "text" in b]
    return "\n".join(parts)


def mentioned(message: dict) -> set[str]:
    return set(_MENTION.findall(shown(message)))


def test_an_away_lead_is_not_mentioned_and_the_other_lead_stands_in(engine, session, client, team):
    project_with_standins(session)
    team.set_status("UPM", text="Vacationing", emoji=":palm_tree:")
    clock(engine, client, BOUNDARY)

    report = clock(engine, client, WEDNESDAY)

    assert report.reminded == 1
    reminder = reminder_in(team)
    assert mentioned(reminder) == {"UDS"}
    section = reminder["blocks"][0]["text"]["text"]
    assert section.startswith(":alarm_clock: <@UDS>: nobody has answered the Sprint boundary")
    assert "Priya is away (:palm_tree: Vacationing), so <@UDS> stands in." in section
    assert "<@UPM>" not in reminder["text"]  # not in the notification either


def test_with_both_leads_away_the_first_stand_in_who_is_not_away_is_mentioned(
    engine, session, client, team
):
    project_with_standins(session, channel="C1")
    project_with_standins(session, channel="C2")  # the same people, reminded in the same pass
    team.set_status("UPM", text="OOO - back Monday")
    team.set_status("UDS", text="Out sick", emoji=":face_with_thermometer:")
    team.set_status("USAM", text="On leave")
    team.set_status("UTOM", text="In a meeting", emoji=":spiral_calendar_pad:")
    clock(engine, client, BOUNDARY)

    report = clock(engine, client, WEDNESDAY)

    assert report.reminded == 2
    for channel in ("C1", "C2"):
        reminder = reminder_in(team, channel)
        assert mentioned(reminder) == {"UTOM"}
        assert (
            "Priya (OOO - back Monday) and Daniel (:face_with_thermometer: Out sick) are away, "
            "so <@UTOM> stands in."
        ) in shown(reminder)
    # One users.info per person for the whole pass, though two reminders named them.
    looked_up = sorted(call.args["user"] for call in team.calls("users.info"))
    assert looked_up == ["UDS", "UPM", "USAM", "UTOM"]


def test_an_expired_away_status_counts_as_present(engine, session, client, team):
    project_with_standins(session)
    ended = int((WEDNESDAY - timedelta(hours=2)).timestamp())
    team.set_status("UPM", text="Vacationing", emoji=":palm_tree:", expiration=ended)
    clock(engine, client, BOUNDARY)

    clock(engine, client, WEDNESDAY)

    reminder = reminder_in(team)
    assert mentioned(reminder) == {"UPM", "UDS"}
    assert reminder["blocks"][0]["text"]["text"].startswith(":alarm_clock: <@UPM> <@UDS>: ")
    assert "away" not in shown(reminder)


def test_a_status_slack_cannot_give_still_mentions_the_person(
    engine, session, client, team, caplog
):
    project_with_standins(session)
    team.set_status("UPM", text="Vacationing", emoji=":palm_tree:")  # unread: the lookup fails
    clock(engine, client, BOUNDARY)
    team.fail("users.info", "user_not_found")

    with caplog.at_level(logging.WARNING, logger="bot.gates.standins"):
        report = clock(engine, client, WEDNESDAY)

    assert report.reminded == 1
    reminder = reminder_in(team)
    assert mentioned(reminder) == {"UPM", "UDS"}
    assert "stands in" not in shown(reminder)
    warned = [r.getMessage() for r in caplog.records if r.name == "bot.gates.standins"]
    assert warned == [
        "no Slack status for UPM, so not away: user_not_found",
        "no Slack status for UDS, so not away: user_not_found",
    ]


def test_when_everyone_is_away_nobody_extra_is_mentioned(engine, session, client, team):
    project_with_standins(session)
    for user in ("UPM", "UDS", "USAM", "UTOM"):
        team.set_status(user, text="", emoji=":palm_tree:")
    clock(engine, client, BOUNDARY)

    report = clock(engine, client, WEDNESDAY)

    assert report.reminded == 1
    reminder = reminder_in(team)
    assert mentioned(reminder) == set()
    text = shown(reminder)
    assert "<!channel>" not in text and "<!here>" not in text
    assert text.startswith(":alarm_clock: Nobody has answered the Sprint boundary review")
    assert (
        "Priya (:palm_tree:) and Daniel (:palm_tree:) are away, and every stand-in is away "
        "too, so nobody else is mentioned."
    ) in text


def test_without_stand_ins_an_away_lead_alone_says_how_to_name_them(engine, session, client, team):
    add_project(session, channel="C1", ds_lead=None)
    team.set_status("UPM", text="Sick day")
    clock(engine, client, BOUNDARY)

    clock(engine, client, WEDNESDAY)

    reminder = reminder_in(team)
    assert mentioned(reminder) == set()
    assert (
        "Priya is away (Sick day), and no stand-ins are set (`/gate setup` names them), "
        "so nobody else is mentioned."
    ) in shown(reminder)


def test_a_status_people_wrote_is_shown_escaped(engine, session, client, team):
    project_with_standins(session)
    team.set_user("UPM", name="<!channel> Priya")
    team.set_status("UPM", text="OOO <!here> & <@U999>")
    clock(engine, client, BOUNDARY)

    clock(engine, client, WEDNESDAY)

    reminder = reminder_in(team)
    assert mentioned(reminder) == {"UDS"}
    assert (
        "&lt;!channel&gt; Priya is away (OOO &lt;!here&gt; &amp; &lt;@U999&gt;), "
        "so <@UDS> stands in."
    ) in shown(reminder)


@pytest.fixture
def impatient(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url, timeout=0.5)


def test_a_stand_in_does_not_change_the_reminders_key_so_it_is_posted_once(
    engine, session, impatient, team
):
    project_with_standins(session)
    team.set_status("UPM", text="Vacationing", emoji=":palm_tree:")
    clock(engine, impatient, BOUNDARY)
    team.slow("chat.postMessage", seconds=1.5)  # posted, but the answer comes too late

    lost = clock(engine, impatient, WEDNESDAY)
    team.set_status("UPM")  # back before the retry: that reminder would mention her
    found = clock(engine, impatient, WEDNESDAY + timedelta(minutes=2))

    assert (lost.deferred, found.reminded) == (1, 1)
    reminder = reminder_in(team)  # one reminder in the thread, the one naming the stand-in
    [review] = reviews(engine)
    assert key_of(reminder) == f"gate-reminder:{review.id}"
    assert review.reminder_ts == reminder["ts"]
    assert mentioned(reminder) == {"UDS"}
