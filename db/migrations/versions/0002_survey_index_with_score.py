"""survey index covers the score

The KPI page counts answers per day, kind and score over the whole history; with the score in the
(kind, responded_on) index SQLite and PostgreSQL read the index alone instead of every row.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_survey_responses_kind_date", table_name="survey_responses")
    op.create_index("ix_survey_responses_kind_date_score", "survey_responses", ["kind", "responded_on", "score"])


def downgrade() -> None:
    op.drop_index("ix_survey_responses_kind_date_score", table_name="survey_responses")
    op.create_index("ix_survey_responses_kind_date", "survey_responses", ["kind", "responded_on"])
