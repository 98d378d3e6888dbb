"""deliveries: when a message was handed to the server and its Message-ID, so a crash while sending is in doubt

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("sending_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("message_id", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("message_id")
        batch.drop_column("sending_at")
