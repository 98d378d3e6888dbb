"""Foreign-shaped exports, as a CRM, a billing system, a product-analytics tool, a help desk and a telecom
workbook write them, taken from file to stored rows with import profiles only (no pre-processing), on
SQLite and PostgreSQL; and every template in assets/templates imports as it is."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from core import board, imports, proof
from db import imports as db_imports
from db import scoring
from db.engine import ROOT
from db.imports import cli
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads
from db.users import OPERATOR

# The work queue's generation is recorded, not run (tests/db/conftest.py).
pytestmark = pytest.mark.usefixtures("generations")

TEMPLATES = ROOT / "assets" / "templates"
ORDER = [
    "accounts",
    "contacts",
    "subscriptions",
    "usage",
    "usage_events",
    "surveys",
    "tickets",
    "milestones",
    "triggers",
    "outreach",
    "assets",
    "purchases",
    "spend",
    "referrals",
    "referral_events",
    "churn",
]


def rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def test_every_kind_has_a_template_that_imports_as_it_is(engine):
    assert sorted(ORDER) == sorted(imports.ENTITIES)
    for entity in ORDER:
        path = TEMPLATES / f"{entity}.csv"
        result = db_imports.run_import(engine, OPERATOR, path.read_bytes(), path.name, entity)
        assert result.problems.empty, (entity, result.problems.to_dict("records"))
        assert result.inserted > 0, entity
        header = path.read_text().splitlines()[0].split(",")
        assert header == [field.name for field in imports.entity_spec(entity).fields if field.stored], entity


# --- a B2B SaaS company's exports ------------------------------------------------------------------

COUNTRIES = ["US", "DE", "JP", "BR", "GB", "IN", "CA"]
TIERS = ["Basic", "Pro", "Enterprise"]
FIRST_DAY = dt.date(2024, 1, 1)


def saas_files(folder: Path, accounts: int = 40) -> dict[str, Path]:
    """accounts.csv (country, plan tier, an extra column), subscriptions.csv (per subscription, MRR or ARR,
    a return after a churn), feature_usage.csv (daily, per subscription and feature, with counts), tickets.csv
    (ISO date-times with a zone, blank satisfaction scores, 'priority' words) and churn_events.csv (accounts
    that churn, come back and churn again)."""
    rng = np.random.default_rng(7)
    lines = {name: [] for name in ("accounts", "subscriptions", "usage", "tickets", "churn")}
    lines["accounts"].append("account_id,account_name,industry,country,signup_date,plan_tier,referral_source")
    lines["subscriptions"].append(
        "subscription_id,account_id,start_date,end_date,plan_tier,seats,mrr_amount,arr_amount,billing_frequency"
    )
    lines["usage"].append("usage_id,subscription_id,usage_date,feature_name,usage_count,error_count")
    lines["tickets"].append(
        "ticket_id,account_id,submitted_at,closed_at,priority,satisfaction_score,escalation_flag"
    )
    lines["churn"].append("churn_event_id,account_id,churn_date,reason_code,refund_amount_usd")
    usage_id = ticket_id = 0
    for number in range(accounts):
        account = f"A-{number:04d}"
        signup = FIRST_DAY + dt.timedelta(days=int(rng.integers(0, 20)))
        tier = TIERS[number % 3]
        lines["accounts"].append(
            f"{account},Company {number},Software,{COUNTRIES[number % 7]},{signup},{tier},"
            f"{'partner' if number % 2 else 'organic'}"
        )
        churns = number % 5 == 0  # churns at week 20, returns at week 26, churns again at week 36
        first_end = signup + dt.timedelta(weeks=20) if churns else None
        amount = 100 * (1 + number % 3)
        lines["subscriptions"].append(
            f"S-{account}-1,{account},{signup},{first_end or ''},{tier},{5 + number % 4},{amount}.0,,monthly"
        )
        if churns:
            back = signup + dt.timedelta(weeks=26)
            lines["subscriptions"].append(f"S-{account}-2,{account},{back},,{tier},5,,{amount * 12}.0,annual")
            lines["churn"].append(f"C-{number}-1,{account},{first_end},budget,")
            lines["churn"].append(
                f"C-{number}-2,{account},{signup + dt.timedelta(weeks=36)},competitor,120.5"
            )
        for day in range(0, 7 * 40, 1 + number % 3):
            when = signup + dt.timedelta(days=day)
            active = not churns or day < 7 * 20 or 7 * 26 <= day < 7 * 36
            if not active:
                continue
            subscription = f"S-{account}-{1 if day < 7 * 26 or not churns else 2}"
            for feature in ("dashboard", "export")[: 1 + day % 2]:
                usage_id += 1
                count = "" if usage_id % 11 == 0 else f"{int(rng.integers(1, 6))}.0"
                lines["usage"].append(f"U{usage_id},{subscription},{when},{feature},{count},0")
        for week in range(0, 40, 9):
            ticket_id += 1
            opened = dt.datetime.combine(signup + dt.timedelta(weeks=week), dt.time(9, 30))
            closed = (opened + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ") if week < 36 else ""
            score = "" if ticket_id % 3 == 0 else str(1 + ticket_id % 5)
            lines["tickets"].append(
                f"T{ticket_id},{account},{opened:%Y-%m-%dT%H:%M:%SZ},{closed},"
                f"{['low', 'medium', 'high', 'urgent'][ticket_id % 4]},{score},{'True' if ticket_id % 7 == 0 else 'False'}"
            )
    paths = {}
    for name, content in lines.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text("\n".join(content) + "\n")
    return paths


# The CRM's plan tiers as segments: the one value map these exports need by hand.
TIER_SEGMENTS = [
    "--map",
    "plan_tier=segment",
    "--value",
    "segment:Basic=SMB",
    "--value",
    "segment:Pro=Mid-Market",
]


def run(*arguments: str) -> int:
    return cli.main([str(argument) for argument in arguments])


def test_saas_exports_load_with_profiles_only(engine, database_url, tmp_path, capsys):
    files = saas_files(tmp_path)
    url = ["--url", database_url]
    first_time = {
        "accounts": ["accounts", files["accounts"], *url, *TIER_SEGMENTS, "--save-profile", "crm accounts"],
        "subscriptions": ["subscriptions", files["subscriptions"], *url, "--save-profile", "billing"],
        "usage": ["usage_events", files["usage"], *url, "--save-profile", "product events"],
        "tickets": ["tickets", files["tickets"], *url, "--save-profile", "help desk tickets"],
        "csat": [
            "surveys",
            files["tickets"],
            *url,
            "--map",
            "ticket_id=external_id",
            "--map",
            "submitted_at=responded_on",
            "--set",
            "kind=csat",
            "--save-profile",
            "help desk csat",
        ],
        "churn": ["churn", files["churn"], *url, "--save-profile", "churn events"],
    }
    for step, arguments in first_time.items():
        assert run(*arguments) == 0, (step, capsys.readouterr())
    output = capsys.readouterr().out
    assert (
        "Note: 66 rows skipped: no score." in output
    )  # every third of 200 tickets had no satisfaction score
    assert "  country → Region (matched by name)" in output
    assert "  value: Region 'JP' means 'APAC' (suggested)" in output
    assert "  referral_source → custom attribute 'referral_source'" in output

    assert rows(
        engine, "SELECT region, segment, COUNT(*) FROM accounts GROUP BY region, segment ORDER BY 1, 2"
    )[:2] == [
        ("APAC", "Enterprise", 4),  # n ≡ 2 or 5 (mod 7) and n ≡ 2 (mod 3): 2, 5, 23, 26
        ("APAC", "Mid-Market", 3),
    ]
    # Subscriptions set ARR (MRR × 12 or ARR), seats and the renewal from what runs today.
    assert rows(engine, "SELECT arr, seats_purchased FROM accounts WHERE external_id = 'A-0001'") == [
        (2400.0, 6)
    ]
    assert rows(engine, "SELECT arr, seats_purchased FROM accounts WHERE external_id = 'A-0000'") == [
        (1200.0, 5)
    ]
    # Repeat churn: two events for each fifth account.
    assert rows(engine, "SELECT COUNT(*), COUNT(DISTINCT account_id) FROM churn_events") == [(16, 8)]
    # Events became weekly usage: logins count events (a blank count is one event).
    weeks = rows(engine, "SELECT COUNT(*), SUM(logins) FROM usage_weekly")
    assert weeks[0][0] > 0
    assert rows(engine, "SELECT COUNT(*) FROM tickets WHERE severity IS NULL") == [(0,)]
    assert rows(engine, "SELECT kind, COUNT(*) FROM survey_responses GROUP BY kind") == [("csat", 134)]

    # The next month's files: profiles only, and nothing changes when nothing changed.
    again = {
        "accounts": ["accounts", files["accounts"], *url, "--profile", "crm accounts"],
        "subscriptions": ["subscriptions", files["subscriptions"], *url, "--profile", "billing"],
        "usage": ["usage_events", files["usage"], *url, "--profile", "product events"],
        "tickets": ["tickets", files["tickets"], *url, "--profile", "help desk tickets"],
        "csat": ["surveys", files["tickets"], *url, "--profile", "help desk csat"],
        "churn": ["churn", files["churn"], *url, "--profile", "churn events"],
    }
    for step, arguments in again.items():
        assert run(*arguments) == 0, step
        assert " 0 inserted, 0 updated, " in capsys.readouterr().out, step


# --- a telecom customer workbook: one row per customer, no dates ------------------------------------


def telecom_workbook(customers: int = 30) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "CustomerID",
            "Country",
            "Gender",
            "Senior Citizen",
            "Tenure Months",
            "Contract",
            "Monthly Charges",
            "Total Charges",
            "Churn Label",
            "Churn Value",
            "Churn Score",
            "Churn Reason",
        ]
    )
    for number in range(customers):
        churned = number % 4 == 0
        sheet.append(
            [
                f"{7000 + number}-TEL",
                "United States",
                "Female" if number % 2 else "Male",
                "Yes" if number % 5 == 0 else "No",
                number % 72,
                ["Month-to-month", "One year", "Two year"][number % 3],
                20.5 + number,
                None if number == 3 else 20.5 * (number % 72),
                "Yes" if churned else "No",
                1 if churned else 0,
                90 if churned else 30,
                "Competitor offered more" if churned else None,
            ]
        )
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def test_a_one_row_per_customer_workbook_keeps_its_columns_and_its_churn(
    engine, database_url, tmp_path, capsys
):
    path = tmp_path / "Telco_customer_churn.xlsx"
    path.write_bytes(telecom_workbook())
    url = ["--url", database_url]
    assert run("accounts", path, *url, "--save-profile", "telco customers") == 0
    assert (
        run(
            "churn",
            path,
            *url,
            "--map",
            "Churn Value=",
            "--set",
            "churned_on=2024-12-31",
            "--save-profile",
            "telco churn",
        )
        == 0
    )
    output = capsys.readouterr().out
    assert "Note: 22 rows skipped: not churned." in output
    assert rows(engine, "SELECT COUNT(*), MIN(name), MAX(region) FROM accounts") == [
        (30, "7000-TEL", "North America")
    ]
    assert rows(engine, "SELECT arr, customer_since FROM accounts WHERE external_id = '7001-TEL'") == [
        (None, None)
    ]
    kinds = dict(rows(engine, "SELECT name, kind FROM custom_attributes"))
    assert kinds == {
        "Gender": "text",
        "Senior Citizen": "bool",
        "Tenure Months": "number",
        "Contract": "text",
        "Monthly Charges": "number",
        "Total Charges": "number",
        "Churn Label": "bool",
        "Churn Value": "number",
        "Churn Score": "number",
        "Churn Reason": "text",
    }
    tenure = rows(
        engine,
        "SELECT v.number_value FROM account_attributes v JOIN accounts a ON a.id = v.account_id "
        "WHERE v.name = 'Tenure Months' AND a.external_id = '7005-TEL'",
    )
    assert tenure == [(5.0,)]
    # A blank cell is unknown: no value stored.
    assert rows(
        engine,
        "SELECT COUNT(*) FROM account_attributes v JOIN accounts a ON a.id = v.account_id "
        "WHERE v.name = 'Total Charges' AND a.external_id = '7003-TEL'",
    ) == [(0,)]
    assert rows(engine, "SELECT COUNT(*), MIN(churned_on), MIN(reason) FROM churn_events") == [
        (
            8,
            dt.date(2024, 12, 31) if "postgresql" in database_url else "2024-12-31",
            "Competitor offered more",
        )
    ]
    assert run("churn", path, *url, "--profile", "telco churn") == 0
    assert " 0 inserted, 0 updated, 8 unchanged." in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["text", "number"])
def test_an_attribute_keeps_its_kind(engine, tmp_path, kind):
    first = b"id,name,Plan\nA,Alpha,12\n"
    result = db_imports.run_import(engine, OPERATOR, first, "a.csv", "accounts")
    assert result.problems.empty
    later = b"id,name,Plan\nB,Beta,Gold\n" if kind == "number" else b"id,name,Plan\nB,Beta,7\n"
    result = db_imports.run_import(engine, OPERATOR, later, "b.csv", "accounts")
    if kind == "number":
        assert result.problems.to_numpy().tolist() == [
            [2, "Plan", "Gold", "not a number: custom attribute 'Plan' holds a number"]
        ]
    else:
        assert result.problems.empty


def test_saas_exports_reach_scored_weeks_and_a_backtest(engine, database_url, tmp_path, capsys):
    files = saas_files(tmp_path)
    url = ["--url", database_url]
    assert run("accounts", files["accounts"], *url, *TIER_SEGMENTS) == 0
    assert scoring.why_not_scored(engine) == "No usage imported yet: import usage or usage events first."
    for kind, name in (("subscriptions", "subscriptions"), ("usage_events", "usage"), ("tickets", "tickets")):
        assert run(kind, files[name], *url) == 0
    assert run("churn", files["churn"], *url) == 0
    capsys.readouterr()

    report = scoring.score_book(engine, today=dt.date(2026, 12, 6))
    assert report.new > 20 and report.rescored == 0
    assert scoring.why_not_scored(engine, dt.date(2026, 12, 6)) is None

    # The week of 15 July 2024: every account that churned in May or June came back by 20 July (a new
    # subscription), so all 40 are scored, and those 8 churn again in September, inside 90 days.
    week = dt.date(2024, 7, 15)
    settings = settings_reads.load_settings(engine)
    scored = board.board_table(account_reads.board(engine, week), settings, week + dt.timedelta(days=6))
    assert len(scored) == 40
    end = week + dt.timedelta(days=6)
    result = proof.prove(scored, account_reads.churned_between(engine, end, end + dt.timedelta(days=90)))
    assert (result.accounts, result.churned) == (40, 8)
    assert result.auc is not None and 0.0 <= result.auc <= 1.0

    # A ticket imported later marks the scored weeks from its day on, and only those are rescored.
    late = tmp_path / "late_ticket.csv"
    late.write_text("ticket_id,account_id,submitted_at,priority\nT-late,A-0001,2024-08-01T10:00:00Z,urgent\n")
    assert run("tickets", late, *url) == 0
    weeks_after = sum(
        1
        for week in scoring.scorable_weeks(engine, dt.date(2026, 12, 6))
        if week + dt.timedelta(days=6) >= dt.date(2024, 8, 1)
    )
    again = scoring.score_book(engine, today=dt.date(2026, 12, 6))
    assert (again.new, again.rescored) == (0, weeks_after)
    assert again.sentence() == f"Scored 0 new weeks; rescored {weeks_after} weeks changed by imports."
