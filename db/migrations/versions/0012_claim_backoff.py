"""gate reviews and digests: when a post Slack put off is tried again (next_attempt_at)

A prompt or digest that hit a transient Slack failure now waits with the outbox's backoff,
1, 2, 4 … minutes up to an hour over 8 attempts, where it was retried a lease apart 3
times. next_attempt_at is that time; NULL for every claim so far, which the clock keeps
judging by its lease as before. Rows given up under the old limit stay failed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("gate_reviews", "digest_runs")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True)
            )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("next_attempt_at")
