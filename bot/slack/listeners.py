"""Errors raised around ack() are reported by us, never handed back to Bolt.

Bolt's thread runner, when a listener raises after acking, overwrites the ack it already
has with None; if that lands within a few milliseconds of ack(), the request thread has
not yet read it and Slack gets a 404 after 3 s (a failed command, a modal stuck on
"trouble connecting") on top of any message we send. GuardedApp wraps every listener as it
is registered, through Bolt's public decorators, so this is fixed in one place.

Listeners now write what they accept before they ack, so an unexpected error (the
database away) can come first. Nothing was accepted then, and Slack must not think so: a
modal stays open, its typed answers kept, with our message on its first field; a slash
command is answered with the message. Anything else goes back to Bolt, unacked.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.core.errors import report_error, unsaved_message

# What the guard itself needs from Bolt, whether or not the listener asks for it.
_NEEDED = ("ack", "body", "respond", "client")

Register = Callable[..., Any]


class GuardedApp(App):
    """A Bolt App whose command, action, view and event listeners report their own errors."""

    def command(self, *args: Any, **kwargs: Any) -> Register:
        """Register a slash-command listener, guarded."""
        return _guarding(super().command(*args, **kwargs))

    def action(self, *args: Any, **kwargs: Any) -> Register:
        """Register a block-action listener, guarded."""
        return _guarding(super().action(*args, **kwargs))

    def view(self, *args: Any, **kwargs: Any) -> Register:
        """Register a view-submission listener, guarded."""
        return _guarding(super().view(*args, **kwargs))

    def event(self, *args: Any, **kwargs: Any) -> Register:
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
            body = kwargs.get("body") or {}
            if ack is not None and ack.response is None:
                if not _refuse(ack, body, error):
                    raise  # Bolt's own error path answers Slack
                return None
            if ack is None:
                raise
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


def _refuse(ack: Any, body: dict[str, Any], error: Exception) -> bool:
    """Answer a request not yet acked with what went wrong; False if it is not one we can."""
    if body.get("type") == "view_submission":
        fields = list(((body.get("view") or {}).get("state") or {}).get("values") or {})
        if not fields:
            return False
        ack(response_action="errors", errors={fields[0]: unsaved_message(error)})
        return True
    if body.get("command"):
        ack(text=unsaved_message(error))
        return True
    return False
