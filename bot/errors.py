"""Typed domain errors whose message a person can read as it is."""


class GatebotError(Exception):
    """An error the user caused or can fix; `str(error)` is shown to them."""


class NotFound(GatebotError):
    """The thing asked for does not exist in this workspace."""


class InvalidInput(GatebotError):
    """Input that cannot be used; the message says what to change."""
