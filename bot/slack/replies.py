"""Replies through a command's response_url that survive Slack's bad moments.

Bolt's `respond` posts once, with no retry, and nobody looks at the answer: one 503 and a
verdict the author waited for never arrives, with the draft stored and nothing on screen.
`reliable` posts through slack_sdk's WebhookClient with the same retry handlers as every
WebClient (rate limits, dropped connections, and 5xx: a repeated ephemeral reply is better
than none), and when the response_url still refuses, sends the reply as an ephemeral
message in the channel instead.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.slack.failures import SlackFailure, call_slack

logger = logging.getLogger(__name__)

_RETRIES = 2


class ReliableRespond:
    """A `respond` that retries, then falls back to chat.postEphemeral; never raises."""

    def __init__(
        self, respond: Respond, *, client: WebClient, channel_id: str, user_id: str
    ) -> None:
        self.response_url = respond.response_url
        self._client, self._channel_id, self._user_id = client, channel_id, user_id

    def __call__(
        self,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        **_: Any,
    ) -> None:
        if self.response_url and self._post(
            text=text,
            blocks=blocks,
            response_type=response_type,
            replace_original=replace_original,
            delete_original=delete_original,
        ):
            return
        if delete_original:
            return  # nothing to show in its place
        try:
            call_slack(
                lambda: self._client.chat_postEphemeral(
                    channel=self._channel_id, user=self._user_id, text=text, blocks=blocks
                )
            )
        except SlackFailure as failure:
            logger.warning("a reply to %s was lost: %s", self._user_id, failure)

    def _post(self, **message: Any) -> bool:
        webhook = WebhookClient(
            self.response_url or "",
            timeout=10,
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=_RETRIES),
                RateLimitErrorRetryHandler(max_retry_count=_RETRIES),
                ServerErrorRetryHandler(max_retry_count=_RETRIES),
            ],
        )
        try:
            response = webhook.send(**{k: v for k, v in message.items() if v is not None})
        except OSError as error:  # the retry handlers already tried again
            logger.warning("the response_url could not be reached: %s", error)
            return False
        if response.status_code == 200:
            return True
        logger.warning("the response_url answered %s: %s", response.status_code, response.body)
        return False


def reliable(respond: Respond, *, client: WebClient, channel_id: str, user_id: str) -> Any:
    """Return `respond` made reliable (see the module's docstring)."""
    return ReliableRespond(respond, client=client, channel_id=channel_id, user_id=user_id)
