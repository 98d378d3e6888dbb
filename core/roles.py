"""The role matrix: which role may open which page and perform which write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.vocabulary import ROLES

ADMIN, ACCOUNT_MANAGER, MARKETING, SALES = ROLES

ROLE_LABELS = {
    ADMIN: "Admin",
    ACCOUNT_MANAGER: "Account manager",
    MARKETING: "Marketing",
    SALES: "Sales",
}


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    path: str
    icon: str
    roles: tuple[str, ...]
    in_menu: bool = True


PAGES: tuple[PageSpec, ...] = (
    # Home is each role's work: the task queue (sales: their reference requests).
    PageSpec("home", "Home", "pages/home.py", ":material/home:", ROLES),
    # Opened from the queue with ?task=<id>, not from the menu.
    PageSpec(
        "task", "Task", "pages/task.py", ":material/task_alt:", (ADMIN, ACCOUNT_MANAGER, MARKETING), False
    ),
    PageSpec(
        "overview",
        "Overview",
        "pages/overview.py",
        ":material/dashboard:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    PageSpec(
        "health",
        "Health board",
        "pages/health.py",
        ":material/monitor_heart:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    # Opened from the board with ?account=<id>, not from the menu.
    PageSpec(
        "account",
        "Account health",
        "pages/account.py",
        ":material/domain:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
        False,
    ),
    PageSpec(
        "score-check",
        "Does the score work?",
        "pages/score_check.py",
        ":material/fact_check:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    PageSpec(
        "advocates",
        "Advocate pipeline",
        "pages/advocates.py",
        ":material/campaign:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    PageSpec(
        "outreach",
        "Outreach effectiveness",
        "pages/outreach.py",
        ":material/query_stats:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    PageSpec(
        "kpis", "Program KPIs", "pages/kpis.py", ":material/insights:", (ADMIN, ACCOUNT_MANAGER, MARKETING)
    ),
    PageSpec(
        "referrals",
        "Referral program",
        "pages/referrals.py",
        ":material/share:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    PageSpec(
        "weekly",
        "Weekly review",
        "pages/weekly.py",
        ":material/event_note:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    PageSpec("library", "Asset library", "pages/library.py", ":material/library_books:", ROLES),
    PageSpec(
        "references",
        "Reference requests",
        "pages/references.py",
        ":material/handshake:",
        (ADMIN, MARKETING, SALES),
    ),
    PageSpec(
        "playbooks",
        "Playbooks",
        "pages/playbooks.py",
        ":material/menu_book:",
        (ADMIN, ACCOUNT_MANAGER, MARKETING),
    ),
    PageSpec("digests", "Digests", "pages/digests.py", ":material/mail:", ROLES),
    PageSpec("import", "Import and export", "pages/imports.py", ":material/upload_file:", (ADMIN,)),
    PageSpec("admin", "Admin", "pages/admin.py", ":material/admin_panel_settings:", (ADMIN,)),
)

# Writes, by service function name; the service layer checks these on every call.
ACTIONS: dict[str, tuple[str, ...]] = {
    "update_settings": (ADMIN,),
    "update_health_profile": (ADMIN,),
    "create_user": (ADMIN,),
    "change_role": (ADMIN,),
    "set_user_disabled": (ADMIN,),
    "reset_password": (ADMIN,),
    "log_out": ROLES,
    "run_scoring": (ADMIN,),
    "fit_churn_model": (ADMIN,),
    "record_sentiment": (ADMIN, ACCOUNT_MANAGER),
    # The advocate program is worked by marketing and the account teams (their own book only).
    "nominate": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "log_outreach": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "record_response": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "move_stage": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "record_reward": (ADMIN, MARKETING),
    "record_thank_you": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "issue_referral_code": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    # Sales ask for references and report deal outcomes; marketing fulfils the requests.
    "create_reference_request": (ADMIN, MARKETING, SALES),
    "assign_reference": (ADMIN, MARKETING),
    "complete_reference": (ADMIN, MARKETING),
    "record_deal_outcome": (ADMIN, MARKETING, SALES),
    "log_asset_use": (ADMIN, ACCOUNT_MANAGER, MARKETING, SALES),
    # Marketing keeps the asset library: adds and edits assets, records the customer's approval, reviews,
    # retires and restores them.
    "create_asset": (ADMIN, MARKETING),
    "edit_asset": (ADMIN, MARKETING),
    "record_asset_approval": (ADMIN, MARKETING),
    "mark_assets_reviewed": (ADMIN, MARKETING),
    "retire_assets": (ADMIN, MARKETING),
    "restore_asset": (ADMIN, MARKETING),
    "import_data": (ADMIN,),
    # The work queue: account managers work their own tasks, marketing and admins every task; admins keep
    # the playbooks and start a generation run.
    "check_task_step": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    # A call, e-mail or meeting with the account, logged on the task by whoever may work it.
    "log_account_activity": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "snooze_task": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "reassign_task": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "close_task": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "dismiss_task": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "generate_tasks": (ADMIN,),
    "save_playbook": (ADMIN,),
    "retire_playbook": (ADMIN,),
    "delete_playbook": (ADMIN,),
    # Everyone chooses how often they get the digest (their own only).
    "set_digest_frequency": ROLES,
    # A digest in doubt (the sender stopped while handing it over) goes again only when an admin says so.
    "resend_delivery": (ADMIN,),
}


# Parts of a page shown only to some roles (no write behind them).
SECTIONS: dict[str, tuple[str, ...]] = {
    # The library's upkeep (stale assets, industry coverage) is marketing's job.
    "library_upkeep": (ADMIN, MARKETING),
    # The work queue: who has one, who also works the marketing program queue, who sees every owner's.
    "task_queue": (ADMIN, ACCOUNT_MANAGER, MARKETING),
    "program_queue": (ADMIN, MARKETING),
    "all_tasks": (ADMIN,),
    # When digests, webhooks and scheduled runs last went out or failed.
    "delivery_status": (ADMIN,),
}
# Who may own a task: the queue's workers (sales ask for references, they do not work the queue).
TASK_OWNERS = (ADMIN, ACCOUNT_MANAGER, MARKETING)


class Someone(Protocol):
    """Whoever acts: the service's Actor, or any object with a user id and a role."""

    id: int | None
    role: str


def pages_for(role: str | None) -> list[PageSpec]:
    """The pages a role may open, in navigation order (none for an unknown role)."""
    return [page for page in PAGES if role in page.roles]


def may_open(role: str | None, page_key: str) -> bool:
    return any(page.key == page_key for page in pages_for(role))


def may_do(role: str | None, action: str) -> bool:
    return role in ACTIONS.get(action, ())


def may(actor: Someone, action: str) -> bool:
    """Whether actor's role may perform action (a write in ACTIONS) or see a section (in SECTIONS)."""
    return actor.role in ACTIONS.get(action, SECTIONS.get(action, ()))


# Account managers work their own book of accounts; every other role works every account.
BOOK_BOUND = (ACCOUNT_MANAGER,)


def book_owner(actor: Someone) -> int | None:
    """The owner whose book actor works: their own id for an account manager, None (every account) otherwise."""
    return actor.id if actor.role in BOOK_BOUND else None


def in_book(actor: Someone, owner_id: int | None) -> bool:
    """Whether an account owned by owner_id is in actor's book."""
    owner = book_owner(actor)
    return owner is None or owner == owner_id
