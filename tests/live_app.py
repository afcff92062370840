"""The real app served over HTTP on 127.0.0.1, talking to the Slack stand-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest
from slack_bolt import App
from sqlalchemy import Engine

from bot.app import create_app
from bot.core.settings import Settings, load_settings
from bot.demo.standin.serving import LocalServer, serve_wsgi
from bot.demo.standin.slack import SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from bot.falsifiability.service import FalsifiabilityChecker
from bot.slack.jobs import BackgroundJobs
from bot.web import create_web_app
from tests.install_flow import InstallResult, install_team

SIGNING_SECRET = "test-signing-secret"  # noqa: S105 (a test value)
SEAL_KEY = "R5cSzeqWAE5JsSy_DIO5d_dr9qRgKrQFdSUR9fG1v8g="  # a Fernet key for the tests only
# OAuth mode's three settings and the key sealing its tokens (start_app(oauth=True)); test values.
OAUTH_SETTINGS = {
    "slack_client_id": "1111.2222",
    "slack_client_secret": "test-client-secret",
    "slack_state_secret": "test-state-secret",
    "gatebot_seal_keys": SEAL_KEY,
}


@dataclass
class LiveApp:
    """A running gatebot: its URL, a signed sender, the Slack stand-in, its database."""

    url: str
    sender: SlackSender
    slack: SlackStandIn
    engine: Engine
    settings: Settings
    bolt: App
    jobs: BackgroundJobs

    def drain(self) -> None:
        """Wait until every listener, and every job it handed on, has finished."""
        self.bolt.listener_runner.listener_executor.shutdown(wait=True)  # type: ignore[attr-defined]
        self.jobs.shutdown(wait=True)

    def install(self, team_id: str, *, name: str | None = None) -> InstallResult:
        """Install the app in `team_id` as a browser does: the install page, then the redirect."""
        return install_team(self.url, self.slack, team_id, name=name)

    def sender_for(self, team_id: str, **changes: str) -> SlackSender:
        """Return a sender posting as `team_id` (and any other field changed)."""
        return replace(self.sender, team_id=team_id, **changes)


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    """Yield a running Slack Web API stand-in."""
    with SlackStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def start_app(
    engine: Engine, database_url: str, slack: SlackStandIn
) -> Iterator[Callable[..., LiveApp]]:
    """Yield a factory starting the app with optional setting overrides (e.g. an LLM)."""
    started: list[tuple[LocalServer, LiveApp]] = []

    def start(*, oauth: bool = False, **overrides: object) -> LiveApp:
        """Start the app; `oauth=True` starts it in OAuth mode (no bot token, installs)."""
        mode: dict[str, object] = (
            {**OAUTH_SETTINGS, "slack_bot_token": None}
            if oauth
            else {"slack_bot_token": "xoxb-test-token"}
        )
        settings = load_settings(
            _env_file=None,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack.api_url,
            database_url=database_url,
            **{**mode, **overrides},
        )
        checker = FalsifiabilityChecker.from_settings(settings)
        jobs = BackgroundJobs(engine=engine, checker=checker, max_workers=4)
        bolt = create_app(settings=settings, engine=engine, checker=checker, jobs=jobs)
        server = serve_wsgi(create_web_app(bolt_app=bolt, engine=engine))
        url = server.url
        sender = SlackSender(
            events_url=f"{url}/slack/events",
            signing_secret=SIGNING_SECRET,
            team_id=slack.team_id,
            response_url=slack.response_url("command"),
        )
        live = LiveApp(url, sender, slack, engine, settings, bolt, jobs)
        started.append((server, live))
        return live

    yield start
    for server, live in started:
        live.drain()
        server.stop()


@pytest.fixture
def live_app(start_app: Callable[..., LiveApp]) -> LiveApp:
    """Yield the app with the offline rule-based check only (no OpenAI key)."""
    return start_app()
