"""Mapping a file's columns to an entity's fields, and the guide to what each field accepts."""

from __future__ import annotations

import re

import pandas as pd

from core.imports.specs import MAX_TEXT, FieldSpec, entity_spec
from core.imports.validation import LIST_SEPARATOR, figure


def _normal(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def auto_map(columns: list[str], entity: str) -> dict[str, str | None]:
    """File column → field name (None = ignored), matched on field name, label and aliases, ignoring
    case, spaces, underscores and hyphens; a field goes to the first column that names it."""
    spec = entity_spec(entity)
    lookup: dict[str, str] = {}
    for field in spec.fields:
        for name in (field.name, field.label, *field.aliases):
            lookup.setdefault(_normal(name), field.name)
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in columns:
        field = lookup.get(_normal(column))
        if field in taken:
            field = None
        mapping[column] = field
        if field:
            taken.add(field)
    return mapping


REF_ACCEPTS = {
    "accounts": "an account's external id, already stored",
    "contacts": "a contact's external id, already stored",
    "users": "a user's username",
    "referrals": "a referral code, already stored",
}


def _accepts(entity: str, field: FieldSpec) -> str:
    """What a cell of field may hold, in the words the problems use."""
    if entity == "surveys" and field.name == "score":
        return "a whole number: NPS 0–10, CSAT 1–5"
    low, high = field.minimum, field.maximum
    bounds = (
        f" from {figure(low)} to {figure(high)}"
        if low is not None and high is not None
        else f", {figure(low)} or more"
        if low is not None
        else ""
    )
    return {
        "text": f"text, at most {field.max_length or MAX_TEXT:,} characters",
        "int": f"a whole number{bounds}",
        "number": f"a number such as 1234.5{bounds}",
        "date": "a date, YYYY-MM-DD",
        "datetime": "a date and time, YYYY-MM-DD HH:MM:SS",
        "bool": "true/false, yes/no, 1/0 (empty = false)",
        "choice": "one of " + ", ".join(field.choices),
        "ref": REF_ACCEPTS.get(field.ref or "", ""),
        "list": f"values separated by '{LIST_SEPARATOR}'",
    }[field.kind]


def field_guide(entity: str) -> pd.DataFrame:
    """Each field of an entity's file: the column name to use, whether it is required, what it accepts and
    which other header names are matched to it."""
    spec = entity_spec(entity)
    return pd.DataFrame(
        {
            "column": [field.name for field in spec.fields],
            "required": [field.required for field in spec.fields],
            "accepts": [_accepts(entity, field) for field in spec.fields],
            "also_named": [", ".join([field.label, *field.aliases]) for field in spec.fields],
        }
    )
