"""reminders: a given-up reminder has no remind_at, so the attempt limit can grow

Reminders now retry with backoff for up to 8 attempts (bot.reminders.REMINDER_ATTEMPTS),
where they stopped at 3. Those that had stopped, given up or settled by 0009 with 3
attempts and no reminder posted, would be due again under the new limit: their remind_at
is cleared, as a given-up reminder's now is, so none is sent twice.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_LIMIT = 3


def upgrade() -> None:
    reviews = sa.table(
        "gate_reviews",
        sa.column("remind_at", sa.DateTime(timezone=True)),
        sa.column("reminder_ts", sa.String(length=32)),
        sa.column("reminder_attempts", sa.Integer()),
    )
    op.execute(
        reviews.update()
        .where(reviews.c.reminder_ts.is_(None), reviews.c.reminder_attempts >= _OLD_LIMIT)
        .values(remind_at=None)
    )


def downgrade() -> None:
    pass  # the cleared times are not needed: with 3 attempts these were never due again
