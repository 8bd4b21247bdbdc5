"""Contracts in spreadsheets: a CSV or .xlsx import read row by row into contract forms (all or
nothing, every problem named by row and column), and the contracts written back out."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from bot.contracts import (
    CSV_HEADER,
    FIELDS,
    OPTIONAL_COLUMNS,
    PRODUCT_MAX,
    VENDOR_MAX,
    Contract,
    ContractInput,
    OwnerResolver,
    match_key,
    parse_contract,
    plain_owner,
)
from bot.errors import BadInput
from bot.money import DEFAULT_LOCALE
from bot.text import clean_line, clean_text
from bot.sheets import FORMULA_START, Table, UnreadableFile, read_csv, read_date, write_csv


@dataclass(frozen=True)
class CsvProblem:
    """One reason a file was refused: where (spreadsheet row, column) and why."""

    line: int  # the spreadsheet row: 1 is the header
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.line}, column {self.column}" if self.column else f"row {self.line}"
        return f"{where}: {self.message}"


class ImportRejected(BadInput):
    """A file with at least one bad row; nothing from it was stored."""

    def __init__(self, problems: list[CsvProblem], notes: list[str] = ()):
        self.problems = problems
        self.notes = list(notes)
        shown = "\n".join(str(problem) for problem in problems[:20])
        more = f"\n…and {len(problems) - 20} more" if len(problems) > 20 else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        read = "".join(f"\n({note})" for note in self.notes)
        super().__init__(f"Nothing was imported; the file has {count}:\n{shown}{more}{read}")


@dataclass(frozen=True)
class CsvRow:
    line: int
    contract: ContractInput


@dataclass(frozen=True)
class Sheet:
    """A contracts file that passed: its rows, and what to tell the importer about it."""

    rows: list[CsvRow]
    warnings: list[str]


def column_name(header: object) -> str:
    """``Annual cost``, ``annual-cost`` and ``ANNUAL_COST`` all name ``annual_cost``."""
    return re.sub(r"[\s-]+", "_", clean_text(header, 100).lower())


def parse_csv(text: str, default_currency: str, resolve_owner: OwnerResolver = plain_owner, *,
              locale: str = DEFAULT_LOCALE, date_order: str | None = None) -> list[CsvRow]:
    """Parses a whole contracts CSV (text), or raises ``ImportRejected`` listing every problem."""
    return parse_sheet(read_sheet(lambda: read_csv(text)), default_currency, resolve_owner, locale=locale,
                       date_order=date_order).rows


def read_sheet(read: Callable[[], Table]) -> Table:
    """Runs a reader from ``bot.sheets``; a file that cannot be read at all is refused like a bad row."""
    try:
        return read()
    except UnreadableFile as error:
        raise ImportRejected([CsvProblem(error.row, None, error.message)]) from None


def parse_sheet(table: Table, default_currency: str, resolve_owner: OwnerResolver = plain_owner, *,
                locale: str = DEFAULT_LOCALE, date_order: str | None = None) -> Sheet:
    """Parses a contracts sheet, or raises ``ImportRejected`` listing every problem.

    The first non-blank row is the header (the columns of ``CSV_HEADER`` in any order;
    other columns are left out with one warning). Blank rows are skipped. Problems name
    the spreadsheet row, so a spreadsheet user finds it. Amounts and whole numbers written
    as text are read in ``locale``; dates as ``bot.sheets.read_date`` reads them.
    """
    records = [(line, cells) for line, cells in table.rows if any(_text(cell) for cell in cells)]
    header_line, header = records[0] if records else (1, [])
    columns = [column_name(name) for name in header]
    while columns and not columns[-1]:
        columns.pop()
    missing = [name for name in FIELDS if name not in columns and name not in OPTIONAL_COLUMNS]
    named = [name for name in columns if name]
    if not columns or missing or len(set(named)) != len(named):
        detail = []
        unknown = [name for name in named if name not in FIELDS]
        if missing and len(missing) < len(FIELDS):
            detail.append(f"missing {', '.join(missing)}")
            if unknown:
                detail.append(f"unknown {', '.join(repr(name[:40]) for name in unknown[:5])}")
        if len(set(named)) != len(named):
            detail.append("a column appears twice")
        why = f" ({'; '.join(detail)})" if detail else ""
        raise ImportRejected([CsvProblem(header_line, None, f"row {header_line} must be the header {CSV_HEADER}{why}.")],
                             table.notes)
    ignored = [header[index] for index, name in enumerate(columns) if name not in FIELDS and _text(header[index])]
    warnings = list(table.notes)
    if ignored:
        names = ", ".join(repr(clean_text(name, 40)) for name in ignored[:10])
        warnings.append(f"Left out {len(ignored)} column{'s' if len(ignored) != 1 else ''} Tandem does not keep: {names}.")

    problems: list[CsvProblem] = []
    rows: list[CsvRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, cells in records[1:]:
        extra = any(_text(cell) for cell in cells[len(columns):])
        if extra or (len(cells) < len(columns) and table.kind == "csv"):
            problems.append(CsvProblem(line, None, f"has {len(cells)} columns; the header has {len(columns)}."))
            continue
        cells = list(cells) + [None] * (len(columns) - len(cells))
        form, errors = {}, {}
        for name, cell in zip(columns, cells):
            if name not in FIELDS:
                continue
            if name in ("start_date", "end_date") and _text(cell):
                try:
                    form[name] = read_date(cell, date_order).isoformat()
                except BadInput as error:
                    errors[name] = error.message
                continue
            form[name] = _cell_value(cell)
        vendor, product = (clean_line(form.get(name), 10_000) for name in ("vendor", "product"))
        if vendor and product:
            first = seen.setdefault((match_key(vendor), match_key(product)), line)
            if first != line:
                shown = f"{vendor[:VENDOR_MAX]} {product[:PRODUCT_MAX]}"
                problems.append(CsvProblem(line, "vendor", f"{shown} is already on row {first}."))
                continue
        try:
            contract = parse_contract({k: v for k, v in form.items() if k not in errors}, default_currency,
                                      resolve_owner, locale=locale)
        except BadInput as error:
            errors = {**error.errors, **errors}
        if errors:
            problems += [CsvProblem(line, name, message) for name, message in _in_column_order(errors)]
        else:
            rows.append(CsvRow(line, contract))
    if problems:
        raise ImportRejected(problems, table.notes)
    return Sheet(rows, warnings)


def _text(cell) -> str:
    return "" if cell is None else str(cell).strip()


def _cell_value(cell):
    """A cell as the form takes it: numbers stay numbers (never re-read in a locale), a
    yes/no checkbox becomes yes/no, text loses the apostrophe that kept it from being a formula."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, (int, float, Decimal)):
        return cell
    text = str(cell)
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _in_column_order(errors: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(errors.items(), key=lambda item: FIELDS.index(item[0]) if item[0] in FIELDS else len(FIELDS))


def export_rows(contracts: Iterable[Contract]) -> list[list]:
    """Each contract as a spreadsheet row in ``FIELDS`` order: dates as dates, numbers as numbers."""
    rows = []
    for contract in contracts:
        rows.append([
            contract.vendor, contract.product, contract.it_owner or "", contract.procurement_owner or "",
            contract.start_date or "", contract.end_date, contract.notice_days,
            "yes" if contract.auto_renew else "no", contract.term_months,
            contract.annual_cost if contract.annual_cost is not None else "", contract.currency,
            contract.seats if contract.seats is not None else "", contract.notes,
            contract.seats_used if contract.seats_used is not None else "",
        ])
    return rows


def format_csv(contracts: Iterable[Contract], *, excel: bool = False) -> str:
    """The contracts as CSV in the import format; importing it back gives the same data."""
    return write_csv(FIELDS, export_rows(contracts), excel=excel).decode("utf-8")
