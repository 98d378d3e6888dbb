"""Reading import files: encodings, delimiters, Excel, row numbers, blocks, and hostile files refused by
their size before they are read."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from core import imports
from core.imports import ImportFileError, reading
from tests.core.test_imports import ACCOUNTS, USAGE_HEADER, check, problems

# --- read_table ------------------------------------------------------------------------------------


def test_csv_cells_are_text_and_headers_are_stripped():
    frame = imports.read_table(b" Name , Score \nAda,007\n,\n", "a.csv")
    assert list(frame.columns) == ["Name", "Score"]
    assert frame.to_numpy().tolist() == [["Ada", "007"], ["", ""]]


def test_utf8_with_bom_and_utf16_with_bom_read_alike():
    text = "name,city\nZoë,Málaga\n"
    for data in (text.encode("utf-8-sig"), text.encode("utf-16")):
        frame = imports.read_table(data, "a.csv")
        assert list(frame.columns) == ["name", "city"]
        assert frame.iloc[0].tolist() == ["Zoë", "Málaga"]


def test_utf16_big_endian_with_bom():
    frame = imports.read_table("\ufeffname\nZoë\n".encode("utf-16-be"), "a.csv")
    assert frame["name"].tolist() == ["Zoë"]


def test_latin1_file_is_refused_with_the_byte_and_its_position():
    with pytest.raises(ImportFileError) as error:
        imports.read_table("name\nJosé\n".encode("latin-1"), "a.csv")
    assert str(error.value) == ("The file is not UTF-8 text (byte 0xE9 at position 8); save it as CSV UTF-8.")


def test_utf16_without_bom_is_refused():
    with pytest.raises(ImportFileError, match="NUL bytes"):
        imports.read_table("name\nAda\n".encode("utf-16-le"), "a.csv")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf \n\n", "The file is empty."),
        (b"name,email\n", "The file has a header row but no data rows."),
        (b"name,email\n,\n\n", "The file has a header row but no data rows."),
        (b"\nname\nAda\n", "No header row."),
        (b"email,name,email\na,b,c\n", "The file has 2 columns named 'email'."),
        (b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n", "Row 4 has 4 fields, the header 3."),
        (b"a,b,c\n1,2,3\n4,5\n", "Row 3 has 2 fields, the header 3."),
        (b'a,b,c\n"1,5",2,3\n"x\ny",5\n', "Row 3 has 2 fields, the header 3."),
        (b"a,,c\n1,2,3\n", "Column 2 has values but no name in the header row."),
    ],
)
def test_unreadable_files_say_why(data, message):
    with pytest.raises(ImportFileError) as error:
        imports.read_table(data, "a.csv")
    assert str(error.value) == message


def test_unnamed_empty_column_is_dropped():
    frame = imports.read_table(b"a,b,\n1,2,\n", "a.csv")
    assert list(frame.columns) == ["a", "b"]


def test_semicolon_tab_and_pipe_delimiters_are_sniffed():
    for delimiter in (";", "\t", "|"):
        text = f"name{delimiter}amount\nAda, Lovelace{delimiter}1,5\n"
        frame = imports.read_table(text.encode(), "a.txt")
        assert frame.iloc[0].tolist() == ["Ada, Lovelace", "1,5"]


def test_quoted_cells_keep_delimiters_newlines_and_formulas_as_text():
    frame = imports.read_table(b'name,note\n"Doe, J","two\nlines"\n=cmd(),<b>x</b>\n', "a.csv")
    assert frame["name"].tolist() == ["Doe, J", "=cmd()"]
    assert frame["note"].tolist() == ["two\nlines", "<b>x</b>"]


def test_blank_lines_keep_the_rows_after_them_numbered_as_in_the_file():
    validated = check(USAGE_HEADER + "ACC-1,2026-11-16,1,1,1,1\n\nACC-1,2026-11-16,1,1,1,1\n", "usage")
    assert problems(validated) == [
        (4, "account", "ACC-1", "duplicate of row 2 (same account and week start)")
    ]


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    imports.read_table(b"a\n1\n2\n3\n", "a.csv")
    with pytest.raises(ImportFileError) as error:
        imports.read_table(b"a\n1\n2\n3\n4\n", "a.csv")
    assert str(error.value) == "The file has 4 rows; at most 3 can be imported at once."


def test_unsupported_file_types():
    with pytest.raises(ImportFileError, match="neither CSV"):
        imports.read_table(b"a\n1\n", "a.pdf")
    with pytest.raises(ImportFileError, match=r"\.xls\) files cannot be read"):
        imports.read_table(b"a\n1\n", "a.xls")
    with pytest.raises(ImportFileError, match="not a readable Excel workbook"):
        imports.read_table(b"name\nAda\n", "a.xlsx")


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.create_sheet("Second").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_first_sheet_cells_as_csv_text():
    data = xlsx(
        [
            [" Account ", "Week start", "Active users", "Logins", "Key feature events", "Seats used", None],
            ["ACC-1", dt.datetime(2026, 11, 16), 12, 30.0, 4.5, True, None],
            [None, None, None, None, None, None, None],
            ["ACC-2", dt.date(2026, 11, 16), "7", 1, 0, False, None],
        ]
    )
    frame = imports.read_table(data, "usage.XLSX")
    assert list(frame.columns) == [
        "Account",
        "Week start",
        "Active users",
        "Logins",
        "Key feature events",
        "Seats used",
    ]
    assert frame.to_numpy().tolist() == [
        ["ACC-1", "2026-11-16", "12", "30", "4.5", "true"],
        ["", "", "", "", "", ""],
        ["ACC-2", "2026-11-16", "7", "1", "0", "false"],
    ]
    validated = imports.validate(frame, "usage", imports.auto_map(list(frame.columns), "usage"), ACCOUNTS)
    assert problems(validated) == [
        (2, "Key feature events", "4.5", "'4.5' is not a whole number"),
        (2, "Seats used", "true", "Seats used must be a whole number from 0 to 2,147,483,647"),
        (4, "Seats used", "false", "Seats used must be a whole number from 0 to 2,147,483,647"),
    ]


def test_xlsx_datetime_cells_keep_their_time():
    data = xlsx(
        [
            ["External id", "Referral", "Event", "Occurred at"],
            ["E1", "R1", "opened", dt.datetime(2026, 5, 1, 9, 30)],
        ]
    )
    frame = imports.read_table(data, "events.xlsx")
    assert frame["Occurred at"].tolist() == ["2026-05-01 09:30:00"]


# --- hostile files: refused by their size before they are read ------------------------------------


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (100 * 2**20))
    with pytest.raises(ImportFileError) as error:
        imports.read_table(data.getvalue(), "bomb.xlsx")
    assert str(error.value).startswith(
        "The workbook unpacks to 100 MB from 0.1 MB; at most 500 MB and 100× are read."
    )


def test_a_cell_larger_than_a_block_is_refused_in_plain_words():
    data = b"external_id,name\nA1," + b"x" * (40 * 2**20) + b"\n"
    with pytest.raises(ImportFileError) as error:
        imports.read_table(data, "huge.csv")
    assert str(error.value) == "A cell or row is larger than 16 MB; no field takes that much text."


def test_a_large_log_is_read_in_chunks_with_the_files_row_numbers(monkeypatch):
    monkeypatch.setattr(reading, "BLOCK_BYTES", 64)
    data = (
        b"account,at\n"
        + b"".join(b"ACC-1,2026-11-%02d\n" % day for day in range(1, 21))
        + b"\nACC-2,2026-12-01\n"
    )
    chunks = list(imports.read_chunks(data, "log.csv"))
    assert len(chunks) > 3
    frame = pd.concat(chunks)
    assert list(frame.columns) == ["account", "at"]
    assert frame.index.tolist() == list(range(22))  # row i + 2 of the file, the blank line included
    assert frame.loc[21].tolist() == ["ACC-2", "2026-12-01"]
    assert frame.loc[20].tolist() == ["", ""]


def test_a_file_on_disk_reads_like_its_bytes_a_block_at_a_time(monkeypatch, tmp_path):
    monkeypatch.setattr(reading, "BLOCK_BYTES", 64)
    data = (
        "\ufeffaccount;note\r\n".encode()
        + b"".join(b'ACC-%d;"line one\nline two"\r\n' % number for number in range(1, 11))
        + "ACC-11;Zoë\r\n".encode()
    )
    path = tmp_path / "log.csv"
    path.write_bytes(data)
    from_disk = pd.concat(imports.read_chunks(path, "log.csv"))
    assert list(from_disk.columns) == ["account", "note"]
    assert from_disk.loc[0].tolist() == ["ACC-1", "line one\nline two"]
    assert from_disk.loc[10].tolist() == ["ACC-11", "Zoë"]
    pd.testing.assert_frame_equal(from_disk, pd.concat(imports.read_chunks(data, "log.csv")))
    assert imports.row_count(path) == 21  # lines after the header: the quoted breaks count too


def test_a_bad_byte_in_a_later_block_is_named_at_its_place_in_the_file(monkeypatch, tmp_path):
    monkeypatch.setattr(reading, "BLOCK_BYTES", 8)
    path = tmp_path / "a.csv"
    path.write_bytes("name\nAda\nBob\nJosé\n".encode("latin-1"))
    with pytest.raises(ImportFileError) as error:
        imports.read_table(path, "a.csv")
    assert str(error.value) == "The file is not UTF-8 text (byte 0xE9 at position 16); save it as CSV UTF-8."


def test_a_file_cut_inside_a_character_is_refused():
    with pytest.raises(ImportFileError) as error:
        imports.read_table("name\nZoë".encode()[:-1], "a.csv")
    assert str(error.value) == (
        "The file is not UTF-8 text (it ends inside a character at position 8); save it as CSV UTF-8."
    )


def test_old_mac_line_ends_are_read_from_disk(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"name,city\rAda,Leeds\rBob,York\r")
    assert imports.read_table(path, "a.csv").to_numpy().tolist() == [["Ada", "Leeds"], ["Bob", "York"]]


def test_a_profiles_constant_wins_over_a_column_the_next_file_brings():
    profile = imports.Mapping({"Ticket": "external_id"}, constants={"kind": "csat"})
    fitted = imports.with_profile(["Ticket", "Type", "Score"], "surveys", profile)
    assert fitted.columns == {"Ticket": "external_id", "Type": None, "Score": "score"}
    assert fitted.constants == {"kind": "csat"}
