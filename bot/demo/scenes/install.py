"""`gatebot demo`, the install scene: one gatebot in OAuth mode serving two Slack workspaces.

A second app, with its own stand-in Slack and database, runs in OAuth mode (client id, client
secret and state secret set, no bot token). Two teams install it as a browser does; each
team's /hypothesis is answered with the token its own install issued; one team uninstalls,
and its token goes while its records stay.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy import select as table_select
from sqlmodel import Session, select

from bot.app import create_app, start_embedded_worker
from bot.core.sealing import Sealer, new_key
from bot.core.settings import load_settings
from bot.demo.standin.install_browser import install_team, page_words
from bot.demo.standin.serving import serve_wsgi
from bot.demo.standin.slack import Call, SlackStandIn
from bot.demo.standin.slack_requests import SlackSender
from bot.demo.world import DemoWorld
from bot.hypotheses.blocks import SAVE
from bot.slack.transcript import NAMES, render_blocks
from bot.web import create_web_app
from db.migrate import upgrade
from db.models import Hypothesis, Workspace
from db.models.slack import bots
from db.session import make_engine

SIGNING_SECRET = "demo-oauth-signing-secret"  # noqa: S105 (the stand-in's, not a real secret)
OAUTH = {  # the three settings that switch gatebot to OAuth mode; demo values
    "slack_client_id": "9999.0001",
    "slack_client_secret": "demo-client-secret",
    "slack_state_secret": "demo-state-secret",
    "gatebot_seal_keys": new_key(),  # a fresh key each run: the demo's database is its own
}
T = TypeVar("T")


@dataclass(frozen=True)
class Team:
    """A workspace of the demo: its name, one person and their channel."""

    team_id: str
    name: str
    user_id: str
    user_name: str
    channel_id: str
    channel_name: str
    statement: str


ACME = Team(
    *("T0ACME", "Acme Retail", "U0ANA", "ana", "C0SEARCH", "search"),
    "Showing in-stock items first will raise purchases per search from 2.0% to 2.2% "
    "for mobile shoppers within 4 weeks.",
)
BETA = Team(
    *("T0BETA", "Beta Media", "U0BEN", "ben", "C0FEED", "feed"),
    "Ranking the feed by predicted dwell time will raise the 7-day return rate from 41% "
    "to 43% for new readers within 3 weeks.",
)
TEAMS = (ACME, BETA)


@dataclass(frozen=True)
class OAuthApp:
    """The second gatebot: its URL, its stand-in Slack, its database."""

    url: str
    slack: SlackStandIn
    engine: Engine

    def sender(self, team: Team) -> SlackSender:
        """Return a sender posting as the team's person, in their channel."""
        return SlackSender(
            events_url=f"{self.url}/slack/events",
            signing_secret=SIGNING_SECRET,
            team_id=team.team_id,
            user_id=team.user_id,
            channel_id=team.channel_id,
            response_url=self.slack.response_url(team.user_id),
        )


@contextmanager
def oauth_app(workdir: Path) -> Iterator[OAuthApp]:
    """Start a stand-in Slack and the real app in OAuth mode on a fresh, migrated database."""
    database_url = f"sqlite:///{workdir / 'oauth.db'}"
    upgrade(database_url)
    with SlackStandIn() as slack:
        settings = load_settings(
            _env_file=None,
            slack_bot_token=None,  # OAuth mode: every team's token comes from its install
            slack_signing_secret=SIGNING_SECRET,
            slack_redirect_uri=None,
            slack_api_url=slack.api_url,
            database_url=database_url,
            openai_api_key=None,
            **OAUTH,
        )
        engine = make_engine(database_url)
        bolt = create_app(settings=settings, engine=engine)
        worker = start_embedded_worker(settings=settings, engine=engine, bolt=bolt)
        server = serve_wsgi(create_web_app(bolt_app=bolt, engine=engine))
        try:
            yield OAuthApp(server.url, slack, engine)
        finally:
            bolt.listener_runner.listener_executor.shutdown(wait=True)
            worker.wait_until_drained()
            worker.stop()
            server.stop()
            engine.dispose()


def install_scene(world: DemoWorld) -> None:
    """Install in two teams, answer each with its own token, uninstall one, keep its records."""
    world.out("━━ 1. Installed through OAuth: many workspaces, each answered with its own token ━━")
    world.at(world.timeline.start, "gatebot is installed")
    world.out("A second gatebot starts in OAuth mode: client id, secret, state secret; no token.")
    for team in TEAMS:
        NAMES.update({team.user_id: team.user_name, team.channel_id: team.channel_name})
    with (
        tempfile.TemporaryDirectory(prefix="gatebot-demo-oauth-") as tmp,
        oauth_app(Path(tmp)) as app,
    ):
        world.standins.append(app.slack)
        for number, team in enumerate(TEAMS):
            _install(world, app, team, first=number == 0)
        world.out("gatebot's database now holds one bot token per team:")
        for name, token in _held_tokens(app).items():
            world.out(f"  {name:<12} {token}")
        for team in TEAMS:
            _save_hypothesis(world, app, team)
        _uninstall(world, app, ACME)


def _install(world: DemoWorld, app: OAuthApp, team: Team, *, first: bool) -> None:
    landing = install_team(app.url, app.slack, team.team_id, name=team.name).landing
    words = page_words(landing).splitlines()
    if not first:
        world.out(f"\nThe same for {team.name}; the page says: {words[1]}")
        return
    world.out(f"\nAn admin of {team.name} opens /slack/install and clicks [Add to Slack];")
    world.out("Slack approves; the browser comes back to /slack/oauth_redirect with the cookie.")
    world.out(f"The browser shows (HTTP {landing.status}):")
    world.out("\n".join(f"  │ {line}" for line in words))


def _save_hypothesis(world: DemoWorld, app: OAuthApp, team: Team) -> None:
    who, person = app.sender(team), f"@{team.user_name}"
    where = f"#{team.channel_name} in {team.name}"
    world.out(f"\n{person} in {where}:  /hypothesis {team.statement}")
    since = _marks(app)
    who.command("/hypothesis", team.statement)
    verdict = _arrived(app, "response_url", since, key=team.user_id)
    world.out(f"gatebot (only visible to you):\n{_gist(verdict.args['blocks'], 1)}")

    world.out(f"{person} clicks [Save]")
    since = _marks(app)
    who.click(SAVE, _button_value(verdict, SAVE))
    posted = _arrived(app, "chat.postMessage", since)
    _arrived(app, "response_url", since, key=team.user_id)  # "Saved", only to them
    owner = _team_name(app.slack.team_of(posted.token))
    world.out(f"gatebot ({where}, sent with {posted.token}, {owner}'s token):")
    world.out(_gist(posted.args["blocks"], 2))


def _uninstall(world: DemoWorld, app: OAuthApp, team: Team) -> None:
    world.out(f"\n{team.name} removes gatebot: Slack revokes its token and sends app_uninstalled.")
    app.slack.revoke(team.team_id)
    app.sender(team).event({"type": "app_uninstalled"})
    workspace = _eventually(lambda: _uninstalled(app.engine, team.team_id))
    with Session(app.engine) as session:
        query = select(Hypothesis).where(Hypothesis.workspace_id == workspace.id)
        kept = ", ".join(f"#{hypothesis.id}" for hypothesis in session.exec(query))
    held = "; ".join(f"{name} {token}" for name, token in _held_tokens(app).items())
    world.out(f"(gatebot's database now holds: {held or 'no token'}. {team.name}'s is deleted.)")
    world.out(
        f"({team.name}'s records are kept: its workspace, marked uninstalled, "
        f"and its hypothesis {kept}, for a reinstall to pick up.)"
    )


def _marks(app: OAuthApp) -> dict[str, int]:
    """How many calls of each method the stand-in has had so far: what comes after is new."""
    return {method: len(app.slack.calls(method)) for method in ("response_url", "chat.postMessage")}


def _arrived(app: OAuthApp, method: str, since: dict[str, int], *, key: str | None = None) -> Call:
    """Wait for the first `method` call after `since` (to response_url `key`, if given)."""

    def probe() -> Call | None:
        fresh = app.slack.calls(method)[since[method] :]
        return next((call for call in fresh if key is None or call.key == key), None)

    return _eventually(probe)


def _gist(blocks: list[dict[str, Any]], lines: int) -> str:
    """A message's first `lines` lines and its buttons: the full text is as in scene 1."""
    rendered = render_blocks(blocks).splitlines()
    buttons = [render_blocks([block]) for block in blocks if block.get("type") == "actions"]
    cut = ["  …"] if len(rendered) > lines + len(buttons) else []
    return "\n".join(rendered[:lines] + cut + buttons)


def _button_value(call: Call, action_id: str) -> str:
    for block in call.args.get("blocks", []):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise RuntimeError(f"the app's message had no {action_id} button")


def _team_name(team_id: str) -> str:
    return next((team.name for team in TEAMS if team.team_id == team_id), team_id)


def _held_tokens(app: OAuthApp) -> dict[str, str]:
    """The bot tokens in gatebot's installation store, by team name (stored sealed, opened)."""
    sealer = Sealer([str(OAUTH["gatebot_seal_keys"])])
    with app.engine.connect() as connection:
        rows = connection.execute(table_select(bots.c.team_id, bots.c.bot_token)).all()
    return {_team_name(team_id): str(sealer.open(token)) for team_id, token in sorted(rows)}


def _uninstalled(engine: Engine, team_id: str) -> Workspace | None:
    with Session(engine) as session:
        workspace = session.exec(select(Workspace).where(Workspace.team_id == team_id)).one()
        return workspace if workspace.uninstalled_at is not None else None


def _eventually(probe: Callable[[], T | None], timeout: float = 15.0) -> T:
    """Poll `probe` until it returns something: the app handles events after their ack."""
    deadline = time.monotonic() + timeout
    while (found := probe()) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up after {timeout}s waiting for the app")
        time.sleep(0.02)
    return found
