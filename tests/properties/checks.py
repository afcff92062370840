"""What every reply must be, whatever was typed: readable words, safe mrkdwn, Slack's limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# The only markup gatebot itself writes: user mentions and channel links. Any other `<…>` in
# mrkdwn is untrusted text that escaped escaping (a link, a broadcast) or broken markup.
_MARKUP = re.compile(r"<[^<>]*>?")
_ALLOWED_MARKUP = re.compile(
    r"<@[UW][A-Z0-9]+(\|[^<>|]*)?>|<#C[A-Z0-9]+(\|[^<>|]*)?>"
    r"|<!date\^\d+\^[^<>|]*\|[^<>|]+>"  # a time in the reader's zone, with its fallback
)
# Words a person should never be shown: what leaks when an exception's text reaches Slack.
_LEAKS = re.compile(
    r"Traceback|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\bobject at 0x|\bsqlalchemy\b|\bpsycopg\b"
    r"|\bpydantic\b|\bNoneType\b|Something went wrong on our side",
)
# Slack refuses messages past these (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS, MAX_SECTION, MAX_HEADER, MAX_CONTEXT_ELEMENTS = 50, 3000, 150, 10
MAX_MESSAGE_TEXT = 40_000


def shown_texts(message: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """Yield every text a person reads in a message or view, with whether it is mrkdwn."""
    if isinstance(message.get("text"), str):
        yield message["text"], message.get("mrkdwn", True) is not False
    yield from _block_texts(message.get("blocks") or [])


def _block_texts(node: object) -> Iterator[tuple[str, bool]]:
    if isinstance(node, list):
        for item in node:
            yield from _block_texts(item)
    elif isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"} and isinstance(node.get("text"), str):
            yield node["text"], node["type"] == "mrkdwn"
        for key, value in node.items():
            if key not in {"value", "action_id", "block_id", "initial_value"}:
                yield from _block_texts(value)


def problems(message: dict[str, Any], *, typed: str) -> list[str]:
    """Return what is wrong with a reply to input `typed` (empty when it is fine)."""
    found: list[str] = []
    texts = list(shown_texts(message))
    if not any(text.strip() for text, _ in texts):
        found.append("the reply has no words in it")
    folded = typed.casefold()
    for text, is_mrkdwn in texts:
        for leak in _LEAKS.finditer(text):
            if leak.group().casefold() not in folded:  # the user's own words may say "Error"
                found.append(f"leaks {leak.group()!r}: {text[:300]!r}")
        if is_mrkdwn:
            found += _unescaped(text)
    found += _limits(message)
    return found


def _unescaped(text: str) -> list[str]:
    # Inside `code` too: Slack reads `<…>` before it formats, so a help text's placeholder
    # must be written `&lt;name&gt;` like any other angle bracket.
    found = []
    for markup in _MARKUP.finditer(text):
        if not _ALLOWED_MARKUP.fullmatch(markup.group()):
            found.append(f"unescaped markup {markup.group()[:80]!r} in {text[:300]!r}")
    return found


def _limits(message: dict[str, Any]) -> list[str]:
    found = []
    if len(message.get("text") or "") > MAX_MESSAGE_TEXT:
        found.append(f"text of {len(message['text'])} characters")
    blocks = message.get("blocks") or []
    if len(blocks) > MAX_BLOCKS:
        found.append(f"{len(blocks)} blocks")
    for block in blocks:
        text = (block.get("text") or {}).get("text") or ""
        if block.get("type") == "section" and len(text) > MAX_SECTION:
            found.append(f"a section of {len(text)} characters")
        if block.get("type") == "header" and len(text) > MAX_HEADER:
            found.append(f"a header of {len(text)} characters")
        if block.get("type") == "context" and len(block.get("elements", [])) > MAX_CONTEXT_ELEMENTS:
            found.append(f"a context of {len(block['elements'])} elements")
    return found


def assert_readable(message: dict[str, Any], *, typed: str) -> None:
    """Fail naming every problem of a reply to `typed`."""
    found = problems(message, typed=typed)
    assert not found, f"reply to {typed[:200]!r}: " + "; ".join(found)
