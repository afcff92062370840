"""reminders: remember the posted reminder's ts and the attempts, so a lost post is retaken

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Reminders sent before these columns existed are settled: count them as out of attempts
# (bot.reviews.REMINDER_ATTEMPTS) so that no clock takes them up again.
_SETTLED = 3


def upgrade() -> None:
    with op.batch_alter_table("gate_reviews") as batch:
        batch.add_column(sa.Column("reminder_ts", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("reminder_attempts", sa.Integer(), nullable=False, server_default="0")
        )
    reviews = sa.table(
        "gate_reviews",
        sa.column("reminded_at", sa.DateTime(timezone=True)),
        sa.column("reminder_attempts", sa.Integer()),
    )
    op.execute(
        reviews.update()
        .where(reviews.c.reminded_at.is_not(None))
        .values(reminder_attempts=_SETTLED)
    )


def downgrade() -> None:
    with op.batch_alter_table("gate_reviews") as batch:
        batch.drop_column("reminder_attempts")
        batch.drop_column("reminder_ts")
