"""The data families: what a write changes and what a cached read depends on.

Every table belongs to one family (TABLES). Every write names the families it changes: WRITES by the role
matrix's action (db/service's write() looks it up, so a write without an entry fails), IMPORTS by import
entity. Each cached read in ui/ names the families it depends on (ui/cache.py's @loader), and after a write
only the loaders of the families it changed are cleared. Every write also adds an audit row: USERS is
changed by every write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ACCOUNTS = "accounts and health"
# What the scoring run and the churn model write from the accounts' records: a family of their own, so that a
# scoring run, a model fit or a settings save (which marks weeks for rescoring) leaves the reads of the records
# alone (every contact's facts take seconds to read at 50,000 accounts).
SCORES = "scores"
ADVOCATES = "advocates and outreach"
ASSETS = "assets and references"
PURCHASES = "purchases and referrals"
USERS = "users and audit"
SETTINGS = "settings"
WORK = "tasks and playbooks"
# The account team's reads of an account: a family of their own, as they are written often and read by few
# (an account's live health inputs and events, the data coverage), so recording one leaves the book's reads.
SENTIMENTS = "CSM sentiment"
FAMILIES = (ACCOUNTS, SCORES, ADVOCATES, ASSETS, PURCHASES, USERS, SETTINGS, WORK, SENTIMENTS)

TABLES: dict[str, tuple[str, ...]] = {
    ACCOUNTS: (
        "accounts",
        "contacts",
        "survey_responses",
        "usage_weekly",
        "milestones",
        "tickets",
        "engagement_triggers",
        "churn_events",
        "subscriptions",
        "key_features",
        "custom_attributes",
        "account_attributes",
    ),
    SCORES: ("rescore_weeks", "health_snapshots", "model_fits", "churn_risks"),
    ADVOCATES: ("advocates", "advocate_stage_changes", "outreach_attempts", "rewards", "thank_yous"),
    ASSETS: ("assets", "asset_industries", "asset_products", "reference_requests", "asset_usage"),
    PURCHASES: ("referrals", "referral_events", "purchases", "acquisition_spend"),
    USERS: ("users", "login_failures", "audit_log", "digest_preferences", "deliveries"),
    SETTINGS: ("settings", "health_profiles", "import_profiles"),
    WORK: ("playbooks", "playbook_steps", "tasks", "task_steps", "account_activities"),
    SENTIMENTS: ("csm_sentiments",),
}

# What each import entity stores (an account import can also derive subscriptions' facts, in ACCOUNTS, and
# mark weeks for rescoring, in SCORES).
IMPORTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        (
            "accounts",
            "contacts",
            "usage",
            "usage_events",
            "subscriptions",
            "surveys",
            "tickets",
            "milestones",
            "triggers",
            "churn",
        ),
        frozenset({ACCOUNTS, SCORES}),
    ),
    "outreach": frozenset({ADVOCATES}),  # a contact asked for the first time gets an advocate record
    "assets": frozenset({ASSETS}),
    **dict.fromkeys(("purchases", "spend", "referral_events"), frozenset({PURCHASES})),
    "referrals": frozenset({PURCHASES, ADVOCATES}),
}


def imported(entity: str) -> frozenset[str]:
    """What importing entity changes: what it stores, and the work queue, which an import that changed rows
    regenerates (db/tasks.generate)."""
    return IMPORTS[entity] | {WORK}


# By action of core/roles.ACTIONS.
WRITES: dict[str, frozenset[str]] = {
    "update_settings": frozenset({SETTINGS, SCORES}),  # some settings mark scored weeks for rescoring
    "update_health_profile": frozenset({SETTINGS}),
    **dict.fromkeys(
        ("create_user", "change_role", "set_user_disabled", "reset_password", "log_out"), frozenset({USERS})
    ),
    "run_scoring": frozenset({SCORES, WORK}),  # the scoring run raises the tasks its scores call for
    "fit_churn_model": frozenset({SCORES}),
    "record_sentiment": frozenset({SENTIMENTS}),
    **dict.fromkeys(
        ("nominate", "log_outreach", "record_response", "move_stage", "record_reward", "record_thank_you"),
        frozenset({ADVOCATES}),
    ),
    "issue_referral_code": frozenset({ADVOCATES, PURCHASES}),  # the code is the advocate's, used by referrals
    **dict.fromkeys(
        (
            "create_reference_request",
            "assign_reference",
            "complete_reference",
            "record_deal_outcome",
            "log_asset_use",
            "create_asset",
            "edit_asset",
            "record_asset_approval",
            "mark_assets_reviewed",
            "retire_assets",
            "restore_asset",
        ),
        frozenset({ASSETS}),
    ),
    # Generating tasks reads every family and writes only tasks.
    **dict.fromkeys(
        (
            "check_task_step",
            "log_account_activity",
            "snooze_task",
            "reassign_task",
            "close_task",
            "dismiss_task",
            "generate_tasks",
            "save_playbook",
            "retire_playbook",
            "delete_playbook",
        ),
        frozenset({WORK}),
    ),
    **dict.fromkeys(("set_digest_frequency", "resend_delivery"), frozenset({USERS})),
    "import_data": frozenset().union(*map(imported, IMPORTS)),
}

_changed: ContextVar[set[str] | None] = ContextVar("changed", default=None)


def note(action: str, changes: frozenset[str] | None = None) -> None:
    """Note the families a write of action changes (given, or else its entry in WRITES; KeyError for an
    action without one) and USERS for its audit row, for recording() around it (db/service's write() calls
    this)."""
    families = (WRITES[action] if changes is None else changes) | {USERS}
    if (changed := _changed.get()) is not None:
        changed.update(families)


@contextmanager
def recording() -> Iterator[set[str]]:
    """The families changed by the writes run inside (each noted by note()), filled as they run."""
    changed: set[str] = set()
    token = _changed.set(changed)
    try:
        yield changed
    finally:
        _changed.reset(token)
