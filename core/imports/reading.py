"""Reading CSV and Excel files: every cell as text, by its stripped header, row numbers kept."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pacsv

MAX_ROWS = 5_000_000
# No export of the kinds imported has anywhere near this many columns; a file with more is an accident or
# an attack (a select box per column on the page).
MAX_COLUMNS = 1_000
DELIMITERS = (",", ";", "\t", "|")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
# An .xlsx file is a zip: what it may unpack to, and how much better than plain text it may pack.
MAX_UNPACKED_BYTES = 500 * 2**20
MAX_PACKING_RATIO = 100
# The text read at a time: a few hundred thousand rows of a usage log.
BLOCK_BYTES = 16 * 2**20

# A file: its bytes (an upload), or where it lies on disk (the command line; a CSV is then read a block at a time).
Source = bytes | Path


class ImportFileError(ValueError):
    """The whole file is unreadable; the message says why in plain words."""


def read_table(source: Source, filename: str) -> pd.DataFrame:
    """Every cell of a CSV (.csv/.txt/.tsv) or Excel (.xlsx, first sheet) file as text, by stripped header.

    Rows keep their place (position i is the file's row i + 2), blank ones included; validate skips them.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        records = _xlsx_records(source if isinstance(source, bytes) else source.read_bytes())
    elif suffix in CSV_SUFFIXES:
        records = _csv_records(source)
    elif suffix == ".xls":
        raise ImportFileError("Excel 97–2003 (.xls) files cannot be read; save it as .xlsx or CSV UTF-8.")
    else:
        raise ImportFileError(f"'{filename}' is neither CSV (.csv, .txt) nor Excel (.xlsx).")
    return _with_header(records)


def _from_utf16(data: bytes) -> bytes:
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not valid UTF-16 text (at byte {error.start}); save it as CSV UTF-8."
        ) from None


def _open(source: Source) -> BinaryIO:
    """The file as UTF-8 bytes from its text's first byte (a byte order mark skipped)."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    head = stream.read(3)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return io.BytesIO(_from_utf16(head + stream.read()))
    stream.seek(3 if head == b"\xef\xbb\xbf" else 0)
    return stream


def _blocks(stream: BinaryIO) -> Iterator[bytes]:
    """The rest of the stream BLOCK_BYTES at a time; afterwards the stream is back where it was."""
    start = stream.tell()
    yield from iter(lambda: stream.read(BLOCK_BYTES), b"")
    stream.seek(start)


def _csv_text(source: Source) -> tuple[BinaryIO, str, bool, int]:
    """The file as a stream of UTF-8 text with \\n line ends, its delimiter, whether it quotes and how many
    fields its header has, or why it can't be read. Checked a block at a time, so a file read from disk is
    never held in memory."""
    stream = _open(source)
    decoder = codecs.getincrementaldecoder("utf-8")()
    header, lines, offset, quoted, blank = b"", 0, stream.tell(), False, True
    for block in _blocks(stream):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"The file is not UTF-8 text (byte 0x{block[error.start]:02X} at position "
                f"{offset + error.start}); save it as CSV UTF-8."
            ) from None
        if b"\x00" in block:
            raise ImportFileError(
                "The file contains NUL bytes, so it is not text (UTF-16 without a byte order mark?); "
                "save it as CSV UTF-8."
            )
        if b"\n" not in header:
            header += block[: block.find(b"\n") + 1 or len(block)]
        lines += block.count(b"\n")
        quoted = quoted or b'"' in block
        blank = blank and block.isspace()
        offset += len(block)
    if decoder.getstate()[0]:
        raise ImportFileError(
            f"The file is not UTF-8 text (it ends inside a character at position {offset}); save it as CSV UTF-8."
        )
    if blank:
        raise ImportFileError("The file is empty.")
    if not lines:
        # Old Mac line ends: a file without \n is read with its \r as line ends.
        stream = io.BytesIO(stream.read().replace(b"\r", b"\n"))
        header = stream.getvalue()
        lines = header.count(b"\n")
    first_line = header.split(b"\n", 1)[0]
    delimiter = _sniff_delimiter(first_line)
    if not quoted and lines - 1 > MAX_ROWS:
        _too_many_rows(lines - 1)
    names = next(csv.reader(io.StringIO(first_line.decode("utf-8")), delimiter=delimiter), [])
    if len(names) > MAX_COLUMNS:
        raise ImportFileError(
            f"The file has {len(names):,} columns; at most {MAX_COLUMNS:,} can be imported."
        )
    return stream, delimiter, quoted, max(len(names), 1)


def row_count(source: Source) -> int:
    """A CSV file's lines after the header (at least 1): its data rows, unless quoted cells break lines."""
    with _open(source) as stream:
        return max(sum(block.count(b"\n") for block in _blocks(stream)) - 1, 1)


def _csv_blocks(source: Source) -> Iterator[pd.DataFrame]:
    """The records of a delimited text file, header first, as frames of text columns 0..n-1 of about
    BLOCK_BYTES each; each frame's index is the records' positions in the file (blank lines included)."""
    stream, delimiter, quoted, width = _csv_text(source)
    names = [f"f{i}" for i in range(width)]
    # pyarrow's parser (installed with streamlit) builds the text columns without a Python string per
    # cell, keeps blank lines as rows (so row numbers stay the file's), and refuses short rows too.
    reader_options = (
        pacsv.ReadOptions(column_names=names, block_size=BLOCK_BYTES, use_threads=False),
        pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted, ignore_empty_lines=False),
        pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    position = 0
    start = stream.tell()
    with stream:
        try:
            for batch in pacsv.open_csv(stream, *reader_options):
                block = batch.to_pandas(types_mapper={pa.string(): pd.StringDtype(na_value=np.nan)}.get)
                block.columns = range(width)
                block.index = pd.RangeIndex(position, position + len(block))
                position += len(block)
                if position - 1 > MAX_ROWS:
                    _too_many_rows(position - 1)
                yield block
        except pa.ArrowInvalid as error:
            if "straddling" in str(error) or "straddles" in str(error):
                raise ImportFileError(
                    f"A cell or row is larger than {BLOCK_BYTES // 2**20} MB; no field takes that much text."
                ) from None
            stream.seek(start)
            _check_field_counts(stream.read(), delimiter, quoted)
            raise ImportFileError(f"The file could not be read as CSV: {error}") from None


def _csv_records(source: Source) -> pd.DataFrame:
    """Every record of a delimited text file, header included, as a frame of text columns 0..n-1."""
    return pd.concat(list(_csv_blocks(source)))


def _too_many_rows(rows: int) -> None:
    raise ImportFileError(f"The file has {rows:,} rows; at most {MAX_ROWS:,} can be imported at once.")


def _sniff_delimiter(line: bytes) -> str:
    """The delimiter among , ; tab | that the header line uses most (outside quotes); ',' when none."""
    header = re.sub(rb'"[^"]*"', b"", line)
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
    _check_unpacked_size(data, unreadable)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl reports a damaged workbook with whatever its zip and XML layers raise.
    except Exception as error:
        raise ImportFileError(unreadable) from error
    try:
        if not workbook.worksheets:
            raise ImportFileError("The file is empty.")
        sheet = workbook.worksheets[0]
        # The sheet's declared size, before a row is read: the reader pads every row to the declared width.
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise ImportFileError(
                f"The sheet declares {sheet.max_column:,} columns; at most {MAX_COLUMNS:,} can be imported "
                "(copy the used cells into a new workbook, or save it as CSV UTF-8)."
            )
        if (sheet.max_row or 0) - 1 > MAX_ROWS:
            _too_many_rows(sheet.max_row - 1)
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


def _check_unpacked_size(data: bytes, unreadable: str) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNPACKED_BYTES, or that packs suspiciously
    well (a zip bomb), before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(unreadable) from None
    if unpacked > MAX_UNPACKED_BYTES or (unpacked > 2**20 and unpacked > MAX_PACKING_RATIO * len(data)):
        raise ImportFileError(
            f"The workbook unpacks to {unpacked / 2**20:,.0f} MB from {len(data) / 2**20:,.1f} MB; at most "
            f"{MAX_UNPACKED_BYTES // 2**20:,} MB and {MAX_PACKING_RATIO}× are read. Save it as CSV UTF-8."
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


def _header(records: pd.DataFrame) -> tuple[list[int], list[str]]:
    """The positions of the named columns and their stripped names, from the first record."""
    names = [str(name).strip() for name in records.iloc[0]]
    if not any(names):
        raise ImportFileError("No header row.")
    keep = [position for position, name in enumerate(names) if name]
    for name, count in Counter(names[i] for i in keep).items():
        if count > 1:
            raise ImportFileError(f"The file has {count} columns named '{name}'.")
    return keep, [names[i] for i in keep]


def _named(body: pd.DataFrame, keep: list[int], names: list[str]) -> pd.DataFrame:
    """Body records as a frame of the named columns; a value in an unnamed column is an error."""
    for position in set(range(len(body.columns))) - set(keep):
        if (body[body.columns[position]] != "").any():
            raise ImportFileError(f"Column {position + 1} has values but no name in the header row.")
    frame = body[[body.columns[i] for i in keep]].copy()
    frame.columns = names
    return frame


def _with_header(records: pd.DataFrame) -> pd.DataFrame:
    """Records with the first one as the header: names stripped, unnamed empty columns dropped."""
    keep, names = _header(records)
    frame = _named(records.iloc[1:].reset_index(drop=True), keep, names)
    if frame.empty or (frame == "").all(axis=1).all():
        raise ImportFileError("The file has a header row but no data rows.")
    return frame


def read_chunks(source: Source, filename: str) -> Iterator[pd.DataFrame]:
    """read_table a block at a time, for a file too large to hold as text at once (a usage log): each chunk
    has the header's columns and its rows' places in the file as index (the file's row is index + 2).
    An Excel sheet comes as one chunk."""
    if Path(filename).suffix.lower() not in CSV_SUFFIXES:
        yield read_table(source, filename)
        return
    blocks = _csv_blocks(source)
    first = next(blocks)
    keep, names = _header(first)
    given = False
    for body in itertools.chain([first.iloc[1:]], blocks):
        chunk = _named(body, keep, names)
        chunk.index = body.index - 1
        given = given or not (chunk == "").all(axis=1).all()
        yield chunk
    if not given:
        raise ImportFileError("The file has a header row but no data rows.")
