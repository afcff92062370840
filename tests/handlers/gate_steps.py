"""Steps shared by the /gate integration tests: set up a project, ask a gate, answer it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from sqlmodel import Session, select

from bot.demo.standin.calls import Call
from bot.demo.standin.slack_requests import (
    SlackSender,
    picked_conversation,
    picked_date,
    picked_time,
    picked_user,
    picked_users,
    selected,
    text_input,
    ticked,
)
from bot.gates.blocks.prompt import ANSWER
from db.models.gates import GateAnswer, GateReview, Project, ReviewStatus
from tests.live_app import LiveApp

PM, DS, OTHER = "U0PM", "U0DS", "U0OTHER"
T = TypeVar("T")


def texts(blocks: list[dict[str, Any]]) -> str:
    """Return all the text a person would read in some blocks."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


def setup_values(*, timezone_block: str = "timezone", **fields: Any) -> dict[str, Any]:
    """Return the set-up modal's submitted state; `fields` override the defaults."""
    form = {
        "name": "Search ranking",
        "channel": "C0TEAM",
        "sprint_length": "14",
        "sprint_start": "2026-11-16",
        "timezone": "Europe/London",
        "prompt_time": "09:30",
        "pm_lead": PM,
        "ds_lead": DS,
        "phase": "iteration",
        "holidays": "",
        "working_days": ["0", "1", "2", "3", "4"],
        "standins": [],
    } | fields
    states = {
        "name": text_input(form["name"]),
        "channel": picked_conversation(form["channel"]),
        "sprint_length": {"type": "number_input", "value": form["sprint_length"]},
        "sprint_start": picked_date(form["sprint_start"]),
        timezone_block: text_input(form["timezone"]),
        "prompt_time": picked_time(form["prompt_time"]),
        "pm_lead": picked_user(form["pm_lead"]),
        "ds_lead": picked_user(form["ds_lead"]),
        "phase": selected(form["phase"]),
        "holidays": text_input(form["holidays"]),
        "working_days": ticked(form["working_days"]),
        "standins": picked_users(form["standins"]),
    }
    return {block_id: {block_id: state} for block_id, state in states.items()}


def project(live: LiveApp, channel_id: str = "C0TEAM") -> Project | None:
    """Return the stored project of a channel."""
    with Session(live.engine) as session:
        return session.exec(select(Project).where(Project.channel_id == channel_id)).first()


def reviews(live: LiveApp) -> list[GateReview]:
    """Return every stored review, oldest first."""
    with Session(live.engine) as session:
        return list(session.exec(select(GateReview).order_by(GateReview.id)))


def answers(live: LiveApp) -> list[GateAnswer]:
    """Return every stored answer, oldest first."""
    with Session(live.engine) as session:
        return list(session.exec(select(GateAnswer).order_by(GateAnswer.id)))


def open_setup(live: LiveApp, sender: SlackSender | None = None) -> dict[str, Any]:
    """Run /gate setup and return the modal as it stands once the app has filled it in."""
    sender = sender or live.sender
    editing = project(live, sender.channel_id) is not None
    opened, updated = len(live.slack.calls("views.open")), len(live.slack.calls("views.update"))
    reply = sender.command("/gate", "setup")
    assert reply.status == 200 and reply.body == ""
    view = live.slack.wait_for("views.open", count=opened + 1)[-1].args["view"]
    if editing:
        return view
    # A new project: the modal opened at once, then the profile's time zone came in.
    return live.slack.wait_for("views.update", count=updated + 1)[-1].args["view"]


def set_up(live: LiveApp, **fields: Any) -> Project:
    """Set up the sender's channel through the modal; return the stored project."""
    view = open_setup(live)
    posts = len(live.slack.calls("chat.postMessage"))
    ids = {b.get("block_id") for b in view["blocks"]}
    tz_block = "timezone" if "timezone" in ids else "timezone_pending"
    reply = live.sender.submit_view(view, setup_values(timezone_block=tz_block, **fields))
    assert reply.status == 200 and reply.body == "", reply.body
    live.slack.wait_for("chat.postMessage", count=posts + 1)
    stored = project(live, fields.get("channel", live.sender.channel_id))
    assert stored is not None
    return stored


def eventually(check: Callable[[], T], *, timeout: float = 5.0) -> T:
    """Return `check()` once it stops failing: the app keeps working after its ack."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def settled_review(live: LiveApp, index: int = -1) -> GateReview:
    """Return a review once its posting is recorded (no longer CLAIMED)."""

    def check() -> GateReview:
        found = reviews(live)
        assert found and found[index].status != ReviewStatus.CLAIMED
        return found[index]

    return eventually(check)


def ask(live: LiveApp, gate: str = "") -> tuple[GateReview, Call]:
    """Run /gate now and return the review and the prompt posted in the channel."""
    posts = len(live.slack.calls("chat.postMessage"))
    reply = live.sender.command("/gate", f"now {gate}".strip())
    assert reply.status == 200
    prompt = live.slack.wait_for("chat.postMessage", count=posts + 1)[-1]
    return settled_review(live), prompt


def answer_modal(live: LiveApp, review: GateReview, sender: SlackSender) -> dict[str, Any]:
    """Press Answer on the prompt as `sender` and return the modal that opens."""
    opened = len(live.slack.calls("views.open"))
    sender.click(ANSWER, str(review.id), message_ts=review.message_ts)
    return live.slack.wait_for("views.open", count=opened + 1)[-1].args["view"]


def submit_answers(
    live: LiveApp, review: GateReview, sender: SlackSender, **values: Any
) -> dict[str, Any]:
    """Answer the review's questions as `sender`; numbers go in number boxes. Return the reply."""
    view = answer_modal(live, review, sender)
    numbers = {
        b["block_id"] for b in view["blocks"] if b.get("element", {}).get("type") == "number_input"
    }
    state = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        key = block["block_id"]
        if block["element"]["type"] == "multi_users_select":  # people: pass a list of ids
            picked = values.get(key, block["element"].get("initial_users", []))
            state[key] = {key: {"type": "multi_users_select", "selected_users": picked}}
            continue
        kind = "number_input" if key in numbers else "plain_text_input"
        value = values.get(key, block["element"].get("initial_value", ""))
        state[key] = {key: {"type": kind, "value": value or None}}
    reply = sender.submit_view(view, state)
    assert reply.status == 200
    return reply.json() or {}


def person(live: LiveApp, user_id: str, **changes: Any) -> SlackSender:
    """Return a sender for someone else in the same channel (or, with team_id, elsewhere)."""
    return replace(live.sender, user_id=user_id, **changes)


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """Return a modal's private metadata."""
    return json.loads(view["private_metadata"])
