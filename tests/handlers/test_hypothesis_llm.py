"""/hypothesis with an LLM configured: the fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from db.models import Hypothesis
from tests.fakes.openai_server import FakeOpenAI
from tests.live_app import LiveApp

STATEMENT = "Make onboarding recommendations more relevant and timely."
LLM_REPLY = {
    "elements_found": [{"element": "outcome metric", "text": "onboarding recommendations"}],
    "missing": ["magnitude or decision rule", "time window"],
    "vague_terms": [{"term": "more relevant", "family": "unquantified comparative"}],
    "explanation": "Says <!channel> what should improve, not by how much.",
    "vague": True,
    "rewrite": "We believe [change] will cause [behaviour change] for new users because "
    "[reason]. We will know we are wrong if [metric] does not move by [amount] within [time].",
}


@pytest.fixture
def llm_app(start_app: Callable[..., LiveApp], fake_openai: FakeOpenAI) -> LiveApp:
    return start_app(
        openai_api_key="sk-test-key",
        openai_base_url=fake_openai.base_url,
        gatebot_llm_model="test-model",
        gatebot_llm_timeout=0.5,
    )


def _verdict(live: LiveApp) -> tuple[dict, str]:
    reply = live.sender.command("/hypothesis", STATEMENT)
    assert reply.status == 200 and reply.seconds < 3
    message = live.slack.wait_for("response_url", timeout=10)[0].args
    return message, json.dumps(message["blocks"])


def test_the_llm_verdict_reaches_the_user_escaped(llm_app: LiveApp, fake_openai: FakeOpenAI):
    fake_openai.reply(LLM_REPLY)

    _, shown = _verdict(llm_app)

    assert "Checked by the LLM." in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert fake_openai.requests[0]["body"]["model"] == "test-model"
    with Session(llm_app.engine) as session:
        stored = session.exec(select(Hypothesis)).one()
    assert stored.checker == "llm"
    assert stored.missing == ["magnitude or decision rule", "time window"]


@pytest.mark.parametrize(
    ("break_it", "reason"),
    [
        (lambda fake: fake.delay(2.0), "longer than 0.5s"),
        (lambda fake: fake.status(500), "500"),
        (lambda fake: fake.status(429, headers={"Retry-After": "0"}), "rate limited"),
        (lambda fake: fake.invalid_json(), "not valid JSON"),
        (lambda fake: fake.refusal("I can't help with that."), "refused"),
    ],
    ids=["slow", "500", "429", "invalid-json", "refusal"],
)
def test_any_llm_failure_ends_in_one_rules_verdict_that_says_so(
    llm_app: LiveApp, fake_openai: FakeOpenAI, break_it, reason: str
):
    break_it(fake_openai)

    message, shown = _verdict(llm_app)

    llm_app.drain()
    assert len(llm_app.slack.calls("response_url")) == 1
    assert "offline rule-based check" in shown and reason in shown
    assert "Vague" in shown
    with Session(llm_app.engine) as session:
        stored = session.exec(select(Hypothesis)).one()
    assert stored.checker == "rules"
    assert reason in (stored.verdict["fallback_reason"] or "")


def test_slow_checks_never_delay_the_acks_of_later_requests(
    start_app: Callable[..., LiveApp], fake_openai: FakeOpenAI
):
    # Two listener threads and a model that takes 4 s: if checks held listener threads,
    # the third request could not even be acked until a check finished.
    live = start_app(
        openai_api_key="sk-test-key",
        openai_base_url=fake_openai.base_url,
        gatebot_llm_timeout=6,
        gatebot_listener_threads=2,
    )
    fake_openai.delay(4.0)
    fake_openai.reply(LLM_REPLY)

    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(
            pool.map(
                lambda n: live.sender.command("/hypothesis", f"Statement {n} to check please"),
                range(6),
            )
        )

    assert [r.status for r in replies] == [200] * 6
    assert max(r.seconds for r in replies) < 3
    live.slack.wait_for("response_url", count=6, timeout=30)
