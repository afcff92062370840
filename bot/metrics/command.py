"""Parse `/metric …` text into a typed command; every mistake gets a message saying the fix."""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.core.errors import InvalidInput
from bot.slack.mrkdwn import escape


class Action(StrEnum):
    """What `/metric <text>` asks for."""

    LIST = "list"
    DEFINE = "define"
    UPDATE = "update"
    RECORD = "record"
    TOKEN = "token"  # noqa: S105 (a sub-command, not a secret)
    TOKEN_LIST = "token list"  # noqa: S105
    TOKEN_REVOKE = "token revoke"  # noqa: S105
    LINK = "link"
    HELP = "help"


@dataclass(frozen=True, kw_only=True)
class MetricCommand:
    """A parsed `/metric` invocation; only the fields its action needs are set."""

    action: Action
    name: str = ""
    changes: dict[str, object] = field(default_factory=dict)
    value: float | None = None
    day: date | None = None
    prefix: str | None = None
    scope: str = "ingest"  # a new token's: "ingest" (post values) or "read" (the record)
    hypothesis_id: int | None = None
    baseline: float | None = None
    target: float | None = None
    unknown: str | None = None


_ACTIONS = {
    "": Action.LIST,
    "list": Action.LIST,
    "ls": Action.LIST,
    "define": Action.DEFINE,
    "add": Action.DEFINE,
    "update": Action.UPDATE,
    "set": Action.UPDATE,
    "record": Action.RECORD,
    "token": Action.TOKEN,
    "tokens": Action.TOKEN_LIST,
    "link": Action.LINK,
    "help": Action.HELP,
    "?": Action.HELP,
}
_KEYS = {
    "kind": "kind",
    "direction": "direction",
    "warn": "warn",
    "breach": "breach",
    "unit": "unit",
    "periods": "periods",
    "period": "periods",
    "stale": "stale",
    "owner": "owner",
    "label": "label",
    "guardrail_of": "guardrail_of",
    "guards": "guardrail_of",
    "max_drop": "max_drop",
}
# What each text setting may hold (its column's size), checked while parsing, before the ack.
TEXT_CAPS = {"name": 64, "label": 80, "unit": 16, "kind": 16, "guardrail_of": 64}
UNIT_LIMIT, LABEL_LIMIT = TEXT_CAPS["unit"], TEXT_CAPS["label"]
_DIRECTIONS = {"higher": "higher_is_better", "up": "higher_is_better", "lower": "lower_is_better"}
_DIRECTIONS |= {"down": "lower_is_better"}
_CLEAR = {"none", "-", "off"}
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_USAGE_WRITTEN = {
    Action.DEFINE: "`/metric define <name> <kind> <direction> breach=<x> [warn=<x>] [unit=…] "
    "[periods=N] [owner=@someone] [guardrail-of=<primary> max-drop=<x>[%]]`",
    Action.UPDATE: "`/metric update <name> warn=<x> breach=<x> owner=@someone …`",
    Action.RECORD: "`/metric record <name> <value> [YYYY-MM-DD]`",
    Action.LINK: "`/metric link <hypothesis #> <metric> <baseline> <target> [by YYYY-MM-DD]`",
}
# Placeholders such as <name> are escaped: Slack would read a bare <…> as a link.
USAGE = {action: escape(text) for action, text in _USAGE_WRITTEN.items()}


def _words(text: str) -> list[str]:
    # Only double quotes group words (an apostrophe in "users' rating" is a letter), and
    # nothing is a comment ("#12" is a hypothesis number).
    lexer = shlex.shlex(text.replace("“", '"').replace("”", '"'), posix=True)
    lexer.whitespace_split, lexer.quotes, lexer.escape, lexer.commenters = True, '"', "", ""
    try:
        return list(lexer)
    except ValueError:
        raise InvalidInput(
            'A double quote is not closed: write `label="Relevance rating"`.'
        ) from None


def _unescape(text: str) -> str:
    # Slack escapes &, < and > in command text; mentions arrive as real <@U…> markup.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def number(text: str, *, what: str) -> tuple[float, bool]:
    """Return a finite number and whether it was written with a % sign."""
    raw = text.strip()
    percent = raw.endswith("%")
    digits = raw.rstrip("%").strip()
    try:
        if "," in digits:
            raise ValueError
        value = float(digits)
    except ValueError:
        raise InvalidInput(
            f"{what} must be a number like 0.72 or 72%, not `{escape(raw[:40])}` "
            "(use a dot for decimals, no thousands separators)."
        ) from None
    if not math.isfinite(value):
        raise InvalidInput(f"{what} must be a finite number, not `{escape(raw[:40])}`.")
    return value, percent


def day(text: str) -> date:
    """Return the date in `YYYY-MM-DD`."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"`{escape(text[:40])}` is not a date: write YYYY-MM-DD.") from None


MAX_DAYS = 365  # a count of days in a row; also keeps the number inside the DB's integer
MAX_ID = 2**31 - 1  # the largest id PostgreSQL's integer columns hold


def _whole(text: str) -> int | None:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    digits = text.strip()
    return int(digits) if digits.isascii() and digits.isdecimal() else None


def _count(text: str, *, key: str) -> int:
    count = _whole(text)
    if count is None or not 1 <= count <= MAX_DAYS:
        raise InvalidInput(f"`{key}` must be a whole number of days, 1 to {MAX_DAYS}.")
    return count


def _option(key: str, raw: str, *, user_id: str, changes: dict[str, object]) -> None:
    value = _unescape(raw).strip()
    cleared = value.lower() in _CLEAR
    if key in {"warn", "breach"}:
        if cleared:
            changes[key] = None
            return
        changes[key], percent = number(value, what=f"`{key}`")
        if percent:
            changes.setdefault("unit", "%")
    elif key in {"periods", "stale"}:
        changes[key] = _count(value, key=key)
    elif key == "owner":
        changes[key] = _owner(raw, user_id=user_id, cleared=cleared)
    elif key == "max_drop":
        drop, percent = number(value, what="`max-drop`")
        changes["max_drop"], changes["relative"] = (drop / 100, True) if percent else (drop, False)
    elif key == "direction":
        changes[key] = _DIRECTIONS.get(value.lower(), value)
    else:  # kind, unit, label, guardrail_of
        _check_cap(key, value)
        changes[key] = None if cleared and key != "kind" else value


def _check_cap(key: str, value: str) -> None:
    limit = TEXT_CAPS.get(key)
    if limit is not None and len(value) > limit:
        what = {"name": "metric name", "guardrail_of": "guardrail-of metric"}.get(key, key)
        raise InvalidInput(f"Keep the {what} to {limit} characters ({len(value)} now).")


def _owner(raw: str, *, user_id: str, cleared: bool) -> str | None:
    if cleared:
        return None
    if raw.strip().lower() in {"me", "@me"}:
        return user_id
    match = _MENTION.fullmatch(raw.strip())
    if match is None:
        raise InvalidInput(
            "Name the owner with a mention Slack completes, e.g. `owner=@Dana` picked from the "
            "list, or `owner=me`."
        )
    return match.group(1)


def _options(
    words: list[str], *, user_id: str, positional: int
) -> tuple[list[str], dict[str, object]]:
    plain: list[str] = []
    changes: dict[str, object] = {}
    for word in words:
        key, has_value, raw = word.partition("=")
        if not has_value:
            plain.append(_unescape(word))
            continue
        name = _KEYS.get(key.strip().lower().replace("-", "_"))
        if name is None:
            known = ", ".join(sorted({k.replace("_", "-") for k in _KEYS.values()}))
            raise InvalidInput(f"Unknown setting `{escape(key[:40])}`: use {known}.")
        _option(name, raw, user_id=user_id, changes=changes)
    if len(plain) > positional:
        raise InvalidInput(f"I don't know what `{escape(plain[positional][:40])}` is for here.")
    return plain, changes


def parse(text: str, *, user_id: str) -> MetricCommand:
    """Decide what `/metric <text>` means; raise InvalidInput with the usage when unclear."""
    words = _words(text)
    head = words[0].lower() if words else ""
    action = _ACTIONS.get(head)
    rest = words[1:]
    if action is None:
        return MetricCommand(action=Action.HELP, unknown=_unescape(words[0])[:40])
    if action is Action.TOKEN and rest:
        sub = rest[0].lower()
        if sub in {"list", "ls"}:
            return MetricCommand(action=Action.TOKEN_LIST)
        if sub == "revoke":
            return MetricCommand(
                action=Action.TOKEN_REVOKE, prefix=rest[1] if len(rest) > 1 else None
            )
        scope = " ".join(rest).lower().removeprefix("--scope").removeprefix("scope=").strip()
        if scope in {"read", "ingest"}:  # `token read`, `token --scope read`, `token scope=read`
            return MetricCommand(action=Action.TOKEN, scope=scope)
        return MetricCommand(action=Action.HELP, unknown=f"token {_unescape(sub)[:30]}")
    if action in USAGE and not rest:
        raise InvalidInput(f"Usage: {USAGE[action]}")
    if action is Action.DEFINE:
        plain, changes = _options(rest, user_id=user_id, positional=3)
        for key, word in zip(("kind", "direction"), plain[1:], strict=False):
            _option(key, word, user_id=user_id, changes=changes)
        _check_cap("name", plain[0] if plain else "")
        return MetricCommand(action=action, name=plain[0] if plain else "", changes=changes)
    if action is Action.UPDATE:
        plain, changes = _options(rest, user_id=user_id, positional=1)
        _check_cap("name", plain[0] if plain else "")
        return MetricCommand(action=action, name=plain[0] if plain else "", changes=changes)
    if action is Action.RECORD:
        return _record(rest)
    if action is Action.LINK:
        return _link(rest)
    return MetricCommand(action=action)


def _record(words: list[str]) -> MetricCommand:
    if len(words) not in (2, 3):
        raise InvalidInput(f"Usage: {USAGE[Action.RECORD]}")
    value, _ = number(words[1], what="The value")
    when = day(words[2]) if len(words) == 3 else None
    return MetricCommand(action=Action.RECORD, name=words[0], value=value, day=when)


def _link(words: list[str]) -> MetricCommand:
    words = [w for w in words if w.lower() != "by"]
    by = [w for w in words if w.lower().startswith("by=")]
    words = [w for w in words if w not in by]
    hypothesis_id = _whole(words[0].lstrip("#")) if words else None
    if len(words) not in (4, 5) or hypothesis_id is None:
        raise InvalidInput(f"Usage: {USAGE[Action.LINK]}")
    if not 1 <= hypothesis_id <= MAX_ID:
        raise InvalidInput(f"No hypothesis #{hypothesis_id}: `/hypothesis list` shows them.")
    baseline, _ = number(words[2], what="The baseline")
    target, _ = number(words[3], what="The target")
    deadline = words[4] if len(words) == 5 else (by[0][3:] if by else None)
    return MetricCommand(
        action=Action.LINK,
        hypothesis_id=hypothesis_id,
        name=words[1],
        baseline=baseline,
        target=target,
        day=day(deadline) if deadline else None,
    )
