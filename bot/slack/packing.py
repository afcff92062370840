"""Slack's per-message budget, and packing blocks into messages that each stay within it.

Slack refuses a message past 50 blocks or a section text past 3,000 characters
(invalid_blocks), and one whose blocks carry more than about 12,000 characters of text in
all (msg_blocks_too_long, a permanent refusal). What does not fit one message continues in
thread replies, in order, so nothing is dropped and nothing is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

Block = dict[str, Any]


@dataclass(frozen=True)
class Budget:
    """What one message may carry."""

    blocks: int = 50
    section: int = 3000  # one section's text
    text: int = 12000  # every text in the blocks, together


MESSAGE = Budget()
# A modal may hold 100 blocks; Slack documents no total, so the messages' one is kept.
MODAL = Budget(blocks=100)
_NOTE_ROOM = 200  # characters kept free in the first message for the "continued" note


def texts(node: Any) -> Iterator[str]:
    """Yield every text a reader sees in blocks: sections, fields, contexts, buttons, options."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def text_size(blocks: Iterable[Block]) -> int:
    """Return the characters of text `blocks` carry, as Slack counts them against its limit."""
    return sum(len(text) for text in texts(list(blocks)))


def fits(blocks: Sequence[Block], budget: Budget = MESSAGE) -> bool:
    """Return whether one message of `blocks` stays within `budget`."""
    if not 0 < len(blocks) <= budget.blocks or text_size(blocks) > budget.text:
        return False
    return all(
        len(block.get("text", {}).get("text", "")) <= budget.section
        for block in blocks
        if block.get("type") == "section"
    )


def pack(
    blocks: Sequence[Block], budget: Budget = MESSAGE, *, note: bool = True, below: bool = False
) -> list[list[Block]]:
    """Split `blocks` into messages within `budget`, in order; `note`: the first says more follow.

    `below`: the rest follow as messages of their own, not thread replies (ephemeral ones,
    which have no thread).

    A divider never starts or ends a message; a section whose fields alone pass the
    budget is split into sections of fewer fields.
    """
    pieces = [piece for block in blocks for piece in _split(block, budget)]
    messages: list[list[Block]] = [[]]
    for piece in pieces:
        current = messages[-1]
        first = note and len(messages) == 1  # keeps room for the note
        room = budget.text - (_NOTE_ROOM if first else 0)
        blocks_room = budget.blocks - (1 if first else 0)
        full = len(current) + 1 > blocks_room or text_size([*current, piece]) > room
        if current and full:
            messages.append(current := [])
        if piece.get("type") == "divider" and not current:
            continue
        current.append(piece)
    messages = [_trimmed(message) for message in messages]
    messages = [message for message in messages if message]
    if note and len(messages) > 1:
        messages[0].append(continued(len(messages) - 1, below=below))
    return messages or [[]]


def continued(replies: int, *, below: bool = False) -> Block:
    """Return the note that the message goes on in its thread (or in the messages below)."""
    if below:
        more = "1 more message" if replies == 1 else f"{replies} more messages"
        text = f":arrow_down: Continued below ({more})."
    else:
        more = "1 more reply" if replies == 1 else f"{replies} more replies"
        text = f":thread: Continued in the thread ({more})."
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _trimmed(message: list[Block]) -> list[Block]:
    while message and message[-1].get("type") == "divider":
        message.pop()
    return message


def _split(block: Block, budget: Budget) -> list[Block]:
    """Return `block`, or its fields spread over several sections when it alone is too big."""
    fields = block.get("fields")
    if not fields or text_size([block]) <= budget.text - _NOTE_ROOM:
        return [block]
    parts: list[Block] = []
    current: Block = {k: v for k, v in block.items() if k != "fields"}
    current["fields"] = []
    for field in fields:
        if current["fields"] and text_size([current, field]) > budget.text - _NOTE_ROOM:
            parts.append(current)
            current = {"type": "section", "fields": []}
        current["fields"].append(field)
    parts.append(current)
    return parts
