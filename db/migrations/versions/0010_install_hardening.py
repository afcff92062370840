"""install states: a unique index on the state (one row, found at once) and one on expire_at

A state is consumed by one DELETE ... WHERE state = :s (bot.install_stores), which the
unique index makes a single-row look-up; the expired-state sweep reads expire_at's index.
States already expired are dropped first: they are useless, and fewer rows index faster.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 06:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    states = sa.table("slack_oauth_states", sa.column("expire_at", sa.DateTime()))
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as slack_sdk stores it
    op.execute(states.delete().where(states.c.expire_at < now))
    op.create_index("slack_oauth_states_state_idx", "slack_oauth_states", ["state"], unique=True)
    op.create_index("slack_oauth_states_expire_at_idx", "slack_oauth_states", ["expire_at"])


def downgrade() -> None:
    op.drop_index("slack_oauth_states_expire_at_idx", table_name="slack_oauth_states")
    op.drop_index("slack_oauth_states_state_idx", table_name="slack_oauth_states")
