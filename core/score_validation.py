"""Does the score beat simple rules? ROC AUC of the health score and of one-column baselines over many weeks.

The panel is one row per account and scored week: the week's health score, whether the account churned within
the horizon after the week's Sunday, and the baseline columns as of that Sunday. Every AUC here is pooled over
the panel's rows; its 95% interval comes from a bootstrap that resamples accounts (all of an account's weeks
go in or out together, since an account's weeks are not independent draws).

Each rule's direction is fixed before looking at any outcome, never picked on the data it is judged on:
a higher health score, a longer tenure, a rising usage trend and a higher ARR are safer; more tickets are
riskier; a custom numeric attribute is read as "higher is safer" (its meaning is unknown in advance), so an
attribute whose AUC lies below 0.5 predicts the other way round — the page says so without counting it a win.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from core import early_warning, leakage

# Resamples of the bootstrap: enough for stable 2.5% and 97.5% percentiles of an AUC. The first
# BOOTSTRAP_FIRST of them are used alone when they already fix each end of the interval within
# BOOTSTRAP_PRECISION (one standard error of a 2.5% percentile of R resamples of a spread σ is about
# 2.67·σ ÷ √R): so on a large book, whose interval is narrow, 200 do, and a small book gets all 500.
BOOTSTRAP_RESAMPLES = 500
BOOTSTRAP_FIRST = 200
BOOTSTRAP_PRECISION = 0.001
BOOTSTRAP_SEED = 12
# The bootstrap counts pairs by ordered levels of a value, at most this many (equal values share one); the
# point estimate is exact, the interval's ends move by well under 0.001 for it (0.00002 on 60,000 rows).
BOOTSTRAP_LEVELS = 1000
# Below this many churned accounts an AUC is not worth a verdict.
MIN_CHURNERS = 10
# Resamples are drawn this many at a time, to bound memory at 50,000 accounts.
_CHUNK = 100
# Usage trend: active users in the 4 weeks up to the week ÷ the 8 weeks before, as the health score reads it.
RECENT_WEEKS, PRIOR_WEEKS = 4, 8
TICKET_DAYS = 90


@dataclass(frozen=True)
class Rule:
    """A one-column predictor: column of the panel, label, and its direction fixed in advance."""

    column: str
    label: str
    higher_is_safer: bool
    why: str


SCORE = Rule("score", "Health score", True, "a higher score is healthier")
BASELINES: tuple[Rule, ...] = (
    Rule("tenure_days", "Tenure", True, "longer-standing customers are safer"),
    Rule("usage_trend", "Usage trend", True, "active users rising (4 weeks ÷ the 8 before) is safer"),
    Rule("tickets_90d", "Tickets in the last 90 days", False, "more tickets is riskier"),
    Rule("arr", "ARR", True, "bigger contracts are safer"),
)


def attribute_rules(names: list[str]) -> tuple[Rule, ...]:
    """One rule per custom numeric attribute (panel column attr:<name>), read as higher is safer."""
    return tuple(
        Rule(
            f"attr:{name}",
            name,
            True,
            "custom attribute: read as higher is safer, its meaning unknown in advance",
        )
        for name in names
    )


# ---- building the panel ------------------------------------------------------------------------------


def events_per_week(
    account_pos: np.ndarray, days: np.ndarray, week_ends: np.ndarray, n_accounts: int, lo: int, hi: int
) -> np.ndarray:
    """Matrix accounts × weeks: how many of the events (account position, day number) lie lo…hi days before
    the week's end, i.e. lo ≤ week_end − day ≤ hi (negative: after it). week_ends are day numbers 7 apart."""
    n_weeks = len(week_ends)
    if len(days) == 0 or n_weeks == 0:
        return np.zeros((n_accounts, n_weeks), dtype=np.int64)
    # An event counts in the weeks whose end lies in day + lo … day + hi.
    first = np.clip(np.ceil((days + lo - week_ends[0]) / 7), 0, n_weeks).astype(np.int64)
    last = np.clip(np.floor((days + hi - week_ends[0]) / 7) + 1, 0, n_weeks).astype(np.int64)
    keep = first < last
    width = n_weeks + 1
    starts = np.bincount(account_pos[keep] * width + first[keep], minlength=n_accounts * width)
    stops = np.bincount(account_pos[keep] * width + last[keep], minlength=n_accounts * width)
    return np.cumsum((starts - stops).reshape(n_accounts, width), axis=1)[:, :n_weeks]


def usage_trend(
    account_pos: np.ndarray, week_pos: np.ndarray, active_users: np.ndarray, n_accounts: int, n_weeks: int
) -> np.ndarray:
    """Matrix accounts × weeks: mean active users over the 4 weeks up to each week ÷ the mean over the 8 weeks
    before, each mean over the weeks with a known count; NaN when either is unknown or the earlier one is 0.
    week_pos: the usage row's week, 0 = the grid's first week."""
    known = ~np.isnan(active_users)
    flat = account_pos[known] * n_weeks + week_pos[known]
    sums = np.bincount(flat, weights=active_users[known], minlength=n_accounts * n_weeks)
    counts = np.bincount(flat, minlength=n_accounts * n_weeks).astype(float)
    pad = ((0, 0), (1, 0))
    cum_sums = np.pad(np.cumsum(sums.reshape(n_accounts, n_weeks), axis=1), pad)
    cum_counts = np.pad(np.cumsum(counts.reshape(n_accounts, n_weeks), axis=1), pad)

    def window_mean(newest_back: int, weeks: int) -> np.ndarray:
        """Mean over weeks k − newest_back − weeks + 1 … k − newest_back of every week k (clipped at the grid)."""
        end = np.arange(n_weeks) + 1 - newest_back
        start = np.clip(end - weeks, 0, None)
        end = np.clip(end, 0, None)
        total = cum_sums[:, end] - cum_sums[:, start]
        count = cum_counts[:, end] - cum_counts[:, start]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / count, np.nan)

    recent = window_mean(0, RECENT_WEEKS)
    prior = window_mean(RECENT_WEEKS, PRIOR_WEEKS)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(prior > 0, recent / prior, np.nan)


_DAY = np.timedelta64(1, "D")
_EPOCH = np.datetime64("1970-01-01")


def _day_numbers(values: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of datetime64 values."""
    return ((values - _EPOCH) // _DAY).astype(np.int64)


def _positions(
    ids: np.ndarray, frame: pd.DataFrame, column: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(account positions in the sorted ids, day numbers of column, which rows) of frame's rows whose account
    is in ids."""
    found = frame["account_id"].to_numpy()
    pos = np.clip(np.searchsorted(ids, found), 0, len(ids) - 1)
    inside = ids[pos] == found
    days = _day_numbers(frame[column].to_numpy())
    return pos[inside], days[inside], inside


def _grid_usage_trend(
    ids: np.ndarray, usage: pd.DataFrame, grid_start: int, last_week: int, n_grid: int
) -> np.ndarray:
    """usage_trend() of the panel's accounts on the grid of n_grid weeks from day number grid_start, from the
    usage rows of the weeks up to last_week (a day number)."""
    usage_pos, usage_days, inside = _positions(ids, usage, "week_start")
    in_grid = (usage_days >= grid_start) & (usage_days <= last_week)
    return usage_trend(
        usage_pos[in_grid],
        (usage_days[in_grid] - grid_start) // 7,
        usage["active_users"].to_numpy(dtype=float)[inside][in_grid],
        len(ids),
        n_grid,
    )


def build_panel(
    *,
    scores: pd.DataFrame,
    accounts: pd.DataFrame,
    churn: pd.DataFrame,
    tickets: pd.DataFrame,
    usage: pd.DataFrame,
    attributes: pd.DataFrame,
    horizon_days: int,
) -> pd.DataFrame:
    """One row per scored account-week with its score, churned (a churn event in the horizon_days after the
    week's Sunday) and the baseline columns as of that Sunday.

    scores: account_id, week_start (datetime64), score (only known scores); accounts (index account_id):
    segment, plan, customer_since (datetime64), arr; churn: account_id, churned_on; tickets: account_id,
    opened_on; usage: account_id, week_start, active_users; attributes (index account_id): one float column
    per custom numeric attribute."""
    if scores.empty:
        return pd.DataFrame(columns=["account_id", "week_start", "score", "churned"])
    ids = np.sort(scores["account_id"].unique())
    n_accounts = len(ids)
    score_weeks = _day_numbers(scores["week_start"].to_numpy())
    first_week, last_week = int(score_weeks.min()), int(score_weeks.max())
    # The grid starts early enough for the usage windows of the first scored week.
    grid_start = first_week - 7 * (RECENT_WEEKS + PRIOR_WEEKS - 1)
    n_grid = (last_week - grid_start) // 7 + 1
    grid_ends = grid_start + 6 + 7 * np.arange(n_grid)

    row_account = np.searchsorted(ids, scores["account_id"].to_numpy())
    row_week = (score_weeks - grid_start) // 7
    churn_pos, churn_days, _ = _positions(ids, churn, "churned_on")
    churned = events_per_week(churn_pos, churn_days, grid_ends, n_accounts, -horizon_days, -1)
    ticket_pos, ticket_days, _ = _positions(ids, tickets, "opened_on")
    ticket_counts = events_per_week(ticket_pos, ticket_days, grid_ends, n_accounts, 0, TICKET_DAYS - 1)
    trend = _grid_usage_trend(ids, usage, grid_start, last_week, n_grid)
    facts = accounts.reindex(scores["account_id"].to_numpy())
    since = ((facts["customer_since"].to_numpy() - _EPOCH) / _DAY).astype(float)
    panel = pd.DataFrame(
        {
            "account_id": scores["account_id"].to_numpy(),
            "week_start": scores["week_start"].to_numpy(),
            "score": scores["score"].to_numpy(dtype=float),
            "churned": churned[row_account, row_week] > 0,
            "tenure_days": grid_ends[row_week] - since,
            "usage_trend": trend[row_account, row_week],
            "tickets_90d": ticket_counts[row_account, row_week].astype(float),
            "arr": facts["arr"].to_numpy(dtype=float),
            "segment": facts["segment"].array,
            "plan": facts["plan"].array,
        }
    )
    for name in attributes.columns:
        panel[f"attr:{name}"] = attributes[name].reindex(panel["account_id"].to_numpy()).to_numpy(dtype=float)
    return panel


# ---- ROC AUC with a bootstrap interval ------------------------------------------------------------


@dataclass(frozen=True)
class Auc:
    """A pooled ROC AUC with its 95% bootstrap interval (None: not computable) and what it rests on: account-weeks
    and accounts with a known value, and how many of them churned within the horizon."""

    auc: float | None
    low: float | None
    high: float | None
    account_weeks: int
    accounts: int
    churn_weeks: int
    churners: int


def _ranked(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Each value's ordered level among the distinct values (equal values share one), and how many there are."""
    unique, inverse = np.unique(values, return_inverse=True)
    return inverse.ravel(), len(unique)


def _exact_auc(level: np.ndarray, n_levels: int, churned: np.ndarray) -> float | None:
    """P(a stayer is safer than a churner), ties half, from each row's level (higher is safer); None if a class is
    empty. The same number as early_warning.roc_auc, by counting instead of ranking."""
    churners = np.bincount(level[churned], minlength=n_levels).astype(float)
    stayers = np.bincount(level[~churned], minlength=n_levels).astype(float)
    pairs = churners.sum() * stayers.sum()
    if pairs == 0:
        return None
    safer = stayers.sum() - np.cumsum(stayers)
    return float((churners * (safer + stayers / 2)).sum() / pairs)


def _capped(level: np.ndarray, n_levels: int) -> tuple[np.ndarray, int]:
    """Levels merged evenly into at most BOOTSTRAP_LEVELS."""
    if n_levels <= BOOTSTRAP_LEVELS:
        return level, n_levels
    return level * BOOTSTRAP_LEVELS // n_levels, BOOTSTRAP_LEVELS


def resampled_accounts(
    n_accounts: int, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> np.ndarray:
    """Matrix accounts × resamples: how often each account is drawn in each resample of n_accounts draws with
    replacement. Every rule of a panel is judged on the same resamples."""
    rng = np.random.default_rng(seed)
    drawn = np.empty((n_accounts, resamples), dtype=np.float32)
    for start in range(0, resamples, _CHUNK):
        size = min(_CHUNK, resamples - start)
        draws = rng.integers(0, n_accounts, size=(size, n_accounts))
        flat = (draws * size + np.arange(size)[:, None]).ravel()
        drawn[:, start : start + size] = np.bincount(flat, minlength=n_accounts * size).reshape(
            n_accounts, size
        )
    return drawn


def bootstrap_aucs(
    safety: np.ndarray,
    churned: np.ndarray,
    account_pos: np.ndarray,
    drawn: np.ndarray,
    ranked: tuple[np.ndarray, int] | None = None,
) -> np.ndarray:
    """The AUC of each resample (a column of drawn, see resampled_accounts): rows weighted by how often their
    account was drawn, AUC = Σ over pairs of a churner row and a stayer row of weight × (1 if the stayer is safer,
    ½ if equally safe) ÷ (churner weight × stayer weight); NaN when a resample holds no churner or no stayer.
    safety: higher is safer; ranked: its levels (_ranked), when the caller has them."""
    level, n_levels = _capped(*(ranked or _ranked(safety)))
    # Rows of one sparse matrix: churner weight per level first, then stayer weight per level.
    cells = sparse.csr_matrix(
        (np.ones(len(level), dtype=np.float32), (level + n_levels * ~churned, account_pos)),
        shape=(2 * n_levels, drawn.shape[0]),
    )
    weights = (cells @ drawn).astype(float)
    churners, stayers = weights[:n_levels], weights[n_levels:]
    stayer_total = stayers.sum(axis=0)
    safer = stayer_total - np.cumsum(stayers, axis=0)
    pairs = (churners * (safer + stayers / 2)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pairs / (churners.sum(axis=0) * stayer_total)


def pooled_auc(
    panel: pd.DataFrame, rule: Rule, drawn: np.ndarray | None = None, account_pos: np.ndarray | None = None
) -> Auc:
    """The rule's ROC AUC over every panel row where its value is known (exact, on the value turned so higher is
    safer) and the 2.5%–97.5% percentiles of bootstrap_aucs resampling the panel's accounts: the first
    BOOTSTRAP_FIRST resamples where they fix the ends well enough, else all of them (drawn: resampled_accounts of
    the panel's accounts in id order; drawn here when not given). account_pos: each
    row's account's position in id order, when the caller has it (found here otherwise)."""
    if account_pos is None:
        account_pos = np.unique(panel["account_id"].to_numpy(), return_inverse=True)[1].ravel()
    values = panel[rule.column].to_numpy(dtype=float)
    known = ~np.isnan(values)
    safety = values[known] if rule.higher_is_safer else -values[known]
    churned = panel["churned"].to_numpy(dtype=bool)[known]
    accounts = account_pos[known]
    counts = {
        "account_weeks": int(known.sum()),
        "accounts": int(np.count_nonzero(np.bincount(accounts))),
        "churn_weeks": int(churned.sum()),
        "churners": int(np.count_nonzero(np.bincount(accounts[churned]))),
    }
    ranked = _ranked(safety)
    auc = _exact_auc(*ranked, churned)
    if auc is None:
        return Auc(None, None, None, **counts)
    if drawn is None:
        drawn = resampled_accounts(int(account_pos.max()) + 1)
    aucs = bootstrap_aucs(safety, churned, accounts, drawn[:, :BOOTSTRAP_FIRST], ranked)
    first = aucs[~np.isnan(aucs)]
    if len(first) < 2 or 2.67 * first.std() / np.sqrt(len(first)) >= BOOTSTRAP_PRECISION:
        rest = bootstrap_aucs(safety, churned, accounts, drawn[:, BOOTSTRAP_FIRST:], ranked)
        aucs = np.concatenate([aucs, rest])
    low, high = np.nanpercentile(aucs, [2.5, 97.5])
    return Auc(auc, float(low), float(high), **counts)


def compare(panel: pd.DataFrame, rules: tuple[Rule, ...], drawn: np.ndarray | None = None) -> pd.DataFrame:
    """One row per rule (the health score first): label, direction, AUC, interval and the counts it rests on, every
    rule judged on the same resamples (drawn: resampled_accounts of the panel's accounts, drawn here if not given)."""
    ids, account_pos = np.unique(panel["account_id"].to_numpy(), return_inverse=True)
    drawn = resampled_accounts(len(ids)) if drawn is None else drawn
    rows = []
    for rule in (SCORE, *rules):
        found = pooled_auc(panel, rule, drawn, account_pos.ravel())
        rows.append(
            {
                "rule": rule.column,
                "label": rule.label,
                "direction": rule.why,
                "auc": found.auc,
                "low": found.low,
                "high": found.high,
                "account_weeks": found.account_weeks,
                "accounts": found.accounts,
                "churn_weeks": found.churn_weeks,
                "churners": found.churners,
            }
        )
    return pd.DataFrame(rows)


def weekly_auc(panel: pd.DataFrame) -> pd.DataFrame:
    """Per scored week: the score's ROC AUC (None without a churner or a stayer), accounts and churned accounts."""
    grouped = panel[["week_start", "score", "churned"]].groupby("week_start", sort=True)
    return pd.DataFrame(
        {
            "auc": grouped.apply(lambda week: early_warning.roc_auc(week["score"], week["churned"])),
            "accounts": grouped.size(),
            "churners": grouped["churned"].sum().astype(int),
        }
    ).reset_index()


UNKNOWN_GROUP = "unknown"


def auc_by_group(panel: pd.DataFrame, column: str, drawn: np.ndarray | None = None) -> pd.DataFrame:
    """Per value of column (segment, plan; missing: "unknown"): the score's pooled AUC with its interval where the
    group has at least MIN_CHURNERS churned accounts, else None and a note saying why. drawn: resamples of the
    whole panel's accounts (resampled_accounts), each group reading its own accounts' rows of them, so a
    group's resamples vary in size as they would in a resample of the book; without it, the group's own."""
    ids = np.unique(panel["account_id"].to_numpy())
    groups = panel[column].fillna(UNKNOWN_GROUP)
    rows = []
    # Only the columns a group's AUC reads: splitting every column of the panel would copy them all.
    for name, group in panel[["account_id", SCORE.column, "churned"]].groupby(groups, sort=True):
        churners = group.loc[group["churned"], "account_id"].nunique()
        enough = churners >= MIN_CHURNERS
        own = (
            None if drawn is None else drawn[np.searchsorted(ids, np.unique(group["account_id"].to_numpy()))]
        )
        found = pooled_auc(group, SCORE, own) if enough else None
        rows.append(
            {
                "group": name,
                "accounts": group["account_id"].nunique(),
                "account_weeks": len(group),
                "churners": churners,
                "auc": found.auc if found else None,
                "low": found.low if found else None,
                "high": found.high if found else None,
                "note": ""
                if enough
                else f"not enough churn to judge: {churners} churned (at least {MIN_CHURNERS})",
            }
        )
    return pd.DataFrame(
        rows, columns=["group", "accounts", "account_weeks", "churners", "auc", "low", "high", "note"]
    )


# ---- the verdict ------------------------------------------------------------------------------------


def _interval(row: pd.Series) -> str:
    return f"95% interval {row['low']:.2f}–{row['high']:.2f}"


def verdict(table: pd.DataFrame) -> str:
    """The plain answer to "does the score beat the simple rules?" from compare()'s table (score first)."""
    score = table.iloc[0]
    if score["churners"] < MIN_CHURNERS or pd.isna(score["auc"]):
        return (
            f"Not enough churn to judge: {score['churners']} accounts churned in the weeks checked "
            f"(at least {MIN_CHURNERS} needed)."
        )
    rules = table.iloc[1:]
    judged = rules[(rules["churners"] >= MIN_CHURNERS) & rules["auc"].notna()]
    best = judged.loc[judged["auc"].idxmax()] if not judged.empty else None
    beaten = best is not None and best["auc"] > score["auc"]
    if score["low"] <= 0.5 <= score["high"]:
        head = (
            f"The health score is no better than chance here: ROC AUC {score['auc']:.2f} "
            f"({_interval(score)}, which includes 0.5)."
        )
        if beaten:
            return f"{head} {best['label']} alone does better: {best['auc']:.2f} ({_interval(best)})."
        return head
    if beaten:
        return (
            f"{best['label']} alone predicts churn better than the health score here: "
            f"{best['auc']:.2f} vs {score['auc']:.2f} ({_interval(best)} vs {_interval(score)})."
        )
    if best is None:
        return (
            f"The health score separates churners with ROC AUC {score['auc']:.2f} ({_interval(score)}); "
            "no simple rule has enough churn to compare with."
        )
    return (
        f"The health score beats every simple rule: ROC AUC {score['auc']:.2f} ({_interval(score)}) against "
        f"{best['auc']:.2f} for {best['label']}, the best of them."
    )


def reversed_rules(table: pd.DataFrame) -> list[str]:
    """Notes for rules whose whole interval lies below 0.5: they predict churn the other way round from the
    direction fixed in advance, which is worth knowing but not counted as beating the score."""
    below = table.iloc[1:]
    below = below[below["high"].notna() & (below["high"] < 0.5)]
    return [
        f"{row['label']} predicts churn the other way round from the direction assumed ({row['direction']}): read reversed it "
        f"would score {1 - row['auc']:.2f}, but a direction picked after seeing the outcome is not a fair test."
        for _, row in below.iterrows()
    ]


# ---- all of it at once ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    """What "Does the score work?" shows over many weeks: the rules table (compare), the verdict and the notes on
    reversed rules, the score's AUC per week and per segment and plan, and how many weeks the panel spans."""

    rules: pd.DataFrame
    verdict: str
    notes: list[str]
    weekly: pd.DataFrame
    segments: pd.DataFrame
    plans: pd.DataFrame
    weeks: int
    excluded: dict[str, str]


def restating_outcome(panel: pd.DataFrame) -> dict[str, str]:
    """The panel's custom attributes that restate the outcome (core.leakage), by name, with why."""
    columns = [column for column in panel.columns if column.startswith("attr:")]
    if not columns:
        return {}
    values, churned = leakage.by_account(panel, columns)
    return leakage.leaks(values.rename(columns=lambda column: column.removeprefix("attr:")), churned)


def validate(panel: pd.DataFrame) -> Validation:
    """compare() the score with the baselines and every custom numeric attribute of the panel that does not
    restate the outcome (those are left out, and named with why), then the score's AUC per week, per segment and
    per plan."""
    excluded = restating_outcome(panel)
    names = [column.removeprefix("attr:") for column in panel.columns if column.startswith("attr:")]
    names = [name for name in names if name not in excluded]
    drawn = resampled_accounts(panel["account_id"].nunique())
    rules = compare(panel, BASELINES + attribute_rules(names), drawn)
    notes = reversed_rules(rules)
    return Validation(
        rules=rules,
        verdict=verdict(rules),
        notes=[*notes, leakage.note(excluded)] if excluded else notes,
        weekly=weekly_auc(panel),
        segments=auc_by_group(panel, "segment", drawn),
        plans=auc_by_group(panel, "plan", drawn),
        weeks=panel["week_start"].nunique(),
        excluded=excluded,
    )
