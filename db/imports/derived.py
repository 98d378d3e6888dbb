"""What an import derives beyond its own rows: account facts and churn from subscriptions, and the custom
attributes of an account file. Runs inside the import's transaction."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, bindparam, delete, insert, text

from core import subscriptions
from db.models import AccountAttribute, ChurnEvent, CustomAttribute

FACT_COLUMNS = ("arr", "seats_purchased", "customer_since", "renewal_date")
SUBSCRIPTIONS_SQL = text(
    "SELECT account_id, started_on, ended_on, amount, billing_period, seats, plan FROM subscriptions "
    "WHERE account_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def _subscriptions(connection: Connection, account_ids: list[int]) -> pd.DataFrame:
    rows = connection.execute(SUBSCRIPTIONS_SQL, {"ids": account_ids}).all()
    frame = pd.DataFrame(
        rows, columns=["account_id", "started_on", "ended_on", "amount", "billing_period", "seats", "plan"]
    )
    for column in ("started_on", "ended_on"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return frame.astype({"account_id": "int64", "amount": "Float64", "seats": "Int64"})


def subscription_facts(connection: Connection, account_ids: pd.Series, with_churn: bool) -> tuple[str, ...]:
    """Set the ARR, seats purchased, customer-since and renewal dates of the accounts these subscriptions
    belong to from all their subscriptions as of today (a fact the subscriptions leave unknown is left as
    stored); with_churn also adds a churn event for every coverage that ended without a renewal."""
    ids = sorted({int(account_id) for account_id in account_ids})
    if not ids:
        return ()
    subs = _subscriptions(connection, ids)
    today = dt.date.today()
    facts = subscriptions.account_facts(subs, today)
    for column in FACT_COLUMNS:
        known = facts[column].dropna()
        if known.empty:
            continue
        values = known.dt.date if column in ("customer_since", "renewal_date") else known.astype(object)
        connection.execute(
            text(f"UPDATE accounts SET {column} = :value WHERE id = :id"),
            [{"value": value, "id": int(account_id)} for account_id, value in values.items()],
        )
    notes = [
        f"ARR, seats, customer-since and renewal dates of {len(facts):,} accounts set from their subscriptions"
    ]
    if with_churn:
        churn = subscriptions.churn_from_subscriptions(subs, as_of=today)
        stored = {
            (account_id, pd.Timestamp(day))
            for account_id, day in connection.execute(
                text("SELECT account_id, churned_on FROM churn_events WHERE account_id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": ids},
            ).all()
        }
        new = [
            {"account_id": int(row.account_id), "churned_on": row.churned_on.date(), "reason": row.reason}
            for row in churn.itertuples()
            if (row.account_id, pd.Timestamp(row.churned_on)) not in stored
        ]
        if new:
            connection.execute(insert(ChurnEvent), new)
        notes.append(f"{len(new):,} churn events derived from subscriptions that ended without a renewal")
    return tuple(notes)


def account_attributes(
    connection: Connection, rows: pd.DataFrame, values: pd.DataFrame, kinds: dict[str, str]
) -> tuple[str, ...]:
    """Replace the imported accounts' values of these custom attributes (a blank cell clears a value)."""
    if not kinds:
        return ()
    stored = set(connection.execute(text("SELECT name FROM custom_attributes")).scalars())
    new = [{"name": name, "kind": kind} for name, kind in kinds.items() if name not in stored]
    if new:
        connection.execute(insert(CustomAttribute), new)
    ids = dict(
        connection.execute(
            text("SELECT external_id, id FROM accounts WHERE external_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": rows["external_id"].tolist()},
        ).all()
    )
    account_of_row = dict(zip(rows["row"], rows["external_id"].map(ids), strict=True))
    for name in kinds:
        connection.execute(
            delete(AccountAttribute).where(
                AccountAttribute.name == name, AccountAttribute.account_id.in_(list(ids.values()))
            )
        )
    if not values.empty:
        records = values.assign(account_id=values["row"].map(account_of_row))
        connection.execute(
            insert(AccountAttribute),
            [
                {
                    "account_id": int(record.account_id),
                    "name": record.name,
                    "text_value": record.text_value if isinstance(record.text_value, str) else None,
                    "number_value": None if pd.isna(record.number_value) else float(record.number_value),
                    "date_value": None
                    if pd.isna(record.date_value)
                    else pd.Timestamp(record.date_value).date(),
                }
                for record in records.itertuples(index=False)
            ],
        )
    noun = "custom attribute" if len(kinds) == 1 else "custom attributes"
    return (f"{len(kinds):,} {noun} kept: {', '.join(kinds)}",)
