"""slack_sdk's SQLAlchemy stores on gatebot's own engine, with what gatebot adds to them.

The tables are slack_sdk's (migration 0007 creates them). The installation store adds a
look-up and a clean-up by team alone, which the clock and the uninstall events need, and
keeps the team's workspace row in step with its install. The state store signs each state
with SLACK_STATE_SECRET, so a forged or mangled state is refused before the database is asked.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import logging
import secrets
from datetime import UTC, datetime, timedelta

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, and_, desc
from sqlalchemy.exc import SQLAlchemyError

from bot.core.sealing import Sealer
from bot.install.tokens import (
    ResealReport,
    opened_bot,
    opened_installation,
    reseal_tables,
    sealed_installation,
)
from db import workspaces
from db.columns import utcnow
from db.session import session_scope

logger = logging.getLogger(__name__)

SWEEP_EVERY = 20  # install states issued per sweep of the expired ones


class TokenRotationRefused(BoltError):
    """The install came with an expiring bot token: the Slack app has token rotation on.

    gatebot keeps one long-lived bot token per team and uses it from several processes
    (web, clock, CLI); rotating tokens would need a refresh shared safely between them.
    manifest.yml turns rotation off; Slack cannot turn it off again once it is on.
    """


class TeamInstallationStore(SQLAlchemyInstallationStore):
    """Installations and bot tokens per team, in slack_sdk's tables on our database.

    Every token is sealed with `sealer` before it is written and opened as it is read
    (bot.install.tokens); a row from before sealing is read as it is until re-sealed.
    """

    def __init__(self, *, client_id: str, engine: Engine, sealer: Sealer) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logger)
        self.sealer = sealer

    def save(self, installation: Installation) -> None:
        """Store the installation (Bolt's OAuth flow calls this) and mark the team installed.

        Only the bot token is kept: gatebot asks for no user scopes, so a user token Slack
        hands over anyway (an app configured with some) is dropped, never stored. An app
        with token rotation on is refused (TokenRotationRefused): see its docstring.
        """
        if installation.bot_refresh_token or installation.bot_token_expires_at:
            logger.error(
                "refused the install of team %s: the Slack app has token rotation on, which "
                "gatebot does not support; use an app created from manifest.yml (rotation off)",
                installation.team_id,
            )
            raise TokenRotationRefused("the Slack app has token rotation on")
        installation.user_token = installation.user_refresh_token = None
        installation.user_token_expires_at, installation.user_scopes = None, []
        try:
            super().save(sealed_installation(installation, self.sealer))
            if installation.team_id:
                mark_installed(
                    self.engine, team_id=installation.team_id, name=installation.team_name
                )
        except Exception as error:
            # Only the type: a database error's text carries the row, and so the token.
            logger.error(
                "could not store the installation of team %s: %s",
                installation.team_id,
                type(error).__name__,
            )
            raise BoltError("the installation could not be stored") from None

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """Return the bot slack_sdk finds (Bolt's authorize), its tokens opened."""
        found = super().find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return opened_bot(found, self.sealer)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """Return the installation slack_sdk finds, its tokens opened."""
        found = super().find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return opened_installation(found, self.sealer)

    def find_team_bot(self, team_id: str) -> Bot | None:
        """Return the team's latest bot with a token, whatever its enterprise, or None."""
        c = self.bots.c
        query = (
            self.bots.select()
            .where(
                and_(c.client_id == self.client_id, c.team_id == team_id, c.bot_token.is_not(None))
            )
            .order_by(desc(c.installed_at))
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else opened_bot(self.build_bot_entity(row), self.sealer)

    def reseal_all(self) -> ResealReport:
        """Re-seal every stored token with the newest key, plain ones included."""
        return reseal_tables(self.engine, [self.installations, self.bots], self.sealer)

    def forget_team(self, team_id: str) -> int:
        """Delete every token the team gave gatebot (bots and installations); return the rows."""
        with self.engine.begin() as connection:
            deleted = 0
            for table in (self.bots, self.installations):
                where = and_(table.c.client_id == self.client_id, table.c.team_id == team_id)
                deleted += connection.execute(table.delete().where(where)).rowcount or 0
        return deleted

    def forget_user_tokens(self, team_id: str, user_ids: list[str]) -> int:
        """Blank the user tokens of `user_ids` in the team; its bot token stays. Return rows."""
        c = self.installations.c
        where = and_(c.client_id == self.client_id, c.team_id == team_id, c.user_id.in_(user_ids))
        blank = {"user_token": None, "user_refresh_token": None, "user_scopes": None}
        with self.engine.begin() as connection:
            result = connection.execute(self.installations.update().where(where).values(blank))
        return result.rowcount or 0


class SignedStateStore(SQLAlchemyOAuthStateStore):
    """One-use, expiring OAuth states in the database, each signed with the state secret."""

    def __init__(self, *, secret: str, expiration_seconds: int, engine: Engine) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=logger)
        self._key = secret.encode()
        self._issued = itertools.count()

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()

    def issue(self, *args: object, **kwargs: object) -> str:
        """Return a new state, stored until it expires; now and then expired ones are swept."""
        nonce = secrets.token_urlsafe(24)  # no "." in it: the signature follows the last "."
        state = f"{nonce}.{self._sign(nonce)}"
        now = datetime.now(UTC)
        expire_at = normalize_datetime_for_db(now + timedelta(seconds=self.expiration_seconds))
        table = self.oauth_states
        with self.engine.begin() as connection:
            # An expired state is refused by consume() whether or not it is still stored, so
            # sweeping on every install page view would only add a write to each: every
            # SWEEP_EVERY-th does it (on expire_at's index), the first of each process included.
            if next(self._issued) % SWEEP_EVERY == 0:
                connection.execute(
                    table.delete().where(table.c.expire_at < normalize_datetime_for_db(now))
                )
            connection.execute(table.insert(), {"state": state, "expire_at": expire_at})
        return state

    def consume(self, state: str) -> bool:
        """Return whether `state` is ours, unexpired and unused; using it deletes it.

        One DELETE both checks and uses the state, so of several redirects racing with the
        same state exactly one deletes its row and is accepted (slack_sdk's own consume
        reads, then deletes without checking that the delete removed anything).
        """
        nonce, _, signature = (state or "").rpartition(".")
        if not nonce or not hmac.compare_digest(signature, self._sign(nonce)):
            return False
        table = self.oauth_states
        now = normalize_datetime_for_db(datetime.now(UTC))
        try:
            with self.engine.begin() as connection:
                used = connection.execute(
                    table.delete()
                    .where(table.c.state == state, table.c.expire_at > now)
                    .returning(table.c.id)
                ).first()
        except SQLAlchemyError as error:  # the install page says to start again
            logger.warning("could not check an install state: %s", type(error).__name__)
            return False
        return used is not None


def mark_installed(engine: Engine, *, team_id: str, name: str | None) -> None:
    """Record the team's workspace (new or returning) as installed, with its current name."""
    with session_scope(engine) as session:
        workspace = workspaces.ensure(session=session, team_id=team_id, name=name)
        workspace.uninstalled_at = None
        workspace.name = name or workspace.name
        session.add(workspace)


def mark_uninstalled(engine: Engine, *, team_id: str) -> None:
    """Record that the team removed gatebot; its projects, hypotheses and metrics stay."""
    with session_scope(engine) as session:
        workspace = workspaces.get_by_team(session=session, team_id=team_id)
        if workspace is not None and workspace.uninstalled_at is None:
            workspace.uninstalled_at = utcnow()
            session.add(workspace)
