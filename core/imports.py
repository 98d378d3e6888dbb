"""Importing CSV and Excel files: read a file, map its columns to fields, and validate every row.

Pure pandas: the database side (reference lookups, the upsert, the audit row) is db/imports.py.
Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2. Problems about
the mapping itself (a required field no column is mapped to, two columns mapped to one field) are
listed as row 0, under the field's label.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core import vocabulary as v

MAX_ROWS = 5_000_000
# Text columns have no length limit in the schema; a cell longer than this is a pasting accident.
MAX_TEXT = 10_000
DELIMITERS = (",", ";", "\t", "|")
LIST_SEPARATOR = ";"
# Integer columns are 32-bit on PostgreSQL; money is Numeric(14, 2).
INT_MAX = 2_147_483_647
MONEY_MAX = 999_999_999_999.99
EARLIEST = pd.Timestamp("1900-01-01")
LATEST = pd.Timestamp("2099-12-31 23:59:59")
TRUE_WORDS = ("true", "yes", "1", "y")
FALSE_WORDS = ("false", "no", "0", "n")
KINDS = ("text", "int", "number", "date", "datetime", "bool", "choice", "ref", "list")
# What a reference names, as a problem message says it.
REF_NOUNS = {"accounts": "account", "contacts": "contact", "users": "user", "referrals": "referral code"}
PROBLEM_COLUMNS = ("row", "column", "value", "problem")
SHOWN_CHARACTERS = 60

_INT = re.compile(r"[+-]?\d{1,15}")
_NUMBER = re.compile(r"[+-]?(\d{1,15}(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?")


class ImportFileError(ValueError):
    """The whole file is unreadable; the message says why in plain words."""


@dataclass(frozen=True)
class FieldSpec:
    """One field an entity's rows carry, how a cell is parsed into it, and which headers name it."""

    name: str
    label: str
    kind: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    ref: str | None = None
    max_length: int | None = None

    @property
    def id_column(self) -> str:
        """The rows' column with the database id a reference resolves to."""
        return f"{self.name}_id"


@dataclass(frozen=True)
class EntitySpec:
    """One importable kind of record: its fields and the fields that identify a row for the upsert."""

    name: str
    label: str
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]

    def field(self, name: str) -> FieldSpec:
        """The field called name."""
        return next(field for field in self.fields if field.name == name)


@dataclass(frozen=True)
class Validated:
    """Typed rows (every non-blank row of the file) and every problem found; store only when ok."""

    rows: pd.DataFrame
    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when there is no problem, so the rows may be stored."""
        return self.problems.empty


# --- the entities ---------------------------------------------------------------------------------


def _text(name: str, label: str, max_length: int, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "text", required, max_length=max_length, aliases=aliases)


def _external_id(*aliases: str) -> FieldSpec:
    return FieldSpec("external_id", "External id", "text", True, max_length=64, aliases=("id", *aliases))


def _ref(name: str, label: str, ref: str, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "ref", required, ref=ref, aliases=aliases)


def _account(required: bool = True) -> FieldSpec:
    return _ref("account", "Account", "accounts", required, "account id", "account external id")


def _contact(required: bool = False, label: str = "Contact", *aliases: str) -> FieldSpec:
    return _ref("contact", label, "contacts", required, "contact id", "contact external id", *aliases)


def _choice(
    name: str, label: str, choices: tuple[str, ...], required: bool = True, *aliases: str
) -> FieldSpec:
    return FieldSpec(name, label, "choice", required, choices=choices, aliases=aliases)


def _date(name: str, label: str, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "date", required, aliases=aliases)


def _count(name: str, label: str, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "int", required, minimum=0, aliases=aliases)


def _money(name: str, label: str, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "number", True, minimum=0, maximum=MONEY_MAX, aliases=aliases)


def _note(name: str = "note", label: str = "Note", *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "text", False, max_length=MAX_TEXT, aliases=aliases)


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            "accounts",
            "Accounts",
            (
                _external_id("account", "account id", "account external id"),
                _text("name", "Name", 200, True, "account name", "company", "company name"),
                # Free text like the schema's column; the library's filters use vocabulary.INDUSTRIES.
                _text("industry", "Industry", 60),
                _choice("segment", "Segment", v.SEGMENTS, True, "company size", "size"),
                _choice("region", "Region", v.REGIONS),
                _text("product", "Product", 60),
                _count("employees", "Employees", True, "employee count", "headcount"),
                FieldSpec(
                    "arr",
                    "ARR",
                    "number",
                    True,
                    minimum=0,
                    maximum=MONEY_MAX,
                    aliases=("annual recurring revenue",),
                ),
                _count("seats_purchased", "Seats purchased", True, "seats"),
                _date("customer_since", "Customer since", True, "start date"),
                _date("renewal_date", "Renewal date", True, "renewal", "renews on"),
                _ref("owner", "Owner", "users", False, "owner username", "account owner", "csm"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "contacts",
            "Contacts",
            (
                _external_id("contact id", "contact external id"),
                _account(),
                _text("name", "Name", 120, True, "contact name", "full name"),
                _text("email", "Email", 200, False, "email address", "e-mail"),
                _text("title", "Title", 120, False, "job title", "role"),
                FieldSpec(
                    "relationship_strength",
                    "Relationship strength",
                    "int",
                    minimum=1,
                    maximum=5,
                    aliases=("relationship",),
                ),
                _date("left_company_on", "Left company on", False, "left on", "left company"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "usage",
            "Weekly product usage",
            (
                _account(),
                _date("week_start", "Week start", True, "week", "week of", "week starting"),
                _count("active_users", "Active users"),
                _count("logins", "Logins"),
                _count("key_feature_events", "Key feature events", True, "key features", "feature events"),
                _count("seats_used", "Seats used"),
            ),
            ("account", "week_start"),
        ),
        EntitySpec(
            "surveys",
            "NPS / CSAT answers",
            (
                _external_id("survey id", "response id"),
                _account(),
                _contact(),
                _choice("kind", "Kind", v.SURVEY_KINDS, True, "survey", "survey kind", "type"),
                FieldSpec(
                    "score", "Score", "int", True, minimum=0, maximum=10, aliases=("nps", "csat", "rating")
                ),
                _date("responded_on", "Responded on", True, "date", "answered on", "response date"),
                _note("comment", "Comment", "comments", "verbatim"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "tickets",
            "Support tickets",
            (
                _external_id("ticket id", "ticket"),
                _account(),
                FieldSpec("opened_at", "Opened at", "datetime", True, aliases=("opened", "created at")),
                FieldSpec("closed_at", "Closed at", "datetime", False, aliases=("closed", "resolved at")),
                _choice("severity", "Severity", v.TICKET_SEVERITIES, True, "priority"),
                _choice("category", "Category", v.TICKET_CATEGORIES),
                FieldSpec("sla_breached", "SLA breached", "bool", aliases=("sla breach",)),
                FieldSpec("escalated", "Escalated", "bool"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "milestones",
            "Milestones",
            (
                _external_id("milestone id"),
                _account(),
                _text("name", "Name", 200, True, "milestone"),
                _date("planned_on", "Planned on", True, "planned", "due on"),
                _date("achieved_on", "Achieved on", False, "achieved", "reached on"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "triggers",
            "Engagement triggers",
            (
                _external_id("trigger id"),
                _account(),
                _contact(),
                _choice("kind", "Kind", v.TRIGGER_KINDS, True, "trigger", "type"),
                _date("occurred_on", "Occurred on", True, "date"),
                _note(),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "outreach",
            "Outreach (asks and follow-ups)",
            (
                _external_id("outreach id"),
                _contact(True, "Contact", "advocate", "advocate contact"),
                _choice("purpose", "Purpose", v.OUTREACH_PURPOSES),
                _choice("channel", "Channel", v.CHANNELS),
                _choice("owner_role", "Owner role", v.OWNER_ROLES),
                _ref("owner", "Owner", "users", False, "owner username"),
                FieldSpec(
                    "follow_up_number",
                    "Follow-up number",
                    "int",
                    minimum=0,
                    maximum=10,
                    aliases=("follow up", "follow-up"),
                ),
                _date("sent_on", "Sent on", True, "sent", "asked on"),
                _date("responded_on", "Responded on", False, "responded"),
                _choice("outcome", "Outcome", v.OUTREACH_OUTCOMES),
                _note(),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "assets",
            "Marketing assets",
            (
                _external_id("asset id"),
                _text("title", "Title", 200),
                _choice("asset_type", "Asset type", v.ASSET_TYPES, True, "type"),
                _account(required=False),
                _contact(),
                _note("summary", "Summary"),
                _note("quote", "Quote"),
                _choice("company_size", "Company size", v.SEGMENTS, True, "segment", "size"),
                _choice("region", "Region", v.REGIONS),
                _choice("approval_status", "Approval status", v.APPROVAL_STATUSES, True, "approval"),
                _date("published_on", "Published on", False, "published"),
                _date("review_by", "Review by", False, "review"),
                _text("url", "URL", 500, True, "link"),
                FieldSpec("industries", "Industries", "list", max_length=60, aliases=("industry",)),
                FieldSpec("products", "Products", "list", max_length=60, aliases=("product",)),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "purchases",
            "Purchases",
            (
                _external_id("purchase id", "order id"),
                _account(),
                _date("purchased_on", "Purchased on", True, "date", "purchase date"),
                _money("amount", "Amount", "value"),
                _ref("referral", "Referral code", "referrals", False, "referral", "code"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "spend",
            "Acquisition spend",
            (
                _date("month", "Month", True, "month start"),
                _choice("channel", "Channel", v.SPEND_CHANNELS),
                _money("amount", "Amount", "spend"),
            ),
            ("month", "channel"),
        ),
        EntitySpec(
            "referrals",
            "Referrals",
            (
                _text("code", "Code", 40, True, "referral code"),
                _contact(True, "Advocate contact", "advocate", "contact"),
                _text("referred_company", "Referred company", 200, True, "company", "prospect"),
                _text("campaign", "Campaign", 60),
                _date("created_on", "Created on", True, "created", "date"),
            ),
            ("code",),
        ),
        EntitySpec(
            "referral_events",
            "Referral events",
            (
                _external_id("event id"),
                _ref("referral", "Referral code", "referrals", True, "referral", "code"),
                _choice("event", "Event", v.REFERRAL_EVENTS),
                FieldSpec("occurred_at", "Occurred at", "datetime", True, aliases=("at", "time", "date")),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "churn",
            "Churn events",
            (
                _account(),
                _date("churned_on", "Churned on", True, "churn date", "date"),
                _text("reason", "Reason", 200, True, "churn reason"),
                _money("arr_lost", "ARR lost", "lost arr"),
            ),
            ("account",),
        ),
    )
}


def entity_spec(entity: str) -> EntitySpec:
    """The spec of entity, or a ValueError naming the importable ones."""
    if entity not in ENTITIES:
        raise ValueError(f"'{entity}' is not one of {', '.join(ENTITIES)}.")
    return ENTITIES[entity]


# --- reading a file -------------------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Every cell of a CSV (.csv/.txt/.tsv) or Excel (.xlsx, first sheet) file as text, by stripped header.

    Rows keep their place (position i is the file's row i + 2), blank ones included; validate skips them.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        records = _xlsx_records(data)
    elif suffix in (".csv", ".txt", ".tsv"):
        records = _csv_records(data)
    elif suffix == ".xls":
        raise ImportFileError("Excel 97–2003 (.xls) files cannot be read; save it as .xlsx or CSV UTF-8.")
    else:
        raise ImportFileError(f"'{filename}' is neither CSV (.csv, .txt) nor Excel (.xlsx).")
    return _with_header(records)


def _utf8(data: bytes) -> bytes:
    """The file's text as UTF-8 without a byte order mark, or why it is not text we read."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"The file is not valid UTF-16 text (at byte {error.start}); save it as CSV UTF-8."
            ) from None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        position = start + error.start
        raise ImportFileError(
            f"The file is not UTF-8 text (byte 0x{data[position]:02X} at position {position}); "
            "save it as CSV UTF-8."
        ) from None
    return data[start:]


def _csv_records(data: bytes) -> pd.DataFrame:
    """Every record of a delimited text file, header included, as a frame of text columns 0..n-1."""
    payload = _utf8(data)
    if not payload.strip():
        raise ImportFileError("The file is empty.")
    if b"\x00" in payload:
        raise ImportFileError(
            "The file contains NUL bytes, so it is not text (UTF-16 without a byte order mark?); "
            "save it as CSV UTF-8."
        )
    if b"\n" not in payload:
        payload = payload.replace(b"\r", b"\n")
    delimiter = _sniff_delimiter(payload)
    quoted = b'"' in payload
    lines = payload.count(b"\n") + (not payload.endswith(b"\n"))
    if not quoted and lines - 1 > MAX_ROWS:
        _too_many_rows(lines - 1)
    try:
        # pyarrow's parser (installed with streamlit) builds the text columns without a Python string per
        # cell, keeps blank lines as rows (so row numbers stay the file's), and refuses short rows too.
        records = pd.read_csv(
            io.BytesIO(payload),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="pyarrow",
        )
    except pd.errors.ParserError as error:
        _check_field_counts(payload, delimiter, quoted)
        raise ImportFileError(f"The file could not be read as CSV: {error}") from None
    if len(records) - 1 > MAX_ROWS:
        _too_many_rows(max(len(records), lines) - 1)
    return records


def _too_many_rows(rows: int) -> None:
    raise ImportFileError(f"The file has {rows:,} rows; at most {MAX_ROWS:,} can be imported at once.")


def _sniff_delimiter(payload: bytes) -> str:
    """The delimiter among , ; tab | that the header line uses most (outside quotes); ',' when none."""
    header = re.sub(rb'"[^"]*"', b"", payload.split(b"\n", 1)[0])
    counts = [header.count(delimiter.encode()) for delimiter in DELIMITERS]
    return DELIMITERS[int(np.argmax(counts))] if max(counts) else ","


def _check_field_counts(payload: bytes, delimiter: str, quoted: bool) -> None:
    """Refuse a file whose non-blank rows do not all have as many fields as its header."""
    if quoted:
        counts = _quoted_field_counts(payload, delimiter)
    else:
        raw = np.frombuffer(payload, dtype=np.uint8)
        ends = np.flatnonzero(raw == ord("\n"))
        if not payload.endswith(b"\n"):
            ends = np.append(ends, len(raw))
        starts = np.concatenate([[0], ends[:-1] + 1])
        separators = np.flatnonzero(raw == ord(delimiter))
        counts = np.searchsorted(separators, ends) - np.searchsorted(separators, starts) + 1
        carriage = raw[np.maximum(ends - 1, 0)] == ord("\r")
        blank = (ends - starts == 0) | ((ends - starts == 1) & carriage)
        counts = np.where(blank, 0, counts)
    header = int(counts[0])
    wrong = np.flatnonzero((counts != header) & (counts != 0))
    if header and len(wrong):
        row = int(wrong[0])
        raise ImportFileError(f"Row {row + 1} has {int(counts[row])} fields, the header {header}.")


def _quoted_field_counts(payload: bytes, delimiter: str) -> np.ndarray:
    """Fields per record (0 for a blank line) when quotes may hide delimiters and line breaks."""
    reader = csv.reader(io.StringIO(payload.decode("utf-8"), newline=""), delimiter=delimiter)
    try:
        return np.fromiter((len(record) for record in reader), dtype=np.int64)
    except csv.Error as error:
        raise ImportFileError(f"Row {reader.line_num} could not be read: {error}.") from None


def _xlsx_records(data: bytes) -> pd.DataFrame:
    """Every row of the workbook's first sheet as text, trailing empty columns dropped."""
    import openpyxl

    if not data:
        raise ImportFileError("The file is empty.")
    unreadable = "The file is not a readable Excel workbook (.xlsx); save it again as .xlsx or as CSV UTF-8."
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl reports a damaged workbook with whatever its zip and XML layers raise.
    except Exception as error:
        raise ImportFileError(unreadable) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError("The file is empty.")
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(min_row=1, values_only=True):
            if len(rows) > MAX_ROWS + 1:
                _too_many_rows((sheet.max_row or len(rows)) - 1)
            rows.append([_cell_text(value) for value in values])
    except ImportFileError:
        raise
    except Exception as error:
        raise ImportFileError(unreadable) from error
    finally:
        workbook.close()
    width = max((max((i + 1 for i, cell in enumerate(row) if cell), default=0) for row in rows), default=0)
    if not width:
        raise ImportFileError("The file is empty.")
    return pd.DataFrame(
        [row[:width] + [""] * (width - len(row)) for row in rows], columns=range(width), dtype=str
    )


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold: dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _with_header(records: pd.DataFrame) -> pd.DataFrame:
    """Records with the first one as the header: names stripped, unnamed empty columns dropped."""
    names = [str(name).strip() for name in records.iloc[0]]
    body = records.iloc[1:].reset_index(drop=True)
    if not any(names):
        raise ImportFileError("No header row.")
    keep = []
    for position, name in enumerate(names):
        if name:
            keep.append(position)
        elif (body[records.columns[position]] != "").any():
            raise ImportFileError(f"Column {position + 1} has values but no name in the header row.")
    for name, count in Counter(names[i] for i in keep).items():
        if count > 1:
            raise ImportFileError(f"The file has {count} columns named '{name}'.")
    frame = body[[records.columns[i] for i in keep]].copy()
    frame.columns = [names[i] for i in keep]
    if frame.empty or (frame == "").all(axis=1).all():
        raise ImportFileError("The file has a header row but no data rows.")
    return frame


# --- mapping columns to fields --------------------------------------------------------------------


def _normal(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def auto_map(columns: list[str], entity: str) -> dict[str, str | None]:
    """File column → field name (None = ignored), matched on field name, label and aliases, ignoring
    case, spaces, underscores and hyphens; a field goes to the first column that names it."""
    spec = entity_spec(entity)
    lookup: dict[str, str] = {}
    for field in spec.fields:
        for name in (field.name, field.label, *field.aliases):
            lookup.setdefault(_normal(name), field.name)
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in columns:
        field = lookup.get(_normal(column))
        if field in taken:
            field = None
        mapping[column] = field
        if field:
            taken.add(field)
    return mapping


REF_ACCEPTS = {
    "accounts": "an account's external id, already stored",
    "contacts": "a contact's external id, already stored",
    "users": "a user's username",
    "referrals": "a referral code, already stored",
}


def _accepts(entity: str, field: FieldSpec) -> str:
    """What a cell of field may hold, in the words the problems use."""
    if entity == "surveys" and field.name == "score":
        return "a whole number: NPS 0–10, CSAT 1–5"
    low, high = field.minimum, field.maximum
    bounds = (
        f" from {_figure(low)} to {_figure(high)}"
        if low is not None and high is not None
        else f", {_figure(low)} or more"
        if low is not None
        else ""
    )
    return {
        "text": f"text, at most {field.max_length or MAX_TEXT:,} characters",
        "int": f"a whole number{bounds}",
        "number": f"a number such as 1234.5{bounds}",
        "date": "a date, YYYY-MM-DD",
        "datetime": "a date and time, YYYY-MM-DD HH:MM:SS",
        "bool": "true/false, yes/no, 1/0 (empty = false)",
        "choice": "one of " + ", ".join(field.choices),
        "ref": REF_ACCEPTS.get(field.ref or "", ""),
        "list": f"values separated by '{LIST_SEPARATOR}'",
    }[field.kind]


def field_guide(entity: str) -> pd.DataFrame:
    """Each field of an entity's file: the column name to use, whether it is required, what it accepts and
    which other header names are matched to it."""
    spec = entity_spec(entity)
    return pd.DataFrame(
        {
            "column": [field.name for field in spec.fields],
            "required": [field.required for field in spec.fields],
            "accepts": [_accepts(entity, field) for field in spec.fields],
            "also_named": [", ".join([field.label, *field.aliases]) for field in spec.fields],
        }
    )


# --- validation -----------------------------------------------------------------------------------


def validate(
    frame: pd.DataFrame, entity: str, mapping: dict[str, str | None], known: dict[str, pd.Series]
) -> Validated:
    """Parse every mapped cell into its field's type and list every problem (row, column, value, problem).

    known[ref] maps the external ids (account and contact ids, usernames, referral codes) stored in
    the database to their database ids; a reference resolves against those only. Blank rows are skipped.
    A mapping to a field the entity lacks, or of a column the frame lacks, is a ValueError.
    """
    spec = entity_spec(entity)
    names = {field.name for field in spec.fields}
    for column, field_name in mapping.items():
        if column not in frame.columns:
            raise ValueError(f"The file has no column '{column}'.")
        if field_name is not None and field_name not in names:
            raise ValueError(f"'{field_name}' is not a field of {spec.label}.")
    columns = {name: [c for c in frame.columns if mapping.get(c) == name] for name in names}
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(True, index=frame.index)
    body = frame[~blank.to_numpy()]
    check = _Checks(spec, body, columns, known)
    for field in spec.fields:
        check.parse(field)
    for rule in _RULES.get(entity, ()):
        rule(check)
    check.duplicates()
    return Validated(check.typed_rows(), check.problem_frame(list(frame.columns)))


class _Checks:
    """The parsed fields and the problems found so far, for one frame and entity."""

    def __init__(
        self,
        spec: EntitySpec,
        body: pd.DataFrame,
        columns: dict[str, list[str]],
        known: dict[str, pd.Series],
    ) -> None:
        self.spec = spec
        self.known = known
        self.rows = pd.Series(np.arange(len(body), dtype=np.int64), index=body.index)
        self.row_numbers = np.asarray(body.index, dtype=np.int64) + 2
        self.raw: dict[str, pd.Series] = {}
        self.column: dict[str, str] = {}
        self.values: dict[str, pd.Series] = {}
        self.present: dict[str, pd.Series] = {}
        self.ok: dict[str, np.ndarray] = {}
        self.problems: list[pd.DataFrame] = []
        for field in spec.fields:
            chosen = columns[field.name]
            if len(chosen) > 1:
                self._structural(
                    field,
                    f"{len(chosen)} columns are mapped to {field.label} "
                    f"({', '.join(repr(c) for c in chosen)}); map only one",
                )
            if chosen:
                self.column[field.name] = chosen[0]
                self.raw[field.name] = body[chosen[0]].fillna("").astype(str)
            elif field.required:
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
        raw = self.raw.get(field.name)
        cells = raw.str.strip() if raw is not None else pd.Series("", index=self.rows.index, dtype=str)
        present = (cells != "").to_numpy()
        self.present[field.name] = present
        self.ok[field.name] = np.ones(size, dtype=bool)
        # A required field with no column at all is one problem (row 0), not one per row.
        if field.required and raw is not None:
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
        codes, uniques = self._unique(cells)
        matched = uniques.str.fullmatch(_INT.pattern)
        form = matched.to_numpy()[codes] & present
        numbers = pd.to_numeric(uniques.where(matched, None), errors="coerce")
        values = pd.Series(numbers.to_numpy()[codes], index=cells.index).where(form)
        low, high, noun = self._bounds(field)
        outside = form & ~((values >= low) & (values <= high)).fillna(False).to_numpy()
        wrong = present & (~form | outside)
        self.add(field, wrong, self._number_message(cells, noun, "a whole number", low, high, "1234"))
        return values.where(~wrong).astype("Int64")

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
            message = (
                part(noun) + f" must be {what} from " + part(low, _figure) + " to " + part(high, _figure)
            )
            message = pd.Series(message, index=text.index) if isinstance(message, str) else message
            separators = text.str.fullmatch(_THOUSANDS.pattern).fillna(False)
            return message.where(~separators, message + f" (write {example}, without thousands separators)")

        return at

    def _date(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        return self._moment(field, cells, present, _DATE, "%Y-%m-%d", "not a date (use YYYY-MM-DD)")

    def _datetime(self, field: FieldSpec, cells: pd.Series, present: np.ndarray) -> pd.Series:
        return self._moment(
            field, cells, present, _DATETIME, "ISO8601", "not a date and time (use YYYY-MM-DD HH:MM:SS)"
        )

    def _moment(
        self,
        field: FieldSpec,
        cells: pd.Series,
        present: np.ndarray,
        pattern: re.Pattern,
        form: str,
        problem: str,
    ) -> pd.Series:
        codes, uniques = self._unique(cells)
        matched = uniques.str.fullmatch(pattern.pattern)
        parsed = pd.to_datetime(uniques.where(matched, None), format=form, errors="coerce")
        values = pd.Series(parsed.to_numpy()[codes], index=cells.index)
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


def _figure(number: float) -> str:
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


_RULES = {
    "usage": (_usage_weeks,),
    "spend": (_spend_months,),
    "tickets": (_ticket_times,),
    "outreach": (_outreach_answers,),
}
