"""Recording a gate's decision through the real app: leads only, posted in the thread, kept."""

from __future__ import annotations

import json

from slack_sdk.models.views import View

from bot.core.time import as_utc
from bot.demo.standin.slack_requests import SlackSender, selected, text_input
from bot.gates.blocks.prompt import ANSWER, DECIDE
from db.models.gates import GateReview, ReviewStatus
from tests.handlers.gate_steps import (
    DS,
    OTHER,
    PM,
    ask,
    eventually,
    person,
    reviews,
    set_up,
    submit_answers,
    texts,
)
from tests.live_app import LiveApp


def _decision_modal(live: LiveApp, review: GateReview, sender: SlackSender) -> dict:
    opened = len(live.slack.calls("views.open"))
    sender.click(DECIDE, str(review.id), message_ts=review.message_ts)
    return live.slack.wait_for("views.open", count=opened + 1)[-1].args["view"]


def _decide(
    live: LiveApp, review: GateReview, sender: SlackSender, decision: str, reason: str
) -> dict:
    view = _decision_modal(live, review, sender)
    reply = sender.submit_view(
        view,
        {"decision": {"decision": selected(decision)}, "reason": {"reason": text_input(reason)}},
    )
    assert reply.status == 200
    return reply.json() or {}


def _decided(live: LiveApp, decision: str) -> GateReview:
    def check() -> GateReview:
        review = reviews(live)[0]
        assert review.decision == decision
        return review

    return eventually(check)


def test_a_lead_records_the_decision_in_the_thread_and_it_is_kept(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)

    view = _decision_modal(live_app, review, live_app.sender)
    View(**view).validate_json()
    reply = live_app.sender.submit_view(
        view,
        {
            "decision": {"decision": selected("iterate")},
            "reason": {"reason": text_input("Recall moved <2 points>; one more sprint.")},
        },
    )

    assert reply.body == ""
    post = live_app.slack.wait_for("chat.postMessage", count=3)[-1].args
    assert post["thread_ts"] == review.message_ts and post["reply_broadcast"] in (True, "1", "true")
    assert "<@U0PM> recorded the decision on the Sprint" in post["text"]
    assert "*Iterate*" in post["text"] and "&lt;2 points&gt;" in post["text"]
    stored = _decided(live_app, "iterate")
    assert stored.status == ReviewStatus.DECIDED and stored.decided_by == PM
    assert stored.decision_reason == "Recall moved <2 points>; one more sprint."
    assert stored.decided_at is not None and as_utc(stored.decided_at) >= as_utc(stored.due_at)


def test_someone_else_is_politely_refused_and_no_modal_opens(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)

    reply = person(live_app, OTHER).click(DECIDE, str(review.id), message_ts=review.message_ts)

    told = live_app.slack.wait_for("response_url")[-1].args
    assert reply.status == 200
    assert told["response_type"] == "ephemeral" and told["replace_original"] is False
    assert "decisions are recorded by <@U0PM> and <@U0DS>" in told["text"]
    assert "add it with *Answer*" in told["text"]
    assert len(live_app.slack.calls("views.open")) == 1  # only the set-up modal
    assert reviews(live_app)[0].decision is None


def test_with_no_leads_anyone_in_the_channel_decides(live_app: LiveApp):
    set_up(live_app, pm_lead=None, ds_lead=None)
    review, _ = ask(live_app)

    _decide(live_app, review, person(live_app, OTHER), "go", "Guardrails held.")

    assert _decided(live_app, "go").decided_by == OTHER


def test_a_lead_can_revise_the_decision_and_the_thread_keeps_both(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    submit_answers(live_app, review, person(live_app, OTHER), uncertainty="Reducing it.")
    eventually(lambda: _assert(reviews(live_app)[0].summary_ts))
    _decide(live_app, review, live_app.sender, "go", "Looks good.")
    _decided(live_app, "go")

    view = _decision_modal(live_app, review, person(live_app, DS))
    assert view["blocks"][1]["element"]["initial_option"]["value"] == "go"
    reply = person(live_app, DS).submit_view(
        view,
        {
            "decision": {"decision": selected("no_go")},
            "reason": {"reason": text_input("Latency p95 over budget.")},
        },
    )

    assert reply.body == ""
    stored = _decided(live_app, "no_go")
    assert (stored.decided_by, stored.decision_reason) == (DS, "Latency p95 over budget.")
    posts = live_app.slack.wait_for("chat.postMessage", count=5)  # set-up, prompt, summary, 2×
    thread = [c.args for c in posts if "reply_broadcast" in c.args]
    assert len(thread) == 2
    assert "changed the decision on the Sprint" in thread[-1]["text"]
    assert "from *Go* to *No-go*" in thread[-1]["text"]
    summary = live_app.slack.wait_for("chat.update", count=2)[-1].args
    assert "Decision: No-go" in texts(summary["blocks"])


def _assert(value: object) -> object:
    assert value
    return value


def test_a_decision_needs_a_reason(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)

    reply = _decide(live_app, review, live_app.sender, "sunset", "   ")

    assert reply["response_action"] == "errors" and set(reply["errors"]) == {"reason"}
    assert reviews(live_app)[0].decision is None


def test_an_overlong_reason_keeps_the_modal_open_with_the_error(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)

    reply = _decide(live_app, review, live_app.sender, "iterate", "Latency & recall. " * 120)

    assert reply["response_action"] == "errors"
    assert reply["errors"] == {"reason": "Keep it under 2000 characters (2160 now)."}
    assert reviews(live_app)[0].decision is None


def test_a_decided_review_takes_no_more_answers(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    _decide(live_app, review, live_app.sender, "go", "Ship it.")
    _decided(live_app, "go")

    person(live_app, OTHER).click(ANSWER, str(review.id), message_ts=review.message_ts)

    told = live_app.slack.wait_for("response_url")[-1].args
    assert "is decided (Go), so its answers are closed" in told["text"]


def test_another_workspace_cannot_decide_this_review(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    intruder = person(live_app, PM, team_id="T0INTRUDER")

    intruder.click(DECIDE, str(review.id), message_ts=review.message_ts)
    told = live_app.slack.wait_for("response_url")[-1].args
    intruder.submit_view(
        {"callback_id": "gate_decision", "private_metadata": json.dumps({"review_id": review.id})},
        {"decision": {"decision": selected("sunset")}, "reason": {"reason": text_input("Mine")}},
    )
    dm = live_app.slack.wait_for("chat.postMessage", count=3)[-1].args

    assert "can't find that gate review" in told["text"]
    assert dm["channel"] == PM and "can't find that gate review" in dm["text"]
    assert reviews(live_app)[0].decision is None
