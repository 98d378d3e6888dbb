"""Cached reads, each registered to the data families it depends on, and the clearing after a write.

A cached read is a function under `@loader(family, ...)` (families from db/families.py: those whose writes
change what it returns), never a bare st.cache_data or st.cache_resource: tests/ui/test_cache.py fails on
a cached function that is not registered. after_write(changed) clears the loaders of the families a write
changed, and only those. A new loader in ui/data.py:

    @loader(ADVOCATES, ACCOUNTS)  # it reads advocates and accounts: a write to either clears it
    def thank_yous() -> pd.DataFrame:
        return advocate_reads.thank_yous(engine())

A write names what it changes in db/families.py (WRITES, by role-matrix action).

`@loader(..., shared=True)` keeps one result for every session (st.cache_resource, no copy per rerun), for
large frames: such a result is read-only (SharedFrame), so no session can change what another one sees.
Without it each call gets its own copy (st.cache_data).

A computation that reads no data (its result follows from its arguments alone) is cached with
`@computed()` instead: no write changes it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar

import pandas as pd
import streamlit as st

from db.families import FAMILIES

# Query results are shared by every session of this process; a write clears them, and the TTL bounds how
# stale another replica's writes can look.
SHARED_TTL = "5m"

F = TypeVar("F", bound=Callable[..., Any])

# Every registered loader (the st-cached function) with the families it depends on.
LOADERS: list[tuple[Any, frozenset[str]]] = []


def loader(
    *families: str,
    shared: bool = False,
    ttl: str = SHARED_TTL,
    max_entries: int | None = None,
    show_spinner: bool | str = False,
) -> Callable[[F], F]:
    """Cache the decorated read, registered to families (at least one): a write to any of them clears it.

    shared: one read-only result for every session (st.cache_resource) rather than a copy per call.
    """
    unknown = set(families) - set(FAMILIES)
    if not families or unknown:
        raise ValueError(f"A loader needs families from db/families.py, not {sorted(unknown) or 'none'}.")

    def register(read: F) -> F:
        if shared:
            cached = st.cache_resource(ttl=ttl, max_entries=max_entries, show_spinner=show_spinner)(
                _read_only(read)
            )
        else:
            cached = st.cache_data(ttl=ttl, max_entries=max_entries, show_spinner=show_spinner)(read)
        LOADERS.append((cached, frozenset(families)))
        return cached

    return register


# Every cached computation of its arguments alone (no data read).
COMPUTED: list[Any] = []


def computed(max_entries: int | None = None) -> Callable[[F], F]:
    """Cache the decorated function of its arguments alone (it reads no data), for every session."""

    def register(function: F) -> F:
        cached = st.cache_data(show_spinner=False, max_entries=max_entries)(function)
        COMPUTED.append(cached)
        return cached

    return register


def after_write(changed: Iterable[str]) -> None:
    """Forget what the loaders of the changed families hold, so every page shows the write at once."""
    changed = set(changed)
    for cached, families in LOADERS:
        if families & changed:
            cached.clear()


class SharedFrame(pd.DataFrame):
    """A frame every session shares: changing it raises TypeError. What is derived from it (a filter, a
    column, a copy) is a plain frame, and pandas' copy-on-write keeps the shared one as it was."""

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def __setattr__(self, name: str, value: object) -> None:
        if not name.startswith("_"):
            _refuse()
        super().__setattr__(name, value)

    def __setitem__(self, key: object, value: object) -> None:
        _refuse()

    def __delitem__(self, key: object) -> None:
        _refuse()

    def insert(self, *args: object, **kwargs: object) -> None:
        _refuse()

    def pop(self, item: object) -> pd.Series:
        _refuse()

    def _update_inplace(self, result: object, verify_is_copy: bool = True) -> None:
        _refuse()

    @property
    def loc(self) -> _ReadIndexer:
        return _ReadIndexer(super().loc)

    @property
    def iloc(self) -> _ReadIndexer:
        return _ReadIndexer(super().iloc)

    @property
    def at(self) -> _ReadIndexer:
        return _ReadIndexer(super().at)

    @property
    def iat(self) -> _ReadIndexer:
        return _ReadIndexer(super().iat)


class _ReadIndexer:
    """A frame's .loc, .iloc, .at or .iat that reads and refuses to write."""

    def __init__(self, indexer: Any) -> None:
        self._indexer = indexer

    def __getitem__(self, key: object) -> Any:
        return self._indexer[key]

    def __setitem__(self, key: object, value: object) -> None:
        _refuse()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._indexer, name)

    def __call__(self, axis: object) -> _ReadIndexer:
        """pandas itself asks for an indexer along an axis (frame.iloc(axis=1), as in melt)."""
        return _ReadIndexer(self._indexer(axis))


def _refuse() -> NoReturn:
    raise TypeError("This frame is shared by every session and read-only: change a copy (frame.copy()).")


def read_only(value: Any) -> Any:
    """value with every frame in it (itself, in a tuple or a dataclass's fields) a SharedFrame."""
    if isinstance(value, pd.DataFrame):
        return value if isinstance(value, SharedFrame) else SharedFrame(value)
    if isinstance(value, tuple):
        return tuple(read_only(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value) if field.init}
        return dataclasses.replace(value, **{name: read_only(item) for name, item in fields.items()})
    return value


def _read_only(read: F) -> F:
    @functools.wraps(read)
    def shared(*args: object, **kwargs: object) -> Any:
        return read_only(read(*args, **kwargs))

    return shared  # type: ignore[return-value]
