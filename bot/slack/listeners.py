"""Errors raised after ack() are reported by us, never handed back to Bolt.

Bolt's thread runner, when a listener raises after acking, overwrites the ack it already
has with None; if that lands within a few milliseconds of ack(), the request thread has
not yet read it and Slack gets a 404 after 3 s (a failed command, a modal stuck on
"trouble connecting") on top of any message we send. Guarding every listener here fixes
it in one place, for every handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.core.errors import report_error

# What the guard itself needs from Bolt, whether or not the listener asks for it.
_NEEDED = ("ack", "body", "respond", "client")


def guard_listeners(app: App) -> None:
    """Wrap every registered listener so an error after its ack reaches the user, not Bolt."""
    for listener in app._listeners:  # noqa: SLF001 (Bolt offers no public hook for this)
        own_args = list(listener.arg_names)
        listener.ack_function = _guarded(listener.ack_function, own_args)
        listener.arg_names = own_args + [n for n in _NEEDED if n not in own_args]


def _guarded(function: Callable[..., Any], own_args: list[str]) -> Callable[..., Any]:
    def run(**kwargs: Any) -> Any:
        try:
            return function(**{name: kwargs[name] for name in own_args if name in kwargs})
        except Exception as error:
            ack = kwargs.get("ack")
            if ack is None or ack.response is None:
                raise  # not acked yet: Bolt's own error path still answers Slack correctly
            body = kwargs.get("body") or {}
            report_error(
                error,
                respond=kwargs.get("respond") if body.get("response_url") else None,
                client=kwargs.get("client"),
                user_id=body.get("user_id") or (body.get("user") or {}).get("id"),
            )
            return None

    run.__name__ = getattr(function, "__name__", "listener")
    run.__doc__ = function.__doc__
    return run
