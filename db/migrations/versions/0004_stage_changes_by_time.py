"""stage changes indexed by time

The weekly review reads the stage changes of two weeks; without an index on changed_at both databases
read every change ever recorded.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stage_changes_changed_at", "advocate_stage_changes", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_stage_changes_changed_at", table_name="advocate_stage_changes")
