"""Custom account attributes as pandas: their kinds, and the typed values of some of them (one query each).

The values are read only for the attributes a page needs (one to filter the board, all to export it, all of one
account for its page): an account file may bring dozens of columns for 50,000 accounts."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, String, bindparam, text

VALUES_SQL = "SELECT name, account_id, text_value, number_value, date_value FROM account_attributes WHERE name IN :names"
BOOK_VALUES = text(VALUES_SQL).bindparams(bindparam("names", expanding=True, type_=String))
ACCOUNT_VALUES = text(VALUES_SQL + " AND account_id = :account_id").bindparams(
    bindparam("names", expanding=True, type_=String)
)


def attribute_kinds(engine: Engine) -> dict[str, str]:
    """Every custom attribute's kind (text, number, date or bool) by name, in name order ignoring case."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, kind FROM custom_attributes")).all()
    return dict(sorted(rows, key=lambda row: row.name.casefold()))


def attribute_values(engine: Engine, kinds: dict[str, str], account_id: int | None = None) -> pd.DataFrame:
    """The values of the attributes in kinds (name → kind) of every account, or only of account_id: a row per
    account with any value, a column per attribute (text as str, number as float, date as datetime64, yes/no as
    boolean), NA where an account has no value."""
    stmt, params = BOOK_VALUES, {"names": list(kinds)}
    if account_id is not None:
        stmt, params = ACCOUNT_VALUES, {**params, "account_id": account_id}
    with engine.connect() as conn:
        result = conn.execute(stmt, params)
        # The driver's plain tuples, as db.reads.frame reads them: a third faster than pd.read_sql.
        rows = pd.DataFrame.from_records(
            result.cursor.fetchall(), columns=list(result.keys()), coerce_float=True
        )
    rows["date_value"] = pd.to_datetime(rows["date_value"], format="ISO8601")
    rows = rows.astype({"account_id": "int64"}).set_index("account_id")
    by_name = dict(list(rows.groupby("name")))
    columns = {name: _typed(by_name.get(name, rows.iloc[:0]), kind) for name, kind in kinds.items()}
    return pd.DataFrame(columns, index=pd.Index(rows.index.unique().sort_values(), name="account_id"))


def _typed(rows: pd.DataFrame, kind: str) -> pd.Series:
    """One attribute's values from the column of its kind (yes/no is stored as the number 1 or 0)."""
    if kind == "text":
        return rows["text_value"].astype("str")
    if kind == "date":
        return rows["date_value"].astype("datetime64[us]")
    numbers = rows["number_value"].astype(float)
    return numbers.astype("boolean") if kind == "bool" else numbers
