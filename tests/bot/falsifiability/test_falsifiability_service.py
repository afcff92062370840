"""The orchestrator: LLM first, the rules when there is no key or the LLM fails, a cache."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.core.settings import Settings, load_settings
from bot.falsifiability.llm import make_client
from bot.falsifiability.rules import check_rules
from bot.falsifiability.service import FalsifiabilityChecker, check
from bot.falsifiability.verdict import Element
from tests.fakes.openai_server import FakeOpenAI

API_KEY = "sk-test-secret-do-not-log"
STATEMENT = "Improve recommendation relevance."
REPLY: dict[str, Any] = {
    "elements_found": [{"element": "outcome metric", "text": "recommendation relevance"}],
    "missing": ["direction", "magnitude or decision rule", "time window", "population"],
    "vague_terms": [{"term": "Improve", "family": "unquantified comparative"}],
    "explanation": "Relevance has no metric and no amount, so no data could prove it wrong.",
    "vague": True,
    "rewrite": "We believe [change] will cause [behaviour change] for [population] because "
    "[reason]. We will know we are wrong if [relevance metric] does not move by [amount] "
    "within [time].",
}


def _settings(fake: FakeOpenAI, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,  # a developer's .env must not leak into the test
        "openai_api_key": API_KEY,
        "openai_base_url": fake.base_url,
        "gatebot_llm_model": "gpt-test-model",
        "gatebot_llm_timeout": 5,
    }
    return load_settings(**(values | overrides))


@pytest.fixture
def make_checker(fake_openai: FakeOpenAI) -> Iterator[Callable[..., FalsifiabilityChecker]]:
    made: list[FalsifiabilityChecker] = []

    def make(**overrides: object) -> FalsifiabilityChecker:
        made.append(FalsifiabilityChecker.from_settings(_settings(fake_openai, **overrides)))
        return made[-1]

    yield make
    for checker in made:
        checker.close()


def test_the_llm_verdict_is_returned(fake_openai: FakeOpenAI, make_checker: Any) -> None:
    fake_openai.reply(REPLY)

    verdict = make_checker().check(STATEMENT)

    assert verdict.checker == "llm"
    assert verdict.fallback_reason is None
    assert verdict.vague is True
    assert verdict.elements == {Element.OUTCOME: "recommendation relevance"}
    assert verdict.explanation == REPLY["explanation"]
    assert len(fake_openai.requests) == 1
    body = fake_openai.requests[0]["body"]
    assert body["model"] == "gpt-test-model"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert f"<statement>\n{STATEMENT}\n</statement>" in body["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda f: f.status(500), "the model service answered 500"),
        (lambda f: f.status(429, headers={"Retry-After": "0"}), "rate limited"),
        (lambda f: f.invalid_json(), "reply was not valid JSON"),
        (lambda f: f.refusal("I can't help with that."), "the model refused"),
        (lambda f: f.reply(REPLY | {"vague": "maybe"}), "did not match the expected schema"),
        (lambda f: f.reply({"label": "vague"}), "did not match the expected schema"),
    ],
)
def test_an_llm_failure_gives_the_rules_verdict_with_the_reason(
    fake_openai: FakeOpenAI,
    make_checker: Any,
    caplog: pytest.LogCaptureFixture,
    setup: Callable[[FakeOpenAI], None],
    reason: str,
) -> None:
    setup(fake_openai)

    with caplog.at_level(logging.WARNING, logger="bot.falsifiability.service"):
        verdict = make_checker().check(STATEMENT)

    assert verdict.checker == "rules"
    assert verdict.fallback_reason is not None
    assert reason in verdict.fallback_reason
    assert verdict == check_rules(STATEMENT).model_copy(
        update={"fallback_reason": verdict.fallback_reason}
    )
    assert len(fake_openai.requests) == 1
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert reason in caplog.text
    assert API_KEY not in caplog.text


def test_a_slow_model_falls_back_within_the_timeout(
    fake_openai: FakeOpenAI, make_checker: Any
) -> None:
    fake_openai.reply(REPLY)
    fake_openai.delay(2)
    checker = make_checker(gatebot_llm_timeout=0.5)

    started = time.monotonic()
    verdict = checker.check(STATEMENT)

    assert time.monotonic() - started < 1.5
    assert verdict.checker == "rules"
    assert verdict.fallback_reason == "the model took longer than 0.5s"
    assert len(fake_openai.requests) == 1


def test_without_a_key_only_the_rules_run(fake_openai: FakeOpenAI, make_checker: Any) -> None:
    fake_openai.reply(REPLY)

    verdict = make_checker(openai_api_key=None).check(STATEMENT)

    assert verdict == check_rules(STATEMENT)
    assert verdict.fallback_reason is None
    assert fake_openai.requests == []


def test_the_same_statement_is_asked_once(fake_openai: FakeOpenAI, make_checker: Any) -> None:
    fake_openai.reply(REPLY)
    checker = make_checker()

    first = checker.check("Improve recommendation relevance.")
    second = checker.check("  improve   RECOMMENDATION\n relevance. ")

    assert second == first
    assert second.checker == "llm"
    assert len(fake_openai.requests) == 1


def test_the_model_sees_the_statement_with_whitespace_collapsed(
    fake_openai: FakeOpenAI, make_checker: Any
) -> None:
    fake_openai.reply(REPLY)

    make_checker().check("  Improve\n\n recommendation   relevance. ")

    prompt = fake_openai.requests[0]["body"]["messages"][-1]["content"]
    assert "<statement>\nImprove recommendation relevance.\n</statement>" in prompt


def test_a_fallback_is_not_cached(fake_openai: FakeOpenAI, make_checker: Any) -> None:
    fake_openai.reply(REPLY)
    fake_openai.status(500, times=1)
    checker = make_checker()

    first = checker.check(STATEMENT)
    second = checker.check(STATEMENT)
    third = checker.check(STATEMENT)

    assert (first.checker, second.checker, third.checker) == ("rules", "llm", "llm")
    assert len(fake_openai.requests) == 2


def test_the_cache_forgets_the_least_recently_used(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply(REPLY)
    settings = _settings(fake_openai)
    checker = FalsifiabilityChecker(
        client=make_client(settings), model=settings.gatebot_llm_model, timeout=5, cache_size=2
    )
    try:
        for text in ("Statement A", "Statement B", "Statement A", "Statement C", "Statement A"):
            checker.check(text)
        assert len(fake_openai.requests) == 3  # A, B, C; A stayed recent, so B was dropped
        checker.check("Statement B")
        assert len(fake_openai.requests) == 4
    finally:
        checker.close()


def test_concurrent_checks_are_safe(fake_openai: FakeOpenAI, make_checker: Any) -> None:
    fake_openai.reply(REPLY)
    checker = make_checker()
    texts = [f"Statement {i % 5}" for i in range(40)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = list(pool.map(checker.check, texts))

    assert all(v.checker == "llm" for v in verdicts)
    # Concurrent first asks of one statement may each reach the model; later ones hit the cache.
    assert 5 <= len(fake_openai.requests) <= 40
    before = len(fake_openai.requests)
    checker.check("statement 3")
    assert len(fake_openai.requests) == before


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_statement_is_refused(
    fake_openai: FakeOpenAI, make_checker: Any, text: str
) -> None:
    with pytest.raises(ValueError, match="The statement is empty"):
        make_checker().check(text)

    assert fake_openai.requests == []


def test_a_huge_statement_is_refused(fake_openai: FakeOpenAI, make_checker: Any) -> None:
    with pytest.raises(ValueError, match="keep it under 4,000"):
        make_checker().check("word " * 2000)

    assert fake_openai.requests == []


def test_the_module_level_check_uses_the_given_settings(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply(REPLY)

    verdict = check(STATEMENT, settings=_settings(fake_openai))

    assert verdict.checker == "llm"
    assert fake_openai.requests[0]["body"]["model"] == "gpt-test-model"


def test_a_fake_answering_like_the_rules_gives_an_llm_verdict(
    fake_openai: FakeOpenAI, make_checker: Any
) -> None:
    fake_openai.from_rules()
    text = "Cut p95 latency below 120 ms for checkout within 4 weeks"

    verdict = make_checker().check(text)

    rules = check_rules(text)
    assert verdict.checker == "llm"
    assert (verdict.vague, verdict.missing) == (rules.vague, rules.missing)
