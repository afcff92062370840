"""A project's work shows on the Home only to the people in its channel, as Slack says."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.home.blocks import HOME_ANSWER, HOME_DIGEST, HOME_HYPOTHESIS, HOME_PICK_CHANNEL
from bot.hypotheses.blocks import MODAL_CALLBACK as HYPOTHESIS_MODAL
from db.columns import utcnow
from db.models import Hypothesis
from tests.handlers.gate_steps import DS, PM, ask, person, set_up
from tests.handlers.home_steps import buttons, click, open_home, opened, read
from tests.live_app import LiveApp

SECRET = "We believe the secret re-ranker lifts conversion from 3.1% to 3.4% in two weeks."
FILLER = [f"C1{n:05d}" for n in range(1_200)]  # more than one page of users.conversations


def _team_work(live: LiveApp) -> None:
    """A project in C0TEAM with a hypothesis, a metric in breach and a review awaiting both
    leads (PM and DS)."""
    project = set_up(live)
    with Session(live.engine) as session:
        session.add(
            Hypothesis(
                workspace_id=project.workspace_id,
                channel_id="C0TEAM",
                author_id=DS,
                text=SECRET,
                vague=False,
                checker="rules",
                status="open",
                created_at=utcnow() - timedelta(days=1),
                saved_at=utcnow() - timedelta(days=1),
            )
        )
        session.commit()
    for command in (
        "define relevance_rating model_health higher breach=0.72",
        "record relevance_rating 0.70",
    ):
        answered = len(live.slack.calls("response_url"))
        assert live.sender.command("/metric", command).status == 200
        live.slack.wait_for("response_url", count=answered + 1)
    ask(live)


def test_a_lead_outside_the_channel_sees_its_name_and_status_and_a_member_sees_everything(
    live_app: LiveApp,
):
    _team_work(live_app)
    live_app.slack.set_channels(PM, ["C0LUNCH"])  # PM leads the project but left its channel
    live_app.slack.set_channels(DS, [*FILLER, "C0TEAM"])  # DS is in it, on the second page
    asked = len(live_app.slack.calls("users.conversations"))

    outside = read(open_home(live_app))
    inside_view = open_home(live_app, person(live_app, DS))
    inside = read(inside_view)

    assert "Search ranking · #C0TEAM" in outside and "you: PM lead" in outside
    assert "Model iteration · Sprint" in outside
    assert "You're not in #C0TEAM, so its reviews, hypotheses and metrics stay" in outside
    assert "secret re-ranker" not in outside and "relevance_rating" not in outside
    assert "Hypotheses" not in outside and "awaits your answers" not in outside
    assert "[Answer]" not in outside and "[Digest preview]" not in outside
    assert "secret re-ranker" in inside and "relevance_rating 0.7" in inside
    assert "awaits your answers" in inside and "[Digest preview]" in inside
    calls = live_app.slack.calls("users.conversations")[asked:]
    ds_calls = [c for c in calls if c.args["user"] == DS]
    assert [c.args.get("cursor") for c in ds_calls][1:] == ["999"]  # paged by cursor
    assert ds_calls[0].args["types"] == "public_channel,private_channel"
    assert ds_calls[0].args["exclude_archived"] in {"1", "true"}


def test_a_home_drawn_while_a_member_opens_nothing_once_they_left(live_app: LiveApp):
    _team_work(live_app)
    live_app.slack.set_channels(PM, ["C0LUNCH"])
    stale = open_home(live_app, person(live_app, DS))  # the same Home, as PM saw it before

    click(live_app, stale, HOME_ANSWER, buttons(stale, HOME_ANSWER)[0])
    answer = opened(live_app)
    click(live_app, stale, HOME_HYPOTHESIS, buttons(stale, HOME_HYPOTHESIS)[0])
    hypothesis = opened(live_app)
    updates = len(live_app.slack.calls("views.update"))
    click(live_app, stale, HOME_DIGEST, buttons(stale, HOME_DIGEST)[0])
    digest = live_app.slack.wait_for("views.update", count=updates + 1)[-1].args["view"]
    picker = live_app.sender.pick_in_view(HOME_PICK_CHANNEL, "C0TEAM", view={"blocks": []})
    assert picker.status == 200
    picked = live_app.slack.wait_for("views.update", count=updates + 2)[-1].args["view"]

    refused = "You're not in #C0TEAM, so its hypotheses, reviews and metrics are for its members"
    for view in (answer, hypothesis, digest, picked):
        assert view["type"] == "modal" and refused in read(view)
        assert view.get("callback_id") != HYPOTHESIS_MODAL
    assert "secret re-ranker" not in read(digest) and "relevance_rating" not in read(digest)


def test_without_channels_read_the_home_shows_names_and_status_and_says_why(
    live_app: LiveApp,
):
    _team_work(live_app)
    member_view = open_home(live_app, person(live_app, DS))  # a Home with buttons, drawn before
    live_app.slack.fail("users.conversations", "missing_scope")  # an install from before

    fallback = read(open_home(live_app))
    click(live_app, member_view, HOME_ANSWER, buttons(member_view, HOME_ANSWER)[0])
    refusal = read(opened(live_app))

    assert "Search ranking · #C0TEAM" in fallback and "Model iteration · Sprint" in fallback
    assert "lacks the `channels:read` and `groups:read` permissions" in fallback
    assert "reinstall gatebot" in fallback
    assert "secret re-ranker" not in fallback and "relevance_rating" not in fallback
    assert "[Answer]" not in fallback and "[Digest preview]" not in fallback
    assert "No gate review is waiting" not in fallback  # it was not read, so not claimed
    assert "I couldn't check that you're in #C0TEAM" in refusal
