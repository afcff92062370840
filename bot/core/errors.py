"""Typed domain errors whose message a person can read as it is, and how they are reported."""

from __future__ import annotations

import logging
import uuid
from typing import Any

logger = logging.getLogger(__name__)


class GatebotError(Exception):
    """An error the user caused or can fix; `str(error)` is shown to them."""


class NotFound(GatebotError):
    """The thing asked for does not exist in this workspace."""


class InvalidInput(GatebotError):
    """Input that cannot be used; the message says what to change."""


def user_message(error: Exception) -> str:
    """Return what the user is told: our message, or an id to quote for unexpected errors."""
    if isinstance(error, GatebotError):
        return str(error)
    error_id = uuid.uuid4().hex[:8]
    logger.exception("unexpected error %s", error_id, exc_info=error)
    return (
        f":warning: Something went wrong on our side (error id `{error_id}`). "
        "Nothing you had already saved was lost; please try again in a minute."
    )


def report_error(
    error: Exception, *, respond: Any = None, client: Any = None, user_id: str | None = None
) -> None:
    """Tell the user about an error: through response_url if there is one, else by DM."""
    message = user_message(error)
    try:
        if respond is not None and getattr(respond, "response_url", None):
            respond(text=message, response_type="ephemeral", replace_original=False)
        elif client is not None and user_id:
            client.chat_postMessage(channel=user_id, text=message)
    except Exception:  # the error path must never raise
        logger.exception("could not tell the user about an error")
