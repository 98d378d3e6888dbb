"""The Program KPIs, Referral program and Weekly review pages, driven through AppTest on one small hand-made
database whose every number is worked out by hand below.

The KPI and referral pages pick periods relative to today, so their rows sit in MONTH (the last full calendar
month) and BEFORE (the month before it), whatever day the tests run. The weekly review works on the scored weeks,
so its rows sit in two fixed weeks of June 2025 (LAST_WEEK, THIS_WEEK) whose health snapshots are stored by hand;
nothing of theirs falls in MONTH or BEFORE.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pandas as pd
import pytest
from sqlalchemy import Engine, select, update
from streamlit.testing.v1 import AppTest

from core import kpis, periods, weekly
from db import scoring
from db.engine import make_engine, transaction
from db.models import (
    AcquisitionSpend,
    Advocate,
    AssetUsage,
    AuditLog,
    ChurnEvent,
    HealthSnapshot,
    Purchase,
    ReferralEvent,
    Setting,
)
from db.reads import settings as settings_reads
from tests.builders import (
    ask,
    asset,
    contact,
    reference_request,
    referral,
    referral_event,
    snapshot,
    stage_change,
    survey,
)
from tests.db.factories import account, add_user
from tests.pages.conftest import database_at, log_in
from ui import data, weekly_report

TODAY = dt.date.today()
MONTH, BEFORE = periods.recent("Month", TODAY, 3)[1:]
DAYS = MONTH.days
LAST_WEEK, THIS_WEEK = dt.date(2025, 6, 2), dt.date(2025, 6, 9)


def on(period: periods.Period, day: int) -> dt.date:
    """The period's day-th day (1 = its first)."""
    return period.start + dt.timedelta(days=day - 1)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def events(referral_id: int, *steps: tuple[str, dt.date]) -> list[ReferralEvent]:
    return [referral_event(referral_id=referral_id, event=event, occurred_at=at(day)) for event, day in steps]


def snapshots(week: dt.date, weights: str, subs: dict[int, tuple[float, ...]]) -> list[HealthSnapshot]:
    """Stored sub-scores (usage, outcomes, utilisation, feedback, support); the page recombines them."""
    return [
        snapshot(
            account_id=account_id,
            week_start=week,
            score=None,
            usage=usage,
            outcomes=outcomes,
            utilisation=utilisation,
            feedback=feedback,
            support=support,
            weights_key=weights,
            computed_at=dt.datetime(2025, 6, 20, 6),
        )
        for account_id, (usage, outcomes, utilisation, feedback, support) in subs.items()
    ]


def build_program(engine: Engine) -> int:
    """Accounts 1 and 2 (Amy's), 3 (Otto's), 4 (new in MONTH, referred) and 5 (churned in MONTH); advocates
    Pat (1, reference-ready, code PAT-1), Dee (2, agreed), Olga (3, agreed, Otto's book), Nina (2, asked) and Wes
    (5, asked); surveys, purchases, spend, outreach, requests, referrals and two scored weeks. Returns Amy's id."""
    amy = add_user(engine)
    otto = add_user(engine, "otto")
    weights = scoring.weights_key(settings_reads.load_settings(engine))
    m, b = MONTH, BEFORE
    with transaction(engine) as session:
        session.add_all(
            [
                account(1, amy),  # SMB, Retail
                account(2, amy, segment="Enterprise", industry="Software"),
                account(3, otto, segment="Mid-Market"),
                account(4, None, customer_since=on(m, 11)),
                account(5, None),
            ]
        )
        session.execute(update(Setting).where(Setting.key == "target_nps").values(value="20"))
        session.flush()
        session.add_all(
            [
                contact(1, 1, name="Pat"),
                contact(2, 2, name="Dee"),
                contact(3, 3, name="Olga"),
                contact(4, 2, name="Nina"),
                contact(5, 5, name="Wes"),
                ChurnEvent(account_id=5, churned_on=on(m, 21), reason="budget", arr_lost=50_000),
                AcquisitionSpend(month=m.start, channel="paid_search", amount=6_000),
                AcquisitionSpend(month=b.start, channel="paid_search", amount=4_000),
            ]
        )
        session.flush()
        stage_changed = at(on(m, 8))
        session.add_all(
            [
                Advocate(
                    id=1,
                    contact_id=1,
                    account_id=1,
                    stage="reference_ready",
                    stage_changed_at=stage_changed,
                    referral_code="PAT-1",
                ),
                Advocate(id=2, contact_id=2, account_id=2, stage="agreed", stage_changed_at=stage_changed),
                Advocate(id=3, contact_id=3, account_id=3, stage="agreed", stage_changed_at=stage_changed),
                Advocate(id=4, contact_id=4, account_id=2, stage="asked", stage_changed_at=stage_changed),
                Advocate(id=5, contact_id=5, account_id=5, stage="asked", stage_changed_at=at(THIS_WEEK)),
            ]
        )
        session.flush()
        session.add_all(
            [
                # MONTH: NPS 10, 9, 8, 3 → (2 − 1) ÷ 4 = +25; CSAT 5, 4, 4, 2 → 3 ÷ 4 = 75 %.
                survey(account_id=1, kind="nps", score=10, responded_on=on(m, 3)),
                survey(account_id=4, kind="nps", score=9, responded_on=on(m, 21)),
                survey(account_id=2, kind="nps", score=8, responded_on=on(m, 5)),
                survey(account_id=3, kind="nps", score=3, responded_on=on(m, 6)),
                survey(account_id=1, kind="csat", score=5, responded_on=on(m, 3)),
                survey(account_id=2, kind="csat", score=4, responded_on=on(m, 5)),
                survey(account_id=4, kind="csat", score=4, responded_on=on(m, 22)),
                survey(account_id=3, kind="csat", score=2, responded_on=on(m, 6)),
                # BEFORE: NPS 10, 2 → 0; CSAT 5, 1 → 50 %.
                survey(account_id=1, kind="nps", score=10, responded_on=on(b, 3)),
                survey(account_id=2, kind="nps", score=2, responded_on=on(b, 4)),
                survey(account_id=1, kind="csat", score=5, responded_on=on(b, 3)),
                survey(account_id=3, kind="csat", score=1, responded_on=on(b, 4)),
                # Stage history: at MONTH's end Nina and Wes asked, Dee and Olga agreed, Pat reference-ready.
                stage_change(advocate_id=1, from_stage=None, to_stage="nominated", changed_at=at(on(b, 3))),
                stage_change(
                    advocate_id=1, from_stage="nominated", to_stage="asked", changed_at=at(on(b, 5))
                ),
                stage_change(advocate_id=1, from_stage="asked", to_stage="agreed", changed_at=at(on(m, 6))),
                stage_change(
                    advocate_id=1, from_stage="agreed", to_stage="reference_ready", changed_at=at(on(m, 8))
                ),
                stage_change(advocate_id=2, from_stage=None, to_stage="nominated", changed_at=at(on(b, 2))),
                stage_change(
                    advocate_id=2, from_stage="nominated", to_stage="asked", changed_at=at(on(b, 4))
                ),
                stage_change(advocate_id=2, from_stage="asked", to_stage="agreed", changed_at=at(on(m, 3))),
                stage_change(advocate_id=3, from_stage=None, to_stage="nominated", changed_at=at(on(b, 1))),
                stage_change(
                    advocate_id=3, from_stage="nominated", to_stage="asked", changed_at=at(on(b, 10))
                ),
                stage_change(advocate_id=3, from_stage="asked", to_stage="agreed", changed_at=at(on(b, 25))),
                stage_change(advocate_id=4, from_stage=None, to_stage="nominated", changed_at=at(on(m, 2))),
                stage_change(
                    advocate_id=4, from_stage="nominated", to_stage="asked", changed_at=at(on(m, 4))
                ),
                stage_change(
                    advocate_id=5,
                    from_stage=None,
                    to_stage="nominated",
                    changed_at=at(LAST_WEEK + dt.timedelta(days=1)),
                ),
                stage_change(
                    advocate_id=5,
                    from_stage="nominated",
                    to_stage="asked",
                    changed_at=at(THIS_WEEK + dt.timedelta(days=1)),
                ),
                # Asks: BEFORE Dee, Pat, Olga (Olga agreed in BEFORE); MONTH Nina (+ a follow-up), Dee and Pat
                # agreed in MONTH; Wes asked in THIS_WEEK.
                ask(
                    owner_role="marketing",
                    advocate_id=2,
                    sent_on=on(b, 4),
                    outcome="agreed",
                    responded_on=on(m, 3),
                ),
                ask(
                    owner_role="marketing",
                    advocate_id=1,
                    sent_on=on(b, 5),
                    outcome="agreed",
                    responded_on=on(m, 6),
                ),
                ask(
                    owner_role="marketing",
                    advocate_id=3,
                    sent_on=on(b, 10),
                    outcome="agreed",
                    responded_on=on(b, 25),
                ),
                ask(owner_role="marketing", advocate_id=4, sent_on=on(m, 4), outcome="no_response"),
                ask(
                    owner_role="marketing",
                    advocate_id=4,
                    sent_on=on(m, 12),
                    outcome="no_response",
                    follow_up_number=1,
                ),
                ask(
                    owner_role="marketing",
                    advocate_id=5,
                    sent_on=THIS_WEEK + dt.timedelta(days=1),
                    outcome="no_response",
                ),
                asset(1, title="Story 1", contact_id=1, published_on=on(m, 9)),
                asset(2, title="Story 2", contact_id=1, published_on=THIS_WEEK + dt.timedelta(days=2)),
                # MONTH: request 1 fulfilled on time and won, request 2 fulfilled late and lost.
                reference_request(
                    1,
                    status="done",
                    requested_at=at(on(m, 1)),
                    needed_by=at(on(m, 10)),
                    assigned_advocate_id=1,
                    fulfilled_at=at(on(m, 8)),
                    outcome="won",
                    won_amount=50_000,
                ),
                reference_request(
                    2,
                    status="done",
                    requested_at=at(on(m, 1)),
                    needed_by=at(on(m, 10)),
                    assigned_advocate_id=1,
                    fulfilled_at=at(on(m, 14)),
                    outcome="lost",
                ),
                # THIS_WEEK: request 3 fulfilled (late); request 4 open and overdue since LAST_WEEK.
                reference_request(
                    3,
                    status="done",
                    requested_at=at(LAST_WEEK + dt.timedelta(days=1), 9),
                    needed_by=at(THIS_WEEK + dt.timedelta(days=2), 9),
                    fulfilled_at=at(THIS_WEEK + dt.timedelta(days=3)),
                ),
                reference_request(
                    4,
                    status="open",
                    requested_at=at(LAST_WEEK, 9),
                    needed_by=at(LAST_WEEK + dt.timedelta(days=4), 9),
                ),
                referral(1, advocate_id=1, created_on=on(m, 2)),
                referral(2, advocate_id=1, created_on=on(m, 7)),
                referral(3, advocate_id=1, created_on=on(m, 9)),
                referral(4, advocate_id=1, created_on=on(b, 20)),
                referral(5, advocate_id=1, created_on=THIS_WEEK),
            ]
        )
        session.flush()
        session.add_all(
            [
                AssetUsage(asset_id=1, used_on=on(m, 16), opportunity="Deal X", outcome="won", amount=10_000),
                # MONTH's cohort is referrals 1–3: sent 3, opened 2, clicked 1; page views in MONTH: 2 + 1.
                *events(
                    1,
                    ("email_sent", on(m, 2)),
                    ("opened", on(m, 3)),
                    ("clicked", on(m, 3)),
                    ("page_view", on(m, 4)),
                    ("page_view", on(m, 4)),
                    ("lead", on(m, 6)),
                    ("opportunity", on(m, 10)),
                    ("purchase", on(m, 20)),
                ),
                *events(2, ("email_sent", on(m, 7)), ("opened", on(m, 8))),
                *events(3, ("email_sent", on(m, 9))),
                *events(
                    4,
                    ("email_sent", on(b, 20)),
                    ("opened", on(b, 21)),
                    ("clicked", on(b, 21)),
                    ("page_view", on(m, 1)),
                ),
                # MONTH: 4 purchases worth 8,000, one referred; accounts 1 and 2 also bought in BEFORE.
                Purchase(account_id=1, purchased_on=on(m, 5), amount=1_000),
                Purchase(account_id=2, purchased_on=on(m, 12), amount=3_000),
                Purchase(account_id=4, purchased_on=on(m, 20), amount=2_000, referral_id=1),
                Purchase(account_id=3, purchased_on=on(m, 25), amount=2_000),
                Purchase(account_id=1, purchased_on=on(b, 10), amount=500),
                Purchase(account_id=2, purchased_on=on(b, 15), amount=1_500),
                # The two weeks: LAST_WEEK 1 purchase (700), THIS_WEEK 2 (1,500), one referred.
                Purchase(account_id=5, purchased_on=LAST_WEEK + dt.timedelta(days=2), amount=700),
                Purchase(
                    account_id=5, purchased_on=THIS_WEEK + dt.timedelta(days=2), amount=1_000, referral_id=5
                ),
                Purchase(account_id=5, purchased_on=THIS_WEEK + dt.timedelta(days=3), amount=500),
                # LAST_WEEK: NPS 7; THIS_WEEK: NPS 10 (Pat), 9 (Dee), 4 (Olga) and a CSAT.
                survey(
                    account_id=1,
                    kind="nps",
                    score=7,
                    responded_on=LAST_WEEK + dt.timedelta(days=1),
                    contact_id=1,
                ),
                survey(
                    account_id=1,
                    kind="nps",
                    score=10,
                    responded_on=THIS_WEEK + dt.timedelta(days=1),
                    contact_id=1,
                ),
                survey(
                    account_id=2,
                    kind="nps",
                    score=9,
                    responded_on=THIS_WEEK + dt.timedelta(days=2),
                    contact_id=2,
                ),
                survey(
                    account_id=3,
                    kind="nps",
                    score=4,
                    responded_on=THIS_WEEK + dt.timedelta(days=3),
                    contact_id=3,
                ),
                survey(
                    account_id=1,
                    kind="csat",
                    score=5,
                    responded_on=THIS_WEEK + dt.timedelta(days=1),
                    contact_id=1,
                ),
                # Account 2 healthy (80) last week, at risk (24) this week; 3 at risk both weeks; 1 healthy.
                *snapshots(LAST_WEEK, weights, {1: (90,) * 5, 2: (80,) * 5, 3: (40,) * 5}),
                *snapshots(THIS_WEEK, weights, {1: (90,) * 5, 2: (10, 30, 30, 30, 30), 3: (50,) * 5}),
            ]
        )
    return amy


@pytest.fixture(scope="module")
def built_database(tmp_path_factory) -> str:
    url = database_at(tmp_path_factory.mktemp("kpi_pages"), build_program)
    return url.removeprefix("sqlite:///")


@pytest.fixture
def app_database_url(built_database, tmp_path) -> str:
    """A fresh copy of the built database for each test: issuing a code writes to it."""
    copy = tmp_path / "app.db"
    shutil.copyfile(built_database, copy)
    return f"sqlite:///{copy}"


def open_page(app: AppTest, page: str, username: str = "mark") -> AppTest:
    log_in(app, username)
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def choose_month(app: AppTest, key: str) -> AppTest:
    """Pick MONTH in the period picker keyed key."""
    app.segmented_control(key=f"{key}_grain").set_value("Month").run()
    app.selectbox(key=f"{key}_Month").set_value(MONTH).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def tiles(app: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


def open_tab(app: AppTest, label: str) -> AppTest:
    app.session_state["kpi_tab"] = label
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def markdown_with(app: AppTest, text: str) -> str:
    return next(m.value for m in app.markdown if text in m.value)


# ---- Program KPIs --------------------------------------------------------------------------------------------


def test_scorecard_shows_the_months_kpis_against_the_month_before(app):
    open_page(app, "pages/kpis.py")
    choose_month(app, "kpis")
    assert any(f"compared with {BEFORE.label}" in c.value for c in app.caption)
    shown = {key: tiles(app)[kpi.label] for key, kpi in kpis.BY_KEY.items()}
    assert shown == {
        # (2 promoters − 1 detractor) ÷ 4 answers = +25; BEFORE (1 − 1) ÷ 2 = 0.
        "nps": ("+25", "+25.0"),
        # 3 of 4 answers are 4 or 5; BEFORE 1 of 2.
        "csat": ("75.0%", "+25.0 pts"),
        # Buyers 1, 2, 3, 4: accounts 1 and 2 had bought in BEFORE too; in BEFORE neither had bought before.
        "repeat_rate": ("50.0%", "+50.0 pts"),
        # 8,000 of purchases ÷ 4 × 4 purchases ÷ customer-years × customer-years ÷ 1 churned = 8,000; BEFORE saw
        # no churn, so no LTV to compare with.
        "ltv": ("$8.0k", ""),
        # 6,000 of spend ÷ 1 new customer (account 4); nobody was acquired in BEFORE.
        "cac": ("$6.0k", ""),
        "ltv_cac": ("1.3×", ""),  # 8,000 ÷ 6,000
        "referral_rate": ("25.0%", "+25.0 pts"),  # 1 of 4 purchases came from a referral; 0 of 2 in BEFORE
        "active_advocates": ("3", "+2"),  # Pat, Dee and Olga at MONTH's end; only Olga at BEFORE's
        "asks": ("1", "-2"),  # Nina (her follow-up does not count); Dee, Pat and Olga in BEFORE
        "agreements": ("2", "+1"),  # Dee and Pat; Olga in BEFORE
        "assets_published": ("1", "+1"),
        "requests_fulfilled": ("2", "+2"),
        "on_time": ("50.0%", ""),  # request 1 on time, request 2 late; none fulfilled in BEFORE
        "influenced_revenue": ("$60.0k", "+$60.0k"),  # request 1 won 50,000 + a deal won with asset 1 10,000
    }

    # Each tile says its target and whether it is met (NPS 20 and referral rate 7.5% in these settings).
    targets = [c.value for c in app.caption if c.value.startswith(("Target ", "No target"))]
    assert len(targets) == len(kpis.KPIS)
    assert targets[0] == "Target +20 · :green[met]"
    assert "Target 7.5% · :green[met]" in targets and "No target set" in targets

    card = app.dataframe[0].value.set_index("kpi")
    nps, referral_rate = kpis.BY_KEY["nps"].label, kpis.BY_KEY["referral_rate"].label
    # The NPS target is 20 in this database's settings (the default, 40, would be missed).
    assert card.loc[nps].tolist() == ["+25", "0", "+25.0", "+20", "on target"]
    assert card.loc[referral_rate].tolist() == ["25.0%", "0.0%", "+25.0 pts", "7.5%", "on target"]
    cells = {str(cell) for cell in card.to_numpy().ravel()}
    assert "—" in cells and not cells & {"None", "nan"}
    assert not [cell for cell in cells if re.fullmatch(r"[+-]?\d+\.\d{2,}|\d{4,}\.\d", cell)]
    assert card.loc[kpis.BY_KEY["csat"].label, "status"] == "below target"  # 75 < 85
    assert card.loc[kpis.BY_KEY["on_time"].label, "status"] == "below target"  # 50 < 90
    assert card.loc[kpis.BY_KEY["ltv"].label, "status"] == "no target"


def test_every_kpi_tab_renders_with_the_months_numbers(app):
    open_page(app, "pages/kpis.py")
    choose_month(app, "kpis")

    open_tab(app, "Loyalty")
    customer_years = (3 * DAYS + (DAYS - 10) + 20) / 365.25  # 1–3 all month, 4 from day 11, 5 until day 21
    ltv = markdown_with(app, "**LTV ")
    for part in (
        "**LTV $8.0k**",
        "average purchase $2.0k",
        f"{4 / customer_years:.2f} purchases a customer-year",
        f"lifespan {customer_years:.1f} years",
        f"1 churned over {customer_years:,.0f} customer-years",
    ):
        assert part in ltv, (part, ltv)
    cac = markdown_with(app, "**CAC ")
    for part in ("**CAC $6.0k**", "acquisition spend $6.0k ÷ 1 new customers", "**LTV:CAC 1.3×**"):
        assert part in cac, (part, cac)
    assert "4 purchases worth $8.0k" in markdown_with(app, "**Repeat customer rate 50.0%**")

    open_tab(app, "Advocate program")
    assert {label: value for label, (value, _) in tiles(app).items()} == {
        "Asks → agreements": "1 → 2",
        "Requests fulfilled (on time)": "2 (50.0%)",
        "Influenced revenue": "$60.0k",
    }

    open_tab(app, "By segment and industry")
    table = app.dataframe[0].value.set_index("segment")
    # SMB: accounts 1 (NPS 10, 1,000) and 4 (NPS 9, 2,000); account 5 churned. Enterprise: 2 (NPS 8, 3,000).
    # Mid-Market: 3 (NPS 3, 2,000).
    assert table.loc[["Enterprise", "Mid-Market", "SMB"], ["nps", "customers", "revenue"]].to_dict(
        "index"
    ) == {
        "Enterprise": {"nps": 0.0, "customers": 1, "revenue": 3_000.0},
        "Mid-Market": {"nps": -100.0, "customers": 1, "revenue": 2_000.0},
        "SMB": {"nps": 100.0, "customers": 2, "revenue": 3_000.0},
    }

    open_tab(app, "Word of mouth")
    # Starts from the 4 current customers and MONTH's CSAT of 75 %.
    assert app.number_input(key="tarp_customers").value == 4
    assert app.slider(key="tarp_satisfied").value == 75
    app.number_input(key="tarp_customers").set_value(10_000)
    app.slider(key="tarp_satisfied").set_value(65).run()
    assert not app.exception
    # 10,000 × 65 % × 5 = 32,500; 10,000 × 35 % × 10 = 35,000 (52 % of 67,500).
    mentions = markdown_with(app, "mentions")
    assert "**32,500 positive** and **35,000 negative** mentions" in mentions
    assert "52%" in mentions


# ---- Referral program ----------------------------------------------------------------------------------------


def test_referral_tiles_count_the_months_referrals(app):
    open_page(app, "pages/referrals.py")
    choose_month(app, "referrals")
    assert tiles(app) == {
        "Referrals sent": ("3", ""),  # referrals 1–3 were created in MONTH; 4 in BEFORE
        "Click-through": ("50.0%", ""),  # 1 clicked ÷ 2 opened
        "Landing page views": ("3", ""),  # referral 1 twice and referral 4 (BEFORE's) once in MONTH
        "Referral rate": ("25.00%", ""),  # 1 referral purchase ÷ 4 purchases
        "Referral revenue": ("$2.0k", ""),
    }
    referrers = next(frame.value for frame in app.dataframe if "referral_code" in frame.value.columns)
    pat = referrers.set_index("advocate").loc["Pat"]
    assert (pat["referral_code"], pat["referrals"], pat["clicked"], pat["purchases"], pat["revenue"]) == (
        "PAT-1",
        3,
        1,
        1,
        2_000.0,
    )
    assert bool(pat["thank_you_owed"])
    assert "Thank-yous owed for converted referrals (1)" in [s.value for s in app.subheader]


def test_marketing_issues_a_referral_code_to_an_advocate_who_agreed(app, app_database_url):
    open_page(app, "pages/referrals.py")
    choose = app.selectbox(key="code_advocate")
    # Dee and Olga agreed; Pat already has a code; Nina and Wes were only asked.
    assert choose.options == ["Dee — Account 2", "Olga — Account 3"]
    choose.set_value(2)
    app.button(key="issue_code").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.toast[0].value == "Issued a referral code to Dee — Account 2."
    assert app.selectbox(key="code_advocate").options == ["Olga — Account 3"]

    engine = make_engine(app_database_url)
    with engine.connect() as conn:
        assert conn.execute(select(Advocate.referral_code).where(Advocate.id == 2)).scalar() == "DEE-2"
        logged = conn.execute(
            select(AuditLog.username, AuditLog.entity, AuditLog.entity_id, AuditLog.after).where(
                AuditLog.action == "issue_referral_code"
            )
        ).all()
    engine.dispose()
    assert logged == [("mark", "advocate", "2", '{"referral_code": "DEE-2"}')]


def test_account_manager_only_gets_codes_for_her_own_book(app):
    open_page(app, "pages/referrals.py", "amy")
    # Olga also agreed, but account 3 is Otto's.
    assert app.selectbox(key="code_advocate").options == ["Dee — Account 2"]


# ---- Weekly review -------------------------------------------------------------------------------------------

# Each summary measure (last week, this week) for THIS_WEEK, by hand from build_program.
NAN = float("nan")
WEEKLY = {
    "Accounts at risk": (1, 2),  # 3 last week; 2 and 3 this week
    "Entered the at-risk band": (NAN, 1),  # account 2 (the week before last is unknown)
    "Accounts whose score fell": (NAN, 1),  # account 2, 80 → 24
    "NPS responses": (1, 3),
    "New promoters": (0, 2),  # 10 and 9 (last week's 7 is a passive)
    "New detractors": (0, 1),  # 4
    "New advocates": (1, 0),  # Wes nominated last week
    "Stage moves": (0, 1),  # Wes asked this week
    "Asks": (0, 1),
    "Agreements": (0, 0),
    "Assets published": (0, 1),
    "Assets gone stale": (0, 0),
    "Requests fulfilled": (0, 1),  # request 3
    "Requests overdue at week end": (1, 1),  # request 4, still open
    "Referrals sent": (0, 1),
    "Purchases": (1, 2),
    "Purchase revenue": (700, 1_500),
    "Referral purchases": (0, 1),
}


def shown(value: float) -> str:
    """A summary count as the page shows it: "—" when unknown."""
    return "—" if pd.isna(value) else f"{value:,.0f}"


def shown_change(value: float) -> str:
    if pd.isna(value):
        return "—"
    return "0" if value == 0 else f"{'+' if value > 0 else '−'}{abs(value):,.0f}"


def test_weekly_review_summarises_the_week_against_the_one_before(app):
    open_page(app, "pages/weekly.py")
    assert app.selectbox(key="weekly_week").value == THIS_WEEK
    # The summary is two tables side by side, each area whole: Health, Feedback, Advocates | the rest.
    left, right = (frame.value for frame in app.dataframe[:2])
    assert (len(left), len(right)) == (10, 8)
    summary = pd.concat([left, right]).set_index("Measure")
    assert list(summary.index) == list(WEEKLY)
    for measure, (last, this) in WEEKLY.items():
        if measure == "Purchase revenue":
            continue
        row = summary.loc[measure]
        assert row.tolist() == [shown(last), shown(this), shown_change(this - last)], (measure, row.tolist())
    assert summary.loc["Purchase revenue"].tolist() == ["$700", "$1.5k", "+$800"]

    assert "Entered the at-risk band (1)" in [s.value for s in app.subheader]
    entered = next(frame.value for frame in app.dataframe if "Band last week" in frame.value.columns)
    assert entered.iloc[0].to_dict() == {
        "Account": "Account 2",
        "Owner": "Amy",
        "Segment": "Enterprise",
        "ARR": "$20,000",  # the factory's 10,000 × id
        "Score last week": "80",  # all sub-scores 80 last week
        "Score this week": "24",  # 10, 30, 30, 30, 30 weighted this week
        "Band last week": "Healthy",
        "Top reason": entered.iloc[0]["Top reason"],
    }


def every_weekly_table(app: AppTest) -> list[pd.DataFrame]:
    """The weekly review's tables under each of its tabs (the first is open), the summary once."""
    frames = [frame.value for frame in app.dataframe]
    for area in ("Advocates", "Assets and references"):
        app.session_state["weekly_area"] = area
        frames += [frame.value for frame in app.run().dataframe[2:]]
    return frames


def test_weekly_review_shows_every_cell_for_people(app):
    open_page(app, "pages/weekly.py")
    frames = every_weekly_table(app)
    # The summary's two halves, the four account lists, stage moves, and the three asset and reference lists
    # that hold rows this week (no new advocates, no asset gone stale).
    assert len(frames) == 10
    cells = [str(cell) for frame in frames for cell in frame.to_numpy().ravel()]
    headers = [str(column) for frame in frames for column in frame.columns]
    assert cells and not {"None", "nan", "NaT", "<NA>"} & set(cells)
    assert not [header for header in headers if "_" in header or header != header.strip()]
    # No raw codes, no clock times on dates, no long decimals.
    assert not [cell for cell in cells if cell in ("case_study", "call") or "00:00:00" in cell]
    assert not [cell for cell in cells if re.fullmatch(r"[+−-]?\d+\.\d{2,}", cell)]
    overdue = next(frame for frame in frames if "Days overdue" in frame.columns)
    assert all(re.fullmatch(r"\d+", days) for days in overdue["Days overdue"])
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", day) for day in overdue["Needed by"])


def test_weekly_html_report_holds_the_summary_and_charts_without_scripts(app):
    open_page(app, "pages/weekly.py")
    # The page's own inputs, read through the same loaders (the HTML is built lazily on download).
    activity = data.two_weeks(THIS_WEEK)
    review = weekly.review(
        THIS_WEEK,
        data.sub_scores(THIS_WEEK),
        data.sub_scores(LAST_WEEK),
        data.account_names(),
        activity["surveys"],
        activity["stage_changes"],
        activity["outreach"],
        data.assets_changing(LAST_WEEK, THIS_WEEK + dt.timedelta(days=6), THIS_WEEK),
        data.reference_requests(),
        data.referrals(),
        activity["purchases"],
        data.settings(),
        data.health_profiles(),
    )
    html = weekly_report.html(review, dt.datetime(2025, 6, 16, 8, 30))
    assert "<svg" in html
    assert "<script" not in html.lower()
    assert "Generated 16 Jun 2025 08:30" in html
    # Each table row's cells (the report leaves </tr> out, as HTML allows); summary rows have five.
    cells = (re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.split(r"<tr>", html))
    rows = {row[1]: row[2:] for row in cells if len(row) == 5}
    assert rows["Purchase revenue"] == ["$700", "$1.5k", "+$800"]
    assert rows["NPS responses"] == ["1", "3", "+2"]
    assert rows["New promoters"] == ["0", "2", "+2"]
    assert rows["Entered the at-risk band"] == ["—", "1", "—"]
    assert rows["Asks"] == ["0", "1", "+1"]
    headers = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", html)
    assert headers[:5] == ["Area", "Measure", "Last week", "This week", "Change"]
    assert not [header for header in headers if "_" in header]
    assert ">None<" not in html and ">nan<" not in html
    assert "Entered the at-risk band (1)" in html and "Account 2" in html
