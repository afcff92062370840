"""The app factory: quiet about the token it was not given, and content without a secret in
Socket Mode."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine

from bot.app import create_app
from bot.core.settings import SettingsError, load_settings
from bot.demo.standin.slack import SlackStandIn
from bot.falsifiability.service import FalsifiabilityChecker


def _settings(slack: SlackStandIn, database_url: str, **overrides: object):  # type: ignore[no-untyped-def]
    return load_settings(
        _env_file=None,
        slack_api_url=slack.api_url,
        database_url=database_url,
        **{"slack_bot_token": "xoxb-app", "slack_signing_secret": "s", **overrides},
    )


def test_a_token_in_the_environment_too_draws_no_bolt_warning(
    engine: Engine,
    database_url: str,
    slack: SlackStandIn,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    # As in production: the token is in os.environ, where Bolt looks for it by itself.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-app")
    settings = _settings(slack, database_url)

    with caplog.at_level(logging.DEBUG):
        create_app(
            settings=settings, engine=engine, checker=FalsifiabilityChecker.from_settings(settings)
        )

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [call.token for call in slack.calls("auth.test")] == ["xoxb-app"]


def test_socket_mode_needs_no_signing_secret(
    engine: Engine, database_url: str, slack: SlackStandIn
):
    settings = _settings(slack, database_url, slack_signing_secret=None)
    checker = FalsifiabilityChecker.from_settings(settings)

    app = create_app(settings=settings, engine=engine, checker=checker, socket_mode=True)

    assert app.client.token == "xoxb-app"
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is not set"):
        create_app(settings=settings, engine=engine, checker=checker)
