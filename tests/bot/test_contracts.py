"""The contract domain: deadlines, the roll-forward rule, the form and the CSV format."""

import dataclasses
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from bot.contract_sheets import ImportRejected, format_csv, parse_csv
from bot.contracts import (
    CSV_HEADER,
    Contract,
    ContractStatus,
    add_months,
    notice_deadline,
    parse_contract,
    roll_forward,
)
from bot.errors import BadInput

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)


def form(**overrides) -> dict:
    values = {
        "vendor": "Zoom",
        "product": "Business",
        "it_owner": "U0IT000001",
        "procurement_owner": "U0PROC0001",
        "start_date": "2026-01-01",
        "end_date": "2027-01-31",
        "notice_days": "30",
        "auto_renew": "yes",
        "term_months": "12",
        "annual_cost": "12000",
        "currency": "USD",
        "seats": "50",
        "notes": "",
    }
    values.update(overrides)
    return values


def contract(end: date, *, auto_renew=True, term=12, status=ContractStatus.ACTIVE, notice=30) -> Contract:
    return Contract(
        id=1, vendor="Zoom", product="Business", it_owner=None, procurement_owner=None, start_date=None,
        end_date=end, notice_days=notice, auto_renew=auto_renew, term_months=term, annual_cost=None,
        currency="USD", seats=None, notes="", status=status, created_at=NOW, updated_at=NOW,
    )


def csv_text(*rows: str) -> str:
    return "\n".join((CSV_HEADER, *rows)) + "\n"


ROW = "Zoom,Business,U0IT000001,U0PROC0001,2026-01-01,2027-01-31,30,yes,12,12000,USD,50,"


# --- deadlines and month arithmetic ----------------------------------------------------------


@pytest.mark.parametrize(
    "end, days, deadline",
    [
        (date(2028, 3, 1), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 3, 1), 1, date(2027, 2, 28)),  # not a leap year
        (date(2028, 3, 31), 31, date(2028, 2, 29)),
        (date(2027, 1, 15), 30, date(2026, 12, 16)),  # across a year end
        (date(2027, 5, 31), 0, date(2027, 5, 31)),  # no notice: the end date itself
        (date(2100, 3, 1), 1, date(2100, 2, 28)),  # 2100 is not a leap year
    ],
)
def test_the_notice_deadline_is_the_end_date_minus_the_notice_days(end, days, deadline):
    assert notice_deadline(end, days) == deadline
    assert contract(end, notice=days).notice_deadline == deadline


def test_days_left_counts_calendar_days_to_the_deadline():
    c = contract(date(2027, 1, 15), notice=30)  # deadline 2026-12-16
    assert c.days_left(date(2026, 11, 16)) == 30
    assert c.days_left(date(2026, 12, 16)) == 0
    assert c.days_left(date(2026, 12, 18)) == -2


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 2, 28), 12, date(2028, 2, 29)),  # a month-end stays a month-end
        (date(2027, 4, 30), 1, date(2027, 5, 31)),
        (date(2027, 3, 30), 1, date(2027, 4, 30)),
        (date(2027, 1, 15), 1, date(2027, 2, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 36, date(2029, 12, 15)),
    ],
)
def test_add_months_is_safe_at_month_ends(start, months, expected):
    assert add_months(start, months) == expected


# --- the roll-forward rule -----------------------------------------------------------------


def test_a_contract_that_has_not_ended_is_left_alone():
    assert roll_forward(contract(date(2026, 11, 16)), date(2026, 11, 16)) is None, "the end date is still a working day"


def test_an_auto_renewing_contract_moves_on_by_its_term():
    rolled = roll_forward(contract(date(2026, 11, 15)), date(2026, 11, 16))
    assert (rolled.end_date, rolled.status) == (date(2027, 11, 15), ContractStatus.ACTIVE)


def test_a_contract_several_terms_behind_moves_on_to_the_current_term_without_drift():
    rolled = roll_forward(contract(date(2026, 1, 31), term=1), date(2026, 11, 16))
    assert rolled.end_date == date(2026, 11, 30), "Jan 31 + 10 months, never drifting through Feb 28"


@pytest.mark.parametrize("end, term, today, expected", [
    # Several terms at once (the bot was down), each counted from the original end date.
    (date(2027, 1, 29), 1, date(2027, 4, 1), date(2027, 4, 29)),   # via Feb 28, non-leap
    (date(2027, 1, 30), 1, date(2027, 4, 1), date(2027, 4, 30)),
    (date(2027, 1, 30), 1, date(2027, 3, 1), date(2027, 3, 30)),   # not Mar 31 (from Feb 28)
    (date(2027, 1, 31), 1, date(2027, 3, 1), date(2027, 3, 31)),   # a last day stays a last day
    (date(2028, 1, 29), 1, date(2028, 3, 1), date(2028, 3, 29)),   # via Feb 29, leap
    (date(2028, 1, 30), 1, date(2028, 3, 1), date(2028, 3, 30)),
    (date(2028, 1, 31), 1, date(2028, 3, 1), date(2028, 3, 31)),
    (date(2027, 11, 29), 3, date(2028, 3, 1), date(2028, 5, 29)),  # quarterly, via Feb 29
    (date(2028, 2, 29), 12, date(2030, 3, 1), date(2031, 2, 28)),  # yearly from a leap day
    (date(2027, 2, 28), 12, date(2028, 3, 1), date(2029, 2, 28)),  # via Feb 29, 2028
])
def test_several_terms_at_once_count_from_the_original_end_date(end, term, today, expected):
    assert roll_forward(contract(end, term=term), today).end_date == expected


@pytest.mark.parametrize("term_from, end, today, expected", [
    (date(2027, 1, 30), date(2027, 2, 28), date(2027, 3, 1), date(2027, 3, 30)),
    (date(2028, 1, 29), date(2028, 2, 29), date(2028, 3, 1), date(2028, 3, 29)),
    (date(2027, 1, 29), date(2027, 2, 28), date(2027, 5, 2), date(2027, 5, 29)),
])
def test_a_contract_rolled_before_keeps_counting_from_the_end_date_that_was_set(term_from, end, today, expected):
    rolled = roll_forward(dataclasses.replace(contract(end, term=1), term_from=term_from), today)
    assert rolled.end_date == expected


def test_a_contract_that_does_not_auto_renew_expires():
    rolled = roll_forward(contract(date(2026, 11, 15), auto_renew=False), date(2026, 11, 16))
    assert rolled.expired and rolled.end_date == date(2026, 11, 15)


def test_a_renewed_contract_rolls_on_even_without_auto_renew():
    rolled = roll_forward(contract(date(2026, 10, 31), auto_renew=False, status=ContractStatus.RENEWED),
                          date(2026, 11, 16))
    assert (rolled.end_date, rolled.status) == (date(2027, 10, 31), ContractStatus.ACTIVE)


@pytest.mark.parametrize("status", [ContractStatus.CANCELLED, ContractStatus.EXPIRED])
def test_cancelled_and_expired_contracts_do_not_roll(status):
    assert roll_forward(contract(date(2026, 1, 1), status=status), date(2026, 11, 16)) is None


# --- the form --------------------------------------------------------------------------------


def test_a_valid_form_is_parsed():
    data = parse_contract(form(annual_cost="12,000.5", it_owner="u0it000001", currency="eur"), "USD")
    assert data.annual_cost == Decimal("12000.50") and data.currency == "EUR"
    assert data.it_owner == "U0IT000001" and data.auto_renew is True and data.seats == 50
    assert data.end_date == date(2027, 1, 31)


def test_blank_optional_fields_take_their_defaults():
    data = parse_contract(
        form(it_owner="", procurement_owner="", start_date="", term_months="", annual_cost="", currency="", seats=""),
        "EUR",
    )
    assert (data.it_owner, data.start_date, data.term_months, data.annual_cost, data.currency, data.seats) == (
        None, None, 12, None, "EUR", None,
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("vendor", " ", "Name the vendor."),
        ("product", "", "Name the product or service."),
        ("end_date", "", "Give the end date"),
        ("end_date", "2027-02-30", "is not a date"),
        ("end_date", "2025-12-31", "is before the start date"),
        ("start_date", "31/01/2026", "is not a date"),
        ("notice_days", "", "Give the notice period in days."),
        ("notice_days", "-5", "The notice period must be a whole number of days"),
        ("notice_days", "400", "longer than the contract"),
        ("auto_renew", "maybe", "Auto-renew must be yes or no."),
        ("term_months", "0", "The renewal term must be a whole number of months"),
        ("annual_cost", "lots", "Annual cost 'lots' is not an amount"),
        ("annual_cost", "-1", "cannot be negative"),
        ("currency", "dollars", "3-letter code"),
        ("seats", "1.5", "Seats must be a whole number"),
        ("it_owner", "bob", "Unknown owner 'bob'"),
    ],
)
def test_each_bad_field_gets_its_own_message(field, value, message):
    with pytest.raises(BadInput) as caught:
        parse_contract(form(**{field: value}), "USD")
    assert message in caught.value.errors[field]


def directory(text: str) -> str | None:
    """A stand-in for the chat platform's directory: one known e-mail address."""
    if "@" not in text:
        return text.upper()
    return {"ana@example.com": "U0ANA00001"}.get(text.lower())


def test_owners_go_through_the_resolver():
    data = parse_contract(form(it_owner="Ana@Example.com"), "USD", directory)
    assert data.it_owner == "U0ANA00001"
    with pytest.raises(BadInput) as caught:
        parse_contract(form(procurement_owner="ghost@example.com"), "USD", directory)
    assert caught.value.errors == {
        "procurement_owner": "Unknown owner: nobody in chat has the e-mail address ghost@example.com."
    }


# --- CSV -------------------------------------------------------------------------------------


def problems(text: str, resolver=None) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        parse_csv(text, "USD", **({"resolve_owner": resolver} if resolver else {}))
    return [str(problem) for problem in caught.value.problems]


def test_a_good_file_is_parsed_with_line_numbers_and_quoted_cells():
    text = csv_text(
        ROW,
        "",
        'Atlassian,Jira Cloud,it@example.com,,,2026-12-31,60,no,,"24,000.50",EUR,,"line one\nline two"',
        "Slack,Pro,,,,2027-06-30,30,yes,1,,USD,,",
    )
    rows = parse_csv(text, "USD")
    assert [row.line for row in rows] == [2, 4, 5], "spreadsheet rows: blank rows count, a quoted cell spanning lines is one row"
    jira = rows[1].contract
    assert jira.annual_cost == Decimal("24000.50") and jira.notes == "line one\nline two"
    assert jira.it_owner == "it@example.com", "without a directory, an e-mail address is the owner"


def test_columns_may_come_in_any_order_and_a_bom_is_ignored():
    header = ",".join(reversed(CSV_HEADER.split(",")))
    row = ",".join(reversed(ROW.split(",")))
    [parsed] = parse_csv("\ufeff" + header + "\n" + row + "\n", "USD")
    assert parsed.contract.vendor == "Zoom"


def test_every_kind_of_csv_error_is_named_by_line_and_column():
    text = csv_text(
        ROW,
        "Slack,Pro,,,2026-01-01,2026-02-30,30,yes,12,,USD,,",
        "Miro,Team,,,2026-01-01,2026-02-01,45,no,12,,USD,,",
        "Figma,Org,bob,,,2027-01-01,30,no,12,,USD,,",
        "Notion,Plus,,,,2027-01-01,30,no,12,,USD,",
        "zoom ,  business,,,,2027-01-01,30,no,12,,USD,,",
    )
    assert problems(text) == [
        "row 3, column end_date: '2026-02-30' is not a date; use YYYY-MM-DD, for example 2027-03-31.",
        "row 4, column notice_days: A 45-day notice period is longer than the contract "
        "(2026-01-01 to 2026-02-01 is 31 days).",
        "row 5, column it_owner: Unknown owner 'bob': give the owner's e-mail address or user ID.",
        "row 6: has 12 columns; the header has 13.",
        "row 7, column vendor: zoom business is already on row 2.",
    ]


def test_an_unknown_e_mail_is_an_unknown_owner():
    text = csv_text(ROW.replace("U0IT000001", "ghost@example.com"))
    assert problems(text, resolver=directory) == [
        "row 2, column it_owner: Unknown owner: nobody in chat has the e-mail address ghost@example.com."
    ]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "row 1: row 1 must be the header vendor,product,"),
        (ROW + "\n", "row 1: row 1 must be the header"),
        (CSV_HEADER.replace(",notes", "") + "\n", "(missing notes)"),
        (CSV_HEADER.replace("notes", "note") + "\n", "(missing notes; unknown 'note')"),
    ],
)
def test_a_missing_or_wrong_header_is_refused(text, fragment):
    [problem] = problems(text)
    assert fragment in problem


def test_format_then_parse_gives_the_same_contracts():
    data = parse_contract(form(notes='Say "hi", then\nwait', seats_used="38"), "USD")
    stored = Contract(id=1, **data.__dict__, status=ContractStatus.ACTIVE, created_at=NOW, updated_at=NOW)
    text = format_csv([stored])
    assert text.splitlines()[0] == CSV_HEADER + ",seats_used"
    [row] = parse_csv(text, "USD")
    assert row.contract == data


def test_an_owner_nobody_has_carries_a_code_and_its_parameters_for_the_edges():
    from bot.contracts import OWNER_EMAIL_UNKNOWN, OWNER_NOT_A_PERSON, parse_contract
    from bot.errors import Problem

    form = {"vendor": "Zoom", "product": "Pro", "end_date": "2027-01-01", "notice_days": "30", "auto_renew": "no",
            "it_owner": "ghost@example.com", "procurement_owner": "bob"}
    with pytest.raises(BadInput) as caught:
        parse_contract(form, "USD", directory)
    assert caught.value.field_problems == {
        "it_owner": Problem(OWNER_EMAIL_UNKNOWN, {"email": "ghost@example.com"}),
        "procurement_owner": Problem(OWNER_NOT_A_PERSON, {"owner": "bob"}),
    }
