"""CSV export neutralises formula cells (OWASP CSV injection), and import → export → import
still round-trips ordinary data: negative-looking text, hyphens, plus signs."""

import csv
import io

import pytest

from tests.bot.test_spreadsheets import sheet
from tests.conftest import ADMIN

CELLS = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("cell", CELLS)
def test_a_formula_cell_is_exported_with_a_leading_quote_and_imports_back_unchanged(core, cell):
    quoted = '"' + cell.replace('"', '""') + '"'
    core.contracts.import_csv(ADMIN, sheet([f"Acme,Suite,,,,2027-01-15,30,yes,12,100,USD,,{quoted}"]))
    [before] = core.contracts.all()
    exported = core.contracts.export_csv()
    [row] = list(csv.DictReader(io.StringIO(exported)))
    if cell[0] in "\t\r":  # leading spaces, tabs and line breaks are trimmed when text is stored
        assert before.notes == cell.strip() and row["notes"] == before.notes
    else:
        assert row["notes"] == "'" + before.notes, "a spreadsheet shows it as text and never runs it"
    assert core.contracts.import_file(ADMIN, exported.encode(), "again.csv").unchanged == 1
    assert core.contracts.all()[0].notes == before.notes


def test_ordinary_data_round_trips_unchanged(core):
    core.contracts.import_csv(ADMIN, sheet(["Acme-Co,E-Mail - Pro,,,,2027-01-15,30,yes,12,1200.50,USD,5,"
                                            "- renew with care; -10% agreed"]))
    [before] = core.contracts.all()
    exported = core.contracts.export_csv()
    assert core.contracts.import_file(ADMIN, exported.encode(), "again.csv").unchanged == 1
    [after] = core.contracts.all()
    assert (after.vendor, after.product, after.notes, after.annual_cost) == \
        ("Acme-Co", "E-Mail - Pro", "- renew with care; -10% agreed", before.annual_cost)
    assert core.contracts.export_csv() == exported
