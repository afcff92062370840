"""Quantities written as phrases rather than as a number and a unit.

"from 31% to 33%", "by a third", "will halve", "below two minutes", "8 out of 10": each names
an amount by its shape, so each is a magnitude wherever it appears.
"""

from __future__ import annotations

import re

# Thousands with commas, clock times ("1:07"), decimal commas ("1,4%"), plain decimals.
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,2}:\d{2}(?!\d)|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?|\.\d+"
RANGE = re.compile(
    r"\bfrom\s+(?:(?:about|around|its|the|our|a|current|today's|baseline)\s+){0,3}"
    r"(?P<a>[$€£]?(?:" + NUM + r")\S*)\s+(?:\w+\s+){0,2}?to\s+"
    r"(?:(?:at least|at most|under|below|above|over|less than|more than|about|around)\s+)?"
    r"(?P<b>[$€£]?(?:" + NUM + r")(?:\s?(?:%|ms|s|seconds?|minutes?|mins?|hours?|days?|points?|k|m)"
    r"(?![a-z]))?)",
    re.IGNORECASE,
)
FRACTION = re.compile(
    r"\bby (?:a|one|two) (?:third|quarter|half|fifth|tenth)s?\b|\b(?:by|in) half\b"
    r"|\b(?:will|would|should|to|must|could|can|may)\s+(?:\w+\s+)?"
    r"(?:double|triple|halve|quadruple)\b(?!\s+down)"
    r"|\b(?:doubles|triples|halves|quadruples)\b|\b(?:two|three|four|ten)-?fold\b"
    r"|(?:^|[.;:]\s*|\b(?:and|to|will|would|should|must|can|could|may)\s+)"
    r"(?:halve|double|triple|quadruple)\b(?!\s+down|-)"  # "Halve the time analysts spend"
    r"|\b(?:exceeds?|above|over|more than|below|under|less than)\s+(?:twice|double|triple|half)\b",
    re.IGNORECASE,
)
WORD_NUMBER = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|ninety|a hundred|half an?)"
)
# "below two minutes", "by ten points": spelled-out numbers bound by a comparator.
WORDED = re.compile(
    r"\b(?:by|below|under|above|at least|at most|(?:less|more|fewer) than|no more than|to|from)\s+"
    + WORD_NUMBER
    + r"\s+(?:percentage points?|points?|percent|seconds?|minutes?|hours?)\b"
    r"|\b(?:below|under|at most|(?:less|fewer|more) than|no more than|at least)\s+"
    + WORD_NUMBER
    + r"\s+(?:days?|weeks?)\b"
    # "a second or less", "two minutes at most": the bound follows the amount.
    r"|\b(?:a|an|" + WORD_NUMBER[3:-1] + r")\s+(?:seconds?|minutes?|hours?)\s+"
    r"(?:or (?:less|more|fewer)|at (?:most|least))\b"
    r"|\bat least an? (?:second|minute|hour)\b"
    # "fewer than half of pilot clinicians": a share in words.
    r"|\b(?:at least|at most|no more than|(?:fewer|more|less) than|under|over|below|above)\s+"
    r"(?:half|a third|a quarter|two[- ]thirds|three[- ]quarters)\b"
    # "at least two more deliveries": a count of anything but time.
    r"|\b(?:at least|at most|no more than|(?:fewer|more|less) than|up to)\s+"
    + WORD_NUMBER
    + r"\s+(?:(?:more|fewer|additional|extra)\s+)?"
    r"(?!days?\b|weeks?\b|months?\b|years?\b|quarters?\b|sprints?\b)[a-z]+",
    re.IGNORECASE,
)
# "8 out of 10", "1 in 4", "2 in every 100": a proportion written as counts.
RATIO = re.compile(
    r"(?:(?:at least|at most|no more than|fewer than|more than|less than|under|over)\s+)?"
    r"(?<![\d.])\b\d[\d,]*\s+(?:out\s+of|in|of)\s+(?:every\s+)?\d[\d,]*(?![\d,])"
    r"(?!\s*(?:%|percent|[a-z]*\s*(?:hours?|days?|weeks?|months?|quarters?|years?)\b))",
    re.IGNORECASE,
)
