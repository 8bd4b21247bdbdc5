"""Contract forms and CSV files that tests start from."""

from bot.contracts import CSV_HEADER
from tests.conftest import BUYER, IT


def contract_form(**overrides) -> dict:
    form = {
        "vendor": "Zoom",
        "product": "Business",
        "it_owner": IT,
        "procurement_owner": BUYER,
        "start_date": "2026-01-01",
        "end_date": "2027-01-15",  # notice deadline 2026-12-16, 30 days after the test clock's today
        "notice_days": "30",
        "auto_renew": "yes",
        "term_months": "12",
        "annual_cost": "12000",
        "currency": "USD",
        "seats": "50",
        "notes": "",
    }
    form.update(overrides)
    return form


def csv_file(*rows: str) -> str:
    return "\n".join((CSV_HEADER, *rows)) + "\n"


# Three contracts: notice deadlines 2026-12-16, 2026-11-20 and 2027-05-02.
GOOD_ROWS = (
    f"Zoom,Business,{IT},{BUYER},2026-01-01,2027-01-15,30,yes,12,12000,USD,50,",
    f'Atlassian,Jira Cloud,it@example.com,{BUYER},,2026-12-31,41,no,,"24,000.50",EUR,,"Renegotiate seats\nbefore Q1"',
    "Slack,Pro,,,2025-06-01,2027-05-31,29,yes,1,,USD,,",
)
