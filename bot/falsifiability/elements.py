"""Read the claim of a statement: the change it makes, where the claim starts, its direction."""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.falsifiability.context import PEOPLE, TIME, time_windows
from bot.falsifiability.lexicon import DIRECTION, WORK_VERB
from bot.falsifiability.outcome import names_metric
from bot.falsifiability.quantities import Quantity


class Change(NamedTuple):
    """The change a statement makes, where the claim about it starts, and its grammar."""

    text: str | None
    claim_start: int
    imperative: bool  # "Ship the v2 recommender", "if we penalize ...": a verb, not a noun


# Where the change ends and the claim begins: "The new ranker | will raise ...".
_LEAD_IN = re.compile(
    r"^\s*(?:hypothesis\s*[:\-]\s*|we\s+(?:believe|think|predict|bet|hypothesi[sz]e|assume|"
    r"estimate)(?:\s+that)?\s+|i\s+(?:believe|think)(?:\s+that)?\s+|"
    r"(?:does|do|will|would|can|could|is|are)\s+)",
    re.IGNORECASE,
)
_EXPECT = re.compile(
    r"^\s*we\s+(?:expect|want|need|predict)\s+(?P<s>.+?)\s+to\s+(?=[a-z])", re.IGNORECASE
)
# "With the new ranker, CTR will climb ...": the opener names the change, the rest the claim.
_OPENER = re.compile(
    r"^(?:with|after|using|once|by|thanks to)\s+(?P<s>[^,]{3,80}),\s*", re.IGNORECASE
)
_TIME_ONLY = re.compile(r"by\s+(?:the\s+)?end\s+of\s+.+|" + TIME.pattern, re.IGNORECASE)
_IF_WE = re.compile(r"^if\s+we\s+(?P<s>[^,]+),", re.IGNORECASE)
_PREDICATE = re.compile(
    r"\s(?:will|would|should|could|can|must|is going to|are going to)\s|"
    r"\s(?=(?:increases|raises|lifts|cuts|reduces|lowers|improves|boosts|decreases|drops|"
    r"grows|halves|doubles|saves|keeps|helps|makes|is|are|fires)\b)",
    re.IGNORECASE,
)
# A subject that opens with an imperative, a pronoun or a group of people is not the change.
_NOT_A_CHANGE = re.compile(
    r"^(?:we|we'll|i|it|they|you|let's|lets|make|get|ensure|explore|investigate|see|try|keep|"
    r"look|achieve|deliver|bring|move|double|revolutioni[sz]e|transform|improve|increase|reduce|"
    r"cut|lower|raise|grow|boost|optimi[sz]e)\b"
    r"|\b(?:if|when|whenever|unless)\b|^(?:the\s+|our\s+)?(?:\w+\s+)?" + PEOPLE + r"(?:$|\s+who\b)",
    re.IGNORECASE,
)
_WORK_HEAD = re.compile(
    r"^\s*(?:(?:we(?:'ll| will| plan to| need to| want to| are going to)|let's|"
    r"our plan is to)\s+)?",
    re.IGNORECASE,
)
# Where a piece of work's description ends: its purpose, its deadline, or the clause.
_WORK_END = re.compile(
    r"\s+(?:to\s+(?:make|enhance|boost|improve|increase|reduce|help|drive|get|stay|keep|cut|"
    r"lower|raise|grow|deliver|achieve|see|create|transform|be)|so|so that|in order|because|by|"
    r"this|next|within|before|after|and|only|if|when|unless|while|that|which|will|should)\b"
    r"|[.;,?!](?!\d)",  # "Label 50,000 more examples": a comma inside a number is not a break
    re.IGNORECASE,
)


def work_phrase(text: str) -> tuple[int, int] | None:
    """Return the span of a piece of work that opens the statement: 'Ship the v2 recommender'."""
    head = _WORK_HEAD.match(text)
    start = head.end() if head else 0
    if WORK_VERB.match(text, start) is None:
        return None
    stop = _WORK_END.search(text, start)
    end = stop.start() if stop else len(text)
    words = text[start:end].split()
    return start, start + len(" ".join(words[:14]))


def find_change(text: str, *, magnitudes: list[Quantity]) -> Change:
    """Return the change being made (the claim's subject) and where the claim starts."""
    expect = _EXPECT.match(text)
    if expect and not names_metric(expect["s"]):
        return Change(expect["s"], expect.end(), imperative=False)
    lead = _LEAD_IN.match(text)
    offset = lead.end() if lead else 0
    opener = _OPENER.match(text, offset)
    if opener and not _TIME_ONLY.fullmatch(opener.group(0).strip(" ,")):
        return Change(opener["s"], opener.end(), imperative=False)
    if_we = _IF_WE.match(text, offset)
    if if_we:
        return Change(if_we["s"], if_we.end(), imperative=True)
    work = work_phrase(text)
    if work is not None:
        return Change(text[work[0] : work[1]], work[1], imperative=True)
    pred = _PREDICATE.search(text, offset)
    if pred is None or pred.start() == offset:
        return Change(None, 0, imperative=False)
    subject = text[offset : pred.start()].strip(" ,")
    if not subject or _NOT_A_CHANGE.search(subject) or len(subject.split()) > 12 or ";" in subject:
        return Change(None, 0, imperative=False)
    if subject.split()[0].lower().endswith("ing"):
        return Change(subject, pred.start(), imperative=False)  # "Switching to the ... model"
    if any(offset <= q.start < pred.start() for q in magnitudes) or names_metric(subject):
        return Change(None, 0, imperative=False)  # "Playlist completion will": the outcome
    return Change(subject, pred.start(), imperative=False)


def find_direction(text: str, *, after: int = 0, before: int | None = None) -> str | None:
    """Return the word, outside time windows, that says which way the outcome moves.

    The nearest one before the magnitude wins ("time to resolve an appeal will fall from 36
    hours": fall, not resolve); without one there, the first after the claim starts.
    """
    windows = time_windows(text)
    found = [
        m
        for m in DIRECTION.finditer(text)
        if not any(a <= m.start() < b for a, b in windows)  # "over 6 weeks" is not "over 5%"
    ]
    if before is not None:
        near = [m for m in found if after <= m.start() and m.end() <= before]
        if near:
            return near[-1].group(0)
    chosen = next((m for m in found if m.start() >= after), found[0] if found else None)
    return chosen.group(0) if chosen else None
