"""Install lifecycle events: app_uninstalled and tokens_revoked.

Both forget the team's tokens and keep everything the team wrote: its workspace, projects,
hypotheses and metrics wait for a reinstall. Bolt needs no token for these two events (it
skips authorization for them), and acks them before the listener runs.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from sqlmodel import Session

from bot.install import service as install
from db.session import engine_of


def register(app: App) -> None:
    """Register the uninstall listeners, bound to the app's installation store (if any)."""
    store = app.installation_store  # None in single-workspace mode: no tokens are kept

    def app_uninstalled(context: BoltContext, session: Session) -> None:
        """The team removed gatebot: delete its tokens, mark its workspace uninstalled."""
        if context.team_id:
            install.uninstalled(store=store, engine=engine_of(session), team_id=context.team_id)

    def tokens_revoked(event: dict[str, Any], context: BoltContext, session: Session) -> None:
        """Some tokens were revoked: the bot's means gatebot can no longer act in the team."""
        tokens = event.get("tokens") or {}
        if context.team_id:
            install.tokens_revoked(
                store=store,
                engine=engine_of(session),
                team_id=context.team_id,
                bot=list(tokens.get("bot") or []),
                users=list(tokens.get("oauth") or []),
            )

    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
