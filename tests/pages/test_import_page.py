"""The Import and export page, driven through AppTest on a fresh copy of the small hand-made book."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from db.engine import make_engine
from db.models import AuditLog, Contact
from tests.db.factories import build_book
from tests.pages.conftest import database_at, log_in, page_file

GOOD = (
    b"Contact ID,Account,Full name,E-mail,Job title,Relationship\n"
    b"CON-A,ACC-1,Ana Alves,ana@a1.example,VP Operations,4\n"
    b'CON-B,ACC-2,=HYPERLINK("http://x"),ben@a2.example,CTO,5\n'
)
BAD = b"external_id,account,name,relationship_strength\nCON-C,ACC-1,Cy,3\nCON-D,ACC-999,Di,9\n"


@pytest.fixture(scope="module")
def built_database(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("import_page")
    database_at(folder, build_book)
    return str(folder / "app.db")


@pytest.fixture
def app_database_url(built_database, tmp_path) -> str:
    """A fresh copy for each test: imports write to it."""
    copy = tmp_path / "app.db"
    shutil.copyfile(built_database, copy)
    return f"sqlite:///{copy}"


def contacts(url: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Contact.external_id, Contact.name, Contact.relationship_strength).order_by(
                Contact.external_id
            )
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def open_import(app: AppTest, entity: str, name: str, payload: bytes) -> AppTest:
    log_in(app, "ada")
    app.switch_page("pages/imports.py").run()
    app.selectbox(key="import_entity").set_value(entity).run()
    app.file_uploader(key=f"import_file_{entity}").set_value((name, payload, "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_admin_maps_previews_and_imports_a_file_once(app, app_database_url):
    before = contacts(app_database_url)
    open_import(app, "contacts", "contacts.csv", GOOD)
    # Matched by name and alias, whatever the case and spacing.
    assert app.selectbox(key="import_map_contacts_contacts.csv_2").value == "name"
    assert app.selectbox(key="import_map_contacts_contacts.csv_5").value == "relationship_strength"
    preview = app.dataframe[-1].value
    assert preview["row"].tolist() == [2, 3]
    assert preview["name"].tolist() == ["Ana Alves", '=HYPERLINK("http://x")']
    assert "2 rows are ready." in app.success[0].value

    app.button(key="import_run").click().run()
    assert not app.error, [e.value for e in app.error]
    assert app.success[-1].value == "Imported 2 rows: 2 added, 0 updated, 0 unchanged."
    assert contacts(app_database_url) == sorted(
        [*before, ("CON-A", "Ana Alves", 4), ("CON-B", '=HYPERLINK("http://x")', 5)]
    )

    app.button(key="import_run").click().run()
    assert app.success[-1].value == "Imported 2 rows: 0 added, 0 updated, 2 unchanged."
    assert len(contacts(app_database_url)) == len(before) + 2
    engine = make_engine(app_database_url)
    with engine.connect() as conn:
        audited = conn.scalar(select(func.count()).where(AuditLog.action == "import_data"))
    engine.dispose()
    assert audited == 2


def test_a_column_mapped_by_hand_is_stored_in_that_field(app, app_database_url):
    open_import(app, "contacts", "remap.csv", b"external_id,account,name,Closeness\nCON-R,ACC-1,Ria,2\n")
    closeness = app.selectbox(key="import_map_contacts_remap.csv_3")
    assert closeness.value is None  # "Closeness" names no field: ignored until mapped
    closeness.set_value("relationship_strength").run()
    app.button(key="import_run").click().run()
    assert ("CON-R", "Ria", 2) in contacts(app_database_url)


def test_problems_name_row_column_and_value_and_nothing_is_stored(app, app_database_url):
    before = contacts(app_database_url)
    open_import(app, "contacts", "bad.csv", BAD)
    assert "**2 problems**" in app.error[0].value
    problems = app.dataframe[1].value  # after the field guide, before the preview
    assert problems.to_dict("records") == [
        {"row": 3, "column": "account", "value": "ACC-999", "problem": "account 'ACC-999' does not exist"},
        {
            "row": 3,
            "column": "relationship_strength",
            "value": "9",
            "problem": problems.loc[1, "problem"],
        },
    ]
    assert "1" in problems.loc[1, "problem"] and "5" in problems.loc[1, "problem"]
    assert not [b for b in app.button if b.key == "import_run"]
    assert contacts(app_database_url) == before


def test_an_unreadable_file_says_why(app):
    open_import(
        app, "contacts", "latin1.csv", "external_id,account,name\nCON-Z,ACC-1,Zoë\n".encode("latin-1")
    )
    assert "UTF-8" in app.error[0].value


@pytest.mark.parametrize("username", ["amy", "mark", "sam"])
def test_only_admins_open_the_import_page(environment, username):
    app = page_file("imports.py")
    log_in(app, username)
    assert [e.value for e in app.error] == ["Your role does not give access to this page."]
    assert not app.file_uploader
