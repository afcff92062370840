"""The Home redraws itself after the person acts, never over a newer Home, never blank."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from bot.demo.standin.slack_requests import selected, text_input
from bot.gates.blocks.prompt import DECIDE
from bot.home.blocks import HOME_ANSWER, HOME_REFRESH
from bot.hypotheses.blocks import SAVE
from db.models import Hypothesis
from tests.handlers.gate_steps import PM, ask, set_up
from tests.handlers.home_steps import buttons, click, kept, next_home, open_home, read
from tests.live_app import LiveApp

FALSIFIABLE = (
    "Semantic search will cut zero-result queries from 9% to under 5% of searches "
    "within 30 days of launch."
)


def _homes_to(live: LiveApp, user_id: str, *, after: int) -> int:
    return sum(1 for c in live.slack.calls("views.publish")[after:] if c.args["user_id"] == user_id)


def test_a_lead_who_decides_the_review_sees_it_gone_from_their_home(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    assert buttons(open_home(live_app), HOME_ANSWER) == [str(review.id)]
    before = len(live_app.slack.calls("views.publish"))

    opened = len(live_app.slack.calls("views.open"))
    live_app.sender.click(DECIDE, str(review.id), message_ts=review.message_ts)
    modal = live_app.slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    reply = live_app.sender.submit_view(
        modal,
        {"decision": {"decision": selected("go")}, "reason": {"reason": text_input("Met it.")}},
    )

    assert reply.status == 200 and reply.seconds < 3
    after = next_home(live_app, PM, after=before)  # no app_home_opened was sent
    assert "No gate review is waiting for your answers." in read(after)
    assert buttons(after, HOME_ANSWER) == []
    live_app.drain()
    assert _homes_to(live_app, PM, after=before) == 1  # one Home for one act


def test_saving_a_hypothesis_with_its_button_puts_it_on_the_authors_home(live_app: LiveApp):
    set_up(live_app)
    assert "none on record in #C0TEAM yet" in read(open_home(live_app))
    assert live_app.sender.command("/hypothesis", FALSIFIABLE).status == 200
    live_app.slack.wait_for("response_url")  # the verdict, with Save
    with Session(live_app.engine) as session:
        [draft] = session.exec(select(Hypothesis)).all()
    before = len(live_app.slack.calls("views.publish"))

    reply = live_app.sender.click(SAVE, str(draft.id))

    assert reply.status == 200 and reply.seconds < 3
    text_now = read(next_home(live_app, PM, after=before))
    assert "Hypotheses · 1 on record" in text_now and "· yours" in text_now
    assert "Semantic search will cut zero-result queries" in text_now
    live_app.drain()
    assert _homes_to(live_app, PM, after=before) == 1


def test_refresh_publishes_over_the_home_it_was_pressed_on_only(live_app: LiveApp):
    set_up(live_app)
    first = open_home(live_app)

    click(live_app, first, HOME_REFRESH, "1", expect="views.publish")
    refresh = live_app.slack.calls("views.publish")[-1]
    second = kept(live_app, refresh)  # Slack took it: it was pressed on the Home shown
    dms = len(live_app.slack.calls("chat.postMessage"))
    click(live_app, first, HOME_REFRESH, "1", expect="views.publish")  # a stale press
    live_app.drain()

    assert refresh.args["hash"] == first["hash"] and second["hash"] != first["hash"]
    stale = live_app.slack.calls("views.publish")[-1]
    assert stale.args["hash"] == first["hash"]
    assert live_app.slack.home_of(PM) == second  # Slack refused the stale one: nothing changed
    assert len(live_app.slack.calls("chat.postMessage")) == dms  # and nobody is told of it


def test_a_home_that_cannot_be_read_says_so_and_refresh_brings_it_back(live_app: LiveApp):
    set_up(live_app)
    with live_app.engine.begin() as connection:  # the table goes missing, as in a bad deploy
        connection.execute(text("ALTER TABLE gate_answers RENAME TO gate_answers_away"))

    broken = open_home(live_app)
    with live_app.engine.begin() as connection:
        connection.execute(text("ALTER TABLE gate_answers_away RENAME TO gate_answers"))
    click(live_app, broken, HOME_REFRESH, buttons(broken, HOME_REFRESH)[0], expect="views.publish")
    mended = read(kept(live_app, live_app.slack.calls("views.publish")[-1]))

    assert "I couldn't load your Home just now. Press Refresh to try again" in read(broken)
    assert "[Refresh]" in read(broken) and "Search ranking" not in read(broken)
    assert "Search ranking · #C0TEAM" in mended
