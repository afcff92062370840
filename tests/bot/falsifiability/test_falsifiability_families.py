"""The shapes that used to be over-flagged, and one reason per gap (statements of our own)."""

from __future__ import annotations

import pytest

from bot.falsifiability.rules import check_rules
from bot.falsifiability.verdict import Element, VagueFamily


@pytest.mark.parametrize(
    "text",
    [
        # capacity and availability requirements
        "The booking service shall handle 800 concurrent sessions.",
        "The export job must process a minimum of 2,000 invoices per minute.",
        "The scheduler shall support up to 5,000 active calendars without errors.",
        "The claims portal shall be available 99.9% of the time.",
        "Maintain 99.95% uptime for the payments API.",
        # thresholds written as nouns or as counts
        "Our bar for recall is 0.8 on the audited claims set.",
        "The kill threshold for blended CAC is $95.",
        "The geocoder answers 998 of every 1,000 lookups.",
        # metrics the lexicon does not know, read by their shape
        "Day-7 activation of invited teammates will rise from 22% to 27%.",
        "weekly_stickiness rises from 0.21 to 0.25 after the digest ships.",
        "ARPA grows by 8% in the SMB segment this quarter.",
        "p95 latency of the quote endpoint stays under 300 ms.",
        # week-over-week is a rate, not a feeling
        "Grow paid workspaces 6% WoW through June.",
        # Given/When/Then: the precondition's number is not the target
        "Given a basket with 12 items, when the shopper pays, then the receipt shows in under "
        "2 seconds.",
        # decision rules without numbers
        "Roll back the new matcher if the guardrail regresses.",
        "Pause the rollout if refund complaints rise during the canary.",
        # a duration bound on what the system must do
        "The ledger shall recover from a node failure within 5 minutes.",
    ],
)
def test_falsifiable_shapes_are_not_flagged(text: str) -> None:
    verdict = check_rules(text)

    assert not verdict.vague, verdict.explanation


def test_given_when_then_targets_the_then_clause() -> None:
    verdict = check_rules(
        "Given a basket with 12 items, when the shopper pays, then the receipt shows in under "
        "2 seconds."
    )

    assert verdict.elements[Element.MAGNITUDE] == "under 2 seconds"
    assert "12" not in verdict.elements[Element.MAGNITUDE]
    assert verdict.elements[Element.OUTCOME] == "receipt shows"


def test_wow_is_not_a_vague_term() -> None:
    assert check_rules("Grow paid workspaces 6% WoW through June.").vague_terms == []


@pytest.mark.parametrize(
    ("text", "family", "reason"),
    [
        ("Publish 12 posts a month.", VagueFamily.OUTPUT_NOT_OUTCOME, "describes the work"),
        ("Run 20 customer interviews this sprint.", VagueFamily.OUTPUT_NOT_OUTCOME, "the work"),
        (
            "We want a 15% minimum change in shared carts.",
            VagueFamily.NO_DIRECTION,
            "gives a size but no direction",
        ),
        ("Reach the best possible recall on fraud.", VagueFamily.LOOPHOLE, "open-ended amount"),
        ("Raise invoice auto-match by at least N%.", VagueFamily.PLACEHOLDER, "a placeholder"),
        ("Cut dispute rate from X to Y.", VagueFamily.PLACEHOLDER, "a placeholder"),
        ("Keep refund errors under TBD.", VagueFamily.PLACEHOLDER, "a placeholder"),
        ("Make the onboarding feel delightful.", VagueFamily.SUBJECTIVE, "a feeling"),
    ],
)
def test_each_vague_phrase_has_one_family_and_the_reason_names_it(
    text: str, family: VagueFamily, reason: str
) -> None:
    verdict = check_rules(text)

    assert verdict.vague
    assert family in {t.family for t in verdict.vague_terms}
    assert reason in verdict.explanation
    assert "no direction" not in verdict.explanation or family == VagueFamily.NO_DIRECTION


def test_a_placeholder_is_not_a_magnitude() -> None:
    verdict = check_rules("Lift trial-to-paid conversion by N% within 8 weeks.")

    assert Element.MAGNITUDE in verdict.missing
    assert verdict.explanation.startswith("Vague: 'N%' is a placeholder, not a number.")


def test_higher_and_lower_are_directions_never_vague_terms() -> None:
    for text in (
        "Approval rates should be higher for returning borrowers.",
        "Keep support cost lower than last year.",
    ):
        verdict = check_rules(text)
        assert all(t.term.lower() not in {"higher", "lower"} for t in verdict.vague_terms)
        assert Element.DIRECTION not in verdict.missing


def test_a_written_falsification_condition_is_never_reported_missing() -> None:
    for text in (
        "Churn will fall to 4% by May; we are wrong if it stays above 6%.",
        "Kill it if day-3 retention is under 30% after 2,000 signups.",
        "If opt-outs pass 1.5%, we stop the campaign.",
    ):
        verdict = check_rules(text)
        assert Element.FALSIFICATION not in verdict.missing, text
        assert "falsification" not in verdict.explanation


def test_an_activity_count_is_output_not_a_missing_direction() -> None:
    verdict = check_rules("Publish 12 posts a month.")

    assert verdict.explanation.startswith("Vague: 'Publish 12 posts a month' describes the work")
