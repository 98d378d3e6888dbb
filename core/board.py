"""The health board: the scored book of accounts with flags, filters and summary tiles."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core import early_warning, health
from core import profiles as profile_rules

FLAG_LABELS = {
    "sharp_drop": "Sharp drop",
    "renewal_at_risk": "Renewal at risk",
    "upsell": "Upsell opportunity",
}
# A 4-week move smaller than this many points shows as flat.
FLAT_POINTS = 3


def board_table(
    board: pd.DataFrame,
    settings: dict[str, float],
    as_of: dt.date,
    profiles: profile_rules.Profiles | None = None,
    risks: pd.Series | None = None,
) -> pd.DataFrame:
    """Each account's score, band, contributions and top reason under the current settings and its segment's
    health profile, with its flags and its churn risk in % ("churn_risk"; risks: 0–1 by account,
    db.churn_model.risks; unknown where missing)."""
    scored = profile_rules.combine(board[list(health.DIMENSIONS)], board["segment"], settings, profiles or {})
    flags = early_warning.flags(scored, board["score_4_weeks_ago"], board, as_of, settings)
    table = board.drop(columns=list(health.DIMENSIONS)).join(scored).join(flags)
    table["trend_arrow"] = trend_arrow(table["trend"])
    table["top_reason_label"] = table["top_reason"].map(health.DIMENSION_LABELS)
    table["days_to_renewal"] = (table["renewal_date"] - pd.Timestamp(as_of)).dt.days
    table["churn_risk"] = np.nan if risks is None else 100 * risks.reindex(table.index)
    return table


def trend_arrow(trend: pd.Series) -> pd.Series:
    """↑ / ↓ for a 4-week move of at least FLAT_POINTS, → otherwise, blank when unknown."""
    return pd.Series(
        np.select([trend.isna(), trend >= FLAT_POINTS, trend <= -FLAT_POINTS], ["", "↑", "↓"], "→"),
        index=trend.index,
    )


@dataclass(frozen=True)
class AttributeFilter:
    """Accounts whose custom attribute name is one of values (text, or True/False for yes/no; None stands for
    unknown), or lies within between (numbers, dates; both ends included, and unknown lies within no range)."""

    name: str
    values: tuple[object, ...] = ()
    between: tuple[Any, Any] | None = None


@dataclass(frozen=True)
class BoardFilter:
    owners: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    flag: str | None = None
    renewal_within_days: int | None = None
    attribute: AttributeFilter | None = None


def attribute_matches(values: pd.Series, chosen: AttributeFilter) -> pd.Series:
    """Whether each value (one attribute's, NA when unknown) passes chosen; nothing chosen passes all."""
    if chosen.between is not None:
        low, high = chosen.between
        if pd.api.types.is_datetime64_any_dtype(values):
            low, high = pd.Timestamp(low), pd.Timestamp(high)
        return values.between(low, high)
    if not chosen.values:
        return pd.Series(True, index=values.index)
    known = [value for value in chosen.values if value is not None]
    return values.isin(known).astype(bool) | (values.isna() & (None in chosen.values))


def filter_board(
    table: pd.DataFrame, chosen: BoardFilter, attributes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows matching every chosen filter (an empty choice does not filter). attributes: the custom attribute
    values by account (db.reads.accounts.attribute_values), needed when chosen filters on one; an account missing
    there is unknown."""
    keep = pd.Series(True, index=table.index)
    for column, values in (
        ("owner", chosen.owners),
        ("segment", chosen.segments),
        ("industry", chosen.industries),
        ("band", chosen.bands),
    ):
        if values:
            keep &= table[column].isin(values)
    if chosen.flag:
        keep &= table[chosen.flag]
    if chosen.renewal_within_days is not None:
        keep &= table["days_to_renewal"].between(0, chosen.renewal_within_days)
    if chosen.attribute is not None:
        values = attributes[chosen.attribute.name].reindex(table.index)
        keep &= attribute_matches(values, chosen.attribute)
    return table[keep]


SORTS = {
    "Lowest score first": ("score", True),
    "Biggest 4-week drop first": ("trend", True),
    "Highest ARR first": ("arr", False),
    "Soonest renewal first": ("days_to_renewal", True),
    "Highest churn risk first": ("churn_risk", False),
}


def sort_board(table: pd.DataFrame, sort: str) -> pd.DataFrame:
    """Rows in the chosen order; unknown values last."""
    column, ascending = SORTS[sort]
    return table.sort_values(column, ascending=ascending, na_position="last", kind="stable")


@dataclass(frozen=True)
class Place:
    """Where an account stands in the board's order: its 1-based position of total, and its neighbours."""

    position: int
    total: int
    previous: int | None
    next: int | None


def place_in(order: Sequence[int], account_id: int) -> Place | None:
    """account_id's place in the board's order (account ids, first row first); None when it is not on the board."""
    if account_id not in order:
        return None
    index = list(order).index(account_id)
    return Place(
        position=index + 1,
        total=len(order),
        previous=order[index - 1] if index > 0 else None,
        next=order[index + 1] if index + 1 < len(order) else None,
    )


@dataclass(frozen=True)
class BoardSummary:
    by_band: pd.DataFrame
    arr_at_risk: float
    new_drops: int


def summarise(table: pd.DataFrame) -> BoardSummary:
    """Accounts and ARR per band, the ARR in the at-risk band, and accounts flagged with a sharp drop."""
    order = [*health.BAND_ORDER, health.INSUFFICIENT]
    by_band = table.groupby("band")["arr"].agg(accounts="size", arr="sum").reindex(order, fill_value=0)
    return BoardSummary(
        by_band=by_band.rename_axis("band").reset_index(),
        arr_at_risk=float(table.loc[table["band"] == "at_risk", "arr"].sum()),
        new_drops=int(table["sharp_drop"].sum()),
    )


def sparklines(history: pd.DataFrame) -> pd.Series:
    """Each account's weekly scores (rounded to 0.1, unknown left out) in the order given, as a list (for a
    sparkline column), by account id."""
    accounts = history["account_id"].to_numpy()
    order = np.argsort(accounts, kind="stable")
    ids, starts = np.unique(accounts[order], return_index=True)
    # One pass over plain floats: a per-account groupby lambda cost the board a third of its rerun.
    scores = [round(score, 1) for score in history["score"].to_numpy(dtype=float)[order].tolist()]
    bounds = [*starts.tolist(), len(scores)]
    lists = [
        [score for score in scores[start:end] if not math.isnan(score)]
        for start, end in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    return pd.Series(lists, index=pd.Index(ids, name="account_id"), name="score", dtype=object)


EXPORT_COLUMNS = {
    "name": "account",
    "owner": "owner",
    "segment": "segment",
    "industry": "industry",
    "arr": "arr",
    "renewal_date": "renewal_date",
    "score": "score",
    "band": "band",
    "trend": "change_4_weeks",
    **{dim: f"{dim}_score" for dim in health.DIMENSIONS},
    "top_reason": "top_reason",
    **{flag: flag for flag in FLAG_LABELS},
    "churn_risk": "churn_risk_pct",
}


def export_table(
    table: pd.DataFrame, attributes: pd.DataFrame | None = None, whys: pd.Series | None = None
) -> pd.DataFrame:
    """The board's rows with the columns a CSV export carries, scores rounded to one decimal, the churn risk's why
    (whys: by account; blank where the risk is unknown), then each custom
    attribute (attributes: values by account, db.reads.accounts) under its own name, or "NAME (custom attribute)"
    where a column above has that name; unknown is blank."""
    frame = table.reset_index()[["account_id", *EXPORT_COLUMNS]].rename(columns=EXPORT_COLUMNS)
    numeric = ["score", "change_4_weeks", *(f"{dim}_score" for dim in health.DIMENSIONS), "churn_risk_pct"]
    frame[numeric] = frame[numeric].round(1)
    # The why of each churn risk (whys: db.churn_model.whys), only where the risk is shown.
    known = table["churn_risk"].notna().to_numpy()
    frame["churn_risk_why"] = None if whys is None else whys.reindex(table.index).where(known).to_numpy()
    if attributes is None:
        return frame
    extra = attributes.reindex(table.index).reset_index(drop=True)
    return frame.join(
        extra.rename(columns=lambda name: f"{name} (custom attribute)" if name in frame.columns else name)
    )
