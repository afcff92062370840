"""Whether a person's Slack status says they are away: on holiday, on leave, or sick.

People set their status by hand, in their own words, so this reads it the way a colleague
would: an emoji that means "not here" (a palm tree, a thermometer face), or a phrase such as
"vacationing", "OOO" or "out sick" as whole words, in any case and spelling of
punctuation. A status saying someone is back ("Back from vacation") is not away, unless it
still names the day they return ("Back from holiday on Monday"). A status past its
expiration is not away: Slack clears it on its own schedule, which may lag.

Anything else ("In a meeting", "Commuting", "Working remotely", "Focus time") is someone who
can answer, if later: the reminder mentions them as usual.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Slack's shortcodes; the unicode forms are for a status typed with emoji in the text.
_HOLIDAY_EMOJI = {
    "palm_tree": "🌴",
    "beach_with_umbrella": "🏖",
    "desert_island": "🏝",
    "umbrella_on_ground": "⛱",
}
_SICK_EMOJI = {
    "face_with_thermometer": "🤒",
    "sneezing_face": "🤧",
    "nauseated_face": "🤢",
    "face_vomiting": "🤮",
    "face_with_head_bandage": "🤕",
    "thermometer": "🌡",
}
AWAY_EMOJI = frozenset(_HOLIDAY_EMOJI) | frozenset(_SICK_EMOJI)
_AWAY_GLYPHS = frozenset(_HOLIDAY_EMOJI.values()) | frozenset(_SICK_EMOJI.values())

# Matched against the normalised text (lower case, accents and punctuation gone, single
# spaces), so "Out-of-office", "O.O.O." and "out of  office" read alike.
_AWAY_PHRASES = re.compile(
    r"\b(?:"
    r"vacation(?:ing|s)?|on vacay|holidays?|holidaying|on leave|annual leave|"
    r"(?:parental|maternity|paternity|sick|medical|family|bereavement|study) leave|"
    r"pto|time off|day off|days off|off today|off work|off sick|"
    r"ooo|o o o|ooto|out of (?:the )?office|"
    r"sick|ill|unwell|under the weather|flu|"
    r"urlaub|vacaciones|vacances|conges?|ferias|krank"
    r")\b"
)
# "Back from vacation" is someone here again; "Back from vacation on Monday" is not yet.
# ("May" is left out: "back from leave, may be slow to reply" is someone back.)
_BACK = re.compile(r"\b(?:back from|returned from|back after)\b")
_RETURN_DAY = re.compile(
    r"\bback\b.*\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|tomorrow|next|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"\d+(?:st|nd|rd|th)?)\b"
)
# Greetings that name a holiday without anyone being on one.
_GREETING = re.compile(r"\b(?:happy|merry|enjoy the|seasons) (?:holidays?|vacation)\b")
_SHORTCODE = re.compile(r"^:([a-z0-9_+'-]+)(?:::skin-tone-[2-6])?:$")


@dataclass(frozen=True, kw_only=True)
class Status:
    """A person's Slack status as users.info returns it in their profile."""

    text: str = ""
    emoji: str = ""  # a shortcode such as ":palm_tree:", or ""
    expiration: int = 0  # Unix seconds when Slack clears it; 0: until they change it

    @classmethod
    def of(cls, profile: dict[str, Any]) -> Status:
        """Read the status out of a users.info `profile`, whatever is missing or odd in it."""
        try:
            expiration = int(profile.get("status_expiration") or 0)
        except (TypeError, ValueError):
            expiration = 0
        return cls(
            text=str(profile.get("status_text") or ""),
            emoji=str(profile.get("status_emoji") or ""),
            expiration=expiration,
        )


def normalise(text: str) -> str:
    """Return `text` lower case, without accents or punctuation, words single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Punctuation becomes a space: "I'll" reads "i ll", never "ill"; "O.O.O." reads "o o o".
    return " ".join(re.sub(r"[^\w]+", " ", plain).replace("_", " ").split())


def emoji_name(emoji: str) -> str | None:
    """Return the name of a Slack shortcode (":palm_tree::skin-tone-2:" -> "palm_tree")."""
    found = _SHORTCODE.match(emoji.strip().lower())
    return found.group(1) if found else None


def _glyphs(text: str) -> set[str]:
    return {c for c in text.replace("\ufe0f", "") if c in _AWAY_GLYPHS}


def says_away(status: Status) -> bool:
    """Return whether the status's emoji or words say the person is away (expiry aside)."""
    words = _GREETING.sub(" ", normalise(status.text))
    if _BACK.search(words) and not _RETURN_DAY.search(words):
        return False
    if emoji_name(status.emoji) in AWAY_EMOJI or _glyphs(status.text):
        return True
    return bool(_AWAY_PHRASES.search(words))


def is_away(status: Status, *, now: datetime) -> bool:
    """Return whether the status says away and has not expired by `now` (an aware time)."""
    if status.expiration and status.expiration <= now.timestamp():
        return False
    return says_away(status)
