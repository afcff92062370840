"""Find the elements that sharpen a test without deciding the label: time, population, reason."""

from __future__ import annotations

import re

from bot.falsifiability.lexicon import MONTH, NUMBER_WORD

# Seconds and minutes usually define a metric ("a second action within 90 seconds"), so a
# test's window is counted in hours and longer.
_WINDOW_UNIT = r"(?:hours?|days?|weeks?|months?|quarters?|years?|sprints?)"
TIME = re.compile(
    r"\b(?:within|over|after|in|during|for|across|inside)\s+(?:the\s+(?:next|first)\s+|"
    r"any\s+|a\s+|an\s+)?(?:(?:" + NUMBER_WORD + r"|\d[\d,.]*)[\s-])?(?:(?:consecutive|"
    r"straight|full)\s+)?" + _WINDOW_UNIT + r"(?:\s+(?:of\s+(?:launch|go-live|release|rollout|"
    r"traffic|data|production\s+\w+|the\s+(?:launch|pilot|test|rollout))|(?:a/b\s+)?test|"
    r"pilot|window|experiment|period))?"
    r"|\bon\s+(?:any\s+)?(?:"
    + NUMBER_WORD
    + r"|\d+)\s+(?:consecutive|straight)\s+"
    + _WINDOW_UNIT
    + r"|\b(?:in|during|over)\s+(?:a|an|the)\s+(?:[\w/]+[\s-]){0,2}(?:a/b\s+)?(?:test|experiment)\b"
    r"|\bduring\s+the\s+" + MONTH + r"\s+(?:pilot|test|trial)\b"
    r"|\bby\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?(?:q[1-4]|" + MONTH + r"|eoy|year[- ]end|"
    r"next\s+\w+|(?:the\s+)?(?:month|quarter|year|sprint|season))\b(?:\s+\d{1,4})?"
    r"|\b(?:this|next|each|every)\s+(?:week|month|quarter|year|sprint|season)\b"
    r"|\bquarter over quarter\b|\bover the\s+(?:\w+\s+)?(?:season|holidays?|period)\b",
    re.IGNORECASE,
)
PEOPLE = (
    r"(?:users?|customers?|shoppers?|buyers?|sellers?|merchants?|drivers?|riders?|patients?|"
    r"clinicians?|nurses?|doctors?|radiologists?|agents?|analysts?|advertisers?|subscribers?|"
    r"members?|visitors?|accounts?|students?|employees?|moderators?|hosts?|guests?|clinics?|"
    r"markets?|regions?|stores?|warehouses?|segments?|cohorts?|countries|cities|attendees?|"
    r"queries|traffic|pilots?|teams?|readers?|viewers?|listeners?|players?|learners?|"
    r"developers?|creators?|sellers?|borrowers?|applicants?|claimants?|travell?ers?|couriers?|"
    r"tenants?|organi[sz]ations?|companies|workspaces?|households?|partners?|vendors?|"
    r"suppliers?|candidates?|passengers?|callers?|physicians?|shops?|sites?|devices?)"
)
# A relative clause runs to the next preposition that starts another element.
_UNTIL = (
    r"[^,;.?]+?(?=\s+(?:by|within|over|from|to|during|after|while|will|should|without)\b"
    r"|[,;.?]|$)"
)
_POPULATION = re.compile(
    r"(?<!\d\s)\b(?:for|among|across|in|on)\s+(?:(?:the|our|all|every|each|any|that)\s+)?"
    r"(?:[\w'-]+\s+){0,3}"
    + PEOPLE
    + r"\b(?:\s+(?:who|that|with|younger|older)\s+"
    + _UNTIL
    + r")?|\b(?:users|customers|sellers|subscribers|patients)\s+who\s+"
    + _UNTIL
    + r"|\bin that segment\b",
    re.IGNORECASE,
)
_SENTENCE = r"(?:[^.;]|\.(?=\d))"  # to the end of the sentence, reading "4.20" as one number
_FALSIFY = re.compile(
    r"(?:we(?:'ll| will)?\s+(?:know|consider)\b" + _SENTENCE + r"*?\b(?:wrong|falsified)|"
    r"(?:we(?: are|'re|’re)\s+)?wrong if|falsified if|considered? (?:it )?(?:wrong|failed)|"
    r"\b(?:kill|stop|drop|abandon|sunset|revert|roll\s?back|pause|disable|switch off|turn off|"
    r"alert|page|flag|escalate)\b" + _SENTENCE + r"{0,80}?\b(?:if|when|whenever|unless)\b|"
    r"\bif\b" + _SENTENCE + r"{0,140}?\b(?:we\s+)?(?:kill|stop|drop|abandon|sunset|revert|"
    r"roll\s?back|pause|disable|flag|alert|page|escalate|retrain|retire|flagged|paged|alerted|"
    r"rolled back|stopped|reverted)\b|"
    r"\bfires\s+(?:if|when)\b|\botherwise,?\s+we\b|\bor the \w+ (?:stops|ends)\b|"
    r"\bonly if\b|\bdoes not (?:move|improve|rise|drop|fall|reach)\b|\bfails? to\b)"
    + _SENTENCE
    + r"*",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(?:because|since(?!\s+(?:launch|the\s+launch|\d|last|january|q\d))|due to|given that|"
    r"as a result of|thanks to)\b\s+" + _SENTENCE + r"+",
    re.IGNORECASE,
)


def time_windows(text: str) -> list[tuple[int, int]]:
    """Return the spans that time the test ("within 6 weeks", "by the end of Q3")."""
    return [m.span() for m in TIME.finditer(text)]


def find_time_window(text: str, *, skip: tuple[int, int] | None = None) -> str | None:
    """Return the first span that says how long the test runs, outside the skipped span."""
    for m in TIME.finditer(text):
        if skip is None or not (skip[0] <= m.start() < skip[1]):
            return m.group(0).strip()
    return None


def find_population(text: str) -> tuple[str, tuple[int, int]] | None:
    """Return the users or segment the claim is about, and where it is."""
    m = _POPULATION.search(text)
    return (m.group(0).strip(), m.span()) if m else None


def find_falsification(text: str) -> str | None:
    """Return the clause that says which result would prove the claim wrong."""
    m = _FALSIFY.search(text)
    return m.group(0).strip(" ,") if m else None


def find_reason(text: str) -> str | None:
    """Return the 'because ...' clause."""
    m = _REASON.search(text)
    return m.group(0).strip() if m else None
