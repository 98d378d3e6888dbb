import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.models import AuditLog, CsmSentiment
from tests.pages.conftest import log_in


def open_board(app, username):
    log_in(app, username)
    return app.switch_page("pages/health.py").run()


def table_of(app):
    return app.dataframe[0].value


def test_account_manager_board_shows_own_book_with_scores_and_flags(app):
    open_board(app, "amy")
    assert not app.exception
    table = table_of(app)
    assert table["name"].tolist() == ["Account 2", "Account 1"]  # lowest score first
    assert table["band_label"].tolist() == ["At risk", "Healthy"]
    assert round(table["score"].iloc[0]) == 24
    assert table["top_reason_label"].iloc[0] == "Product usage"
    # The account page leads on through the board's order.
    assert app.session_state["health_board_order"] == [2, 1]
    tiles = {m.label: m.value for m in app.metric}
    assert tiles["At risk"] == "1" and tiles["Healthy"] == "1" and tiles["ARR at risk"] == "$20.0k"


def test_filters_narrow_the_table(app):
    open_board(app, "mark")
    assert len(table_of(app)) == 2
    app.multiselect(key="board_bands").select("at_risk").run()
    assert table_of(app)["name"].tolist() == ["Account 2"]
    app.selectbox(key="board_flag").select("upsell").run()
    assert table_of(app).empty
    assert "Showing 0 of 0 accounts." in [c.value for c in app.caption]


def open_account(app, username, account_id):
    log_in(app, username)
    app.query_params["account"] = str(account_id)
    return app.switch_page("pages/account.py").run()


def test_account_page_explains_the_score(app):
    open_account(app, "mark", 2)
    assert not app.exception
    assert app.title[0].value == "Account 2"
    tiles = {m.label: m.value for m in app.metric}
    assert tiles["Band"] == "At risk" and tiles["Health score"] == "24"
    breakdown = app.dataframe[0].value
    assert breakdown["points"].sum() == pytest.approx(24.0, abs=0.05)
    assert not app.get("form")  # marketing does not record sentiment


def page_links(app) -> list[tuple[str, str, bool]]:
    """(label, query string, disabled) of each page link on the page."""
    return [
        (link.proto.label, link.proto.query_string, link.proto.disabled) for link in app.main.get("page_link")
    ]


def test_account_page_leads_back_to_the_board_and_on_in_its_order(app):
    open_board(app, "mark")
    app.multiselect(key="board_bands").select("at_risk").select("healthy").run()
    app.selectbox(key="board_sort").select("Highest ARR first").run()
    assert app.session_state["health_board_order"] == [2, 1]  # 20k before 10k
    app.query_params["account"] = "2"
    app.switch_page("pages/account.py").run()
    assert not app.exception
    assert page_links(app) == [("Back to board", "", False)]
    assert app.button(key="account_previous").disabled
    assert "Account 1 of 2 on the board" in [c.value for c in app.main.caption]
    app.button(key="account_next").click().run()
    assert app.title[0].value == "Account 1"
    assert app.query_params["account"] == "1"
    assert "Account 2 of 2 on the board" in [c.value for c in app.main.caption]
    assert app.button(key="account_next").disabled and not app.button(key="account_previous").disabled
    # Back on the board, its filters and sort are as they were left.
    app.switch_page("pages/health.py").run()
    assert app.multiselect(key="board_bands").value == ["at_risk", "healthy"]
    assert app.selectbox(key="board_sort").value == "Highest ARR first"


def test_account_opened_without_the_board_has_only_the_way_back(app):
    open_account(app, "mark", 1)
    assert page_links(app) == [("Back to board", "", False)]
    assert not [b for b in app.button if b.key in ("account_previous", "account_next")]


def test_unknown_account_says_so(app):
    open_account(app, "mark", 999)
    assert "No such account" in app.warning[0].value


def test_account_manager_records_sentiment(app, app_database):
    open_account(app, "amy", 1)
    app.text_area[0].input("Champion is leaving in January")
    app.get("form")[0].button[0].click()
    app.run()
    assert app.toast[0].value.startswith("Recorded.")
    with make_engine(app_database).connect() as conn:
        stored = conn.execute(
            select(CsmSentiment.account_id, CsmSentiment.sentiment, CsmSentiment.note)
        ).all()
        audited = conn.execute(select(AuditLog.action).where(AuditLog.action == "record_sentiment")).all()
    assert stored[-1] == (1, 3, "Champion is leaving in January")
    assert audited
