"""Rewrite a statement as a falsifiable hypothesis, in the team's words where they gave them.

The shape is fixed (DOMAIN.md): "We believe [change] will cause [behaviour change] for
[population] because [reason]. We will know we are wrong if [metric] does not move by [amount]
within [time]." Slots the statement fills carry its own words; the others stay as bracketed
placeholders that say what is needed. Numbers appear only inside brackets or as the team wrote
them, so the rewrite never puts a target in the team's mouth.
"""

from __future__ import annotations

import re

from bot.falsifiability.elements import find_change
from bot.falsifiability.lexicon import DOWN_WORDS, UP_WORDS, WORK_VERB
from bot.falsifiability.quantities import find_magnitudes
from bot.falsifiability.verdict import Element

PLACEHOLDERS: dict[str, str] = {
    "change": "[the change you will make, e.g. ranking results by predicted dwell time]",
    "behaviour": "[the behaviour that changes, e.g. a rise in purchases per session]",
    "population": "[which users or segment, e.g. new users on mobile]",
    "reason": "[why you expect it, e.g. users abandon searches that show out-of-stock items]",
    "metric": "[the metric you will watch, e.g. click-through rate]",
    "amount": "[by how much, e.g. +2 points]",
    "time": "[how long, e.g. 4 weeks]",
}

_TRIM = " \t.,;:!?"
_POPULATION_LEAD = re.compile(r"^(?:for|among|across|in|on)\s+", re.IGNORECASE)
_REASON_LEAD = re.compile(
    r"^(?:because(?:\s+of)?|since|due to|given that|as a result of|thanks to|as)\s+", re.IGNORECASE
)
_TIME_LEAD = re.compile(r"^(?:within|over|in|during|for|after|across|inside)\s+", re.IGNORECASE)
_BY = re.compile(r"^by\s+", re.IGNORECASE)
_HOLD = re.compile(
    r"\b(?:stay\w*|keep\w*|kept|remain\w*|maintain\w*|hold(?:s|ing)?)\b", re.IGNORECASE
)
# A bound on a level rather than a move: "below 120 ms", "at least 70% of clinicians".
_BOUND = re.compile(
    r"^(?:(?:is|are|be|stays?|remains?|to)\s+)?(?P<op>at least|at most|no (?:more|less|fewer) than|"
    r"(?:more|less|fewer|greater|higher|lower) than|under|below|above|over|exceed(?:s|ed|ing)?|"
    r"within|at)\s+(?P<value>.+)$",
    re.IGNORECASE,
)
_INVERSE = {
    "under": "at or above",
    "below": "at or above",
    "less than": "at least",
    "fewer than": "at least",
    "lower than": "at least",
    "above": "at or below",
    "over": "at or below",
    "more than": "at most",
    "greater than": "at most",
    "higher than": "at most",
    "exceeds": "at or below",
    "exceed": "at or below",
    "at least": "below",
    "at most": "above",
}
# Monitoring and rollback rules name the failure; the hypothesis is the other side of it.
_FAIL = (
    r"\b(?:kill|stop|drop|abandon|sunset|revert|roll\s?back|pause|disable|alert|page|flag\w*|"
    r"fires?|escalate|retrain|retire|wrong|falsified|fail\w*)\b"
)
_FAIL_THEN_IF = re.compile(_FAIL + r"[^.;]*\b(?:if|when|whenever)\b[^.;]*$", re.IGNORECASE)
_IF_OPEN = re.compile(r"\b(?:if|when|whenever)\b[^.;]*$", re.IGNORECASE)
_FAIL_AFTER = re.compile(r"[^.;]*?" + _FAIL, re.IGNORECASE)
_RANGE_VALUES = re.compile(r"from\s+\D*?([\d.,]+)\D+?([\d.,]+)", re.IGNORECASE)
_DOUBLE_CONSONANT = frozenset({"ship", "run", "cut", "get", "set", "plan", "stop", "put", "tag"})


def build_rewrite(*, text: str, elements: dict[Element, str]) -> str:
    """Return the hypothesis in the fixed shape, with placeholders for the slots not found."""
    outcome = _clean(elements.get(Element.OUTCOME))
    outcome = mid_sentence(outcome) if outcome else None
    magnitude = _clean(elements.get(Element.MAGNITUDE))
    direction = _clean(elements.get(Element.DIRECTION)) or ""
    # "roll back if it falls below 72%" names the failure; "sunset the old one if the new
    # one keeps complaints under 50" names success: only a move, not a hold, is inverted.
    inverted = (
        bool(magnitude)
        and not _HOLD.search(direction)
        and _in_trigger(text=text, span=magnitude or "")
    )
    amount, level = _amount(magnitude=magnitude, text=text, inverted=inverted)
    change = _change(text) or PLACEHOLDERS["change"]
    if outcome and level and (inverted or _HOLD.search(direction)):
        behaviour = f"{outcome} to stay {level}"
    elif outcome:
        sense = _sense(direction=direction, magnitude=magnitude or "")
        lead = {"up": "a rise in", "down": "a drop in"}.get(sense, "[a rise or a drop] in")
        behaviour = f"{lead} {outcome}"
    else:
        behaviour = PLACEHOLDERS["behaviour"]
    metric = outcome or PLACEHOLDERS["metric"]
    aim = None if outcome else _aim(text=text, direction=direction)
    if aim:
        # No metric, but the team named what it wants to move: keep its words in the slots.
        behaviour = f"[a behaviour that shows {aim} changed, e.g. a rise in purchases per session]"
        metric = f"[the metric that measures {aim}, e.g. click-through rate]"
    population = _strip(elements.get(Element.POPULATION), _POPULATION_LEAD, "population")
    reason = _strip(elements.get(Element.REASON), _REASON_LEAD, "reason")
    return (
        f"We believe {change} will cause {behaviour} for {population} because {reason}. "
        f"We will know we are wrong if {metric} does not move by "
        f"{amount or PLACEHOLDERS['amount']} within {_time(elements.get(Element.TIME_WINDOW))}."
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
    phrase = _clean(" ".join(words[:6]))
    return mid_sentence(phrase) if phrase else None


def _clean(value: str | None) -> str | None:
    cleaned = (value or "").strip(_TRIM)
    return cleaned.replace("[", "(").replace("]", ")") or None


def _strip(value: str | None, lead: re.Pattern[str], slot: str) -> str:
    cleaned = _clean(value)
    return lead.sub("", cleaned) if cleaned else PLACEHOLDERS[slot]


def _time(value: str | None) -> str:
    cleaned = _clean(value)
    if not cleaned:
        return PLACEHOLDERS["time"]
    if _BY.match(cleaned):
        return "the time up to " + _BY.sub("", cleaned)  # "by the end of March"
    return _TIME_LEAD.sub("", cleaned)


def _in_trigger(*, text: str, span: str) -> bool:
    """Return whether the magnitude sits in a rollback, kill or alert condition."""
    at = text.find(span)
    if at < 0:
        return False
    before = text[max(0, at - 200) : at]
    # "roll back if it falls below 72%" or "if it falls below 72%, roll back"; not "ship only
    # if precision is above 95%", which names success.
    return bool(_FAIL_THEN_IF.search(before)) or (
        bool(_IF_OPEN.search(before)) and bool(_FAIL_AFTER.match(text, at + len(span)))
    )


def _amount(*, magnitude: str | None, text: str, inverted: bool) -> tuple[str | None, str | None]:
    """Return the amount for '... does not move by [amount]' and, for a bound, the level."""
    if not magnitude:
        return None, None
    low = magnitude.lower()
    if low.startswith("from "):
        return f"enough to go {magnitude}", None
    if re.search(r"\bhalve", low) or low in {"by half", "in half"}:
        return "half", None
    if re.search(r"\b(?:doubl|tripl|quadrupl)", low):
        verb = re.search(r"\b(doubl|tripl|quadrupl)", low)
        return f"enough to {verb.group(1) if verb else 'doubl'}e", None
    by = _BY.match(magnitude)
    if by:
        return magnitude[by.end() :], None  # "by at least 2%": a move
    bound = _BOUND.match(magnitude)
    if bound:
        op = bound["op"].lower()
        op = _INVERSE.get(op, op) if inverted else op
        level = f"{op} {bound['value']}"
        return f"enough to be {level}", level
    return f"enough to reach {magnitude}", None


def _sense(*, direction: str, magnitude: str) -> str | None:
    """Return 'up' or 'down' from the direction word, or from a 'from X to Y' span."""
    values = _RANGE_VALUES.search(magnitude)
    if values:
        a, b = (float(v.replace(",", "").rstrip(".") or 0) for v in values.groups())
        return "up" if b > a else "down"
    if DOWN_WORDS.search(direction) and not UP_WORDS.search(direction):
        return "down"
    if UP_WORDS.search(direction):
        return "up"
    if re.search(r"\b(?:below|under|at most|no more than)\b", magnitude, re.IGNORECASE):
        return "down"
    if re.search(r"\b(?:above|over|at least|or more)\b", magnitude, re.IGNORECASE):
        return "up"
    return None


def _change(text: str) -> str | None:
    """Return the change in the team's words: the claim's subject or the work it opens with."""
    change = find_change(text, magnitudes=find_magnitudes(text))
    subject = _clean(change.text)
    if subject is None:
        return None
    return mid_sentence(_gerund(subject) if change.imperative else subject)


def mid_sentence(words: str) -> str:
    """Lower-case a leading capital so a phrase reads inside a sentence; keep acronyms."""
    first = words.split(" ", 1)[0]
    if first[:1].isupper() and not (len(first) > 1 and (first[1].isupper() or first[1].isdigit())):
        return words[0].lower() + words[1:]
    return words


def _gerund(phrase: str) -> str:
    """Turn an imperative into a gerund: 'Ship the v2 recommender' -> 'shipping the v2 ...'."""
    verb = WORK_VERB.match(phrase) or re.match(r"[a-z]+", phrase, re.IGNORECASE)
    if verb is None:
        return phrase
    head, _, rest = phrase[: verb.end()].partition(" ")  # "roll out": inflect "roll"
    word = head.lower()
    if word in _DOUBLE_CONSONANT:
        word += word[-1] + "ing"
    elif word.endswith("ie"):
        word = word[:-2] + "ying"
    elif word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
        word = word[:-1] + "ing"
    elif not word.endswith("ing"):
        word += "ing"
    tail = " ".join(p for p in (rest, phrase[verb.end() :].strip()) if p)
    return f"{word} {tail}".strip()
