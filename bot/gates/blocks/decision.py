"""Blocks for a gate's decision: the leads' modal, reading it, and the post in the thread."""

from __future__ import annotations

import json
from typing import Any

from bot.gates import Decision
from bot.gates.answers import Review
from bot.gates.blocks.status import review_title
from bot.gates.decisions import Decided
from bot.slack.blocks import SECTION_LIMIT, Block, quote, section
from bot.slack.mrkdwn import chunks, escape
from prompts import render

DECISION_CALLBACK = "gate_decision"
MAX_REASON_LENGTH = 2000  # escaped (& is 5 characters) and quoted, it still fits one message


def decision_modal(review: Review) -> Block:
    """Return the modal where a lead records go / no-go / iterate / sunset with a reason."""
    options = [
        {"text": {"type": "plain_text", "text": d.label}, "value": d.value} for d in Decision
    ]
    select: Block = {"type": "static_select", "action_id": "decision", "options": options}
    row = review.review
    intro = f"*{review.gate.title}*"
    if row.decision:
        current = next(o for o in options if o["value"] == row.decision)
        select["initial_option"] = current
        intro += (
            f"\nDecided *{Decision(row.decision).label}* by <@{row.decided_by}>. "
            "A new decision replaces it; the thread keeps both."
        )
    reason: Block = {
        "type": "plain_text_input",
        "action_id": "reason",
        "multiline": True,
        "max_length": MAX_REASON_LENGTH,
        "placeholder": {"type": "plain_text", "text": "The evidence, and what happens next"},
    }
    return {
        "type": "modal",
        "callback_id": DECISION_CALLBACK,
        "private_metadata": json.dumps({"review_id": review.id}),
        "title": {"type": "plain_text", "text": "Record the decision"},
        "submit": {"type": "plain_text", "text": "Record"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(intro),
            {
                "type": "input",
                "block_id": "decision",
                "label": {"type": "plain_text", "text": "Decision"},
                "element": select,
            },
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why"},
                "element": reason,
            },
        ],
    }


def read_decision_modal(view: dict[str, Any]) -> tuple[int, str, str]:
    """Return (review id, decision value, reason) from a submitted decision modal."""
    values = view["state"]["values"]
    selected = values.get("decision", {}).get("decision", {}).get("selected_option") or {}
    reason = values.get("reason", {}).get("reason", {}).get("value") or ""
    review_id = int(json.loads(view.get("private_metadata") or "{}")["review_id"])
    return review_id, str(selected.get("value") or ""), str(reason)


def decision_errors(*, decision: str, reason: str) -> dict[str, str]:
    """Return inline errors for the decision modal."""
    errors = {}
    if decision not in {d.value for d in Decision}:
        errors["decision"] = "Pick go, no-go, iterate or sunset."
    if not reason.strip():
        errors["reason"] = "Say why: the evidence the team can check later."
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = f"Keep it under {MAX_REASON_LENGTH} characters ({len(reason)} now)."
    return errors


def decision_text(*, decided: Decided, user_id: str) -> str:
    """Return the decision as posted in the thread."""
    return render(
        "gate_decision.j2",
        user=user_id,
        review=review_title(decided.review.review),
        decision=decided.decision.label,
        previous=decided.previous.label if decided.previous else None,
        reason=quote(escape(decided.review.review.decision_reason or "")),
    )


def decision_message(*, decided: Decided, user_id: str) -> list[Block]:
    """Return the decision's blocks: a long reason goes on in further sections, never cut."""
    text = decision_text(decided=decided, user_id=user_id)
    return [section(piece) for piece in chunks(text, SECTION_LIMIT)]
