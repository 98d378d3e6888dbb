"""real exports: optional account, usage and ticket facts; defaults for columns an import may leave out;
repeat churn; subscriptions, custom attributes, key features, import profiles and the weeks imports changed

Only identifying fields stay NOT NULL: everything else an export may lack is stored as unknown (NULL).
An account may churn, come back and churn again, so churn events are unique per account and day.

On SQLite, NOT NULL is dropped and defaults are added by editing the stored table definition (SQLite's
documented procedure for removing NOT NULL constraints and changing defaults, which leaves the stored rows
as they are): rebuilding the accounts table
would cascade-delete every row that references it, and rebuilding usage would copy millions of rows.

Revision ID: 0006
Revises: 0005
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OPTIONAL = {
    "accounts": (
        "industry",
        "segment",
        "region",
        "product",
        "employees",
        "arr",
        "seats_purchased",
        "customer_since",
        "renewal_date",
    ),
    "usage_weekly": ("active_users", "logins", "key_feature_events", "seats_used"),
    "tickets": ("severity", "category"),
    "churn_events": ("reason", "arr_lost"),
}
Money = sa.Numeric(precision=14, scale=2, asdecimal=False)
# Defaults for columns an import may leave out: a new row gets them, a stored row keeps its value.
DEFAULTS = {
    "contacts": {"email": "''", "title": "''"},
    "tickets": {"sla_breached": "false", "escalated": "false"},
    "outreach_attempts": {"follow_up_number": "0"},
    "assets": {"summary": "''"},
}
SQLITE_LITERALS = {"false": "0"}


def _sqlite_alter(table: str, optional: tuple[str, ...], defaults: dict[str, str]) -> None:
    """Drop NOT NULL from the optional columns and add the defaults, in SQLite's stored table definition."""
    connection = op.get_bind()
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    for column in optional:
        sql, found = re.subn(rf"(\n\s*{column} [^\n]*?) NOT NULL(,? *\n)", r"\1\2", sql)
        if found != 1:
            raise RuntimeError(f"{table}.{column}: NOT NULL not found in the stored definition")
    for column, default in defaults.items():
        literal = SQLITE_LITERALS.get(default, default)
        sql, found = re.subn(rf"(\n\s*{column} [A-Z]+(\([0-9, ]+\))?) ", rf"\1 DEFAULT {literal} ", sql)
        if found != 1:
            raise RuntimeError(f"{table}.{column}: not found in the stored definition")
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (sql, table)
    )
    connection.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in dict.fromkeys([*OPTIONAL, *DEFAULTS]):
        optional, defaults = OPTIONAL.get(table, ()), DEFAULTS.get(table, {})
        if sqlite:
            _sqlite_alter(table, optional, defaults)
            continue
        for column in optional:
            op.alter_column(table, column, nullable=True)
        for column, default in defaults.items():
            op.alter_column(table, column, server_default=sa.text(default))
    if not sqlite:  # SQLite does not enforce VARCHAR lengths
        # Five weights of 100 make a key of 63 characters.
        op.alter_column("health_snapshots", "weights_key", type_=sa.String(length=120))
    # churn_events has no dependants, so SQLite may rebuild it to change its unique constraint.
    with op.batch_alter_table("churn_events") as batch_op:
        batch_op.drop_constraint("uq_churn_events_account_id", type_="unique")
        batch_op.create_unique_constraint("uq_churn_events_account_day", ["account_id", "churned_on"])
        batch_op.create_index("ix_churn_events_churned_on", ["churned_on"])

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("amount", Money, nullable=True),
        sa.Column("billing_period", sa.String(length=10), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("plan", sa.String(length=60), nullable=True),
        sa.CheckConstraint(
            "billing_period IN ('month', 'year')", name=op.f("ck_subscriptions_billing_period_allowed")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_subscriptions_amount_not_negative")),
        sa.CheckConstraint("seats >= 0", name=op.f("ck_subscriptions_seats_not_negative")),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on", name=op.f("ck_subscriptions_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_subscriptions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("external_id", name=op.f("uq_subscriptions_external_id")),
    )
    op.create_index("ix_subscriptions_account_started", "subscriptions", ["account_id", "started_on"])
    op.create_table(
        "key_features",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_key_features")),
    )
    op.create_table(
        "custom_attributes",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "kind IN ('text', 'number', 'date', 'bool')", name=op.f("ck_custom_attributes_kind_allowed")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_custom_attributes")),
    )
    op.create_table(
        "account_attributes",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("text_value", sa.String(length=500), nullable=True),
        sa.Column("number_value", sa.Float(), nullable=True),
        sa.Column("date_value", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_attributes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["name"],
            ["custom_attributes.name"],
            name=op.f("fk_account_attributes_name_custom_attributes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_account_attributes")),
    )
    op.create_index("ix_account_attributes_name", "account_attributes", ["name"])
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_import_profiles_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_import_profiles_name")),
    )
    op.create_table(
        "rescore_weeks",
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("week_start", name=op.f("pk_rescore_weeks")),
    )


def downgrade() -> None:
    op.drop_table("rescore_weeks")
    op.drop_table("import_profiles")
    op.drop_index("ix_account_attributes_name", table_name="account_attributes")
    op.drop_table("account_attributes")
    op.drop_table("custom_attributes")
    op.drop_table("key_features")
    op.drop_index("ix_subscriptions_account_started", table_name="subscriptions")
    op.drop_table("subscriptions")
    with op.batch_alter_table("churn_events") as batch_op:
        batch_op.drop_index("ix_churn_events_churned_on")
        batch_op.drop_constraint("uq_churn_events_account_day", type_="unique")
        batch_op.create_unique_constraint("uq_churn_events_account_id", ["account_id"])
