import datetime as dt
import os

import pandas as pd
import streamlit as st

from core import referrals, roles
from db import service
from ui import advocate_forms, auth, charts, data, downloads, numbers, period_picker, pickers, writes

actor = auth.require_page("referrals")
writes.show_flash()
# Where a referral link sends a prospect; the code identifies the advocate on the landing page.
LINK_BASE = os.environ.get("REFERRAL_LINK_BASE", "https://www.example.com/refer")

st.title("Referral program")
st.caption(
    "Customers refer customers: codes and links per advocate, every referral from email to purchase, "
    "and the thank-yous and rewards they are owed."
)
current, _ = period_picker.choose("referrals", dt.date.today())
stem = f"{current.start}-{current.end}"
figures, funnel, groups, table = data.referral_program(current.start, current.end, LINK_BASE)
tiles = st.columns(5)
tiles[0].metric("Referrals sent", f"{figures.sent:,}", border=True)
tiles[1].metric(
    "Click-through",
    numbers.NO_DATA if figures.click_through_rate is None else f"{figures.click_through_rate:.1%}",
    help=f"Links clicked ÷ emails opened: {figures.clicks:,} ÷ {figures.opens:,}.",
    border=True,
)
tiles[2].metric("Landing page views", f"{figures.page_views:,}", border=True)
tiles[3].metric(
    "Referral rate",
    numbers.NO_DATA if figures.referral_rate is None else f"{figures.referral_rate:.2%}",
    help=f"Referral purchases ÷ all purchases: {figures.referral_purchases:,} ÷ {figures.total_purchases:,}. "
    "The brief's benchmark is about 7.5 %.",
    border=True,
)
tiles[4].metric("Referral revenue", numbers.money(figures.referral_revenue), border=True)

st.subheader("Funnel of the referrals sent in the period")
st.altair_chart(charts.horizontal_bars(funnel, "referrals", "label", "Referrals"))
downloads.numbers(funnel, f"referral-funnel-{stem}", "csv_funnel")
st.subheader("Referred vs other customers")
st.dataframe(
    groups,
    hide_index=True,
    placeholder="—",
    column_config={
        "group": "Customers",
        "customers": st.column_config.NumberColumn("Count", format="localized"),
        "revenue": st.column_config.NumberColumn("Revenue in period", format="dollar", step=1),
        "revenue_per_customer": st.column_config.NumberColumn("Revenue per buyer", format="dollar", step=1),
        "avg_first_purchase": st.column_config.NumberColumn("Avg first purchase", format="dollar", step=1),
        "avg_purchase_value": st.column_config.NumberColumn("Avg purchase", format="dollar", step=1),
        "purchase_frequency": st.column_config.NumberColumn("Purchases a year", format="%.2f"),
        "lifespan_years": st.column_config.NumberColumn("Lifespan (years)", format="%.1f"),
        "ltv": st.column_config.NumberColumn("LTV", format="dollar", step=1),
    },
)
st.caption(
    "LTV = average purchase × purchases a year × lifespan (1 ÷ the yearly churn rate in the period); "
    "empty where the period saw no churn to measure it from."
)
downloads.csv_button(groups, f"referred-vs-other-{stem}", "csv_groups")

st.subheader("Referrers")
st.dataframe(
    table.drop(columns="advocate_id"),
    hide_index=True,
    placeholder="—",
    column_config={
        "advocate": "Advocate",
        "account": "Account",
        "referral_code": "Code",
        "link": st.column_config.LinkColumn("Link"),
        "referrals": st.column_config.NumberColumn("Referrals", format="localized"),
        "clicked": st.column_config.NumberColumn("Clicked", format="localized"),
        "purchases": st.column_config.NumberColumn("Purchases", format="localized"),
        "revenue": st.column_config.NumberColumn("Revenue", format="dollar", step=1),
        "rewards_given": st.column_config.NumberColumn("Rewards", format="localized"),
        "reward_value": st.column_config.NumberColumn("Reward value", format="dollar", step=1),
        "thanked": "Thanked",
        "thank_you_owed": "Thank-you owed",
    },
)
downloads.csv_button(table, f"referrers-{stem}", "csv_referrers")

owner_id = roles.book_owner(actor)
codes, thanks = st.columns(2)
with codes:
    st.subheader("Give an advocate a referral code")
    advocates = data.referrer_advocates()
    waiting = referrals.code_candidates(
        data.advocate_records(), advocates.index[advocates["referral_code"].notna()], owner_id
    )
    if waiting.empty:
        st.info("Every advocate who agreed already has a code.")
    else:
        names = pd.Series(
            (waiting["contact_name"] + " — " + waiting["account_name"]).to_numpy(), index=waiting["id"]
        )
        chosen = pickers.pick("Advocate who agreed", names, "code_advocate", "advocate")
        if st.button("Issue code", type="primary", disabled=chosen is None, key="issue_code"):
            writes.attempt(
                lambda: service.issue_referral_code(data.engine(), actor, chosen),
                f"Issued a referral code to {names[chosen]}.",
            )
with thanks:
    owed = table[table["thank_you_owed"]]
    st.subheader(f"Thank-yous owed for converted referrals ({len(owed):,})")
    if owed.empty:
        st.info("Every converted referral has been thanked.")
    else:
        people = dict(zip(owed["advocate_id"], owed["advocate"] + " — " + owed["account"], strict=True))
        advocate_id = st.selectbox(
            "Advocate", list(people), format_func=people.get, key="referral_thanks_advocate"
        )
        advocate_forms.thank_you_form(
            actor, advocate_id, people[advocate_id], "referral", "referral_converted"
        )
        advocate_forms.reward_form(actor, advocate_id, people[advocate_id], "referral")
