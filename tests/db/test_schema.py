import datetime as dt

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from db import migrate, scoring
from db.engine import make_engine, transaction
from db.models import Account, Base, Contact, SurveyResponse, UsageWeekly, User
from tests.db.factories import account, add_user


def test_migration_creates_every_model_table_and_is_repeatable(engine):
    migrate.upgrade(engine)  # a second replica starting later changes nothing
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


@pytest.mark.parametrize(
    "row",
    [
        lambda: SurveyResponse(account_id=1, kind="nps", score=11, responded_on=dt.date(2026, 1, 1)),
        lambda: SurveyResponse(account_id=1, kind="csat", score=0, responded_on=dt.date(2026, 1, 1)),
        lambda: SurveyResponse(account_id=99, kind="nps", score=5, responded_on=dt.date(2026, 1, 1)),
        lambda: UsageWeekly(
            account_id=1,
            week_start=dt.date(2026, 1, 5),
            active_users=-1,
            logins=0,
            key_feature_events=0,
            seats_used=0,
        ),
        lambda: Contact(
            external_id="ACC-1", account_id=1, name="A", email="a@x", title="t", relationship_strength=9
        ),
    ],
    ids=["nps-over-10", "csat-0", "unknown-account", "negative-usage", "relationship-9"],
)
def test_constraints_refuse_bad_rows(engine, row):
    owner = add_user(engine)
    with transaction(engine) as session:
        session.add(account(1, owner))
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(row())


def test_external_ids_are_unique(engine):
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add_all([account(1, None), account(2, None, external_id="ACC-1")])


def test_prepare_fills_only_an_empty_embedded_demo_database(tmp_path, monkeypatch):
    # Scoring the demo's history, nine tenths of the build, is asked for here and run by the first start in
    # tests/e2e/test_first_start.py.
    scored = []
    monkeypatch.setattr(scoring, "run", lambda engine, progress: scored.append(engine))
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    migrate.prepare(engine, demo=True)
    with engine.connect() as conn:
        accounts = conn.scalar(select(func.count()).select_from(Account))
        users = conn.scalars(select(User.username).order_by(User.id)).all()
    assert accounts == 500 and scored == [engine]
    assert users[:4] == ["admin", "amy", "mark", "sam"]
    migrate.prepare(engine, demo=True)  # the next start keeps what is there
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Account)) == 500
    assert scored == [engine]


def test_prepare_never_writes_demo_data_to_a_configured_database(engine):
    migrate.prepare(engine, demo=False)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Account)) == 0


def test_migration_0006_keeps_every_row_and_makes_facts_optional(database_url):
    """A database at 0005 with data: after 0006 nothing is lost, account facts may be unknown, an account
    may churn twice, and a contact or ticket without optional columns gets their defaults."""
    from alembic import command

    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), "0005")
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, external_id, name, industry, segment, region, product, employees, arr, "
            "seats_purchased, customer_since, renewal_date) VALUES "
            "(1, 'A1', 'Acme', 'Retail', 'SMB', 'EMEA', 'Analytics', 10, 1000, 5, '2024-01-01', '2025-01-01')"
        )
        connection.exec_driver_sql(
            "INSERT INTO contacts (external_id, account_id, name, email, title) VALUES ('C1', 1, 'Kim', 'k@x', 'CTO')"
        )
        connection.exec_driver_sql(
            "INSERT INTO churn_events (account_id, churned_on, reason, arr_lost) VALUES (1, '2024-06-30', 'budget', 10)"
        )
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, external_id, name) VALUES (2, 'A2', 'Unknowns')"
        )
        connection.exec_driver_sql(
            "INSERT INTO churn_events (account_id, churned_on) VALUES (1, '2024-12-31')"
        )
        connection.exec_driver_sql(
            "INSERT INTO contacts (external_id, account_id, name) VALUES ('C2', 2, 'Lee')"
        )
        connection.exec_driver_sql(
            "INSERT INTO tickets (account_id, opened_at) VALUES (2, '2024-01-01 10:00:00')"
        )
        assert connection.exec_driver_sql("SELECT name, email, title FROM contacts ORDER BY id").all() == [
            ("Kim", "k@x", "CTO"),
            ("Lee", "", ""),
        ]
        assert (
            connection.exec_driver_sql("SELECT COUNT(*) FROM churn_events WHERE account_id = 1").scalar() == 2
        )
        assert connection.exec_driver_sql("SELECT arr, segment FROM accounts WHERE id = 2").one() == (
            None,
            None,
        )
        assert not connection.exec_driver_sql("SELECT sla_breached FROM tickets").scalar()
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO churn_events (account_id, churned_on) VALUES (1, '2024-12-31')"
        )
    engine.dispose()
