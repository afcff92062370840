"""The five properties that keep a rewrite in the team's words, checked on any checker's rewrite.

1. It adds no content word that is in neither the statement nor the rewrite shape.
2. It repeats no 3-word run that the statement does not repeat.
3. It keeps every number the statement wrote.
4. It keeps the direction of every ceiling and floor ("under 150 ms", "at least 80%").
5. It keeps a falsification condition the statement wrote, instead of asking for one.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

REWRITE_SHAPE = (
    "We believe [change] will cause [behaviour change] for [population] because [theory]. "
    "We will know we are wrong if [metric] does not move by [amount] within [time]."
)
# Function words carry no content: the common English stop-word list, nothing fitted.
_STOPWORD_TEXT = (
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for "
    "from further had has have having he her here hers him his how i if in into is it its "
    "itself just me more most my no nor not now of off on once only or other our ours out "
    "over own same she should so some such than that the their theirs them then there these "
    "they this those through to too under until up very was we were what when where which "
    "while who whom why will with would you your yours "
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z]+")
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A bound read with its number: the direction is what must survive a rewrite.
_CEILING = (
    r"not\s+exceed\w*|no\s+more\s+than|not\s+more\s+than|no\s+higher\s+than|under|below|"
    r"less\s+than|fewer\s+than|lower\s+than|at\s+most|(?:a\s+)?maximum\s+of|up\s+to|within|"
    r"<=?|≤"
)
_FLOOR = (
    r"no\s+less\s+than|not\s+less\s+than|no\s+fewer\s+than|over|above|more\s+than|greater\s+than|"
    r"higher\s+than|at\s+least|(?:a\s+)?minimum\s+of|exceed\w*|>=?|≥"
)
# Read backwards from a number, and forwards for the "5 seconds or less" form.
_OP_BEFORE = re.compile(
    rf"(?<![a-z])(?:(?P<ceiling>{_CEILING})|(?P<floor>{_FLOOR}))\s*[$€£]?\s?$", re.IGNORECASE
)
_OP_AFTER = re.compile(
    r"\s*[^\s\d]*\s+(?:(?P<ceiling>or\s+(?:less|fewer|lower|below)|at\s+most)|"
    r"(?P<floor>or\s+(?:more|higher|greater|above)|at\s+least))",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(?:not|never|no)\s+(?:[a-z]+\s+)?$", re.IGNORECASE)
# A failure the team wrote down: "we are wrong if", "kill it if", "roll back if", "stop if".
_TRIGGER = re.compile(
    r"\b(?:wrong|falsified|kill\w*|stop\w*|roll(?:s|ed)?\s*(?:it\s+)?back|rollback|revert\w*|"
    r"pause\w*|halt\w*|abandon\w*|sunset\w*|disabl\w*|fail\w*|flip\w*\s+(?:the\s+\w+\s+)?back)\b"
    r"(?:[^.;]|\.(?=\d)){0,60}?\b(?P<cond>(?:if|when|whenever|unless)\b(?:[^.;]|\.(?=\d))+)"
    r"|\b(?P<cond2>if\b(?:[^,.;]|[.,](?=\d))+?),?\s*(?:then\s+)?(?:we\s+|the\s+\w+\s+)?"
    r"(?:will\s+|is\s+|are\s+|should\s+)?"
    r"(?:kill|stop|roll\s*back|revert|pause|halt|abandon|sunset|disable|flip)\w*",
    re.IGNORECASE,
)


class Properties(NamedTuple):
    """Whether a rewrite has each property, and what broke the ones it lacks."""

    invented: list[str]
    repeated: list[str]
    dropped: list[str]
    reversed_bounds: list[str]
    lost_condition: str | None

    @property
    def flags(self) -> tuple[bool, bool, bool, bool, bool]:
        """Return, for each of the five properties in order, whether the rewrite has it."""
        return (
            not self.invented,
            not self.repeated,
            not self.dropped,
            not self.reversed_bounds,
            self.lost_condition is None,
        )

    @property
    def ok(self) -> bool:
        """Return whether the rewrite has all five properties."""
        return all(self.flags)

    def failures(self) -> int:
        """Return how many of the five properties the rewrite lacks."""
        return self.flags.count(False)


def check_properties(*, statement: str, rewrite: str) -> Properties:
    """Return how a rewrite of `statement` fares on the five properties."""
    return Properties(
        invented=invented_words(statement=statement, rewrite=rewrite),
        repeated=repeated_runs(statement=statement, rewrite=rewrite),
        dropped=dropped_numbers(statement=statement, rewrite=rewrite),
        reversed_bounds=lost_bounds(statement=statement, rewrite=rewrite),
        lost_condition=lost_condition(statement=statement, rewrite=rewrite),
    )


def invented_words(*, statement: str, rewrite: str) -> list[str]:
    """Return the content words of the rewrite found neither in the statement nor the shape."""
    allowed = {*_WORD.findall(statement.lower()), *_WORD.findall(REWRITE_SHAPE.lower())}
    found = _WORD.findall(rewrite.lower())
    return sorted({w for w in found if w not in allowed and w not in STOPWORDS})


def repeated_runs(*, statement: str, rewrite: str) -> list[str]:
    """Return the 3-word runs the rewrite writes more often than the statement does."""
    said = Counter(_trigrams(statement))
    written = Counter(_trigrams(rewrite))
    return sorted(" ".join(t) for t, n in written.items() if n > 1 and n > said[t])


def dropped_numbers(*, statement: str, rewrite: str) -> list[str]:
    """Return the numbers the statement wrote that the rewrite leaves out."""
    kept = set(_NUMBER.findall(rewrite))
    return [n for n in dict.fromkeys(_NUMBER.findall(statement)) if n not in kept]


def lost_bounds(*, statement: str, rewrite: str) -> list[str]:
    """Return the statement's ceilings and floors the rewrite drops or turns around."""
    kept = bounds(rewrite)
    return [
        f"{side} {number}"
        for side, number in sorted(bounds(statement))
        if (side, number) not in kept
    ]


def bounds(text: str) -> set[tuple[str, str]]:
    """Return each bound in the text as ('ceiling' or 'floor', its number)."""
    found = set()
    for m in _NUMBER.finditer(text):
        if m.start() and text[m.start() - 1].isalnum():
            continue  # "p95", "v3": part of a name, not an amount
        pre = text[max(0, m.start() - 40) : m.start()]
        op = _OP_BEFORE.search(pre)
        if op:
            ceiling = bool(op["ceiling"])
            # "should not be more than 20 seconds", "no drop greater than 0.5%": turned round.
            if op["floor"] and not op["floor"].lower().startswith("no"):
                ceiling = bool(_NEGATION.search(pre, 0, op.start()))
            found.add(("ceiling" if ceiling else "floor", m.group(0)))
            continue
        tail = _OP_AFTER.match(text, m.end())
        if tail:
            found.add(("ceiling" if tail["ceiling"] else "floor", m.group(0)))
    return found


def written_condition(text: str) -> str | None:
    """Return the failure condition the statement writes ('if ...'), or None."""
    m = _TRIGGER.search(text)
    if m is None:
        return None
    return (m["cond"] or m["cond2"]).strip(" ,")


def lost_condition(*, statement: str, rewrite: str) -> str | None:
    """Return the team's failure condition when the rewrite does not keep its words."""
    condition = written_condition(statement)
    if condition is None:
        return None
    wanted = {w for w in _WORD.findall(condition.lower()) if w not in STOPWORDS}
    return None if wanted <= set(_WORD.findall(rewrite.lower())) else condition


def _trigrams(text: str) -> list[tuple[str, str, str]]:
    tokens = _TOKEN.findall(text.lower())
    return list(zip(tokens, tokens[1:], tokens[2:], strict=False))
