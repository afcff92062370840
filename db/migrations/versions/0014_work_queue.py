"""the work queue: jobs a web process accepted, claimed by workers under a lease

Revision ID: 0014_work_queue
Revises: 0013_heartbeats
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_work_queue"
down_revision: str | None = "0013_heartbeats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queued_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=80), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_queued_jobs_due", "queued_jobs", ["status", "run_after"])
    op.create_index("uq_queued_jobs_key", "queued_jobs", ["key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_queued_jobs_key", table_name="queued_jobs")
    op.drop_index("ix_queued_jobs_due", table_name="queued_jobs")
    op.drop_table("queued_jobs")
