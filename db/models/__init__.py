"""Every table, imported here once so SQLModel.metadata holds them all (Alembic, tests, flushes).

Alembic migrations in db/migrations follow these models; the app never calls create_all.
Hypothesis.deciding_metric_id points at metrics and metrics hang off projects, so a flush can
only order the tables when all of them are registered: importing any table imports them all.
"""

from db.models import (
    changes,
    digests,
    gates,
    heartbeats,
    metrics,
    outbox,
    queue,
    security,
    slack,
    workspaces,
)
from db.models.workspaces import Hypothesis, HypothesisStatus, Workspace

__all__ = [
    "Hypothesis",
    "HypothesisStatus",
    "Workspace",
    "changes",
    "digests",
    "gates",
    "heartbeats",
    "metrics",
    "outbox",
    "queue",
    "security",
    "slack",
    "workspaces",
]
