"""Custom account attributes as pandas: one read of every attribute and every account's value of it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from db import reads

# The attributes without values come along too (LEFT JOIN), so every attribute has its kind and a column.
ATTRIBUTES_SQL = """
SELECT c.name, c.kind, v.account_id, v.text_value, v.number_value, v.date_value
FROM custom_attributes c LEFT JOIN account_attributes v ON v.name = c.name
"""


@dataclass(frozen=True)
class AccountAttributes:
    """kinds: attribute name → text, number, date or bool, in name order (ignoring case).
    values: one row per account with any value, one column per attribute (text as str, number as float, date as
    datetime64, bool as boolean); an account without a value of an attribute has NA there."""

    kinds: dict[str, str]
    values: pd.DataFrame


def account_attributes(engine: Engine) -> AccountAttributes:
    """Every custom attribute with its kind, and every account's typed value of it."""
    rows = reads.frame(engine, ATTRIBUTES_SQL, dates=["date_value"])
    kinds = dict(sorted(zip(rows["name"], rows["kind"], strict=True), key=lambda item: item[0].casefold()))
    rows = rows.dropna(subset=["account_id"]).astype({"account_id": "int64"})
    by_name = {name: group.set_index("account_id") for name, group in rows.groupby("name")}
    empty = rows.iloc[:0].set_index("account_id")
    columns = {name: _typed(by_name.get(name, empty), kind) for name, kind in kinds.items()}
    values = pd.DataFrame(columns, index=pd.Index(sorted(rows["account_id"].unique()), name="account_id"))
    return AccountAttributes(kinds, values)


def _typed(rows: pd.DataFrame, kind: str) -> pd.Series:
    """One attribute's values from the column of its kind (yes/no is stored as the number 1 or 0)."""
    if kind == "text":
        return rows["text_value"].astype("str")
    if kind == "date":
        return rows["date_value"].astype("datetime64[us]")
    numbers = rows["number_value"].astype(float)
    return numbers.astype("boolean") if kind == "bool" else numbers
