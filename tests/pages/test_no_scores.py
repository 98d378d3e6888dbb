"""Overview, the Health board and "Does the score work?" say in plain words why there are no scores yet."""

import datetime as dt

import pytest

from db.engine import transaction
from db.models import UsageWeekly
from tests.db.factories import account, add_user
from tests.pages.conftest import database_at, log_in

NO_USAGE = "No health scores yet. No usage imported yet: import usage or usage events first."
TOO_LITTLE = (
    "No health scores yet. No week can be scored yet: the score needs 12 weeks of usage history; the first usage "
    "week is 2026-10-05, so the first scorable week is 2026-12-21 (usage so far ends with the week of 2026-10-19)."
)


def accounts_only(engine) -> None:
    owner = add_user(engine)
    with transaction(engine) as session:
        session.add_all([account(1, owner), account(2, owner)])


def three_weeks_of_usage(engine) -> None:
    accounts_only(engine)
    with transaction(engine) as session:
        session.add_all(
            UsageWeekly(account_id=1, week_start=week, active_users=5, logins=9, key_feature_events=2)
            for week in (dt.date(2026, 10, 5), dt.date(2026, 10, 12), dt.date(2026, 10, 19))
        )


@pytest.fixture(
    params=[(accounts_only, NO_USAGE), (three_weeks_of_usage, TOO_LITTLE)], ids=["no usage", "3 weeks"]
)
def case(request, tmp_path) -> tuple[str, str]:
    build, message = request.param
    return database_at(tmp_path, build), message


@pytest.fixture
def app_database_url(case) -> str:
    return case[0]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/health.py", "pages/score_check.py"])
def test_pages_say_why_there_are_no_scores(app, case, page):
    log_in(app, "mark")
    app.switch_page(page).run()
    assert not app.exception
    assert [info.value for info in app.info] == [case[1]]
    assert not app.dataframe and not app.metric
