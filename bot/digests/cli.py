"""`gatebot digest --project P [--dry-run]`: print a project's digest, or post it now."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session

from bot.core.errors import GatebotError
from bot.core.settings import Settings
from bot.digests.blocks import charted_metrics
from bot.digests.service import build
from bot.metrics.csv_import import find_project
from bot.slack.transcript import render_blocks
from db.columns import saved_id, utcnow
from db.models.gates import Project
from db.session import engine_of, make_engine


def run_digest(
    *,
    settings: Settings,
    project_ref: str,
    dry_run: bool,
    as_json: bool = False,
    chart: Path | None = None,
) -> int:
    """Print (dry run) or post the project's digest as of now; return the exit status."""
    if not dry_run and (as_json or chart):
        raise GatebotError("--json and --chart go with --dry-run; without it the digest is posted")
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            project = find_project(session=session, ref=project_ref)
            if dry_run:
                _print(session=session, project=project, as_json=as_json, chart=chart)
                return 0
            return _post(settings=settings, session=session, project=project)
    finally:
        engine.dispose()


def _print(*, session: Session, project: Project, as_json: bool, chart: Path | None) -> None:
    built = build(session=session, project=project, now=utcnow(), posted=False)
    message = built.message
    if chart is not None:
        png = built.chart()
        if png is None:
            print(f"gatebot: nothing is flagged, so there is no chart to write to {chart}")
        else:
            chart.write_bytes(png)
            which = charted_metrics(charted=len(built.charted), flagged=len(built.data.flagged))
            print(f"gatebot: wrote the chart of {which} to {chart}")
    if as_json:
        shown = {"text": message.text, "blocks": message.blocks, "thread": message.thread}
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    print(render_blocks(message.blocks))
    if message.thread:
        print("  ── in its thread ──")
        print(render_blocks(message.thread))


def _post(*, settings: Settings, session: Session, project: Project) -> int:
    from bot.digests.flows import post_now
    from bot.install import service as install

    if not settings.oauth_enabled:
        settings.require("SLACK_BOT_TOKEN")
    team_id = install.team_of_project(engine=engine_of(session), project_id=saved_id(project))
    client = install.client_for(settings=settings, engine=engine_of(session))(team_id or "")
    run = post_now(
        session=session,
        client=client,
        project=project,
        user_id=None,
        now=utcnow(),
    )
    name = project.name
    if run is None:
        print(f"gatebot: a digest of {name!r} was posted this very second; not posting another")
        return 1
    if run.status != "posted":
        print(f"gatebot: the digest of {name!r} was not posted: {run.error}")
        return 1
    note = f" ({run.error})" if run.error else ""
    print(f"gatebot: posted the digest of {name!r} in {run.channel_id} at {run.message_ts}{note}")
    return 0
