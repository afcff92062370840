"""Real processes killed with SIGKILL: what was acked is kept, and done once.

The web process records each accepted input with its job before it acks. Killed right
after the ack (no worker running, so nothing of the work has started), a restarted web and
worker still deliver: the verdict comes, the hypothesis is saved and posted once, the
answers are on record. A worker killed mid-job leaves it to be retaken after its lease.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from bot.demo.standin.slack import SlackStandIn
from bot.hypotheses.blocks import MODAL_CALLBACK, modal
from db.models import Hypothesis
from db.models.gates import GateAnswer
from db.models.queue import JobStatus, QueuedJob
from tests.fakes.openai_server import FakeOpenAI
from tests.handlers.gate_steps import OTHER, ask, person, set_up, submit_answers
from tests.handlers.test_gate_answers import SHARP, VAGUE
from tests.handlers.test_listener_guard import VALID_FORM
from tests.processes import Processes, StartProcesses, wait_until


def _jobs(app: Processes) -> list[QueuedJob]:
    with Session(app.engine) as session:
        return list(session.exec(select(QueuedJob).order_by(QueuedJob.id)))


def _hypotheses(app: Processes) -> list[Hypothesis]:
    with Session(app.engine) as session:
        return list(session.exec(select(Hypothesis)))


def _channel_posts(slack: SlackStandIn, channel: str) -> list[dict]:
    return [c.args for c in slack.calls("chat.postMessage") if c.args.get("channel") == channel]


def test_a_hypothesis_acked_before_the_web_was_killed_gets_its_verdict(
    processes: StartProcesses, slack: SlackStandIn
):
    app = processes()
    try:
        app.start_web()
        reply = app.sender.command("/hypothesis", "Make the system smarter.")
        assert reply.status == 200 and "Checking" in reply.body
        app.kill_web()
        assert slack.calls("response_url") == []  # nothing ran: it waits in the queue

        app.start_web()
        app.start_worker()
        [verdict] = slack.wait_for("response_url", timeout=30)
        wait_until(lambda: all(j.status == JobStatus.DONE for j in _jobs(app)), what="the jobs")
    finally:
        app.stop_all()
    assert "Vague" in json.dumps(verdict.args["blocks"])
    assert [job.task for job in _jobs(app)] == [
        "hypotheses.check_and_reply",
        "hypotheses.reply_verdict",
    ]


def test_a_modal_submission_acked_before_the_kill_is_saved_and_posted_once(
    processes: StartProcesses, slack: SlackStandIn
):
    app = processes()
    view = {**modal(channel_id="C0TEAM"), "id": "V0CRASH", "callback_id": MODAL_CALLBACK}
    try:
        app.start_web()
        reply = app.sender.submit_view(view, VALID_FORM)
        assert reply.status == 200 and reply.body == ""  # the modal closed: accepted
        app.kill_web()

        app.start_web()
        again = app.sender.submit_view(view, VALID_FORM)  # Submit pressed again meanwhile
        app.start_worker()
        wait_until(lambda: len(_channel_posts(slack, "C0TEAM")) >= 1, what="the post")
        wait_until(lambda: all(j.status == JobStatus.DONE for j in _jobs(app)), what="the jobs")
    finally:
        app.stop_all()
    assert again.status == 200 and again.body == ""
    [saved] = _hypotheses(app)
    assert "quantization" in saved.text and saved.message_ts
    [post] = _channel_posts(slack, "C0TEAM")
    assert f"Hypothesis #{saved.id}" in post["text"]


def test_gate_answers_acked_before_the_kill_are_on_record_after_the_restart(
    processes: StartProcesses, slack: SlackStandIn
):
    app = processes()
    try:
        app.start_web()
        app.start_worker()
        set_up(app)  # type: ignore[arg-type]  (the steps need only sender, slack, engine)
        review, _ = ask(app)  # type: ignore[arg-type]
        app.kill_worker()  # so nothing of the answers' work starts before the web dies

        answerer = person(app, OTHER)  # type: ignore[arg-type]
        reply = submit_answers(app, review, answerer, assumption=VAGUE, prove_wrong=SHARP)  # type: ignore[arg-type]
        assert reply == {}
        app.kill_web()
        with Session(app.engine) as session:
            assert session.exec(select(GateAnswer)).all() == []  # kept as a job, not yet run

        app.start_web()
        app.start_worker()

        def recorded() -> bool:
            with Session(app.engine) as session:
                return len(session.exec(select(GateAnswer)).all()) == 2

        wait_until(recorded, what="the answers")
    finally:
        app.stop_all()
    with Session(app.engine) as session:
        stored = {a.question_key: a for a in session.exec(select(GateAnswer))}
    assert stored["assumption"].text == VAGUE and stored["assumption"].user_id == OTHER
    assert stored["prove_wrong"].text == SHARP


def test_a_worker_killed_mid_job_leaves_it_to_be_retaken_and_done_once(
    processes: StartProcesses, slack: SlackStandIn, fake_openai: FakeOpenAI
):
    fake_openai.from_rules()
    fake_openai.delay(30)  # the model is slow: the worker is killed while it waits
    app = processes(
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=fake_openai.base_url,
        GATEBOT_LLM_TIMEOUT="60",
        GATEBOT_JOB_LEASE_SECONDS="2",
    )
    try:
        app.start_web()
        app.start_worker()
        reply = app.sender.command("/hypothesis", "Make the system smarter.")
        assert reply.status == 200
        wait_until(lambda: len(fake_openai.requests) == 1, what="the model call")
        app.kill_worker()
        fake_openai.delay(0)

        app.start_worker()
        [verdict] = slack.wait_for("response_url", timeout=30)
        wait_until(lambda: all(j.status == JobStatus.DONE for j in _jobs(app)), what="the jobs")
    finally:
        app.stop_all()
    assert "Vague" in json.dumps(verdict.args["blocks"])
    first = _jobs(app)[0]
    assert (first.task, first.attempts) == ("hypotheses.check_and_reply", 2)  # retaken once
    assert len(_hypotheses(app)) == 1  # one draft, one verdict
    assert len(slack.calls("response_url")) == 1


def test_a_worker_killed_mid_post_while_slack_is_slow_leaves_one_post(
    processes: StartProcesses, slack: SlackStandIn
):
    # Slack puts the hypothesis in the channel but answers far later than the client waits:
    # the worker dies not knowing. The retaken job must find the post, not post it again.
    slack.slow("chat.postMessage", seconds=60)
    app = processes(GATEBOT_JOB_LEASE_SECONDS="2", GATEBOT_SLACK_TIMEOUT="30")
    view = {**modal(channel_id="C0TEAM"), "id": "V0MIDPOST", "callback_id": MODAL_CALLBACK}
    try:
        app.start_web()
        app.start_worker()
        reply = app.sender.submit_view(view, VALID_FORM)
        assert reply.status == 200 and reply.body == ""
        slack.wait_for("chat.postMessage", timeout=30)  # in the channel, its answer pending
        app.kill_worker()

        app.start_worker()
        wait_until(
            lambda: bool(_jobs(app)) and all(j.status == JobStatus.DONE for j in _jobs(app)),
            timeout=60,
            what="the jobs",
        )
    finally:
        app.stop_all()
    [saved] = _hypotheses(app)
    [post] = slack.messages("C0TEAM")
    assert f"Hypothesis #{saved.id}" in post["text"]
    assert saved.message_ts == post["ts"]  # recorded from the channel by the second worker
    assert len(_channel_posts(slack, "C0TEAM")) == 1
    assert slack.calls("conversations.history")  # it looked before it would have posted
