"""The weekly review: what changed this week compared with last week, and the lists behind each figure.

A week runs Monday 00:00 to the next Monday 00:00 (exclusive) and is named by its Monday. Every count is
computed the same way for both weeks by calling the same function with the two Mondays; a figure that
cannot be known from two weeks of data (who entered the at-risk band last week needs the week before)
is NaN, never a guess.

Exports are two frames: `WeeklyReview.summary` as it is, and `export_table(review)` with every detail
list stacked under a `section` column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import assets as asset_library
from core import health, metrics, periods
from core import profiles as profile_rules
from core.early_warning import MINUS

WEEK = pd.Timedelta(days=7)
# Scores are weighted means of floats: a change this small is rounding noise, not a move.
_EPSILON = 1e-9
# A dimension whose contribution fell less than this would read "−0.0" in the reasons.
MIN_REASON_FALL = 0.05
SUMMARY_COLUMNS = ["section", "measure", "last_week", "this_week", "change"]
ENTERED_COLUMNS = ["name", "owner", "segment", "arr", "score_last", "score_this", "band_last", "top_reason"]
DROP_COLUMNS = ["name", "owner", "arr", "score_last", "score_this", "change", "reasons"]
ANSWER_COLUMNS = ["account", "contact", "score", "responded_on", "comment"]
MOVE_COLUMNS = ["advocate_id", "advocate", "account", "from_stage", "to_stage", "changed_at"]
NEW_ADVOCATE_COLUMNS = [c for c in MOVE_COLUMNS if c != "from_stage"]
PUBLISHED_COLUMNS = ["title", "asset_type", "published_on"]
STALE_ASSET_COLUMNS = ["title", "asset_type", "approval_status", "published_on", "review_by"]
STALE_COLUMNS = [*STALE_ASSET_COLUMNS, *asset_library.FLAGS, "stale_reasons"]
FULFILLED_COLUMNS = ["prospect", "kind", "requested_at", "needed_by", "fulfilled_at"]
OVERDUE_REQUEST_COLUMNS = ["prospect", "kind", "status", "requested_at", "needed_by", "fulfilled_at"]
OVERDUE_COLUMNS = [*OVERDUE_REQUEST_COLUMNS, "days_overdue"]
SUMMARY_MEASURES = (
    ("Health", "Accounts at risk"),
    ("Health", "Entered the at-risk band"),
    ("Health", "Accounts whose score fell"),
    ("Feedback", "NPS responses"),
    ("Feedback", "New promoters"),
    ("Feedback", "New detractors"),
    ("Advocates", "New advocates"),
    ("Advocates", "Stage moves"),
    ("Advocates", "Asks"),
    ("Advocates", "Agreements"),
    ("Assets", "Assets published"),
    ("Assets", "Assets gone stale"),
    ("References", "Requests fulfilled"),
    ("References", "Requests overdue at week end"),
    ("Referrals", "Referrals sent"),
    ("Referrals", "Purchases"),
    ("Referrals", "Purchase revenue"),
    ("Referrals", "Referral purchases"),
)
# The name of each detail list in export_table, in the order it lists them.
DETAIL_SECTIONS = {
    "entered_at_risk": "Entered the at-risk band",
    "biggest_drops": "Biggest score drops",
    "promoters": "New promoters",
    "detractors": "New detractors",
    "new_advocates": "New advocates",
    "stage_moves": "Stage moves",
    "assets_published": "Assets published",
    "assets_gone_stale": "Assets gone stale",
    "requests_fulfilled": "Requests fulfilled",
    "requests_overdue": "Requests overdue at week end",
}


# ---- weeks and dates -----------------------------------------------------------------


def _monday(week: dt.date) -> pd.Timestamp:
    """The week's Monday at 00:00; refuses a date that is not a Monday (a week is named by its Monday)."""
    if periods.week_start(week) != week:
        raise ValueError(f"A week is named by its Monday; {week:%a %d %b %Y} is not one.")
    return pd.Timestamp(week)


def _in_week(values: pd.Series, week: dt.date) -> pd.Series:
    """True where the moment falls in the week (Monday 00:00 up to, not including, the next Monday)."""
    start = _monday(week)
    return periods.on_days(values, start, start + WEEK - periods.ONE_DAY)


def _newest_first(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.sort_values(column, ascending=False, kind="stable")


# ---- health --------------------------------------------------------------------------


def scored(
    subs: pd.DataFrame, segments: pd.Series, settings: dict[str, float], profiles: health.Profiles
) -> pd.DataFrame:
    """Contributions, score, band and top reason of one week's stored sub-scores, each account under its segment's
    health profile (profile_rules.combine; segments by account id)."""
    return profile_rules.combine(subs, segments, settings, profiles)


def _entered(this: pd.DataFrame, last: pd.DataFrame) -> pd.Series:
    """True where the band is at_risk this week and was not last week (not scored last week counts as not)."""
    return (this["band"] == "at_risk") & ~last["band"].reindex(this.index).isin(["at_risk"])


def _score_change(this: pd.DataFrame, last: pd.DataFrame) -> pd.Series:
    """This week's score − last week's, NaN unless scored both weeks."""
    return this["score"] - last["score"].reindex(this.index)


def entered_at_risk(this: pd.DataFrame, last: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Accounts that entered the at-risk band this week, with both scores and the top reason; biggest ARR first."""
    index = this.index[_entered(this, last).to_numpy()]
    frame = accounts.reindex(index)[["name", "owner", "segment", "arr"]].assign(
        score_last=last["score"].reindex(index),
        score_this=this.loc[index, "score"],
        band_last=last["band"].reindex(index),
        top_reason=this.loc[index, "top_reason"].map(health.DIMENSION_LABELS),
    )
    return frame.sort_values("arr", ascending=False, kind="stable").rename_axis("account_id")


def _reasons(this: pd.DataFrame, last: pd.DataFrame) -> pd.Series:
    """Per account of this: the dimensions whose contribution fell, largest fall first, as "Label −6.2, …"."""
    columns = [f"{dim}_contribution" for dim in health.DIMENSIONS]
    # A dimension without data adds no points to the score, so it counts as 0: falls and rises then add up
    # to the change.
    before = last[columns].reindex(this.index).fillna(0).to_numpy()
    falls = before - this[columns].fillna(0).to_numpy()
    order = np.argsort(-falls, axis=1, kind="stable")
    ranked = np.take_along_axis(falls, order, axis=1)
    labels = np.array([health.DIMENSION_LABELS[dim] for dim in health.DIMENSIONS], dtype=object)[order]
    pieces = []
    for rank in range(len(health.DIMENSIONS)):
        fall = pd.Series(ranked[:, rank], index=this.index)
        text = pd.Series(labels[:, rank], index=this.index) + f" {MINUS}" + fall.map("{:.1f}".format)
        pieces.append(text.where(fall >= MIN_REASON_FALL - _EPSILON, ""))
    return asset_library.join_texts(pieces, this.index, ", ")


def biggest_drops(
    this: pd.DataFrame, last: pd.DataFrame, accounts: pd.DataFrame, limit: int = 10
) -> pd.DataFrame:
    """Up to limit accounts scored both weeks whose score fell, most negative change first, with why."""
    change = _score_change(this, last)
    fell = change[change < -_EPSILON].sort_values(kind="stable").head(limit)
    index = fell.index
    frame = accounts.reindex(index)[["name", "owner", "arr"]].assign(
        score_last=last["score"].reindex(index),
        score_this=this.loc[index, "score"],
        change=fell,
        reasons=_reasons(this.loc[index], last),
    )
    return frame.rename_axis("account_id")


# ---- feedback and advocates ----------------------------------------------------------


def _nps_answered(surveys: pd.DataFrame, week: dt.date) -> pd.Series:
    """True for the NPS answers given in the week."""
    return (surveys["kind"] == "nps") & _in_week(surveys["responded_on"], week)


def _nps_classes(scores: pd.Series) -> pd.Series:
    """metrics.nps_class of each score."""
    # nps_class takes one score: classify each distinct score (at most 11) once and spread it.
    return scores.map({score: metrics.nps_class(score) for score in scores.unique()})


def new_promoters_and_detractors(surveys: pd.DataFrame, week: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The week's NPS promoters (9–10) and detractors (0–6), newest answer first."""
    answers = _newest_first(surveys.loc[_nps_answered(surveys, week), ANSWER_COLUMNS], "responded_on")
    classes = _nps_classes(answers["score"]).to_numpy()
    return (
        answers[classes == "promoter"].reset_index(drop=True),
        answers[classes == "detractor"].reset_index(drop=True),
    )


def stage_moves(stage_changes: pd.DataFrame, week: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The week's new advocates (no from_stage) and every other stage move, newest first."""
    changes = _newest_first(
        stage_changes.loc[_in_week(stage_changes["changed_at"], week), MOVE_COLUMNS], "changed_at"
    )
    new = changes["from_stage"].isna()
    return (
        changes.loc[new, NEW_ADVOCATE_COLUMNS].reset_index(drop=True),
        changes.loc[~new].reset_index(drop=True),
    )


# ---- assets --------------------------------------------------------------------------


def _published(assets: pd.DataFrame, week: dt.date) -> pd.Series:
    """True for the approved assets published in the week."""
    return (assets["approval_status"] == "approved") & _in_week(assets["published_on"], week)


def assets_published(assets: pd.DataFrame, week: dt.date) -> pd.DataFrame:
    """Approved assets published in the week, newest first."""
    listed = assets.loc[_published(assets, week), PUBLISHED_COLUMNS]
    return _newest_first(listed, "published_on").rename_axis("asset_id")


def account_bands(assets: pd.DataFrame, settings: dict[str, float], profiles: health.Profiles) -> pd.Series:
    """The band of each asset's customer (account_score under its segment's thresholds); NaN without a score."""
    return health.band(assets["account_score"], assets["segment"], settings, profiles).where(
        assets["account_score"].notna()
    )


def _freshness_inputs(assets: pd.DataFrame) -> pd.DataFrame:
    """The columns assets.freshness reads, dates typed (assets: with account_band, see account_bands)."""
    return pd.DataFrame(
        {
            "review_by": assets["review_by"],
            "approval_until": assets["approval_until"],
            "published_on": assets["published_on"],
            "account_churned": assets["account_churned"],
            "account_band": assets["account_band"],
            "contact_left": assets["contact_left"],
        },
        index=assets.index,
    )


def _gone_stale(
    assets: pd.DataFrame, week: dt.date, settings: dict[str, float]
) -> tuple[pd.Series, pd.DataFrame]:
    """True for the assets stale at the week's end but not at its start; and the stale flags at its end."""
    start = _monday(week)
    inputs = _freshness_inputs(assets)
    at_end = asset_library.freshness(inputs, (start + WEEK).date(), settings)
    at_start = asset_library.freshness(inputs, start.date(), settings)
    return at_end["stale"] & ~at_start["stale"], at_end


def assets_gone_stale(assets: pd.DataFrame, week: dt.date, settings: dict[str, float]) -> pd.DataFrame:
    """Assets stale at the week's end (next Monday) but not at its start, with the stale flags at its end
    (assets: with account_band, see account_bands).

    The churned, at-risk and contact-left flags are today's facts, not history, so they are the same at both
    moments: only review-by dates passing and assets crossing the age limit make an asset go stale here.
    """
    gone, flags = _gone_stale(assets, week, settings)
    flags = flags[gone]
    frame = assets.loc[gone, STALE_ASSET_COLUMNS].join(flags[list(asset_library.FLAGS)])
    inputs = _freshness_inputs(assets).loc[gone]
    frame["stale_reasons"] = asset_library.stale_reasons(inputs, flags, settings)
    return frame.rename_axis("asset_id")


# ---- references ----------------------------------------------------------------------


def requests_fulfilled(requests: pd.DataFrame, week: dt.date) -> pd.DataFrame:
    """Reference requests fulfilled in the week, in the order they were fulfilled."""
    frame = requests.loc[_in_week(requests["fulfilled_at"], week), FULFILLED_COLUMNS]
    return frame.sort_values("fulfilled_at", kind="stable").rename_axis("request_id")


def _overdue(requests: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    """True for the requests overdue at moment end: requested by then, needed before, not fulfilled by then
    and not declined."""
    return (
        (requests["requested_at"] <= end)
        & (requests["needed_by"] < end)
        # NaT compares false, so an unfulfilled request passes as "not fulfilled by end".
        & ~(requests["fulfilled_at"] <= end)
        & (requests["status"] != "declined")
    )


def requests_overdue(requests: pd.DataFrame, week: dt.date) -> pd.DataFrame:
    """Requests overdue at the week's end T (next Monday 00:00), most overdue first.

    Overdue at T: requested by T, needed before T, not fulfilled by T and not declined (the status is today's,
    so a request declined after T is left out). days_overdue = T − needed_by in days.
    """
    end = _monday(week) + WEEK
    overdue = _overdue(requests, end)
    frame = requests.loc[overdue, OVERDUE_REQUEST_COLUMNS].assign(
        days_overdue=(end - requests.loc[overdue, "needed_by"]).dt.total_seconds() / 86_400
    )
    return frame.sort_values("days_overdue", ascending=False, kind="stable").rename_axis("request_id")


# ---- summary -------------------------------------------------------------------------


def _week_figures(
    week: dt.date,
    surveys: pd.DataFrame,
    stage_changes: pd.DataFrame,
    outreach: pd.DataFrame,
    assets: pd.DataFrame,
    requests: pd.DataFrame,
    referrals: pd.DataFrame,
    purchases: pd.DataFrame,
    settings: dict[str, float],
) -> list[float]:
    """The summary's counts and sums that both weeks have, in SUMMARY_MEASURES order after the health ones."""
    nps_classes = _nps_classes(surveys.loc[_nps_answered(surveys, week), "score"])
    changed = _in_week(stage_changes["changed_at"], week)
    new_advocate = stage_changes["from_stage"].isna()
    bought = _in_week(purchases["purchased_on"], week)
    figures = [
        len(nps_classes),
        (nps_classes == "promoter").sum(),
        (nps_classes == "detractor").sum(),
        (changed & new_advocate).sum(),
        (changed & ~new_advocate).sum(),
        ((outreach["follow_up_number"] == 0) & _in_week(outreach["sent_on"], week)).sum(),
        ((outreach["outcome"] == "agreed") & _in_week(outreach["responded_on"], week)).sum(),
        _published(assets, week).sum(),
        _gone_stale(assets, week, settings)[0].sum(),
        _in_week(requests["fulfilled_at"], week).sum(),
        _overdue(requests, _monday(week) + WEEK).sum(),
        _in_week(referrals["created_on"], week).sum(),
        bought.sum(),
        purchases.loc[bought, "amount"].sum(),
        (bought & purchases["referral_id"].notna()).sum(),
    ]
    return [float(figure) for figure in figures]


def summary(
    week: dt.date,
    this: pd.DataFrame,
    last: pd.DataFrame,
    surveys: pd.DataFrame,
    stage_changes: pd.DataFrame,
    outreach: pd.DataFrame,
    assets: pd.DataFrame,
    requests: pd.DataFrame,
    referrals: pd.DataFrame,
    purchases: pd.DataFrame,
    settings: dict[str, float],
) -> pd.DataFrame:
    """Each weekly measure last week and this week (this and last are scored() frames); change = this − last."""
    inputs = (surveys, stage_changes, outreach, assets, requests, referrals, purchases, settings)
    previous = _monday(week).date() - dt.timedelta(days=7)
    # Who entered the band or fell last week would need the week before last: unknown, not zero.
    health_last = [float((last["band"] == "at_risk").sum()), np.nan, np.nan]
    health_this = [
        float((this["band"] == "at_risk").sum()),
        float(_entered(this, last).sum()),
        float((_score_change(this, last) < -_EPSILON).sum()),
    ]
    table = pd.DataFrame(
        {
            "section": [section for section, _ in SUMMARY_MEASURES],
            "measure": [measure for _, measure in SUMMARY_MEASURES],
            "last_week": health_last + _week_figures(previous, *inputs),
            "this_week": health_this + _week_figures(week, *inputs),
        }
    )
    table["change"] = table["this_week"] - table["last_week"]
    return table


# ---- the whole review ----------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyReview:
    """One week's review: the summary table and the detail list behind each of its figures."""

    week: dt.date
    summary: pd.DataFrame
    entered_at_risk: pd.DataFrame
    biggest_drops: pd.DataFrame
    promoters: pd.DataFrame
    detractors: pd.DataFrame
    new_advocates: pd.DataFrame
    stage_moves: pd.DataFrame
    assets_published: pd.DataFrame
    assets_gone_stale: pd.DataFrame
    requests_fulfilled: pd.DataFrame
    requests_overdue: pd.DataFrame


def review(
    week: dt.date,
    this_subs: pd.DataFrame,
    last_subs: pd.DataFrame,
    accounts: pd.DataFrame,
    surveys: pd.DataFrame,
    stage_changes: pd.DataFrame,
    outreach: pd.DataFrame,
    assets: pd.DataFrame,
    requests: pd.DataFrame,
    referrals: pd.DataFrame,
    purchases: pd.DataFrame,
    settings: dict[str, float],
    profiles: health.Profiles,
) -> WeeklyReview:
    """The week's review (week = its Monday) compared with the week before; scores and bands follow each account's
    segment's health profile (profiles), the global settings without one."""
    segments = accounts["segment"]
    this, last = (
        scored(this_subs, segments, settings, profiles),
        scored(last_subs, segments, settings, profiles),
    )
    assets = assets.assign(account_band=account_bands(assets, settings, profiles))
    promoters, detractors = new_promoters_and_detractors(surveys, week)
    new_advocates, moves = stage_moves(stage_changes, week)
    return WeeklyReview(
        week=week,
        summary=summary(
            week,
            this,
            last,
            surveys,
            stage_changes,
            outreach,
            assets,
            requests,
            referrals,
            purchases,
            settings,
        ),
        entered_at_risk=entered_at_risk(this, last, accounts),
        biggest_drops=biggest_drops(this, last, accounts),
        promoters=promoters,
        detractors=detractors,
        new_advocates=new_advocates,
        stage_moves=moves,
        assets_published=assets_published(assets, week),
        assets_gone_stale=assets_gone_stale(assets, week, settings),
        requests_fulfilled=requests_fulfilled(requests, week),
        requests_overdue=requests_overdue(requests, week),
    )


def export_table(review: WeeklyReview) -> pd.DataFrame:
    """Every detail list of the review stacked into one CSV-ready frame, `section` naming the list.

    Columns are `section` then the union of the lists' columns (ids included) in order of first use; a
    list's row leaves the others' columns empty. The summary is not in it: export review.summary as it is.
    """
    # A named index is an id (account, asset, request) worth a column; an unnamed one is only a row number.
    frames = {
        section: getattr(review, name).reset_index(drop=getattr(review, name).index.name is None)
        for name, section in DETAIL_SECTIONS.items()
    }
    columns = ["section", *dict.fromkeys(col for frame in frames.values() for col in frame.columns)]
    # Empty lists add no rows, and concatenating them would only spoil the other lists' dtypes.
    filled = [frame.assign(section=section) for section, frame in frames.items() if len(frame)]
    if not filled:
        return pd.DataFrame(columns=columns)
    return pd.concat(filled, ignore_index=True).reindex(columns=columns)
