"""Reads of the purchases and referrals family: customers and their purchases, acquisition spend, referrals and
their events, and the advocates who refer.

Each returns DataFrames shaped for core.kpis, core.referrals and core.weekly."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from db import reads, rules


def customers(engine: Engine) -> pd.DataFrame:
    """Every account as a customer, by account_id: customer_since, churned_on, first_purchase (NaT before any),
    segment, industry. churned_on is the day of the latest churn of an account churned today (db.rules.churned),
    NaT for a customer: an account that churned and came back is a customer again."""
    frame = reads.frame(
        engine,
        # A seek per account in the (account_id, purchased_on) index beats grouping every purchase.
        "SELECT a.id AS account_id, a.customer_since, "
        f"CASE WHEN {rules.churned('a.id', ':today')} THEN "
        "(SELECT MAX(e.churned_on) FROM churn_events e WHERE e.account_id = a.id AND e.churned_on <= :today) "
        "END AS churned_on, "
        "(SELECT MIN(p.purchased_on) FROM purchases p WHERE p.account_id = a.id) AS first_purchase, "
        "a.segment, a.industry FROM accounts a",
        ["customer_since", "churned_on", "first_purchase"],
        {"today": dt.date.today()},
    )
    return frame.set_index("account_id")


def purchases(engine: Engine) -> pd.DataFrame:
    """Every purchase: account_id, purchased_on, amount, referral_id (NaN unless a referral brought it)."""
    return _purchases(engine, "")


def purchases_between(engine: Engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The purchases of the days start…end, as purchases() reads them."""
    return _purchases(engine, "WHERE purchased_on BETWEEN :start AND :end", {"start": start, "end": end})


def purchase_daily(engine: Engine) -> pd.DataFrame:
    """Purchases per day: purchased_on, purchases, amount, referral_purchases (those a referral brought)."""
    sql = (
        f"SELECT {reads.day_number(engine, 'purchased_on')}, COUNT(*), SUM(amount), COUNT(referral_id) "
        "FROM purchases GROUP BY purchased_on"
    )
    columns = ["purchased_on", "purchases", "amount", "referral_purchases"]
    frame = reads.numbers(engine, sql, columns, ["purchased_on"])
    return frame.astype({"purchases": "int64", "referral_purchases": "int64"})


def buyers_between(engine: Engine, start: dt.date, end: dt.date) -> pd.Series:
    """The account of each purchase of the days start…end."""
    sql = "SELECT account_id FROM purchases WHERE purchased_on BETWEEN :start AND :end"
    frame = reads.numbers(engine, sql, ["account_id"], [], {"start": start, "end": end})
    return frame["account_id"].astype("int64")


def _purchases(engine: Engine, where: str, params: dict | None = None) -> pd.DataFrame:
    sql = f"SELECT account_id, {reads.day_number(engine, 'purchased_on')}, amount, referral_id FROM purchases {where}"
    columns = ["account_id", "purchased_on", "amount", "referral_id"]
    return reads.numbers(engine, sql, columns, ["purchased_on"], params).astype({"account_id": "int64"})


def spend(engine: Engine) -> pd.DataFrame:
    """Acquisition spend per month and channel: month (its first day), channel, amount."""
    frame = reads.frame(engine, "SELECT month, channel, amount FROM acquisition_spend", ["month"])
    return frame.astype({"amount": float})


def referrals(engine: Engine) -> pd.DataFrame:
    """Every referral by id: code, advocate_id, advocate (name), advocate_account, referred_company, campaign,
    created_on."""
    frame = reads.frame(
        engine,
        "SELECT r.id, r.code, r.advocate_id, c.name AS advocate, a.name AS advocate_account, r.referred_company, "
        "r.campaign, r.created_on FROM referrals r JOIN advocates adv ON adv.id = r.advocate_id "
        "JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id",
        ["created_on"],
    )
    return frame.set_index("id")


def referral_events(engine: Engine) -> pd.DataFrame:
    """Every tracked referral event: referral_id, event, occurred_at."""
    return reads.frame(engine, "SELECT referral_id, event, occurred_at FROM referral_events", ["occurred_at"])


def referrer_advocates(engine: Engine) -> pd.DataFrame:
    """Advocates with a referral code or a referral, by id: advocate (name), account, stage, referral_code."""
    frame = reads.frame(
        engine,
        "SELECT adv.id, c.name AS advocate, a.name AS account, adv.stage, adv.referral_code "
        "FROM advocates adv JOIN contacts c ON c.id = adv.contact_id JOIN accounts a ON a.id = adv.account_id "
        "WHERE adv.referral_code IS NOT NULL OR EXISTS (SELECT 1 FROM referrals r WHERE r.advocate_id = adv.id)",
        [],
    )
    return frame.set_index("id")
