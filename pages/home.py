import datetime as dt

import streamlit as st

from core import assets, roles
from core import references as reference_rules
from core import tasks as task_rules
from db import service
from ui import auth, data, numbers, text, work_views, writes

actor = auth.require_page("home")

st.title("Home")
writes.show_flash()
today = dt.date.today()

if roles.may(actor, "task_queue"):
    st.caption("My work: overdue first, then due this week, each account's tasks together.")
    owners, queue = work_views.whose(actor)
    live = data.open_tasks(owners, today, queue)
    arranged = task_rules.arrange(live, today)
    counts = task_rules.counts(live, today)
    tiles = st.columns(3)
    tiles[0].metric("Overdue", f"{counts['overdue']:,}")
    tiles[1].metric("Due this week", f"{counts['this_week']:,}")
    tiles[2].metric("Open tasks", f"{len(live):,}")
    week = data.latest_scored_week()
    board = data.health_board(week, roles.book_owner(actor)) if week else None
    work_views.queue_table(arranged, board)
    if roles.may(actor, "generate_tasks") and st.button("Generate tasks now"):
        writes.attempt(lambda: service.generate_tasks(data.engine(), actor), lambda report: report.sentence())
else:
    st.caption("Your reference requests and where they stand; a case study for your prospect's industry.")
    requests = data.reference_requests()
    mine = requests[requests["requested_by"] == actor.id]
    sla = reference_rules.sla(mine, dt.datetime.now())
    tiles = st.columns(3)
    tiles[0].metric("Waiting", f"{int(mine['status'].isin(reference_rules.OPEN_STATUSES).sum()):,}")
    tiles[1].metric("Overdue", f"{int(sla['overdue'].sum()):,}")
    tiles[2].metric("Fulfilled", f"{int((mine['status'] == 'done').sum()):,}")
    st.subheader("My reference requests")
    if mine.empty:
        st.info("You have not requested a reference yet: ask for one on the Reference requests page.")
    else:
        st.dataframe(
            mine.assign(
                needed=mine["needed_by"].map(numbers.day),
                late=sla["overdue"].map({True: "overdue", False: ""}),
                advocate=mine["advocate_name"].map(numbers.text),
                asset=mine["asset_title"].map(numbers.text),
            )[["prospect", "industry", "kind", "status", "needed", "late", "advocate", "asset"]],
            hide_index=True,
            width="stretch",
            column_config={
                "prospect": "Prospect",
                "industry": "Industry",
                "kind": "Kind",
                "status": "Status",
                "needed": "Needed by",
                "late": "",
                "advocate": "Advocate",
                "asset": "Asset",
            },
        )
    st.subheader("Find a case study")
    week = data.latest_scored_week()
    library = data.library(today, week)
    tags = data.asset_tags()
    industries = sorted(tags.loc[tags["kind"] == "industry", "value"].unique())
    industry = st.selectbox("Prospect's industry", industries, index=None, placeholder="Choose an industry")
    if industry:
        flags = assets.freshness(library, today, data.settings())
        found = assets.filter_library(
            library,
            tags,
            flags,
            assets.LibraryFilter(
                industries=(industry,), types=("case_study",), approvals=("approved",), freshness="fresh"
            ),
        )
        if found.empty:
            st.info(
                f"No fresh, approved case study is tagged {text.literal(industry)}: ask marketing for a reference."
            )
        for asset in found.head(5).itertuples():
            st.markdown(
                f"[{text.literal(asset.title)}]({asset.url}) · {text.literal(asset.account_name or '')}"
            )
