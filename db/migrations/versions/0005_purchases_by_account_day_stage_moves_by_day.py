"""purchases indexed by account and day and by day with what the KPIs read; stage moves indexed by day

The KPI page reads each account's first purchase, the purchases per day and the buyers of a period: an
(account_id, purchased_on) index and a (purchased_on, account_id, amount, referral_id) one answer them
alone, and still serve lookups by account or by day.
It also counts the advocates entering and leaving each stage per day: an index on the day and the move lets
both databases count them without sorting every change.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_purchases_account_id", table_name="purchases")
    op.create_index("ix_purchases_account_day", "purchases", ["account_id", "purchased_on"])
    op.drop_index("ix_purchases_purchased_on", table_name="purchases")
    op.create_index(
        "ix_purchases_day_account", "purchases", ["purchased_on", "account_id", "amount", "referral_id"]
    )
    op.create_index(
        "ix_stage_changes_day_move",
        "advocate_stage_changes",
        [sa.text("DATE(changed_at)"), "from_stage", "to_stage"],
    )


def downgrade() -> None:
    op.drop_index("ix_stage_changes_day_move", table_name="advocate_stage_changes")
    op.drop_index("ix_purchases_day_account", table_name="purchases")
    op.create_index("ix_purchases_purchased_on", "purchases", ["purchased_on"])
    op.drop_index("ix_purchases_account_day", table_name="purchases")
    op.create_index("ix_purchases_account_id", "purchases", ["account_id"])
