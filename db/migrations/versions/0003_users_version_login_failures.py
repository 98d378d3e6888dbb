"""user versions, login failures, referral event external ids

Users get a version so two admins editing one user cannot overwrite each other; login failures
per username and address drive the login throttle; referral events get an external id so an
import can be repeated without duplicating them.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "login_failures",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "address", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("referral_events") as batch:
        batch.add_column(sa.Column("external_id", sa.String(length=64), nullable=True))
    op.create_index("ix_referral_events_external_id", "referral_events", ["external_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_referral_events_external_id", table_name="referral_events")
    with op.batch_alter_table("referral_events") as batch:
        batch.drop_column("external_id")
    op.drop_table("login_failures")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("version")
