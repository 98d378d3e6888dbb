"""The import page's steps: which column goes where, which values every row gets and what the file's values
mean, what the import would do (or what is wrong), the import itself, saving the mapping as a profile;
and the table export."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import imports
from core.imports.mapping import ATTRIBUTE_NAME_LENGTH
from db import families, service
from db import imports as importer
from db.engine import ROOT
from db.imports import key_features, profiles
from db.service import Actor
from ui import cache, data, downloads, text, writes

PREVIEW_ROWS = 20
PROBLEM_GROUPS = 50
VALUE_ROWS = 200
# Characters of a file value the grouped problems show (the CSV has it whole).
SHOWN_VALUE = 60
IGNORE = "(ignore)"
NOT_SET = "(not set)"
# A column's choice in the mapping grid besides a field or IGNORE (account files only).
KEEP = "__custom_attribute__"
KEEP_LABEL = "Keep as custom attribute"
# Widgets whose state follows the chosen profile: they start over when another profile is chosen.
MAPPING_KEYS = ("import_map_", "import_set_", "import_values_")
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
TEMPLATES = ROOT / "assets" / "templates"


def fields_help(entity: str) -> None:
    """The fields an entity's file may carry, which are required and what each accepts, and a template."""
    with st.expander("Columns this import understands"):
        st.download_button(
            f"Download a template ({entity}.csv)",
            data=(TEMPLATES / f"{entity}.csv").read_bytes(),
            file_name=f"{entity}.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"import_template_{entity}",
        )
        st.dataframe(
            imports.field_guide(entity),
            hide_index=True,
            column_config={
                "column": "Column",
                "required": "Required",
                "accepts": "Accepts",
                "also_named": "Also matched by",
            },
        )


def _forget_mapping(entity: str) -> None:
    """Start the mapping widgets over from the newly chosen profile, and offer its name for saving."""
    for key in [key for key in st.session_state if key.startswith(MAPPING_KEYS)]:
        del st.session_state[key]
    st.session_state["import_profile_name"] = st.session_state[f"import_profile_{entity}"] or ""


def profile_choice(entity: str) -> imports.Mapping | None:
    """The saved profile to start from, when there are profiles for this kind of file (None: match by name)."""
    names = profiles.listing(data.engine(), entity)["name"].tolist()
    if not names:
        return None
    name = st.selectbox(
        "Start from a saved profile",
        [None, *names],
        format_func=lambda name: name or "(none: match columns by name)",
        key=f"import_profile_{entity}",
        on_change=_forget_mapping,
        args=(entity,),
    )
    return None if name is None else profiles.load(data.engine(), name)[1]


def _column_editor(entity: str, filename: str, base: imports.Mapping) -> imports.Mapping:
    """Each file column with the field it feeds, ignored, or (account files) kept as a custom attribute."""
    spec = imports.ENTITIES[entity]
    choices = [None, *(field.name for field in spec.fields)] + ([KEEP] if entity == "accounts" else [])
    labels = {None: IGNORE, KEEP: KEEP_LABEL} | {field.name: field.label for field in spec.fields}
    grid = st.columns(3)
    columns, attributes = {}, {}
    for index, (column, field) in enumerate(base.columns.items()):
        kept = column in base.attributes
        chosen = grid[index % 3].selectbox(
            text.literal(column),
            choices,
            index=choices.index(KEEP if kept else field),
            format_func=labels.get,
            key=f"import_map_{entity}_{filename}_{index}",
        )
        columns[column] = None if chosen == KEEP else chosen
        if chosen == KEEP:
            attributes[column] = base.attributes.get(column, column[:ATTRIBUTE_NAME_LENGTH])
    return imports.Mapping(columns=columns, attributes=attributes)


def _constant_input(field: imports.FieldSpec, key: str, given: str | None) -> str | None:
    """One field's value for every row, as the text a cell would hold (None: not set)."""
    if field.kind in ("date", "datetime"):
        day = st.date_input(
            field.label,
            value=dt.date.fromisoformat(given[:10]) if given else None,
            min_value=EARLIEST,
            max_value=LATEST,
            format="YYYY-MM-DD",
            key=key,
        )
        return day.isoformat() if day else None
    if field.kind in ("choice", "bool"):
        options = list(field.choices) if field.kind == "choice" else ["yes", "no"]
        options = [None, *options, *([given] if given and given not in options else [])]
        return st.selectbox(
            field.label, options, index=options.index(given), format_func=lambda o: o or NOT_SET, key=key
        )
    return st.text_input(field.label, value=given or "", key=key).strip() or None


def _constants_editor(entity: str, filename: str, base: imports.Mapping, fed: set[str]) -> dict[str, str]:
    """A value every row gets, for each field no column feeds."""
    spec = imports.ENTITIES[entity]
    free = [field for field in spec.fields if field.name not in fed]
    if not free:
        return {}
    needed = any(field.required and not field.default_from for field in free)
    with st.expander("Same value for every row", expanded=needed or bool(base.constants)):
        st.caption(
            "For fields no column feeds: every row gets the value set here. Left empty, it stays unknown."
        )
        grid = st.columns(3)
        constants = {}
        for index, field in enumerate(free):
            with grid[index % 3]:
                value = _constant_input(
                    field, f"import_set_{entity}_{filename}_{field.name}", base.constants.get(field.name)
                )
            if value is not None:
                constants[field.name] = value
    return constants


def _file_values(counts: pd.Series, field: imports.FieldSpec) -> pd.DataFrame:
    """The column's distinct values that are not one of the field's choices (ignoring case and spaces), with
    how many rows hold each, most rows first. counts: the column's values and their rows (see importer.Plan)."""
    shown = counts.index.astype(str).str.strip()
    folded = shown.str.casefold()
    other = (shown != "") & ~folded.isin([choice.casefold() for choice in field.choices])
    found = pd.DataFrame({"value": shown[other], "key": folded[other], "rows": counts.to_numpy()[other]})
    grouped = found.groupby("key", sort=False).agg(value=("value", "first"), rows=("rows", "sum"))
    return grouped.sort_values("rows", ascending=False, kind="stable").reset_index(drop=True)


def _values_editor(
    entity: str, filename: str, plan: importer.Plan, base: imports.Mapping, fed: dict[str, str]
) -> dict[str, dict[str, str]]:
    """For each choice field a column feeds: what each of the file's other values means, suggested first."""
    spec = imports.ENTITIES[entity]
    found = {
        field: _file_values(plan.values[fed[field.name]], field)
        for field in spec.fields
        if field.kind == "choice" and field.name in fed
    }
    found = {field: values for field, values in found.items() if not values.empty}
    if not found:
        return {}
    st.subheader("Values")
    st.caption(
        "Values of the file that are not the app's: choose what each means (suggested where the meaning is "
        "clear). Rows whose value stays unmapped are listed as problems."
    )
    chosen = {}
    for field, values in found.items():
        given = {key.strip().casefold(): app for key, app in base.values.get(field.name, {}).items()}
        suggested = imports.suggest_values(field, values["value"].tolist())
        shown = values.head(VALUE_ROWS).assign(
            app=[
                given.get(value.casefold(), suggested.get(value))
                for value in values["value"].head(VALUE_ROWS)
            ]
        )
        st.markdown(f"**{field.label}** — column {text.literal(fed[field.name])}")
        edited = st.data_editor(
            shown,
            hide_index=True,
            disabled=["value", "rows"],
            column_config={
                "value": st.column_config.TextColumn("In the file"),
                "rows": st.column_config.NumberColumn("Rows", format="localized"),
                "app": st.column_config.SelectboxColumn("Stored as", options=list(field.choices)),
            },
            placeholder="not mapped",
            key=f"import_values_{entity}_{filename}_{field.name}",
        )
        if len(values) > VALUE_ROWS:
            st.caption(f"{len(values) - VALUE_ROWS:,} rarer values are not shown.")
        # A profile's meanings of values this file lacks are kept, for the next file of this shape.
        listed = set(values["value"].str.casefold())
        kept = {
            key: app
            for key, app in base.values.get(field.name, {}).items()
            if key.strip().casefold() not in listed
        }
        chosen[field.name] = kept | {row.value: row.app for row in edited.itertuples() if pd.notna(row.app)}
    return chosen


def review_and_import(
    actor: Actor, entity: str, filename: str, payload: bytes, profile: imports.Mapping | None
) -> None:
    """Map the columns, values and constants, check what the import would do, and import when nothing is wrong."""
    try:
        first = data.import_plan(payload, filename, entity, None)
        base = first.mapping if profile is None else imports.with_profile(first.columns, entity, profile)
    except ValueError as error:  # an unreadable file, or a profile that does not fit it
        st.error(text.literal(error))
        return
    st.subheader("Columns")
    columns = _column_editor(entity, filename, base)
    fed = columns.field_columns()
    constants = _constants_editor(entity, filename, base, set(fed))
    values = _values_editor(entity, filename, first, base, fed)
    mapping = imports.Mapping(columns.columns, values, constants, columns.attributes)
    churn = entity == "subscriptions" and st.checkbox(
        "Also add churn events where a subscription ended without renewal", key="import_churn"
    )
    try:
        # The automatic mapping, unchanged, was checked already: a large file is not read and checked twice.
        mapped = (
            first
            if mapping == first.mapping
            else data.import_plan(payload, filename, entity, mapping.to_json())
        )
        checked = mapped.checked
        result = (
            data.import_check(actor, payload, filename, entity, mapping.to_json(), churn)
            if checked.ok
            else None
        )
    except (ValueError, service.PermissionDenied) as error:  # a mapping the import cannot use
        st.error(text.literal(error))
        return
    st.subheader("Check")
    notes = checked.notes if result is None else result.notes
    if notes:
        st.info("\n".join(f"- {text.literal(note)}" for note in notes))
    if result is None or not result.problems.empty:
        _problems(entity, checked.problems if result is None else result.problems)
    else:
        _ready(actor, entity, filename, payload, mapping, churn, mapped.checked_rows, result)
    _preview(entity, filename, first.rows, checked)
    _save_profile(actor, entity, mapping)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


def _ready(
    actor: Actor,
    entity: str,
    filename: str,
    payload: bytes,
    mapping: imports.Mapping,
    churn: bool,
    rows: int,
    result: importer.ImportResult,
) -> None:
    """What the checked import would do (rows of the file; added, updated, unchanged: stored records, which
    for usage events are account-weeks), and the Import button."""
    st.success(
        f"{_plural(rows, 'row')} {'is' if rows == 1 else 'are'} ready. Would add {result.inserted:,}, "
        f"update {result.updated:,}, leave {result.unchanged:,} unchanged."
    )
    spec = imports.ENTITIES[entity]
    if spec.key:
        key_labels = " + ".join(spec.field(name).label for name in spec.key)
        st.caption(
            f"A row whose {key_labels} is already stored updates it; the others are added. Nothing is written "
            "until you press Import; importing the same file again changes nothing."
        )
    if st.button(f"Import {_plural(rows, 'row')}", type="primary", key="import_run"):
        _run(actor, entity, filename, payload, mapping, churn, rows)


def _problems(entity: str, problems: pd.DataFrame) -> None:
    """Problems by column and value, most rows first, and every row's problem as CSV."""
    grouped = imports.group_problems(problems)
    st.error(
        f"**{_plural(len(problems), 'problem')}** in {_plural(len(grouped), 'group')} — nothing is imported "
        "until the file is fixed (all rows or none are stored)."
    )
    whole_file = grouped["first_rows"] == "0"  # about the mapping, not a row (see validation)
    value = grouped["value"].astype(str)
    st.table(
        pd.DataFrame(
            {
                "Column": grouped["column"],
                "Value": value.where(
                    value.str.len() <= SHOWN_VALUE, value.str.slice(0, SHOWN_VALUE - 1) + "…"
                ),
                "Problem": grouped["problem"],
                "Rows": grouped["rows"].map("{:,}".format).where(~whole_file, "all"),
                "First rows": grouped["first_rows"].where(~whole_file, "—"),
            }
        ).head(PROBLEM_GROUPS),
        hide_index=True,
    )
    if len(grouped) > PROBLEM_GROUPS:
        st.caption(f"… and {_plural(len(grouped) - PROBLEM_GROUPS, 'more group')}: the CSV lists every row.")
    downloads.csv_button(
        problems, f"{entity}-import-problems", key="import_problems_csv", label="Download every problem (CSV)"
    )


def _preview(entity: str, filename: str, rows: int, checked: imports.Validated) -> None:
    spec = imports.ENTITIES[entity]
    fields = [field.name for field in spec.fields if field.name in checked.fields]
    st.subheader("How the first rows will be stored")
    st.caption(f"{_plural(rows, 'row')} in {text.literal(filename)}; row numbers count the header as row 1.")
    st.dataframe(
        checked.rows[["row", *fields]].head(PREVIEW_ROWS),
        hide_index=True,
        column_config={"row": "Row", **{field.name: _preview_column(field) for field in spec.fields}},
        placeholder="unknown",
    )


def _preview_column(field: imports.FieldSpec) -> str | dict:
    """A field's column as the preview shows it: days without a time of day."""
    if field.kind == "date":
        return st.column_config.DateColumn(field.label, format="YYYY-MM-DD")
    if field.kind == "datetime":
        return st.column_config.DatetimeColumn(field.label, format="YYYY-MM-DD HH:mm:ss")
    return field.label


def _save_profile(actor: Actor, entity: str, mapping: imports.Mapping) -> None:
    """Save the columns, values and constants chosen above under a name, for the next file of this shape."""
    st.subheader("Save this mapping as a profile")
    name_column, button_column = st.columns([2, 1], vertical_alignment="bottom")
    name = name_column.text_input("Profile name", max_chars=profiles.NAME_LENGTH, key="import_profile_name")
    if button_column.button("Save this mapping as a profile", key="import_profile_save"):
        writes.attempt(
            lambda: profiles.save(data.engine(), actor, name, entity, mapping),
            f"Saved the mapping as import profile '{name.strip()}'.",
        )


def _run(
    actor: Actor, entity: str, filename: str, payload: bytes, mapping: imports.Mapping, churn: bool, rows: int
) -> None:
    bar = st.progress(0.0, text="Storing…")
    try:
        result = data.run_import(
            actor,
            payload,
            filename,
            entity,
            mapping,
            progress=lambda done, total: bar.progress(
                done / total, text=f"{done:,} of {total:,} rows stored"
            ),
            churn_from_subscriptions=churn,
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
    cache.after_write(families.imported(entity) | {families.USERS})
    # Usage events are stored as the account-weeks they add up to.
    stored = (
        f"{_plural(rows, 'event')} as {_plural(result.rows, 'account-week')}"
        if entity == "usage_events"
        else _plural(result.rows, "row")
    )
    st.success(
        f"Imported {stored}: {result.inserted:,} added, {result.updated:,} updated, {result.unchanged:,} unchanged."
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


def key_feature_editor(actor: Actor) -> None:
    """The features whose events count as key-feature events (usage events only), one per line."""
    with st.expander("Key features"):
        st.caption(
            "Events of these features count as key-feature events when usage events are added up per week; "
            "while none is set, key-feature events stay unknown. Names match ignoring case."
        )
        current = key_features.listing(data.engine())
        names = st.text_area(
            "One feature or event name per line", "\n".join(current), key="import_key_features"
        )
        if st.button("Save key features", key="import_key_features_save"):
            writes.attempt(
                lambda: key_features.save(data.engine(), actor, names.splitlines()),
                lambda saved: f"{len(saved):,} key feature{'s' * (len(saved) != 1)} saved.",
            )
