"""An error raised right after ack() still gives Slack its 200 and the user a message."""

from bot.demo.standin.slack_requests import selected, text_input
from bot.hypotheses.blocks import EDIT, MODAL_CALLBACK
from tests.live_app import LiveApp

VALID_FORM = {
    "change": {"change": text_input("quantization")},
    "outcome_metric": {"outcome_metric": text_input("p95 latency")},
    "direction": {"direction": selected("stay_below")},
    "magnitude": {"magnitude": text_input("120 ms")},
}


def test_an_error_just_after_ack_keeps_the_ack(live_app: LiveApp):
    # Broken metadata fails in json.loads microseconds after ack(): the window in which
    # Bolt would overwrite the ack and answer Slack 404 after 3 seconds.
    view = {"callback_id": MODAL_CALLBACK, "private_metadata": "{not json"}

    replies = [live_app.sender.submit_view(view, VALID_FORM) for _ in range(5)]

    assert [r.status for r in replies] == [200] * 5
    assert max(r.seconds for r in replies) < 1
    dms = live_app.slack.wait_for("chat.postMessage", count=5)
    assert all(d.args["channel"] == live_app.sender.user_id for d in dms)
    assert all("Something went wrong on our side (error id" in d.args["text"] for d in dms)


def test_a_domain_error_after_ack_reaches_the_user_in_words(live_app: LiveApp):
    reply = live_app.sender.click(EDIT, "999")

    assert reply.status == 200
    note = live_app.slack.wait_for("response_url")[0].args
    assert "can't find that hypothesis" in note["text"]
    assert live_app.slack.calls("views.open") == []
