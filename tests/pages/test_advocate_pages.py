"""The advocate pipeline and outreach pages, driven through AppTest on a fresh small database per test."""

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.db.factories import build_advocates
from tests.pages.conftest import database_at, log_in


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """Pat (account 1, NPS 10, CSAT 5 and 5) is a promoter; Dee (account 2, NPS 3) may not be asked."""
    return database_at(tmp_path, build_advocates)


def open_pipeline(app: AppTest, username: str = "mark") -> AppTest:
    log_in(app, username)
    app.switch_page("pages/advocates.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def open_tab(app: AppTest, tab: str) -> AppTest:
    app.session_state["adv_tab"] = tab
    return app.run()


def stage_tiles(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_who_to_ask_ranks_the_promoter_and_explains_the_refusal(app):
    open_pipeline(app)
    eligible = app.dataframe[0].value
    assert list(eligible["contact_name"]) == ["Pat"]
    # NPS promoter 40 + CSAT 5.0 over 2 answers 15 + strong relationship (5 − 1) × 2.5 = 10; account 1 is
    # healthy in the scored book (+10): 75.
    assert eligible["advocate_score"].iloc[0] == 75
    assert eligible["why"].iloc[0] == (
        "Promoter (NPS 10); CSAT 5.0 over 2 answers; healthy account; strong relationship (5/5)"
    )
    app.segmented_control(key="adv_show").set_value("not_now").run()
    refused = app.dataframe[0].value
    assert list(refused["contact_name"]) == ["Dee"]
    assert refused["not_now"].iloc[0] == "latest NPS 3 is 5 or below; account health is at risk"


def headline(app: AppTest) -> str:
    return next(m.value for m in app.markdown if " due · " in m.value)


def test_marketing_takes_a_contact_from_nomination_to_reference_ready(app):
    open_pipeline(app)
    app.button(key="adv_nominate").click().run()
    assert app.toast[0].value == "Nominated Pat: log the ask on the Pipeline tab."
    open_tab(app, "Pipeline")
    assert stage_tiles(app)["Nominated"] == "1"

    app.selectbox(key="work_ask_channel").set_value("phone")
    app.selectbox(key="work_ask_outcome").set_value("agreed")
    app.button(key="FormSubmitter:work_ask_outreach-Log ask").click().run()
    assert not app.error, [e.value for e in app.error]
    assert app.toast[0].value == "Logged the ask to Pat (Phone, agreed)."
    assert (stage_tiles(app)["Nominated"], stage_tiles(app)["Agreed"]) == ("0", "1")
    # The agreement now owes a thank-you, not overdue yet.
    assert headline(app) == "**0** follow-ups due · **0** thank-yous overdue (1 owed)"

    app.segmented_control(key="adv_stage").set_value("agreed").run()
    app.selectbox(key="work_to_stage").set_value("reference_ready")
    app.button(key="FormSubmitter:work_stage-Move stage").click().run()
    assert app.toast[0].value == "Moved Pat to Reference-ready."
    assert (stage_tiles(app)["Agreed"], stage_tiles(app)["Reference-ready"]) == ("0", "1")

    open_tab(app, "Thank-yous owed")
    app.button(key="FormSubmitter:owed_0_thanks-Record thank-you").click().run()
    assert app.toast[0].value == "Recorded the thank-you to Pat."
    assert app.info[-1].value == "Every advocate has been thanked."
    assert headline(app) == "**0** follow-ups due · **0** thank-yous overdue (0 owed)"


def test_a_refused_ask_shows_the_reason_and_changes_nothing(app):
    open_pipeline(app)
    app.button(key="adv_nominate").click().run()
    open_tab(app, "Pipeline")
    app.button(key="FormSubmitter:work_ask_outreach-Log ask").click().run()
    app.segmented_control(key="adv_stage").set_value("asked").run()
    app.selectbox(key="work_to_stage").set_value("nominated")
    app.button(key="FormSubmitter:work_stage-Move stage").click().run()
    app.segmented_control(key="adv_stage").set_value("nominated").run()
    app.button(key="FormSubmitter:work_ask_outreach-Log ask").click().run()
    assert app.error[0].value.startswith("Not now: asked on ")
    assert app.error[0].value.endswith("(re-circle after 75 days).")
    assert stage_tiles(app)["Nominated"] == "1"


def test_a_fourth_follow_up_is_not_offered(app):
    open_pipeline(app)
    app.button(key="adv_nominate").click().run()
    open_tab(app, "Pipeline")
    app.date_input(key="work_ask_sent_on").set_value(dt.date.today() - dt.timedelta(days=30))
    app.button(key="FormSubmitter:work_ask_outreach-Log ask").click().run()
    app.segmented_control(key="adv_stage").set_value("asked").run()
    for days_ago in (20, 10, 1):
        app.date_input(key="work_follow_sent_on").set_value(dt.date.today() - dt.timedelta(days=days_ago))
        app.button(key="FormSubmitter:work_follow_outreach-Log follow-up").click().run()
        assert not app.error, [e.value for e in app.error]
    assert any("already had 3 follow-ups, the most allowed is 3" in i.value for i in app.info), [
        i.value for i in app.info
    ]
    assert not [b for b in app.button if b.key == "FormSubmitter:work_follow_outreach-Log follow-up"]


def test_outreach_page_says_not_enough_data_for_a_handful_of_asks(app):
    open_pipeline(app)
    app.button(key="adv_nominate").click().run()
    open_tab(app, "Pipeline")
    app.button(key="FormSubmitter:work_ask_outreach-Log ask").click().run()
    app.switch_page("pages/outreach.py").run()
    assert not app.exception
    assert app.title[0].value == "Outreach effectiveness"
    assert app.markdown[0].value == "**Not enough data: fewer than two channels have 20 or more asks.**"
    tiles = {m.label: (m.value, m.delta) for m in app.metric}
    assert tiles == {
        "Asks sent": ("1", ""),
        "Answered": ("0", "0% of asks sent"),
        "Agreed": ("0", "0% of asks sent"),
        "Advocates asked": ("1", ""),
        "Answered at least once": ("0", "0% of advocates asked"),
        "Agreed at least once": ("0", "0% of advocates asked"),
        "Produced an asset or reference": ("0", "0% of advocates asked"),
    }
    timing = next(frame for frame in app.dataframe if "median_days" in frame.value.columns)
    headers = {column: config.get("label") for column, config in json.loads(timing.proto.columns).items()}
    assert headers == {
        "_index": None,
        "channel": "Channel",
        "responses": "Answers",
        "median_days": "Half answered within (days)",
        "p75_days": "Three in four answered within (days)",
    }


def test_account_manager_sees_her_book_and_can_widen_it(app):
    open_pipeline(app, "amy")
    assert app.session_state["adv_scope"] == "My book"
    assert list(app.dataframe[0].value["contact_name"]) == ["Pat"]


def test_dates_default_to_today(app):
    open_pipeline(app)
    app.button(key="adv_nominate").click().run()
    open_tab(app, "Pipeline")
    assert app.date_input(key="work_ask_sent_on").value == dt.date.today()


def test_recording_the_answer_to_an_ask_moves_the_advocate_on(app):
    open_pipeline(app)
    app.button(key="adv_nominate").click().run()
    open_tab(app, "Pipeline")
    app.button(key="FormSubmitter:work_ask_outreach-Log ask").click().run()
    assert stage_tiles(app)["Asked"] == "1"
    app.segmented_control(key="adv_stage").set_value("asked").run()
    app.selectbox(key="work_answer_outcome").set_value("agreed")
    app.button(key="FormSubmitter:work_answer-Record the answer").click().run()
    assert app.toast[0].value == "Recorded Pat's answer: agreed."
    assert (stage_tiles(app)["Asked"], stage_tiles(app)["Agreed"]) == ("0", "1")
