"""An uninstalled workspace's data is deleted by the clock once GATEBOT_RETENTION_DAYS pass."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.clock.runner import run_once
from db.models import Workspace
from db.models.gates import GateAnswer, Project
from tests.handlers.gate_steps import eventually
from tests.live_app import LiveApp
from tests.record_world import build_record

ACME, OTHER = "T0ACME", "T0OTHER"


def _uninstalled_at(live: LiveApp, team_id: str) -> datetime | None:
    with Session(live.engine) as session:
        workspace = session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()
        return workspace.uninstalled_at if workspace else None


def _projects(live: LiveApp) -> list[str]:
    with Session(live.engine) as session:
        return sorted(p.name for p in session.exec(select(Project)))


def test_the_clock_deletes_an_uninstalled_workspace_after_the_retention_only(
    start_app: Callable[..., LiveApp],
):
    live = start_app(oauth=True, gatebot_retention_days=7)
    for team in (ACME, OTHER):
        assert live.install(team, name=team).landing.status == 200
    with Session(live.engine, expire_on_commit=False) as session:
        build_record(session, team_id=ACME, name="Acme search")
        build_record(session, team_id=OTHER, name="Still installed")
    live.slack.revoke(ACME)
    assert live.sender_for(ACME).event({"type": "app_uninstalled"}).status == 200

    def marked() -> datetime:
        at = _uninstalled_at(live, ACME)
        assert at is not None
        return at

    uninstalled = eventually(marked)
    live.drain()
    start = datetime.now(UTC)

    run_once(settings=live.settings, engine=live.engine, now=start + timedelta(days=6))
    kept = _projects(live)
    run_once(settings=live.settings, engine=live.engine, now=start + timedelta(days=8))

    assert uninstalled is not None
    assert kept == ["Acme search", "Still installed"]
    assert _projects(live) == ["Still installed"]
    assert _uninstalled_at(live, ACME) is None  # the workspace row went too
    with Session(live.engine) as session:
        assert len(session.exec(select(GateAnswer)).all()) == 4  # the other team's, all of them
