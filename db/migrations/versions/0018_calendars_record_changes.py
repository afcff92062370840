"""calendars and record_changes: days off per project, and edits kept with before → after

A project gains its public holidays (a country and an optional subdivision, as the
`holidays` package names them), its working days (Monday is 0), the dates the team
skipped with /gate skip, and the people who stand in for an away lead, in order. Prompts
that fall on a day off move to the next working day.

record_changes keeps every announced edit of a metric's thresholds, owner or guardrail and
of a gate's question: who, when, which field, before and after (as people read them).
One edit's fields share its edit_key, which is also the announcement's idempotency key.

Revision ID: 0018_calendars_record_changes
Revises: 0019_token_scopes
Create Date: 2026-12-03 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_calendars_record_changes"
down_revision: str | None = "0019_token_scopes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("holiday_country", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("holiday_subdivision", sa.String(length=10), nullable=True))
        batch.add_column(
            sa.Column(
                "working_days",
                sa.JSON(),
                nullable=False,
                server_default=sa.text("'[0, 1, 2, 3, 4]'"),
            )
        )
        batch.add_column(
            sa.Column("skipped_dates", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch.add_column(
            sa.Column("standins", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_table(
        "record_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspaces.id"), nullable=False),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("edit_key", sa.String(length=64), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=160), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("edit_key", "field", name="uq_record_changes_edit_field"),
    )
    op.create_index("ix_record_changes_project", "record_changes", ["project_id", "changed_at"])
    op.create_index("ix_record_changes_workspace_id", "record_changes", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_record_changes_workspace_id", table_name="record_changes")
    op.drop_index("ix_record_changes_project", table_name="record_changes")
    op.drop_table("record_changes")
    with op.batch_alter_table("projects") as batch:
        for column in (
            "standins",
            "skipped_dates",
            "working_days",
            "holiday_subdivision",
            "holiday_country",
        ):
            batch.drop_column(column)
