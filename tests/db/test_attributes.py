"""The custom attribute read and the coverage panel's ticket read, on SQLite and PostgreSQL."""

import datetime as dt

import pandas as pd
from sqlalchemy import insert

from db.engine import transaction
from db.models import AccountAttribute, CustomAttribute
from db.reads import accounts as account_reads
from tests.db.factories import AS_OF, build_book


def add_attributes(engine) -> None:
    """Custom attributes of each kind on build_book's accounts 1 and 2: one with a single value, one without any."""
    with transaction(engine) as session:
        session.execute(
            insert(CustomAttribute),
            [
                {"name": "Contract", "kind": "text"},
                {"name": "monthly charges", "kind": "number"},
                {"name": "Partner", "kind": "bool"},
                {"name": "Contract start", "kind": "date"},
                {"name": "Discount", "kind": "number"},
                {"name": "Tenure band", "kind": "text"},
            ],
        )
        session.execute(
            insert(AccountAttribute),
            [
                {"account_id": 1, "name": "Contract", "text_value": "Two year"},
                {"account_id": 2, "name": "Contract", "text_value": "Month-to-month"},
                {"account_id": 1, "name": "monthly charges", "number_value": 1234.5},
                {"account_id": 2, "name": "monthly charges", "number_value": 20.0},
                {"account_id": 1, "name": "Partner", "number_value": 1.0},
                {"account_id": 2, "name": "Partner", "number_value": 0.0},
                {"account_id": 1, "name": "Contract start", "date_value": dt.date(2024, 3, 5)},
                {"account_id": 2, "name": "Discount", "number_value": 10.0},
            ],
        )


KINDS = {
    "Contract": "text",
    "Contract start": "date",
    "Discount": "number",
    "monthly charges": "number",
    "Partner": "bool",
    "Tenure band": "text",
}


def test_attribute_kinds_in_name_order(engine):
    assert account_reads.attribute_kinds(engine) == {}
    build_book(engine)
    add_attributes(engine)
    assert list(account_reads.attribute_kinds(engine).items()) == list(KINDS.items())


def test_attribute_values_typed_with_unknown_as_na(engine):
    build_book(engine)
    add_attributes(engine)
    values = account_reads.attribute_values(engine, KINDS)
    assert list(values.index) == [1, 2] and list(values.columns) == list(KINDS)
    assert values["Contract"].tolist() == ["Two year", "Month-to-month"]
    assert values["monthly charges"].tolist() == [1234.5, 20.0]
    assert values["Partner"].dtype == "boolean" and values["Partner"].tolist() == [True, False]
    assert values.loc[1, "Contract start"] == pd.Timestamp(2024, 3, 5)
    assert pd.isna(values.loc[2, "Contract start"])
    assert values["Tenure band"].isna().all()


def test_attribute_values_of_some_attributes_or_one_account(engine):
    build_book(engine)
    add_attributes(engine)
    one = account_reads.attribute_values(engine, {"Contract start": "date"})
    assert list(one.columns) == ["Contract start"] and list(one.index) == [1]
    second = account_reads.attribute_values(engine, KINDS, account_id=2)
    assert list(second.index) == [2] and second.loc[2, "Contract"] == "Month-to-month"
    assert account_reads.attribute_values(engine, {}).empty


def test_ticketed_accounts_counts_any_ticket_up_to_the_day(engine):
    build_book(engine)  # account 2's tickets: January to 10 Nov 2026
    assert account_reads.ticketed_accounts(engine, AS_OF) == {2}
    assert account_reads.ticketed_accounts(engine, dt.date(2025, 12, 31)) == set()
