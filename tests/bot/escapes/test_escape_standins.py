"""An escape alert whose decider is away pages a stand-in too, and says why."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.demo.standin.slack import SlackStandIn
from db.models.gates import Project
from tests.bot.escapes.test_escape import (
    CHANNEL,
    NOW,
    TODAY,
    answer_decider,
    channel_posts,
    dms,
    record,
    run,
    shown,
)
from tests.handlers.test_hypothesis_command import _texts
from tests.metric_helpers import define, make_project


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


@pytest.fixture
def project(session: Session) -> Project:
    project = make_project(session, channel_id=CHANNEL)
    project.pm_lead, project.ds_lead = "U0PMLEAD", "U0DSLEAD"
    define(session, project, "relevance_rating", owner="U0OWNER")
    define(session, project, "latency_p95", direction="lower_is_better", warn=300, breach=400)
    session.commit()
    return project


@pytest.fixture
def team(slack: SlackStandIn) -> SlackStandIn:
    for user, name in (
        ("U0DECIDE", "Dana"),
        ("U0PMLEAD", "Priya"),
        ("U0DSLEAD", "Daniel"),
        ("U0SAM", "Sam"),
    ):
        slack.set_user(user, name=name)
    return slack


def with_standins(session: Session, team_project: Project, *standins: str) -> None:
    team_project.standins = list(standins)  # what the set-up form stores
    session.add(team_project)
    session.commit()


def test_an_away_decider_is_still_paged_and_the_first_lead_stands_in(
    session, client, team, project
):
    answer_decider(session, project, "<@U0DECIDE> decides")
    team.set_status("U0DECIDE", text="Vacationing until Jan 5", emoji=":palm_tree:")
    record(session, project, {TODAY: 0.70})

    run(session, client, project, now=NOW)

    [post] = channel_posts(team)
    text = shown(post)
    assert "Dana is away (:palm_tree: Vacationing until Jan 5), so <@U0PMLEAD> stands in." in text
    assert "<@U0DECIDE>" in post.args["text"] and "<@U0PMLEAD>" in post.args["text"]
    assert sorted(dms(team)) == ["U0DECIDE", "U0PMLEAD"]
    [standin_dm] = team.messages("U0PMLEAD")
    assert "You are paged standing in for a decider who is away" in _texts(standin_dm["blocks"])
    [decider_dm] = team.messages("U0DECIDE")
    assert "You are paged as a decider" in _texts(decider_dm["blocks"])


def test_when_the_leads_decide_and_one_is_away_the_other_stands_in(session, client, team, project):
    with_standins(session, project, "U0SAM")
    team.set_status("U0PMLEAD", text="Out sick", emoji=":face_with_thermometer:")
    record(session, project, {TODAY: 0.70})

    run(session, client, project, now=NOW)

    text = shown(channel_posts(team)[0])
    assert "Priya is away (:face_with_thermometer: Out sick), so <@U0DSLEAD> stands in." in text
    assert "U0SAM" not in text
    assert sorted(dms(team)) == ["U0DSLEAD", "U0PMLEAD"]


def test_with_the_leads_away_the_teams_stand_in_is_paged(session, client, team, project):
    with_standins(session, project, "U0SAM")
    team.set_status("U0PMLEAD", text="OOO")
    team.set_status("U0DSLEAD", text="On holiday")
    record(session, project, {TODAY: 0.70})

    run(session, client, project, now=NOW)

    text = shown(channel_posts(team)[0])
    assert "Priya (OOO) and Daniel (On holiday) are away, so <@U0SAM> stands in." in text
    assert "<@U0SAM>" in channel_posts(team)[0].args["text"]
    assert sorted(dms(team)) == ["U0DSLEAD", "U0PMLEAD", "U0SAM"]


def test_when_everyone_is_away_only_the_deciders_are_paged(session, client, team, project):
    with_standins(session, project, "U0SAM")
    for user in ("U0PMLEAD", "U0DSLEAD", "U0SAM"):
        team.set_status(user, emoji=":palm_tree:")
    record(session, project, {TODAY: 0.70})

    run(session, client, project, now=NOW)

    [post] = channel_posts(team)
    text = shown(post)
    assert "every stand-in is away too, so nobody else is mentioned." in text
    assert "<!channel>" not in text and "<!here>" not in text and "U0SAM" not in text
    assert sorted(dms(team)) == ["U0DSLEAD", "U0PMLEAD"]


def test_nobody_away_means_no_note_and_one_status_read_per_decider(session, client, team, project):
    record(session, project, {TODAY: 0.70})
    record(session, project, {TODAY: 480.0}, name="latency_p95")  # two alerts, one pass

    run(session, client, project, now=NOW)

    assert len(channel_posts(team)) == 2
    assert all("away" not in shown(post) for post in channel_posts(team))
    assert sorted(c.args["user"] for c in team.calls("users.info")) == ["U0DSLEAD", "U0PMLEAD"]
