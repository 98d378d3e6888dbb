import math

import numpy as np
import pandas as pd
import pytest

from core import referrals as ref

START, END = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-31")
NAMES = {10: ("Ann", "Acme"), 20: ("Bob", "Beta"), 30: ("Cy", "Gamma"), 40: ("Di", "Delta")}


def referral_rows() -> pd.DataFrame:
    """Referrals 1, 2, 3 and 5 are the January cohort (3 on its last day); 4 and 6 were made before it."""
    rows = [
        (1, 10, "2026-01-05"),
        (2, 10, "2026-01-10"),
        (3, 20, "2026-01-31"),
        (4, 20, "2025-12-20"),
        (5, 30, "2026-01-20"),
        (6, 40, "2025-11-01"),
    ]
    frame = pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "code": [f"C-{r[0]}" for r in rows],
            "advocate_id": [r[1] for r in rows],
            "advocate": [NAMES[r[1]][0] for r in rows],
            "advocate_account": [NAMES[r[1]][1] for r in rows],
            "referred_company": [f"Prospect {r[0]}" for r in rows],
            "campaign": "q1",
            "created_on": pd.to_datetime([r[2] for r in rows]),
        }
    )
    return frame.set_index("id")


def event_rows(rows: list[tuple[int, str, str]] | None = None) -> pd.DataFrame:
    if rows is None:
        rows = [
            (1, "email_sent", "2026-01-05 09:00"),
            (1, "opened", "2026-01-05 10:00"),
            (1, "clicked", "2026-01-05 11:00"),
            (1, "page_view", "2026-01-05 11:01"),
            (1, "page_view", "2026-01-06 08:00"),  # a second visit: once in the funnel, twice in page views
            (1, "lead", "2026-01-20 10:00"),
            (1, "opportunity", "2026-01-25 10:00"),
            (1, "purchase", "2026-02-10 15:00"),  # after end, still counted in the funnel
            (2, "email_sent", "2026-01-10 09:00"),
            (2, "opened", "2026-01-11 09:00"),
            (3, "email_sent", "2026-01-31 16:00"),
            (3, "opened", "2026-01-31 18:00"),
            (3, "clicked", "2026-02-01 09:00"),  # after end, still counted in the funnel
            (3, "page_view", "2026-02-01 09:01"),  # after end: not a page view of January
            (4, "email_sent", "2025-12-20 09:00"),
            (4, "opened", "2025-12-21 09:00"),
            (4, "clicked", "2025-12-21 10:00"),
            (4, "page_view", "2026-01-02 09:00"),  # outside the cohort, but a January page view
            (4, "purchase", "2026-01-15 15:00"),
            (5, "email_sent", "2026-01-20 09:00"),
        ]
    return pd.DataFrame(
        {
            "referral_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "occurred_at": pd.to_datetime([r[2] for r in rows]),
        },
        columns=["referral_id", "event", "occurred_at"],
    )


def purchase_rows() -> pd.DataFrame:
    rows = [
        (100, "2026-01-15", 1000.0, 4),  # referred via referral 4
        (100, "2026-01-25", 200.0, None),
        (101, "2026-02-10", 1200.0, 1),  # referred via referral 1, after end
        (102, "2025-12-15", 700.0, 6),  # referred via referral 6, before the period
        (200, "2025-06-01", 800.0, None),
        (200, "2026-01-10", 900.0, None),
        (201, "2026-01-20", 500.0, None),
        (202, "2025-01-01", 400.0, None),
        (202, "2026-01-05", 600.0, None),
    ]
    return pd.DataFrame(
        {
            "account_id": [r[0] for r in rows],
            "purchased_on": pd.to_datetime([r[1] for r in rows]),
            "amount": [r[2] for r in rows],
            "referral_id": [np.nan if r[3] is None else float(r[3]) for r in rows],
        }
    )


def customer_rows() -> pd.DataFrame:
    rows = [
        (100, "2026-01-15", None),
        (101, "2026-02-10", None),
        (102, "2025-12-15", None),
        (200, "2025-06-01", "2026-01-21"),
        (201, "2026-01-20", None),
        (202, "2025-01-01", None),
    ]
    return pd.DataFrame(
        {
            "customer_since": pd.to_datetime([r[1] for r in rows]),
            "churned_on": pd.to_datetime([r[2] for r in rows]),
        },
        index=pd.Index([r[0] for r in rows], name="account_id"),
    )


def advocate_rows() -> pd.DataFrame:
    # Cy (30) has no code but made a January referral; Ed (50) has neither, so he is not a referrer.
    rows = [
        (10, "Ann", "Acme", "ANN-10"),
        (20, "Bob", "Beta", "BOB-20"),
        (30, "Cy", "Gamma", None),
        (40, "Di", "Delta", "DI-40"),
        (50, "Ed", "Epsilon", None),
    ]
    return pd.DataFrame(
        {
            "advocate": [r[1] for r in rows],
            "account": [r[2] for r in rows],
            "stage": "agreed",
            "referral_code": [r[3] for r in rows],
        },
        index=pd.Index([r[0] for r in rows], name="id"),
    )


def reward_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "advocate_id": [20, 20, 10],
            "kind": ["store_credit", "discount", "community_recognition"],
            "value": [50.0, 30.0, np.nan],
            "given_on": pd.to_datetime(["2026-01-20", "2025-12-01", "2026-01-25"]),
        }
    )


def thank_you_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "advocate_id": [20, 40, 10],
            "reason": ["referral_converted", "referral_converted", "agreement"],
            "sent_on": pd.to_datetime(["2026-01-18", "2025-12-01", "2026-02-15"]),
        }
    )


# ---- funnel ---------------------------------------------------------------------------


def test_funnel_counts_distinct_cohort_referrals_per_step():
    # Cohort 1, 2, 3, 5 (4 is from December). email_sent 4; opened 1, 2, 3 → 3; clicked 1, 3 → 2;
    # page_view 1 (twice), 3 → 2; lead, opportunity and purchase: 1 only → 1 each.
    table = ref.funnel(referral_rows(), event_rows(), START, END)
    assert list(table.columns) == ["step", "label", "referrals", "share_of_sent", "from_previous"]
    assert list(table["step"]) == [
        "email_sent",
        "opened",
        "clicked",
        "page_view",
        "lead",
        "opportunity",
        "purchase",
    ]
    assert list(table["label"]) == [
        "Email sent",
        "Opened",
        "Clicked",
        "Landing page view",
        "Lead",
        "Opportunity",
        "Purchase",
    ]
    assert list(table["referrals"]) == [4, 3, 2, 2, 1, 1, 1]
    # ÷ 4 sent
    assert list(table["share_of_sent"]) == pytest.approx([1, 0.75, 0.5, 0.5, 0.25, 0.25, 0.25])
    # 3/4, 2/3, 2/2, 1/2, 1/1, 1/1
    assert math.isnan(table["from_previous"].iloc[0])
    assert list(table["from_previous"].iloc[1:]) == pytest.approx([0.75, 2 / 3, 1, 0.5, 1, 1])


def test_funnel_is_not_forced_monotone():
    # Referral 1 clicked without a recorded open: opened 0, clicked 1 → from_previous undefined (÷ 0).
    events = event_rows([(1, "email_sent", "2026-01-05 09:00"), (1, "clicked", "2026-01-05 11:00")])
    table = ref.funnel(referral_rows(), events, START, END).set_index("step")
    assert table.loc["opened", "referrals"] == 0 and table.loc["clicked", "referrals"] == 1
    assert math.isnan(table.loc["clicked", "from_previous"])
    assert table.loc["clicked", "share_of_sent"] == 1


def test_funnel_without_sent_emails_has_no_shares():
    table = ref.funnel(referral_rows(), event_rows([]), START, END)
    assert (table["referrals"] == 0).all()
    assert table["share_of_sent"].isna().all() and table["from_previous"].isna().all()


# ---- summary --------------------------------------------------------------------------


def test_summary():
    numbers = ref.summary(referral_rows(), event_rows(), purchase_rows(), START, END)
    assert (numbers.sent, numbers.opens, numbers.clicks) == (4, 3, 2)
    # CTR = 2 clicks ÷ 3 opens
    assert numbers.click_through_rate == pytest.approx(2 / 3)
    # January page views: referral 1 on the 5th and 6th, referral 4 on the 2nd (3's is in February) → 3
    assert numbers.page_views == 3
    # January purchases: 100 ×2, 200, 201, 202 → 5; from a referral: 100's 1,000 → rate 1/5
    assert (numbers.referral_purchases, numbers.total_purchases) == (1, 5)
    assert numbers.referral_rate == pytest.approx(0.2)
    assert numbers.referral_revenue == 1000


def test_summary_ctr_is_none_without_opens():
    events = event_rows([(1, "email_sent", "2026-01-05 09:00"), (2, "email_sent", "2026-01-10 09:00")])
    numbers = ref.summary(referral_rows(), events, purchase_rows(), START, END)
    assert (numbers.sent, numbers.opens, numbers.clicks) == (4, 0, 0)
    assert numbers.click_through_rate is None


# ---- referred vs other ----------------------------------------------------------------


def test_referred_vs_other():
    table = ref.referred_vs_other(purchase_rows(), customer_rows(), START, END).set_index("group")
    assert list(table.index) == ["Referred", "Other"]
    assert list(table.columns) == [
        "customers",
        "revenue",
        "revenue_per_customer",
        "avg_first_purchase",
        "avg_purchase_value",
        "purchase_frequency",
        "lifespan_years",
        "ltv",
    ]
    referred, other = table.loc["Referred"], table.loc["Other"]
    # Referred: 100, 101, 102; 101 became a customer after end → 2 customers.
    # January: 100 bought 1,000 + 200 = 1,200, one buyer → 1,200 per customer.
    # Acquired in January: 100, first purchase 1,000.
    assert referred["customers"] == 2
    assert referred["revenue"] == 1200 and referred["revenue_per_customer"] == 1200
    assert referred["avg_first_purchase"] == 1000
    # LTV: avg value (1,000 + 200) / 2 = 600; customer-days 100: 17, 101: 0, 102: 31 → 48 / 365.25 years;
    # frequency = 2 ÷ 0.131417 = 15.2188; nobody churned → lifespan and LTV unknown.
    assert referred["avg_purchase_value"] == 600
    assert referred["purchase_frequency"] == pytest.approx(2 / (48 / 365.25))
    assert math.isnan(referred["lifespan_years"]) and math.isnan(referred["ltv"])
    # Other: 200, 201, 202 → 3 customers; January 900 + 500 + 600 = 2,000 from 3 buyers → 666.67.
    # Acquired in January: 201, first purchase 500.
    assert other["customers"] == 3
    assert other["revenue"] == 2000 and other["revenue_per_customer"] == pytest.approx(2000 / 3)
    assert other["avg_first_purchase"] == 500
    # LTV: avg value 2,000 / 3; customer-days 200: 20 (churned 21st), 201: 12, 202: 31 → 63 / 365.25 years;
    # frequency = 3 ÷ 0.172485 = 17.393; 1 churned → lifespan 0.172485 years;
    # LTV = 666.67 × 17.393 × 0.172485 = 2,000.
    years = 63 / 365.25
    assert other["avg_purchase_value"] == pytest.approx(2000 / 3)
    assert other["purchase_frequency"] == pytest.approx(3 / years)
    assert other["lifespan_years"] == pytest.approx(years)
    assert other["ltv"] == pytest.approx(2000)


# ---- referrers ------------------------------------------------------------------------


def referrer_table(start: pd.Timestamp = START, end: pd.Timestamp = END) -> pd.DataFrame:
    return ref.referrers(
        referral_rows(),
        event_rows(),
        purchase_rows(),
        advocate_rows(),
        reward_rows(),
        thank_you_rows(),
        start,
        end,
    )


def test_referrers():
    table = referrer_table()
    assert list(table.columns) == [
        "advocate_id",
        "advocate",
        "account",
        "referral_code",
        "referrals",
        "clicked",
        "purchases",
        "revenue",
        "rewards_given",
        "reward_value",
        "thanked",
        "thank_you_owed",
    ]
    # Ann has the only cohort purchase; Bob and Cy one referral each (name breaks the tie); Di none.
    # Ed has neither a code nor a January referral.
    assert list(table["advocate"]) == ["Ann", "Bob", "Cy", "Di"]
    rows = table.set_index("advocate")
    assert list(rows["account"]) == ["Acme", "Beta", "Gamma", "Delta"]
    assert rows.loc["Ann", "referral_code"] == "ANN-10" and pd.isna(rows.loc["Cy", "referral_code"])
    # Ann: referrals 1, 2; 1 clicked and purchased (on 10 Feb, so no January revenue).
    # Bob: referral 3 clicked (on 1 Feb); revenue 1,000 from referral 4's January purchase.
    assert list(rows["referrals"]) == [2, 1, 1, 0]
    assert list(rows["clicked"]) == [1, 1, 0, 0]
    assert list(rows["purchases"]) == [1, 0, 0, 0]
    assert list(rows["revenue"]) == [0, 1000, 0, 0]
    # January rewards: Bob's store credit 50 (his December discount is outside); Ann's recognition has no value.
    assert list(rows["rewards_given"]) == [1, 1, 0, 0]
    assert list(rows["reward_value"]) == [0, 50, 0, 0]


def test_referrers_thank_you_owed():
    rows = referrer_table().set_index("advocate")
    # Bob converted on 15 Jan and was thanked on 18 Jan.
    assert rows.loc["Bob", "thanked"] and not rows.loc["Bob", "thank_you_owed"]
    # Di converted on 15 Dec; her thank-you of 1 Dec came before it, so one is still owed.
    assert not rows.loc["Di", "thanked"] and rows.loc["Di", "thank_you_owed"]
    # Ann's conversion (10 Feb) is after end; Cy has none.
    assert not rows.loc["Ann", "thank_you_owed"] and not rows.loc["Cy", "thank_you_owed"]
    assert rows["thanked"].dtype == bool and rows["thank_you_owed"].dtype == bool
    # In February Ann's conversion is owed a thank-you: her 15 Feb one was for agreeing, not this.
    february = referrer_table(pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-28")).set_index("advocate")
    assert february.loc["Ann", "thank_you_owed"] and not february.loc["Ann", "thanked"]
    assert february.loc["Ann", "revenue"] == 1200


# ---- links and codes ------------------------------------------------------------------


def test_referral_link_joins_with_one_slash():
    assert ref.referral_link("https://example.com/r", "ANN-10") == "https://example.com/r/ANN-10"
    assert ref.referral_link("https://example.com/r/", "ANN-10") == "https://example.com/r/ANN-10"


def test_referral_link_quotes_the_code():
    # space → %20, slash → %2F, ü → %C3%BC (UTF-8)
    assert ref.referral_link("https://example.com/r/", "A B/ü") == "https://example.com/r/A%20B%2F%C3%BC"


def test_new_code():
    assert ref.new_code("José Martínez", 42) == "JOSEMART-42"
    assert ref.new_code("Ann", 3) == "ANN-3"
    assert ref.new_code("Zoë O'Brien-Smith", 5) == "ZOEOBRIE-5"
    assert ref.new_code("!!! — ???", 7) == "ADV-7"
    assert ref.new_code("", 8) == "ADV-8"


# ---- empty inputs ---------------------------------------------------------------------


def test_empty_inputs():
    referrals, events, purchases = referral_rows().iloc[:0], event_rows([]), purchase_rows().iloc[:0]
    table = ref.funnel(referrals, events, START, END)
    assert len(table) == 7 and (table["referrals"] == 0).all() and table["share_of_sent"].isna().all()
    numbers = ref.summary(referrals, events, purchases, START, END)
    assert (numbers.sent, numbers.opens, numbers.clicks, numbers.page_views) == (0, 0, 0, 0)
    assert (numbers.referral_purchases, numbers.total_purchases, numbers.referral_revenue) == (0, 0, 0)
    assert numbers.click_through_rate is None and numbers.referral_rate is None
    groups = ref.referred_vs_other(purchases, customer_rows().iloc[:0], START, END)
    assert list(groups["group"]) == ["Referred", "Other"]
    assert list(groups["customers"]) == [0, 0] and list(groups["revenue"]) == [0, 0]
    assert groups[["revenue_per_customer", "avg_first_purchase", "ltv"]].isna().all().all()
    people = ref.referrers(
        referrals,
        events,
        purchases,
        advocate_rows().iloc[:0],
        reward_rows().iloc[:0],
        thank_you_rows().iloc[:0],
        START,
        END,
    )
    assert people.empty and "thank_you_owed" in people.columns
