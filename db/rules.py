"""Rules of the domain that several reads share, written once as SQL fragments for SQLite and PostgreSQL alike.

Each function takes SQL expressions (an account id such as "a.id", a day such as ":as_of") and returns a condition
to put in a WHERE clause or a CASE; a constant is a condition on one table's own columns. The subqueries seek through indexes: churn events by (account_id, churned_on),
subscriptions by (account_id, started_on), usage by its key (account_id, week_start).
"""

from __future__ import annotations

# A complaint: a ticket of the complaint category or an escalated one (the health score's support counts them,
# and one holds back an advocate ask). Tickets have a partial index on it (db/models/accounts.py).
COMPLAINT = "category = 'complaint' OR escalated"


def churned(account: str, day: str) -> str:
    """True when the account is churned as of day: its latest churn on or before day has no later activity up to
    day. Activity is a subscription started after that churn, or a usage week after it with any use (active
    users, logins or key-feature events above 0). An account may churn, return and churn again.

    Written as "some churn on or before day has no activity after it up to day", which is the same: if the latest
    churn has none, it is such a churn; if an earlier one has none, the later ones have none either."""
    return f"""EXISTS (
    SELECT 1 FROM churn_events churn
    WHERE churn.account_id = {account} AND churn.churned_on <= {day}
      AND NOT EXISTS (
          SELECT 1 FROM subscriptions returned
          WHERE returned.account_id = churn.account_id
            AND returned.started_on > churn.churned_on AND returned.started_on <= {day})
      AND NOT EXISTS (
          SELECT 1 FROM usage_weekly used
          WHERE used.account_id = churn.account_id
            AND used.week_start > churn.churned_on AND used.week_start <= {day}
            AND (used.active_users > 0 OR used.logins > 0 OR used.key_feature_events > 0)))"""


def active(accounts: str, day: str) -> str:
    """True when the account (accounts: the alias of the accounts table) is a customer on day: customer since
    then or earlier (an unknown start does not hold it back: it is a customer from its first data) and not
    churned as of day."""
    since = f"{accounts}.customer_since"
    return f"({since} IS NULL OR {since} <= {day}) AND NOT {churned(f'{accounts}.id', day)}"
