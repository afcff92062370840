"""Block Kit builders: pure functions from domain objects to Slack blocks."""

from __future__ import annotations

from typing import Any

from bot.slack.mrkdwn import clip_mrkdwn

Block = dict[str, Any]

# Slack's limits: a section's text, a header's text, a button's value, plain-text inputs.
SECTION_LIMIT = 3000
HEADER_LIMIT = 150


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    """Shorten text to Slack's limit, marking the cut, never inside an entity or a mention."""
    return clip_mrkdwn(text, limit)


def clip_plain(text: str, limit: int) -> str:
    """Shorten plain text (labels, titles, raw input) to `limit`, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    """Return a mrkdwn section; `text` must already be escaped where it is untrusted."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}


def context(text: str) -> Block:
    """Return a context block with one mrkdwn element."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def header(text: str) -> Block:
    """Return a header block (plain text: Slack never turns it into mentions)."""
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip_plain(text, HEADER_LIMIT)},
    }


def divider() -> Block:
    """Return a divider."""
    return {"type": "divider"}


def button(
    text: str,
    *,
    action_id: str,
    value: str,
    style: str | None = None,
    confirm: Block | None = None,
) -> Block:
    """Return a button element; with `confirm`, Slack asks before it sends the click."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(*, title: str, text: str, yes: str, no: str = "Cancel") -> Block:
    """Return the "are you sure?" Slack shows before a destructive button acts."""
    return {
        "title": {"type": "plain_text", "text": clip_plain(title, 100)},
        "text": {"type": "mrkdwn", "text": clip(text, 300)},
        "confirm": {"type": "plain_text", "text": clip_plain(yes, 30)},
        "deny": {"type": "plain_text", "text": clip_plain(no, 30)},
        "style": "danger",
    }


def quote(text: str) -> str:
    """Return mrkdwn quoting every line of already-escaped text."""
    return "\n".join("> " + line for line in text.splitlines() or [""])
