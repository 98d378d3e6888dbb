"""The Import and export page, driven through AppTest on a fresh copy of the small hand-made book."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from db.engine import make_engine
from db.models import Account, AuditLog, Contact, SurveyResponse, UsageWeekly
from tests.db.factories import build_book
from tests.pages.conftest import database_at, log_in, page_file

GOOD = (
    b"Contact ID,Account,Full name,E-mail,Job title,Relationship\n"
    b"CON-A,ACC-1,Ana Alves,ana@a1.example,VP Operations,4\n"
    b'CON-B,ACC-2,=HYPERLINK("http://x"),ben@a2.example,CTO,5\n'
)
BAD = (
    b"external_id,account,name,relationship_strength\n"
    b"CON-C,ACC-1,Cy,3\nCON-D,ACC-999,Di,9\nCON-E,ACC-999,Ed,2\nCON-F,ACC-999,Flo,1\n"
)
# A help-desk export: no survey kind, a ticket id, one ticket without a satisfaction score, date-times.
TICKETS = (
    b"Ticket ID,Account,Satisfaction score,Created at,Subject\n"
    b"T-1,ACC-1,5,2026-03-05 13:22:00,Login fails\n"
    b"T-2,ACC-2,,2026-03-06T09:00:00Z,Invoice\n"
    b"T-3,ACC-2,2,2026-03-07 10:00:00,Slow reports\n"
)


@pytest.fixture
def app_database_url(tmp_path) -> str:
    """A database of each test's own: imports write to it."""
    return database_at(tmp_path, build_book)


def rows(url: str, query) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = [tuple(row) for row in conn.execute(query).all()]
    engine.dispose()
    return found


def contacts(url: str) -> list[tuple]:
    return rows(
        url,
        select(Contact.external_id, Contact.name, Contact.relationship_strength).order_by(
            Contact.external_id
        ),
    )


def audited_imports(url: str) -> int:
    return rows(url, select(func.count()).where(AuditLog.action == "import_data"))[0][0]


def open_import(app: AppTest, entity: str, name: str, payload: bytes) -> AppTest:
    log_in(app, "ada")
    app.switch_page("pages/imports.py").run()
    app.selectbox(key="import_entity").set_value(entity).run()
    return upload(app, entity, name, payload)


def upload(app: AppTest, entity: str, name: str, payload: bytes) -> AppTest:
    app.file_uploader(key=f"import_file_{entity}").set_value((name, payload, "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def map_tickets_as_csat(app: AppTest, name: str) -> None:
    """The ticket id is the answer's external id; every row is a CSAT answer."""
    app.selectbox(key=f"import_map_surveys_{name}_0").set_value("external_id").run()
    app.selectbox(key=f"import_set_surveys_{name}_kind").set_value("csat").run()


def test_admin_maps_previews_checks_and_imports_a_file_once(app, app_database_url):
    before = contacts(app_database_url)
    open_import(app, "contacts", "contacts.csv", GOOD)
    # Matched by name and alias, whatever the case and spacing.
    assert app.selectbox(key="import_map_contacts_contacts.csv_2").value == "name"
    assert app.selectbox(key="import_map_contacts_contacts.csv_5").value == "relationship_strength"
    preview = app.dataframe[-1].value
    assert preview["row"].tolist() == [2, 3]
    assert preview["name"].tolist() == ["Ana Alves", '=HYPERLINK("http://x")']
    assert app.success[0].value == "2 rows are ready. Would add 2, update 0, leave 0 unchanged."
    assert contacts(app_database_url) == before  # the check wrote nothing

    app.button(key="import_run").click().run()
    assert not app.error, [e.value for e in app.error]
    assert app.success[-1].value == "Imported 2 rows: 2 added, 0 updated, 0 unchanged."
    assert contacts(app_database_url) == sorted(
        [*before, ("CON-A", "Ana Alves", 4), ("CON-B", '=HYPERLINK("http://x")', 5)]
    )

    app.button(key="import_run").click().run()
    assert app.success[0].value == "2 rows are ready. Would add 0, update 0, leave 2 unchanged."
    assert app.success[-1].value == "Imported 2 rows: 0 added, 0 updated, 2 unchanged."
    assert len(contacts(app_database_url)) == len(before) + 2
    assert audited_imports(app_database_url) == 2


def test_a_checked_import_says_what_it_would_add_and_update_and_writes_nothing(app, app_database_url):
    names = select(Account.external_id, Account.name).order_by(Account.external_id)
    before = rows(app_database_url, names)
    open_import(app, "accounts", "accounts.csv", b"Account ID,Account name\nACC-1,Renamed\nACC-9,New one\n")
    assert app.success[0].value == "2 rows are ready. Would add 1, update 1, leave 0 unchanged."
    assert rows(app_database_url, names) == before
    assert audited_imports(app_database_url) == 0


def test_a_column_mapped_by_hand_is_stored_in_that_field(app, app_database_url):
    open_import(
        app,
        "contacts",
        "remap.csv",
        b"external_id,account,name,email,title,Closeness\nCON-R,ACC-1,Ria,ria@a1.example,CFO,2\n",
    )
    closeness = app.selectbox(key="import_map_contacts_remap.csv_5")
    assert closeness.value is None  # "Closeness" names no field: ignored until mapped
    closeness.set_value("relationship_strength").run()
    app.button(key="import_run").click().run()
    assert ("CON-R", "Ria", 2) in contacts(app_database_url)


def test_problems_are_grouped_by_column_and_value_and_nothing_is_stored(app, app_database_url):
    before = contacts(app_database_url)
    open_import(app, "contacts", "bad.csv", BAD)
    assert "**4 problems** in 2 groups" in app.error[0].value
    grouped = app.table[0].value
    assert grouped.to_dict("records") == [
        {
            "Column": "account",
            "Value": "ACC-999",
            "Problem": "account 'ACC-999' does not exist",
            "Rows": "3",
            "First rows": "3, 4, 5",
        },
        {
            "Column": "relationship_strength",
            "Value": "9",
            "Problem": grouped.loc[1, "Problem"],
            "Rows": "1",
            "First rows": "3",
        },
    ]
    assert "1" in grouped.loc[1, "Problem"] and "5" in grouped.loc[1, "Problem"]
    assert [b.label for b in app.get("download_button")] == [
        "Download a template (contacts.csv)",
        "Download every problem (CSV)",
    ]
    assert not [b for b in app.button if b.key == "import_run"]
    assert contacts(app_database_url) == before


def test_a_ticket_export_becomes_csat_answers_with_a_constant_kind(app, app_database_url):
    open_import(app, "surveys", "tickets.csv", TICKETS)
    # No column holds the external id or the kind yet: one problem each, about the whole file.
    grouped = app.table[0].value
    assert grouped[["Column", "Rows", "First rows"]].to_dict("records") == [
        {"Column": "External id", "Rows": "all", "First rows": "—"},
        {"Column": "Kind", "Rows": "all", "First rows": "—"},
    ]
    map_tickets_as_csat(app, "tickets.csv")
    assert [info.value for info in app.info] == ["- 1 row skipped: no score"]
    assert app.success[0].value == "2 rows are ready. Would add 2, update 0, leave 0 unchanged."

    app.button(key="import_run").click().run()
    assert app.success[-1].value == "Imported 2 rows: 2 added, 0 updated, 0 unchanged."
    answers = select(
        SurveyResponse.external_id, SurveyResponse.kind, SurveyResponse.score, SurveyResponse.responded_on
    ).where(SurveyResponse.external_id.like("T-%"))
    assert sorted(rows(app_database_url, answers)) == [
        ("T-1", "csat", 5, dt.date(2026, 3, 5)),
        ("T-3", "csat", 2, dt.date(2026, 3, 7)),
    ]


def test_file_values_are_mapped_onto_the_apps_values_as_suggested(app, app_database_url):
    open_import(
        app,
        "accounts",
        "crm.csv",
        b"Account ID,Account name,Country,Tier\n"
        b"ACC-N1,Acme,US,Gold\nACC-N2,Bolt,DE,Silver\nACC-N3,Core,us,Gold\nACC-N4,Dyne,US,Gold\n",
    )
    assert app.selectbox(key="import_map_accounts_crm.csv_3").value == "__custom_attribute__"
    values = app.dataframe[1].value  # after the field guide: the region's values
    assert values.to_dict("records") == [
        {"value": "US", "rows": 3, "app": "North America"},
        {"value": "DE", "rows": 1, "app": "EMEA"},
    ]
    assert app.info[0].value.endswith("kept: Tier")  # the column no field takes, as a custom attribute
    app.button(key="import_run").click().run()
    assert app.success[-1].value == "Imported 4 rows: 4 added, 0 updated, 0 unchanged."
    regions = select(Account.external_id, Account.region).where(Account.external_id.like("ACC-N%"))
    assert sorted(rows(app_database_url, regions)) == [
        ("ACC-N1", "North America"),
        ("ACC-N2", "EMEA"),
        ("ACC-N3", "North America"),
        ("ACC-N4", "North America"),
    ]


def test_a_saved_profile_maps_the_next_file_of_that_shape(app, app_database_url):
    open_import(app, "surveys", "tickets.csv", TICKETS)
    map_tickets_as_csat(app, "tickets.csv")
    app.text_input(key="import_profile_name").input("Help desk CSAT").run()
    app.button(key="import_profile_save").click().run()
    assert app.toast[0].value == "Saved the mapping as import profile 'Help desk CSAT'."

    app.run()  # the next rerun lists it
    app.selectbox(key="import_profile_surveys").set_value("Help desk CSAT").run()
    upload(app, "surveys", "april.csv", TICKETS.replace(b"T-", b"A-"))
    assert app.selectbox(key="import_map_surveys_april.csv_0").value == "external_id"
    assert app.selectbox(key="import_set_surveys_april.csv_kind").value == "csat"
    app.button(key="import_run").click().run()
    assert app.success[-1].value == "Imported 2 rows: 2 added, 0 updated, 0 unchanged."

    upload(app, "surveys", "other.csv", b"Account,Score,Date\nACC-1,5,2026-03-05\n")
    assert [e.value for e in app.error] == [
        "The profile does not fit this file: it has no column 'Ticket ID', 'Satisfaction score', 'Created at'."
    ]


def test_a_profile_name_is_checked(app):
    open_import(app, "contacts", "contacts.csv", GOOD)
    app.button(key="import_profile_save").click().run()
    assert [e.value for e in app.error] == [
        "A profile name has 1 to 80 characters and no control characters."
    ]


def test_key_features_are_saved_audited_and_count_in_the_next_events_import(app, app_database_url):
    log_in(app, "ada")
    app.switch_page("pages/imports.py").run()
    app.selectbox(key="import_entity").set_value("usage_events").run()
    app.text_area(key="import_key_features").input("Export\n  report_share \n\nexport\n").run()
    app.button(key="import_key_features_save").click().run()
    assert app.toast[0].value == "2 key features saved."
    assert rows(app_database_url, select(AuditLog.after).where(AuditLog.action == "set_key_features")) == [
        ('["Export", "report_share"]',)
    ]
    events = (
        b"account,user,at,feature\n"
        b"ACC-1,u1,2026-11-02T08:00:00Z,export\n"
        b"ACC-1,u2,2026-11-03 09:00:00,REPORT_SHARE\n"
        b"ACC-1,u1,2026-11-03 10:00:00,login\n"
    )
    upload(app, "usage_events", "events.csv", events)
    app.button(key="import_run").click().run()
    assert rows(
        app_database_url,
        select(UsageWeekly.active_users, UsageWeekly.logins, UsageWeekly.key_feature_events)
        .join(Account, Account.id == UsageWeekly.account_id)
        .where(UsageWeekly.week_start == dt.date(2026, 11, 2), Account.external_id == "ACC-1"),
    ) == [(2, 3, 2)]


def test_each_kind_offers_its_template(app):
    log_in(app, "ada")
    app.switch_page("pages/imports.py").run()
    app.selectbox(key="import_entity").set_value("subscriptions").run()
    assert app.get("download_button")[0].proto.label == "Download a template (subscriptions.csv)"


def test_an_unreadable_file_says_why(app):
    open_import(
        app, "contacts", "latin1.csv", "external_id,account,name\nCON-Z,ACC-1,Zoë\n".encode("latin-1")
    )
    assert "UTF-8" in app.error[0].value


ROLE_LABEL = {"amy": "Account manager", "mark": "Marketing", "sam": "Sales"}


@pytest.mark.parametrize("username", ["amy", "mark", "sam"])
def test_only_admins_open_the_import_page(environment, username):
    app = page_file("imports.py")
    log_in(app, username)
    assert [e.value for e in app.error] == [
        f"Import and export is not available to the {ROLE_LABEL[username]} role. "
        "The pages you can open are in the menu on the left."
    ]
    assert not app.file_uploader
