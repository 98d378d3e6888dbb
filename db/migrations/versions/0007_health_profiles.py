"""health profiles: a segment's own weights and band thresholds, each falling back to the global setting

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "health_profiles",
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_health_profiles_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("segment", "key", name=op.f("pk_health_profiles")),
    )


def downgrade() -> None:
    op.drop_table("health_profiles")
