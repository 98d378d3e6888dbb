"""asset upkeep: the customer's approval (by whom, when, until when), an uploaded file, retirement

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (
    ("approved_by", sa.String(length=200)),
    ("approved_on", sa.Date()),
    ("approval_until", sa.Date()),
    ("file_key", sa.String(length=80)),
    ("file_name", sa.String(length=200)),
    ("file_type", sa.String(length=60)),
    ("retired_on", sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
