"""Say in one or two sentences why a statement is, or is not, falsifiable, and what to add."""

from __future__ import annotations

import re

from bot.falsifiability.lexicon import DOWN_WORDS, UP_WORDS, WORK_VERB
from bot.falsifiability.rewrite import mid_sentence
from bot.falsifiability.verdict import Element, VagueFamily, VagueTerm

_LATENCY = re.compile(r"latenc", re.IGNORECASE)
_TIMED = re.compile(r"time|duration|delay|wait|minutes|seconds|eta\b", re.IGNORECASE)
_MONEY = re.compile(r"cost|revenue|spend|margin|price|profit|sales|arp|gmv|ltv|\$", re.IGNORECASE)
_HOLD = re.compile(
    r"\b(?:keep\w*|kept|stay\w*|remain\w*|maintain\w*|hold(?:s|ing)?)\b", re.IGNORECASE
)

# When no outcome is named, the vague word usually says why; the first family found speaks.
_NO_OUTCOME = {
    VagueFamily.OUTPUT_NOT_OUTCOME: "'{t}' describes the work, not an outcome: say which user "
    "or business metric it should move, and by how much.",
    VagueFamily.HYPE: "'{t}' is hype, not a measure: name the metric that should move and by "
    "how much, e.g. 'repeat purchases per user rise by 5%'.",
    VagueFamily.SUPERLATIVE: "'{t}' is not a threshold: name the metric and the number that "
    "counts as success, e.g. 'AUC of at least 0.85 on the March holdout'.",
    VagueFamily.SUBJECTIVE: "'{t}' is a feeling or quality nobody can count: name the "
    "behaviour that would show it and by how much, e.g. 'weekly return rate rises by 3 points'.",
    VagueFamily.HEDGE: "'{t}' explores without making a claim: state the result that would "
    "count as success, e.g. 'conversion rises from 3.1% to 3.4% in a 4-week test'.",
}
# With an outcome but no size, these words are what stands in for the number.
_STANDS_IN = {
    VagueFamily.HEDGE: "explores without making a claim",
    VagueFamily.LOOPHOLE: "is an open-ended amount",
    VagueFamily.SUPERLATIVE: "is not a threshold",
    VagueFamily.HYPE: "is hype, not a measure",
}


def explain(*, elements: dict[Element, str], missing: list[Element], terms: list[VagueTerm]) -> str:
    """Return why the statement is (or is not) falsifiable, and what would fix it."""
    outcome = mid_sentence(elements.get(Element.OUTCOME, ""))
    direction = mid_sentence(elements.get(Element.DIRECTION, ""))
    work = next(
        (
            t.term
            for t in terms
            if t.family == VagueFamily.OUTPUT_NOT_OUTCOME and WORK_VERB.match(t.term)
        ),
        None,
    )
    if Element.OUTCOME in missing or (work and Element.MAGNITUDE in missing):
        for family, says in _NO_OUTCOME.items():
            term = next((t.term for t in terms if t.family == family), None)
            if term:
                return "Vague: " + says.format(t=term)
        return (
            "Vague: no observable outcome. Name the metric or behaviour that should change, "
            "e.g. 'purchases per session', and by how much."
        )
    if Element.DIRECTION in missing or Element.MAGNITUDE in missing:
        return "Vague: " + _ask_for_size(
            outcome=outcome, direction=direction, missing=missing, terms=terms
        )
    magnitude = elements[Element.MAGNITUDE]
    named = (
        f"a direction and magnitude ({magnitude})"
        if direction == mid_sentence(magnitude)
        else f"a direction ({direction}) and a magnitude or decision rule ({magnitude})"
    )
    extra = [e.value for e in (Element.TIME_WINDOW, Element.POPULATION) if e in missing]
    sharpen = f" To sharpen the test, add a {' and a '.join(extra)}." if extra else ""
    return f"Falsifiable: it names an outcome ({outcome}), {named}.{sharpen}"


def _ask_for_size(
    *, outcome: str, direction: str, missing: list[Element], terms: list[VagueTerm]
) -> str:
    """Return the sentence that asks for the missing direction or size of the outcome."""
    down = bool(DOWN_WORDS.search(direction)) and not UP_WORDS.search(direction)
    if Element.DIRECTION in missing:
        gap = "no direction"
        ask = f"Say whether {outcome} should go up or down, and by how much, e.g. "
    elif _HOLD.search(direction):
        gap = "no threshold"
        ask = f"Say the number {outcome} must stay under or over, e.g. "
    else:
        gap = "no magnitude"
        ask = f"Say by how much {outcome} should {'fall' if down else 'rise'}, e.g. "
    term = next((t for t in terms if t.family in _STANDS_IN), None)
    if term is not None:
        gap = f"'{term.term}' {_STANDS_IN[term.family]}"
    return (
        f"{gap}. {ask}{_example(outcome=outcome, down=down, hold=bool(_HOLD.search(direction)))}."
    )


def _example(*, outcome: str, down: bool, hold: bool = False) -> str:
    """Return an example amount in the outcome's own units, moving the right way."""
    if _LATENCY.search(outcome):
        return "'p95 under 300 ms'" if hold else "'from 900 ms to under 600 ms'"
    if _TIMED.search(outcome):
        return "'from 12 to 9 minutes'" if down or hold else "'from 2.0 to 2.5 minutes'"
    if _MONEY.search(outcome):
        return "'by $0.40 per user per month'"
    if hold:
        return "'at or above 97%'"
    return "'from 4.5% to 4.1%'" if down else "'from 4.1% to 4.5%'"
