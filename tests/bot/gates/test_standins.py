"""Choosing who is paged when someone is away, with statuses read from the stand-in Slack."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient

from bot.demo.standin.slack import SlackStandIn
from bot.gates.standins import Statuses, cover_for

NOW = datetime(2026, 3, 4, 14, 31, tzinfo=UTC)


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def looked_up(slack: SlackStandIn) -> list[str]:
    return [call.args["user"] for call in slack.calls("users.info")]


def test_nobody_away_reads_only_the_wanted_and_names_no_stand_in(client, slack):
    person = Statuses(now=NOW).lookup(client=client, team_id="T1")

    found = cover_for(wanted=["UPM", "UDS"], standins=["USAM"], person=person)

    assert (found.present, found.away, found.standin, found.extra) == (("UPM", "UDS"), (), None, ())
    assert looked_up(slack) == ["UPM", "UDS"]  # the stand-ins were never needed


def test_the_first_free_stand_in_is_taken_and_the_rest_are_not_read(client, slack):
    slack.set_user("UPM", name="Priya")
    slack.set_status("UPM", text="Vacationing", emoji=":palm_tree:")
    slack.set_status("USAM", text="Out sick")
    person = Statuses(now=NOW).lookup(client=client, team_id="T1")

    found = cover_for(wanted=["UPM"], standins=["USAM", "UTOM", "UKIM"], person=person)

    assert (found.present, found.standin, found.extra, found.standins_set) == (
        (),
        "UTOM",
        ("UTOM",),
        True,
    )
    assert [(p.user_id, p.name, p.status.text) for p in found.away] == [
        ("UPM", "Priya", "Vacationing")
    ]
    assert looked_up(slack) == ["UPM", "USAM", "UTOM"]


def test_one_person_leading_both_roles_and_away_gets_a_stand_in_not_themself(client, slack):
    slack.set_status("U1", text="OOO")
    person = Statuses(now=NOW).lookup(client=client, team_id="T1")

    odd = ["U1", "<!channel>", "nobody", "U2"]  # themself, and ids that are no user

    found = cover_for(wanted=["U1", "U1"], standins=odd, person=person)

    assert (len(found.away), found.standin) == (1, "U2")
    assert looked_up(slack) == ["U1", "U2"]


def test_statuses_are_read_once_per_person_and_team_within_a_pass(client, slack):
    statuses = Statuses(now=NOW)
    for team in ("T1", "T1", "T2"):
        cover_for(wanted=["UPM"], standins=[], person=statuses.lookup(client=client, team_id=team))
    Statuses(now=NOW).person(client=client, team_id="T1", user_id="UPM")  # the next pass

    assert looked_up(slack) == ["UPM", "UPM", "UPM"]  # T1 once, T2 once, the next pass once


def test_a_lookup_slack_refuses_counts_as_present_and_is_not_retried_in_the_pass(client, slack):
    slack.set_status("UPM", text="Vacationing")
    slack.server_error("users.info", status=500, times=1)
    statuses = Statuses(now=NOW)

    first = statuses.person(client=client, team_id="T1", user_id="UPM")
    again = statuses.person(client=client, team_id="T1", user_id="UPM")

    assert (first.away, again.away, first.name) == (False, False, "")
    assert len(slack.calls("users.info")) == 1
