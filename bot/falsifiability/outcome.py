"""Find the outcome a statement claims to move, as a noun phrase in the team's words."""

from __future__ import annotations

import re

from bot.falsifiability.lexicon import (
    DIRECTION,
    METRIC,
    METRIC_SHAPE,
    VAGUE_PATTERNS,
    WORK_METRIC,
    WORK_VERB,
)
from bot.falsifiability.quantities import Quantity
from bot.falsifiability.verdict import VagueFamily

# Words that cannot continue a noun phrase to the right: verbs, auxiliaries, prepositions.
_AUX = (
    r"(?:will|should|would|must|can|could|may|might|by|from|to|in|for|within|over|under|"
    r"below|above|at|after|before|during|while|without|with|is|are|was|were|be|does|do|did|"
    r"goes|go|has|have|stays?|remains?|keeps?|and|or|but|than|if|when|who|that|which|up)\b"
)
# "news feed" is a noun and "weekly" an adjective; other -ed, -ing and -ly words end the phrase.
_NOT_NP = (
    r"(?:" + _AUX + r"|(?!\w*eed\b)\w+(?:ed|ing)\b"
    r"|(?!(?:week|dai|month|year|quarter|hour|time)ly\b)\w+ly\b)"
)
_WORD = re.compile(r"[\w@%$€£.'/-]+")
# Words that end a metric's noun phrase when reading left from the metric noun.
_NP_STOP = re.compile(
    r"^(?:the|a|an|our|their|its|this|that|these|those|we|will|would|should|shall|must|can|could|"
    r"to|of|in|on|for|by|from|with|without|while|and|or|if|when|whenever|is|are|be|was|"
    r"it|they|let|lets|let's|make|keep|get|than|more|less|fewer|any|each|every|no|not|"
    r"hypothesis:?|believe|expect|think|does|do|did|after|before|at|up|down|go|goes|which|who|"
    r"whose|bring|brings|push|pushes|drive|drives|see|whether|help|helps|spend|spends|able|"
    r"[\d.,%$€£]+)$",
    re.IGNORECASE,
)
_NP_RIGHT = re.compile(
    r"(?:\s+(?:per|on|of)\s+(?:[$€£]?[\d,]+k?\s+(?:of\s+)?)?(?:(?:the|a|an)\s+)?(?!\d)(?!"
    + _AUX
    + r")[\w@'-]+(?:\s+(?!"
    + _NOT_NP
    + r")[a-z][\w@'-]*){0,2})+",
    re.IGNORECASE,
)
_LAST_WORD = re.compile(r"\s+(\S+)$")
# Words that cannot end a phrase: "recall on the" (2024 holdout set) is "recall".
_DANGLING = re.compile(r"^(?:the|a|an|on|of|per|in|for|our|its|their)$", re.IGNORECASE)
# A metric inside "by <doing> ..." is the means, not the outcome: "by personalising send times".
_MEANS = re.compile(r"\bby\s+\w+ing\b[^,;.]*$", re.IGNORECASE)
# A metric word right after a modal or pronoun is a verb: "moderators should spend less".
_AS_VERB = re.compile(r"\b(?:will|should|must|would|can|could|may|might|we|they|i|you)\s+$", re.I)
# "Lift conversion by 2%": a direction verb that opens the statement is no metric.
_OPENING = re.compile(r"\s*(?:(?:we|let's|to|will|should|must)\s+)*", re.IGNORECASE)
_NP_VAGUE = tuple(
    VAGUE_PATTERNS[f] for f in (VagueFamily.SUPERLATIVE, VagueFamily.LOOPHOLE, VagueFamily.HYPE)
)
# A metric word that modifies a system or a team names that thing: "churn model".
_MODIFIER = re.compile(
    r"\s*(?:'s\s+)?(?:models?|classifiers?|rankers?|teams?|agents?|systems?|engines?|"
    r"pipelines?|alerts?|dashboards?|features?|services?|api|bots?|filters?|tool|logs?|"
    r"queues?|data)\b",
    re.IGNORECASE,
)
# "articles read per visit": a rate, whatever its noun.
_PER = re.compile(
    r"\b(?P<head>[a-z][\w'-]*)\s+per\s+(?:[\d,]+k?\s+|thousand\s+)?"
    r"(?!month|week|day|year|quarter|arm\b)[a-z][\w-]*",
    re.IGNORECASE,
)
_NP_AFTER = r"(?P<np>[\w'-]+(?:\s+(?!" + _NOT_NP + r")[\w'-]+){0,3})"
# "3x more fraud rings", "20% fewer chargebacks": the counted thing follows the amount.
_MORE_OF = re.compile(r"\s+(?:more|fewer|less)\s+(?!than\b)" + _NP_AFTER, re.IGNORECASE)
# "a 25% reduction in manual review hours": the noun names the move, its object the outcome.
_MOVE_IN = re.compile(
    r"\b(?:reduction|increase|decrease|drop|fall|rise|lift|uplift|gain|growth|improvement|"
    r"decline|cut|jump|change|difference|shift|impact|effect)s?\s+(?:in|of|on)\s+(?:the\s+)?"
    + _NP_AFTER,
    re.IGNORECASE,
)
# Without a metric noun, the thing a direction verb moves is the outcome:
# "weekly active creators fall more than 15%", "cut the review backlog by 30%".
_MOVES = (
    r"(?:fall|drop|rise|grow|declin|decreas|increas|climb|shrink|improv|dip|jump|go (?:up|down))"
)
_SUBJECT_MOVES = re.compile(
    r"(?P<np>(?:[\w'-]+\s+){0,3}[\w'-]+)\s+(?:(?:will|should|must|would|to)\s+)?"
    + _MOVES
    + r"\w*\s+(?:by|to|below|above|under|over|more than|less than|from)\b",
    re.IGNORECASE,
)
_MOVES_OBJECT = re.compile(
    r"\b(?:reduc|cut|increas|rais|lift|boost|grow|lower|decreas|halv|doubl|improv|shrink)\w*\s+"
    r"(?:the\s+|our\s+|its\s+)?(?P<np>[\w'-]+(?:\s+[\w'-]+){0,5}?)\s+(?:(?:by|from|to|below|under)\b"
    r"|(?=\d))",
    re.IGNORECASE,
)
# Heads that name a system or an unmeasured quality: "improve the recommender by 15%".
_NOT_OUTCOME = re.compile(
    r"(?:^|\s)(?:the|a|an|our|if|when|whenever|we|it|they)\s*$|\b(?:model|recommender|system|"
    r"classifier|pipeline|ranker|assistant|bot|product|feature|app|platform|engine|forecaster|"
    r"service|api|team|process|performance|quality|experience|relevance|productivity|"
    r"efficiency|results?|engagement|trust|value|impact|it|this|that|training set|dataset|data|"
    r"corpus|examples)s?$",
    re.IGNORECASE,
)
_OF = re.compile(r"\s*of\b", re.IGNORECASE)
_OFTEN = re.compile(r"\s+(?:more|less)\s+(?:often|frequently)\b", re.IGNORECASE)
_VERB_BEFORE = re.compile(
    r"\b(?:will|would|should|must|to)\s+(?P<vp>[^,;]{1,40}?)\s*$", re.IGNORECASE
)
# The counted group ends at its first plural noun: "70% of surveyed clinicians | will rate".
_SHARE_OF = re.compile(
    r"\s*(?:of\s+)?(?P<np>(?!the\s+(?:traffic|time)\b)(?:[\w'-]+\s+){0,3}?[\w'-]*[^\Ws]s\b"
    r"|[\w'-]+(?:\s+(?!" + _NOT_NP + r")[\w'-]+){0,2})",
    re.IGNORECASE,
)
# "5 in every 1,000 auto-approved loans": a rate even without a metric noun.
_IN_EVERY = re.compile(
    r"\b\d[\d,.]*\s+(?:in|out of|of|for)\s+(?:every\s+)?\d[\d,]*\s+[\w'-]+(?:\s+[\w'-]+)?",
    re.IGNORECASE,
)


# "1000 concurrent users", "2 major priority bugs": a count names what it counts right after it.
_COUNTED = re.compile(
    r"\s+(?:(?:more|fewer|new|additional|extra|simultaneous|concurrent)\s+)?"
    r"(?P<np>(?:(?!(?:of|per|in|on|to|by|for|at|and|or|the|a|an)\b)[a-z][\w'-]*\s+){0,2}?"
    r"[a-z][\w'-]*[^\Ws]s)\b(?:\s+per\s+[a-z]+)?",
    re.IGNORECASE,
)
_LAST_VERB = re.compile(
    r"\b(?P<verb>[a-z]+)\s+(?:(?:at least|at most|up to|over|more than)\s+)?$", re.I
)
# A name coined by the team is a metric when a bound or a move follows it: "CAC clears $210".
_SHAPE_BOUND = re.compile(
    r"\s+(?:\([^)]{0,40}\)\s+)?(?:is|of|at|clears?|exceeds?|stays?|remains?|under|over|below|"
    r"above|from|to|by|up|down|rises?|drops?|falls?|grows?|increases?|decreases?|improves?|"
    r"[<>≤≥=])",
    re.IGNORECASE,
)


_OPEN_ENDED = frozenset({"possible", "achievable", "attainable", "acceptable", "reasonable"})
# "then the confirmation page loads in under 2 seconds": what the time bound is about.
_TIMED_CLAUSE = re.compile(
    r"(?:^\s*|[,;:]\s*|\b(?:then|that|shall|should|must|will|to)\s+)(?P<np>(?:[\w'-]+\s+){1,6}?)"
    r"(?:in|within|under|below|in less than|less than|at most)?\s*$",
    re.IGNORECASE,
)


# "The service shall process payments in under 800 ms": what is timed follows the modal.
_AFTER_MODAL = re.compile(
    r"\b(?:then|shall|should|must|will)\s+(?:be\s+able\s+to\s+)?(?P<np>(?:[\w'-]+\s+){1,5}?)"
    r"(?:in|within|under|below|in less than|less than|at most)?\s*$",
    re.IGNORECASE,
)


def names_metric(subject: str) -> bool:
    """Return whether a subject is a metric ('Spam classifier precision'), not a system."""
    heads = [*METRIC.finditer(subject), *(_PER.finditer(subject))]
    return any(
        len(subject[: m.start()].split()) < 4 and not _MODIFIER.match(subject, m.end())
        for m in heads
    )


def find_outcome(text: str, *, magnitudes: list[Quantity], after: int = 0) -> str | None:
    """Return the outcome metric's noun phrase, preferring the one a magnitude sizes."""
    claimed = [p for p in _metric_phrases(text) if p[0] >= after]
    anchor = next((q for q in magnitudes if q.start >= after), None)
    if (
        anchor is not None
        and anchor.kind != "time"
        and not any(p[1] <= anchor.start for p in claimed)
    ):
        share = _SHARE_OF.match(text, anchor.end)
        if share and (anchor.kind == "ratio" or _OF.match(text, anchor.end)):
            return f"share of {share['np']}"  # "at least 70% of clinicians ...": a share
        more = _MORE_OF.match(text, anchor.end)
        if more:
            return more["np"]  # "3x more fraud rings"
        verb = _VERB_BEFORE.search(text, after, anchor.start)
        if verb and _OFTEN.match(text, anchor.end):
            return verb["vp"]  # "will add to cart 5% more often"
        for q in (q for q in magnitudes if q.start >= after and q.kind in {"count", "worded"}):
            counted = _COUNTED.match(text, q.end)
            verb = _LAST_VERB.search(text, max(after, q.start - 40), q.start)
            if (
                counted
                and not _NOT_OUTCOME.search(counted["np"])
                and not WORK_METRIC.search(counted.group(0))
                and not (verb and WORK_VERB.fullmatch(verb["verb"]))  # "run 5 experiments": work
            ):
                return counted.group(0).strip()  # "a minimum of 1000 | concurrent users"
    if anchor is not None:
        before = [p for p in claimed if p[1] <= anchor.start]
        if before:
            return before[-1][2]
    if claimed:
        return claimed[0][2]
    move = _MOVE_IN.search(text, after)
    if move:
        return move["np"]
    if magnitudes:
        for pattern in (_SUBJECT_MOVES, _MOVES_OBJECT):
            for m in pattern.finditer(text, after):
                np = _strip_lead(m["np"])
                if np and not _NOT_OUTCOME.search(np):
                    return np
    every = _IN_EVERY.search(text, after)
    if every and magnitudes:
        return every.group(0)
    timed = next((q for q in magnitudes if q.kind in {"time", "money"}), None)
    if timed is not None and timed.kind == "time":
        lead = text[max(after, timed.start - 80) : timed.start]
        clause = _AFTER_MODAL.search(lead) or _TIMED_CLAUSE.search(lead)
        np = _strip_lead(clause["np"].strip()) if clause else ""
        if np and not _NOT_OUTCOME.search(np) and len(np.split()) <= 6:
            return np  # "the confirmation page loads", "recover from failures"
    if timed is not None:
        saved = re.search(r"\bsav(?:e|es|ing)\b", text, re.IGNORECASE)
        return ("time" if timed.kind == "time" else "money") + (" saved" if saved else "")
    return None


def _strip_lead(np: str) -> str:
    """Drop the function words a loose noun-phrase match picks up on its left."""
    words = np.split()
    while words and _NP_STOP.match(words[0]):
        words.pop(0)
    return " ".join(words)


def _metric_phrases(text: str) -> list[tuple[int, int, str]]:
    """Return the metric noun phrases in order, dropping those inside a longer one."""
    heads = [(m.start(), m.end()) for m in METRIC.finditer(text)]
    heads += [m.span() for m in METRIC_SHAPE.finditer(text) if _SHAPE_BOUND.match(text, m.end())]
    heads += [(m.start("head"), m.end("head")) for m in _PER.finditer(text)]
    work = [m.span() for m in WORK_METRIC.finditer(text)]  # "test coverage": work done
    spans = sorted(
        {
            _noun_phrase(text, a, b)
            for a, b in heads
            if not _is_part_of_number(text, a)
            and not _MODIFIER.match(text, b)
            and not _MEANS.search(text, max(0, a - 60), a)
            and not _AS_VERB.search(text, max(0, a - 12), a)
            and not (DIRECTION.fullmatch(text[a:b]) and _OPENING.fullmatch(text, 0, a))
            and not any(s <= a < e for s, e in work)
        },
        key=lambda s: (s[0], -s[1]),
    )
    kept: list[tuple[int, int, str]] = []
    for span in spans:  # sorted by start, longest first: one sweep drops the nested ones
        if not kept or span[1] > kept[-1][1]:
            kept.append(span)
    return kept


def _is_part_of_number(text: str, pos: int) -> bool:
    return pos > 0 and (text[pos - 1].isdigit() or text[pos - 1] == "-")


def _noun_phrase(text: str, start: int, end: int) -> tuple[int, int, str]:
    """Widen a metric noun to its phrase: 'p95 inference latency', 'purchases per session'."""
    for word in reversed(list(_WORD.finditer(text, max(0, start - 60), start))[-4:]):
        token = word.group(0)
        if text[word.end() : start].strip() or _NP_STOP.match(token):
            break
        if DIRECTION.fullmatch(token) or WORK_VERB.fullmatch(token):
            break
        if any(p.fullmatch(token) for p in _NP_VAGUE) or token.lower() in _OPEN_ENDED:
            break  # "significant uplift": the adjective is the problem, not the metric
        start = word.start()
    right = _NP_RIGHT.match(text, end)
    if right:
        end = right.end()
        # "users of the feature fall below": the move is not part of the metric's name
        while (last := _LAST_WORD.search(text, start, end)) and (
            DIRECTION.fullmatch(last[1]) or _DANGLING.match(last[1])
        ):
            end = last.start()
    phrase = text[start:end]
    stripped = phrase.strip(" ,.;:?!")
    start += phrase.index(stripped) if stripped else 0
    return start, start + len(stripped), stripped
