"""Builders for metric tests: a project in a workspace, metrics defined through the registry."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from bot.metrics import registry as metric_registry
from db import workspaces
from db.models.gates import Project
from db.models.metrics import Metric


def make_project(
    session: Session,
    *,
    team_id: str = "T0GATEBOT",
    channel_id: str = "C0TEAM",
    name: str = "Search relevance",
    timezone: str = "UTC",
) -> Project:
    """Store a project in `channel_id` of `team_id` and return it."""
    workspace = workspaces.ensure(session=session, team_id=team_id)
    assert workspace.id is not None
    project = Project(
        workspace_id=workspace.id,
        name=name,
        channel_id=channel_id,
        sprint_start=date(2026, 1, 5),
        timezone=timezone,
    )
    session.add(project)
    session.flush()
    return project


def define(
    session: Session,
    project: Project,
    name: str,
    *,
    kind: str = "model_health",
    direction: str = "higher_is_better",
    warn: float | None = 0.75,
    breach: float = 0.72,
    **changes: object,
) -> Metric:
    """Define a metric through the registry, with sensible thresholds unless given."""
    return metric_registry.define(
        session=session,
        project=project,
        name=name,
        changes={"kind": kind, "direction": direction, "warn": warn, "breach": breach, **changes},
        user_id="U0PM",
    )
