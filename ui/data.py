"""Cached access to the database for pages: one engine per process, and every cached read (@loader, see
ui/cache.py) registered to the data families it depends on: a write clears only those."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from core import advocates, assets, board, coverage, health, score_validation, weekly
from core import referrals as referral_rules
from core import tasks as task_rules
from core.imports import Mapping
from db import backtest, churn_model, migrate, scoring
from db import imports as importer
from db.engine import database_url, is_embedded_demo, make_engine
from db.families import (
    ACCOUNTS,
    ADVOCATES,
    ASSETS,
    FAMILIES,
    PURCHASES,
    SCORES,
    SENTIMENTS,
    SETTINGS,
    USERS,
    WORK,
)
from db.reads import accounts as account_reads
from db.reads import advocates as advocate_reads
from db.reads import assets as asset_reads
from db.reads import purchases as purchase_reads
from db.reads import settings as settings_reads
from db.reads import users as user_reads
from db.reads import work as work_reads
from db.service import Actor
from ui import facts, import_worker
from ui.cache import loader

ROOT = Path(__file__).resolve().parents[1]


# The engine of DATABASE_URL, made once per process. Not in st.cache_resource: any websocket client,
# logged in or not, can send Streamlit's clear_cache message, which must not make the app migrate again.
_engine: tuple[str, Engine] | None = None
_engine_lock = threading.Lock()


def engine(progress: Callable[[str, float], None] | None = None) -> Engine:
    """The process-wide engine, on a migrated (and, embedded, demo-filled) database; a new DATABASE_URL gets a new one.
    progress hears how the demo database's first build goes (migrate.prepare)."""
    global _engine
    url = database_url()
    with _engine_lock:
        if _engine is None or _engine[0] != url:
            database = make_engine(url)
            migrate.prepare(database, demo=is_embedded_demo(), progress=progress)
            if _engine is not None:
                _engine[1].dispose()
            _engine = (url, database)
        return _engine[1]


@loader(SETTINGS)
def settings() -> dict[str, float]:
    return settings_reads.load_settings(engine())


@loader(SETTINGS)
def health_profiles() -> dict[str, dict[str, float]]:
    return settings_reads.load_profiles(engine())


@loader(ACCOUNTS, SCORES, SETTINGS)
def segments() -> list[str]:
    return account_reads.segments(engine())


# Short: a logout or a disabled user on another replica must take effect within seconds.
@loader(USERS, ttl="10s")
def credentials() -> pd.DataFrame:
    return user_reads.user_credentials(engine())


@loader(USERS)
def users() -> pd.DataFrame:
    return user_reads.users(engine())


def audit_rows(chosen: user_reads.AuditFilter, limit: int) -> tuple[pd.DataFrame, int]:
    """db.reads.users.audit_log with a missing entity id, before or after as None, for the screen and the CSV alike."""
    rows, total = user_reads.audit_log(engine(), chosen, limit)
    for column in ("entity_id", "before", "after"):
        # pandas 3 reads a NULL among text as a float NaN: neither text for json.loads nor None.
        values = rows[column].astype(object)
        rows[column] = values.where(values.notna(), None)
    return rows, total


@loader(USERS, show_spinner="Searching the audit log…")
def audit_log(chosen: user_reads.AuditFilter, limit: int) -> tuple[pd.DataFrame, int]:
    return audit_rows(chosen, limit)


@loader(USERS)
def audit_choices() -> dict[str, list[str]]:
    return user_reads.audit_choices(engine())


@loader(ACCOUNTS, SCORES)
def latest_scored_week() -> dt.date | None:
    return account_reads.latest_scored_week(engine())


@loader(ACCOUNTS, SCORES, SETTINGS)
def why_not_scored() -> str | None:
    return scoring.why_not_scored(engine())


# A resource, not data: every rerun shares one read-only frame instead of unpickling 50,000 rows.
@loader(ACCOUNTS, SCORES, SETTINGS, shared=True, show_spinner="Loading health scores…")
def health_board(week: dt.date, owner_id: int | None) -> pd.DataFrame:
    """The scored book for a week's snapshots under the current settings and profiles (as of the week's Sunday),
    with the churn risk of the newest fit where it scored this week."""
    return board.board_table(
        account_reads.board(engine(), week, owner_id),
        settings(),
        week + dt.timedelta(days=6),
        health_profiles(),
        churn_model.risks(engine(), week),
    )


# A resource: the validation of 50,000 accounts × 52 weeks takes seconds, and its frames are read, never changed.
@loader(ACCOUNTS, SCORES, shared=True, show_spinner="Checking the score against simple rules…")
def validation(last_week: dt.date, horizon_days: int) -> score_validation.Validation:
    """The score and the baselines over every scored week up to last_week, churn within horizon_days."""
    return score_validation.validate(backtest.panel(engine(), last_week, horizon_days))


@loader(ACCOUNTS, SCORES)
def churn_whys(account_id: int | None = None) -> pd.Series:
    """Why each account's churn risk is what it is (or one account's), under the newest fit."""
    return churn_model.whys(engine(), account_id)


# Unknown segments and industries read "unknown", in the board's filters as in its table.
FILLED = ["segment", "industry"]


@loader(ACCOUNTS, SCORES, SETTINGS, shared=True)
def filled_board(week: dt.date, owner_id: int | None) -> pd.DataFrame:
    """health_board with unknown segments and industries as "unknown"."""
    return facts.filled(health_board(week, owner_id), FILLED)


# Resources like the health board: sessions that chose the same filters and sort share one selection.
@loader(ACCOUNTS, SCORES, SETTINGS, shared=True, max_entries=64)
def board_filtered(
    week: dt.date, owner_id: int | None, chosen: board.BoardFilter
) -> tuple[pd.DataFrame, board.BoardSummary]:
    """filled_board's rows matching chosen, and their summary."""
    names = () if chosen.attribute is None else (chosen.attribute.name,)
    filtered = board.filter_board(filled_board(week, owner_id), chosen, attribute_values(names))
    return filtered, board.summarise(filtered)


@loader(ACCOUNTS, SCORES, SETTINGS, shared=True, max_entries=64)
def board_sorted(week: dt.date, owner_id: int | None, chosen: board.BoardFilter, sort: str) -> pd.DataFrame:
    """board_filtered's rows in the sort's order (core.board.SORTS)."""
    return board.sort_board(board_filtered(week, owner_id, chosen)[0], sort)


@loader(ACCOUNTS, SCORES)
def attribute_kinds() -> dict[str, str]:
    return account_reads.attribute_kinds(engine())


# A resource like the health board: an attribute's values for every account, shared by every filter change.
@loader(ACCOUNTS, SCORES, shared=True)
def attribute_values(names: tuple[str, ...], account_id: int | None = None) -> pd.DataFrame:
    """The typed values of these custom attributes for every account, or one."""
    kinds = attribute_kinds()
    return account_reads.attribute_values(engine(), {name: kinds[name] for name in names}, account_id)


@loader(ACCOUNTS, SCORES, SETTINGS, SENTIMENTS, show_spinner="Counting the data behind the score…")
def data_coverage(week: dt.date) -> coverage.Coverage:
    """How many of the accounts active in week have data for each input of the score, as of its Sunday."""
    as_of = week + dt.timedelta(days=6)
    return coverage.coverage(
        account_reads.health_features(engine(), as_of), account_reads.ticketed_accounts(engine(), as_of)
    )


@loader(ACCOUNTS, SCORES)
def score_history(account_ids: tuple[int, ...], since: dt.date) -> pd.DataFrame:
    return account_reads.score_history(engine(), list(account_ids), since)


@loader(ACCOUNTS, SCORES)
def nps_counts(since: dt.date, as_of: dt.date, owner_id: int | None) -> pd.Series:
    return account_reads.nps_counts(engine(), since, as_of, owner_id)


@loader(ASSETS)
def open_reference_requests() -> pd.DataFrame:
    return asset_reads.open_reference_requests(engine())


# A resource, not data: shared, not pickled again on every rerun.
@loader(*FAMILIES, shared=True, ttl="10m", max_entries=4, show_spinner="Reading and checking the file…")
def import_plan(payload: bytes, filename: str, entity: str, mapping: str | None) -> importer.Plan:
    """The file's columns and values, its mapping (given as Mapping.to_json(); automatic when None) and every
    problem (importer.Plan), worked out in a worker process."""
    return _in_worker(
        "plan", (payload, filename, entity, None if mapping is None else Mapping.from_json(mapping)), {}
    )


# Keyed like import_plan; the actor is left out of the key: only admins reach the import page.
@loader(
    *FAMILIES, shared=True, ttl="10m", max_entries=4, show_spinner="Checking what the import would change…"
)
def import_check(
    _actor: Actor, payload: bytes, filename: str, entity: str, mapping: str, churn_from_subscriptions: bool
) -> importer.ImportResult:
    """What importing the file with this mapping would add, update and leave unchanged; writes nothing."""
    return run_import(
        _actor,
        payload,
        filename,
        entity,
        Mapping.from_json(mapping),
        check_only=True,
        churn_from_subscriptions=churn_from_subscriptions,
    )


def run_import(
    actor: Actor,
    payload: bytes,
    filename: str,
    entity: str,
    mapping: Mapping,
    *,
    progress: Callable[[int, int], None] | None = None,
    check_only: bool = False,
    churn_from_subscriptions: bool = False,
) -> importer.ImportResult:
    """importer.run_import on the app's database in a worker process, with its progress, result and
    refusals (ValueError, PermissionDenied) as if it had run here."""
    return _in_worker(
        "run_import",
        (actor, payload, filename, entity, mapping),
        {"check_only": check_only, "churn_from_subscriptions": churn_from_subscriptions},
        progress,
    )


# One worker process for the server, started on first use; jobs take turns (only admins import).
_worker: subprocess.Popen | None = None
_worker_lock = threading.Lock()


def _in_worker(
    job: str, args: tuple, options: dict, progress: Callable[[int, int], None] | None = None
) -> Any:
    """The import function job (ui/import_worker.JOBS) on the app's database, run in the worker process."""
    global _worker
    engine()  # the database is migrated before the worker opens it
    with _worker_lock:
        if _worker is None or _worker.poll() is not None:
            _worker = subprocess.Popen(
                [sys.executable, "-m", import_worker.__name__],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        worker = _worker
        try:
            pickle.dump((database_url(), job, args, options), worker.stdin)
            worker.stdin.flush()
            while True:
                kind, *message = pickle.load(worker.stdout)
                if kind != "progress":
                    break
                if progress is not None:
                    progress(*message)
        except BaseException as error:
            # A worker that died, or a job left half-read (the session stopped its script): the next job
            # gets a fresh worker; a write in flight rolls back with it.
            worker.kill()
            worker.wait()
            _worker = None
            if isinstance(error, EOFError | OSError):
                raise RuntimeError(f"The import worker stopped (exit code {worker.returncode}).") from None
            raise
    if kind == "refused":
        raise message[0]
    return message[0]


@loader(ACCOUNTS, SCORES)
def account(account_id: int) -> pd.Series | None:
    return account_reads.account(engine(), account_id)


@loader(ACCOUNTS, SCORES, ADVOCATES, SENTIMENTS)
def account_events(account_id: int, since: dt.date) -> pd.DataFrame:
    return account_reads.account_events(engine(), account_id, since)


@loader(ACCOUNTS, SCORES, SETTINGS, SENTIMENTS)
def account_features(account_id: int, as_of: dt.date) -> pd.DataFrame:
    return account_reads.health_features(engine(), as_of, account_id=account_id)


@loader(ACCOUNTS, SCORES)
def churned_between(after: dt.date, until: dt.date) -> set[int]:
    return account_reads.churned_between(engine(), after, until)


@loader(ADVOCATES)
def recent_outreach(since: dt.date) -> pd.DataFrame:
    return advocate_reads.recent_outreach(engine(), since)


@loader(ADVOCATES)
def advocate_outreach(advocate_id: int) -> pd.DataFrame:
    with engine().connect() as conn:
        return advocate_reads.outreach_of(conn, advocate_id)


@loader(ADVOCATES, ACCOUNTS, SCORES)
def outreach_choices() -> advocate_reads.OutreachChoices:
    return advocate_reads.outreach_choices(engine())


@loader(ADVOCATES, ACCOUNTS, SCORES, show_spinner="Counting outreach…")
def outreach_tally(chosen: advocate_reads.OutreachFilter) -> pd.DataFrame:
    return advocate_reads.outreach_tally(engine(), chosen)


@loader(ADVOCATES, ACCOUNTS, SCORES, ASSETS)
def outreach_funnel(chosen: advocate_reads.OutreachFilter) -> dict[str, int]:
    return advocate_reads.outreach_funnel(engine(), chosen)


@loader(ADVOCATES, ACCOUNTS, SCORES)
def response_days(chosen: advocate_reads.OutreachFilter) -> pd.DataFrame:
    return advocate_reads.response_days(engine(), chosen)


@loader(ACCOUNTS, shared=True, show_spinner="Reading every contact…")
def contact_facts(today: dt.date) -> pd.DataFrame:
    """What every current contact brings (advocate_reads.contact_facts): the slow part of who to ask, kept
    while the program is worked and while accounts are scored."""
    return advocate_reads.contact_facts(engine(), today)


@loader(SCORES)
def health_scores(week: dt.date | None) -> pd.Series:
    return advocate_reads.health_scores(engine(), week)


@loader(ADVOCATES, ASSETS, shared=True)
def advocacy(today: dt.date) -> pd.DataFrame:
    return advocate_reads.advocacy(engine(), today)


# A resource like the health board: the ranked base is large and read-only.
@loader(ACCOUNTS, SCORES, ADVOCATES, ASSETS, SETTINGS, shared=True, show_spinner="Ranking contacts…")
def ranked_candidates(today: dt.date, week: dt.date | None, owner_id: int | None) -> pd.DataFrame:
    """Contacts not yet in the program, in ask order with score and eligibility (one owner's book or all)."""
    current = settings()
    facts = advocate_reads.with_health(contact_facts(today), health_scores(week))
    candidates = advocate_reads.with_advocacy(facts, advocacy(today))
    if owner_id is not None:
        candidates = candidates[candidates["owner_id"] == owner_id]
    candidates["health_band"] = _with_band(candidates, "health_score")
    return advocates.rank(candidates, today, current)


@loader(ASSETS)
def reference_activities() -> pd.DataFrame:
    return asset_reads.reference_activities(engine())


@loader(ADVOCATES, ACCOUNTS, SCORES)
def advocate_records() -> pd.DataFrame:
    return advocate_reads.advocates(engine())


@loader(ADVOCATES)
def stage_changes() -> pd.DataFrame:
    return advocate_reads.stage_changes(engine())


@loader(ADVOCATES)
def thank_yous() -> pd.DataFrame:
    return advocate_reads.thank_yous(engine())


@loader(ADVOCATES, ASSETS, PURCHASES)
def owed_thank_yous() -> pd.DataFrame:
    return advocate_reads.owed_thank_yous(engine())


def _with_band(frame: pd.DataFrame, score: str) -> pd.Series:
    """The band of score under the thresholds of each row's segment profile (global ones without a segment)."""
    return health.band(frame[score], frame["segment"], settings(), health_profiles())


@loader(ASSETS)
def asset_tags() -> pd.DataFrame:
    return asset_reads.tags(engine())


@loader(ASSETS, ACCOUNTS, SCORES, SETTINGS, shared=True, show_spinner="Loading the library…")
def library(today: dt.date, week: dt.date | None) -> pd.DataFrame:
    """Every asset with its featured customer's state (health band under the current settings)."""
    library = asset_reads.library(engine(), today, week, asset_tags())
    library["account_band"] = _with_band(library, "account_score").where(library["account_score"].notna())
    library["searchable"] = assets.searchable_text(library)
    return library


@loader(ASSETS, ACCOUNTS, SCORES)
def retired_assets() -> pd.DataFrame:
    return asset_reads.retired_assets(engine())


@loader(ACCOUNTS, SCORES)
def contacts_of(account_id: int) -> pd.DataFrame:
    return account_reads.contacts_of(engine(), account_id)


@loader(ACCOUNTS, SCORES)
def customers_by_industry(today: dt.date) -> pd.DataFrame:
    return account_reads.customers_by_industry(engine(), today)


@loader(
    ACCOUNTS,
    SCORES,
    ADVOCATES,
    ASSETS,
    SETTINGS,
    shared=True,
    show_spinner="Loading reference-ready advocates…",
)
def reference_pool(today: dt.date, week: dt.date | None) -> pd.DataFrame:
    """Advocates who agreed or are reference-ready, by advocate id, with what matching and eligibility need."""
    pool = advocate_reads.candidates(engine(), today, week, in_program=True)
    pool["health_band"] = _with_band(pool, "health_score")
    return pool.reset_index().set_index("advocate_id")


@loader(ASSETS, ADVOCATES, ACCOUNTS, SCORES)
def reference_requests() -> pd.DataFrame:
    return asset_reads.requests(engine())


@loader(ASSETS)
def asset_deals() -> pd.DataFrame:
    return asset_reads.asset_deals(engine())


@loader(ASSETS)
def advocate_deals() -> pd.DataFrame:
    return asset_reads.advocate_deals(engine())


# --- KPIs, referrals and the weekly review ---------------------------------------------------------


@loader(ACCOUNTS, SCORES)
def survey_daily() -> pd.DataFrame:
    return account_reads.survey_daily(engine())


@loader(ACCOUNTS, SCORES)
def survey_groups(start: dt.date, end: dt.date) -> pd.DataFrame:
    return account_reads.survey_groups(engine(), start, end)


# Resources like the health board: every purchase and every customer, read-only.
@loader(PURCHASES, shared=True, show_spinner="Loading purchases…")
def purchases() -> pd.DataFrame:
    """Every purchase."""
    return purchase_reads.purchases(engine())


@loader(PURCHASES)
def purchases_between(start: dt.date, end: dt.date) -> pd.DataFrame:
    return purchase_reads.purchases_between(engine(), start, end)


@loader(PURCHASES)
def purchase_daily() -> pd.DataFrame:
    return purchase_reads.purchase_daily(engine())


@loader(PURCHASES)
def buyers_between(start: dt.date, end: dt.date) -> pd.Series:
    return purchase_reads.buyers_between(engine(), start, end)


@loader(ACCOUNTS, SCORES, PURCHASES, shared=True)
def customers() -> pd.DataFrame:
    """Every account as a customer."""
    return purchase_reads.customers(engine())


@loader(PURCHASES)
def spend() -> pd.DataFrame:
    return purchase_reads.spend(engine())


@loader(ASSETS, ADVOCATES)
def program_daily() -> pd.DataFrame:
    return advocate_reads.program_daily(engine())


@loader(ADVOCATES)
def stage_flow() -> pd.DataFrame:
    return advocate_reads.stage_flow(engine())


@loader(PURCHASES, ADVOCATES, ACCOUNTS, SCORES)
def referrals() -> pd.DataFrame:
    return purchase_reads.referrals(engine())


@loader(PURCHASES)
def referral_events() -> pd.DataFrame:
    return purchase_reads.referral_events(engine())


@loader(PURCHASES, ADVOCATES, ACCOUNTS, SCORES)
def referrer_advocates() -> pd.DataFrame:
    return purchase_reads.referrer_advocates(engine())


@loader(ADVOCATES)
def rewards() -> pd.DataFrame:
    return advocate_reads.rewards(engine())


@loader(PURCHASES, ADVOCATES, ACCOUNTS, SCORES, shared=True)
def referral_program(
    start: dt.date, end: dt.date, link_base: str
) -> tuple[referral_rules.ReferralSummary, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The referral program in start…end (core.referrals): its summary, the funnel of the referrals sent, referred
    vs other customers, and the referrers with their links."""
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    sent, events, bought = referrals(), referral_events(), purchases()
    table = referral_rules.referrers(
        sent, events, bought, referrer_advocates(), rewards(), thank_yous(), start_ts, end_ts
    )
    table["link"] = table["referral_code"].map(
        lambda code: referral_rules.referral_link(link_base, code) if isinstance(code, str) else None
    )
    return (
        referral_rules.summary(sent, events, bought, start_ts, end_ts),
        referral_rules.funnel(sent, events, start_ts, end_ts),
        referral_rules.referred_vs_other(bought, customers(), start_ts, end_ts),
        table,
    )


@loader(ACCOUNTS, SCORES)
def scored_weeks() -> list[dt.date]:
    return account_reads.scored_weeks(engine())


@loader(ACCOUNTS, SCORES)
def sub_scores(week: dt.date) -> pd.DataFrame:
    return account_reads.snapshot_sub_scores(engine(), week)


@loader(ACCOUNTS, SCORES, shared=True)
def account_names() -> pd.DataFrame:
    """Every account's name, owner, segment, industry and ARR."""
    return account_reads.account_names(engine())


@loader(ACCOUNTS, SCORES, ADVOCATES, PURCHASES, show_spinner="Loading the two weeks…")
def two_weeks(week: dt.date) -> dict[str, pd.DataFrame]:
    """Survey answers, stage changes, outreach and purchases of the week and the one before."""
    start, end = week - dt.timedelta(days=7), week + dt.timedelta(days=6)
    return {
        "surveys": account_reads.surveys_between(engine(), start, end),
        "stage_changes": advocate_reads.stage_changes_between(engine(), start, end),
        "outreach": advocate_reads.outreach_between(engine(), start, end),
        "purchases": purchase_reads.purchases_between(engine(), start, end),
    }


@loader(ACCOUNTS, SCORES, ADVOCATES, ASSETS, PURCHASES, SETTINGS, shared=True)
def weekly_review(week: dt.date) -> weekly.WeeklyReview:
    """The weekly review of week against the week before (core.weekly.review)."""
    activity = two_weeks(week)
    return weekly.review(
        week,
        sub_scores(week),
        sub_scores(week - dt.timedelta(days=7)),
        account_names(),
        activity["surveys"],
        activity["stage_changes"],
        activity["outreach"],
        assets_changing(week - dt.timedelta(days=7), week + dt.timedelta(days=6), week),
        reference_requests(),
        referrals(),
        activity["purchases"],
        settings(),
        health_profiles(),
    )


@loader(ASSETS, ACCOUNTS, SCORES, SETTINGS)
def assets_changing(start: dt.date, end: dt.date, week: dt.date) -> pd.DataFrame:
    """Assets that could have been published or turned stale in the days start…end."""
    return asset_reads.assets_changing(engine(), start, end, settings()["asset_max_age_years"], week)


# --- the work queue ---


@loader(WORK, ACCOUNTS, SCORES, USERS)
def open_tasks(owner_ids: tuple[int, ...] | None, as_of: dt.date, queue: bool) -> pd.DataFrame:
    """db.reads.work.open_tasks of these owners (None: everyone) and, with queue, the marketing queue's."""
    return work_reads.open_tasks(engine(), None if owner_ids is None else list(owner_ids), as_of, queue=queue)


@loader(WORK, ACCOUNTS, SCORES, USERS)
def task(task_id: int) -> tuple[pd.Series, pd.DataFrame] | None:
    return work_reads.task(engine(), task_id)


@loader(WORK, ACCOUNTS, SCORES, USERS)
def account_activities(account_id: int) -> pd.DataFrame:
    return work_reads.activities(engine(), account_id)


@loader(WORK)
def playbooks() -> tuple[pd.DataFrame, pd.DataFrame]:
    return work_reads.playbooks(engine())


@loader(WORK, ACCOUNTS, SCORES)
def playbook_effect(today: dt.date, horizon_days: int) -> pd.DataFrame:
    """core.tasks.playbook_effect over every account task with a playbook."""
    tasks, churns = work_reads.effect_inputs(engine())
    return task_rules.playbook_effect(tasks, churns, today, horizon_days)
