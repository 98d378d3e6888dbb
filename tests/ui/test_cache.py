"""Every cached read is a loader registered to data families; a write clears only the loaders of the families
it changed; what every session shares is read-only."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.caching.cache_utils import CachedFunc

import ui
from db.families import ACCOUNTS, ASSETS, PURCHASES, SCORES, SENTIMENTS, SETTINGS, USERS, WRITES
from ui import cache

ROOT = Path(__file__).resolve().parents[2]


def test_every_cached_function_in_ui_is_a_registered_loader_or_computation():
    modules = [importlib.import_module(f"ui.{found.name}") for found in pkgutil.iter_modules(ui.__path__)]
    registered = {id(cached) for cached, _ in cache.LOADERS} | {id(cached) for cached in cache.COMPUTED}
    unregistered = []
    for module in modules:
        unregistered += [
            f"{module.__name__}.{name}"
            for name, value in vars(module).items()
            if isinstance(value, CachedFunc) and id(value) not in registered
        ]
    assert unregistered == []
    assert len(registered) >= 50


def test_no_page_or_ui_module_caches_outside_the_loader_decorator():
    bare = re.compile(r"st\.cache_(data|resource)\b(?!\.clear)")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("ui", "pages")
        for path in sorted((ROOT / folder).glob("*.py"))
        if path.name != "cache.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if bare.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []


def test_a_loader_needs_known_families():
    with pytest.raises(ValueError, match="families"):
        cache.loader()
    with pytest.raises(ValueError, match="weather"):
        cache.loader("weather")


def families_of(loader) -> frozenset[str]:
    return next(families for cached, families in cache.LOADERS if cached is loader)


def test_the_app_loaders_depend_on_what_they_read():
    from ui import data

    assert families_of(data.health_board) == {ACCOUNTS, SCORES, SETTINGS}
    assert families_of(data.library) == {ASSETS, ACCOUNTS, SCORES, SETTINGS}
    assert families_of(data.contact_facts) == {ACCOUNTS}
    assert families_of(data.health_scores) == {SCORES}
    assert families_of(data.purchases) == {PURCHASES}
    assert families_of(data.audit_log) == {USERS}
    assert families_of(data.settings) == {SETTINGS}


def test_saving_settings_scoring_or_fitting_the_model_keeps_every_contacts_facts():
    from ui import data

    for action in ("update_settings", "run_scoring", "fit_churn_model"):
        assert not WRITES[action] & families_of(data.contact_facts), action
    assert WRITES["import_data"] & families_of(data.contact_facts)


@pytest.fixture
def loaders(monkeypatch) -> list:
    """A registry of its own for the test's loaders."""
    monkeypatch.setattr(cache, "LOADERS", [])
    return cache.LOADERS


def test_a_write_clears_only_the_loaders_of_the_families_it_changed(loaders):
    reads = {"accounts": 0, "assets": 0, "both": 0}

    @cache.loader(ACCOUNTS)
    def accounts_read() -> int:
        reads["accounts"] += 1
        return reads["accounts"]

    @cache.loader(ASSETS, shared=True)
    def assets_read() -> int:
        reads["assets"] += 1
        return reads["assets"]

    @cache.loader(ACCOUNTS, ASSETS)
    def both_read() -> int:
        reads["both"] += 1
        return reads["both"]

    for read in (accounts_read, assets_read, both_read, accounts_read, assets_read, both_read):
        read()
    assert reads == {"accounts": 1, "assets": 1, "both": 1}

    cache.after_write({ASSETS, USERS})
    for read in (accounts_read, assets_read, both_read):
        read()
    assert reads == {"accounts": 1, "assets": 2, "both": 2}

    cache.after_write(set())
    cache.after_write({PURCHASES})
    for read in (accounts_read, assets_read, both_read):
        read()
    assert reads == {"accounts": 1, "assets": 2, "both": 2}
    for loader in (accounts_read, assets_read, both_read):
        loader.clear()


@dataclass(frozen=True)
class Summary:
    table: pd.DataFrame
    total: int


def test_a_shared_result_is_read_only_and_what_is_derived_from_it_is_not(loaders):
    @cache.loader(ACCOUNTS, shared=True)
    def board() -> tuple[pd.DataFrame, Summary]:
        frame = pd.DataFrame({"account": ["Acme", "Bolt"], "score": [71.5, 40.0], "segment": ["SMB", None]})
        return frame, Summary(frame.head(1), 2)

    frame, summary = board()
    assert board()[0] is frame  # one object for every session
    assert isinstance(frame, cache.SharedFrame) and isinstance(summary.table, cache.SharedFrame)
    changes = [
        lambda: frame.__setitem__("score", 0),
        lambda: frame.__setitem__("band", "at risk"),
        lambda: frame.loc.__setitem__((0, "score"), 10.0),
        lambda: frame.iloc.__setitem__((1, 0), "Crux"),
        lambda: frame.at.__setitem__((0, "account"), "Crux"),
        lambda: frame.iat.__setitem__((0, 1), 1.0),
        lambda: frame.__delitem__("segment"),
        lambda: frame.pop("segment"),
        lambda: frame.insert(0, "id", [1, 2]),
        lambda: frame.fillna({"segment": "unknown"}, inplace=True),
        lambda: setattr(frame, "index", [5, 6]),
        lambda: summary.table.__setitem__("score", 0),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="read-only"):
            change()

    low = frame[frame["score"] < 50]
    low["score"] = 0.0  # a filter is a plain frame of its own
    copied = frame.copy()
    copied.loc[0, "score"] = 99.0
    column = frame["score"]
    column.iloc[0] = 1.0
    assert type(low) is pd.DataFrame and type(copied) is pd.DataFrame
    # pandas' own reshaping reads the frame through its indexers (melt calls frame.iloc(axis=1)).
    long = frame.melt(id_vars=["account"], value_vars=["score"])
    assert long["value"].tolist() == [71.5, 40.0]
    assert frame["score"].tolist() == [71.5, 40.0]
    assert frame["segment"].isna().tolist() == [False, True]
    assert list(frame.columns) == ["account", "score", "segment"] and list(frame.index) == [0, 1]
    board.clear()


def test_a_per_session_result_is_a_copy_of_its_own(loaders):
    @cache.loader(ACCOUNTS)
    def scores() -> pd.DataFrame:
        return pd.DataFrame({"score": [71.5, 40.0]})

    first = scores()
    first["score"] = 0.0
    assert scores()["score"].tolist() == [71.5, 40.0]
    scores.clear()


def test_a_page_write_clears_the_families_its_write_changed(monkeypatch):
    import streamlit as st

    from db import families
    from ui import writes

    cleared = []
    monkeypatch.setattr(cache, "after_write", lambda changed: cleared.append(set(changed)))
    monkeypatch.setattr(st, "rerun", lambda: None)
    writes.attempt(lambda: families.note("edit_asset"), "Saved.")
    writes.attempt(lambda: families.note("record_sentiment"), "Saved.")
    assert cleared == [{ASSETS, USERS}, {SENTIMENTS, USERS}]
