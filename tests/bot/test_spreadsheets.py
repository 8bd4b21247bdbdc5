"""Contract files as procurement has them: locales, delimiters, encodings, .xlsx, dates."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from bot.contract_sheets import ImportRejected
from bot.contracts import CSV_HEADER, FIELDS
from bot.errors import BadInput
from bot.money import parse_money
from bot.sheets import read_date, read_table
from tests.conftest import ADMIN, BUYER, IT


def stored(core):
    return {(c.vendor, c.product): c for c in core.contracts.all()}


def sheet(rows, delimiter=",", header=CSV_HEADER):
    return "\n".join([header.replace(",", delimiter), *rows]) + "\n"


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, locale, amount, currency", [
    ("12.000,50", "de_DE", "12000.50", None),
    ("25.000,00 €", "de_DE", "25000.00", "EUR"),
    ("12 000,50", "fr_FR", "12000.50", None),
    ("12\u202f000,50 €", "fr_FR", "12000.50", "EUR"),
    ("$12,000.00", "en_US", "12000.00", "USD"),
    ("€4,200", "en_US", "4200", "EUR"),
    ("US$ 1,500", "en_US", "1500", "USD"),
    ("£1,200.50", "en_GB", "1200.50", "GBP"),
    ("EUR 12", "en_US", "12", "EUR"),
    ("12 EUR", "de_DE", "12", "EUR"),
    ("$5", "en_CA", "5", "CAD"),
    ("12000.50", "de_DE", "12000.50", None),  # the form machines write, not a German grouping
])
def test_amounts_are_read_in_the_writers_locale(text, locale, amount, currency):
    parsed = parse_money(text, locale)
    assert parsed.value == Decimal(amount) and parsed.currency == currency


@pytest.mark.parametrize("text, locale, says", [
    ("12.000,50", "en_US", "cannot be read as an amount in en_US; write it like 1,234.56 or 1234.56"),
    ("12.000", "en_US", "is ambiguous: in en_US it reads as 12.000"),
    ("12,000", "de_DE", "is ambiguous: in de_DE it reads as 12.000"),
    ("$5 EUR", "en_US", "names two currencies (EUR and USD)"),
    ("5 bananas", "en_US", "'bananas' is not a currency"),
    ("1e5", "en_US", "is not an amount"),
])
def test_an_ambiguous_or_inconsistent_amount_is_refused_saying_how_to_write_it(text, locale, says):
    with pytest.raises(BadInput) as caught:
        parse_money(text, locale)
    assert says in caught.value.message


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, order, expected", [
    ("2027-3-5", None, date(2027, 3, 5)),
    ("2026-01-01 00:00:00", None, date(2026, 1, 1)),  # Excel's date-time as text
    ("03/15/2027", None, date(2027, 3, 15)),  # only MDY makes sense
    ("31.12.2025", None, date(2025, 12, 31)),  # only DMY makes sense
    ("03/04/2027", "DMY", date(2027, 4, 3)),
    ("03/04/2027", "MDY", date(2027, 3, 4)),
    ("46023", None, date(2026, 1, 1)),  # an Excel serial number as text
    (46023, None, date(2026, 1, 1)),
    (datetime(2026, 1, 1, 0, 0), None, date(2026, 1, 1)),
])
def test_dates_as_spreadsheets_hold_them(value, order, expected):
    assert read_date(value, order) == expected


def test_an_ambiguous_date_is_refused_unless_an_order_is_set():
    with pytest.raises(BadInput) as caught:
        read_date("03/04/2027")
    assert "could be 3 April 2027 or 4 March 2027" in caught.value.message
    assert "--date-order DMY or MDY" in caught.value.message


# --- CSV files -------------------------------------------------------------------------------

GERMAN = sheet([
    f"Müller GmbH;Wartung;{IT};{BUYER};01.01.2026;31.12.2027;90;ja;12;12.000,50;EUR;1.000;Größe L",
], delimiter=";").replace(";ja;", ";yes;")


def test_a_german_excel_file_semicolons_and_decimal_commas(core):
    result = core.contracts.import_file(ADMIN, GERMAN.encode("utf-8"), "vertraege.csv", locale="de_DE")
    assert (result.added, result.warnings) == (1, ())
    contract = stored(core)[("Müller GmbH", "Wartung")]
    assert contract.annual_cost == Decimal("12000.50") and contract.seats == 1000
    assert (contract.start_date, contract.end_date) == (date(2026, 1, 1), date(2027, 12, 31))
    assert contract.notes == "Größe L"


def test_a_german_amount_read_as_us_english_is_refused_not_stored_as_12(core):
    with pytest.raises(ImportRejected) as caught:
        core.contracts.import_file(ADMIN, GERMAN.encode("utf-8"), "vertraege.csv", locale="en_US")
    problems = [str(problem) for problem in caught.value.problems]
    assert problems[0].startswith("row 2, column annual_cost: Annual cost '12.000,50' cannot be read as an amount "
                                  "in en_US")
    assert core.contracts.all() == []


def test_cp1252_with_a_byte_order_mark_free_file_is_read_and_says_so(core):
    data = GERMAN.encode("cp1252")
    result = core.contracts.import_file(ADMIN, data, "vertraege.csv", locale="de_DE")
    assert result.added == 1 and "read as Windows-1252 (cp1252)" in result.warnings[0]
    assert ("Müller GmbH", "Wartung") in stored(core)


def test_utf8_with_bom_tabs_us_dates_and_amounts(core):
    text = sheet([f"Zoom,Business,{IT},,03/15/2026,03/15/2027,30,yes,12,\"$12,000.00\",,\"1,000\","],
                 delimiter="\t").replace(",", "\t").replace('"$12\t000.00"', "$12,000.00").replace('"1\t000"', "1,000")
    result = core.contracts.import_file(ADMIN, b"\xef\xbb\xbf" + text.encode(), "contracts.txt", locale="en_US")
    assert result.added == 1
    zoom = stored(core)[("Zoom", "Business")]
    assert (zoom.annual_cost, zoom.currency, zoom.seats) == (Decimal("12000.00"), "USD", 1000)
    assert zoom.end_date == date(2027, 3, 15)


def test_uk_and_french_files(core):
    uk = sheet(["Okta,SSO,,,31/01/2026,31/01/2027,30,no,12,\"£1,200.50\",,,"])
    assert core.contracts.import_file(ADMIN, uk.encode(), "uk.csv", locale="en_GB").added == 1
    okta = stored(core)[("Okta", "SSO")]
    assert (okta.annual_cost, okta.currency, okta.end_date) == (Decimal("1200.50"), "GBP", date(2027, 1, 31))
    french = sheet(["Orange;Fibre;;;;2027-06-30;60;oui;12;12 000,50 €;;;"], delimiter=";").replace(";oui;", ";yes;")
    assert core.contracts.import_file(ADMIN, french.encode(), "fr.csv", locale="fr_FR").added == 1
    assert stored(core)[("Orange", "Fibre")].annual_cost == Decimal("12000.50")


def test_an_ambiguous_text_date_is_refused_by_row_unless_an_order_is_given(core):
    text = sheet(["Okta,SSO,,,,03/04/2027,30,no,12,,USD,,"])
    with pytest.raises(ImportRejected) as caught:
        core.contracts.import_file(ADMIN, text.encode(), "a.csv")
    assert str(caught.value.problems[0]).startswith("row 2, column end_date: '03/04/2027' could be")
    core.contracts.import_file(ADMIN, text.encode(), "a.csv", date_order="DMY")
    assert stored(core)[("Okta", "SSO")].end_date == date(2027, 4, 3)


def test_extra_columns_are_left_out_with_one_warning(core):
    text = sheet(["Zoom,Business,,,,2027-01-15,30,yes,12,100,USD,,,Cost centre 4711,x"],
                 header=CSV_HEADER + ",Cost centre,Note")
    result = core.contracts.import_file(ADMIN, text.encode(), "a.csv")
    assert result.added == 1
    assert result.warnings == ("Left out 2 columns Tandem does not keep: 'Cost centre', 'Note'.",)


def test_a_re_import_of_an_excel_export_with_a_neutralised_formula_is_unchanged(core):
    core.contracts.import_csv(ADMIN, sheet(["=HYPERLINK(\"x\"),Suite,,,,2027-01-15,30,yes,12,100,USD,,@SUM(1)"]))
    exported = core.contracts.export_csv(excel=True)
    assert exported.startswith("\ufeff" + CSV_HEADER), "a byte-order mark so Excel reads UTF-8"
    assert "'=HYPERLINK" in exported and "'@SUM(1)" in exported, "formulas are neutralised"
    result = core.contracts.import_file(ADMIN, exported.encode("utf-8"), "export.csv")
    assert result.unchanged == 1 and result.added == 0


# --- .xlsx ------------------------------------------------------------------------------------


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet_ = book.active
    for row in rows:
        sheet_.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_written_by_openpyxl_with_real_dates_numbers_and_an_extra_column(core):
    data = workbook(
        [*CSV_HEADER.split(","), "Owner's phone"],
        ["Zoom", "Business", IT, None, datetime(2026, 1, 1), datetime(2027, 1, 15), 30, "yes", 12, 12000.5, "EUR",
         1000, None, "555-0100"],
        [None] * 14,
        ["Miro", "Team", None, None, None, 46600, 30, True, 12, None, "USD", None, "serial date"],
    )
    result = core.contracts.import_file(ADMIN, data, "contracts.xlsx", locale="de_DE")
    assert (result.added, len(result.warnings)) == (2, 1)
    zoom, miro = stored(core)[("Zoom", "Business")], stored(core)[("Miro", "Team")]
    assert (zoom.annual_cost, zoom.seats, zoom.end_date) == (Decimal("12000.50"), 1000, date(2027, 1, 15))
    assert miro.end_date == date(2027, 8, 1) and miro.auto_renew is True


def test_a_bad_xlsx_row_is_reported_by_its_spreadsheet_row(core):
    data = workbook(CSV_HEADER.split(","), ["Zoom", "Business", None, None, None, "soon", 30, "yes", 12, None, "USD", None, None])
    with pytest.raises(ImportRejected) as caught:
        core.contracts.import_file(ADMIN, data, "contracts.xlsx")
    assert str(caught.value.problems[0]) == "row 2, column end_date: 'soon' is not a date; use YYYY-MM-DD, for example 2027-03-31."
    assert core.contracts.all() == []


def test_xlsx_export_has_real_dates_numbers_and_no_formulas_and_imports_back(core):
    core.contracts.import_csv(ADMIN, sheet(["=cmd|' /C calc'!A0,Suite,,,2026-01-01,2027-01-15,30,yes,12,\"1,234.50\",EUR,5,"]))
    data = core.contracts.export_xlsx()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == FIELDS
    vendor, *_ = rows[1]
    assert vendor == "=cmd|' /C calc'!A0"
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.data_type == "s", "stored as text, never a formula"
    assert rows[1][5] == datetime(2027, 1, 15) and rows[1][9] == 1234.5 and rows[1][11] == 5
    assert core.contracts.import_file(ADMIN, data, "back.xlsx").unchanged == 1


def test_a_file_that_is_not_a_spreadsheet_is_refused_cleanly(core):
    with pytest.raises(ImportRejected) as caught:
        core.contracts.import_file(ADMIN, b"PK\x03\x04 not really a zip", "x.xlsx")
    assert "not a readable .xlsx workbook" in str(caught.value.problems[0])
    assert read_table(b"a,b\n1,2\n").rows == [(1, ["a", "b"]), (2, ["1", "2"])]
