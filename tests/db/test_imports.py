"""The import engine against SQLite and PostgreSQL: upserts, all-or-nothing, audit, roles, export, command line."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import String, func, select

from core import imports
from db import demo, service
from db import imports as db_imports
from db.engine import transaction
from db.imports import cli, store
from db.models import Account, Advocate, AdvocateStageChange, AuditLog, Base, UsageWeekly
from db.users import OPERATOR
from tests.db.factories import add_user, build_book

# The work queue's generation is recorded, not run (tests/db/conftest.py).
pytestmark = pytest.mark.usefixtures("generations")

FILES = {
    "accounts": """\
External id,Name,Industry,Segment,Region,Product,Employees,ARR,Seats purchased,Customer since,Renewal date,Owner
ACC-10,=cmd(),Retail,Enterprise,EMEA,Analytics,250,120000.5,80,2025-03-01,2027-03-01,amy
ACC-11,Beta <b>GmbH</b>,Software,smb,APAC,Automation,12,0,5,2026-01-15,2027-01-15,
""",
    "contacts": """\
external_id,account,name,email,title,relationship_strength,left_company_on
CON-10,ACC-10,Kim,kim@x.example,CTO,4,
CON-11,ACC-11,Lee,,,,2026-06-30
""",
    "usage": """\
account;week_start;active_users;logins;key_feature_events;seats_used
ACC-10;2026-11-09;20;90;40;30
ACC-10;2026-11-16;22;95;41;31
""",
    "surveys": """\
external_id,account,contact,kind,score,responded_on,comment
S-1,ACC-10,CON-10,NPS,9,2026-05-01,"Great, really"
S-2,ACC-11,,csat,4,2026-05-02,
""",
    "tickets": """\
external_id,account,opened_at,closed_at,severity,category,sla_breached,escalated
T-1,ACC-10,2026-05-01 09:30,2026-05-02 10:00:00,high,billing,yes,no
T-2,ACC-11,2026-05-03T08:00,,low,how_to,,
""",
    "milestones": """\
external_id,account,name,planned_on,achieved_on
M-1,ACC-10,Go live,2026-02-01,2026-01-28
M-2,ACC-11,Rollout,2026-09-01,
""",
    "triggers": """\
external_id,account,contact,kind,occurred_on,note
TR-1,ACC-10,CON-10,positive_feedback,2026-04-01,Praised the rollout
""",
    "outreach": """\
external_id,contact,purpose,channel,owner_role,owner,follow_up_number,sent_on,responded_on,outcome
O-1,CON-10,reference,email,csm,amy,1,2026-05-01,2026-05-03,agreed
O-2,CON-10,reference,phone,csm,,0,2026-04-20,,no_response
""",
    "assets": """\
external_id,title,asset_type,account,contact,summary,quote,company_size,region,approval_status,published_on,review_by,url,industries,products
AS-1,Kim's story,case_study,ACC-10,CON-10,How Kim did it,"We ship, faster",Enterprise,EMEA,approved,2026-05-10,2027-05-10,https://x.example/1,Retail;Software,Analytics
""",
    "referrals": """\
code,advocate contact,referred_company,campaign,created_on
REF-A,CON-10,Prospect Co,always-on,2026-05-15
REF-B,CON-11,Other Co,summit-vip,2026-05-20
""",
    "referral_events": """\
external_id,referral,event,occurred_at
EV-1,REF-A,email_sent,2026-05-15 10:00
EV-2,REF-A,opened,2026-05-16 08:00:00
""",
    "purchases": """\
external_id,account,purchased_on,amount,referral
P-1,ACC-10,2026-06-01,5000,REF-A
P-2,ACC-11,2026-06-02,99.99,
""",
    "spend": """\
month,channel,amount
2026-05-01,events,1000
2026-05-01,paid_search,2500.5
""",
    "churn": """\
account,churned_on,reason,arr_lost
ACC-11,2026-10-01,budget cut,0
""",
}

SNAPSHOT_TABLES = (
    *db_imports.ENTITY_TABLES.values(),
    "advocates",
    "advocate_stage_changes",
    "asset_industries",
    "asset_products",
)


@pytest.fixture
def book(engine) -> int:
    """build_book's accounts ACC-1..3 and their owner amy; returns amy's id."""
    owner = build_book(engine)
    demo.reset_sequences(engine)  # build_book gives explicit ids, which PostgreSQL's id sequences do not see
    return owner


def load(engine, entity: str, text: str | None = None, **kwargs) -> db_imports.ImportResult:
    data = (FILES[entity] if text is None else text).encode()
    return db_imports.run_import(engine, OPERATOR, data, f"{entity}.csv", entity, **kwargs)


def rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def typed(engine, table: str, *columns: str, order: str = "id", account_id: int | None = None) -> list[tuple]:
    """Rows of table as SQLAlchemy types them (dates as dates on both backends), of one account or all."""
    model = Base.metadata.tables[table]
    with engine.connect() as connection:
        query = select(*(model.c[c] for c in columns)).order_by(model.c[order])
        if account_id is not None:
            query = query.where(model.c.account_id == account_id)
        return [tuple(row) for row in connection.execute(query)]


def snapshot(engine) -> dict[str, pd.DataFrame]:
    frames = {}
    with engine.connect() as connection:
        for name in SNAPSHOT_TABLES:
            table = Base.metadata.tables[name]
            frames[name] = pd.read_sql(select(table).order_by(*table.primary_key.columns), connection)
    return frames


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }


def import_all(engine) -> dict[str, db_imports.ImportResult]:
    results = {}
    for entity in FILES:
        results[entity] = load(engine, entity)
        assert results[entity].problems.empty, (entity, results[entity].problems.to_dict("records"))
    return results


def test_every_entity_stores_exactly_its_rows_and_a_second_import_changes_nothing(engine, book, generations):
    amy = book
    results = import_all(engine)
    assert generations == [engine] * len(FILES)
    assert {entity: (r.rows, r.inserted, r.updated, r.unchanged) for entity, r in results.items()} == {
        entity: (text.count("\n") - 1, text.count("\n") - 1, 0, 0) for entity, text in FILES.items()
    }
    ids = dict(rows(engine, "SELECT external_id, id FROM accounts"))
    contacts = dict(rows(engine, "SELECT external_id, id FROM contacts"))
    assert typed(
        engine, "accounts", "external_id", "name", "segment", "region", "employees", "arr", "owner_id"
    )[3:] == [
        ("ACC-10", "=cmd()", "Enterprise", "EMEA", 250, 120000.5, amy),
        ("ACC-11", "Beta <b>GmbH</b>", "SMB", "APAC", 12, 0.0, None),
    ]
    assert typed(engine, "accounts", "customer_since", "renewal_date")[3] == (
        dt.date(2025, 3, 1),
        dt.date(2027, 3, 1),
    )
    assert typed(
        engine,
        "contacts",
        "external_id",
        "account_id",
        "email",
        "title",
        "relationship_strength",
        "left_company_on",
    ) == [
        ("CON-10", ids["ACC-10"], "kim@x.example", "CTO", 4, None),
        ("CON-11", ids["ACC-11"], "", "", None, dt.date(2026, 6, 30)),
    ]
    assert typed(
        engine,
        "usage_weekly",
        "week_start",
        "active_users",
        "logins",
        "key_feature_events",
        "seats_used",
        order="week_start",
        account_id=ids["ACC-10"],
    ) == [
        (dt.date(2026, 11, 9), 20, 90, 40, 30),
        (dt.date(2026, 11, 16), 22, 95, 41, 31),
    ]
    surveys = typed(
        engine,
        "survey_responses",
        "external_id",
        "account_id",
        "contact_id",
        "kind",
        "score",
        "responded_on",
        "comment",
    )
    assert surveys[-2:] == [
        ("S-1", ids["ACC-10"], contacts["CON-10"], "nps", 9, dt.date(2026, 5, 1), "Great, really"),
        ("S-2", ids["ACC-11"], None, "csat", 4, dt.date(2026, 5, 2), None),
    ]
    tickets = typed(
        engine,
        "tickets",
        "external_id",
        "opened_at",
        "closed_at",
        "severity",
        "category",
        "sla_breached",
        "escalated",
    )
    assert tickets[-2:] == [
        ("T-1", dt.datetime(2026, 5, 1, 9, 30), dt.datetime(2026, 5, 2, 10), "high", "billing", True, False),
        ("T-2", dt.datetime(2026, 5, 3, 8), None, "low", "how_to", False, False),
    ]
    assert typed(engine, "milestones", "external_id", "name", "planned_on", "achieved_on")[-2:] == [
        ("M-1", "Go live", dt.date(2026, 2, 1), dt.date(2026, 1, 28)),
        ("M-2", "Rollout", dt.date(2026, 9, 1), None),
    ]
    assert typed(
        engine,
        "engagement_triggers",
        "external_id",
        "contact_id",
        "kind",
        "occurred_on",
        "note",
        "recorded_by",
    ) == [("TR-1", contacts["CON-10"], "positive_feedback", dt.date(2026, 4, 1), "Praised the rollout", None)]
    advocates = typed(engine, "advocates", "contact_id", "account_id", "stage", "stage_changed_at")
    assert advocates == [
        (contacts["CON-10"], ids["ACC-10"], "asked", dt.datetime(2026, 4, 20)),
        (contacts["CON-11"], ids["ACC-11"], "agreed", dt.datetime(2026, 5, 20)),
    ]
    kim, lee = (advocate for (advocate,) in rows(engine, "SELECT id FROM advocates ORDER BY id"))
    assert typed(engine, "advocate_stage_changes", "advocate_id", "from_stage", "to_stage", "changed_at") == [
        (kim, None, "asked", dt.datetime(2026, 4, 20)),
        (lee, None, "agreed", dt.datetime(2026, 5, 20)),
    ]
    assert typed(
        engine,
        "outreach_attempts",
        "external_id",
        "advocate_id",
        "channel",
        "owner_id",
        "follow_up_number",
        "sent_on",
        "responded_on",
        "outcome",
    ) == [
        ("O-1", kim, "email", amy, 1, dt.date(2026, 5, 1), dt.date(2026, 5, 3), "agreed"),
        ("O-2", kim, "phone", None, 0, dt.date(2026, 4, 20), None, "no_response"),
    ]
    asset = typed(
        engine,
        "assets",
        "id",
        "title",
        "account_id",
        "contact_id",
        "quote",
        "company_size",
        "review_by",
        "url",
        "version",
    )
    [(asset_id, *stored)] = asset
    assert stored == [
        "Kim's story",
        ids["ACC-10"],
        contacts["CON-10"],
        "We ship, faster",
        "Enterprise",
        dt.date(2027, 5, 10),
        "https://x.example/1",
        1,
    ]
    assert rows(engine, "SELECT asset_id, industry FROM asset_industries ORDER BY industry") == [
        (asset_id, "Retail"),
        (asset_id, "Software"),
    ]
    assert rows(engine, "SELECT asset_id, product FROM asset_products") == [(asset_id, "Analytics")]
    referrals = dict(rows(engine, "SELECT code, id FROM referrals"))
    assert typed(
        engine, "referrals", "code", "advocate_id", "referred_company", "campaign", "created_on"
    ) == [
        ("REF-A", kim, "Prospect Co", "always-on", dt.date(2026, 5, 15)),
        ("REF-B", lee, "Other Co", "summit-vip", dt.date(2026, 5, 20)),
    ]
    assert typed(engine, "referral_events", "external_id", "referral_id", "event", "occurred_at") == [
        ("EV-1", referrals["REF-A"], "email_sent", dt.datetime(2026, 5, 15, 10)),
        ("EV-2", referrals["REF-A"], "opened", dt.datetime(2026, 5, 16, 8)),
    ]
    assert typed(
        engine, "purchases", "external_id", "account_id", "purchased_on", "amount", "referral_id"
    ) == [
        ("P-1", ids["ACC-10"], dt.date(2026, 6, 1), 5000.0, referrals["REF-A"]),
        ("P-2", ids["ACC-11"], dt.date(2026, 6, 2), 99.99, None),
    ]
    assert typed(engine, "acquisition_spend", "month", "channel", "amount") == [
        (dt.date(2026, 5, 1), "events", 1000.0),
        (dt.date(2026, 5, 1), "paid_search", 2500.5),
    ]
    assert typed(engine, "churn_events", "account_id", "churned_on", "reason", "arr_lost")[-1] == (
        ids["ACC-11"],
        dt.date(2026, 10, 1),
        "budget cut",
        0.0,
    )

    before = snapshot(engine)
    again = import_all(engine)
    assert {entity: (r.inserted, r.updated, r.unchanged) for entity, r in again.items()} == {
        entity: (0, 0, r.rows) for entity, r in results.items()
    }
    assert generations == [engine] * len(FILES)  # an import that changed nothing leaves the work queue alone
    after = snapshot(engine)
    for name in SNAPSHOT_TABLES:
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)


def test_an_update_changes_only_the_changed_row(engine, book):
    load(engine, "accounts")
    before = typed(engine, "accounts", "external_id", "name", "arr", "employees")
    changed = FILES["accounts"].replace("12,0,5,2026-01-15", "12,350.25,5,2026-01-15")
    result = load(engine, "accounts", changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    after = typed(engine, "accounts", "external_id", "name", "arr", "employees")
    assert after[:-1] == before[:-1]
    assert after[-1] == ("ACC-11", "Beta <b>GmbH</b>", 350.25, 12)


def test_an_asset_whose_tags_change_is_updated_and_its_version_moves(engine, book):
    import_all(engine)
    retagged = FILES["assets"].replace("Retail;Software,Analytics", "Healthcare,Analytics")
    result = load(engine, "assets", retagged)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    assert rows(engine, "SELECT industry FROM asset_industries") == [("Healthcare",)]
    assert rows(engine, "SELECT product FROM asset_products") == [("Analytics",)]
    assert rows(engine, "SELECT version FROM assets") == [(2,)]
    retitled = retagged.replace("Kim's story", "Kim's new story")
    result = load(engine, "assets", retitled)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    assert rows(engine, "SELECT title, version FROM assets") == [("Kim's new story", 3)]


def test_a_file_with_one_bad_row_stores_nothing_and_lists_that_row(engine, book):
    load(engine, "accounts")
    load(engine, "contacts")
    before = counts(engine)
    bad = FILES["surveys"] + "S-3,ACC-10,,csat,6,2026-05-03,\nS-4,ACC-10,,nps,10,2026-05-04,\n"
    result = load(engine, "surveys", bad)
    assert result.problems.to_dict("records") == [
        {
            "row": 4,
            "column": "score",
            "value": "6",
            "problem": "CSAT score must be a whole number from 1 to 5",
        }
    ]
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (4, 0, 0, 0)
    assert counts(engine) == before


def test_the_import_is_audited(engine, book):
    load(engine, "accounts")
    result = load(engine, "usage")
    with transaction(engine) as session:
        row = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (row.username, row.action, row.entity, row.entity_id) == (
        "command-line",
        "import_data",
        "usage",
        None,
    )
    assert json.loads(row.after) == {
        "file": "usage.csv",
        "rows": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "notes": [],
    }
    assert result.problems.empty


@pytest.mark.parametrize("role", ["account_manager", "marketing", "sales"])
def test_only_admins_import(engine, book, role):
    actor = service.Actor(id=add_user(engine, "eve", role), username="eve", name="Eve", role=role)
    before = counts(engine)
    with pytest.raises(service.PermissionDenied, match=f"Role '{role}' may not import data"):
        db_imports.run_import(engine, actor, FILES["accounts"].encode(), "a.csv", "accounts")
    assert counts(engine) == before


def usage_file(*lines: str) -> str:
    return "account,week_start,active_users,logins,key_feature_events,seats_used\n" + "".join(
        f"{line}\n" for line in lines
    )


def test_progress_rises_chunk_by_chunk_and_mixed_chunks_count_right(engine, book, monkeypatch):
    monkeypatch.setattr(store, "CHUNK_ROWS", 2)
    weeks = ("2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25", "2027-02-01")
    calls: list[tuple[int, int]] = []
    first = usage_file(*(f"ACC-1,{week},1,2,3,4" for week in weeks))
    result = load(engine, "usage", first, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert (result.inserted, result.updated, result.unchanged) == (5, 0, 0)
    # A new chunk first (stored straight away), then chunks holding stored weeks (through staging).
    second = usage_file(
        "ACC-2,2027-01-04,1,1,1,1",
        "ACC-2,2027-01-11,1,1,1,1",
        "ACC-1,2027-01-04,9,2,3,4",
        "ACC-1,2027-01-11,1,2,3,4",
        "ACC-2,2027-01-18,1,1,1,1",
    )
    result = load(engine, "usage", second)
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (5, 3, 1, 1)
    with engine.connect() as connection:
        stored = connection.execute(
            select(UsageWeekly.account_id, UsageWeekly.week_start, UsageWeekly.active_users)
            .where(UsageWeekly.week_start >= dt.date(2027, 1, 1))
            .order_by(UsageWeekly.account_id, UsageWeekly.week_start)
        ).all()
    assert [tuple(row) for row in stored] == [
        (1, dt.date(2027, 1, 4), 9),
        (1, dt.date(2027, 1, 11), 1),
        (1, dt.date(2027, 1, 18), 1),
        (1, dt.date(2027, 1, 25), 1),
        (1, dt.date(2027, 2, 1), 1),
        (2, dt.date(2027, 1, 4), 1),
        (2, dt.date(2027, 1, 11), 1),
        (2, dt.date(2027, 1, 18), 1),
    ]


def test_plan_previews_without_writing(engine, book):
    before = counts(engine)
    plan = db_imports.plan(engine, FILES["usage"].replace("ACC-10", "ACC-1").encode(), "u.csv", "usage")
    assert plan.columns == list(plan.mapping.columns)
    assert plan.mapping.columns["week_start"] == "week_start"
    assert plan.rows == 2
    assert plan.values["account"].to_dict() == {"ACC-1": 2}
    assert plan.checked.ok
    assert plan.checked.rows["account_id"].tolist() == [1, 1]
    custom = db_imports.plan(
        engine, FILES["usage"].encode(), "u.csv", "usage", imports.Mapping({"account": "account"})
    ).checked
    assert custom.problems.iloc[0].tolist() == [
        0,
        "Week start",
        "",
        "required: no column of the file is mapped to it",
    ]
    assert counts(engine) == before


def test_a_plan_keeps_only_the_first_rows_of_a_large_file(engine, book):
    lines = "\n".join(
        f"ACC-1,{week:%Y-%m-%d},3" for week in pd.date_range("2027-01-04", periods=30, freq="7D")
    )
    plan = db_imports.plan(engine, ("account,week_start,active_users\n" + lines).encode(), "u.csv", "usage")
    assert (plan.rows, plan.checked_rows, len(plan.checked.rows)) == (30, 30, 20)
    assert plan.values["active_users"].to_dict() == {"3": 30}


def test_export_neutralises_formulas_and_leaves_out_password_hashes(engine, book):
    load(engine, "accounts")
    accounts = db_imports.export_table(engine, "accounts").decode("utf-8-sig")
    assert "'=cmd()" in accounts
    assert ",=cmd()" not in accounts
    assert accounts.splitlines()[0].startswith("id,external_id,name,industry")
    users = db_imports.export_table(engine, "users").decode("utf-8-sig")
    assert (
        users.splitlines()[0] == "id,username,name,email,role,disabled,sessions_valid_from,created_at,version"
    )
    assert "password" not in users
    assert "login_failures" not in db_imports.TABLES
    assert set(db_imports.TABLES) == set(Base.metadata.tables) - {"login_failures"}
    with pytest.raises(ValueError, match="'login_failures' is not one of the exportable tables"):
        db_imports.export_table(engine, "login_failures")


def test_text_lengths_match_the_schema():
    for entity, spec in imports.ENTITIES.items():
        table = Base.metadata.tables[db_imports.ENTITY_TABLES[entity]]
        for field in spec.fields:
            if (
                field.kind == "text"
                and field.name in table.c
                and isinstance(table.c[field.name].type, String)
                and table.c[field.name].type.length
            ):
                assert field.max_length == table.c[field.name].type.length, (entity, field.name)


def test_advocates_created_by_outreach_are_not_duplicated(engine, book):
    for entity in ("accounts", "contacts", "outreach", "referrals"):
        load(engine, entity)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Advocate)) == 2
        assert session.scalar(select(func.count()).select_from(AdvocateStageChange)) == 2
        assert session.scalar(select(func.count()).select_from(Account)) == 5


def test_a_chunk_that_meets_a_stored_key_midway_keeps_no_row_twice(engine, book):
    load(engine, "usage", usage_file("ACC-1,2027-01-04,1,2,3,4"))
    # In key order the new week comes first: it is stored before the stored week stops the straight insert.
    result = load(engine, "usage", usage_file("ACC-1,2027-01-04,5,2,3,4", "ACC-1,2026-12-28,1,2,3,4"))
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    with engine.connect() as connection:
        stored = connection.execute(
            select(UsageWeekly.week_start, UsageWeekly.active_users)
            .where(UsageWeekly.account_id == 1, UsageWeekly.week_start >= dt.date(2026, 12, 1))
            .order_by(UsageWeekly.week_start)
        ).all()
    assert [tuple(row) for row in stored] == [(dt.date(2026, 12, 28), 1), (dt.date(2027, 1, 4), 5)]


def test_a_checked_import_reports_what_it_would_do_and_writes_nothing(
    engine, book, database_url, tmp_path, capsys
):
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "ticket_id,account_id,submitted_at,priority,satisfaction_score\n"
        "T-1,ACC-1,2026-11-02T09:30:00Z,P1,5\n"
        "T-2,ACC-1,2026-11-03 10:00:00,normal,\n"
    )
    before = counts(engine)
    arguments = ["tickets", str(tickets), "--url", database_url, "--value", "severity:P1=urgent"]
    assert cli.main([*arguments, "--value", "severity:normal=medium", "--check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  satisfaction_score → ignored" in out
    assert "  value: Severity 'P1' means 'urgent'" in out
    assert out[-1] == (
        f"Would import 2 tickets rows from {tickets}: 2 inserted, 0 updated, 0 unchanged. "
        "Nothing was written (--check)."
    )
    assert counts(engine) == before

    surveys = [
        "surveys",
        str(tickets),
        "--url",
        database_url,
        "--set",
        "kind=csat",
        "--map",
        "submitted_at=responded_on",
    ]
    assert cli.main([*surveys, "--map", "ticket_id=external_id", "--save-profile", "Zendesk CSAT"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [
        "Note: 1 row skipped: no score.",
        f"Imported 1 surveys rows from {tickets}: 1 inserted, 0 updated, 0 unchanged.",
        "Saved the mapping as import profile 'Zendesk CSAT'.",
    ]
    assert rows(
        engine, "SELECT external_id, kind, score FROM survey_responses WHERE external_id = 'T-1'"
    ) == [("T-1", "csat", 5)]
    # The profile carries the column choices and the constant to the next file of that shape.
    assert cli.main(["surveys", str(tickets), "--url", database_url, "--profile", "Zendesk CSAT"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"Imported 1 surveys rows from {tickets}: 0 inserted, 0 updated, 1 unchanged."
    )
    (tmp_path / "other.csv").write_text("id,score\nX,5\n")
    assert (
        cli.main(["surveys", str(tmp_path / "other.csv"), "--url", database_url, "--profile", "Zendesk CSAT"])
        == 2
    )
    assert (
        "The profile does not fit this file: it has no column 'ticket_id', 'account_id', 'submitted_at', 'satisfaction_score'."
        in capsys.readouterr().err
    )


def test_a_file_without_an_optional_column_leaves_its_stored_values_alone(engine, book):
    load(engine, "accounts")
    load(engine, "contacts")
    before = rows(engine, "SELECT external_id, email, title FROM contacts WHERE external_id = 'CON-10'")
    assert before[0][1]  # stored from the full file
    names_only = "external_id,account,name\nCON-10,ACC-10,Renamed\nCON-99,ACC-10,New person\n"
    result = load(engine, "contacts", names_only)
    assert (result.inserted, result.updated) == (1, 1)
    assert rows(
        engine,
        "SELECT external_id, name, email, title FROM contacts WHERE external_id IN ('CON-10', 'CON-99') ORDER BY 1",
    ) == [
        ("CON-10", "Renamed", before[0][1], before[0][2]),
        ("CON-99", "New person", "", ""),
    ]
