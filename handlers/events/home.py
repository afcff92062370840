"""The App Home tab: published on app_home_opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.home import service as home
from bot.slack.jobs import BackgroundJobs


def register(app: App) -> None:
    """Register the Home tab's event listener."""
    app.event("app_home_opened")(open_home)


def open_home(
    event: dict[str, Any], context: BoltContext, client: WebClient, jobs: BackgroundJobs
) -> None:
    """Publish the person's Home each time they open its tab (the Messages tab needs nothing).

    Bolt acks events before the listener runs; the reads go to the job pool all the same,
    so a burst of people opening the Home never holds the threads that ack commands.
    """
    if event.get("tab") != "home":
        return
    jobs.submit(
        home.publish_job, client=client, team_id=context.team_id or "", user_id=event["user"]
    )
