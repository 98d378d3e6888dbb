from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import roles
from core.roles import ROLE_LABELS
from tests.pages.conftest import APP, PASSWORD, ROLE_USERS, log_in, page_file

PAGES = sorted(f"pages/{path.name}" for path in (Path(APP).parent / "pages").glob("*.py"))
SPECS = {spec.path: spec for spec in roles.PAGES}


def test_the_role_matrix_lists_every_page_file():
    assert sorted(SPECS) == PAGES


def test_only_the_login_form_renders_before_login(app):
    app.run()
    assert [t.label for t in app.text_input] == ["Username", "Password"]
    assert not app.title and not app.metric
    assert not app.sidebar.button


def test_wrong_password_is_refused(app):
    log_in(app, "amy", "not the password")
    assert "incorrect" in app.error[0].value
    assert not app.metric


@pytest.mark.parametrize("page", PAGES)
def test_page_files_opened_directly_show_only_the_login_form(environment, page):
    direct = page_file(page.removeprefix("pages/")).run()
    assert [t.label for t in direct.text_input] == ["Username", "Password"]
    assert not direct.title and not direct.metric


def metric_values(app: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in app.metric}


@pytest.mark.parametrize("role", ["admin", "marketing"])
def test_overview_shows_company_figures(app, role):
    log_in(app, ROLE_USERS[role])
    app.switch_page("pages/overview.py").run()
    assert not app.exception
    assert app.title[0].value == "Overview"
    # Hand-computed from tests/db/factories.py: accounts 1 and 2 are active (ARR 10k + 20k);
    # NPS answers 10, 3, 0 in 90 days → (1 − 2) / 3; account 2 scores 24.0 → at risk.
    assert metric_values(app) == {
        "Active accounts": ("2", ""),
        "ARR": ("$30.0k", ""),
        "NPS": ("-33", ""),
        "Accounts at risk": ("1", "$20.0k ARR"),
        "Open reference requests": ("1", "1 overdue"),
    }


def test_account_manager_sees_own_book_by_default(app):
    log_in(app, "amy")
    app.switch_page("pages/overview.py").run()
    assert app.session_state["scope"] == "My book"
    assert metric_values(app)["NPS"] == ("0", "")  # only amy's accounts: 10 and 3
    assert metric_values(app)["Active accounts"] == ("2", "")


@pytest.fixture(scope="module")
def apps_by_role() -> dict[str, AppTest]:
    return {}


@pytest.fixture
def logged_in(served, apps_by_role) -> Callable[[str], AppTest]:
    """logged_in(role): the app with that role's user logged in, once for the module (the tests then open one
    page each in it, as the user goes from page to page in the menu)."""

    def get(role: str) -> AppTest:
        if role not in apps_by_role:
            apps_by_role[role] = log_in(AppTest.from_file(APP, default_timeout=30), ROLE_USERS[role])
        return apps_by_role[role]

    return get


@pytest.mark.parametrize("role", list(ROLE_USERS))
@pytest.mark.parametrize("page", PAGES)
def test_navigation_offers_only_the_roles_pages(logged_in, role, page):
    app = logged_in(role)
    if role in SPECS[page].roles:
        app.switch_page(page).run()
        assert not app.exception and not app.error
        assert app.title[0].value == SPECS[page].title
    else:
        # The page is there, but says it is not for this role and shows nothing else.
        app.switch_page(page).run()
        assert not app.exception
        assert [e.value for e in app.error] == [
            f"{SPECS[page].title} is not available to the {ROLE_LABELS[role]} role. "
            "The pages you can open are in the menu on the left."
        ]
        assert not app.main.title and not app.main.metric and not app.main.dataframe


@pytest.mark.parametrize(
    ("role", "page"),
    [(role, page) for page in PAGES for role in ROLE_USERS if role not in SPECS[page].roles],
)
def test_guard_refuses_a_page_outside_the_role_even_when_served_directly(environment, role, page):
    direct = page_file(page.removeprefix("pages/")).run()
    direct.text_input[0].input(ROLE_USERS[role])
    direct.text_input[1].input(PASSWORD)
    direct.button[0].click()
    direct.run()
    assert [e.value for e in direct.error] == [
        f"{SPECS[page].title} is not available to the {ROLE_LABELS[role]} role. "
        "The pages you can open are in the menu on the left."
    ]
    assert not direct.title and not direct.metric and not direct.number_input and not direct.dataframe


def test_admin_logs_in_on_a_page_served_directly(environment):
    direct = page_file("admin.py").run()
    direct.text_input[0].input("ada")
    direct.text_input[1].input(PASSWORD)
    direct.button[0].click()
    direct.run()
    assert direct.title[0].value == "Admin"
    assert direct.sidebar.button(key="log_out")


def test_logout_returns_to_the_login_form(app):
    log_in(app, "sam")
    app.run()
    app.sidebar.button(key="log_out").click().run()
    assert [t.label for t in app.text_input] == ["Username", "Password"]
    assert not app.metric and not app.sidebar.button
