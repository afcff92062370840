"""Say in one or two sentences why a statement is, or is not, falsifiable, and what to add.

One reason per verdict, naming the real gap: the first vague phrase that stands in for the
missing element speaks, with its family's words; examples use the team's own outcome and
neutral placeholders, never a stock metric from another domain.
"""

from __future__ import annotations

import re

from bot.falsifiability.lexicon import DOWN_WORDS, UP_WORDS, WORK_VERB
from bot.falsifiability.rewrite import mid_sentence
from bot.falsifiability.verdict import Element, VagueFamily, VagueTerm

_HOLD = re.compile(
    r"\b(?:keep\w*|kept|stay\w*|remain\w*|maintain\w*|hold(?:s|ing)?)\b", re.IGNORECASE
)

# When no outcome is named, the vague word usually says why; the first family found speaks.
_NO_OUTCOME = {
    VagueFamily.OUTPUT_NOT_OUTCOME: "'{t}' describes the work, not an outcome: say which user "
    "or business metric it should move, and by how much.",
    VagueFamily.HYPE: "'{t}' is hype, not a measure: name the metric that should move and by "
    "how much.",
    VagueFamily.SUPERLATIVE: "'{t}' is not a threshold: name the metric and the number that "
    "counts as success.",
    VagueFamily.LOOPHOLE: "'{t}' is an open-ended amount: name the metric and the number that "
    "counts as success.",
    VagueFamily.SUBJECTIVE: "'{t}' is a feeling or quality nobody can count: name the "
    "behaviour that would show it and by how much.",
    VagueFamily.HEDGE: "'{t}' explores without making a claim: state the result that would "
    "count as success.",
    VagueFamily.PLACEHOLDER: "'{t}' is a placeholder, not a number, and no metric is named: "
    "say which metric moves and write the amount.",
}
# With an outcome but no size or no direction, these words stand in for what is missing.
_STANDS_IN = {
    VagueFamily.PLACEHOLDER: "is a placeholder, not a number",
    VagueFamily.HEDGE: "explores without making a claim",
    VagueFamily.LOOPHOLE: "is an open-ended amount",
    VagueFamily.SUPERLATIVE: "is not a threshold",
    VagueFamily.HYPE: "is hype, not a measure",
    VagueFamily.NO_DIRECTION: "gives a size but no direction",
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
        if work:
            return "Vague: " + _NO_OUTCOME[VagueFamily.OUTPUT_NOT_OUTCOME].format(t=work)
        for family, says in _NO_OUTCOME.items():
            term = next((t.term for t in terms if t.family == family), None)
            if term:
                return "Vague: " + says.format(t=term)
        return (
            "Vague: no observable outcome. Name the metric or behaviour that should change, "
            "and by how much."
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
    hold = bool(_HOLD.search(direction))
    wanted = (
        (VagueFamily.NO_DIRECTION,)
        if Element.DIRECTION in missing
        else tuple(f for f in _STANDS_IN if f != VagueFamily.NO_DIRECTION)
    )
    if Element.DIRECTION in missing:
        gap = "no direction"
        ask = f"Say whether {outcome} should go up or down, and by how much"
        example = f"'{outcome} from [baseline] to [target]'"
    elif hold:
        gap = "no threshold"
        ask = f"Say the number {outcome} must stay under or over"
        example = f"'{outcome} stays under [threshold]'"
    else:
        gap = "no magnitude"
        ask = f"Say by how much {outcome} should {'fall' if down else 'rise'}"
        example = f"'{outcome} from [baseline] to [target]'"
    term = next((t for t in terms if t.family in wanted), None)
    if term is not None:
        gap = f"'{term.term}' {_STANDS_IN[term.family]}"
    return f"{gap}. {ask}, e.g. {example}."
