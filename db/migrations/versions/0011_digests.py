"""digests: each user's digest frequency, and the ledger of scheduled sends and runs

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KINDS = "'digest', 'weekly_review', 'team_digest', 'scoring', 'task_generation'"


def upgrade() -> None:
    op.create_table(
        "digest_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('off', 'daily', 'weekly')", name=op.f("ck_digest_preferences_frequency_allowed")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_digest_preferences_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_digest_preferences")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_error_at", sa.DateTime(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_deliveries_kind_allowed")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("kind", "recipient", "period", name=op.f("uq_deliveries_kind")),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("digest_preferences")
