"""work queue: playbooks with versioned steps, tasks raised by the rules, step check-offs; default playbooks

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

REASONS = (
    "at_risk",
    "score_drop",
    "renewal_at_risk",
    "promoter_ask",
    "follow_up_due",
    "thank_you_owed",
    "request_overdue",
    "request_unassigned",
    "asset_stale",
)
LIVE = "status IN ('open', 'snoozed')"

# The playbooks every database starts with, one per reason: (name, reason, description, [(day, step)]).
DEFAULT_PLAYBOOKS = (
    (
        "At-risk save",
        "at_risk",
        "The account entered the at-risk band.",
        [
            (0, "Review the drivers on the account page"),
            (2, "Call the champion"),
            (7, "E-mail the exec sponsor"),
        ],
    ),
    (
        "Score drop check",
        "score_drop",
        "The score fell sharply in four weeks.",
        [(0, "Review what moved the score"), (3, "Call the champion")],
    ),
    (
        "Renewal rescue",
        "renewal_at_risk",
        "An at-risk account renews soon.",
        [
            (0, "Review the drivers and the renewal terms"),
            (2, "Call the champion"),
            (5, "Exec sponsor call"),
            (14, "Agree a success plan"),
        ],
    ),
    (
        "Promoter ask",
        "promoter_ask",
        "A promoter is eligible to be asked.",
        [(0, "Check the account's health and open tickets"), (3, "Ask for a reference, review or referral")],
    ),
    ("Follow-up", "follow_up_due", "An ask waits for its follow-up.", [(0, "Send the follow-up")]),
    (
        "Thank-you",
        "thank_you_owed",
        "An advocate helped and has not been thanked.",
        [(0, "Send the thank-you")],
    ),
    (
        "Overdue reference request",
        "request_overdue",
        "A reference request passed its needed-by date.",
        [(0, "Check with the requester"), (1, "Assign an advocate or decline")],
    ),
    (
        "Assign a reference",
        "request_unassigned",
        "A reference request waits for an advocate.",
        [(0, "Match and assign an advocate")],
    ),
    (
        "Stale asset",
        "asset_stale",
        "An asset is due for review or its approval lapses.",
        [(0, "Review the asset with its customer"), (14, "Update, re-approve or retire it")],
    ),
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade() -> None:
    playbooks = op.create_table(
        "playbooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(_one_of("reason", REASONS), name="ck_playbooks_reason_allowed"),
        sa.PrimaryKeyConstraint("id", name="pk_playbooks"),
        sa.UniqueConstraint("name", name="uq_playbooks_name"),
    )
    op.create_index(
        "ix_playbooks_active_reason",
        "playbooks",
        ["reason"],
        unique=True,
        sqlite_where=sa.text("retired_on IS NULL"),
        postgresql_where=sa.text("retired_on IS NULL"),
    )
    steps = op.create_table(
        "playbook_steps",
        sa.Column("playbook_id", sa.Integer(), nullable=False),
        sa.Column("playbook_version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("day_offset", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.CheckConstraint("day_offset BETWEEN 0 AND 365", name="ck_playbook_steps_day_offset_range"),
        sa.CheckConstraint("position >= 1", name="ck_playbook_steps_position_from_1"),
        sa.ForeignKeyConstraint(
            ["playbook_id"],
            ["playbooks.id"],
            name="fk_playbook_steps_playbook_id_playbooks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("playbook_id", "playbook_version", "position", name="pk_playbook_steps"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("snoozed_until", sa.Date(), nullable=True),
        sa.Column("snooze_reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
        sa.Column("playbook_id", sa.Integer(), nullable=True),
        sa.Column("playbook_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(_one_of("reason", REASONS), name="ck_tasks_reason_allowed"),
        sa.CheckConstraint(
            _one_of("subject_kind", ("account", "advocate", "reference_request", "asset")),
            name="ck_tasks_subject_kind_allowed",
        ),
        sa.CheckConstraint(
            _one_of("status", ("open", "snoozed", "closed", "dismissed")), name="ck_tasks_status_allowed"
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR " + _one_of("outcome", ("saved", "churned", "not_needed", "done", "other")),
            name="ck_tasks_outcome_allowed",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_tasks_account_id_accounts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_tasks_owner_id_users"),
        sa.ForeignKeyConstraint(["playbook_id"], ["playbooks.id"], name="fk_tasks_playbook_id_playbooks"),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"], name="fk_tasks_closed_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )
    op.create_index(
        "ix_tasks_live_subject_reason",
        "tasks",
        ["subject_kind", "subject_id", "reason"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
    op.create_index("ix_tasks_status_owner_due", "tasks", ["status", "owner_id", "due_on"])
    op.create_index("ix_tasks_account_id", "tasks", ["account_id"])
    op.create_index(
        "ix_tasks_subject_reason_closed", "tasks", ["subject_kind", "subject_id", "reason", "closed_at"]
    )
    op.create_table(
        "task_steps",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name="fk_task_steps_task_id_tasks", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["done_by"], ["users.id"], name="fk_task_steps_done_by_users"),
        sa.PrimaryKeyConstraint("task_id", "position", name="pk_task_steps"),
    )
    op.bulk_insert(
        playbooks,
        [
            {"id": number, "name": name, "reason": reason, "description": description, "version": 1}
            for number, (name, reason, description, _) in enumerate(DEFAULT_PLAYBOOKS, start=1)
        ],
    )
    op.bulk_insert(
        steps,
        [
            {
                "playbook_id": number,
                "playbook_version": 1,
                "position": position,
                "day_offset": day,
                "title": title,
            }
            for number, (_, _, _, playbook_steps) in enumerate(DEFAULT_PLAYBOOKS, start=1)
            for position, (day, title) in enumerate(playbook_steps, start=1)
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval('playbooks_id_seq', (SELECT MAX(id) FROM playbooks))")


def downgrade() -> None:
    op.drop_table("task_steps")
    op.drop_index("ix_tasks_subject_reason_closed", table_name="tasks")
    op.drop_index("ix_tasks_account_id", table_name="tasks")
    op.drop_index("ix_tasks_status_owner_due", table_name="tasks")
    op.drop_index("ix_tasks_live_subject_reason", table_name="tasks")
    op.drop_table("tasks")
    op.drop_table("playbook_steps")
    op.drop_index("ix_playbooks_active_reason", table_name="playbooks")
    op.drop_table("playbooks")
