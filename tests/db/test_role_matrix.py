"""Every write, tried as every role, on SQLite and PostgreSQL: the service refuses exactly what the README's
role matrix refuses, and a refused write leaves no trace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from core import digests as digest_rules
from core import roles
from db import churn_model, demo, imports, profiles_write, service
from db.engine import transaction
from db.models import Advocate, Asset, AuditLog, Delivery, Playbook, ReferenceRequest, Task, User
from tests.builders import account, churn, contact
from tests.db.factories import add_user, build_references

A, AM, M, S = roles.ADMIN, roles.ACCOUNT_MANAGER, roles.MARKETING, roles.SALES
# The README's role matrix, written out on its own so a change to core/roles.py has to change it too.
MATRIX = {
    "update_settings": {A},
    "update_health_profile": {A},
    "create_user": {A},
    "change_role": {A},
    "set_user_disabled": {A},
    "reset_password": {A},
    "import_data": {A},
    "run_scoring": {A},
    "fit_churn_model": {A},
    "log_out": {A, AM, M, S},
    "record_sentiment": {A, AM},
    "nominate": {A, AM, M},
    "log_outreach": {A, AM, M},
    "record_response": {A, AM, M},
    "move_stage": {A, AM, M},
    "record_reward": {A, M},
    "record_thank_you": {A, AM, M},
    "issue_referral_code": {A, AM, M},
    "create_reference_request": {A, M, S},
    "assign_reference": {A, M},
    "complete_reference": {A, M},
    "record_deal_outcome": {A, M, S},
    "log_asset_use": {A, AM, M, S},
    "create_asset": {A, M},
    "edit_asset": {A, M},
    "record_asset_approval": {A, M},
    "mark_assets_reviewed": {A, M},
    "retire_assets": {A, M},
    "restore_asset": {A, M},
    "check_task_step": {A, AM, M},
    "log_account_activity": {A, AM, M},
    "snooze_task": {A, AM, M},
    "reassign_task": {A, AM, M},
    "close_task": {A, AM, M},
    "dismiss_task": {A, AM, M},
    "generate_tasks": {A},
    "save_playbook": {A},
    "retire_playbook": {A},
    "delete_playbook": {A},
    "set_digest_frequency": {A, AM, M, S},
    "resend_delivery": {A},
}
TASK_WRITES = {
    action
    for action in MATRIX
    if "task" in action or "playbook" in action or action == "log_account_activity"
}
TODAY = dt.date.today()
PASSWORD = "a long enough passphrase"
ASSET = service.AssetDraft(
    asset_type="case_study",
    title="Acme halves onboarding",
    company_size="SMB",
    region="EMEA",
    industries=("Retail",),
    url="https://example.com/acme",
)


def version_of(engine: Engine, model, row_id: int) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(model.version).where(model.id == row_id))


def writes(engine: Engine, victim: int) -> dict[str, Callable[[service.Actor], object]]:
    """One call of every write, on the records of amy's book (accounts 1 and 2), valid whichever of the
    others ran before it: request 1 is open, request 2 done."""
    return {
        "update_settings": lambda actor: service.update_settings(engine, actor, {"target_nps": 41}),
        "update_health_profile": lambda actor: profiles_write.update_profile(
            engine, actor, "SMB", {"weight_usage": 40}
        ),
        "fit_churn_model": lambda actor: churn_model.fit_and_store(engine, actor),
        "create_user": lambda actor: service.create_user(
            engine, actor, f"new-{actor.username}", "New", "new@example.com", "sales", PASSWORD
        ),
        "change_role": lambda actor: service.change_role(
            engine, actor, victim, "marketing", version_of(engine, User, victim)
        ),
        "set_user_disabled": lambda actor: service.set_user_disabled(
            engine, actor, victim, True, version_of(engine, User, victim)
        ),
        "reset_password": lambda actor: service.reset_password(
            engine, actor, victim, PASSWORD, version_of(engine, User, victim)
        ),
        "import_data": lambda actor: imports.run_import(
            engine, actor, b"external_id,account,name\nCON-9,ACC-1,Nia\n", "contacts.csv", "contacts"
        ),
        "run_scoring": lambda actor: service.run_scoring(engine, actor),
        "log_out": lambda actor: service.log_out(engine, actor),
        "record_sentiment": lambda actor: service.record_sentiment(engine, actor, 1, 4, "steady"),
        "nominate": lambda actor: service.nominate(engine, actor, 3),
        "log_outreach": lambda actor: service.log_outreach(
            engine,
            actor,
            1,
            follow_up=False,
            purpose="reference",
            channel="email",
            owner_role="csm",
            sent_on=TODAY,
            outcome="no_response",
        ),
        "record_response": lambda actor: service.record_response(engine, actor, 1, "agreed", TODAY),
        "move_stage": lambda actor: service.move_stage(
            engine, actor, 2, "reference_ready", version_of(engine, Advocate, 2)
        ),
        "record_reward": lambda actor: service.record_reward(engine, actor, 1, "discount", 50.0, TODAY),
        "record_thank_you": lambda actor: service.record_thank_you(
            engine, actor, 1, "agreement", "email", TODAY
        ),
        "issue_referral_code": lambda actor: service.issue_referral_code(engine, actor, 2),
        "create_reference_request": lambda actor: service.create_reference_request(
            engine,
            actor,
            prospect="Acme",
            industry="Retail",
            deal_size=1000.0,
            deal_stage="proposal",
            kind="call",
        ),
        "assign_reference": lambda actor: service.assign_reference(
            engine, actor, 1, version_of(engine, ReferenceRequest, 1), asset_id=1
        ),
        "complete_reference": lambda actor: service.complete_reference(
            engine, actor, 1, version_of(engine, ReferenceRequest, 1), "done"
        ),
        "record_deal_outcome": lambda actor: service.record_deal_outcome(
            engine, actor, 2, version_of(engine, ReferenceRequest, 2), "won", 5000.0
        ),
        "log_asset_use": lambda actor: service.log_asset_use(engine, actor, 1, "Acme renewal"),
        "create_asset": lambda actor: service.create_asset(engine, actor, ASSET),
        "edit_asset": lambda actor: service.edit_asset(engine, actor, 2, version_of(engine, Asset, 2), ASSET),
        "record_asset_approval": lambda actor: service.record_asset_approval(
            engine,
            actor,
            2,
            version_of(engine, Asset, 2),
            status="approved",
            approved_by="Pat",
            approved_on=TODAY,
        ),
        "mark_assets_reviewed": lambda actor: service.mark_assets_reviewed(
            engine, actor, {2: version_of(engine, Asset, 2)}, TODAY + dt.timedelta(days=365)
        ),
        "retire_assets": lambda actor: service.retire_assets(
            engine, actor, {2: version_of(engine, Asset, 2)}
        ),
        "restore_asset": lambda actor: service.restore_asset(engine, actor, 2, version_of(engine, Asset, 2)),
        # Tasks 1–5 are amy's (add_work); playbook 1 is the seeded at-risk one, the last one unused.
        "check_task_step": lambda actor: service.check_step(engine, actor, 1, 2, True),
        "log_account_activity": lambda actor: service.log_account_activity(
            engine,
            actor,
            1,
            channel="call",
            happened_on=TODAY,
            contact_id=1,
            note="Champion is worried about the price rise",
            outcome="Exec call booked",
        ),
        "snooze_task": lambda actor: service.snooze_task(
            engine, actor, 2, version_of(engine, Task, 2), TODAY + dt.timedelta(days=7), "Champion on leave"
        ),
        "reassign_task": lambda actor: service.reassign_task(
            engine, actor, 3, version_of(engine, Task, 3), None
        ),
        "close_task": lambda actor: service.close_task(
            engine, actor, 4, version_of(engine, Task, 4), "saved", ""
        ),
        "dismiss_task": lambda actor: service.dismiss_task(
            engine, actor, 5, version_of(engine, Task, 5), "Renewal signed last week"
        ),
        "generate_tasks": lambda actor: service.generate_tasks(engine, actor),
        "save_playbook": lambda actor: service.save_playbook(
            engine,
            actor,
            1,
            version_of(engine, Playbook, 1),
            name="At-risk save",
            reason="at_risk",
            description="",
            steps=[(0, "Review the drivers"), (1, "Call the champion")],
        ),
        "retire_playbook": lambda actor: service.retire_playbook(
            engine, actor, 9, version_of(engine, Playbook, 9), True
        ),
        "delete_playbook": lambda actor: service.delete_playbook(
            engine, actor, unused_playbook(engine), version_of(engine, Playbook, unused_playbook(engine))
        ),
        "set_digest_frequency": lambda actor: service.set_digest_frequency(engine, actor, "weekly"),
        # Delivery 1 is in doubt (add_work).
        "resend_delivery": lambda actor: service.resend_delivery(engine, actor, 1),
    }


def add_work(engine: Engine, owner: int) -> None:
    """Five open at-risk-save tasks of amy's (ids 1–5), a retired playbook no task uses and today's digest of
    amy's in doubt (delivery 1: the sender stopped while handing it over)."""
    with transaction(engine) as session:
        session.add_all(
            Task(
                reason="score_drop",
                subject_kind="account",
                subject_id=100 + number,
                account_id=1,
                owner_id=owner,
                reason_text="Score fell 20 points.",
                due_on=TODAY,
                status="open",
                playbook_id=1,
                playbook_version=1,
                created_at=dt.datetime.now(),
            )
            for number in range(5)
        )
        session.add(Playbook(name="Old save", reason="at_risk", description="", retired_on=TODAY))
        moment = service.now()
        session.add(
            Delivery(
                kind="digest",
                recipient=str(owner),
                period=digest_rules.period("daily", moment),
                attempts=1,
                sending_at=moment - dt.timedelta(hours=1),
                message_id="<1@example.com>",
            )
        )


def unused_playbook(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(Playbook.id).where(Playbook.name == "Old save"))


def audit_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AuditLog))


def test_the_matrix_names_every_write():
    assert set(MATRIX) == set(roles.ACTIONS)


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_write_as_every_role(engine, role):
    owner = build_references(engine)
    with transaction(engine) as session:
        session.execute(User.__table__.update().where(User.id == owner).values(role=role))
        session.add(contact(3, 1, name="Nia", email="n@a1.example", title="COO", relationship_strength=None))
        # Twenty customers more, every other one churned: enough for the churn model to fit.
        session.add_all(
            account(i, None, customer_since=TODAY - dt.timedelta(days=60 * i)) for i in range(10, 30)
        )
        session.flush()
        session.add_all(
            churn(account_id=i, churned_on=TODAY - dt.timedelta(days=3 * i)) for i in range(10, 30, 2)
        )
    demo.reset_sequences(engine)  # the factories chose ids: the next rows must not collide on PostgreSQL
    add_work(engine, owner)
    victim = add_user(engine, "vic", "sales")
    if role != A:
        add_user(engine, "ada", A)
    actor = service.Actor(id=owner, username="amy", name="Amy", role=role)
    calls = writes(engine, victim)
    assert set(calls) == set(MATRIX)
    allowed, refused = set(), set()
    for action, call in calls.items():
        before = audit_rows(engine)
        try:
            call(actor)
        except service.PermissionDenied:
            refused.add(action)
            assert audit_rows(engine) == before, action
            continue
        allowed.add(action)
        assert audit_rows(engine) > before, f"{action} was allowed but left no audit row"
    assert allowed == {action for action, who in MATRIX.items() if role in who}
    assert refused == {action for action, who in MATRIX.items() if role not in who}


@pytest.mark.parametrize("role", [A, AM, M])
def test_every_allowed_work_queue_write_succeeds_and_is_audited(engine, role):
    owner = build_references(engine)
    with transaction(engine) as session:
        session.execute(User.__table__.update().where(User.id == owner).values(role=role))
    demo.reset_sequences(engine)
    add_work(engine, owner)
    actor = service.Actor(id=owner, username="amy", name="Amy", role=role)
    calls = writes(engine, add_user(engine, "vic", "sales"))
    for action in sorted(TASK_WRITES):
        if role not in MATRIX[action]:
            continue
        before = audit_rows(engine)
        calls[action](actor)
        assert audit_rows(engine) == before + 1, action
