"""The import page's steps: which column goes where, how the rows will be stored, what is wrong, the import;
and the table export."""

from __future__ import annotations

import streamlit as st

from core import imports
from db import imports as importer
from db import service
from db.service import Actor
from ui import data, downloads, text

PREVIEW_ROWS = 20
PROBLEM_ROWS = 1_000
IGNORE = "(ignore)"


def fields_help(entity: str) -> None:
    """The fields an entity's file may carry, which are required and what each accepts."""
    with st.expander("Columns this import understands"):
        st.dataframe(
            imports.field_guide(entity),
            hide_index=True,
            column_config={"column": "Column", "required": "Required", "accepts": "Accepts"},
        )


def _mapping_editor(entity: str, filename: str, automatic: dict[str, str | None]) -> dict[str, str | None]:
    """Each file column with the field it is stored as: matched by name, changeable by hand."""
    spec = imports.ENTITIES[entity]
    choices = [None, *(field.name for field in spec.fields)]
    grid = st.columns(3)
    return {
        column: grid[index % 3].selectbox(
            text.literal(column),
            choices,
            index=choices.index(field),
            format_func=lambda name: spec.field(name).label if name else IGNORE,
            key=f"import_map_{entity}_{filename}_{index}",
        )
        for index, (column, field) in enumerate(automatic.items())
    }


def review_and_import(actor: Actor, entity: str, filename: str, payload: bytes) -> None:
    """Map the columns, preview the stored rows, list every problem, and import when there is none."""
    try:
        _, automatic, _ = data.import_plan(payload, filename, entity, None)
        st.subheader("Columns")
        mapping = _mapping_editor(entity, filename, automatic)
        frame, mapping, checked = data.import_plan(payload, filename, entity, tuple(mapping.items()))
    except ValueError as error:  # an unreadable file, or a mapping the import cannot use
        st.error(text.literal(error))
        return
    if checked.ok:
        _preview(entity, filename, len(frame), mapping, checked)
        spec = imports.ENTITIES[entity]
        key_labels = " + ".join(spec.field(name).label for name in spec.key)
        rows = len(checked.rows)
        st.success(
            f"{rows:,} rows are ready. A row whose {key_labels} is already stored updates it; "
            "the others are added. Importing the same file again changes nothing."
        )
        if st.button(f"Import {rows:,} row{'s' * (rows != 1)}", type="primary", key="import_run"):
            _run(actor, entity, filename, payload, mapping)
        return
    problems = checked.problems
    st.error(
        f"**{len(problems):,} problems** — nothing is imported until the file is fixed "
        "(all rows or none are stored)."
    )
    st.dataframe(
        problems.head(PROBLEM_ROWS),
        hide_index=True,
        column_config={"row": "Row", "column": "Column", "value": "Value", "problem": "Problem"},
    )
    downloads.csv_button(
        problems, f"{entity}-import-problems", key="import_problems_csv", label="Download every problem (CSV)"
    )
    _preview(entity, filename, len(frame), mapping, checked)


def _preview(
    entity: str, filename: str, rows: int, mapping: dict[str, str | None], checked: imports.Validated
) -> None:
    spec = imports.ENTITIES[entity]
    fields = [field.name for field in spec.fields if field.name in set(mapping.values())]
    st.subheader("How the first rows will be stored")
    st.caption(f"{rows:,} rows in {text.literal(filename)}; row numbers count the header as row 1.")
    st.dataframe(
        checked.rows[["row", *fields]].head(PREVIEW_ROWS),
        hide_index=True,
        column_config={"row": "Row", **{field.name: field.label for field in spec.fields}},
    )


def _run(actor: Actor, entity: str, filename: str, payload: bytes, mapping: dict[str, str | None]) -> None:
    bar = st.progress(0.0, text="Storing…")
    try:
        result = importer.run_import(
            data.engine(),
            actor,
            payload,
            filename,
            entity,
            mapping,
            progress=lambda done, total: bar.progress(
                done / total, text=f"{done:,} of {total:,} rows stored"
            ),
        )
    except (ValueError, service.PermissionDenied) as error:
        bar.empty()
        st.error(text.literal(error))
        return
    bar.empty()
    if not result.problems.empty:
        st.error(
            f"Nothing was imported: the data changed meanwhile and {len(result.problems):,} rows now have problems."
        )
        return
    data.after_write()
    st.success(
        f"Imported {result.rows:,} rows: {result.inserted:,} added, {result.updated:,} updated, "
        f"{result.unchanged:,} unchanged."
    )


def export_tables() -> None:
    """Any table as a spreadsheet-safe CSV, built when the button is pressed."""
    st.caption(
        "Every row of a table as CSV (UTF-8). Text that a spreadsheet would run as a formula (starting with "
        "= + - @) gets a leading ' so it stays text; users are exported without their password hashes. "
        "Each page's own CSV buttons export what its filters show."
    )
    table = st.selectbox("Table", importer.TABLES, key="export_table")
    st.download_button(
        f"Download {table}.csv",
        data=lambda: importer.export_table(data.engine(), table),
        file_name=f"{table}.csv",
        mime="text/csv",
        on_click="ignore",
        key="export_download",
    )
