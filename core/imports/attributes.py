"""Custom account attributes: the extra columns of an account file, each typed once and kept per account.

An attribute's kind is what every non-blank cell of its column reads as: yes/no words → bool (stored as
1/0), numbers → number, ISO dates → date, anything else → text. Once stored, an attribute keeps its kind:
a later file whose cells do not read as it is refused, cell by cell. A blank cell is unknown.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from core.imports.mapping import Mapping
from core.imports.validation import FALSE_WORDS, PROBLEM_COLUMNS, TRUE_WORDS, Validated

TEXT_LENGTH = 500
KIND_NOUNS = {"bool": "yes or no", "number": "a number", "date": "a date (YYYY-MM-DD)", "text": "text"}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T].*)?")


def _reads_as(cells: pd.Series) -> dict[str, pd.Series]:
    """For each kind, whether each cell reads as it."""
    words = cells.str.casefold()
    return {
        "bool": words.isin(TRUE_WORDS + FALSE_WORDS) & ~cells.str.fullmatch(r"[01]"),
        "number": cells.str.fullmatch(_NUMBER.pattern),
        "date": cells.str.fullmatch(_DATE.pattern)
        & pd.to_datetime(cells.str.slice(0, 10), format="%Y-%m-%d", errors="coerce").notna(),
        "text": cells.str.len() <= TEXT_LENGTH,
    }


def infer_kind(cells: pd.Series) -> str:
    """The narrowest kind every non-blank cell reads as (text when there are none)."""
    given = cells[cells != ""]
    if given.empty:
        return "text"
    reads = _reads_as(given)
    return next((kind for kind in ("bool", "number", "date") if reads[kind].all()), "text")


def attribute_values(
    frame: pd.DataFrame, rows: pd.Series, attributes: dict[str, str], kinds: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """The typed values of the attribute columns for the file rows kept (rows: their positions in frame).

    attributes: file column → attribute name; kinds: the kinds of attributes already stored. Returns
    (values: row position, name, text_value, number_value, date_value — blank cells left out;
    the kind of each attribute; problems as validation lists them)."""
    values, problems, chosen = [], [], {}
    for column, name in attributes.items():
        cells = frame[column].iloc[rows.to_numpy()].fillna("").astype(str).str.strip()
        kind = kinds.get(name) or infer_kind(cells)
        chosen[name] = kind
        given = (cells != "").to_numpy()
        fits = _reads_as(cells)[kind].fillna(False).to_numpy()
        wrong = given & ~fits
        if wrong.any():
            problems.append(
                pd.DataFrame(
                    {
                        "row": rows.to_numpy()[wrong] + 2,
                        "column": column,
                        "value": cells[wrong].to_numpy(),
                        "problem": f"not {KIND_NOUNS[kind]}: custom attribute '{name}' holds "
                        + ("text of at most 500 characters" if kind == "text" else KIND_NOUNS[kind]),
                    }
                )
            )
        keep = given & fits
        kept = cells[keep]
        values.append(
            pd.DataFrame(
                {
                    "position": np.flatnonzero(keep),
                    "name": name,
                    "text_value": kept.to_numpy() if kind == "text" else None,
                    "number_value": _numbers(kept, kind),
                    "date_value": pd.to_datetime(kept.str.slice(0, 10), format="%Y-%m-%d").to_numpy()
                    if kind == "date"
                    else pd.NaT,
                }
            )
        )
    frame_of = pd.concat(values, ignore_index=True) if values else pd.DataFrame(columns=["position", "name"])
    found = (
        pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(columns=list(PROBLEM_COLUMNS))
    )
    return frame_of, chosen, found


def _numbers(cells: pd.Series, kind: str) -> np.ndarray | None:
    if kind == "number":
        return pd.to_numeric(cells).to_numpy(dtype=float)
    if kind == "bool":
        return cells.str.casefold().isin(TRUE_WORDS).to_numpy(dtype=float)
    return None


def with_attributes(
    validated: Validated, frame: pd.DataFrame, mapping: Mapping, kinds: dict[str, str]
) -> Validated:
    """validated with the typed custom attributes of its rows (row number instead of position) and their
    problems added, problems in row order."""
    if not mapping.attributes:
        return validated
    positions = validated.rows["row"] - 2
    values, chosen, problems = attribute_values(frame, positions, mapping.attributes, kinds)
    values = values.assign(row=positions.to_numpy()[values["position"].to_numpy(dtype=np.int64)] + 2)
    merged = pd.concat([validated.problems, problems], ignore_index=True) if not problems.empty else None
    if merged is not None:
        merged = merged.sort_values("row", kind="stable").reset_index(drop=True)
        merged["row"] = merged["row"].astype(np.int64)
    return dataclasses.replace(
        validated,
        problems=validated.problems if merged is None else merged,
        attributes=values.drop(columns="position"),
        attribute_kinds=chosen,
    )
