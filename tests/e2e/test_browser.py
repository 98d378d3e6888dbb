"""Log in as every role in a real browser and check what each one sees."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from core import board, health, kpis, outreach, overview, periods, referrals
from db import demo
from db.engine import make_engine
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import assets as asset_reads
from db.reads import purchases as purchase_reads
from db.reads import settings as settings_reads
from db.reads import users as user_reads
from tests.e2e.conftest import ARTIFACTS, enter, log_in, screenshot, settle, streamlit_server
from ui import numbers

pytestmark = pytest.mark.e2e

BOARD_PAGES = [
    "Home",
    "Overview",
    "Health board",
    "Does the score work?",
    "Advocate pipeline",
    "Outreach effectiveness",
]
KPI_PAGES = ["Program KPIs", "Referral program", "Weekly review"]
ROLE_PAGES = {
    "admin": [
        *BOARD_PAGES,
        *KPI_PAGES,
        "Asset library",
        "Reference requests",
        "Playbooks",
        "Digests",
        "Import and export",
        "Admin",
    ],
    "amy": [*BOARD_PAGES, *KPI_PAGES, "Asset library", "Playbooks", "Digests"],
    "mark": [*BOARD_PAGES, *KPI_PAGES, "Asset library", "Reference requests", "Playbooks", "Digests"],
    "sam": ["Home", "Asset library", "Reference requests", "Digests"],
}


def expect_only_login_form(page: Page) -> None:
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stPageLink-NavLink")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.locator("h1")).to_have_count(0)


def metrics(page: Page) -> dict[str, str]:
    expect(page.get_by_test_id("stMetric")).to_have_count(5)
    return metrics_by_label(page)


def metrics_by_label(page: Page, *awaited: str) -> dict[str, str]:
    """The metric tiles on screen, read once the tiles labelled `awaited` are there and the rerun has ended."""
    for label in awaited:
        expect(page.get_by_test_id("stMetricLabel").filter(has_text=label).first).to_be_visible()
    settle(page)  # a rerun may still be replacing the tiles
    values = {}
    for tile in page.get_by_test_id("stMetric").all():
        label = tile.get_by_test_id("stMetricLabel").inner_text().strip()
        values[label] = tile.get_by_test_id("stMetricValue").inner_text().strip()
    return values


def expected_home(database_url: str, owner: str | None) -> dict[str, str]:
    """The Home figures computed independently from the same database through core/."""
    engine = make_engine(database_url)
    week = account_reads.latest_scored_week(engine)
    as_of = week + dt.timedelta(days=6)
    owner_id = None
    if owner:
        owner_id = int(user_reads.user_credentials(engine).set_index("username").loc[owner, "id"])
    scored = board.board_table(
        account_reads.board(engine, week, owner_id), settings_reads.load_settings(engine), as_of
    )
    figures = overview.home_figures(
        scored,
        account_reads.nps_counts(engine, as_of - dt.timedelta(days=90), as_of, owner_id),
        asset_reads.open_reference_requests(engine),
        dt.datetime.now(),
    )
    engine.dispose()
    return {
        "Active accounts": f"{figures.accounts:,}",
        "ARR": numbers.money(figures.arr),
        "NPS": numbers.score(figures.nps),
        "Accounts at risk": f"{figures.at_risk_accounts:,}",
        "Open reference requests": f"{figures.open_requests:,}",
    }


def test_fresh_server_serves_only_the_login_form_at_every_url(demo_database, browser):
    # Before any session has run app.py, Streamlit serves pages/*.py directly: each page's guard must hold.
    with streamlit_server(demo_database) as server:
        print(f"streamlit run → healthy in {server.seconds_to_ready:.1f} s")
        context = browser.new_context()
        page = context.new_page()
        for path in ("/admin", "/home", "/"):
            page.goto(server.url + path)
            expect_only_login_form(page)
        screenshot(page, "login-form")
        context.close()


@pytest.mark.parametrize("username", list(ROLE_PAGES))
def test_each_role_sees_its_pages_and_the_overview_figures(demo_server, page, username):
    enter(page, demo_server.url, username)
    nav = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink")
    # Each link's text is its icon's ligature name followed by the page title.
    expect(nav).to_have_text([re.compile(f"{re.escape(title)}$") for title in ROLE_PAGES[username]])
    expect(page.locator("h1")).to_have_text("Home")
    if "Overview" not in ROLE_PAGES[username]:
        return
    page.get_by_test_id("stSidebar").get_by_text("Overview").click()
    expect(page.locator("h1")).to_have_text("Overview")
    expected = expected_home(demo_server.database_url, "amy" if username == "amy" else None)
    assert metrics(page) == expected
    assert int(expected["Active accounts"].replace(",", "")) > 0
    screenshot(page, f"home-{username}")


def test_deep_link_while_logged_out_shows_only_the_login_form(demo_server, page):
    page.goto(demo_server.url + "/admin")
    expect_only_login_form(page)


def test_admin_deep_link_survives_login(demo_server, page):
    page.goto(demo_server.url + "/admin")
    page.get_by_role("textbox", name="Username").fill("admin")
    page.get_by_role("textbox", name="Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Login").click()
    expect(page.locator("h1")).to_have_text("Admin")
    screenshot(page, "admin-users")


def test_sales_cannot_open_admin_by_url(demo_server, page):
    enter(page, demo_server.url, "sam", "/admin")
    # The page is not sales': it says so and shows nothing else.
    expect(page.get_by_test_id("stAlertContentError")).to_have_text(
        "Admin is not available to the Sales role. The pages you can open are in the menu on the left."
    )
    expect(page.get_by_test_id("stMain").locator("h1")).to_have_count(0)
    expect(page.get_by_role("tab")).to_have_count(0)
    expect(page.get_by_role("spinbutton")).to_have_count(0)


def test_logout_ends_the_session_on_reload(demo_server, page):
    log_in(page, demo_server.url, "mark")
    page.get_by_role("button", name="Log out").click()
    expect_only_login_form(page)
    page.reload()
    expect_only_login_form(page)


def test_cookie_keeps_a_user_logged_in_across_reload(demo_server, page):
    log_in(page, demo_server.url, "sam")
    page.reload()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    expect(page.locator("h1")).to_have_text("Home")


def test_logout_revokes_a_copied_cookie(demo_server, browser, page):
    log_in(page, demo_server.url, "amy")
    copied = browser.new_context()
    copied.add_cookies(page.context.cookies())
    elsewhere = copied.new_page()
    elsewhere.goto(demo_server.url)
    expect(elsewhere.get_by_test_id("stMetric").first).to_be_visible()
    elsewhere.close()

    page.get_by_role("button", name="Log out").click()
    expect_only_login_form(page)
    elsewhere = copied.new_page()
    elsewhere.goto(demo_server.url)
    expect_only_login_form(elsewhere)
    copied.close()


def test_account_manager_works_the_health_board_and_opens_an_account(demo_server, page):
    enter(page, demo_server.url, "amy", "/health")
    expect(page.locator("h1")).to_have_text("Health board")
    engine = make_engine(demo_server.database_url)
    week = account_reads.latest_scored_week(engine)
    amy = int(user_reads.user_credentials(engine).set_index("username").loc["amy", "id"])
    expected = board.summarise(
        board.board_table(
            account_reads.board(engine, week, amy),
            settings_reads.load_settings(engine),
            week + dt.timedelta(days=6),
        )
    )
    engine.dispose()
    tiles = metrics_by_label(page, *(health.BAND_LABELS[band] for band in expected.by_band["band"]))
    for row in expected.by_band.itertuples():
        assert tiles[health.BAND_LABELS[row.band]] == f"{row.accounts:,}"
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    screenshot(page, "health-board-amy")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download all filtered accounts (CSV)").click()
    exported = pd.read_csv(download.value.path())
    assert len(exported) == expected.by_band["accounts"].sum()

    worst = board.sort_board(
        board.board_table(
            account_reads.board(make_engine(demo_server.database_url), week, amy),
            settings_reads.load_settings(make_engine(demo_server.database_url)),
            week + dt.timedelta(days=6),
        ),
        "Lowest score first",
    ).index[0]
    page.goto(f"{demo_server.url}/account?account={worst}")
    expect(page.locator("h1")).not_to_have_text("Account health")
    expect(page.get_by_text("Where the score comes from")).to_be_visible()
    expect(page.get_by_text("What moved it in the last 4 weeks")).to_be_visible()
    expect(page.get_by_role("button", name="Record sentiment")).to_be_visible()
    page.wait_for_timeout(1000)
    screenshot(page, "account-drilldown")


def test_admin_previews_a_weights_change(demo_server, page):
    enter(page, demo_server.url, "admin", "/admin")
    expect(page.locator("h1")).to_have_text("Admin")
    page.get_by_role("tab", name="Settings").click()
    usage = page.get_by_label("Weight: product usage (default 30)")
    usage.fill("90")
    usage.press("Tab")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("accounts would change band")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    screenshot(page, "weights-preview")


def test_score_check_page_states_its_verdict(demo_server, page):
    enter(page, demo_server.url, "mark", "/score-check")
    expect(page.locator("h1")).to_have_text("Does the score work?")
    expect(page.get_by_text("ROC AUC", exact=True)).to_be_visible()
    expect(page.get_by_text("Churn rate by band")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    screenshot(page, "score-check")


def choose(page: Page, label: str, option: str) -> None:
    """Pick option in the Streamlit selectbox labelled label (it filters as you type)."""
    settle(page)
    page.get_by_role("combobox", name=label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).first.click()
    settle(page)


def test_marketing_logs_an_ask_through_to_reference_ready(demo_server, page):
    enter(page, demo_server.url, "mark", "/advocates")
    expect(page.locator("h1")).to_have_text("Advocate pipeline")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    screenshot(page, "advocates-who-to-ask")
    nominee = page.get_by_role("combobox", name="Nominate a contact").input_value()
    contact = nominee.split(" · ")[0]
    page.get_by_role("button", name="Nominate", exact=True).click()
    expect(page.get_by_text(f"Nominated {contact}: log the ask on the Pipeline tab.")).to_be_visible()

    page.get_by_role("tab", name="Pipeline").click()
    choose(page, "Advocate", nominee)
    choose(page, "Outcome", "Agreed")
    page.get_by_role("button", name="Log ask").click()
    expect(page.get_by_text(f"Logged the ask to {contact} (Email, agreed).")).to_be_visible()

    page.get_by_role("tab", name="Pipeline").click()
    page.get_by_test_id("stButtonGroup").get_by_text("Agreed", exact=True).click()
    choose(page, "Advocate", nominee)
    page.get_by_role("tab", name="Move stage").click()
    choose(page, "Move to", "Reference-ready")
    page.get_by_role("button", name="Move stage").click()
    expect(page.get_by_text(f"Moved {contact} to Reference-ready.")).to_be_visible()
    page.get_by_role("tab", name="Pipeline").click()
    page.wait_for_timeout(500)
    screenshot(page, "advocates-pipeline")

    engine = make_engine(demo_server.database_url)
    records = advocate_reads.advocates(engine)
    engine.dispose()
    assert records.loc[records["contact_name"] == contact, "stage"].tolist() == ["reference_ready"]


def test_outreach_page_states_a_finding_the_intervals_support(demo_server, page):
    enter(page, demo_server.url, "mark", "/outreach")
    expect(page.locator("h1")).to_have_text("Outreach effectiveness")
    engine = make_engine(demo_server.database_url)
    latest = advocate_reads.outreach_choices(engine).latest
    tally = advocate_reads.outreach_tally(
        engine, advocate_reads.OutreachFilter(latest - dt.timedelta(days=365), latest)
    )
    engine.dispose()
    expected = outreach.finding(outreach.rates(tally, "channel"))
    expect(page.get_by_text(expected)).to_be_visible()
    # One view at a time: the channel chart first, another once its tab is chosen.
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    page.get_by_role("tab", name="By month").click()
    expect(page.get_by_role("tab", name="By month")).to_have_attribute("aria-selected", "true")
    settle(page)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    page.wait_for_timeout(1000)
    screenshot(page, "outreach-effectiveness")


def test_sales_finds_a_case_study_and_requests_a_reference_that_marketing_fulfils(demo_server, browser):
    sales = browser.new_page(viewport={"width": 1400, "height": 1000})
    enter(sales, demo_server.url, "sam", "/library")
    expect(sales.locator("h1")).to_have_text("Asset library")
    choose_many(sales, "Industry", "Retail")
    expect(sales.get_by_text(re.compile(r"^Showing \d+ of \d+ assets\.$"))).to_be_visible()
    screenshot(sales, "library-retail")
    engine = make_engine(demo_server.database_url)
    library = asset_reads.library(
        engine, dt.date.today(), account_reads.latest_scored_week(engine), asset_reads.tags(engine)
    )
    engine.dispose()
    retail_titles = set(
        library.loc[library["industries"].str.split(", ").map(lambda tags: "Retail" in tags), "title"]
    )
    shown = int(
        re.search(r"Showing (\d+) of", sales.get_by_text(re.compile("^Showing")).inner_text()).group(1)
    )
    card_titles = sales.get_by_test_id("stMain").locator("strong")
    expect(card_titles).to_have_count(shown)
    assert {title.strip() for title in card_titles.all_inner_texts()} <= retail_titles

    sales.get_by_test_id("stSidebar").get_by_text("Reference requests").click()
    expect(sales.locator("h1")).to_have_text("Reference requests")
    choose(sales, "Industry", "Retail")
    expect(sales.get_by_text("Reference customers")).to_be_visible()
    sales.get_by_label("Prospect", exact=True).fill("Zenith Outfitters")
    sales.get_by_label("Deal size ($)").fill("150000")
    sales.get_by_role("button", name="Request reference").click()
    expect(sales.get_by_text("Requested a call reference for Zenith Outfitters.")).to_be_visible()
    screenshot(sales, "references-match")
    sales.close()

    marketing = browser.new_page(viewport={"width": 1400, "height": 1000})
    enter(marketing, demo_server.url, "mark", "/references")
    marketing.get_by_role("tab", name="Requests").click()
    choose(marketing, "Request", "Zenith Outfitters · call · open")
    marketing.get_by_role("button", name="Assign", exact=True).click()
    expect(marketing.get_by_text(re.compile(r"^Assigned .+ to Zenith Outfitters\.$"))).to_be_visible()
    marketing.wait_for_timeout(500)
    screenshot(marketing, "references-requests")
    marketing.close()
    engine = make_engine(demo_server.database_url)
    requests = asset_reads.requests(engine)
    engine.dispose()
    assert requests.loc[requests["prospect"] == "Zenith Outfitters", "status"].tolist() == ["assigned"]


def choose_many(page: Page, label: str, option: str) -> None:
    """Add option to the Streamlit multiselect labelled label."""
    settle(page)
    page.get_by_role("combobox", name=label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    page.keyboard.press("Escape")
    settle(page)


def test_marketing_reads_the_kpis_and_tries_the_word_of_mouth_calculator(demo_server, page):
    enter(page, demo_server.url, "mark", "/kpis")
    expect(page.locator("h1")).to_have_text("Program KPIs")
    engine = make_engine(demo_server.database_url)
    today = dt.date.today()
    survey, daily = account_reads.survey_daily(engine), purchase_reads.purchase_daily(engine)
    customers, spend = purchase_reads.customers(engine), purchase_reads.spend(engine)
    quarter, year = periods.recent("Quarter", today, 1)[0], periods.recent("Year", today, 1)[0]
    expected, expected_year = (
        kpis.loyalty(
            survey,
            daily,
            purchase_reads.buyers_between(engine, period.start, period.end),
            customers,
            spend,
            period.start,
            period.end,
        )
        for period in (quarter, year)
    )
    engine.dispose()
    expect(page.get_by_test_id("stMetric")).to_have_count(len(kpis.KPIS))
    shown = metrics_by_label(page)
    assert shown["NPS"] == numbers.score(expected.nps)
    assert shown["CSAT (% satisfied)"] == numbers.kpi(expected.csat, "percent")
    assert shown["Repeat customer rate"] == numbers.kpi(expected.repeat_rate * 100, "percent")
    assert shown["Customer acquisition cost"] == numbers.kpi(expected.cac, "money")
    screenshot(page, "kpis-scorecard")

    page.get_by_test_id("stButtonGroup").get_by_text("Year", exact=True).click()
    settle(page)
    assert metrics_by_label(page)["NPS"] == numbers.score(expected_year.nps)

    page.get_by_role("tab", name="Loyalty").click()
    settle(page)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2)
    page.wait_for_timeout(1000)
    screenshot(page, "kpis-loyalty")
    page.get_by_role("tab", name="By segment and industry").click()
    settle(page)
    page.wait_for_timeout(1000)
    screenshot(page, "kpis-by-segment")

    page.get_by_role("tab", name="Word of mouth").click()
    settle(page)
    customers = page.get_by_role("spinbutton", name="Customers")
    customers.fill("10000")
    customers.press("Enter")
    settle(page)
    slider = page.get_by_role("slider", name="Satisfied %")
    for _ in range(100):
        value = int(slider.input_value())
        if value == 65:
            break
        slider.press("ArrowLeft" if value > 65 else "ArrowRight")
    settle(page)
    # The brief's worked example: 6,500 × 5 = 32,500 positive; 3,500 × 10 = 35,000 negative.
    expect(page.get_by_text("32,500 positive")).to_be_visible()
    expect(page.get_by_text("35,000 negative")).to_be_visible()
    page.wait_for_timeout(500)
    screenshot(page, "kpis-word-of-mouth")


def test_marketing_sees_the_referral_funnel_and_issues_a_code(demo_server, page):
    enter(page, demo_server.url, "mark", "/referrals")
    expect(page.locator("h1")).to_have_text("Referral program")
    engine = make_engine(demo_server.database_url)
    quarter = periods.recent("Quarter", dt.date.today(), 1)[0]
    start, end = pd.Timestamp(quarter.start), pd.Timestamp(quarter.end)
    figures = referrals.summary(
        purchase_reads.referrals(engine),
        purchase_reads.referral_events(engine),
        purchase_reads.purchases(engine),
        start,
        end,
    )
    engine.dispose()
    shown = metrics_by_label(page, "Referrals sent", "Landing page views")
    assert shown["Referrals sent"] == f"{figures.sent:,}"
    assert shown["Landing page views"] == f"{figures.page_views:,}"
    page.wait_for_timeout(1000)
    screenshot(page, "referrals")

    advocate = page.get_by_role("combobox", name="Advocate who agreed").input_value()
    page.get_by_role("button", name="Issue code").click()
    expect(page.get_by_text(f"Issued a referral code to {advocate}.")).to_be_visible()
    engine = make_engine(demo_server.database_url)
    with engine.connect() as conn:
        codes = conn.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'issue_referral_code'")
        ).scalar()
    engine.dispose()
    assert codes == 1


def test_weekly_review_downloads_a_self_contained_html_report(demo_server, page):
    enter(page, demo_server.url, "mark", "/weekly")
    expect(page.locator("h1")).to_have_text("Weekly review")
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    page.wait_for_timeout(1000)
    screenshot(page, "weekly-review")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download report (HTML)").click()
    report = ARTIFACTS / "weekly-review.html"
    download.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert "Weekly review — week of" in html
    assert "This week against last week" in html
    assert html.count("<svg") >= 1
    assert "<script" not in html and "<link" not in html
    # Offline: the report must render with no demo_server and no network.
    viewer = page.context.new_page()
    viewer.goto(report.as_uri())
    expect(viewer.locator("h1")).to_contain_text("Weekly review")
    screenshot(viewer, "weekly-review-report")
    viewer.close()
