"""Installing gatebot: one workspace with SLACK_BOT_TOKEN, or many through Slack's OAuth flow.

In OAuth mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET set) a team
installs at /slack/install; Bolt's OAuth flow stores its bot token at /slack/oauth_redirect
in slack_sdk's tables (bot.install.stores), and each request is answered with its team's own
token. `client_for` gives everything that posts outside a request (the clock, the metrics
API, import-csv) the same: each team's own client, or NotInstalled saying what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.core.errors import GatebotError
from bot.core.sealing import Sealer
from bot.core.settings import Settings
from bot.install.pages import CALLBACKS
from bot.install.stores import SignedStateStore, TeamInstallationStore, mark_uninstalled
from bot.install.tokens import ResealReport
from bot.slack.client import build_web_client
from db import workspaces
from db.models import Workspace
from db.models.gates import Project

logger = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"

ClientFor = Callable[[str], WebClient]

# slack_sdk logs each response body at DEBUG, and oauth.v2.access's carries the new token:
# the client trading codes for tokens logs through this logger, which never goes below INFO.
_EXCHANGE_LOGGER = logging.getLogger("bot.install.service.token_exchange")
_EXCHANGE_LOGGER.setLevel(logging.INFO)


class NotInstalled(GatebotError):
    """gatebot holds no bot token for the team: never installed, uninstalled or revoked."""


def scopes(settings: Settings) -> list[str]:
    """Return the bot scopes an install asks for (SLACK_SCOPES, as in manifest.yml)."""
    return [scope.strip() for scope in settings.slack_scopes.split(",") if scope.strip()]


def installation_store(*, settings: Settings, engine: Engine) -> TeamInstallationStore:
    """Return the installation store on `engine` for the configured app (SLACK_CLIENT_ID)."""
    assert settings.slack_client_id, "installation_store needs SLACK_CLIENT_ID (OAuth mode)"
    sealer = Sealer(settings.seal_keys())  # SettingsError naming GATEBOT_SEAL_KEYS if unset
    return TeamInstallationStore(client_id=settings.slack_client_id, engine=engine, sealer=sealer)


def reseal_tokens(*, settings: Settings) -> ResealReport:
    """Re-seal every stored token, of every app in the database, with the newest key."""
    from db.session import make_engine

    sealer = Sealer(settings.seal_keys())  # SettingsError naming GATEBOT_SEAL_KEYS if unset
    engine = make_engine(settings.database_url)
    try:
        store = TeamInstallationStore(client_id="", engine=engine, sealer=sealer)
        return store.reseal_all()
    finally:
        engine.dispose()


def app_options(*, settings: Settings, engine: Engine, client: WebClient) -> dict[str, Any]:
    """Return the keyword arguments that put a Bolt App in OAuth mode, or {} for one workspace.

    Everything that calls Slack (the OAuth flow's oauth.v2.access and auth.test, token
    rotation, each request's client) goes through `client`'s base URL and retry handlers.
    """
    if not settings.oauth_enabled:
        return {}
    store = installation_store(settings=settings, engine=engine)
    assert settings.slack_client_secret and settings.slack_state_secret  # oauth_enabled says so
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=scopes(settings),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=CALLBACKS,
        installation_store=store,
        installation_store_bot_only=True,  # gatebot asks only for bot scopes
        state_store=SignedStateStore(
            secret=settings.slack_state_secret,
            expiration_seconds=settings.gatebot_install_state_seconds,
            engine=engine,
        ),
        state_expiration_seconds=settings.gatebot_install_state_seconds,
        logger=logger,
    )
    exchange = with_token(client, None, logger=_EXCHANGE_LOGGER)
    # Bolt's default authorize calls auth.test on every request; caching per token saves a
    # round trip before each ack. An uninstalled team's token is no longer found, so its
    # cached answer is never used again.
    authorize = InstallationStoreAuthorize(
        logger=logger,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        bot_only=True,
        cache_enabled=True,
        client=exchange,
    )
    return {
        "oauth_flow": OAuthFlow(client=exchange, logger=logger, settings=oauth),
        "installation_store": store,
        "installation_store_bot_only": True,
        "authorize": authorize,
        "user_facing_authorize_error_message": (
            ":warning: gatebot is not installed in this workspace (or was removed from it). "
            "Ask an admin to install it; anything your team already has in gatebot is kept."
        ),
    }


def with_token(
    template: WebClient, token: str | None, *, logger: logging.Logger | None = None
) -> WebClient:
    """Return a client like `template` (base URL, timeout, retry handlers) with `token`."""
    return WebClient(
        token=token,
        base_url=template.base_url,
        timeout=template.timeout,
        ssl=template.ssl,
        proxy=template.proxy,
        headers=dict(template.headers),
        logger=logger or template.logger,
        retry_handlers=list(template.retry_handlers),
    )


def client_for(*, settings: Settings, engine: Engine) -> ClientFor:
    """Return team id -> the team's Slack client, for senders outside a request (the clock).

    Single-workspace mode: every team gets the one bot token's client. OAuth mode: the
    team's own bot token, looked up on each call so an uninstall takes effect at once.
    """
    template = build_web_client(settings)
    if not settings.oauth_enabled:
        return lambda team_id: template
    store = installation_store(settings=settings, engine=engine)
    return lambda team_id: team_client(store=store, team_id=team_id, template=template)


def client_for_app(app: App) -> ClientFor:
    """Return the same factory for a built Bolt app, sharing its store and its client."""
    store = app.installation_store
    if isinstance(store, TeamInstallationStore):
        return lambda team_id: team_client(store=store, team_id=team_id, template=app.client)
    return lambda team_id: app.client


def team_client(*, store: TeamInstallationStore, team_id: str, template: WebClient) -> WebClient:
    """Return a client with the team's bot token; NotInstalled when it has none.

    The token never expires: installs with token rotation on are refused (the store's
    TokenRotationRefused), so there is no refresh token to use here.
    """
    bot = store.find_team_bot(team_id)
    if bot is None:
        raise NotInstalled(_not_installed(store.engine, team_id))
    return with_token(template, bot.bot_token)


def _not_installed(engine: Engine, team_id: str) -> str:
    with Session(engine) as session:
        workspace = workspaces.get_by_team(session=session, team_id=team_id)
    if workspace is not None and workspace.uninstalled_at is not None:
        when = workspace.uninstalled_at.strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"gatebot was removed from Slack workspace {team_id} on {when}: "
            f"install it again from {INSTALL_PATH} to resume (its records are kept)"
        )
    return f"gatebot is not installed in Slack workspace {team_id}: install it from {INSTALL_PATH}"


def team_of_project(*, engine: Engine, project_id: int) -> str | None:
    """Return the Slack team id of the project's workspace."""
    with Session(engine) as session:
        query = (
            select(Workspace.team_id)
            .join(Project, col(Project.workspace_id) == col(Workspace.id))
            .where(col(Project.id) == project_id)
        )
        return session.exec(query).first()


def uninstalled(*, store: object, engine: Engine, team_id: str) -> int:
    """Forget the team's tokens after app_uninstalled; keep its records. Return rows deleted.

    Single-workspace mode keeps no tokens (SLACK_BOT_TOKEN is the operator's), so there is
    nothing to forget or mark: Slack's refusals of the revoked token say what happened.
    """
    if not isinstance(store, TeamInstallationStore):
        logger.warning("gatebot was uninstalled from team %s; SLACK_BOT_TOKEN is dead", team_id)
        return 0
    deleted = store.forget_team(team_id)
    mark_uninstalled(engine, team_id=team_id)
    logger.info("gatebot uninstalled from team %s: %s token rows deleted", team_id, deleted)
    return deleted


def tokens_revoked(
    *, store: object, engine: Engine, team_id: str, bot: list[str], users: list[str]
) -> int:
    """Forget what tokens_revoked names: the bot's (as an uninstall) or users' tokens."""
    if bot:
        return uninstalled(store=store, engine=engine, team_id=team_id)
    if users and isinstance(store, TeamInstallationStore):
        return store.forget_user_tokens(team_id, users)
    return 0
