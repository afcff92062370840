"""The one way gatebot builds a Slack WebClient."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.core.settings import Settings


def build_web_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """Return a WebClient for SLACK_API_URL that rides out rate limits and dropped connections."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        # slack_sdk annotates an int, yet hands it to urllib, which takes seconds as a float.
        timeout=settings.gatebot_slack_timeout,  # type: ignore[arg-type]
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )
