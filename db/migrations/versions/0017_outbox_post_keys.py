"""outbox: each kept post's idempotency key, so its retry can look for it in Slack first

A post whose answer timed out may already be in the channel. The key goes into the
message's metadata on every attempt (bot/slack/posting.py), and the clock's retry reads
the channel's history for it before posting again. Rows kept before this have none: their
retry posts as before.

Revision ID: 0017_outbox_post_keys
Revises: 0016_ingest_rate_hits
Create Date: 2026-12-03 13:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_outbox_post_keys"
down_revision: str | None = "0016_ingest_rate_hits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("post_key", sa.String(length=160), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("post_key")
