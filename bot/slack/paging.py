"""Long lists a page at a time: how many there are, where this page is, and buttons to move.

A capped list never stops silently: it says how many more there are and offers the next
page. Each button's value carries the offset of the page it opens, so a click is stateless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Block = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """Which items of a list one message shows."""

    offset: int
    shown: int
    total: int

    @property
    def left(self) -> int:
        """Return how many come after this page."""
        return max(self.total - self.offset - self.shown, 0)


def action_ids(action_id: str) -> tuple[str, str]:
    """Return the ids of a pager's two buttons (a block's buttons need ids of their own)."""
    return f"{action_id}_back", f"{action_id}_next"


def read_offset(value: object) -> int:
    """Return the offset a paging button carries; anything unreadable is the first page."""
    try:
        return max(int(str(value)), 0)
    except ValueError:
        return 0


def pager(page: Page, *, noun: str, action_id: str, size: int) -> list[Block]:
    """Return the "21–40 of 200 hypotheses · 160 more" line and Previous / Next buttons."""
    if page.total == 0:
        return []
    first, last = page.offset + 1, page.offset + page.shown
    line = f"{first}–{last} of {page.total} {noun}"
    if page.left:
        line += f" · {page.left} more"
    blocks: list[Block] = [{"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}]
    buttons = []
    if page.offset > 0:
        back = max(page.offset - size, 0)
        buttons.append(_button("← Previous", action_id=f"{action_id}_back", value=str(back)))
    if page.left:
        step = min(size, page.left)
        buttons.append(_button(f"Next {step} →", action_id=f"{action_id}_next", value=str(last)))
    if buttons:
        blocks.append({"type": "actions", "block_id": f"{action_id}_pages", "elements": buttons})
    return blocks


def _button(text: str, *, action_id: str, value: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
