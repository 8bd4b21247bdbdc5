"""Reading a contracts workbook: python-calamine against openpyxl (read-only mode).

    python -m bench.xlsx [ROWS]

Prints the median of five reads of the same workbook for each reader. Tandem reads .xlsx
with the faster one (bot.sheets.read_xlsx).
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from datetime import date, timedelta

from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from bot.contracts import FIELDS


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(FIELDS))
    for n in range(rows):
        end = date(2027, 1, 1) + timedelta(days=n % 700)
        sheet.append([f"Vendor {n}", f"Product {n}", "it@example.com", "buyer@example.com", date(2026, 1, 1), end,
                      30, "yes", 12, 1000.5 + n, "EUR", 10 + n % 90, f"note {n}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_calamine(data: bytes) -> int:
    return len(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python())


def with_openpyxl(data: bytes) -> int:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return sum(1 for _ in book.active.iter_rows(values_only=True))


def median_ms(read, data: bytes) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        read(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    data = workbook(rows)
    print(f"{rows} rows, {len(data) / 1024:.0f} KiB")
    for name, read in (("python-calamine", with_calamine), ("openpyxl read-only", with_openpyxl)):
        print(f"{name:20} {median_ms(read, data):8.1f} ms")


if __name__ == "__main__":
    main()
