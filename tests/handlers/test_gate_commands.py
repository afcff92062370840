"""/gate status, pause, resume, now, phase, history and help through the real app."""

from __future__ import annotations

import time

from sqlmodel import Session

from bot.gates.blocks.prompt import ANSWER, DECIDE
from db import heartbeats
from db.models.gates import ReviewStatus
from tests.handlers.gate_steps import ask, project, reviews, set_up, texts
from tests.live_app import LiveApp


def _reply(live: LiveApp, text: str, count: int = 1) -> dict:
    reply = live.sender.command("/gate", text)
    assert reply.status == 200 and reply.seconds < 3
    return live.slack.wait_for("response_url", count=count)[-1].args


def test_no_project_in_the_channel_suggests_setup(live_app: LiveApp):
    shown = _reply(live_app, "status")

    assert "No gate rituals are set up in <#C0TEAM>" in shown["text"]
    assert "`/gate setup`" in shown["text"]
    assert shown["response_type"] == "ephemeral"


def test_status_shows_phase_sprint_next_prompt_in_team_time_and_open_reviews(live_app: LiveApp):
    set_up(live_app, sprint_start="2026-01-05", timezone="America/New_York", prompt_time="09:30")
    ask(live_app)

    shown = texts(_reply(live_app, "status")["blocks"])

    assert "Gate reviews: Search ranking" in shown
    assert "*Phase:* Model iteration" in shown
    assert "*Sprint " in shown and "of 14" in shown
    assert (
        "boundary review on" in shown
        and "09:30 (America/New_York)>" in shown
        and "<!date^" in shown
    )
    assert "PM <@U0PM> · DS <@U0DS>" in shown
    assert "boundary review* · asked" in shown and "no answers yet" in shown
    assert "Last Slack error" not in shown


def test_status_says_when_the_clock_has_not_run_and_stops_once_it_has(live_app: LiveApp):
    set_up(live_app)  # the app's embedded worker runs (and beats); no clock runs in this test

    before = texts(_reply(live_app, "status")["blocks"])
    with Session(live_app.engine) as session:
        heartbeats.beat(session=session, process="clock")
        session.commit()
    after = texts(_reply(live_app, "status", count=2)["blocks"])

    assert (
        ":warning: The clock (which posts gate prompts, reminders and digests) has never run: "
        "what it does waits until it starts."
    ) in before
    assert "The worker" not in before
    assert "The clock" not in after


def test_pause_and_resume_tell_the_channel_and_status_says_paused(live_app: LiveApp):
    set_up(live_app)

    paused = _reply(live_app, "pause")
    again = _reply(live_app, "pause", count=2)
    status = texts(_reply(live_app, "status", count=3)["blocks"])
    resumed = _reply(live_app, "resume", count=4)

    assert paused["response_type"] == "in_channel"
    assert "<@U0PM> paused the scheduled gate prompts of *Search ranking*" in paused["text"]
    assert again["response_type"] == "ephemeral" and "already paused" in again["text"]
    assert "paused: no scheduled prompts until `/gate resume`" in status
    assert "resumed" in resumed["text"]
    assert project(live_app).paused is False  # type: ignore[union-attr]


def test_now_posts_the_phase_gate_through_open_review(live_app: LiveApp):
    set_up(live_app, phase="framing")

    review, prompt = ask(live_app)

    assert prompt.args["channel"] == "C0TEAM"
    assert "Problem framing: Search ranking" in texts(prompt.args["blocks"])
    buttons = [
        e["action_id"]
        for b in prompt.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == [ANSWER, DECIDE]
    assert review.gate_kind == "framing" and review.status == ReviewStatus.POSTED
    assert review.occurrence_key.startswith("now-")
    assert review.message_ts and review.channel_id == "C0TEAM"


def test_now_with_a_gate_asks_that_gate(live_app: LiveApp):
    set_up(live_app)

    review, prompt = ask(live_app, "escape")

    assert review.gate_kind == "escape"
    assert "Escape gate: Search ranking" in texts(prompt.args["blocks"])


def test_now_sent_again_a_second_later_asks_once_and_says_so(live_app: LiveApp):
    set_up(live_app)
    ask(live_app)
    time.sleep(1.1)  # the next second: a key by the second would ask again

    again = _reply(live_app, "now")
    live_app.drain()

    assert again["text"] == "The Sprint boundary review was asked a moment ago: answer that one."
    shown = [m["text"] for m in live_app.slack.messages("C0TEAM")]
    assert len([text for text in shown if "boundary review: Search ranking" in text]) == 1
    assert len(reviews(live_app)) == 1


def test_an_unknown_gate_is_a_readable_error(live_app: LiveApp):
    set_up(live_app)

    shown = _reply(live_app, "now launch")

    assert "Unknown gate 'launch'" in shown["text"] and "sprint_review" in shown["text"]
    assert reviews(live_app) == []


def test_a_slack_error_is_reported_and_shown_in_status(live_app: LiveApp):
    set_up(live_app)
    live_app.slack.fail("chat.postMessage", "not_in_channel", times=1)

    told = _reply(live_app, "now")
    status = texts(_reply(live_app, "status", count=2)["blocks"])

    assert "I could not ask the Sprint" in told["text"] and "/invite @gatebot" in told["text"]
    assert ":warning: *Last Slack error*" in status and "not_in_channel" in status
    assert reviews(live_app)[0].status == ReviewStatus.FAILED


def test_phase_moves_the_project_and_asks_its_gate(live_app: LiveApp):
    set_up(live_app, phase="iteration")

    moved = _reply(live_app, "phase evaluation")
    prompt = live_app.slack.wait_for("chat.postMessage", count=2)[-1]
    same = _reply(live_app, "phase Evaluation design", count=2)

    assert moved["response_type"] == "in_channel"
    assert "moved *Search ranking* to *Evaluation design*" in moved["text"]
    assert "Evaluation design: Search ranking" in texts(prompt.args["blocks"])
    assert project(live_app).phase == "evaluation"  # type: ignore[union-attr]
    [review] = reviews(live_app)
    assert review.gate_kind == "evaluation" and review.occurrence_key.startswith(
        "phase-evaluation-"
    )
    assert "already in Evaluation design" in same["text"]
    assert len(reviews(live_app)) == 1


def test_phase_without_a_phase_names_the_choices(live_app: LiveApp):
    set_up(live_app)

    shown = _reply(live_app, "phase")

    assert "framing, data_readiness, iteration, evaluation, pilot, rollout" in shown["text"]


def test_history_lists_past_reviews_and_decisions(live_app: LiveApp):
    set_up(live_app)
    review, _ = ask(live_app)
    with Session(live_app.engine) as session:
        stored = session.get(type(review), review.id)
        stored.status, stored.decision = ReviewStatus.DECIDED, "iterate"  # type: ignore[union-attr]
        stored.decided_by, stored.decision_reason = "U0PM", "<!channel> more data"  # type: ignore[union-attr]
        session.add(stored)
        session.commit()

    shown = texts(_reply(live_app, "history")["blocks"])

    assert "Gate history: Search ranking" in shown
    assert "boundary review*" in shown and "*Iterate* by <@U0PM>" in shown
    assert "&lt;!channel&gt; more data" in shown and "<!channel>" not in shown


def test_help_and_unknown_subcommands_answer_in_the_ack(live_app: LiveApp):
    help_reply = live_app.sender.command("/gate", "help")
    unknown = live_app.sender.command("/gate", "stauts")

    assert "/gate setup" in help_reply.body
    assert "I don't know `stauts`" in unknown.body
    assert "/gate history" in unknown.body
