"""The churn-risk layer in the database: the rows it learns from, "Fit to our history" and its model cards.

Writes follow db.service: the role is checked on the server, the fit is stored with its risks and an audit row
in one transaction. Adopting fitted health weights is a settings change through service.update_settings.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, select, text

from core import churn_model, health, roles
from db import bulk, profiles_write, reads, rules, service
from db.models import ChurnRisk, HealthSnapshot, ModelFit
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads

EPOCH = pd.Timestamp("1970-01-01")


class NothingToFit(service.ValidationError):
    """The book has no history the model could learn from; the message says what is missing."""


def _day(value: dt.date) -> int:
    return (pd.Timestamp(value) - EPOCH).days


def _scored_weeks(engine: Engine) -> list[dt.date]:
    with engine.connect() as conn:
        weeks = conn.scalars(select(HealthSnapshot.week_start).distinct().order_by(HealthSnapshot.week_start))
        return [pd.Timestamp(week).date() for week in weeks]


def _churn_events(engine: Engine) -> tuple[np.ndarray, np.ndarray]:
    sql = f"SELECT account_id, {reads.day_number(engine, 'churned_on')} FROM churn_events"
    frame = reads.numbers(engine, sql, ["account_id", "day"], [])
    return frame["account_id"].to_numpy(np.int64), frame["day"].to_numpy(np.int64)


def _accounts(engine: Engine) -> pd.DataFrame:
    """Every account's segment, ARR and customer-since day number, by id."""
    since = reads.day_number(engine, "customer_since")
    frame = reads.frame(engine, f"SELECT id AS account_id, segment, arr, {since} AS since FROM accounts", [])
    frame["arr"] = frame["arr"].astype(float)
    frame["since"] = frame["since"].astype(float)
    return frame.astype({"account_id": "int64"}).set_index("account_id")


def _subscriptions(engine: Engine) -> pd.DataFrame:
    started = reads.day_number(engine, "started_on")
    frame = reads.frame(
        engine, f"SELECT account_id, {started} AS day, plan, billing_period FROM subscriptions", []
    )
    return frame.astype({"account_id": "int64", "day": "int64"}).sort_values("day", kind="stable")


def _with_facts(
    rows: pd.DataFrame, accounts: pd.DataFrame, subscriptions: pd.DataFrame, custom: pd.DataFrame
) -> pd.DataFrame:
    """rows (account_id, day) with tenure at day, segment, ARR, the plan and billing of the latest
    subscription started by day, and each custom attribute (columns "attr:NAME")."""
    facts = accounts.reindex(rows["account_id"].to_numpy())
    rows["tenure_months"] = (
        (rows["day"].to_numpy() - facts["since"].to_numpy()) / churn_model.DAYS_PER_MONTH
    ).clip(min=0)
    rows["segment"] = facts["segment"].to_numpy()
    rows["arr"] = facts["arr"].to_numpy()
    order = np.argsort(rows["day"].to_numpy(), kind="stable")
    ordered = rows.iloc[order][["account_id", "day"]].astype("int64")
    plans = pd.merge_asof(ordered, subscriptions, on="day", by="account_id", direction="backward")
    for column in ("plan", "billing_period"):
        values = np.empty(len(rows), dtype=object)
        values[order] = plans[column].to_numpy(dtype=object)
        rows[column] = values
    values = custom.reindex(rows["account_id"].to_numpy())
    for name in custom.columns:
        column = values[name]
        rows[f"attr:{name}"] = (
            column.map({True: "yes", False: "no"}) if column.dtype == "boolean" else column
        ).to_numpy()
    return rows


def _week_rows(engine: Engine, week: dt.date) -> pd.DataFrame:
    sql = f"SELECT account_id, {', '.join(health.DIMENSIONS)} FROM health_snapshots WHERE week_start = :week"
    frame = reads.numbers(engine, sql, ["account_id", *health.DIMENSIONS], [], {"week": week})
    frame["account_id"] = frame["account_id"].astype("int64")
    frame["week"] = week
    frame["day"] = _day(week) + 6
    return frame


def _features(kinds: dict[str, str], weekly: bool) -> tuple[churn_model.Feature, ...]:
    subs = churn_model.SUB_SCORE_FEATURES if weekly else ()
    return (*subs, *churn_model.FACT_FEATURES, *churn_model.attribute_features(kinds))


def _custom(engine: Engine) -> tuple[dict[str, str], pd.DataFrame]:
    kinds = {name: kind for name, kind in account_reads.attribute_kinds(engine).items() if kind != "date"}
    return kinds, account_reads.attribute_values(engine, kinds)


def fit_history(engine: Engine, today: dt.date | None = None) -> churn_model.Result:
    """Fit the churn-risk layer on the book's history: out of time on the weekly snapshots when their history
    is long enough to hold out test weeks; else on accounts with cross-validation, when churn is recorded."""
    today = today or dt.date.today()
    settings = settings_reads.load_settings(engine)
    horizon, test_weeks = int(settings["churn_horizon_days"]), int(settings["churn_test_weeks"])
    known_until = account_reads.data_as_of(engine, today)
    weeks = _scored_weeks(engine)
    split = churn_model.split_weeks(weeks, known_until, horizon, test_weeks)
    churn_accounts, churn_days = _churn_events(engine)
    if not len(churn_accounts):
        raise NothingToFit("No churn recorded yet: import churn events (or subscriptions that end) first.")
    kinds, custom = _custom(engine)
    accounts, subscriptions = _accounts(engine), _subscriptions(engine)
    if split.train:
        result = _fit_weeks(
            engine,
            split,
            weeks[-1],
            settings,
            kinds,
            custom,
            accounts,
            subscriptions,
            churn_accounts,
            churn_days,
        )
    else:
        result = _fit_accounts(
            engine, known_until, kinds, custom, accounts, subscriptions, churn_accounts, churn_days
        )
        result.card["why_cross_validation"] = (
            "No weekly history long enough to test out of time "
            f"({horizon} days of outcome after each training week, then {test_weeks} test weeks)."
        )
    return result


def _fit_weeks(
    engine: Engine,
    split: churn_model.Split,
    latest: dt.date,
    settings: dict[str, float],
    kinds: dict[str, str],
    custom: pd.DataFrame,
    accounts: pd.DataFrame,
    subscriptions: pd.DataFrame,
    churn_accounts: np.ndarray,
    churn_days: np.ndarray,
) -> churn_model.Result:
    """The out-of-time fit on the split's weeks (thinned to churn_model.MAX_FIT_ROWS), scoring the latest week."""
    horizon = int(settings["churn_horizon_days"])
    per_week = len(accounts)
    weeks = churn_model.thin_weeks(split.train, per_week) + churn_model.thin_weeks(
        split.test, per_week, churn_model.MAX_FIT_ROWS // 2
    )
    split = churn_model.Split(
        [w for w in weeks if w < split.test[0]], [w for w in weeks if w >= split.test[0]]
    )
    rows = pd.concat([_week_rows(engine, week) for week in weeks], ignore_index=True)
    rows["churned"] = churn_model.churn_within(
        rows["account_id"].to_numpy(), rows["day"].to_numpy(), churn_accounts, churn_days, horizon
    )
    rows = _with_facts(rows, accounts, subscriptions, custom)
    in_train = rows["week"] < split.test[0]
    if rows.loc[in_train, "churned"].nunique() < 2:
        raise NothingToFit(
            "The training weeks hold no churn (or nothing but churn): there is nothing to learn from."
        )
    current = _with_facts(_week_rows(engine, latest), accounts, subscriptions, custom)
    result = churn_model.fit_over_time(
        rows, current, _features(kinds, True), split, settings, settings_reads.load_profiles(engine)
    )
    result.card["risk_week"] = latest.isoformat()
    return result


def _fit_accounts(
    engine: Engine,
    known_until: dt.date,
    kinds: dict[str, str],
    custom: pd.DataFrame,
    accounts: pd.DataFrame,
    subscriptions: pd.DataFrame,
    churn_accounts: np.ndarray,
    churn_days: np.ndarray,
) -> churn_model.Result:
    """One row per account: churned when it has a churn event, tenure at its latest churn (else at known_until)."""
    last_churn = pd.Series(churn_days).groupby(churn_accounts).max()
    rows = pd.DataFrame({"account_id": accounts.index.to_numpy()})
    rows["churned"] = rows["account_id"].isin(last_churn.index).to_numpy()
    rows["day"] = last_churn.reindex(rows["account_id"]).fillna(_day(known_until)).to_numpy(np.int64)
    rows = _with_facts(rows, accounts, subscriptions, custom)
    churners = int(rows["churned"].sum())
    if min(churners, len(rows) - churners) < churn_model.CV_FOLDS:
        raise NothingToFit(
            f"Too little history to cross-validate: {churners} churned and {len(rows) - churners} retained "
            f"customers; {churn_model.CV_FOLDS} of each are needed at the least."
        )
    with engine.connect() as conn:
        active = set(
            conn.scalars(
                text(f"SELECT a.id FROM accounts a WHERE {rules.active('a', ':day')}"), {"day": known_until}
            )
        )
    current = rows[rows["account_id"].isin(active)].copy()
    current["day"] = _day(known_until)
    current = _with_facts(current, accounts, subscriptions, custom)
    result = churn_model.fit_accounts(rows, current, _features(kinds, False))
    result.card["risk_week"] = None
    return result


def fit_and_store(engine: Engine, actor: service.Actor, today: dt.date | None = None) -> int:
    """ "Fit to our history" by an admin: the role is checked before the fit (it reads the whole history), then
    the card, the risks (replacing the previous fit's) and an audit row are stored in one transaction.
    Returns the new fit's id."""
    if not roles.may_do(actor.role, "fit_churn_model"):
        raise service.PermissionDenied(f"Role '{actor.role}' may not fit the churn model.")
    result = fit_history(engine, today)
    card = {**result.card, "fitted_at": service.now().isoformat(" ", "seconds"), "fitted_by": actor.username}
    with service.write(engine, actor, "fit_churn_model") as session:
        fit = ModelFit(
            fitted_at=service.now(),
            fitted_by=actor.id,
            method=card["method"],
            status=card["status"],
            risk_week=None if card["risk_week"] is None else dt.date.fromisoformat(card["risk_week"]),
            test_auc=card["auc"],
            card=json.dumps(card, default=_plain),
        )
        session.add(fit)
        session.flush()
        session.execute(delete(ChurnRisk))
        risks = result.risks.assign(fit_id=fit.id)
        _store_risks(session.connection(), risks)
        service.audit(
            session,
            actor,
            "fit_churn_model",
            "model_fit",
            fit.id,
            None,
            {
                "method": card["method"],
                "status": card["status"],
                "test_auc": card["auc"],
                "accounts": len(risks),
            },
        )
    return fit.id


def _store_risks(conn: Connection, risks: pd.DataFrame) -> None:
    """The risks in the caller's transaction, straight to the driver (db/bulk.py): row by row through
    SQLAlchemy, 50,000 risks would take longer than the fit."""
    columns = ["fit_id", "account_id", "risk", "why"]
    bulk.insert_rows(
        conn, "churn_risks", columns, risks[columns].astype(object).itertuples(index=False, name=None)
    )


def _plain(value: object) -> object:
    """JSON for numpy numbers and dates in a card."""
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def fits(engine: Engine) -> pd.DataFrame:
    """Every fit, newest first: id, when (datetime64), by whom, method, status, test AUC, risk week (datetime64)."""
    sql = (
        "SELECT f.id, f.fitted_at, u.username AS fitted_by, f.method, f.status, f.test_auc, f.risk_week "
        "FROM model_fits f LEFT JOIN users u ON u.id = f.fitted_by ORDER BY f.id DESC"
    )
    return reads.frame(engine, sql, ["fitted_at", "risk_week"])


def card(engine: Engine, fit_id: int) -> dict[str, object] | None:
    """A fit's model card, as stored."""
    with engine.connect() as conn:
        stored = conn.scalar(select(ModelFit.card).where(ModelFit.id == fit_id))
    return None if stored is None else json.loads(stored)


def latest_fit_id(engine: Engine) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(select(func.max(ModelFit.id)))


RISKS_SQL = (
    "SELECT r.account_id, r.risk FROM churn_risks r JOIN model_fits f ON f.id = r.fit_id "
    "WHERE f.status = :ok AND f.risk_week = :week"
)


def risks(engine: Engine, week: dt.date) -> pd.Series:
    """The newest fit's churn risk (0–1) by account when that fit scored week and was judged better than chance
    (core.churn_model.OK); empty otherwise: a risk from another week, or from a model no better than chance, is
    not shown. Numbers only, so the board reads 50,000 of them in a blink; the whys are read apart."""
    frame = reads.numbers(engine, RISKS_SQL, ["account_id", "risk"], [], {"ok": churn_model.OK, "week": week})
    return frame.astype({"account_id": "int64"}).set_index("account_id")["risk"]


def whys(engine: Engine, account_id: int | None = None) -> pd.Series:
    """The newest fit's why of each account's risk (or of one account's), by account."""
    sql = "SELECT account_id, why FROM churn_risks"
    params = {}
    if account_id is not None:
        sql, params = sql + " WHERE account_id = :account_id", {"account_id": account_id}
    frame = reads.frame(engine, sql, [], params)
    return (
        frame.astype({"account_id": "int64"}).set_index("account_id")["why"]
        if len(frame)
        else pd.Series(dtype=object, index=pd.Index([], dtype="int64", name="account_id"), name="why")
    )


def adopt_weights(
    engine: Engine, actor: service.Actor, fit_id: int, read: dict[str, float]
) -> dict[str, float]:
    """Store a fit's proposed health weights as the settings (an audited settings change through
    service.update_settings; read: the weights the page showed). Refused when the fit offers none."""
    proposal = (card(engine, fit_id) or {}).get("health_weights") or {}
    if proposal.get("proposed") is None or proposal.get("proposed_status") != churn_model.OK:
        raise service.ValidationError("This fit offers no health weights to adopt.")
    weights = churn_model.weights_settings(pd.Series(proposal["proposed"]))
    return service.update_settings(engine, actor, weights, read=read)


def restore_weights(
    engine: Engine, actor: service.Actor, fit_id: int, read: dict[str, float]
) -> dict[str, float]:
    """Undo an adoption: the weights in force when the fit ran, stored again (audited like any settings change)."""
    proposal = (card(engine, fit_id) or {}).get("health_weights") or {}
    if not proposal.get("current"):
        raise service.ValidationError("This fit has no earlier weights to go back to.")
    weights = churn_model.weights_settings(pd.Series(proposal["current"]))
    return service.update_settings(engine, actor, weights, read=read)


def _profile_proposal(engine: Engine, fit_id: int, segment: str) -> dict[str, object]:
    return ((card(engine, fit_id) or {}).get("profile_weights") or {}).get(segment) or {}


def adopt_profile_weights(
    engine: Engine, actor: service.Actor, fit_id: int, segment: str, read: dict[str, float | None]
) -> dict[str, float | None]:
    """Store the weights a fit proposes for one segment as its health profile's own (an audited profile change
    through profiles_write.update_profile; read: the profile's own weights the page showed, None where it follows
    the global one). Refused when the fit offers none for the segment."""
    proposal = _profile_proposal(engine, fit_id, segment)
    if proposal.get("proposed") is None or proposal.get("proposed_status") != churn_model.OK:
        raise service.ValidationError(f"This fit offers no health weights for {segment}.")
    weights = churn_model.weights_settings(pd.Series(proposal["proposed"]))
    return profiles_write.update_profile(engine, actor, segment, weights, read=read)


def restore_profile_weights(
    engine: Engine, actor: service.Actor, fit_id: int, segment: str, read: dict[str, float | None]
) -> dict[str, float | None]:
    """Undo an adoption for one segment: its profile's own weights as they were when the fit ran (None: the
    global weight again), stored through the audited profile write."""
    proposal = _profile_proposal(engine, fit_id, segment)
    if "before" not in proposal:
        raise service.ValidationError(f"This fit has no earlier weights of {segment} to go back to.")
    return profiles_write.update_profile(engine, actor, segment, proposal["before"], read=read)
