"""The offline falsifiability check: deterministic rules, no network, well under a millisecond.

A statement is falsifiable when it names an outcome, a direction and a magnitude or decision
rule (../shared/eval/RUBRIC.md). The rules find each element from the shape of the sentence
(a quantity and the comparator that binds it, a direction verb, a metric noun phrase) and
report the vague words they met on the way; the label follows from the required elements alone.
"""

from __future__ import annotations

import re

from bot.falsifiability.context import (
    find_falsification,
    find_population,
    find_reason,
    find_time_window,
)
from bot.falsifiability.elements import find_change, find_direction
from bot.falsifiability.explain import explain
from bot.falsifiability.lexicon import NO_DIRECTION
from bot.falsifiability.outcome import find_outcome
from bot.falsifiability.properties import written_condition
from bot.falsifiability.quantities import Quantity, find_magnitudes
from bot.falsifiability.rewrite import build_rewrite
from bot.falsifiability.vague import FLAGGED_WHEN_FALSIFIABLE, find_vague_terms
from bot.falsifiability.verdict import (
    ELEMENT_ORDER,
    REQUIRED_ELEMENTS,
    Element,
    Verdict,
)

# A hypothesis is a sentence or two; past this the rules read only the start, so a pasted
# document cannot stall the Slack handler (some patterns look back over whole clauses).
MAX_CHARS = 5_000


class EmptyStatementError(ValueError):
    """Raised when there is no statement to check."""

    def __init__(self) -> None:
        super().__init__(
            "There is no statement to check: write the hypothesis in a sentence, e.g. "
            "'The new ranker will raise click-through rate from 4.1% to 4.5% within 4 weeks.'"
        )


def check_rules(text: str) -> Verdict:
    """Check a statement with the offline rules; raise EmptyStatementError when it is blank."""
    statement = " ".join(text.split())
    if not statement:
        raise EmptyStatementError()
    truncated = len(statement) > MAX_CHARS
    statement = statement[:MAX_CHARS]
    elements = find_elements(statement)
    missing = [e for e in ELEMENT_ORDER if e not in elements]
    vague = any(e in missing for e in REQUIRED_ELEMENTS)
    terms = find_vague_terms(statement)
    if not vague:
        terms = [t for t in terms if t.family in FLAGGED_WHEN_FALSIFIABLE]
    return Verdict(
        vague=vague,
        missing=missing,
        vague_terms=terms,
        elements=elements,
        explanation=explain(elements=elements, missing=missing, terms=terms)
        + (f" Only the first {MAX_CHARS:,} characters were checked." if truncated else ""),
        rewrite=build_rewrite(text=statement, elements=elements),
        checker="rules",
    )


def find_elements(statement: str) -> dict[Element, str]:
    """Return the elements found in a (whitespace-normalised) statement, in Element order."""
    magnitudes = find_magnitudes(statement)
    claim_start = find_change(statement, magnitudes=magnitudes).claim_start
    then = _THEN.search(statement)
    if then:
        claim_start = max(claim_start, then.end())  # Given/When/Then: the Then is the claim
    # Numbers in the change ("reducing flags by 20% will ...") do not size the outcome.
    claimed = [q for q in magnitudes if q.start >= claim_start]
    outcome = find_outcome(statement, magnitudes=claimed, after=claim_start)
    if outcome is None and claim_start:
        # "Once you're generating revenues, they should grow at 5%": the opener names it.
        outcome = find_outcome(statement, magnitudes=claimed, after=0)
    magnitude = _main_magnitude(statement, claimed=claimed, outcome=outcome)
    direction = find_direction(
        statement, after=claim_start, before=magnitude.start if magnitude else None
    )
    if direction is None and magnitude is not None and not NO_DIRECTION.search(statement):
        # A target says which way by itself: "from 31% to 33%", "8 out of 10 answered";
        # "a 15% minimum change in" does not.
        direction = magnitude.text
    rule = None if magnitude else _RULE.search(written_condition(statement) or "")
    found_rule = rule.group(0) if rule else None  # "roll back if the guardrail regresses"
    population = find_population(statement)
    found = {
        Element.OUTCOME: outcome,
        Element.DIRECTION: direction or (rule and rule["move"]),
        Element.MAGNITUDE: magnitude.text if magnitude else found_rule,
        # "users who joined in the last 60 days" defines who, not how long the test runs.
        Element.TIME_WINDOW: find_time_window(statement, skip=population and population[1]),
        Element.POPULATION: population and population[0],
        Element.FALSIFICATION: find_falsification(statement) or written_condition(statement),
        Element.REASON: find_reason(statement),
    }
    return {e: v for e, v in found.items() if v}


# "Given a cart with 3 items, when ..., then ...": the precondition's numbers are not targets.
_THEN = re.compile(r"^\s*given\b.*?\bwhen\b.*?\bthen\b", re.IGNORECASE | re.DOTALL)
# A failure rule that needs no number: any move the wrong way decides.
_RULE = re.compile(
    r"\b(?:if|when|whenever)\b.*\b(?P<move>regress\w*|degrad\w*|worsen\w*|gets?\s+(?:worse|slower)|"
    r"drops?|falls?|declines?|decreases?|rises?|increases?|spikes?|returns?\s+more)\b.*",
    re.IGNORECASE,
)


def _main_magnitude(
    statement: str, *, claimed: list[Quantity], outcome: str | None
) -> Quantity | None:
    """Return the magnitude that sizes the outcome: the first one at or after it."""
    # "within 90 seconds" usually defines the metric; use it only when nothing else sizes it.
    sized = [q for q in claimed if not q.text.lower().startswith("within")] or claimed
    if outcome:
        at = statement.find(outcome)
        after = [q for q in sized if q.start >= at]
        if after:
            return after[0]
    return sized[0] if sized else None
