"""The clock's safety net for escape alerts: now and then, judge every project with metrics.

Alerts go out as samples arrive (bot.escapes.service.evaluate_later); the sweep catches what that
missed: a transient Slack failure moved back for a retry, an evaluation that died with its
process, a metric gone quiet. Re-judging is harmless: bot.escapes.service posts once per episode.
Paused projects are swept too: pausing silences the rituals, never the rollback trigger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from threading import Event

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlmodel import Session

import db.digests as queries
from bot.install.service import NotInstalled
from db.claims import as_utc
from db.models.gates import Project

logger = logging.getLogger(__name__)


def sweep(
    *,
    engine: Engine,
    client_for: Callable[[str], WebClient],
    now: datetime,
    stop: Event | None = None,
) -> int:
    """Judge each project's metrics as of `now`; return how many alerts reached a channel."""
    from bot.escapes.service import evaluate_project  # the metrics stack loads only when sweeping

    clients: dict[str, WebClient | None] = {}  # None: the team has no token (uninstalled)
    sent = 0
    with Session(engine, expire_on_commit=False) as session:
        targets = queries.metric_projects(session=session)
        session.commit()
        for project_id, team_id in targets:
            if stop is not None and stop.is_set():
                break
            try:
                project = session.get(Project, project_id)
                if project is None:
                    continue
                if team_id not in clients:
                    clients[team_id] = _client(client_for, team_id)
                client = clients[team_id]
                if client is None:
                    continue  # judged again once the team reinstalls; nothing to alert now
                alerts = evaluate_project(
                    session=session, client=client, project=project, now=as_utc(now)
                )
            except Exception:  # one project's bug, token or lost connection must not stop the rest
                logger.exception("the escape sweep of project %s failed", project_id)
                session.rollback()
                continue
            sent += sum(1 for alert in alerts if alert.channel_ts)
    return sent


def _client(client_for: Callable[[str], WebClient], team_id: str) -> WebClient | None:
    try:
        return client_for(team_id)
    except NotInstalled as error:  # said once per sweep, without a traceback: it is expected
        logger.info("escape sweep skips team %s: %s", team_id, error)
        return None
