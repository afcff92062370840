"""Rewrite a statement as a falsifiable hypothesis, assembled only from the team's words.

The shape is fixed (DOMAIN.md): "We believe [change] will cause [behaviour change] for
[population] because [theory]. We will know we are wrong if [metric] does not move by [amount]
within [time]." A slot the statement fills carries its words verbatim; the others stay as
neutral placeholders made of the shape's own words. A failure condition the team wrote replaces
the second sentence's clause, a ceiling or floor keeps its own words, and every number the team
wrote stays. Of the ways to fill the slots, the first that keeps all five properties
(properties.py) wins: a slot that would repeat a phrase gives way to its placeholder.
"""

from __future__ import annotations

import re
from itertools import combinations

from bot.falsifiability.properties import (
    bounds,
    check_properties,
    repeated_runs,
    written_condition,
)
from bot.falsifiability.rewrite_slots import Slots, mid_sentence, read_slots
from bot.falsifiability.verdict import Element

PLACEHOLDERS: dict[str, str] = {
    "change": "[change]",
    "behaviour": "[behaviour change]",
    "population": "[population]",
    "reason": "[theory]",
    "metric": "[metric]",
    "amount": "[amount]",
    "time": "[time]",
}
# The slots that may give way to their placeholder, in the order they are tried.
_YIELDING = ("behaviour", "metric", "change", "population", "reason", "time")
_TRIES = [()] + [(name,) for name in _YIELDING] + list(combinations(_YIELDING, 2)) + [_YIELDING]
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# A clause of the statement; commas and colons inside numbers ("50,000", "1:07") do not cut.
_CLAUSE = re.compile(r"(?:[^,;:()\[\]]|(?<=\d)[,:](?=\d))+")
_BARE_BOUND = re.compile(
    r"^(?:under|below|above|over|less|fewer|more|greater|higher|lower|at|no|within|up to|"
    r"a minimum|a maximum|[<>≤≥])\b",
    re.IGNORECASE,
)
__all__ = ["PLACEHOLDERS", "build_rewrite", "keep_numbers", "mid_sentence"]


def build_rewrite(*, text: str, elements: dict[Element, str]) -> str:
    """Return the hypothesis in the fixed shape, in the team's words, with placeholders."""
    slots = read_slots(text=text, elements=elements)
    best: tuple[int, str] | None = None
    for yielded in _TRIES:
        rewrite = keep_numbers(text, _assemble(slots, yielded=set(yielded)))
        found = check_properties(statement=text, rewrite=rewrite)
        if found.ok:
            return rewrite
        if best is None or found.failures() < best[0]:
            best = (found.failures(), rewrite)
    assert best is not None
    return best[1]


def _assemble(slots: Slots, *, yielded: set[str]) -> str:
    """Join the slots into the two sentences, with `yielded` slots left as placeholders."""

    def slot(name: str) -> str:
        value = getattr(slots, name)
        return PLACEHOLDERS[name] if name in yielded or not value else value

    change = slot("change")
    outcome = None if "metric" in yielded else slots.outcome
    head = (
        f"We believe that if we {change}, it will cause"
        if slots.imperative and "change" not in yielded and slots.change
        else f"We believe {change} will cause"
    )
    has_behaviour = bool(outcome) and "behaviour" not in yielded
    time = (None if "time" in yielded else slots.time) or f"within {PLACEHOLDERS['time']}"
    condition = written_condition(slots.text)
    bound = slots.bound and slots.amount and not (condition and slots.failure)
    if has_behaviour and bound:
        # The team's ceiling or floor, as written: "response time to be under 150 ms".
        joiner = " to be " if _BARE_BOUND.match(slots.amount or "") else " "
        behaviour = f"{outcome}{joiner}{slots.amount}"
    elif has_behaviour:
        behaviour = f"a change in {outcome}"
    elif slots.aim and "behaviour" not in yielded:
        # No metric, but the team named what it wants to move: the suggestion stays theirs.
        behaviour = f"a change in [metric of {slots.aim}]"
        has_behaviour = True
    else:
        behaviour = PLACEHOLDERS["behaviour"]
    first = f"{head} {behaviour} for {slot('population')} because {slot('reason')}."
    if condition and slots.failure:
        second = f"We will know we are wrong {condition[:1].lower()}{condition[1:]}"
        if time.lower() not in condition.lower() and "[" not in time:
            second += f" {time}"
        return f"{first} {second}."
    if has_behaviour and bound:
        return f"{first} We will know we are wrong if it is not so {time}."
    subject = "it" if has_behaviour else (outcome or PLACEHOLDERS["metric"])
    return f"{first} We will know we are wrong if {subject} {_test(slots)} {time}."


def _test(slots: Slots) -> str:
    """Return the verb phrase that says what result would count against the claim."""
    amount = slots.amount
    if not amount:
        way = f" {slots.sense}" if slots.sense else ""
        return f"does not move{way} by {PLACEHOLDERS['amount']}"
    if slots.bound:
        joiner = " to be " if _BARE_BOUND.match(amount) else " "
        return f"does not move{joiner}{amount}"  # no metric to name: the team's bound, as written
    if slots.verb_amount:
        return f"does not {amount.lower()}"  # "does not double"
    way = f" {slots.sense}" if slots.sense and not amount.lower().startswith("from") else ""
    lead = re.match(r"(?:by|from|to|at)\b", amount, re.IGNORECASE)
    return f"does not move{way} {amount if lead else 'to ' + amount}"


def keep_numbers(text: str, rewrite: str) -> str:
    """Append, in the team's words, the few words around each number or bound it would drop."""
    fragments: list[str] = []
    wanted = bounds(text)
    for clause in _CLAUSE.finditer(text):
        words = clause.group(0).split()
        for i, word in enumerate(words):
            numbers = _NUMBER.findall(word)
            if not numbers:
                continue
            so_far = " ".join([rewrite, *fragments])
            kept = set(_NUMBER.findall(so_far))
            lost = {number for _, number in wanted - bounds(so_far)} if wanted else set()
            if any(n not in kept or n in lost for n in numbers):
                fragments.append(_window(words, i, taken=so_far))
    if not fragments:
        return rewrite
    return f"{rewrite[:-1]} ({'; '.join(fragments)})."


_NEGATIONS = frozenset({"no", "not", "never"})
# Words a fragment must not end on: a window cut at "… to 88% on the" reads as if the team
# had stopped mid-sentence. At its start only joining words go: "at least", "by", "no more
# than" belong to the number's bound.
_DANGLING_END = frozenset(
    [
        "a",
        "an",
        "the",
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
        "but",
        "while",
        "than",
        "as",
        "into",
        "onto",
        "per",
        "via",
        "within",
        "over",
        "under",
        "its",
        "their",
        "our",
        "this",
        "that",
        "these",
        "those",
    ]
)
_DANGLING_START = frozenset({"and", "or", "but", "while", "whereas"})


def _trimmed(words: list[str], start: int, end: int, at: int) -> tuple[int, int]:
    """Narrow words[start:end] so it neither ends nor starts on a word that leads nowhere."""
    while end - 1 > at and words[end - 1].lower().strip(" .,") in _DANGLING_END:
        end -= 1
    while start < at and words[start].lower() in _DANGLING_START:
        start += 1
    return start, end


def _window(words: list[str], at: int, *, taken: str) -> str:
    """Return the widest run of words around words[at] that repeats no 3-word run of `taken`."""
    for left, right in ((3, 4), (2, 3), (2, 1), (1, 1), (0, 1), (0, 0)):
        start = max(0, at - left)
        while start and words[start - 1].lower() in _NEGATIONS:
            start -= 1  # "no drop greater than 0.5%": the negation turns the bound round
        first, end = _trimmed(words, start, min(len(words), at + right + 1), at)
        piece = " ".join(words[first:end]).strip(" .")
        if not repeated_runs(statement="", rewrite=f"{taken} {piece}"):
            return piece
    return words[at].strip(" .")
