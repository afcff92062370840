"""The stand-ins picked in /gate setup are who the clock's reminder mentions for away leads."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.clock.passes import run_pass
from bot.core.time import as_utc
from bot.slack.client import build_web_client
from tests.handlers.gate_steps import DS, PM, ask, reviews, set_up, texts
from tests.live_app import LiveApp


def test_with_both_leads_away_the_form_s_first_free_stand_in_is_mentioned(live_app: LiveApp):
    slack = live_app.slack
    for user, name in ((PM, "Priya"), (DS, "Daniel"), ("U0SAM", "Sam"), ("U0KIM", "Kim")):
        slack.set_user(user, name=name)
    set_up(live_app, standins=["U0SAM", "U0KIM"])
    review, prompt = ask(live_app)
    slack.set_status(PM, text="Vacationing", emoji=":palm_tree:")
    slack.set_status(DS, text="Out sick", emoji=":face_with_thermometer:")
    slack.set_status("U0SAM", text="On parental leave")
    slack.set_status("U0KIM", text="Working remotely", emoji=":house_with_garden:")

    client = build_web_client(live_app.settings)
    report = run_pass(
        engine=live_app.engine,
        client_for=lambda team_id: client,
        now=as_utc(review.remind_at) + timedelta(minutes=1),
        clock_id="test-clock",
    )

    assert report.reminded == 1
    [reminder] = [
        m for m in slack.messages(prompt.args["channel"]) if m.get("thread_ts") == review.message_ts
    ]
    seen = texts(reminder["blocks"])
    assert set(re.findall(r"<@(\w+)>", seen + reminder["text"])) == {"U0KIM"}
    assert (
        "Priya (:palm_tree: Vacationing) and Daniel (:face_with_thermometer: Out sick) are away, "
        "so <@U0KIM> stands in."
    ) in seen
    assert reviews(live_app)[0].reminder_ts == reminder["ts"]
