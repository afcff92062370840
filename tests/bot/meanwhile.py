"""A Slack client during whose first post something else happens: another clock's pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse


class PostsMeanwhile(WebClient):
    """Slack's own client, except that while its first post is on its way `meanwhile` runs.

    That is the moment a second clock must not take what the first is posting: the first
    has claimed it and Slack has not answered yet.
    """

    def __init__(self, *, meanwhile: Callable[[], object], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._meanwhile: Callable[[], object] | None = meanwhile

    def chat_postMessage(self, **kwargs: Any) -> SlackResponse:  # noqa: N802 (Slack's name)
        meanwhile, self._meanwhile = self._meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return super().chat_postMessage(**kwargs)
