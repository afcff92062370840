"""Replies through a command's response_url that survive Slack's bad moments.

Bolt's `respond` posts once, with no retry, and nobody looks at the answer: one 503 and a
verdict the author waited for never arrives, with the draft stored and nothing on screen.
`reliable` posts through slack_sdk's WebhookClient with the same retry handlers as every
WebClient (rate limits, dropped connections, and 5xx: a repeated ephemeral reply is better
than none), and when the response_url still refuses, sends the reply as an ephemeral
message in the channel instead, or by DM when even that is refused (the person left the
channel). A response_url works for 30 minutes: a reply later than that (a job that waited
for a worker) goes straight to the ephemeral message or the DM.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
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
from db.claims import as_utc
from db.columns import utcnow

logger = logging.getLogger(__name__)

_RETRIES = 2
# Slack honours a response_url for 30 minutes; a minute's margin for the reply's own trip.
RESPONSE_URL_LIFETIME = timedelta(minutes=29)


class ReliableRespond:
    """A `respond` that retries, then falls back to an ephemeral message or a DM; never raises.

    `received_at`: when Slack sent the request the response_url came with (None: just now).
    """

    def __init__(
        self,
        respond: Respond,
        *,
        client: WebClient,
        channel_id: str,
        user_id: str,
        received_at: datetime | None = None,
    ) -> None:
        self.response_url = respond.response_url
        self._client, self._channel_id, self._user_id = client, channel_id, user_id
        self._received_at = as_utc(received_at) if received_at is not None else None

    @property
    def expired(self) -> bool:
        """Return whether the response_url is past the 30 minutes Slack honours it for."""
        received = self._received_at
        return received is not None and utcnow() - received > RESPONSE_URL_LIFETIME

    def __call__(
        self,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        **_: Any,
    ) -> None:
        if (
            self.response_url
            and not self.expired
            and self._post(
                text=text,
                blocks=blocks,
                response_type=response_type,
                replace_original=replace_original,
                delete_original=delete_original,
            )
        ):
            return
        if delete_original:
            return  # nothing to show in its place
        client, user = self._client, self._user_id
        for call in (
            lambda: client.chat_postEphemeral(
                channel=self._channel_id, user=user, text=text, blocks=blocks
            ),
            lambda: client.chat_postMessage(channel=user, text=text, blocks=blocks),
        ):
            try:
                call_slack(call)
                return
            except SlackFailure as failure:
                logger.info("a reply to %s did not go this way: %s", user, failure)
        logger.warning("a reply to %s was lost", user)

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


def reliable(
    respond: Respond,
    *,
    client: WebClient,
    channel_id: str,
    user_id: str,
    received_at: datetime | None = None,
) -> Any:
    """Return `respond` made reliable (see the module's docstring)."""
    return ReliableRespond(
        respond, client=client, channel_id=channel_id, user_id=user_id, received_at=received_at
    )
