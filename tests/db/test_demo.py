"""The demo generator: deterministic, within the schema's constraints, and carrying the intended signal."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from core import periods, referrals
from core import vocabulary as v
from db import demo
from db.engine import make_engine
from db.models import Base
from tests.conftest import migrated_sqlite

AS_OF = dt.date(2026, 11, 18)
ACCOUNTS = 300


def build(path, seed: int = 7) -> tuple[Engine, dict[str, int]]:
    engine = make_engine(migrated_sqlite(path))
    return engine, demo.generate(engine, accounts=ACCOUNTS, seed=seed, as_of=AS_OF)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Engine, dict[str, int]]:
    engine, counts = build(tmp_path_factory.mktemp("demo") / "demo.db")
    yield engine, counts
    engine.dispose()


def frame(engine: Engine, sql: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def scalar(engine: Engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def checksums(engine: Engine) -> dict[str, str]:
    """A digest of every generated table (the bcrypt salt is random by design, so hashes are left out)."""
    digests = {}
    for table in demo.TABLE_ORDER:
        columns = [c.name for c in Base.metadata.tables[table].c if c.name != "password_hash"]
        keys = ", ".join(c.name for c in Base.metadata.tables[table].primary_key)
        rows = frame(engine, f"SELECT {', '.join(columns)} FROM {table} ORDER BY {keys}")
        digests[table] = hashlib.sha256(rows.to_csv(index=False).encode()).hexdigest()
    return digests


def test_fills_every_generated_table_and_leaves_the_others_alone(seeded):
    engine, counts = seeded
    assert counts["accounts"] == ACCOUNTS
    assert all(counts[table] > 0 for table in demo.TABLE_ORDER)
    for table, rows in counts.items():
        assert scalar(engine, f"SELECT COUNT(*) FROM {table}") == rows
    for table in ("health_snapshots", "audit_log"):
        assert scalar(engine, f"SELECT COUNT(*) FROM {table}") == 0
    # Settings keep the defaults the migration stored.
    assert scalar(engine, "SELECT COUNT(*) FROM settings WHERE updated_by IS NOT NULL") == 0


def test_demo_users_and_a_normal_book_for_amy(seeded):
    engine, _ = seeded
    users = frame(engine, "SELECT id, username, name, role, password_hash FROM users")
    named = users.set_index("username")
    for username, name, role in demo.DEMO_USERS:
        assert (named.loc[username, "name"], named.loc[username, "role"]) == (name, role)
    assert users["password_hash"].nunique() == 1
    ams = users[users["role"] == "account_manager"]
    assert len(ams) >= 8
    assert (users["role"] == "marketing").sum() >= 3 and (users["role"] == "sales").sum() >= 3
    books = frame(engine, "SELECT owner_id, COUNT(*) AS n FROM accounts GROUP BY owner_id").set_index(
        "owner_id"
    )["n"]
    assert set(books.index) == set(ams["id"])
    assert abs(books[named.loc["amy", "id"]] - ACCOUNTS / len(ams)) <= 1


def test_same_seed_same_data_other_seed_other_data(seeded, tmp_path):
    engine, _ = seeded
    again, _ = build(tmp_path / "again.db")
    other, _ = build(tmp_path / "other.db", seed=8)
    try:
        first = checksums(engine)
        assert checksums(again) == first
        assert checksums(other)["usage_weekly"] != first["usage_weekly"]
    finally:
        again.dispose()
        other.dispose()


def test_refuses_a_database_that_already_has_data(seeded):
    engine, _ = seeded
    with pytest.raises(RuntimeError, match="empty database"):
        demo.generate(engine, accounts=10, as_of=AS_OF)


def test_foreign_keys_and_checks_hold(seeded):
    engine, _ = seeded
    assert frame(engine, "PRAGMA foreign_key_check").empty
    assert scalar(engine, "PRAGMA integrity_check") == "ok"
    assert scalar(engine, "SELECT MAX(follow_up_number) FROM outreach_attempts") == 3
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM outreach_attempts
        WHERE (responded_on IS NULL) != (outcome = 'no_response') OR responded_on < sent_on""",
        )
        == 0
    )
    assert scalar(engine, "SELECT COUNT(*) FROM tickets WHERE closed_at < opened_at") == 0
    assert scalar(engine, "SELECT COUNT(*) FROM tickets WHERE closed_at IS NULL") > 0


def test_usage_is_weekly_on_mondays_and_stops_at_churn(seeded):
    engine, _ = seeded
    assert scalar(engine, "SELECT COUNT(*) FROM usage_weekly WHERE strftime('%w', week_start) != '1'") == 0
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM usage_weekly u JOIN churn_events c ON c.account_id = u.account_id
        WHERE u.week_start > c.churned_on""",
        )
        == 0
    )
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM usage_weekly u JOIN accounts a ON a.id = u.account_id
        WHERE u.week_start < a.customer_since OR u.seats_used > a.seats_purchased
           OR u.active_users > u.seats_used""",
        )
        == 0
    )
    weeks = scalar(engine, "SELECT COUNT(DISTINCT week_start) FROM usage_weekly")
    assert weeks == demo.HISTORY_WEEKS


def test_history_ends_at_as_of(seeded):
    engine, _ = seeded
    day = AS_OF.isoformat()
    past_only = {
        "usage_weekly": "week_start",
        "survey_responses": "responded_on",
        "tickets": "opened_at",
        "churn_events": "churned_on",
        "outreach_attempts": "responded_on",
        "engagement_triggers": "occurred_on",
        "purchases": "purchased_on",
        "referral_events": "occurred_at",
        "assets": "published_on",
        "thank_yous": "sent_on",
        "rewards": "given_on",
        "accounts": "customer_since",
        "reference_requests": "requested_at",
    }
    for table, column in past_only.items():
        assert scalar(engine, f"SELECT MAX(substr({column}, 1, 10)) FROM {table}") <= day, table
    assert scalar(engine, "SELECT MIN(renewal_date) FROM accounts") > day


def test_churners_decline_before_they_leave(seeded):
    engine, _ = seeded
    usage = frame(
        engine,
        """
        SELECT u.account_id, julianday(c.churned_on) - julianday(u.week_start) AS days_before,
               u.active_users * 1.0 / a.seats_purchased AS per_seat
        FROM usage_weekly u JOIN churn_events c ON c.account_id = u.account_id
        JOIN accounts a ON a.id = u.account_id""",
    )
    last_weeks = usage[usage["days_before"] <= 56]["per_seat"].mean()
    half_year_before = usage[usage["days_before"].between(182, 238)]["per_seat"].mean()
    assert last_weeks < 0.7 * half_year_before


def test_phone_converts_better_than_email(seeded):
    engine, _ = seeded
    rates = frame(
        engine,
        """
        SELECT channel, AVG(CASE WHEN outcome = 'agreed' THEN 1.0 ELSE 0 END) AS agreed
        FROM outreach_attempts GROUP BY channel""",
    ).set_index("channel")["agreed"]
    assert rates["phone"] > rates["email"]
    assert rates["in_person"] > rates["email"]


def test_promoters_are_overrepresented_among_advocates(seeded):
    engine, _ = seeded
    latest = (
        frame(
            engine,
            """
        SELECT contact_id, score FROM survey_responses
        WHERE kind = 'nps' AND contact_id IS NOT NULL ORDER BY responded_on, id""",
        )
        .groupby("contact_id")["score"]
        .last()
    )
    contacts = frame(engine, "SELECT id FROM contacts")["id"]
    advocates = frame(engine, "SELECT contact_id FROM advocates")["contact_id"]
    promoter = latest.reindex(contacts).ge(9)
    assert latest.reindex(advocates).ge(9).mean() > promoter.mean() + 0.15


def test_some_industries_with_customers_lack_an_approved_case_study(seeded):
    engine, _ = seeded
    uncovered = frame(
        engine,
        """
        SELECT DISTINCT industry FROM accounts WHERE industry NOT IN (
            SELECT i.industry FROM asset_industries i JOIN assets a ON a.id = i.asset_id
            WHERE a.asset_type = 'case_study' AND a.approval_status = 'approved')""",
    )["industry"]
    assert len(uncovered) >= 2


def test_program_tables_tell_a_consistent_story(seeded):
    engine, _ = seeded
    assert (
        scalar(
            engine,
            f"""
        SELECT COUNT(*) FROM reference_requests
        WHERE status = 'open' AND needed_by < '{AS_OF.isoformat()}'""",
        )
        >= 1
    )
    assert (
        scalar(
            engine,
            """
        SELECT COUNT(*) FROM outreach_attempts o WHERE o.outcome = 'agreed' AND NOT EXISTS (
            SELECT 1 FROM thank_yous t
            WHERE t.advocate_id = o.advocate_id AND t.sent_on >= o.responded_on)""",
        )
        > 0
    )
    funnel = frame(engine, "SELECT event, COUNT(*) AS n FROM referral_events GROUP BY event").set_index(
        "event"
    )["n"]
    counts = funnel.reindex(list(v.REFERRAL_EVENTS), fill_value=0)
    assert counts.is_monotonic_decreasing and counts["purchase"] > 0
    assert (
        scalar(engine, "SELECT COUNT(*) FROM purchases WHERE referral_id IS NOT NULL") == counts["purchase"]
    )
    assert (
        scalar(
            engine, "SELECT COUNT(*) FROM assets WHERE published_on IS NOT NULL AND review_by <= published_on"
        )
        == 0
    )


def test_postgresql_gets_the_same_rows(seeded, postgres_copies):
    url = postgres_copies.take()
    engine = make_engine(url)
    try:
        counts = demo.generate(engine, accounts=ACCOUNTS, seed=7, as_of=AS_OF)
        assert counts == seeded[1]
        with engine.begin() as conn:
            new_id = conn.execute(
                text(
                    "INSERT INTO users (username, name, email, password_hash, role, disabled) "
                    "VALUES ('late', 'Late Comer', 'late@example.com', 'x', 'sales', false) RETURNING id"
                )
            ).scalar()
        assert new_id == counts["users"] + 1
    finally:
        engine.dispose()
        postgres_copies.give_back(url)


def program_in(engine: Engine, grain: str, as_of: dt.date) -> dict[str, float]:
    """The current period's (to date) referral figures as the Referral program page computes them."""
    period = periods.recent(grain, as_of, 1)[0]
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    sent = frame(engine, "SELECT id, created_on FROM referrals").set_index("id")
    events = frame(engine, "SELECT referral_id, event, occurred_at FROM referral_events")
    purchases = frame(engine, "SELECT account_id, purchased_on, amount, referral_id FROM purchases")
    figures = referrals.summary(sent, events, purchases, start, end)
    day = f"BETWEEN '{period.start}' AND '{period.end}'"
    return {
        "sent": figures.sent,
        "referral_purchases": figures.referral_purchases,
        "referral_revenue": figures.referral_revenue,
        "referral_rate": figures.referral_rate,
        "new_customers": scalar(engine, f"SELECT COUNT(*) FROM accounts WHERE customer_since {day}"),
        "fulfilled": scalar(
            engine,
            f"SELECT COUNT(*) FROM reference_requests WHERE status = 'done' AND substr(fulfilled_at, 1, 10) {day}",
        ),
    }


def test_the_current_quarter_and_month_show_a_working_referral_program(seeded):
    engine, _ = seeded
    # 300 accounts: about 60 won in the last 700 days, half of them referred → ~30 referral purchases and
    # 30 ÷ 0.12 = 250 referrals over 700 days. Q4 to 18 Nov is 49 days: ~17 referrals sent, ~2 referred
    # purchases plus the newest customer; about 45 purchases in all (renewals, expansions, new customers).
    quarter = program_in(engine, "Quarter", AS_OF)
    assert 8 <= quarter["sent"] <= 35
    assert 2 <= quarter["referral_purchases"] <= 10
    assert quarter["referral_revenue"] > 0
    assert 0.02 <= quarter["referral_rate"] <= 0.25
    assert quarter["fulfilled"] >= 1
    # November to the 18th: ~6 referrals sent, the newest customer a referred one.
    month = program_in(engine, "Month", AS_OF)
    assert 2 <= month["sent"] <= 15
    assert month["referral_purchases"] >= 1 and month["referral_revenue"] > 0
    assert month["new_customers"] >= 2 and month["fulfilled"] >= 1


@pytest.mark.parametrize("as_of", [dt.date(2027, 1, 1), dt.date(2026, 12, 6)])
def test_even_a_period_one_day_old_shows_referrals_revenue_and_references(tmp_path, as_of):
    engine = make_engine(migrated_sqlite(tmp_path / "today.db"))
    demo.generate(engine, accounts=ACCOUNTS, as_of=as_of)
    try:
        for grain in ("Month", "Quarter", "Year"):
            figures = program_in(engine, grain, as_of)
            assert figures["sent"] >= 1, grain
            assert figures["referral_purchases"] >= 1 and figures["referral_revenue"] > 0, grain
            assert figures["new_customers"] >= 2 and figures["fulfilled"] >= 1, grain
    finally:
        engine.dispose()
