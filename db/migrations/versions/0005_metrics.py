"""shared metrics: registry, samples, ingestion tokens; digest settings; deciding metrics

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-22 05:20:54.576642
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("warn_threshold", sa.Float(), nullable=True),
        sa.Column("breach_threshold", sa.Float(), nullable=True),
        sa.Column("periods_in_row", sa.Integer(), nullable=False),
        sa.Column("stale_after_periods", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=True),
        sa.Column("guardrail_of", sa.Integer(), nullable=True),
        sa.Column("guardrail_max_drop", sa.Float(), nullable=True),
        sa.Column("guardrail_relative", sa.Boolean(), nullable=False),
        sa.Column("alert_state", sa.String(length=16), nullable=False),
        sa.Column("alert_since", sa.Date(), nullable=True),
        sa.Column("alert_threshold", sa.Float(), nullable=True),
        sa.Column("alert_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["guardrail_of"], ["metrics.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_metrics_project_name", "metrics", ["project_id", "name"], unique=True)

    op.create_table(
        "metric_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["metric_id"], ["metrics.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_metric_samples_metric_at",
        "metric_samples",
        ["metric_id", "at"],
        unique=True,
        postgresql_include=["value"],
    )

    op.create_table(
        "ingest_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_ingest_tokens_project_id", "ingest_tokens", ["project_id"])

    # Existing rows get the defaults from the server, so these ALTERs need no table rewrite.
    with op.batch_alter_table("projects") as batch:
        batch.add_column(
            sa.Column("digest_weekday", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(
            sa.Column(
                "digest_time", sa.Time(), server_default=sa.text("'09:00:00'"), nullable=False
            )
        )
        batch.add_column(
            sa.Column("digest_compact", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    # On SQLite the foreign key makes batch mode copy the table; hypotheses are few.
    with op.batch_alter_table("hypotheses") as batch:
        batch.add_column(sa.Column("deciding_metric_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("baseline_value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("target_value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("decide_by", sa.Date(), nullable=True))
        batch.create_foreign_key(
            "fk_hypotheses_deciding_metric",
            "metrics",
            ["deciding_metric_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("hypotheses") as batch:
        batch.drop_constraint("fk_hypotheses_deciding_metric", type_="foreignkey")
        batch.drop_column("decide_by")
        batch.drop_column("target_value")
        batch.drop_column("baseline_value")
        batch.drop_column("deciding_metric_id")

    with op.batch_alter_table("projects") as batch:
        batch.drop_column("digest_compact")
        batch.drop_column("digest_time")
        batch.drop_column("digest_weekday")

    op.drop_table("ingest_tokens")
    op.drop_table("metric_samples")
    op.drop_table("metrics")
