"""The shape Bolt assumes of a Slack payload, checked before Bolt reads it.

Slack only ever sends objects where its payloads have objects and lists of objects where
they have lists. Bolt relies on that: its context builder, its argument injection and even
its "unhandled request" log line call `.get` on them, and raise on anything else, answering
500 and sending the error handler off to reply. A signed body of another shape (a bug in a
proxy, a replay tool, a forger holding the secret) is refused with 400 instead.
"""

from __future__ import annotations

from typing import Any

OBJECTS = ("view", "user", "team", "channel", "event", "enterprise", "container", "message")
LISTS_OF_OBJECTS = ("actions", "authorizations")


def shape_problem(body: Any) -> str | None:
    """Return what is wrong with the shape of a parsed Slack body, or None if Bolt can read it."""
    if not isinstance(body, dict):
        return "the body is not an object"
    for key in OBJECTS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            return f"{key} is not an object"
    for key in LISTS_OF_OBJECTS:
        value = body.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, dict) for item in value)
        ):
            return f"{key} is not a list of objects"
    view = body.get("view")
    if isinstance(view, dict) and not isinstance(view.get("type", ""), str):
        return "view.type is not text"
    return None
