"""The rules' rewrite: the team's words, neutral placeholders, and all five properties."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.falsifiability.properties import REWRITE_SHAPE, check_properties
from bot.falsifiability.rewrite import PLACEHOLDERS, build_rewrite
from bot.falsifiability.rules import check_rules
from bot.falsifiability.verdict import Element

DATA = Path(__file__).resolve().parents[2] / "data"
BRACKETED = re.compile(r"\[[^\]]*\]")


def _rewrite(text: str) -> str:
    return check_rules(text).rewrite


def test_every_slot_found_carries_the_team_words() -> None:
    text = (
        "The triage classifier will cut median time to first response from 9 hours to 4 hours "
        "for enterprise tenants within 6 weeks because urgent tickets reach on-call first."
    )

    assert _rewrite(text) == (
        "We believe the triage classifier will cause a change in median time to first response "
        "for enterprise tenants because urgent tickets reach on-call first. We will know we are "
        "wrong if it does not move from 9 hours to 4 hours within 6 weeks."
    )


def test_placeholders_are_the_shape_words_with_no_stock_example() -> None:
    rewrite = _rewrite("Make the fraud model better.")

    assert rewrite == (
        "We believe [change] will cause [behaviour change] for [population] because [theory]. "
        "We will know we are wrong if [metric] does not move by [amount] within [time]."
    )
    shape_placeholders = set(BRACKETED.findall(REWRITE_SHAPE)) | {"[behaviour change]"}
    assert set(PLACEHOLDERS.values()) <= shape_placeholders | {"[theory]"}


@pytest.mark.parametrize(
    "text",
    [
        "Cut hospital readmissions within 30 days for heart-failure patients.",
        "Block more card-testing attacks at checkout.",
        "Keep GPU cost per 1,000 inferences under $0.40.",
    ],
)
def test_no_word_from_another_domain_enters_the_rewrite(text: str) -> None:
    found = check_properties(statement=text, rewrite=_rewrite(text))

    assert found.invented == []
    for stock in ("purchases", "session", "click-through", "ranking", "dwell"):
        assert stock not in _rewrite(text)


def test_a_bracketed_suggestion_comes_only_from_the_statement() -> None:
    rewrite = _rewrite("Improve claim triage for small insurers.")

    assert "[metric of claim triage]" in rewrite
    assert check_properties(
        statement="Improve claim triage for small insurers.", rewrite=rewrite
    ).ok


def test_a_phrase_the_change_and_the_outcome_share_is_written_once() -> None:
    text = "Retrain the nightly demand forecast so nightly demand forecast error falls by 10%."

    rewrite = _rewrite(text)

    assert check_properties(statement=text, rewrite=rewrite).repeated == []
    assert "by 10%" in rewrite


def test_every_number_the_team_wrote_stays_including_guardrails() -> None:
    text = (
        "The new dispatcher will lift on-time pickups by 6% with no more than 2% more idle "
        "minutes per driver over 3 weeks in Leeds."
    )

    rewrite = _rewrite(text)

    for number in ("6", "2", "3"):
        assert re.search(rf"\b{number}\b", rewrite), rewrite
    assert "no more than 2%" in rewrite
    assert check_properties(statement=text, rewrite=rewrite).ok


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("Checkout p95 latency stays under 150 ms.", "under 150 ms"),
        ("Search answers should come within 20 seconds at most.", "within 20 seconds"),
        ("Refund errors must be no more than 2 per 10,000 refunds.", "no more than 2"),
        ("At least 70% of agents accept a drafted reply.", "At least 70%"),
        ("Recovery should not take more than 5 minutes.", "not take more than 5 minutes"),
    ],
)
def test_a_ceiling_or_a_floor_keeps_its_direction(text: str, bound: str) -> None:
    rewrite = _rewrite(text)

    assert bound in rewrite
    assert "[a rise or a drop]" not in rewrite
    assert check_properties(statement=text, rewrite=rewrite).reversed_bounds == []


def test_the_team_falsification_condition_is_kept_as_theirs() -> None:
    text = "Smart reorder will lift repeat baskets to 30%; we are wrong if it stays below 22%."

    verdict = check_rules(text)

    assert Element.FALSIFICATION not in verdict.missing
    assert "We will know we are wrong if it stays below 22%" in verdict.rewrite
    assert "[amount]" not in verdict.rewrite


def test_a_rollback_rule_becomes_the_condition_not_its_opposite() -> None:
    rewrite = _rewrite("Roll back the pricing model if gross margin falls below 18%.")

    assert rewrite.endswith("We will know we are wrong if gross margin falls below 18%.")


def test_work_becomes_the_change_in_the_team_words() -> None:
    rewrite = _rewrite("Ship the claims summariser by the end of Q3.")

    assert rewrite.startswith("We believe that if we ship the claims summariser, it will cause")
    assert rewrite.endswith("by the end of Q3.")


def test_build_rewrite_takes_elements_from_any_checker_and_only_the_team_words() -> None:
    text = "Shorter forms will raise loan applications completed by 5% within 2 weeks."
    elements = {
        Element.OUTCOME: "loan applications completed",
        Element.DIRECTION: "raise",
        Element.MAGNITUDE: "by 5%",
        Element.TIME_WINDOW: "within 2 weeks",
        Element.REASON: "because applicants hate long forms",  # paraphrase, not written
    }

    rewrite = build_rewrite(text=text, elements=elements)

    assert rewrite == (
        "We believe shorter forms will cause a change in loan applications completed for "
        "[population] because [theory]. We will know we are wrong if it does not move up by "
        "5% within 2 weeks."
    )
    assert elements[Element.MAGNITUDE] == "by 5%"  # the input is not changed


def _rows(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


@pytest.mark.parametrize(
    "name", ["falsifiability_public.jsonl", "falsifiability_public_heldout.jsonl"]
)
def test_public_statements_get_rewrites_with_all_five_properties(name: str) -> None:
    rows = _rows(name)
    kept = [check_properties(statement=r["text"], rewrite=_rewrite(r["text"])).ok for r in rows]

    assert sum(kept) / len(kept) >= 0.95


def test_words_kept_around_a_number_end_where_the_team_could_have_stopped() -> None:
    text = (
        "Spam classifier precision will stay at or above 97% while recall rises from 80% to "
        "88% on the March holdout set."
    )

    rewrite = _rewrite(text)

    assert rewrite.endswith("(recall rises from 80% to 88%).")  # not "… to 88% on the)"
    assert check_properties(statement=text, rewrite=rewrite).ok


_ENDS_NOWHERE = frozenset(
    [
        "the",
        "a",
        "an",
        "on",
        "of",
        "in",
        "at",
        "to",
        "for",
        "by",
        "with",
        "from",
        "and",
        "or",
        "within",
    ]
)


@pytest.mark.parametrize(
    "name",
    [
        "falsifiability_public.jsonl",
        "falsifiability_public_heldout.jsonl",
        "falsifiability_heldout.jsonl",
    ],
)
def test_no_kept_fragment_ends_on_a_word_that_leads_nowhere(name: str) -> None:
    fragments = []
    for row in _rows(name):
        appended = re.search(r"\(([^()]*)\)\.$", _rewrite(row["text"]))
        fragments += appended.group(1).split("; ") if appended else []

    dangling = [f for f in fragments if f.split()[-1].lower() in _ENDS_NOWHERE]
    assert fragments and not dangling
