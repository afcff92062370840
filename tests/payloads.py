"""What every payload sent to the stand-in Slack must be: parseable and within its budget."""

from __future__ import annotations

from collections.abc import Iterable

from bot.demo.standin.calls import Call
from bot.demo.standin.slack.limits import refusal
from bot.slack.packing import MESSAGE, MODAL, fits

MESSAGES = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"})
VIEWS = frozenset({"views.open", "views.push", "views.update", "views.publish"})


def payload_problems(calls: Iterable[Call]) -> list[str]:
    """Return, per call that Slack would refuse or that passes its budget, what is wrong.

    Each payload is parsed with slack_sdk's block and view models (the stand-in's refusal
    check), and its blocks must fit one message (50 blocks, 3,000 per section, 12,000
    characters in all) or one view (100 blocks).
    """
    problems = []
    for call in calls:
        blocks, budget = None, MESSAGE
        if call.method in MESSAGES:
            blocks = call.args.get("blocks")
        elif call.method in VIEWS:
            blocks, budget = (call.args.get("view") or {}).get("blocks"), MODAL
        refused = refusal(call.method, call.args)
        if refused:
            problems.append(f"{call.method}: Slack would answer {refused}{_what(call)}")
        elif blocks and not fits(blocks, budget):
            problems.append(f"{call.method}: past the budget ({len(blocks)} blocks){_what(call)}")
    return problems


def _what(call: Call) -> str:
    """Return the start of what the payload says, to tell which message it was."""
    text = str(call.args.get("text") or (call.args.get("view") or {}).get("type") or "")
    return f" ({text[:60]})" if text else ""


def sent(calls: Iterable[Call]) -> list[Call]:
    """Return the calls that carry something a person reads: messages and views."""
    return [call for call in calls if call.method in MESSAGES | VIEWS]
