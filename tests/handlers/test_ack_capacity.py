"""Slow checks never hold the threads that acks need: they run on the job pool."""

from __future__ import annotations

from collections.abc import Callable

from db.models.gates import GateAnswer
from tests.fakes.openai_server import FakeOpenAI
from tests.handlers.gate_steps import (
    OTHER,
    answers,
    ask,
    eventually,
    person,
    set_up,
    submit_answers,
)
from tests.live_app import LiveApp

SLOW_MODEL = 3.5  # seconds per answer: longer than Slack waits for an ack


def test_a_gate_answer_waiting_on_the_model_does_not_delay_other_acks(
    start_app: Callable[..., LiveApp], fake_openai: FakeOpenAI
):
    live = start_app(
        openai_api_key="sk-test-key",
        openai_base_url=fake_openai.base_url,
        gatebot_llm_timeout=SLOW_MODEL + 5,
        gatebot_listener_threads=1,  # one listener thread: whatever holds it blocks every ack
    )
    set_up(live)
    review, _ = ask(live)
    fake_openai.from_rules()
    fake_openai.delay(SLOW_MODEL)

    submit_answers(live, review, person(live, OTHER), assumption="Make the ranking smarter.")
    reply = live.sender.command("/hypothesis", "help")

    assert reply.status == 200
    assert reply.seconds < 3, "the answer's check held the listener thread past Slack's 3 s"

    def checked() -> list[GateAnswer]:
        found = [a for a in answers(live) if a.verdict]
        assert found, "the answer has no verdict yet"
        return found

    (answer,) = eventually(checked, timeout=SLOW_MODEL + 5)
    assert answer.vague
    assert (answer.verdict or {})["checker"] == "llm"
