"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:25:20.957659
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acquisition_spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.CheckConstraint(
            "channel IN ('paid_search', 'events', 'content', 'outbound', 'referral_rewards')",
            name=op.f("ck_acquisition_spend_channel_allowed"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_acquisition_spend_amount_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acquisition_spend")),
        sa.UniqueConstraint("month", "channel", name="uq_acquisition_spend_month_channel"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("sessions_valid_from", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'account_manager', 'marketing', 'sales')", name=op.f("ck_users_role_allowed")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=60), nullable=False),
        sa.Column("segment", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=20), nullable=False),
        sa.Column("product", sa.String(length=60), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("arr", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("seats_purchased", sa.Integer(), nullable=False),
        sa.Column("customer_since", sa.Date(), nullable=False),
        sa.Column("renewal_date", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "region IN ('North America', 'EMEA', 'APAC', 'LATAM')", name=op.f("ck_accounts_region_allowed")
        ),
        sa.CheckConstraint(
            "segment IN ('SMB', 'Mid-Market', 'Enterprise')", name=op.f("ck_accounts_segment_allowed")
        ),
        sa.CheckConstraint("arr >= 0", name=op.f("ck_accounts_arr_not_negative")),
        sa.CheckConstraint("seats_purchased >= 0", name=op.f("ck_accounts_seats_not_negative")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_accounts_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_accounts_external_id")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_owner_id", ["owner_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_settings_updated_by_users")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "churn_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("churned_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("arr_lost", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_churn_events_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_churn_events")),
        sa.UniqueConstraint("account_id", name=op.f("uq_churn_events_account_id")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("relationship_strength", sa.SmallInteger(), nullable=True),
        sa.Column("left_company_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "relationship_strength BETWEEN 1 AND 5", name=op.f("ck_contacts_relationship_1_5")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_contacts_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_contacts_external_id")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index("ix_contacts_account_id", ["account_id"], unique=False)

    op.create_table(
        "csm_sentiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sentiment", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("sentiment BETWEEN 1 AND 5", name=op.f("ck_csm_sentiments_sentiment_1_5")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_csm_sentiments_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_csm_sentiments_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csm_sentiments")),
    )
    with op.batch_alter_table("csm_sentiments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_csm_sentiments_account_recorded", ["account_id", "recorded_at"], unique=False
        )

    op.create_table(
        "health_snapshots",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("usage", sa.Float(), nullable=True),
        sa.Column("outcomes", sa.Float(), nullable=True),
        sa.Column("utilisation", sa.Float(), nullable=True),
        sa.Column("feedback", sa.Float(), nullable=True),
        sa.Column("support", sa.Float(), nullable=True),
        sa.Column("weights_key", sa.String(length=60), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "score IS NULL OR score BETWEEN 0 AND 100", name=op.f("ck_health_snapshots_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_health_snapshots_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "week_start", name=op.f("pk_health_snapshots")),
    )
    with op.batch_alter_table("health_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_health_snapshots_week_start", ["week_start"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_milestones_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
        sa.UniqueConstraint("external_id", name=op.f("uq_milestones_external_id")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index(
            "ix_milestones_account_covering", ["account_id", "planned_on", "achieved_on"], unique=False
        )

    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("sla_breached", sa.Boolean(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "category IN ('technical', 'how_to', 'billing', 'complaint', 'feature_request')",
            name=op.f("ck_tickets_category_allowed"),
        ),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high', 'urgent')", name=op.f("ck_tickets_severity_allowed")
        ),
        sa.CheckConstraint(
            "closed_at IS NULL OR closed_at >= opened_at", name=op.f("ck_tickets_closed_after_opened")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_tickets_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("external_id", name=op.f("uq_tickets_external_id")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_account_opened", ["account_id", "opened_at"], unique=False)
        batch_op.create_index("ix_tickets_opened_at", ["opened_at"], unique=False)
        batch_op.create_index(
            "ix_tickets_closed_covering",
            ["closed_at", "opened_at", "account_id", "severity", "category", "sla_breached", "escalated"],
            unique=False,
        )

    op.create_table(
        "usage_weekly",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("active_users", sa.Integer(), nullable=False),
        sa.Column("logins", sa.Integer(), nullable=False),
        sa.Column("key_feature_events", sa.Integer(), nullable=False),
        sa.Column("seats_used", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "active_users >= 0 AND logins >= 0 AND key_feature_events >= 0 AND seats_used >= 0",
            name=op.f("ck_usage_weekly_counts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_usage_weekly_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "week_start", name=op.f("pk_usage_weekly")),
    )
    with op.batch_alter_table("usage_weekly", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_weekly_week_covering",
            ["week_start", "account_id", "active_users", "logins", "key_feature_events", "seats_used"],
            unique=False,
        )

    op.create_table(
        "advocates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("stage_changed_at", sa.DateTime(), nullable=False),
        sa.Column("referral_code", sa.String(length=32), nullable=True),
        sa.Column("nominated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "stage IN ('candidate', 'nominated', 'asked', 'agreed', 'reference_ready', 'paused', 'declined', 'retired')",
            name=op.f("ck_advocates_stage_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_advocates_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_advocates_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["nominated_by"], ["users.id"], name=op.f("fk_advocates_nominated_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advocates")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_advocates_contact_id")),
        sa.UniqueConstraint("referral_code", name=op.f("uq_advocates_referral_code")),
    )
    with op.batch_alter_table("advocates", schema=None) as batch_op:
        batch_op.create_index("ix_advocates_account_id", ["account_id"], unique=False)

    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("asset_type", sa.String(length=30), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("company_size", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=20), nullable=False),
        sa.Column("approval_status", sa.String(length=20), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "approval_status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_assets_approval_status_allowed"),
        ),
        sa.CheckConstraint(
            "asset_type IN ('case_study', 'video_testimonial', 'written_testimonial', 'reference_call', 'webinar', 'site_visit')",
            name=op.f("ck_assets_asset_type_allowed"),
        ),
        sa.CheckConstraint(
            "company_size IN ('SMB', 'Mid-Market', 'Enterprise')", name=op.f("ck_assets_company_size_allowed")
        ),
        sa.CheckConstraint(
            "region IN ('North America', 'EMEA', 'APAC', 'LATAM')", name=op.f("ck_assets_region_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_assets_account_id_accounts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_assets_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("external_id", name=op.f("uq_assets_external_id")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index("ix_assets_account_id", ["account_id"], unique=False)

    op.create_table(
        "engagement_triggers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('positive_feedback', 'improved_vs_previous_provider', 'personal_relationship', 'great_support_experience', 'overcame_challenge_together', 'attended_local_event', 'raised_in_qbr_or_call', 'contract_negotiation')",
            name=op.f("ck_engagement_triggers_kind_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_engagement_triggers_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_engagement_triggers_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_engagement_triggers_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_triggers")),
        sa.UniqueConstraint("external_id", name=op.f("uq_engagement_triggers_external_id")),
    )
    with op.batch_alter_table("engagement_triggers", schema=None) as batch_op:
        batch_op.create_index("ix_triggers_account_id", ["account_id"], unique=False)

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'nps' AND score BETWEEN 0 AND 10) OR (kind = 'csat' AND score BETWEEN 1 AND 5)",
            name=op.f("ck_survey_responses_score_range"),
        ),
        sa.CheckConstraint("kind IN ('nps', 'csat')", name=op.f("ck_survey_responses_kind_allowed")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_survey_responses_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_survey_responses_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("external_id", name=op.f("uq_survey_responses_external_id")),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_responses_account_kind_date", ["account_id", "kind", "responded_on"], unique=False
        )
        batch_op.create_index("ix_survey_responses_kind_date", ["kind", "responded_on"], unique=False)

    op.create_table(
        "advocate_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advocate_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["advocate_id"],
            ["advocates.id"],
            name=op.f("fk_advocate_stage_changes_advocate_id_advocates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name=op.f("fk_advocate_stage_changes_changed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advocate_stage_changes")),
    )
    with op.batch_alter_table("advocate_stage_changes", schema=None) as batch_op:
        batch_op.create_index("ix_stage_changes_advocate_id", ["advocate_id"], unique=False)

    op.create_table(
        "asset_industries",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("industry", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_industries_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", "industry", name=op.f("pk_asset_industries")),
    )
    with op.batch_alter_table("asset_industries", schema=None) as batch_op:
        batch_op.create_index("ix_asset_industries_industry", ["industry"], unique=False)

    op.create_table(
        "asset_products",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_products_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", "product", name=op.f("pk_asset_products")),
    )
    op.create_table(
        "outreach_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("advocate_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("owner_role", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("follow_up_number", sa.SmallInteger(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'phone', 'video_call', 'in_person', 'social_dm')",
            name=op.f("ck_outreach_attempts_channel_allowed"),
        ),
        sa.CheckConstraint(
            "outcome IN ('no_response', 'responded', 'agreed', 'declined')",
            name=op.f("ck_outreach_attempts_outcome_allowed"),
        ),
        sa.CheckConstraint(
            "owner_role IN ('csm', 'ae', 'marketing')", name=op.f("ck_outreach_attempts_owner_role_allowed")
        ),
        sa.CheckConstraint(
            "purpose IN ('reference', 'referral', 'ambassador')",
            name=op.f("ck_outreach_attempts_purpose_allowed"),
        ),
        sa.CheckConstraint(
            "follow_up_number BETWEEN 0 AND 10", name=op.f("ck_outreach_attempts_follow_up_range")
        ),
        sa.CheckConstraint(
            "responded_on IS NULL OR responded_on >= sent_on",
            name=op.f("ck_outreach_attempts_response_after_ask"),
        ),
        sa.ForeignKeyConstraint(
            ["advocate_id"],
            ["advocates.id"],
            name=op.f("fk_outreach_attempts_advocate_id_advocates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_outreach_attempts_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_attempts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_outreach_attempts_external_id")),
    )
    with op.batch_alter_table("outreach_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_outreach_advocate_id", ["advocate_id"], unique=False)
        batch_op.create_index("ix_outreach_sent_on", ["sent_on"], unique=False)

    op.create_table(
        "reference_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prospect", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=60), nullable=False),
        sa.Column("company_size", sa.String(length=20), nullable=True),
        sa.Column("region", sa.String(length=20), nullable=True),
        sa.Column("product", sa.String(length=60), nullable=True),
        sa.Column("deal_size", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("deal_stage", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("needed_by", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assigned_advocate_id", sa.Integer(), nullable=True),
        sa.Column("assigned_asset_id", sa.Integer(), nullable=True),
        sa.Column("fulfilled_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("won_amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "deal_stage IN ('discovery', 'evaluation', 'proposal', 'negotiation')",
            name=op.f("ck_reference_requests_deal_stage_allowed"),
        ),
        sa.CheckConstraint(
            "kind IN ('call', 'visit', 'webinar', 'asset')", name=op.f("ck_reference_requests_kind_allowed")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('won', 'lost')",
            name=op.f("ck_reference_requests_outcome_allowed"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'assigned', 'done', 'declined')",
            name=op.f("ck_reference_requests_status_allowed"),
        ),
        sa.CheckConstraint("deal_size >= 0", name=op.f("ck_reference_requests_deal_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["assigned_advocate_id"],
            ["advocates.id"],
            name=op.f("fk_reference_requests_assigned_advocate_id_advocates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_asset_id"],
            ["assets.id"],
            name=op.f("fk_reference_requests_assigned_asset_id_assets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_reference_requests_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_requests")),
    )
    with op.batch_alter_table("reference_requests", schema=None) as batch_op:
        batch_op.create_index("ix_reference_requests_status", ["status"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("advocate_id", sa.Integer(), nullable=False),
        sa.Column("referred_company", sa.String(length=200), nullable=False),
        sa.Column("campaign", sa.String(length=60), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["advocate_id"],
            ["advocates.id"],
            name=op.f("fk_referrals_advocate_id_advocates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("code", name=op.f("uq_referrals_code")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index("ix_referrals_advocate_id", ["advocate_id"], unique=False)

    op.create_table(
        "rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advocate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('discount', 'exclusive_feature', 'community_recognition', 'store_credit', 'subscription_content', 'personalised_swag')",
            name=op.f("ck_rewards_kind_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["advocate_id"],
            ["advocates.id"],
            name=op.f("fk_rewards_advocate_id_advocates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
    )
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.create_index("ix_rewards_advocate_id", ["advocate_id"], unique=False)

    op.create_table(
        "thank_yous",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advocate_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'phone', 'video_call', 'in_person', 'social_dm')",
            name=op.f("ck_thank_yous_channel_allowed"),
        ),
        sa.CheckConstraint(
            "reason IN ('agreement', 'reference_fulfilled', 'referral_converted')",
            name=op.f("ck_thank_yous_reason_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["advocate_id"],
            ["advocates.id"],
            name=op.f("fk_thank_yous_advocate_id_advocates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thank_yous")),
    )
    with op.batch_alter_table("thank_yous", schema=None) as batch_op:
        batch_op.create_index("ix_thank_yous_advocate_id", ["advocate_id"], unique=False)

    op.create_table(
        "asset_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.Column("reference_request_id", sa.Integer(), nullable=True),
        sa.Column("opportunity", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('won', 'lost')", name=op.f("ck_asset_usage_outcome_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_usage_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reference_request_id"],
            ["reference_requests.id"],
            name=op.f("fk_asset_usage_reference_request_id_reference_requests"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["used_by"], ["users.id"], name=op.f("fk_asset_usage_used_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_usage")),
    )
    with op.batch_alter_table("asset_usage", schema=None) as batch_op:
        batch_op.create_index("ix_asset_usage_asset_id", ["asset_id"], unique=False)

    op.create_table(
        "purchases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purchased_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_purchases_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_purchases_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_purchases_referral_id_referrals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
        sa.UniqueConstraint("external_id", name=op.f("uq_purchases_external_id")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index("ix_purchases_account_id", ["account_id"], unique=False)
        batch_op.create_index("ix_purchases_purchased_on", ["purchased_on"], unique=False)

    op.create_table(
        "referral_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "event IN ('email_sent', 'opened', 'clicked', 'page_view', 'lead', 'opportunity', 'purchase')",
            name=op.f("ck_referral_events_event_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_events_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_events")),
    )
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.create_index("ix_referral_events_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index("ix_referral_events_referral_id", ["referral_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_events_referral_id")
        batch_op.drop_index("ix_referral_events_occurred_at")

    op.drop_table("referral_events")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index("ix_purchases_purchased_on")
        batch_op.drop_index("ix_purchases_account_id")

    op.drop_table("purchases")
    with op.batch_alter_table("asset_usage", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_usage_asset_id")

    op.drop_table("asset_usage")
    with op.batch_alter_table("thank_yous", schema=None) as batch_op:
        batch_op.drop_index("ix_thank_yous_advocate_id")

    op.drop_table("thank_yous")
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.drop_index("ix_rewards_advocate_id")

    op.drop_table("rewards")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_advocate_id")

    op.drop_table("referrals")
    with op.batch_alter_table("reference_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_reference_requests_status")

    op.drop_table("reference_requests")
    with op.batch_alter_table("outreach_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_outreach_sent_on")
        batch_op.drop_index("ix_outreach_advocate_id")

    op.drop_table("outreach_attempts")
    op.drop_table("asset_products")
    with op.batch_alter_table("asset_industries", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_industries_industry")

    op.drop_table("asset_industries")
    with op.batch_alter_table("advocate_stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_advocate_id")

    op.drop_table("advocate_stage_changes")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_responses_kind_date")
        batch_op.drop_index("ix_survey_responses_account_kind_date")

    op.drop_table("survey_responses")
    with op.batch_alter_table("engagement_triggers", schema=None) as batch_op:
        batch_op.drop_index("ix_triggers_account_id")

    op.drop_table("engagement_triggers")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index("ix_assets_account_id")

    op.drop_table("assets")
    with op.batch_alter_table("advocates", schema=None) as batch_op:
        batch_op.drop_index("ix_advocates_account_id")

    op.drop_table("advocates")
    with op.batch_alter_table("usage_weekly", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_weekly_week_covering")

    op.drop_table("usage_weekly")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_closed_covering")
        batch_op.drop_index("ix_tickets_opened_at")
        batch_op.drop_index("ix_tickets_account_opened")

    op.drop_table("tickets")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_milestones_account_covering")

    op.drop_table("milestones")
    with op.batch_alter_table("health_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_health_snapshots_week_start")

    op.drop_table("health_snapshots")
    with op.batch_alter_table("csm_sentiments", schema=None) as batch_op:
        batch_op.drop_index("ix_csm_sentiments_account_recorded")

    op.drop_table("csm_sentiments")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_account_id")

    op.drop_table("contacts")
    op.drop_table("churn_events")
    op.drop_table("settings")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_owner_id")

    op.drop_table("accounts")
    op.drop_table("users")
    op.drop_table("acquisition_spend")
