"""ingest_tokens: a scope per token, so a read-only token can read a project's record

The tokens made before this could only post metric samples: they keep that scope
("ingest"); a "read" token reads the record through GET /api/v1/projects/{id}/….

Revision ID: 0019_token_scopes
Revises: 0017_outbox_post_keys
Create Date: 2026-12-03 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_token_scopes"
down_revision: str | None = "0017_outbox_post_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_tokens") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(length=16), nullable=False, server_default="ingest")
        )


def downgrade() -> None:
    with op.batch_alter_table("ingest_tokens") as batch:
        batch.drop_column("scope")
