"""The churn-risk layer: a regularised logistic regression fitted on the book's own history, tested honestly.

Rows are (account, week) pairs of the weekly health snapshots, labelled 1 when the account churned within the
horizon after the week's Sunday; or, without weekly history, one row per account labelled by whether it ever
churned. Inputs are the five sub-scores and the account's facts (tenure, segment, plan, ARR, custom attributes).
Every number a page shows of a model comes from data the model was not fitted on: the newest weeks (out of time)
or the held-out fold (cross-validation). The training-set AUC is never computed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from core import health, leakage
from core import settings as settings_rules
from core.model_measures import auc, auc_interval, brier, calibration

# The rule: fewer churners than this in the test set and the model is not judged.
MIN_TEST_CHURNERS = 10
CV_FOLDS = 5
# The L2 strength on standardised inputs: sklearn's default, mild enough for a few dozen inputs.
REGULARISATION_C = 1.0
# A categorical input keeps its most frequent values; the rest read "other" (a customer id is not a category).
MAX_CATEGORIES = 20
# Consecutive weeks of one account say nearly the same thing: past this many rows, whole weeks are thinned
# evenly, which keeps the fit within a minute and a gigabyte at 50,000 accounts.
MAX_FIT_ROWS = 300_000
# Why a risk is what it is: the inputs that move it by at least a point, the largest three.
WHY_TOP = 3
MIN_WHY_POINTS = 1.0
DAYS_PER_MONTH = 30.44
MINUS = "\u2212"

OUT_OF_TIME = "out_of_time"
CROSS_VALIDATION = "cross_validation"
OK, NOT_ENOUGH_CHURN, CHANCE = "ok", "not_enough_churn", "chance"

NUMBER, CATEGORY = "number", "category"


@dataclass(frozen=True)
class Feature:
    """One input of the model: a column of the rows, how a person calls it, and whether it is a number or a
    category (one-hot encoded). unit says how a value reads: "months", "money", "score" or ""."""

    column: str
    label: str
    kind: str
    unit: str = ""


SUB_SCORE_FEATURES = tuple(
    Feature(dim, health.DIMENSION_LABELS[dim].lower(), NUMBER, "score") for dim in health.DIMENSIONS
)
FACT_FEATURES = (
    Feature("tenure_months", "tenure", NUMBER, "months"),
    Feature("arr", "ARR", NUMBER, "money"),
    Feature("segment", "segment", CATEGORY),
    Feature("plan", "plan", CATEGORY),
    Feature("billing_period", "billing", CATEGORY),
)


def attribute_features(kinds: dict[str, str]) -> tuple[Feature, ...]:
    """A custom attribute as an input (column "attr:NAME"): numbers as numbers, text and yes/no as categories;
    dates are left out (a date means nothing to a linear model without a reference day)."""
    return tuple(
        Feature(f"attr:{name}", name, NUMBER if kind == "number" else CATEGORY)
        for name, kind in kinds.items()
        if kind != "date"
    )


def without_leaks(
    rows: pd.DataFrame, features: tuple[Feature, ...]
) -> tuple[tuple[Feature, ...], dict[str, str]]:
    """The features without the custom attributes that restate the outcome (core.leakage, judged on rows: the
    training rows, so the test outcomes are not looked at), and those left out by name with why."""
    custom = [feature for feature in features if feature.column.startswith("attr:")]
    if not custom:
        return features, {}
    values, churned = leakage.by_account(rows, [feature.column for feature in custom])
    excluded = leakage.leaks(values.set_axis([feature.label for feature in custom], axis=1), churned)
    kept = tuple(feature for feature in features if feature not in custom or feature.label not in excluded)
    return kept, excluded


# ---- labels and the split ------------------------------------------------------------------


def churn_within(
    accounts: np.ndarray, days: np.ndarray, churn_accounts: np.ndarray, churn_days: np.ndarray, horizon: int
) -> np.ndarray:
    """For each (account, day) pair: True when the account has a churn event in (day, day + horizon].
    days and churn_days are whole day numbers."""
    span = int(max(days.max(initial=0), churn_days.max(initial=0))) + horizon + 2
    events = np.sort(churn_accounts.astype(np.int64) * span + churn_days.astype(np.int64))
    start = accounts.astype(np.int64) * span + days.astype(np.int64)
    following = np.searchsorted(events, start, side="right")
    padded = np.append(events, np.iinfo(np.int64).max)
    return padded[following] <= start + horizon


@dataclass(frozen=True)
class Split:
    """The weeks (Mondays) a fit learns from and the newest ones it is tested on."""

    train: list[dt.date]
    test: list[dt.date]


def split_weeks(weeks: list[dt.date], known_until: dt.date, horizon: int, test_weeks: int) -> Split:
    """Out-of-time split of the scored weeks. Labelled weeks are those whose whole horizon after their Sunday
    has happened by known_until; the newest test_weeks of them are the test set, and the model learns only from
    weeks whose horizon ended before the first test week began, so no training label looks into the test."""
    labelled = sorted(w for w in weeks if w + dt.timedelta(days=6 + horizon) <= known_until)
    test = labelled[-test_weeks:]
    if not test:
        return Split([], [])
    train = [w for w in labelled if w + dt.timedelta(days=6 + horizon) < test[0]]
    return Split(train, test)


def thin_weeks(weeks: list[dt.date], rows_per_week: float, max_rows: int = MAX_FIT_ROWS) -> list[dt.date]:
    """Every k-th week, newest kept, with k the smallest step that keeps the rows within max_rows."""
    step = max(1, math.ceil(len(weeks) * rows_per_week / max_rows))
    return sorted(weeks[::-1][::step])


# ---- design matrix ---------------------------------------------------------------------------


@dataclass
class Encoder:
    """How rows become the model's standardised columns, learnt from the training rows only: a number's
    missing values get its training median and an "unknown" indicator column; a category keeps its most
    frequent values (unknown is a value of its own)."""

    features: tuple[Feature, ...]
    medians: dict[str, float] = field(default_factory=dict)
    with_unknown: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    values: list[object] = field(default_factory=list)
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    scale: np.ndarray = field(default_factory=lambda: np.ones(0))


UNKNOWN = "unknown"
OTHER = "other"


def _category_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each value's code into its distinct values as text (−1 where unknown), and those values."""
    codes, uniques = pd.factorize(values)
    return codes, [str(value) for value in uniques]


def fit_encoder(rows: pd.DataFrame, features: tuple[Feature, ...]) -> Encoder:
    """The encoder for these features, learnt from rows; features without any known value are left out."""
    encoder = Encoder(features=())
    kept = []
    for feature in features:
        values = rows[feature.column]
        if values.notna().sum() == 0:
            continue
        kept.append(feature)
        if feature.kind == NUMBER:
            numbers = values.astype(float)
            encoder.medians[feature.column] = float(numbers.median())
            encoder.columns.append(feature.column)
            encoder.sources.append(feature.column)
            encoder.values.append(None)
            if numbers.isna().any():
                encoder.with_unknown.append(feature.column)
                encoder.columns.append(f"{feature.column} unknown")
                encoder.sources.append(feature.column)
                encoder.values.append(UNKNOWN)
        else:
            codes, names = _category_codes(values)
            counts = pd.Series(np.bincount(codes[codes >= 0], minlength=len(names)), index=names)
            if (codes < 0).any():
                counts[UNKNOWN] = int((codes < 0).sum())
            top = sorted(counts.sort_values(ascending=False, kind="stable").index[:MAX_CATEGORIES])
            if len(counts) > MAX_CATEGORIES:
                top.append(OTHER)
            encoder.categories[feature.column] = top
            for value in top:
                encoder.columns.append(f"{feature.column}={value}")
                encoder.sources.append(feature.column)
                encoder.values.append(value)
    encoder.features = tuple(kept)
    raw = _raw(encoder, rows)
    encoder.mean = raw.mean(axis=0)
    scale = raw.std(axis=0)
    # A column that never varies in training carries nothing: scale 1 keeps it at 0 after centring.
    encoder.scale = np.where(scale > 0, scale, 1.0)
    return encoder


def _raw(encoder: Encoder, rows: pd.DataFrame) -> np.ndarray:
    """The unstandardised design matrix: numbers (median-filled), unknown indicators, one-hot categories."""
    out = np.empty((len(rows), len(encoder.columns)), dtype=np.float64)
    position = 0
    for feature in encoder.features:
        values = rows[feature.column]
        if feature.kind == NUMBER:
            numbers = values.astype(float).to_numpy()
            missing = np.isnan(numbers)
            out[:, position] = np.where(missing, encoder.medians[feature.column], numbers)
            position += 1
            if feature.column in encoder.with_unknown:
                out[:, position] = missing
                position += 1
        else:
            known = encoder.categories[feature.column]
            position_of = {name: index for index, name in enumerate(known)}
            fallback = position_of.get(OTHER, -1)
            codes, names = _category_codes(values)
            lookup = np.array(
                [position_of.get(name, fallback) for name in names] + [position_of.get(UNKNOWN, -1)]
            )
            # Code −1 (unknown) picks the last entry of lookup.
            codes = lookup[codes]
            block = out[:, position : position + len(known)]
            block[:] = 0.0
            hit = codes >= 0
            block[np.flatnonzero(hit), codes[hit]] = 1.0
            position += len(known)
    return out


def encode(encoder: Encoder, rows: pd.DataFrame) -> np.ndarray:
    """Rows as the model's standardised columns (training mean 0, standard deviation 1)."""
    raw = _raw(encoder, rows)
    raw -= encoder.mean
    raw /= encoder.scale
    return raw


# ---- fit and measures ------------------------------------------------------------------------


def fit(design: np.ndarray, churned: np.ndarray) -> LogisticRegression:
    """L2-regularised logistic regression of churned on the standardised design."""
    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000)
    return model.fit(design, churned.astype(int))


def judge(test_churners: int, interval: tuple[float, float] | None) -> str:
    """OK, NOT_ENOUGH_CHURN (fewer than MIN_TEST_CHURNERS churners in the test set) or CHANCE (the AUC's
    interval includes 0.5)."""
    if test_churners < MIN_TEST_CHURNERS or interval is None:
        return NOT_ENOUGH_CHURN
    return CHANCE if interval[0] <= 0.5 <= interval[1] else OK


# ---- why: contributions in plain words -------------------------------------------------------


def _signed_points(points: float) -> str:
    text = f"{abs(points):.0f}"
    return ("+" if points > 0 else MINUS) + text + " pts"


def _value_words(feature: Feature, value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return f"{feature.label} unknown"
    if feature.kind == CATEGORY:
        return f"{feature.label} {value}"
    number = float(value)
    if feature.unit == "months":
        months = round(number)
        return f"{feature.label} {months} month{'' if months == 1 else 's'}"
    if feature.unit == "money":
        return (
            f"{feature.label} ${number / 1000:,.1f}k"
            if abs(number) >= 1000
            else f"{feature.label} ${number:,.0f}"
        )
    if feature.unit == "score":
        return f"{feature.label} {number:.0f}/100"
    return f"{feature.label} {number:g}"


def contributions(encoder: Encoder, model: LogisticRegression, design: np.ndarray) -> pd.DataFrame:
    """Per row and input: the log-odds it adds, coefficient × standardised value summed over its columns."""
    inputs = [f.column for f in encoder.features]
    # Column j belongs to input sources[j]: one matrix product sums each input's columns.
    belongs = np.array([[source == column for column in inputs] for source in encoder.sources], dtype=float)
    return pd.DataFrame((design * model.coef_.ravel()) @ belongs, columns=inputs)


def why(encoder: Encoder, model: LogisticRegression, rows: pd.DataFrame, design: np.ndarray) -> list[str]:
    """Per row, the inputs that move its risk most, e.g. "billing monthly +9 pts; tenure 3 months +7 pts".

    An input's points are the risk minus the risk it would have at the training average of that input:
    σ(logit) − σ(logit − contribution), in percentage points."""
    parts = contributions(encoder, model, design).to_numpy()
    logit = model.decision_function(design)
    points = 100 * (expit(logit)[:, None] - expit(logit[:, None] - parts))
    order = np.argsort(-np.abs(points), axis=1)[:, :WHY_TOP]
    features = encoder.features
    columns = [rows[f.column].to_numpy(dtype=object) for f in features]
    sentences = []
    for row, picks in enumerate(order):
        words = [
            f"{_value_words(features[pick], columns[pick][row])} {_signed_points(points[row, pick])}"
            for pick in picks
            if abs(points[row, pick]) >= MIN_WHY_POINTS
        ]
        sentences.append("; ".join(words) if words else "no single input moves it by a point")
    return sentences


def importance(encoder: Encoder, model: LogisticRegression, design: np.ndarray) -> pd.Series:
    """Mean absolute log-odds contribution per input label, largest first: what the model leans on most."""
    parts = contributions(encoder, model, design).abs().mean()
    labels = {f.column: f.label for f in encoder.features}
    return parts.rename(index=labels).sort_values(ascending=False)


def coefficients(encoder: Encoder, model: LogisticRegression) -> list[dict[str, object]]:
    """The model's coefficients per standardised column, with the input each belongs to."""
    labels = {f.column: f.label for f in encoder.features}
    return [
        {"input": labels[source], "column": column, "coefficient": round(float(coef), 4)}
        for source, column, coef in zip(encoder.sources, encoder.columns, model.coef_.ravel(), strict=True)
    ]


# ---- fitted weights for the health score -----------------------------------------------------


def fit_health_weights(subs: pd.DataFrame, churned: np.ndarray) -> pd.Series | None:
    """Non-negative weights of the five sub-scores that best predict churn, in whole numbers summing to about
    100; None when no sub-score lowers the risk.

    A logistic regression of churned on the shortfalls (100 − sub-score) ÷ 100 with every coefficient ≥ 0 (a
    better sub-score may never raise the risk), by L-BFGS-B with bounds; a missing sub-score gets the training
    mean, as the score leaves it out."""
    filled = subs[list(health.DIMENSIONS)].astype(float)
    filled = filled.fillna(filled.mean()).fillna(50.0)
    x = ((100.0 - filled) / 100.0).to_numpy()
    y = np.asarray(churned, dtype=float)
    ridge = 1e-4 * len(y)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        logit = theta[0] + x @ theta[1:]
        # log(1 + e^z) − y·z, written stably.
        value = np.logaddexp(0, logit) - y * logit
        residual = expit(logit) - y
        grad = np.concatenate([[residual.sum()], x.T @ residual + 2 * ridge * theta[1:]])
        return float(value.sum() + ridge * theta[1:] @ theta[1:]), grad

    start = np.zeros(1 + x.shape[1])
    bounds = [(None, None)] + [(0.0, None)] * x.shape[1]
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    betas = np.clip(result.x[1:], 0, None)
    if betas.sum() <= 0:
        return None
    return pd.Series(np.round(100 * betas / betas.sum()), index=list(health.DIMENSIONS))


def weights_settings(weights: pd.Series) -> dict[str, float]:
    """Weights by dimension as the settings that hold them."""
    return {f"weight_{dim}": float(weights[dim]) for dim in health.DIMENSIONS}


def score_auc(subs: pd.DataFrame, churned: np.ndarray, settings: dict[str, float]) -> float | None:
    """AUC of the health score combined under settings' weights (a lower score means more risk); rows without
    a score are left out."""
    score = health.combine(subs, settings)["score"].to_numpy()
    known = ~np.isnan(score)
    return auc(-score[known], np.asarray(churned, dtype=bool)[known])


def score_auc_interval(
    subs: pd.DataFrame, churned: np.ndarray, accounts: np.ndarray, settings: dict[str, float]
) -> tuple[float, float] | None:
    """auc_interval of the health score under settings' weights."""
    score = health.combine(subs, settings)["score"].to_numpy()
    known = ~np.isnan(score)
    return auc_interval(-score[known], np.asarray(churned, dtype=bool)[known], np.asarray(accounts)[known])


# ---- the whole fit ---------------------------------------------------------------------------


@dataclass
class Result:
    """A fit's card (JSON-ready), the risk and why of each account it scores now, and the model itself."""

    card: dict[str, object]
    risks: pd.DataFrame
    model: LogisticRegression | None = None
    encoder: Encoder | None = None


def _span(weeks: list[dt.date]) -> dict[str, object]:
    return {"first_week": weeks[0].isoformat(), "last_week": weeks[-1].isoformat(), "weeks": len(weeks)}


def _sample(rows: pd.DataFrame, churned: np.ndarray) -> dict[str, int]:
    return {
        "rows": len(rows),
        "accounts": int(rows["account_id"].nunique()),
        "churners": int(rows.loc[churned, "account_id"].nunique()),
        "churn_rows": int(churned.sum()),
    }


def _measures(
    risk: np.ndarray, churned: np.ndarray, accounts: np.ndarray, test_churners: int
) -> dict[str, object]:
    interval = auc_interval(risk, churned, accounts)
    table = calibration(risk, churned)
    return {
        "auc": auc(risk, churned),
        "auc_low": None if interval is None else interval[0],
        "auc_high": None if interval is None else interval[1],
        "brier": brier(risk, churned),
        "calibration": table.round(4).to_dict(orient="records"),
        "status": judge(test_churners, interval),
    }


def _risks(
    encoder: Encoder, model: LogisticRegression, current: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    design = encode(encoder, current)
    risk = model.predict_proba(design)[:, 1]
    frame = pd.DataFrame(
        {"account_id": current["account_id"].astype(int).to_numpy(), "risk": risk},
    )
    frame["why"] = why(encoder, model, current, design)
    return frame, design


def fit_over_time(
    rows: pd.DataFrame,
    current: pd.DataFrame,
    features: tuple[Feature, ...],
    split: Split,
    settings: dict[str, float],
    profiles: health.Profiles,
) -> Result:
    """The out-of-time fit. rows: labelled (account, week) rows with "week" (a date), "churned" (bool) and the
    features' columns, only weeks of the split; current: the newest week's rows to score.

    The model tested is fitted on the training weeks; the model stored (its coefficients and the risks now)
    is refitted on every labelled week, so it learns from the newest outcomes too. The health weights are
    fitted on the training weeks and both weight sets are measured on the test weeks: for the whole book, and for
    each segment with a health profile on its own accounts (profile_weights)."""
    weeks = rows["week"].to_numpy()
    in_test = np.isin(weeks, np.array(split.test, dtype=weeks.dtype))
    train, test = rows[~in_test], rows[in_test]
    y_train, y_test = train["churned"].to_numpy(bool), test["churned"].to_numpy(bool)
    features, excluded = without_leaks(train, features)
    encoder = fit_encoder(train, features)
    tested = fit(encode(encoder, train), y_train)
    risk_test = tested.predict_proba(encode(encoder, test))[:, 1]
    test_sample = _sample(test, y_test)
    card: dict[str, object] = {
        "method": OUT_OF_TIME,
        "horizon_days": int(settings["churn_horizon_days"]),
        "train": {**_span(split.train), **_sample(train, y_train)},
        "test": {**_span(split.test), **test_sample},
        **_measures(risk_test, y_test, test["account_id"].to_numpy(), test_sample["churners"]),
        "excluded_inputs": excluded,
    }
    card["health_weights"] = _health_weights(train, y_train, test, y_test, settings, card["status"])
    card["profile_weights"] = profile_weights(train, y_train, test, y_test, settings, profiles)
    final_encoder = fit_encoder(rows, features)
    final_design = encode(final_encoder, rows)
    final = fit(final_design, rows["churned"].to_numpy(bool))
    risks, _ = _risks(final_encoder, final, current)
    _describe(card, final_encoder, final, final_design)
    return Result(card, risks, final, final_encoder)


def _health_weights(
    train: pd.DataFrame,
    y_train: np.ndarray,
    test: pd.DataFrame,
    y_test: np.ndarray,
    settings: dict[str, float],
    status: str,
) -> dict[str, object]:
    """The fitted weights and the test AUC (with interval) of the current and proposed weights."""
    current = {dim: float(settings[f"weight_{dim}"]) for dim in health.DIMENSIONS}
    proposed = fit_health_weights(train, y_train)
    subs, accounts = test[list(health.DIMENSIONS)], test["account_id"].to_numpy()
    current_interval = score_auc_interval(subs, y_test, accounts, settings)
    out: dict[str, object] = {
        "current": current,
        "current_auc": score_auc(subs, y_test, settings),
        "current_interval": current_interval,
        "proposed": None,
    }
    if proposed is None:
        return out
    proposed_settings = {**settings, **weights_settings(proposed)}
    interval = score_auc_interval(subs, y_test, accounts, proposed_settings)
    test_churners = int(test.loc[y_test, "account_id"].nunique())
    out.update(
        proposed={dim: float(proposed[dim]) for dim in health.DIMENSIONS},
        proposed_auc=score_auc(subs, y_test, proposed_settings),
        proposed_interval=interval,
        proposed_status=judge(test_churners, interval) if status != NOT_ENOUGH_CHURN else status,
    )
    return out


def profile_weights(
    train: pd.DataFrame,
    y_train: np.ndarray,
    test: pd.DataFrame,
    y_test: np.ndarray,
    settings: dict[str, float],
    profiles: health.Profiles,
) -> dict[str, dict[str, object]]:
    """Per segment with a health profile: the health weights fitted on its own accounts' training weeks and
    measured on their test weeks against the weights it is scored with now (_health_weights), with "before" (the
    profile's own weights at the fit, None where it follows the global one). A segment with fewer than
    MIN_TEST_CHURNERS churned accounts in its training or test weeks is not fitted on its own: "proposed" is None
    and "note" says so (the global fit stands for it)."""
    out: dict[str, dict[str, object]] = {}
    for segment in sorted(profiles):
        own = profiles[segment]
        in_train = (train["segment"] == segment).to_numpy()
        in_test = (test["segment"] == segment).to_numpy()
        churned = [
            int(rows.loc[mask & y, "account_id"].nunique())
            for rows, mask, y in ((train, in_train, y_train), (test, in_test, y_test))
        ]
        before = {key: own.get(key) for key in settings_rules.WEIGHT_KEYS}
        if min(churned) < MIN_TEST_CHURNERS:
            out[segment] = {
                "proposed": None,
                "before": before,
                "note": (
                    f"Not enough churn to fit {segment} on its own: {churned[0]:,} churned accounts in the "
                    f"training weeks and {churned[1]:,} in the test weeks (at least {MIN_TEST_CHURNERS} of each); "
                    "the fit for the whole book stands for it."
                ),
            }
            continue
        fitted = _health_weights(
            train[in_train], y_train[in_train], test[in_test], y_test[in_test], {**settings, **own}, OK
        )
        out[segment] = {**fitted, "before": before}
    return out


def _describe(
    card: dict[str, object], encoder: Encoder, model: LogisticRegression, design: np.ndarray
) -> None:
    card["intercept"] = round(float(model.intercept_[0]), 4)
    card["coefficients"] = coefficients(encoder, model)
    leaning = importance(encoder, model, design)
    card["what_matters"] = [
        {"input": label, "log_odds": round(float(value), 4)} for label, value in leaning.head(5).items()
    ]


def fit_accounts(
    rows: pd.DataFrame, current: pd.DataFrame, features: tuple[Feature, ...], folds: int = CV_FOLDS
) -> Result:
    """Without weekly history: one row per account ("churned": ever churned), measured by stratified k-fold
    cross-validation (each account predicted by a model that did not see it), then refitted on every account
    to score current (the accounts still customers)."""
    y = rows["churned"].to_numpy(bool)
    features, excluded = without_leaks(rows, features)
    risk = np.full(len(rows), np.nan)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_index, test_index in splitter.split(np.zeros(len(y)), y):
        train = rows.iloc[train_index]
        encoder = fit_encoder(train, features)
        model = fit(encode(encoder, train), y[train_index])
        risk[test_index] = model.predict_proba(encode(encoder, rows.iloc[test_index]))[:, 1]
    sample = _sample(rows, y)
    card: dict[str, object] = {
        "method": CROSS_VALIDATION,
        "folds": folds,
        "train": sample,
        "test": sample,
        **_measures(risk, y, rows["account_id"].to_numpy(), sample["churners"]),
        "excluded_inputs": excluded,
        "health_weights": None,
    }
    encoder = fit_encoder(rows, features)
    design = encode(encoder, rows)
    final = fit(design, y)
    risks, _ = _risks(encoder, final, current)
    _describe(card, encoder, final, design)
    return Result(card, risks, final, encoder)


# An input is named as mattering when it moves the log-odds at least this share as much as the top one.
MATTERS_SHARE = 0.2


def leans_on(card: dict[str, object]) -> list[dict[str, object]]:
    """The card's inputs that matter, at most three: those whose mean contribution is at least MATTERS_SHARE of
    the largest one."""
    ranked = card.get("what_matters", [])
    if not ranked:
        return []
    return [item for item in ranked[:3] if item["log_odds"] >= MATTERS_SHARE * ranked[0]["log_odds"]]


def verdict(card: dict[str, object]) -> str:
    """The card in one plain paragraph: how the model did on data it never saw, or why it cannot be judged."""
    test = card["test"]
    if card["method"] == OUT_OF_TIME:
        where = f"the {test['weeks']} newest weeks it never saw ({test['first_week']} to {test['last_week']})"
    else:
        where = (
            f"{card['folds']}-fold cross-validation over accounts (no weekly history: one row per customer)"
        )
    if card["status"] == NOT_ENOUGH_CHURN:
        return (
            f"Not enough churn to judge: {test['churners']} churners in the test set ({where}); "
            f"at least {MIN_TEST_CHURNERS} are needed."
        )
    interval = f"95% interval {card['auc_low']:.2f}–{card['auc_high']:.2f}"
    if card["status"] == CHANCE:
        return (
            f"No better than chance: on {where} the test AUC was {card['auc']:.2f} ({interval}), "
            f"which includes 0.5. Do not rely on these risks."
        )
    leaning = ", ".join(item["input"] for item in leans_on(card))
    return (
        f"On {where}, the model ranked a churner above a retained account {card['auc']:.0%} of the time "
        f"(test AUC {card['auc']:.2f}, {interval}; {test['churners']:,} churners of {test['accounts']:,} "
        f"accounts). What matters most: {leaning}."
    )


def weights_verdict(weights: dict[str, object] | None) -> str | None:
    """Whether the fitted health weights are offered, in a sentence; None without a weights fit."""
    if not weights or weights.get("proposed") is None:
        return None if not weights else "No sub-score lowers churn risk here: no weights to propose."
    current, proposed = weights["current_auc"], weights["proposed_auc"]
    low, high = weights["proposed_interval"] or (math.nan, math.nan)
    status = weights["proposed_status"]
    if status == NOT_ENOUGH_CHURN:
        return "Not enough churn in the test weeks to judge the fitted weights."
    if status == CHANCE:
        return (
            f"The fitted weights are no better than chance (test AUC {proposed:.2f}, 95% interval "
            f"{low:.2f}–{high:.2f}): not offered."
        )
    return (
        f"On the test weeks the fitted weights reach AUC {proposed:.2f} (95% interval {low:.2f}–{high:.2f}) "
        f"against {current:.2f} for the current weights."
    )
