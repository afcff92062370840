"""Whose channels, as Slack's users.conversations says, kept a minute, never a failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.demo.standin import SlackStandIn
from bot.home.membership import SCOPES_MISSING, MembershipCache, NotAMember, fetch


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id="T0A") as server:
        yield server


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(base_url=slack.api_url, token="xoxb-test")


def test_every_page_of_the_persons_channels_is_read(slack: SlackStandIn, client: WebClient):
    slack.set_channels("U0ME", [f"C{n:05d}" for n in range(2_500)])

    found = fetch(client=client, user_id="U0ME")

    assert found.channels is not None and len(found.channels) == 2_500
    assert [c.args.get("cursor") for c in slack.calls("users.conversations")] == [
        None,
        "999",
        "1998",
    ]
    assert found.allows("C02499") and not found.allows("C99999")


def test_membership_is_kept_for_a_minute_and_a_failure_is_never_kept(
    slack: SlackStandIn, client: WebClient
):
    now = [0.0]
    cache = MembershipCache(ttl=60, clock=lambda: now[0])
    slack.set_channels("U0ME", ["C0TEAM"])

    first = cache.get(client=client, team_id="T0A", user_id="U0ME")
    slack.set_channels("U0ME", [])  # they leave: seen once the minute is up
    now[0] = 59
    kept = cache.get(client=client, team_id="T0A", user_id="U0ME")
    now[0] = 61
    later = cache.get(client=client, team_id="T0A", user_id="U0ME")
    slack.fail("users.conversations", "missing_scope", times=1)
    now[0] = 200
    failed = cache.get(client=client, team_id="T0A", user_id="U0ME")
    recovered = cache.get(client=client, team_id="T0A", user_id="U0ME")

    assert first.allows("C0TEAM") and kept.allows("C0TEAM") and not later.allows("C0TEAM")
    assert len(slack.calls("users.conversations")) == 4  # the minute's second ask was kept
    assert failed.channels is None and failed.problem == SCOPES_MISSING
    assert recovered.channels == frozenset()
    with pytest.raises(NotAMember, match="couldn't check that you're in <#C0TEAM>"):
        failed.require("C0TEAM")
    with pytest.raises(NotAMember, match="You're not in <#C0TEAM>"):
        recovered.require("C0TEAM")
