"""Benchmark the churn-risk layer: its test figures on known histories, and the fit's time and memory at scale.

    python -m scripts.bench_churn_fit              # figures on temporary SQLite files
    python -m scripts.bench_churn_fit --postgres   # the scale figures on a scratch PostgreSQL database too

Prints figures against the issue's targets; it asserts nothing:
1. the demo history: out-of-time test AUC ≥ 0.85, fitted health weights' test AUC ≥ the current weights';
2. a generated history where churn depends on no input: the verdict says "no better than chance";
3. a generated one-row-per-customer book where churn depends on tenure and contract only: cross-validated
   AUC ≥ 0.80 and what matters names tenure and contract;
4. fitting 50,000 accounts × 52 weeks: ≤ 60 s and ≤ 1.5 GB peak memory, each fit in a fresh process so the
   generator's memory is not counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time

from core import churn_model as cm
from db import churn_model, migrate, scratch, service, synthetic
from db.engine import make_engine
from scripts.bench_health import in_fresh_process, peak_mb, verdict

BENCH_ACTOR = service.Actor(id=None, username="bench", name="Benchmark", role="admin")
TARGET_DEMO_AUC = 0.85
TARGET_CV_AUC = 0.80
TARGET_FIT_S = 60.0
TARGET_PEAK_MB = 1536
SCALE_ACCOUNTS, SCALE_WEEKS = 50_000, 52
# Synthetic histories end on a Monday whose 90 days of outcome and 13 test weeks are long known by today.
TODAY = dt.date.today()
LAST_WEEK = TODAY - dt.timedelta(days=TODAY.weekday() + 7)


def _engine(url: str):
    engine = make_engine(url)
    migrate.upgrade(engine)
    return engine


def demo_history(folder: str) -> None:
    engine = make_engine(f"sqlite:///{folder}/demo.db")
    migrate.prepare(engine, demo=True)
    card = churn_model.card(engine, churn_model.fit_and_store(engine, BENCH_ACTOR))
    weights = card["health_weights"]
    print("1. Demo history (500 accounts)")
    print(f"   {cm.verdict(card)}")
    print(
        f"   test AUC {card['auc']:.3f} (target ≥ {TARGET_DEMO_AUC}): {verdict(card['auc'] >= TARGET_DEMO_AUC)}; "
        f"Brier {card['brier']:.4f}"
    )
    print(
        f"   health weights: current {weights['current']} → AUC {weights['current_auc']:.3f}; fitted "
        f"{weights['proposed']} → AUC {weights['proposed_auc']:.3f}: "
        f"{verdict(weights['proposed_auc'] >= weights['current_auc'])}",
        flush=True,
    )


def no_signal(folder: str) -> None:
    engine = _engine(f"sqlite:///{folder}/noise.db")
    synthetic.weekly_history(engine, accounts=2000, weeks=60, last_week=LAST_WEEK, signal=0.0, seed=11)
    card = churn_model.card(engine, churn_model.fit_and_store(engine, BENCH_ACTOR, TODAY))
    sentence = cm.verdict(card)
    print("2. No-signal history (2,000 accounts × 60 weeks, churn independent of every input)")
    print(f"   {sentence}")
    print(
        f"   says 'no better than chance': {verdict(sentence.startswith('No better than chance'))}",
        flush=True,
    )


def customers(folder: str) -> None:
    engine = _engine(f"sqlite:///{folder}/customers.db")
    synthetic.customers(engine, 5000, TODAY, seed=3)
    card = churn_model.card(engine, churn_model.fit_and_store(engine, BENCH_ACTOR, TODAY))
    leaning = [item["input"] for item in card["what_matters"][:2]]
    example = churn_model.whys(engine).iloc[0]
    print("3. One row per customer (5,000; churn from tenure and contract only)")
    print(f"   {cm.verdict(card)}")
    print(f"   CV AUC {card['auc']:.3f} (target ≥ {TARGET_CV_AUC}): {verdict(card['auc'] >= TARGET_CV_AUC)}")
    print(f"   names tenure and contract first: {verdict(set(leaning) == {'tenure', 'Contract'})}")
    print(f"   why of one customer's risk: {example}", flush=True)


def build_scale(url: str) -> None:
    engine = _engine(url)
    started = time.perf_counter()
    synthetic.weekly_history(
        engine, accounts=SCALE_ACCOUNTS, weeks=SCALE_WEEKS, last_week=LAST_WEEK, signal=1.0, seed=5
    )
    print(
        f"   generated {SCALE_ACCOUNTS:,} accounts × {SCALE_WEEKS} weeks on {engine.dialect.name} "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def fit_scale(url: str) -> None:
    engine = make_engine(url)
    started = time.perf_counter()
    card = churn_model.card(engine, churn_model.fit_and_store(engine, BENCH_ACTOR, TODAY))
    took = time.perf_counter() - started
    print(
        f"   fit and store: {took:.1f} s (target ≤ {TARGET_FIT_S:.0f} s): {verdict(took <= TARGET_FIT_S)}; "
        f"peak memory {peak_mb():,.0f} MB (target ≤ {TARGET_PEAK_MB:,} MB): {verdict(peak_mb() <= TARGET_PEAK_MB)}"
    )
    print(
        f"   trained on {card['train']['rows']:,} account-weeks ({card['train']['weeks']} weeks), tested on "
        f"{card['test']['rows']:,}; test AUC {card['auc']:.3f}",
        flush=True,
    )


def scale(url: str) -> None:
    print(f"4. Scale ({make_engine(url).dialect.name})", flush=True)
    in_fresh_process(build_scale, url)
    in_fresh_process(fit_scale, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="measure the scale fit on PostgreSQL as well")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo_history(folder)
        no_signal(folder)
        customers(folder)
        scale(f"sqlite:///{folder}/scale.db")
    if args.postgres:
        url = scratch.create_database("advocacy_bench")
        try:
            scale(url)
        finally:
            scratch.drop_database(url)


if __name__ == "__main__":
    main()
