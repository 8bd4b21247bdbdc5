"""Spreadsheets as procurement has them: CSV in any common dialect and encoding, and .xlsx.

Reading gives rows of cells numbered as the spreadsheet numbers them (row 1 is the
header), so a problem can be found by its row. Cells from .xlsx keep their types (dates
are dates, numbers are numbers); CSV cells are text. Dates written as text are read in
ISO or in a configured day order; one that could be either order is refused unless an
order is set.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.errors import BadInput

DATE_ORDERS = ("DMY", "MDY")
XLSX_MAGIC = b"PK\x03\x04"
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
# Characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | bool | None


@dataclass
class Table:
    """The rows of a sheet, each with its spreadsheet row number; and notes about how it was read."""

    rows: list[tuple[int, list[Cell]]]
    notes: list[str] = field(default_factory=list)
    kind: str = "csv"  # or "xlsx", whose rows may stop before the last (empty) columns


class UnreadableFile(BadInput):
    """The file cannot be read as a spreadsheet at all (``row``: where reading stopped)."""

    def __init__(self, message: str, row: int = 1):
        super().__init__(message)
        self.row = row


def read_table(data: bytes, name: str = "") -> Table:
    """A .xlsx workbook's first sheet, or a CSV file; decided by content, not by the name."""
    if data.startswith(XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    return read_csv(decode(data))


# --- CSV -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    note: str | None = None


def decode(data: bytes) -> Text:
    """UTF-8 (with or without a BOM); failing that Windows-1252, which Excel writes on
    Windows, and a note saying so."""
    try:
        return Text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        return Text(data.decode("cp1252"), "The file is not UTF-8; it was read as Windows-1252 (cp1252), as Excel "
                                          "saves it on Windows. Check names with accents (é, ü) came through.")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"the file is neither UTF-8 nor Windows-1252 text (byte {error.start}); save it as "
                             f"CSV UTF-8 or .xlsx.") from None


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in much of Europe) or tab, judged from the header line."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        counts = {delimiter: header.count(delimiter) for delimiter in ",;\t"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv(decoded: Text | str) -> Table:
    if isinstance(decoded, str):
        decoded = Text(decoded.removeprefix("\ufeff"))
    text = decoded.text
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows: list[tuple[int, list[Cell]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1  # one record is one spreadsheet row, even when a quoted cell spans lines
            rows.append((number, list(cells)))
    except csv.Error as error:
        raise UnreadableFile(f"not readable as CSV ({error}).", number + 1) from None
    return Table(rows, [decoded.note] if decoded.note else [])


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, excel: bool = False) -> bytes:
    """CSV in UTF-8; ``excel`` adds the byte-order mark Excel needs to read UTF-8 (not
    ``MÃ¼ller``). Text that a spreadsheet would run as a formula is neutralised."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n" if excel else "\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")


def neutralise(text: str) -> str:
    """A text cell that starts like a formula gets a leading apostrophe, which spreadsheets
    show as text and never evaluate."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, (date, datetime)):
        return cell.isoformat()
    if isinstance(cell, str):
        return neutralise(cell)
    return str(cell)


# --- .xlsx -----------------------------------------------------------------------------------


def read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook, with python-calamine (see bench/xlsx.py for why)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own error types for broken workbooks
        raise UnreadableFile(f"the file is not a readable .xlsx workbook ({str(error)[:120]}).") from None
    rows = [(index, [None if cell == "" else cell for cell in cells]) for index, cells in enumerate(sheet, start=1)]
    return Table(rows, kind="xlsx")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "Contracts") -> bytes:
    """A workbook with real dates and numbers; text is always stored as text, so a cell
    that starts with ``=`` is never a formula."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(header))
    widths = [len(name) for name in header]
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
        line = sheet.max_row
        for column, cell in enumerate(row, start=1):
            target = sheet.cell(line, column)
            if isinstance(cell, str):
                target.data_type = "s"  # never a formula
            elif isinstance(cell, date):
                target.number_format = "yyyy-mm-dd"
            widths[column - 1] = min(60, max(widths[column - 1], len(str(cell or ""))))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- dates -----------------------------------------------------------------------------------

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_OTHER = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def read_date(value: Cell, order: str | None = None) -> date:
    """A date as a spreadsheet holds it: a real date or date-time, an Excel serial number,
    ISO text (``2027-3-5``, ``2026-01-01 00:00:00``), or day-month-year / month-day-year
    text (``31.12.2025``, ``03/15/2027``). Raises ``BadInput`` saying how to write it."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return _serial(float(value))
    text = str(value or "").strip()
    how = "use YYYY-MM-DD, for example 2027-03-31"
    if match := _ISO.fullmatch(text):
        return _make(text, int(match[1]), int(match[2]), int(match[3]), how)
    if match := _OTHER.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        if order is None:
            if first > 12 >= second:
                order = "DMY"
            elif second > 12 >= first:
                order = "MDY"
            elif first != second:
                raise BadInput(f"{text!r} could be {_name(year, second, first)} or {_name(year, first, second)}; "
                               f"{how}, or set the day order (--date-order DMY or MDY, TANDEM_DATE_ORDER).")
            else:
                order = "DMY"  # 05/05/2027 is the same day either way
        day, month = (first, second) if order == "DMY" else (second, first)
        return _make(text, year, month, day, f"{how} (day order {order})")
    if _SERIAL.fullmatch(text):
        return _serial(float(text))
    raise BadInput(f"{text[:40]!r} is not a date; {how}.")


def _serial(number: float) -> date:
    if not 1 <= number < 2_958_466:  # 9999-12-31
        raise BadInput(f"{number:g} is not a date; use YYYY-MM-DD, for example 2027-03-31.")
    return EXCEL_EPOCH + timedelta(days=int(number))


def _make(text: str, year: int, month: int, day: int, how: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadInput(f"{text[:40]!r} is not a date; {how}.") from None


def _name(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).strftime("%-d %B %Y")
    except ValueError:
        return f"{year}-{month:02d}-{day:02d}"
