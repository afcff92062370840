"""Back-fill metric samples from a CSV file (columns name,value,at) with the API's checks."""

from __future__ import annotations

import csv
import logging
from datetime import datetime
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.core.errors import GatebotError
from bot.escapes import service as escape
from bot.metrics import ingest
from bot.metrics.ingest import IngestResult
from db.models import Workspace
from db.models.gates import Project
from db.session import session_scope

logger = logging.getLogger(__name__)

COLUMNS = ("name", "value", "at")


def find_project(*, session: Session, ref: str) -> Project:
    """Return the project with id `ref`, or else the one named `ref` (any case)."""
    ref = ref.strip()
    if ref.isdigit() and (project := session.get(Project, int(ref))) is not None:
        return project
    named = list(
        session.exec(
            select(Project, Workspace.team_id)
            .join(Workspace, col(Workspace.id) == col(Project.workspace_id))
            .where(func.lower(col(Project.name)) == ref.lower())
            .order_by(col(Project.id))
        )
    )
    if not named:
        raise GatebotError(f"no project has the id or name {ref!r}")
    if len(named) > 1:
        # Channel ids repeat across workspaces, so the team tells the projects apart.
        found = ", ".join(f"{p.id} (team {team}, channel {p.channel_id})" for p, team in named)
        raise GatebotError(f"{len(named)} projects are named {ref!r}: give the id, one of {found}")
    return named[0][0]


def read_rows(path: Path) -> tuple[list[dict[str, object]], list[int]]:
    """Return the file's rows as API-shaped dicts, with the line each starts on."""
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark before the header.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip().lower() for name in reader.fieldnames or []]
            if not set(COLUMNS) <= set(header):
                raise GatebotError(
                    f"{path}: the first line must name the columns name,value,at "
                    f"(found: {','.join(header) or 'nothing'})"
                )
            reader.fieldnames = header
            rows, lines = [], []
            line = reader.line_num + 1
            for raw in reader:
                if any((cell or "").strip() for cell in raw.values() if isinstance(cell, str)):
                    rows.append({key: _cell(key, raw.get(key)) for key in COLUMNS})
                    lines.append(line)
                line = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise GatebotError(f"cannot read {path}: {error}") from None
    return rows, lines


def _cell(key: str, text: object) -> object:
    if not isinstance(text, str):
        return text
    if key != "value":
        return text.strip()
    try:
        return float(text)  # "nan" and "inf" become floats here and are refused as non-finite
    except ValueError:
        return text  # refused by the row check, which names the line


def import_csv(
    *,
    engine: Engine,
    project_ref: str,
    path: Path,
    now: datetime | None = None,
    client: WebClient | None = None,
) -> tuple[Project, IngestResult]:
    """Store every row of the file in one transaction, or none; then post any escape alert due.

    Alerts go through `client`, by default the project's team's (the bot token's, or in OAuth
    mode the team's own); without a token the import still stores, and the next evaluation
    (API, /metric record, the clock) alerts.
    """
    rows, lines = read_rows(path)
    with session_scope(engine) as session:
        project = find_project(session=session, ref=project_ref)

        def label(index: int, field: str | None) -> str:
            return f"{path.name}:{lines[index]}" + (f" {field}" if field else "")

        result = ingest.store(session=session, project=project, rows=rows, now=now, label=label)
    assert project.id is not None
    _alert(
        engine=engine, client=client, project_id=project.id, metric_ids=result.metric_ids, now=now
    )
    return project, result


def _alert(
    *,
    engine: Engine,
    client: WebClient | None,
    project_id: int,
    metric_ids: frozenset[int],
    now: datetime | None,
) -> None:
    """Judge the imported metrics; a back-fill of old values is stale and alerts nobody."""
    if not metric_ids:
        return
    client = client or _configured_client(engine=engine, project_id=project_id)
    if client is None:
        return
    with Session(engine, expire_on_commit=False) as session:
        sent = escape.evaluate_ingested(
            session=session, client=client, project_id=project_id, metric_ids=metric_ids, now=now
        )
    for alert in sent:
        logger.info("escape alert (%s) for %s on %s", alert.kind, alert.metric, alert.day)


def _configured_client(*, engine: Engine, project_id: int) -> WebClient | None:
    """Return the project's team's client: the bot token's, or in OAuth mode the team's own."""
    from bot.core.settings import get_settings
    from bot.install import service as install

    settings = get_settings()
    if not (settings.slack_bot_token or settings.oauth_enabled):
        logger.warning("SLACK_BOT_TOKEN is not set: imported values were not checked for alerts")
        return None
    team_id = install.team_of_project(engine=engine, project_id=project_id) or ""
    try:
        return install.client_for(settings=settings, engine=engine)(team_id)
    except install.NotInstalled as error:  # stored all the same; the clock's sweep alerts later
        logger.warning("imported values were not checked for alerts: %s", error)
        return None
