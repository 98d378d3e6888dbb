"""Reading CSV and Excel files: every cell as text, by its stripped header, row numbers kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

MAX_ROWS = 5_000_000
DELIMITERS = (",", ";", "\t", "|")


class ImportFileError(ValueError):
    """The whole file is unreadable; the message says why in plain words."""


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
