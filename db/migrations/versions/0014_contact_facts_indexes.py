"""indexes for the contacts' facts: survey answers by contact, complaints by account

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COMPLAINT = "category = 'complaint' OR escalated"


def upgrade() -> None:
    op.create_index(
        "ix_survey_responses_contact_kind_date", "survey_responses", ["contact_id", "kind", "responded_on"]
    )
    op.create_index(
        "ix_tickets_complaints_account_opened",
        "tickets",
        ["account_id", "opened_at"],
        sqlite_where=sa.text(COMPLAINT),
        postgresql_where=sa.text(COMPLAINT),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_complaints_account_opened", table_name="tickets")
    op.drop_index("ix_survey_responses_contact_kind_date", table_name="survey_responses")
