"""Shared Hypothesis strategies: what people type, and what Slack can send back from a modal."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# One app per test function serves every example; derandomized so CI sees the same inputs.
# GATEBOT_PROPERTY_EXAMPLES=1000 searches deeper by hand (read at import, before the tests
# clear GATEBOT_* variables).
EXAMPLES = int(os.environ.get("GATEBOT_PROPERTY_EXAMPLES", "60"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the app is built once and reused on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Slack sends mentions, broadcasts and links as markup; everything else arrives escaped.
MARKUP = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<@U0PM|dana>",
    "<#C1|x>",
    "<https://example.com|click me>",
    "&lt;script&gt;",
    "&amp;",
]
# What arrives only in JSON escapes or forged bytes, and what hides in plain sight: lone UTF-16
# surrogates (an emoji cut in half), NUL, direction overrides and isolates, zero-width marks,
# non-characters and the last code point.
UNICODE_EDGES = [
    "\udfff",
    "\ud800",
    "x\ud83d",
    "\ude00y",
    "\x00",
    "a\x00b",
    "\u202e\u2066rtl\u2069",
    "\u061c",
    "\u200c\u200d\u2060",
    "\ufffe\uffff",
    "\U0010ffff",
    "e\u0301\u0301\u0301",
]
NASTY = [
    "",
    " ",
    "\t",
    "\n",
    '"',
    '"unclosed',
    "“curly”",
    "'",
    "`",
    "```",
    "*bold*",
    "_",
    "~",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\u200b",
    "\u202e",
    "\ufeff",
    *UNICODE_EDGES,
    "שלום עולם",
    "مرحبا",
    "🚀",
    "👩🏽‍💻",
    ":tada:",
    "Ω≈ç√",
    "ﷺ",
    "null",
    "None",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e309",
    "-0",
    "0",
    "0.72",
    "72%",
    "%",
    "1,000",
    "٣",
    "²",
    "9" * 40,
    "-1",
    "#1",
    "#99999999999",
    "2026-03-02",
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "2026-03-02T09:00:00Z",
    "Europe/Berlin",
    "Mars/Olympus",
    "../../etc/passwd",
    "UTC+25",
    "me",
    "@me",
    "=",
    "==",
    "x=",
    "=x",
    "owner=",
    "owner=<@U123>",
    "owner=<!channel>",
    "breach=",
    "breach=nan",
    "breach=72%",
    "warn=none",
    "periods=0",
    "periods=²",
    "periods=99999999999999999999",
    "max-drop=2%",
    "guardrail-of=relevance_rating",
    'label="<!channel> hi"',
    "unit=<!here>",
    "kind=<@U1>",
    "gbt_",
    "gbt_<!here>",
    "by",
    "by=2026-01-01",
    "by=<!channel>",
    *MARKUP,
]


def words(vocabulary: list[str]) -> st.SearchStrategy[str]:
    """Return one word: from the command's vocabulary, a nasty token, or any unicode at all."""
    return st.one_of(
        st.sampled_from(vocabulary),
        st.sampled_from(NASTY),
        st.text(max_size=12),
        st.from_regex(r"[A-Za-z_]{1,10}=[^\s]{0,10}", fullmatch=True),
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


def command_text(vocabulary: list[str]) -> st.SearchStrategy[str]:
    """Return what someone might type after a slash command: usually starting with a sub-command."""
    separator = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\u00a0", ""])
    tail = st.lists(st.tuples(separator, words(vocabulary)), max_size=8).map(
        lambda pairs: "".join(sep + word for sep, word in pairs)
    )
    typed = st.tuples(st.sampled_from(vocabulary), tail).map(lambda t: t[0] + t[1])
    long = st.tuples(words(vocabulary), st.integers(100, 900)).map(lambda t: (t[0] + " ") * t[1])
    return st.one_of(typed, tail, st.text(max_size=200), long)


# Modal values: what a block's state can hold. Slack sends strings, but a forged or future
# payload may not; each reader must turn anything into a clear error, never a crash.
odd_value = st.one_of(
    st.none(),
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.just({"value": "x"}),
)
huge_text = st.integers(3001, 6000).map(lambda n: ("word " * n)[:n])
