"""Errors raised after ack() are reported by us, never handed back to Bolt.

Bolt's thread runner, when a listener raises after acking, overwrites the ack it already
has with None; if that lands within a few milliseconds of ack(), the request thread has
not yet read it and Slack gets a 404 after 3 s (a failed command, a modal stuck on
"trouble connecting") on top of any message we send. GuardedApp wraps every listener as it
is registered, through Bolt's public decorators, so this is fixed in one place.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.core.errors import report_error

# What the guard itself needs from Bolt, whether or not the listener asks for it.
_NEEDED = ("ack", "body", "respond", "client")

Register = Callable[..., Any]


class GuardedApp(App):
    """A Bolt App whose command, action, view and event listeners report their own errors."""

    def command(self, *args: Any, **kwargs: Any) -> Register:  # type: ignore[override]
        """Register a slash-command listener, guarded."""
        return _guarding(super().command(*args, **kwargs))

    def action(self, *args: Any, **kwargs: Any) -> Register:  # type: ignore[override]
        """Register a block-action listener, guarded."""
        return _guarding(super().action(*args, **kwargs))

    def view(self, *args: Any, **kwargs: Any) -> Register:  # type: ignore[override]
        """Register a view-submission listener, guarded."""
        return _guarding(super().view(*args, **kwargs))

    def event(self, *args: Any, **kwargs: Any) -> Register:  # type: ignore[override]
        """Register an Events API listener, guarded."""
        return _guarding(super().event(*args, **kwargs))


def _guarding(register: Register) -> Register:
    """Wrap the functions given to one of Bolt's registration decorators."""

    def guarded_register(*functions: Any, **kwargs: Any) -> Any:
        if "ack" in kwargs:  # app.command(...)(ack=..., lazy=[...]): lazy ones run apart
            kwargs["ack"] = guarded(kwargs["ack"])
        return register(*(guarded(f) for f in functions), **kwargs)

    return guarded_register


def guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """Return `function` so that an error after its ack reaches the user, not Bolt."""
    own_args = list(inspect.signature(function).parameters)

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

    # Bolt passes a listener the arguments its signature names: ours plus what the guard needs.
    names = own_args + [n for n in _NEEDED if n not in own_args]
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names]
    )
    run.__name__ = getattr(function, "__name__", "listener")
    run.__qualname__ = getattr(function, "__qualname__", run.__name__)
    run.__doc__ = function.__doc__
    return run
