"""ingest_rate_hits: metrics API requests per token, counted for every web process at once

The limit of 60 requests a minute per ingestion token was counted in each process's
memory, so N processes allowed N times as much. Each request is now a row, pruned by the
token's next request once a minute old.

Revision ID: 0016_ingest_rate_hits
Revises: 0015_seen_signatures
Create Date: 2026-12-03 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_ingest_rate_hits"
down_revision: str | None = "0015_seen_signatures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_rate_hits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ingest_rate_hits_token_at", "ingest_rate_hits", ["token_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_ingest_rate_hits_token_at", table_name="ingest_rate_hits")
    op.drop_table("ingest_rate_hits")
