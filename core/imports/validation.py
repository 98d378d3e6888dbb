"""Validating a mapped file: every cell parsed into its field's type, every problem listed with its row.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2. Problems about
the mapping itself (a required field no column is mapped to, two columns mapped to one field) are
listed as row 0, under the field's label.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import links
from core.imports.mapping import Mapping
from core.imports.specs import INT_MAX, MAX_TEXT, EntitySpec, FieldSpec, entity_spec

LIST_SEPARATOR = ";"
EARLIEST = pd.Timestamp("1900-01-01")
LATEST = pd.Timestamp("2099-12-31 23:59:59")
TRUE_WORDS = ("true", "yes", "1", "y")
FALSE_WORDS = ("false", "no", "0", "n")
# What a reference names, as a problem message says it.
REF_NOUNS = {
    "accounts": "account",
    "contacts": "contact",
    "users": "user",
    "referrals": "referral code",
    "subscription_accounts": "subscription",
}
PROBLEM_COLUMNS = ("row", "column", "value", "problem")
SHOWN_CHARACTERS = 60

_NUMBER = re.compile(r"[+-]?(\d{1,15}(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_ZONE = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?" + _ZONE.pattern + "?)?")


@dataclass(frozen=True)
class Validated:
    """Typed rows (every non-blank, non-skipped row of the file), every problem found, the fields the file
    gives (by a column or a constant: only these are written over stored values) and what was skipped
    ("412 rows skipped: no score"); store only when ok."""

    rows: pd.DataFrame
    problems: pd.DataFrame
    fields: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # Custom account attributes (see attributes.with_attributes): row, name and the typed value columns.
    attributes: pd.DataFrame | None = None
    attribute_kinds: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when there is no problem, so the rows may be stored."""
        return self.problems.empty


def validate(frame: pd.DataFrame, entity: str, mapping: Mapping, known: dict[str, pd.Series]) -> Validated:
    """Parse every mapped cell into its field's type and list every problem (row, column, value, problem).

    known[ref] maps the external ids (account and contact ids, usernames, referral codes) stored in
    the database to their database ids; a reference resolves against those only. Blank rows are skipped,
    and so are rows a field's skip rule drops (a survey answer without a score, a customer not churned).
    A mapping that does not fit the frame or the entity is a ValueError (see Mapping.check).
    """
    spec = entity_spec(entity)
    mapping.check(list(frame.columns), spec)
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(True, index=frame.index)
    body = frame[~blank.to_numpy()]
    fed = mapping.field_columns()
    cells = {name: _field_cells(body, mapping, name, column) for name, column in fed.items()}
    cells.update(
        {name: pd.Series(text, index=body.index, dtype=str) for name, text in mapping.constants.items()}
    )
    for field in spec.fields:
        if field.default_from and field.name not in cells and field.default_from in cells:
            cells[field.name] = cells[field.default_from]
    keep = np.ones(len(body), dtype=bool)
    notes = []
    for field in spec.fields:
        if field.skip and field.name in cells:
            words = cells[field.name].str.strip().str.casefold()
            dropped = (words == "") | (words.isin(FALSE_WORDS) if field.kind == "bool" else False)
            dropped = dropped.to_numpy() & keep
            if dropped.any():
                count = int(dropped.sum())
                notes.append(f"{count:,} row{'s' * (count != 1)} skipped: {field.skip}")
            keep &= ~dropped
    if not keep.all():
        body = body[keep]
        cells = {name: values[keep] for name, values in cells.items()}
    shown = {name: column for name, column in fed.items()}
    shown.update({name: f"{spec.field(name).label} (set for every row)" for name in mapping.constants})
    raw = {name: body[column].fillna("").astype(str) for name, column in fed.items()}
    raw.update({name: cells[name] for name in cells if name not in raw})
    for field in spec.fields:
        if field.name in cells and field.name not in shown and field.default_from in shown:
            shown[field.name] = shown[field.default_from]
    check = _Checks(spec, body, raw, cells, shown, mapping, known)
    for field in spec.fields:
        check.parse(field)
    for rule in _RULES.get(entity, ()):
        rule(check)
    check.duplicates()
    fields = tuple(
        field.name
        for field in spec.fields
        if field.stored and (field.name in cells or field.name in spec.key)
    )
    return Validated(check.typed_rows(), check.problem_frame(list(frame.columns)), fields, tuple(notes))


def _field_cells(body: pd.DataFrame, mapping: Mapping, name: str, column: str) -> pd.Series:
    """A field's cells as text, each file value the mapping translates replaced by the app's value."""
    cells = body[column].fillna("").astype(str)
    translate = {key.strip().casefold(): value for key, value in mapping.values.get(name, {}).items()}
    if not translate:
        return cells
    return cells.str.strip().str.casefold().map(translate).fillna(cells).astype(str)


class _Checks:
    """The parsed fields and the problems found so far, for one frame and entity."""

    def __init__(
        self,
        spec: EntitySpec,
        body: pd.DataFrame,
        raw: dict[str, pd.Series],
        cells: dict[str, pd.Series],
        column: dict[str, str],
        mapping: Mapping,
        known: dict[str, pd.Series],
    ) -> None:
        self.spec = spec
        self.known = known
        self.rows = pd.Series(np.arange(len(body), dtype=np.int64), index=body.index)
        self.row_numbers = np.asarray(body.index, dtype=np.int64) + 2
        self.raw = raw
        self.cells = cells
        self.column = column
        self.values: dict[str, pd.Series] = {}
        self.present: dict[str, pd.Series] = {}
        self.ok: dict[str, np.ndarray] = {}
        self.problems: list[pd.DataFrame] = []
        for field in spec.fields:
            chosen = [c for c, name in mapping.columns.items() if name == field.name]
            if len(chosen) > 1:
                self._structural(
                    field,
                    f"{len(chosen)} columns are mapped to {field.label} "
                    f"({', '.join(repr(c) for c in chosen)}); map only one",
                )
            if field.required and field.name not in cells:
                self._structural(field, "required: no column of the file is mapped to it")

    def _structural(self, field: FieldSpec, problem: str) -> None:
        self.problems.append(
            pd.DataFrame({"row": [0], "column": [field.label], "value": [""], "problem": [problem]})
        )

    def add(self, field: FieldSpec, mask: np.ndarray, problem: str | Callable[[np.ndarray], object]) -> None:
        """Record problem for the rows in mask: one sentence, or a function of mask giving one per such row
        (called only when mask holds a row, so a clean file builds no message at all)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        raw = self.raw.get(field.name)
        values = raw.to_numpy(dtype=object)[mask] if raw is not None else ""
        message = problem if isinstance(problem, str) else np.asarray(problem(mask), dtype=object)
        self.problems.append(
            pd.DataFrame(
                {
                    "row": self.row_numbers[mask],
                    "column": self.column.get(field.name, field.label),
                    "value": values,
                    "problem": message,
                }
            )
        )
        self.ok[field.name] = self.ok[field.name] & ~mask

    def parse(self, field: FieldSpec) -> None:
        """Parse one field: typed values, which cells hold a value, which parsed without a problem."""
        size = len(self.rows)
        given = self.cells.get(field.name)
        cells = given.str.strip() if given is not None else pd.Series("", index=self.rows.index, dtype=str)
        present = (cells != "").to_numpy()
        self.present[field.name] = present
        self.ok[field.name] = np.ones(size, dtype=bool)
        # A required field with no column at all is one problem (row 0), not one per row.
        if field.required and given is not None:
            self.add(field, ~present, "required")
        parser = getattr(self, f"_{field.kind}")
        self.values[field.name] = parser(field, cells, present)

    def _unique(self, cells: pd.Series) -> tuple[np.ndarray, pd.Series]:
        codes, uniques = pd.factorize(cells)
        return codes, pd.Series(uniques, dtype=str)

    def _text(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        limit = field.max_length or MAX_TEXT
        lengths = cells.str.len().to_numpy()
        self.add(field, lengths > limit, f"longer than {limit:,} characters")
        return cells.where(present)

    def _int(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        """A whole number; '4.0' (how many tools write whole numbers in a column with a blank) is 4."""
        codes, uniques = self._unique(cells)
        matched = uniques.str.fullmatch(_NUMBER.pattern)
        numbers = pd.to_numeric(uniques.where(matched, None), errors="coerce")
        whole = (numbers == numbers.round()).fillna(False)
        form = (matched & whole).to_numpy()[codes] & present
        fraction = (matched & ~whole).to_numpy()[codes] & present
        self.add(field, fraction, lambda mask: "'" + _shown(cells[mask]) + "' is not a whole number")
        values = pd.Series(numbers.to_numpy()[codes], index=cells.index).where(form)
        low, high, noun = self._bounds(field)
        outside = form & ~((values >= low) & (values <= high)).fillna(False).to_numpy()
        wrong = present & ~fraction & (~form | outside)
        self.add(field, wrong, self._number_message(cells, noun, "a whole number", low, high, "1234"))
        return values.where(~(wrong | fraction)).astype("Int64")

    def _number(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        codes, uniques = self._unique(cells)
        matched = uniques.str.fullmatch(_NUMBER.pattern)
        form = matched.to_numpy()[codes] & present
        numbers = pd.to_numeric(uniques.where(matched, None), errors="coerce").round(2)
        values = pd.Series(numbers.to_numpy()[codes], index=cells.index).where(form)
        low, high, noun = self._bounds(field)
        outside = form & ~((values >= low) & (values <= high)).fillna(False).to_numpy()
        wrong = present & (~form | outside)
        self.add(field, wrong, self._number_message(cells, noun, "a number", low, high, "1234.5"))
        return values.where(~wrong).astype("Float64")

    def _bounds(self, field: FieldSpec) -> tuple[object, object, str]:
        """Lowest and highest allowed value and the field's name in messages (per row for survey scores)."""
        low = field.minimum if field.minimum is not None else -INT_MAX
        high = field.maximum if field.maximum is not None else INT_MAX
        if self.spec.name == "surveys" and field.name == "score":
            kind = self.values["kind"]
            csat = (kind == "csat").to_numpy()
            nps = (kind == "nps").to_numpy()
            low = pd.Series(np.where(csat, 1, 0), index=kind.index)
            high = pd.Series(np.where(csat, 5, 10), index=kind.index)
            noun = pd.Series(
                np.where(csat, "CSAT score", np.where(nps, "NPS score", "Score")), index=kind.index
            )
            return low, high, noun
        return low, high, field.label

    @staticmethod
    def _number_message(
        cells: pd.Series, noun: object, what: str, low: object, high: object, example: str
    ) -> Callable[[np.ndarray], pd.Series]:
        """'<noun> must be <what> from low to high', with a hint when a cell uses thousands separators."""

        def at(mask: np.ndarray) -> pd.Series:
            def part(value: object, form: Callable[[object], str] = str) -> object:
                return value[mask].map(form) if isinstance(value, pd.Series) else form(value)

            text = cells[mask]
            message = part(noun) + f" must be {what} from " + part(low, figure) + " to " + part(high, figure)
            message = pd.Series(message, index=text.index) if isinstance(message, str) else message
            separators = text.str.fullmatch(_THOUSANDS.pattern).fillna(False)
            return message.where(~separators, message + f" (write {example}, without thousands separators)")

        return at

    def _date(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        """A day, YYYY-MM-DD; an ISO date and time gives its day (in UTC when it names a time zone)."""
        moments = self._moment(field, cells, present, "not a date (use YYYY-MM-DD)")
        return moments.dt.normalize()

    def _datetime(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        """An ISO date and time (a day alone is its midnight); one with a time zone is stored in UTC."""
        return self._moment(field, cells, present, "not a date and time (use YYYY-MM-DD HH:MM:SS)")

    def _moment(self, field: FieldSpec, cells: pd.Series, present: np.ndarray, problem: str) -> pd.Series:
        # Parsed cell by cell: moments are mostly distinct, and finding the distinct ones costs as much as
        # parsing them.
        matched = cells.str.fullmatch(_DATETIME.pattern).fillna(False)
        # utc=True converts a moment with a zone to UTC and takes one without as written.
        parsed = pd.to_datetime(cells.where(matched, None), format="ISO8601", errors="coerce", utc=True)
        values = pd.Series(parsed.dt.tz_localize(None).to_numpy().astype("datetime64[us]"), index=cells.index)
        wrong = present & values.isna().to_numpy()
        self.add(field, wrong, problem)
        outside = present & ~wrong & ((values < EARLIEST) | (values > LATEST)).to_numpy()
        self.add(field, outside, "outside the years 1900 to 2099")
        return values.where(~(wrong | outside))

    def _bool(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        words = cells.str.casefold()
        yes = words.isin(TRUE_WORDS).to_numpy()
        no = words.isin(FALSE_WORDS).to_numpy()
        self.add(
            field,
            present & ~yes & ~no,
            lambda mask: (
                "'" + _shown(cells[mask]) + "' is not yes or no (use true/false, yes/no, 1/0 or y/n)"
            ),
        )
        return pd.Series(yes, index=cells.index, dtype=bool)

    def _choice(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        canonical = {choice.casefold(): choice for choice in field.choices}
        values = cells.str.casefold().map(canonical)
        self.add(
            field,
            present & values.isna().to_numpy(),
            lambda mask: "'" + _shown(cells[mask]) + f"' is not one of {', '.join(field.choices)}",
        )
        return values.astype(object).where(values.notna(), None)

    def _ref(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        known = self.known.get(field.ref, pd.Series(dtype="Int64"))
        codes, uniques = self._unique(cells)
        ids = pd.array(known.reindex(uniques.to_numpy()).to_numpy(), dtype="Int64")[codes]
        ids = pd.Series(ids, index=cells.index, dtype="Int64")
        missing = present & ids.isna().to_numpy()
        noun = REF_NOUNS[field.ref]
        self.add(field, missing, lambda mask: noun + " '" + _shown(cells[mask]) + "' does not exist")
        self.values[field.id_column] = ids.where(~missing)
        return cells.where(present & ~missing, None).astype(object)

    def _list(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        items = cells.str.split(LIST_SEPARATOR).explode().str.strip()
        items = items[items != ""]
        too_long = items.str.len() > (field.max_length or MAX_TEXT)
        long_rows = self.rows.index.isin(items.index[too_long.to_numpy()])
        self.add(field, long_rows, f"an item is longer than {field.max_length or MAX_TEXT:,} characters")
        sets = items.groupby(level=0).agg(lambda group: tuple(sorted(set(group))))
        values = np.empty(len(cells), dtype=object)
        values.fill(())
        values[cells.index.get_indexer(sets.index)] = sets.to_numpy()
        return pd.Series(values, index=cells.index)

    def duplicates(self) -> None:
        """Every row whose key equals an earlier row's is a duplicate of that row."""
        key = [self.spec.field(name) for name in self.spec.key]
        if not key:
            return
        complete = np.logical_and.reduce([self.ok[field.name] & self.present[field.name] for field in key])
        if not complete.any():
            return
        # One integer per distinct key: cheap to compare, whatever the key's parts are.
        codes = np.zeros(int(complete.sum()), dtype=np.int64)
        for field in key:
            parsed = self.values[field.id_column if field.kind == "ref" else field.name]
            part = pd.factorize(parsed[complete])[0]
            codes = pd.factorize(codes * (int(part.max()) + 1) + part)[0]
        repeated = pd.Series(codes).duplicated().to_numpy()
        if not repeated.any():
            return
        first_row = pd.Series(self.row_numbers[complete]).groupby(codes).transform("first").to_numpy()
        labels = " and ".join(field.label.lower() for field in key)
        mask = np.zeros(len(self.rows), dtype=bool)
        mask[np.flatnonzero(complete)[repeated]] = True
        message = "duplicate of row " + first_row[repeated].astype(str).astype(object) + f" (same {labels})"
        self.add(key[0], mask, lambda _: message)

    def typed_rows(self) -> pd.DataFrame:
        """One column per field (and per resolved reference id) plus the file's row number."""
        columns: dict[str, object] = {}
        for field in self.spec.fields:
            columns[field.name] = self.values[field.name]
            if field.kind == "ref":
                columns[field.id_column] = self.values[field.id_column]
        rows = pd.DataFrame(columns, index=self.rows.index)
        rows.insert(0, "row", self.row_numbers)
        return rows.reset_index(drop=True)

    def problem_frame(self, file_columns: list[str]) -> pd.DataFrame:
        """Every problem, by row and then by the column's place in the file."""
        if not self.problems:
            return pd.DataFrame(
                {
                    "row": pd.Series(dtype=np.int64),
                    **{c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS[1:]},
                }
            )
        problems = pd.concat(self.problems, ignore_index=True)
        order = {column: i for i, column in enumerate(file_columns)}
        place = problems["column"].map(order).fillna(len(order))
        problems = problems.assign(_place=place).sort_values(["row", "_place"], kind="stable")
        problems = problems.drop(columns="_place").reset_index(drop=True)
        problems["row"] = problems["row"].astype(np.int64)
        for column in PROBLEM_COLUMNS[1:]:
            problems[column] = problems[column].astype(object)
        return problems[list(PROBLEM_COLUMNS)]


def figure(number: float) -> str:
    """A bound as a message writes it: 1,000 or 999,999,999,999.99."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,.2f}"


def _shown(cells: pd.Series) -> pd.Series:
    """Cells as a message quotes them: cut to SHOWN_CHARACTERS with an ellipsis."""
    long = cells.str.len() > SHOWN_CHARACTERS
    return cells.str.slice(0, SHOWN_CHARACTERS).where(~long, cells.str.slice(0, SHOWN_CHARACTERS - 1) + "…")


# --- rules across fields --------------------------------------------------------------------------


def _usage_weeks(check: _Checks) -> None:
    field = check.spec.field("week_start")
    days = check.values[field.name]
    wrong = (days.dt.day_of_week != 0).fillna(False).to_numpy() & check.ok[field.name]

    def message(mask: np.ndarray) -> pd.Series:
        day = days[mask]
        monday = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
        return "a " + day.dt.day_name() + "; weeks start on Monday (use " + monday + ")"

    check.add(field, wrong, message)


def _asset_links(check: _Checks) -> None:
    field = check.spec.field("url")
    allowed = check.values[field.name].fillna("").map(links.is_allowed_link).to_numpy(dtype=bool)
    check.add(field, ~allowed & check.present[field.name] & check.ok[field.name], links.PROBLEM)


def _spend_months(check: _Checks) -> None:
    field = check.spec.field("month")
    days = check.values[field.name]
    wrong = (days.dt.day != 1).fillna(False).to_numpy() & check.ok[field.name]
    check.add(
        field, wrong, lambda mask: "not the first of a month (use " + days[mask].dt.strftime("%Y-%m-01") + ")"
    )


def _ticket_times(check: _Checks) -> None:
    opened, closed = check.values["opened_at"], check.values["closed_at"]
    wrong = (closed < opened).fillna(False).to_numpy()
    check.add(
        check.spec.field("closed_at"),
        wrong,
        lambda mask: "closed before it was opened (" + opened[mask].dt.strftime("%Y-%m-%d %H:%M:%S") + ")",
    )


def _outreach_answers(check: _Checks) -> None:
    field = check.spec.field("responded_on")
    sent, responded, outcome = check.values["sent_on"], check.values["responded_on"], check.values["outcome"]
    before = (responded < sent).fillna(False).to_numpy()
    check.add(
        field, before, lambda mask: "before the ask was sent (" + sent[mask].dt.strftime("%Y-%m-%d") + ")"
    )
    answered = outcome.notna().to_numpy() & (outcome != "no_response").to_numpy()
    has_answer = check.present[field.name]
    check.add(
        field, answered & ~has_answer, lambda mask: "required when the outcome is '" + outcome[mask] + "'"
    )
    silent = (outcome == "no_response").to_numpy() & has_answer
    check.add(field, silent, "leave it empty when the outcome is 'no_response'")


def _event_accounts(check: _Checks) -> None:
    """A usage event names its account directly, or through a stored subscription or a contact's id as its
    user: account_id is the first of these that resolves."""
    account = check.spec.field("account")
    resolved = check.values["account_id"].fillna(check.values["subscription_id"])
    unresolved = resolved.isna() & check.values["user"].notna()
    if unresolved.any():
        users = check.known.get("contact_accounts", pd.Series(dtype="Int64"))
        codes, names = pd.factorize(check.values["user"][unresolved])
        found = pd.array(users.reindex(names).to_numpy(), dtype="Int64")[codes]
        resolved[unresolved] = found
    check.values["account_id"] = resolved
    given = check.present["account"] | check.present["subscription"]
    check.add(
        account,
        ~given & resolved.isna().to_numpy(),
        "no account: give an account id, a subscription id or a user id that an earlier import "
        "tied to an account (a contact's external id)",
    )


_RULES = {
    "usage": (_usage_weeks,),
    "usage_events": (_event_accounts,),
    "spend": (_spend_months,),
    "assets": (_asset_links,),
    "tickets": (_ticket_times,),
    "outreach": (_outreach_answers,),
}


def group_problems(problems: pd.DataFrame, first: int = 3) -> pd.DataFrame:
    """Problems by column, value and problem, most rows first: "region 'US': not a region — 412 rows,
    first 2, 5, 9". Columns: column, value, problem, rows (how many), first_rows (the first few, as text)."""
    columns = ["column", "value", "problem", "rows", "first_rows"]
    if problems.empty:
        return pd.DataFrame(columns=columns)
    grouped = problems.groupby(["column", "value", "problem"], sort=False, dropna=False)["row"]
    summary = grouped.agg(
        rows="size", first_rows=lambda rows: ", ".join(str(row) for row in sorted(rows)[:first])
    ).reset_index()
    summary["order"] = grouped.min().to_numpy()
    summary = summary.sort_values(["rows", "order"], ascending=[False, True], kind="stable")
    return summary[columns].reset_index(drop=True)
