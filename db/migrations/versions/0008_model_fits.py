"""model fits: the churn-risk layer's model cards (every fit kept) and the newest fit's risk per account

Revision ID: 0008
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_fits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("fitted_by", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("risk_week", sa.Date(), nullable=True),
        sa.Column("test_auc", sa.Float(), nullable=True),
        sa.Column("card", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["fitted_by"], ["users.id"], name="fk_model_fits_fitted_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_model_fits"),
    )
    op.create_index("ix_model_fits_fitted_at", "model_fits", ["fitted_at"])
    op.create_table(
        "churn_risks",
        sa.Column("fit_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fit_id"], ["model_fits.id"], name="fk_churn_risks_fit_id_model_fits", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_churn_risks_account_id_accounts", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("fit_id", "account_id", name="pk_churn_risks"),
    )


def downgrade() -> None:
    op.drop_table("churn_risks")
    op.drop_index("ix_model_fits_fitted_at", table_name="model_fits")
    op.drop_table("model_fits")
