"""What an announced edit looks like: "who changed what", then "before → after" per field.

Values are plain text on the record; here they are escaped once for mrkdwn. A value past
SHOWN_LIMIT (a long question wording) is cut before escaping and the message says so: the
channel reads a notice, two whole wordings side by side would be a wall, and escaping can
make a wording five times longer. The record keeps every value whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.changes import FieldChange
from bot.slack.blocks import SECTION_LIMIT, Block, context, section
from bot.slack.mrkdwn import clip_mrkdwn, escape

SHOWN_LIMIT = 200  # plain characters of one value in a message
ARROW = "→"
# Fields holding a Slack user id, shown as a mention (the id was checked when it was typed).
PEOPLE_FIELDS = frozenset({"owner"})
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}")
_SUBJECTS = {"metric": "the shared metric", "gate_question": "the gate question"}
_CUT_NOTE = f"Values past {SHOWN_LIMIT} characters are cut here; `/gate export` has them whole."
_RECORD_NOTE = "Kept on the project's record: `/gate export` has every change."


def shown(field: str, value: str | None) -> tuple[str, bool]:
    """Return one value as mrkdwn, escaped once, and whether it had to be cut."""
    if value is None:
        return "_none_", False
    if field in PEOPLE_FIELDS and _USER_ID.fullmatch(value):
        return f"<@{value}>", False
    cut = len(value) > SHOWN_LIMIT
    return escape(value[: SHOWN_LIMIT - 1] + "…" if cut else value), cut


def field_line(change: FieldChange) -> tuple[str, bool]:
    """Return "*breach*: below 0.72 → below 0.70", and whether a value was cut."""
    before, cut_before = shown(change.field, change.before)
    after, cut_after = shown(change.field, change.after)
    return f"*{escape(change.field)}*: {before} {ARROW} {after}", cut_before or cut_after


def subject_text(subject_kind: str, subject: str) -> str:
    """Return what was edited: "the shared metric `relevance_rating`"."""
    noun = _SUBJECTS.get(subject_kind)
    code = f"`{escape(subject)}`"
    return f"{noun} {code}" if noun else code


def change_lines(changes: Sequence[FieldChange]) -> str:
    """Return one "• field: before → after" line per change, and the cut note if one was cut."""
    lines = [field_line(change) for change in changes]
    text = "\n".join(f"• {line}" for line, _ in lines)
    if any(cut for _, cut in lines):
        text += f"\n_{_CUT_NOTE}_"
    return text


def announcement(
    *, subject_kind: str, subject: str, changed_by: str, changes: Sequence[FieldChange]
) -> tuple[str, list[Block]]:
    """Return the channel's notification text and blocks for one edit."""
    head = f":pencil2: <@{changed_by}> changed {subject_text(subject_kind, subject)}:"
    lines = [field_line(change) for change in changes]
    # One section a field, so even two long wordings stay inside a section's budget.
    blocks = [section(head), *(section(line) for line, _ in lines)]
    cut = any(cut for _, cut in lines)
    blocks.append(context(f"{_CUT_NOTE} {_RECORD_NOTE}" if cut else _RECORD_NOTE))
    text = clip_mrkdwn(f"{head} " + "; ".join(line for line, _ in lines), SECTION_LIMIT)
    return text, blocks
