"""Find the numbers in a statement that size an outcome, and set aside those that do not.

A number sizes an outcome when its form says so (a percentage, points, money, a multiple, a
fraction, a span "from X to Y") or when a comparator binds it ("at least 40", "exceeds 0.25").
Numbers that count work ("a 7B model", "2M tickets"), date a milestone ("March 1", "2025"),
name a denominator ("per 1,000") or time a test ("within 6 weeks") are not magnitudes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.falsifiability.lexicon import (
    CAPACITY_VERB,
    CLAUSE_BREAK,
    DIRECTION,
    METRIC_WORDS,
    MONTH,
    ROLLOUT_VERB,
    UNMEASURABLE_RE,
)
from bot.falsifiability.quantity_forms import FRACTION, NUM, RANGE, RATIO, WORDED


@dataclass(frozen=True, slots=True)
class Quantity:
    """A magnitude found in the statement: its span (with comparator) and its kind."""

    start: int
    end: int
    text: str
    kind: str  # percent, points, money, time, count, multiple, fraction, range, ratio, worded


_UNITS = {
    "percent": r"%|percent\b|per ?cent\b|pct\b",
    "points": r"-?(?:percentage[- ])?points?\b|pp\b|p\.p\.|pts?\b|basis points?\b|bps\b",
    "speed": r"ms\b|msecs?\b|milliseconds?\b|s\b|secs?\b|seconds?\b",
    "clock": r"mins?\b|minutes?\b|h\b|hrs?\b|hours?\b",
    "calendar": r"days?\b|weeks?\b|wks?\b|months?\b|quarters?\b|years?\b|yrs?\b|sprints?\b",
    "multiple": r"x\b|×|-?fold\b",
    "money": r"(?:usd|eur|gbp|dollars?|euros?|cents?)\b",
}
_QUANT = re.compile(
    r"(?P<cur>[$€£¥]\s?)?(?<![\w.@/])(?<!\w-)(?P<num>" + NUM + r")"
    r"(?P<suf>\s?(?:k|m|mm|bn|b)(?![a-z]))?"
    r"(?:\s?(?P<unit>" + "|".join(f"(?P<{k}>{v})" for k, v in _UNITS.items()) + r"))?"
    r"(?P<hyph>-[a-z]+)?(?![\w])",
    re.IGNORECASE,
)
# The comparator that binds a number, read backwards from it.
_LEAD = re.compile(
    r"(?:(?P<move>by|to|from)\s+|(?:of|is|are|be|at|stays?|remains?)\s+)?"
    r"(?P<op>at least|at most|no (?:more|less|fewer|higher|lower) than|not (?:more|less) than"
    r"|(?:a )?(?:minimum|maximum) of|up|down"
    r"|(?:more|less|fewer|greater|higher|lower) than|up to|under|below|above|over|beneath"
    r"|exceed(?:s|ed|ing)?|beyond|within|around|about|roughly|approximately|by|to|of|at"
    r"|[<>≤≥=]=?|~)\s*$",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"\s*(?:or (?:more|higher|above|better|less|lower|fewer|below|greater|worse)"
    r"|and (?:above|below|up|down)|\+)",
    re.IGNORECASE,
)
_STRONG_OPS = re.compile(
    r"at least|at most|no |not |than|up|down|minimum|maximum|under|below|above|over|beneath"
    r"|exceed|beyond|around|about|roughly|approximately|[<>≤≥=~]",
    re.IGNORECASE,
)
# Before a duration these words time the test rather than size the outcome.
_WINDOW_OPS = frozenset(
    {"within", "over", "of", "at", "around", "about", "roughly", "approximately"}
)
_THINGS_AFTER = re.compile(
    r"\s+(?:new\s+|more\s+|additional\s+|extra\s+)?(?!points?\b|pts\b|percent)[a-z-]+s\b"
    r"(?!\s+per\b)",
    re.IGNORECASE,
)
_MEANS = re.compile(r"\bby\s+\w+ing\b", re.IGNORECASE)
_TARGET_BEFORE = re.compile(
    r"\b(?:reach(?:es)?|hits?|achieves?|attains?|clears?)\s+$|(?<![\w-])"
    + CAPACITY_VERB.pattern[10:]
    + r"\s+(?:up to\s+|at least\s+|a minimum of\s+)?$",
    re.IGNORECASE,
)
# "accounts over $1m", "orders above $50": the number picks out who, it sizes nothing.
_QUALIFIES = re.compile(
    r"\b(?:accounts?|customers?|orders?|users?|deals?|carts?|baskets?|purchases?|companies|"
    r"merchants?|transactions?|loans?)\s+(?:over|above|under|below|of|worth|larger than)\s*$",
    re.IGNORECASE,
)
# "shall recover within 5 minutes": a duration bound on an action the system must do.
_ACTION_BOUND = re.compile(
    r"\b(?:shall|should|must|will|can|to)\s+(?:be\s+able\s+to\s+)?(?:\w+\s+){0,2}?"
    r"(?:recover|respond|restore|resolve|load|return|complete|detect|answer|reply|fail over|"
    r"render|start|process|finish|acknowledge)\w*\b[^,;.]*$",
    re.IGNORECASE,
)
_DENOMINATOR = re.compile(r"(?:\bper|\bevery|\beach|\bout of|/)\s*$", re.IGNORECASE)
_METRIC_BEFORE = re.compile(
    r"(?<![\w-])" + METRIC_WORDS + r"\s*(?:of|at|=|:|is|was)?\s*$", re.IGNORECASE
)
_DATE_NEAR = re.compile(r"(?<![\w])" + MONTH + r"\.?\s*$", re.IGNORECASE)
_DATE_AFTER = re.compile(r"^(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH + r"\b", re.IGNORECASE)
# A number that states where the metric is now is a baseline, not a target:
# "our churn is 8% today", "currently 3.2%", "last quarter 12% of orders were late".
_BASELINE_BEFORE = re.compile(
    r"(?:\b(?:currently|today|now|at present|presently|stands? at|sits? at|running at|"
    r"baseline(?: of| is)?|base rate(?: of| is)?)|\b(?:last|past|previous)\s+(?:week|month|quarter|"
    r"year)|\bin\s+20\d\d|\b(?:up|down)\s+from(?:\s+(?:its|the|our|a))?(?:\s+current)?)"
    r"[\s,:]+(?:about\s+|around\s+|roughly\s+)?$",
    re.IGNORECASE,
)
_COPULA_BEFORE = re.compile(r"\b(?:is|are|was|were|has|have|had)\s+(?:about\s+|around\s+)?$", re.I)
_TARGET_WORDS = re.compile(
    r"\b(?:goal|target|aim|objective|will|should|must|shall|need|want|expect|plan|if|when|unless|"
    r"whenever|once|bar|threshold|floor|ceiling|minimum|maximum|cut-?off|limit|budget|slo|sla)\b",
    re.IGNORECASE,
)
_BASELINE_AFTER = re.compile(
    r"^(?:\s+of\s+[^,;.]{0,40}?)?[\s,]+(?:today|currently|right now|now|at present|"
    r"last (?:week|month|quarter|year)|this (?:week|month|quarter|year) so far|as of|in 20\d\d|"
    r"(?:in|during|over) the (?:last|past) \w+)\b",
    re.IGNORECASE,
)
_MONEY_WORK = re.compile(
    r"\b(?:spend\w*|invest\w*|budget\w*|fund\w*|pay\w*|cost(?:s)? us|pric(?:e|ed) at)\b",
    re.IGNORECASE,
)


def find_magnitudes(text: str) -> list[Quantity]:
    """Return the quantities that size an outcome, in the order they appear."""
    return list(_magnitudes(text))


@lru_cache(maxsize=256)  # the checker and the rewrite read the same statement
def _magnitudes(text: str) -> tuple[Quantity, ...]:
    found: list[Quantity] = []
    for m in RANGE.finditer(text):
        if not (_is_year(m["a"]) and _is_year(m["b"])):
            found.append(Quantity(m.start(), m.end(), m.group(0), "range"))
    for m in FRACTION.finditer(text):
        if not _inside(found, m.start()):
            span = m.group(0).lstrip(" .;:")
            start = m.end() - len(span)
            found.append(Quantity(start, m.end(), span, "fraction"))
    for m in WORDED.finditer(text):
        if not _inside(found, m.start()):
            found.append(Quantity(m.start(), m.end(), m.group(0), "worded"))
    for m in RATIO.finditer(text):
        if not _inside(found, m.start()) and not _is_year(m.group(0).split()[-1]):
            found.append(Quantity(m.start(), m.end(), m.group(0), "ratio"))
    for m in _QUANT.finditer(text):
        if _inside(found, m.start("num")):
            continue
        kind = _kind_of(m, text)
        if kind is not None:
            found.append(_with_comparator(m, text, kind))
    return tuple(sorted(found, key=lambda q: q.start))


def _inside(found: list[Quantity], pos: int) -> bool:
    return any(q.start <= pos < q.end for q in found)


def _is_year(raw: str) -> bool:
    digits = raw.strip("$€£ ")
    return digits.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= 2100


def _clause_before(text: str, pos: int) -> str:
    """Return the text of the clause that runs up to pos (the number's own clause)."""
    window = text[max(0, pos - 120) : pos]
    breaks = list(CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def _kind_of(m: re.Match[str], text: str) -> str | None:
    """Classify a number by its unit and context; None when it does not size an outcome."""
    start = m.start("cur") if m["cur"] else m.start("num")
    pre = text[max(0, start - 40) : start]
    post = text[m.end() : m.end() + 80]  # a bounded look-ahead keeps long inputs linear
    if _DENOMINATOR.search(pre) or _DATE_NEAR.search(pre) or _DATE_AFTER.match(post):
        return None
    if _QUALIFIES.search(pre):
        return None
    if m["hyph"] and not m["unit"]:
        return None  # "28-day retention", "300-case set": a qualifier, not an amount
    if m["unit"] and m["unit"].startswith("-") and (m["calendar"] or m["clock"] or m["speed"]):
        return None  # "two-week test", "24-hour window"
    lead = _LEAD.search(pre)
    op = lead["op"].lower() if lead else ""
    clause = _clause_before(text, start)
    if op in {"", "of", "at"} and _is_baseline(pre=pre, post=post, clause=clause):
        return None
    if m["cur"] or m["money"]:
        return None if _MONEY_WORK.search(clause) else "money"
    if m["multiple"] or m["percent"] or m["points"]:
        if UNMEASURABLE_RE.match(post) or (m["percent"] and _is_work(clause)):
            return None  # "10x smarter", "roll out to 100% of traffic"
        return "multiple" if m["multiple"] else ("percent" if m["percent"] else "points")
    if m["speed"]:
        return "time"
    if m["clock"] or m["calendar"]:
        # "within 6 weeks" times the test; "by 8 minutes" or "under 2 days" sizes the outcome,
        # and so does "shall recover within 5 minutes": a bound on what the system must do.
        if op == "within" and m["clock"] and _ACTION_BOUND.search(clause):
            return "time"
        return "time" if op and op not in _WINDOW_OPS else None
    if _is_year(m["num"]) and not m["suf"]:
        return None
    if _TAIL.match(post) or (op and _STRONG_OPS.search(op)):
        return "count"
    if op == "by" and _THINGS_AFTER.match(post) or op in {"by", "to"} and _MEANS.search(clause):
        return None  # "by 10 new features", "by switching to 4 GPUs": the means, not the amount
    if _TARGET_BEFORE.search(pre):
        return "count"  # "will reach 20,000"
    if op in {"by", "to"} and DIRECTION.search(clause) and not _is_work(clause):
        return "count"
    if _METRIC_BEFORE.search(pre):
        return "count"  # "recall of 0.90", "AUC 0.85"
    return None


def _is_baseline(*, pre: str, post: str, clause: str) -> bool:
    """Return whether an unbound number states today's value rather than a target."""
    if _BASELINE_BEFORE.search(pre) or _BASELINE_AFTER.match(post):
        return True
    return bool(_COPULA_BEFORE.search(pre)) and not _TARGET_WORDS.search(clause)


def _is_work(clause: str) -> bool:
    """Return whether the clause's last verb is work (deploy, label) rather than a move."""
    work = [
        m
        for m in ROLLOUT_VERB.finditer(clause)
        # "users exposed to smart replies": a participle after a noun describes who, not work
        if not (m.group(0).lower().endswith("ed") and clause[: m.start()].strip())
    ]
    if not work:
        return False
    return not DIRECTION.search(clause, work[-1].end())


def _with_comparator(m: re.Match[str], text: str, kind: str) -> Quantity:
    """Widen a number's span to the comparator that binds it: 'by at least 2%'."""
    start = m.start("cur") if m["cur"] else m.start("num")
    end = m.end()
    pre = text[max(0, start - 40) : start]
    lead = _LEAD.search(pre)
    if lead and lead["op"].lower() != "of":
        # Keep "by at least 2%", drop the copula of "be below 120 ms".
        start -= len(pre) - (lead.start() if lead["move"] else lead.start("op"))
    tail = _TAIL.match(text, end)
    if tail:
        end = tail.end()
    negated = _NEGATED.search(text, max(0, start - 30), start)
    if negated and not re.match(r"no |not ", text[start:end], re.IGNORECASE):
        start = negated.start()  # "should not take more than 5 minutes": the bound is a ceiling
    return Quantity(start, end, text[start:end].strip(), kind)


_NEGATED = re.compile(
    r"\b(?:not|never|no)\s+(?:(?:be|take|exceed|affect|go|rise|drop|fall)\s+)?$", re.I
)
