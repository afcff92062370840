"""/metric buttons: Revoke all (after Slack's confirm dialog)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from sqlmodel import Session

from bot.metrics import blocks, tokens
from bot.metrics import registry as metric_registry
from db.columns import saved_id


def register(app: App) -> None:
    """Register the button listeners."""
    app.action(blocks.REVOKE_ALL)(revoke_all_tokens)


def revoke_all_tokens(
    ack: Ack, body: dict[str, Any], context: BoltContext, respond: Respond, session: Session
) -> None:
    """Revoke every active ingestion token of the channel's project, once confirmed."""
    ack()
    project = metric_registry.project_in(
        session=session,
        team_id=context.team_id or "",
        channel_id=str((body.get("channel") or {}).get("id") or ""),
    )
    revoked = tokens.revoke(session=session, project_id=saved_id(project))
    session.commit()
    respond(replace_original=True, text=blocks.revoked_text(revoked))
