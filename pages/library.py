import datetime as dt

import streamlit as st

from core import assets, export, roles
from core import vocabulary as v
from ui import asset_forms, auth, data, library_views, writes
from ui.text import literal

actor = auth.require_page("library")

# Cards drawn at first and added by each "Show more"; the CSV export carries every filtered asset.
CARDS = 20

st.title("Asset library")
writes.show_flash()
st.caption(
    "Case studies, testimonials, reference calls, webinars and site visits, industry first. Stale assets "
    "(past review, approval run out, too old, customer churned or at risk, contact gone) sink to the bottom."
)
today = dt.date.today()
settings = data.settings()
library = data.library(today, data.latest_scored_week())
tags = data.asset_tags()
flags = assets.freshness(library, today, settings)

industries = st.multiselect(
    "Industry", sorted(tags.loc[tags["kind"] == "industry", "value"].unique()), key="lib_industries"
)
with st.container(horizontal=True):
    types = st.multiselect("Type", v.ASSET_TYPES, format_func=assets.TYPE_LABELS.get, key="lib_types")
    products = st.multiselect(
        "Product", sorted(tags.loc[tags["kind"] == "product", "value"].unique()), key="lib_products"
    )
    sizes = st.multiselect("Company size", v.SEGMENTS, key="lib_sizes")
    regions = st.multiselect("Region", v.REGIONS, key="lib_regions")
# A row of its own for the search: six filters in one row cut the approval's "approved" to "ap…" at 1280 px.
search, approval, fresh = st.columns([3, 2, 1])
text = search.text_input(
    "Search titles, summaries and quotes", key="lib_text", placeholder="e.g. onboarding time"
)
approvals = approval.multiselect(
    "Customer approval", v.APPROVAL_STATUSES, default=["approved"], key="lib_approvals"
)
freshness = fresh.selectbox(
    "Freshness", ["any", "fresh", "stale"], format_func=str.capitalize, key="lib_freshness"
)
chosen = assets.LibraryFilter(
    tuple(industries),
    tuple(types),
    tuple(products),
    tuple(sizes),
    tuple(regions),
    tuple(approvals),
    freshness,
    text,
)
found = assets.filter_library(library, tags, flags, chosen)
shown = found.head(library_views.how_many(chosen, CARDS))
if found.empty:
    library_views.suggest_nearest(assets.nearest_searches(library, tags, flags, chosen))
st.caption(f"Showing {len(shown):,} of {len(found):,} assets.")
st.download_button(
    "Download the filtered list (CSV)",
    lambda: export.to_csv(assets.export_table(found)),
    file_name=f"asset-library-{today}.csv",
    mime="text/csv",
    on_click="ignore",
)
library_views.cards(shown, assets.stale_reasons(shown, flags.loc[shown.index], settings))
library_views.show_more(len(found), len(shown), CARDS)
if not shown.empty:
    library_views.use_in_deal(actor, shown)

if roles.may(actor, "create_asset"):
    st.subheader("Add or edit assets")
    asset_forms.add_asset(actor)
    asset_forms.edit_asset(actor, library)
    asset_forms.retired(actor)

if roles.may(actor, "library_upkeep"):
    st.subheader("To refresh or retire")
    stale = library[flags["stale"] & (library["approval_status"] == "approved")]
    st.caption(f"{len(stale):,} approved assets are stale.")
    # What and why first: at 1280 px the reason is on screen without scrolling sideways.
    st.dataframe(
        stale.head(200).assign(
            why=assets.stale_reasons(stale.head(200), flags.loc[stale.head(200).index], settings),
            asset_type=stale["asset_type"].head(200).map(assets.TYPE_LABELS),
        )[["title", "why", "account_name", "asset_type", "published_on", "review_by"]],
        hide_index=True,
        placeholder="—",
        column_config={
            "title": st.column_config.TextColumn("Asset", width=220),
            "why": st.column_config.TextColumn("Why stale", width=470),
            "account_name": "Customer",
            "asset_type": "Type",
            "published_on": st.column_config.DateColumn("Published", format="D MMM YYYY"),
            "review_by": st.column_config.DateColumn("Review by", format="D MMM YYYY"),
        },
    )
    if roles.may(actor, "retire_assets"):
        asset_forms.refresh_or_retire(actor, stale)
    st.subheader("Industry coverage")
    coverage = assets.coverage(data.customers_by_industry(today), library, tags, flags["stale"])
    gaps = coverage.loc[coverage["gap"], "industry"].tolist()
    if gaps:
        st.warning(literal(f"Customers but no approved case study: {', '.join(gaps)}."))
    all_stale = coverage.loc[coverage["all_stale"], "industry"].tolist()
    if all_stale:
        st.warning(literal(f"Customers, but every approved case study is stale: {', '.join(all_stale)}."))
    st.dataframe(
        coverage,
        hide_index=True,
        column_config={
            "industry": "Industry",
            "customers": st.column_config.NumberColumn("Customers", format="%d"),
            "approved_case_studies": st.column_config.NumberColumn("Approved case studies", format="%d"),
            "fresh_case_studies": st.column_config.NumberColumn("Of them fresh", format="%d"),
            "gap": st.column_config.CheckboxColumn("None approved"),
            "all_stale": st.column_config.CheckboxColumn("All stale"),
        },
    )
