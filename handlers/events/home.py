"""The App Home tab: published on app_home_opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from sqlmodel import Session

from bot.home import service as home
from bot.queue.service import enqueue


def register(app: App) -> None:
    """Register the Home tab's event listener."""
    app.event("app_home_opened")(open_home)


def open_home(event: dict[str, Any], context: BoltContext, session: Session) -> None:
    """Publish the person's Home each time they open its tab (the Messages tab needs nothing).

    Bolt acks events before the listener runs; the reads go to a worker all the same, so a
    burst of people opening the Home never holds the threads that ack commands.
    """
    if event.get("tab") != "home":
        return
    team_id = context.team_id or ""
    enqueue(session=session, task=home.publish_task, team_id=team_id, user_id=event["user"])
    session.commit()
