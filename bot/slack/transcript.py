"""Render what Slack would show (messages, modals) as plain text for a terminal."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]+))?>")
WIDTH = 88

# Display names for ids, so a transcript reads "@priya in #ai-team" rather than raw ids.
NAMES: dict[str, str] = {}


@contextmanager
def display_names(names: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """Name these ids while the block runs, then give the table back as it was.

    The table is process-wide (a transcript reads it from any thread), so whoever adds names
    takes them away again: a demo run inside a test process must not rename another's channels.
    """
    before = dict(NAMES)
    NAMES.update(names)
    try:
        yield NAMES
    finally:
        NAMES.clear()
        NAMES.update(before)


def plain(text: str) -> str:
    """Turn mrkdwn into what a reader sees: mentions as @name, entities decoded."""

    def mention(match: re.Match[str]) -> str:
        sigil, ident, label = match.groups()
        if sigil == "!" and ident.startswith("date^"):  # a time in the reader's zone
            return label or ident
        if sigil == "!":
            return f"@{ident}"
        return f"{sigil}{label or NAMES.get(ident, ident)}"

    text = _MENTION.sub(mention, text)
    text = re.sub(r"(?<!\w)\*([^*\n]+)\*(?!\w)", r"\1", text)  # *bold*
    text = re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"\1", text)  # _italic_
    text = re.sub(r":([a-z_]+):", _emoji, text)  # emoji codes Slack would draw
    return html.unescape(text)


_EMOJI = {
    "warning": "⚠",
    "white_check_mark": "✔",
    "hourglass_flowing_sand": "⏳",
    "x": "✘",
    "rotating_light": "🚨",
    "clipboard": "📋",
    "memo": "📝",
    "alarm_clock": "⏰",
    "palm_tree": "🌴",
    "face_with_thermometer": "🤒",
    "double_vertical_bar": "⏸",
    "large_green_circle": "🟢",
    "large_orange_circle": "🟠",
    "red_circle": "🔴",
    "shield": "🛡",
    "zap": "⚡",
    "no_entry": "⛔",
    "key": "🔑",
    "chart_with_downwards_trend": "📉",
    "chart_with_upwards_trend": "📈",
}


def _emoji(match: re.Match[str]) -> str:
    return _EMOJI.get(match.group(1), match.group(0))


def _wrap(text: str, indent: str) -> list[str]:
    lines: list[str] = []
    for line in plain(text).splitlines():
        prefix = indent + ("│ " if line.startswith("> ") or line.startswith(">") else "")
        body = line[1:].lstrip() if line.startswith(">") else line
        lines += textwrap.wrap(
            body, WIDTH - len(prefix), initial_indent=prefix, subsequent_indent=prefix
        ) or [prefix]
    return lines


def render_blocks(blocks: list[dict[str, Any]], *, indent: str = "  ") -> str:
    """Render a message's blocks as the text a person reads, buttons in [brackets]."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in {"section", "header"}:
            if "text" in block:
                lines += _wrap(block["text"]["text"], indent)
            for item in block.get("fields", []):  # side-by-side columns, read one after the other
                lines += _wrap(item["text"], indent + "  ")
        elif kind == "context":
            for element in block.get("elements", []):
                lines += _wrap(element.get("text", ""), indent + "· ")
        elif kind == "actions":
            lines.append(indent + "  ".join(f"[{_label(e)}]" for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append(indent + "─" * 40)
        elif kind == "input":
            lines.append(indent + f"{block['label']['text']}: {_input_value(block['element'])}")
    return "\n".join(lines)


def _label(element: dict[str, Any]) -> str:
    text = element.get("text", {})
    return str(text.get("text", "")) if isinstance(text, dict) else str(text)


def _input_value(element: dict[str, Any]) -> str:
    if "initial_value" in element:
        return str(element["initial_value"])
    if "initial_option" in element:
        return str(element["initial_option"]["text"]["text"])
    if "initial_user" in element:
        return "@" + str(element["initial_user"])
    return "…"


def render_view(view: dict[str, Any]) -> str:
    """Render a modal: its title, fields and submit button."""
    title = view.get("title", {}).get("text", "")
    submit = view.get("submit", {}).get("text", "Submit")
    return (
        f"  ┌ {title}\n"
        + render_blocks(view.get("blocks", []), indent="  │ ")
        + f"\n  └ [{submit}]"
    )
