"""Read the slots of a rewrite from a statement and its elements, keeping only the team's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.falsifiability.elements import find_change
from bot.falsifiability.lexicon import DOWN_WORDS, UP_WORDS
from bot.falsifiability.properties import written_condition
from bot.falsifiability.quantities import find_magnitudes
from bot.falsifiability.verdict import Element

_TRIM = " \t.,;:!?"
_POPULATION_LEAD = re.compile(r"^(?:for|among|across|in|on)\s+", re.IGNORECASE)
_REASON_LEAD = re.compile(
    r"^(?:because(?:\s+of)?|since|due to|given that|as a result of|thanks to|as)\s+", re.IGNORECASE
)
# A time phrase that already says how it bounds the test keeps its own preposition.
_TIME_LEAD = re.compile(
    r"^(?:within|in|over|during|by|before|after|across|for|this|next|each|every|on)\b", re.I
)
_BOUND = re.compile(
    r"\b(?:under|below|above|over|less|fewer|more|greater|higher|lower|least|most|minimum|maximum|"
    r"within|exceed\w*|up to)\b|[<>≤≥]|\bor (?:less|more|fewer)\b",
    re.IGNORECASE,
)
_MOVE = re.compile(r"(?:by|from)\b", re.IGNORECASE)
_VERB_AMOUNT = re.compile(
    r"^(?:will\s+|to\s+|would\s+|should\s+|must\s+)?(?:double|triple|halve|quadruple)s?$", re.I
)
_RANGE_VALUES = re.compile(r"from\s+\D*?([\d.,]+)\D+?([\d.,]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Slots:
    """What a rewrite can say in the team's words; None where the statement is silent."""

    text: str
    change: str | None
    imperative: bool
    outcome: str | None
    population: str | None
    reason: str | None
    time: str | None
    amount: str | None
    bound: bool
    verb_amount: bool
    sense: str | None
    failure: bool
    aim: str | None = None  # "Improve X" with no metric: what the team wants to move, X


def read_slots(*, text: str, elements: dict[Element, str]) -> Slots:
    """Return the slots of the rewrite of `text`, each verbatim from it or None."""
    amount = _verbatim(text, elements.get(Element.MAGNITUDE))
    direction = _verbatim(text, elements.get(Element.DIRECTION)) or ""
    change = find_change(text, magnitudes=find_magnitudes(text))
    condition = written_condition(text)  # only a failure: 'roll out if' names success
    return Slots(
        text=text,
        change=_mid(_verbatim(text, change.text)),
        imperative=change.imperative,
        outcome=_mid(_verbatim(text, elements.get(Element.OUTCOME))),
        population=_lead_stripped(text, elements.get(Element.POPULATION), _POPULATION_LEAD),
        reason=_lead_stripped(text, elements.get(Element.REASON), _REASON_LEAD),
        time=_time(text, elements.get(Element.TIME_WINDOW)),
        amount=amount,
        bound=bool(amount and _BOUND.search(amount) and not _MOVE.match(amount)),
        verb_amount=bool(amount and _VERB_AMOUNT.match(amount)),
        sense=_sense(direction=direction, amount=amount or ""),
        failure=condition is not None,
        aim=None if elements.get(Element.OUTCOME) else _aim(text=text, direction=direction),
    )


_AIM_END = re.compile(
    r"[,.;:!?]|\b(?:with|by|through|using|via|so|so that|for|across|in|on|to|and|while|without)\b",
    re.IGNORECASE,
)
# Only an opening imperative has its object right after it: "Improve X", "We want to grow X";
# in "Make X more accurate" the word after the direction is no aim.
_IMPERATIVE_LEAD = re.compile(
    r"^\s*(?:(?:we|let's|let us|our goal is to|the goal is to|aim to|want to|need to|will|"
    r"should|must|to)\s+)*$",
    re.IGNORECASE,
)


def _aim(*, text: str, direction: str) -> str | None:
    """Return what the statement wants to move when it names no metric: 'Improve X' -> 'X'."""
    at = text.lower().find(direction.lower()) if direction else -1
    if at < 0 or not _IMPERATIVE_LEAD.match(text[:at]):
        return None
    rest = text[at + len(direction) :]
    end = _AIM_END.search(rest)
    words = (rest[: end.start()] if end else rest).split()
    return _mid(_verbatim(text, " ".join(words[:6])))


def _verbatim(text: str, value: str | None) -> str | None:
    """Return the value when the statement wrote it (case aside), so no word is invented."""
    cleaned = (value or "").strip(_TRIM).replace("[", "(").replace("]", ")")
    if not cleaned or cleaned.lower() not in text.lower():
        return None
    return cleaned


def _lead_stripped(text: str, value: str | None, lead: re.Pattern[str]) -> str | None:
    found = _verbatim(text, value)
    return lead.sub("", found) if found else None


def _time(text: str, value: str | None) -> str | None:
    found = _verbatim(text, value)
    if not found:
        return None
    return _mid(found) if _TIME_LEAD.match(found) else f"within {found}"


def _mid(words: str | None) -> str | None:
    return mid_sentence(words) if words else None


def _sense(*, direction: str, amount: str) -> str | None:
    """Return 'up' or 'down' from the direction word, or from a 'from X to Y' span."""
    values = _RANGE_VALUES.search(amount)
    if values:
        try:
            a, b = (float(v.replace(",", "").rstrip(".") or 0) for v in values.groups())
        except ValueError:
            return None
        return "up" if b > a else "down"
    if DOWN_WORDS.search(direction) and not UP_WORDS.search(direction):
        return "down"
    if UP_WORDS.search(direction):
        return "up"
    return None


def mid_sentence(words: str) -> str:
    """Lower-case a leading capital so a phrase reads inside a sentence; keep acronyms."""
    first = words.split(" ", 1)[0]
    if first[:1].isupper() and first[1:] == first[1:].lower() and not first[1:2].isdigit():
        return words[0].lower() + words[1:]
    return words
