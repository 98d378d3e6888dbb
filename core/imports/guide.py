"""The guide to what each field of an import accepts, in the words the problems use."""

from __future__ import annotations

import pandas as pd

from core.imports.specs import MAX_TEXT, FieldSpec, entity_spec
from core.imports.validation import LIST_SEPARATOR, figure

REF_ACCEPTS = {
    "accounts": "an account's external id (or its name, when no other account has it), already stored",
    "contacts": "a contact's external id, already stored",
    "users": "a user's username, e-mail or name",
    "referrals": "a referral code, already stored",
    "subscription_accounts": "a subscription's external id, already stored",
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
