"""Reference requests: the needed-by SLA, what is overdue, and the revenue assets and advocates influenced."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

OPEN_STATUSES = ("open", "assigned")
STATUS_LABELS = {"open": "Open", "assigned": "Assigned", "done": "Done", "declined": "Declined"}


def default_needed_by(requested_at: dt.datetime, settings: dict[str, float]) -> dt.datetime:
    """requested_at + the reference SLA (default 48 hours): when sales needs the reference by."""
    return requested_at + dt.timedelta(hours=settings["reference_sla_hours"])


def most_urgent_open(requests: pd.DataFrame) -> int | None:
    """The open (not yet assigned) request needed soonest, so the most overdue when any is late; None if none is open."""
    waiting = requests.loc[requests["status"] == "open", "needed_by"]
    return None if waiting.empty else int(waiting.idxmin())


def sla(requests: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Per request: hours_left = needed_by − now (negative when late) and overdue (still open or assigned past needed_by)."""
    hours_left = (requests["needed_by"] - pd.Timestamp(now)).dt.total_seconds() / 3600
    return pd.DataFrame(
        {
            "hours_left": hours_left.where(requests["status"].isin(OPEN_STATUSES)),
            "overdue": requests["status"].isin(OPEN_STATUSES) & (hours_left < 0),
        },
        index=requests.index,
    )


def influence(deals: pd.DataFrame) -> pd.DataFrame:
    """From uses, won, lost and won_amount per asset or advocate: win_rate = won ÷ (won + lost) (NaN without a
    closed deal) and influenced_revenue = the won deals' amounts; most influential first."""
    closed = deals["won"] + deals["lost"]
    table = deals.assign(
        win_rate=np.divide(deals["won"], closed, out=np.full(len(deals), np.nan), where=closed > 0),
        influenced_revenue=deals["won_amount"],
    ).drop(columns="won_amount")
    table[["uses", "won", "lost"]] = table[["uses", "won", "lost"]].astype(int)
    return table.sort_values(["influenced_revenue", "uses"], ascending=False, kind="stable")


def summary(requests: pd.DataFrame, overdue: pd.Series) -> dict[str, float]:
    """Open and overdue requests, fulfilled ones, win rate and influenced revenue of requests with an outcome."""
    won = requests["outcome"] == "won"
    closed = requests["outcome"].isin(("won", "lost"))
    return {
        "open": int(requests["status"].isin(OPEN_STATUSES).sum()),
        "overdue": int(overdue.sum()),
        "done": int((requests["status"] == "done").sum()),
        "win_rate": float(won.sum() / closed.sum()) if closed.any() else float("nan"),
        "influenced_revenue": float(requests.loc[won, "won_amount"].sum()),
    }
