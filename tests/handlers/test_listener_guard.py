"""An error raised around ack() still gives Slack its 200 and the user a message."""

from sqlmodel import Session, select

from bot.demo.standin.slack_requests import selected, text_input
from bot.hypotheses.blocks import EDIT, MODAL_CALLBACK
from db.models import Hypothesis
from tests.live_app import LiveApp

VALID_FORM = {
    "change": {"change": text_input("quantization")},
    "outcome_metric": {"outcome_metric": text_input("p95 latency")},
    "direction": {"direction": selected("stay_below")},
    "magnitude": {"magnitude": text_input("120 ms")},
}


def test_an_error_before_the_ack_keeps_the_modal_open_with_words_not_a_failure(
    live_app: LiveApp,
):
    # Broken metadata fails in json.loads before the submission is kept and acked: Slack
    # must neither close the modal (nothing was saved) nor show "trouble connecting".
    view = {"callback_id": MODAL_CALLBACK, "private_metadata": "{not json"}

    replies = [live_app.sender.submit_view(view, VALID_FORM) for _ in range(5)]

    assert [r.status for r in replies] == [200] * 5
    assert max(r.seconds for r in replies) < 1
    for reply in replies:
        answer = reply.json()
        assert answer["response_action"] == "errors"
        [(field, message)] = answer["errors"].items()
        assert field in VALID_FORM
        assert "Something went wrong on our side (error id" in message
        assert "nothing was saved" in message
    live_app.drain()
    assert live_app.slack.calls("chat.postMessage") == []
    with Session(live_app.engine) as session:
        assert session.exec(select(Hypothesis)).all() == []


def test_a_domain_error_after_ack_reaches_the_user_in_words(live_app: LiveApp):
    reply = live_app.sender.click(EDIT, "999")

    assert reply.status == 200
    note = live_app.slack.wait_for("response_url")[0].args
    assert "can't find that hypothesis" in note["text"]
    assert live_app.slack.calls("views.open") == []
