"""The asset library and reference requests, driven through AppTest on a fresh small database per test."""

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from db.engine import make_engine, transaction
from db.models import Asset
from tests.db.factories import build_references
from tests.pages.conftest import database_at, log_in


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """Pat is reference-ready; asset 1 is an approved Retail/Apparel case study, asset 2 a pending Retail video."""
    return database_at(tmp_path, build_references)


def open_page(app: AppTest, page: str, username: str) -> AppTest:
    log_in(app, username)
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def showing(app: AppTest) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Showing"))


def test_library_filters_by_industry_and_searches(app):
    open_page(app, "pages/library.py", "sam")
    # Only approved assets by default: the case study.
    assert showing(app) == "Showing 1 of 1 assets."
    title, facts, freshness, *_ = app.markdown[0].value.split("\n\n")
    assert title == ":material/description: **How Account 1 cut onboarding**"
    assert freshness == ":green-badge[:material/check_circle: Fresh]"
    app.multiselect(key="lib_approvals").set_value([]).run()
    assert showing(app) == "Showing 2 of 2 assets."
    app.multiselect(key="lib_industries").set_value(["Apparel"]).run()
    assert showing(app) == "Showing 1 of 1 assets."
    app.multiselect(key="lib_industries").set_value([]).run()
    app.text_input(key="lib_text").input("ONBOARDING days").run()
    assert showing(app) == "Showing 1 of 1 assets."
    app.text_input(key="lib_text").input("webinar").run()
    assert showing(app) == "Showing 0 of 0 assets."


def test_a_search_without_hits_offers_the_same_search_with_fewer_words(app):
    open_page(app, "pages/library.py", "sam")
    app.multiselect(key="lib_industries").set_value(["Apparel"]).run()
    app.text_input(key="lib_text").input("onboarding days webinar").run()
    assert showing(app) == "Showing 0 of 0 assets."
    assert app.info[0].value == "No asset matches all of this. The nearest searches that find some:"
    # Two of the three words find the case study; no two with "webinar" do, nor do Apparel's neighbours
    # (Retail, Sports) with all three.
    offered = [b.label for b in app.button if b.key and b.key.startswith("lib_nearest_")]
    assert offered == ["Search for “onboarding days” (1)"]
    app.button(key="lib_nearest_0").click().run()
    assert app.text_input(key="lib_text").value == "onboarding days"
    assert showing(app) == "Showing 1 of 1 assets."


def test_more_than_a_page_of_assets_shows_more_on_request(app, app_database_url):
    engine = make_engine(app_database_url)
    with transaction(engine) as session:
        session.add_all(
            Asset(
                title=f"Story {number:02}",
                asset_type="case_study",
                summary="",
                company_size="SMB",
                region="EMEA",
                approval_status="approved",
                published_on=dt.date(2026, 1, 1),
                url=f"https://example.com/story-{number}",
            )
            for number in range(1, 25)
        )
    engine.dispose()
    open_page(app, "pages/library.py", "sam")
    assert showing(app) == "Showing 20 of 25 assets."
    app.button(key="lib_more").click().run()
    assert showing(app) == "Showing 25 of 25 assets."
    assert not [b for b in app.button if b.key == "lib_more"]
    # A new filter starts from one page again.
    app.text_input(key="lib_text").input("story").run()
    assert showing(app) == "Showing 20 of 24 assets."


def test_sales_logs_an_asset_used_in_a_deal(app):
    open_page(app, "pages/library.py", "sam")
    app.text_input(key="use_opportunity").input("Prospect Q")
    app.button(key="FormSubmitter:use_in_deal-Log use in deal").click().run()
    assert app.toast[0].value == "Logged 'How Account 1 cut onboarding' as used for Prospect Q."


def test_marketing_sees_coverage_gaps(app):
    open_page(app, "pages/library.py", "mark")
    # Retail has two active customers and one approved case study: no gap.
    coverage = app.dataframe[-1].value
    assert coverage.to_dict("records") == [
        {
            "industry": "Retail",
            "customers": 2,
            "approved_case_studies": 1,
            "fresh_case_studies": 1,
            "gap": False,
            "all_stale": False,
        }
    ]


def test_matching_a_prospect_ranks_and_explains(app):
    open_page(app, "pages/references.py", "sam")
    app.selectbox(key="match_industry").set_value("Retail")
    app.selectbox(key="match_size").set_value("SMB")
    app.text_input(key="match_pain").input("onboarding").run()
    assets = app.dataframe[0].value
    # industry 40 + size 15 + pain 20 × 1/1 = 75
    assert assets["match_score"].tolist() == [75]
    assert assets["why"].tolist() == ["same industry (Retail); same size (SMB); mentions: onboarding"]
    excluded_assets = app.dataframe[1].value
    assert excluded_assets["reason"].tolist() == ["not approved by the customer (pending)"]
    advocates = app.dataframe[2].value
    # Pat: industry 40 + size 15 + promoter 20 = 75
    assert advocates["contact_name"].tolist() == ["Pat"]
    assert advocates["match_score"].tolist() == [75]
    excluded = app.dataframe[3].value
    assert excluded["reason"].tolist() == [
        "not reference-ready (stage: agreed); latest NPS 3 is 5 or below; account health is at risk"
    ]


def test_sales_requests_and_marketing_fulfils(app):
    open_page(app, "pages/references.py", "sam")
    before = {m.label: m.value for m in app.metric}
    app.selectbox(key="match_industry").set_value("Retail").run()
    app.text_input(key="req_prospect").input("Acme Retail")
    app.number_input(key="req_size").set_value(120_000)
    app.button(key="FormSubmitter:new_request-Request reference").click().run()
    assert app.toast[0].value == "Requested a call reference for Acme Retail."
    after = {m.label: m.value for m in app.metric}
    assert int(after["Open requests"]) == int(before["Open requests"]) + 1

    app.sidebar.button(key="log_out").click().run()
    open_page(app, "pages/references.py", "mark")
    app.session_state["ref_tab"] = "Requests"
    app.run()
    requests = app.selectbox(key="work_request")
    requests.set_value(next(o for o in requests.options if o.startswith("Acme Retail"))).run()
    app.button(key="FormSubmitter:assign-Assign").click().run()
    assert app.toast[0].value == "Assigned Pat (Account 1) to Acme Retail."


def test_match_tables_lead_with_score_and_why(app):
    open_page(app, "pages/references.py", "sam")
    app.selectbox(key="match_industry").set_value("Retail").run()
    # Score, what, why and the link first: at 1280 px these are on screen without scrolling sideways.
    assert list(app.dataframe[0].value.columns)[:4] == ["match_score", "title", "why", "url"]
    assert list(app.dataframe[2].value.columns)[:4] == ["match_score", "contact_name", "account_name", "why"]


def request_reference(app: AppTest, prospect: str, needed_by=None) -> None:
    app.text_input(key="req_prospect").input(prospect)
    app.number_input(key="req_size").set_value(120_000.55)
    if needed_by is not None:
        app.date_input(key="req_needed").set_value(needed_by)
    app.button(key="FormSubmitter:new_request-Request reference").click().run()


def test_work_a_request_starts_with_the_most_urgent_open_one(app):
    open_page(app, "pages/references.py", "sam")
    app.selectbox(key="match_industry").set_value("Retail").run()
    request_reference(app, "Later Ltd", dt.date.today() + dt.timedelta(days=9))
    request_reference(app, "Sooner Inc")  # the 48-hour SLA
    request_reference(app, "Middle Co", dt.date.today() + dt.timedelta(days=5))
    app.session_state["ref_tab"] = "Requests"
    app.run()
    assert app.selectbox(key="work_request").value is not None
    assert (
        app.selectbox(key="work_request")
        .format_func(app.selectbox(key="work_request").value)
        .startswith("Sooner Inc · call · open · needed by ")
    )
    table = app.dataframe[0].value
    cells = {str(cell) for cell in table.to_numpy().ravel()}
    assert not cells & {"None", "nan", "NaT"}
    assert set(table["advocate_name"]) == {"—"}
    assert set(table["won_amount"]) == {"—"}
    assert all(hours.isdigit() for hours in table["hours_left"])
