"""Migration 0005 on a database with data: defaults for old rows, hypotheses kept, reversible."""

from __future__ import annotations

from datetime import time

from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from db.migrate import alembic_config, upgrade
from db.models import Hypothesis
from db.models.gates import Project
from db.session import make_engine

# Rows as release 0002 wrote them (literal SQL: the models already have 0005's columns).
OLD_ROWS = [
    "INSERT INTO workspaces (id, team_id, created_at) VALUES (1, 'T1', '2026-01-01 00:00:00')",
    "INSERT INTO projects (workspace_id, name, channel_id, sprint_length_days, sprint_start, "
    "timezone, prompt_time, phase, paused, question_overrides, reminder_hours, created_at, "
    "updated_at) VALUES (1, 'p', 'C1', 14, '2026-01-05', 'UTC', '09:30:00', 'framing', false, "
    "'{}', 24, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    "INSERT INTO hypotheses (workspace_id, channel_id, author_id, text, vague, missing, verdict, "
    "checker, status, created_at, updated_at) VALUES (1, 'C1', 'U1', 'kept', false, '[]', "
    "'{}', 'rules', 'open', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
]


def test_existing_projects_get_digest_defaults_and_hypotheses_survive(database_url: str):
    upgrade(database_url, "0002")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for statement in OLD_ROWS:
            connection.execute(text(statement))

    upgrade(database_url)

    with Session(engine) as session:
        project = session.exec(select(Project)).one()
        kept = session.exec(select(Hypothesis)).one()
    assert (project.digest_weekday, project.digest_time, project.digest_compact) == (
        0,
        time(9, 0),
        False,
    )
    assert (kept.text, kept.deciding_metric_id, kept.baseline_value) == ("kept", None, None)

    command.downgrade(alembic_config(database_url), "0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT text FROM hypotheses")).scalar() == "kept"
    engine.dispose()
