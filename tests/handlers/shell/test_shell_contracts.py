"""The contract calendar in the local shell, driven through its input and output."""

import io

from handlers.cli import run_shell
from handlers.shell.app import start_shell
from bot.config import Settings

CONTRACT = [
    "Zoom",  # vendor
    "Business",  # product
    "it",  # IT owner: a persona's name
    "",  # procurement owner: keep the default (the buyer)
    "2026-01-01",
    "2027-01-15",
    "30",
    "yes",
    "",  # term: keep 12
    "12000",
    "",  # currency: keep USD
    "50",
    "",  # seats in use: unknown
    "",  # notes
]


def drive(settings, clock, *lines) -> str:
    out = io.StringIO()
    run_shell(settings, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, clock=clock)
    return out.getvalue()


def shell_settings(tmp_path):
    return Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})


def test_procurement_adds_a_contract_lists_and_shows_it(tmp_path, clock):
    out = drive(
        shell_settings(tmp_path), clock,
        "/procure contract add",
        "/as buyer",
        "/procure contract add", *CONTRACT,
        "/procure contracts 30",
        "/procure contracts 10",
        "/procure contract show 1",
        "/quit",
    )
    assert "(only you can see this) Only procurement members can add contracts." in out
    assert "Procurement owner (it, buyer, admin, or a user ID or e-mail address; blank if none) [buyer]:" in out
    assert "Added contract 1: Zoom Business, notice deadline 2026-12-16 (ends 2027-01-15)." in out
    assert "Notice deadlines in the next 30 days (1):" in out
    assert "2026-12-16  30 days left  Zoom Business  (contract 1, active)" in out
    assert "ends 2027-01-15 · auto-renews for 12 months · USD 12,000 a year · 50 seats" in out
    assert "IT owner @it · procurement owner @buyer" in out
    assert "No notice deadlines in the next 10 days." in out
    shown = out.split("/procure contract show 1")[1]
    assert "┌ Contract 1: Zoom — Business · Active" in shown
    assert "notice deadline 2026-12-16 (30 days left)" in shown
    assert "[Edit] [Start renewal] [Mark renewed] [Mark cancelled]" in shown
    assert "@buyer added the contract" in shown


def test_form_errors_are_asked_again_and_edits_keep_current_values(tmp_path, clock):
    out = drive(
        shell_settings(tmp_path), clock,
        "/as buyer",
        "/procure contract add", "Zoom", "Business", "bob", "", "2026-01-01", "2026-02-01", "45", "maybe", "", "",
        "", "", "", "",  # term, cost, currency, seats, seats in use, notes
        # only the bad fields are asked again
        "it", "20", "no",
        "/procure contract edit 1", *([""] * 6), "60", *([""] * 7),
        "/as it",
        "/procure contract edit 1", ".",
        "/as U0OTHER01",
        "/procure contract edit 1",
        "/quit",
    )
    assert "✗ Unknown owner 'bob'" in out
    assert "✗ A 45-day notice period is longer than the contract" in out
    assert "✗ Auto-renew must be yes or no." in out
    assert "Added contract 1: Zoom Business, notice deadline 2026-01-12 (ends 2026-02-01)." in out
    assert "Notice period (days) [20]: 60" in out
    assert "✗ A 60-day notice period is longer than the contract" in out, "still validated on edit"
    assert "Cancelled; nothing was changed." in out, "the IT owner may open the edit form"
    assert "Only procurement members and the contract's owners can change contract 1." in out


def test_start_renewal_posts_a_linked_card_and_a_need_for_the_vendor_shows_the_contract(tmp_path, clock):
    out = drive(
        shell_settings(tmp_path), clock,
        "/as buyer",
        "/procure contract add", *CONTRACT,
        "/procure contract renew 1",
        "/procure contract renew 1",
        "/as it",
        "/need Zoom webinars", "", "More webinars", "saas", "", "", "", "", "", "", "zoom",
        "/procure contract show 1",
        "/procure contract cancel 1",
        "/as buyer",
        "/procure contract cancel 1",
        "/procure calendar",
        "/quit",
    )
    assert "Renewal of Zoom Business started: #1 Renew Zoom Business." in out
    assert "┌ #1 Renew Zoom Business — New" in out
    assert ("│ under contract: Zoom Business (contract 1), notice deadline 2026-12-16 (30 days left), "
            "ends 2027-01-15, auto-renews") in out
    assert "Zoom Business (contract 1) is already being renewed in request #1." in out
    webinars = out.split("┌ #2 Zoom webinars — New")[1]
    assert webinars.split("└")[0].count("under contract: Zoom Business (contract 1)") == 1
    shown = out.split("/procure contract show 1")[1]
    assert "Linked requests:\n      #2 Zoom webinars — New\n      #1 Renew Zoom Business — New" in shown
    assert "@buyer renewal started (status: active → renewing)" in shown
    assert "@it in #it-procurement › /procure contract cancel 1\n(only you can see this) Zoom Business (contract 1) " \
           "is marked cancelled; it runs out on 2027-01-15." in out, "the IT owner may mark it cancelled"
    assert "Zoom Business (contract 1) is already cancelled." in out
    assert "[DM to @buyer] Tandem sent a file: tandem-contracts.ics (" in out
    assert "The contract calendar (tandem-contracts.ics) is in your DMs" in out
    assert "Traceback" not in out


def test_seats_in_use_and_the_reminder_in_the_shell(tmp_path, clock):
    out = drive(
        shell_settings(tmp_path), clock,
        "/as buyer",
        "/procure contract add", *CONTRACT,
        "/procure contract seats 1 31",
        "/procure contract show 1",
        "/remind",
        "/quit",
    )
    assert "Zoom Business (contract 1): 31 of 50 seats used — negotiate down." in out
    assert "USD 12,000 a year · 31 of 50 seats used — negotiate down" in out
    assert "Zoom Business (contract 1): notice deadline" in out and \
        "a year. 31 of 50 seats used — negotiate down. Renew, renegotiate or cancel before then." in out


def test_the_sourcing_map_in_the_shell(tmp_path, clock):
    out = drive(
        shell_settings(tmp_path), clock,
        "/as admin",
        "/procure sourcing set software open",
        "/procure sourcing set system Salesforce managed",
        "/as buyer",
        "/procure sourcing set hardware open",
        "/procure sourcing",
        "/quit",
    )
    assert "IT's stance on Salesforce (system) is now: supplier-managed." in out
    assert "│ IT's stance per system\n  │   • Salesforce — supplier-managed (set by @admin 2026-11-16, confirmed " \
           "2026-11-16) · 0 contracts in force" in out
    assert "IT's stance on software is now: open to a supplier." in out
    assert "IT's sourcing stances are set by the IT owners of contracts and admins." in out
    assert "software — open to a supplier (set by @admin 2026-11-16, confirmed 2026-11-16)" in out
    assert "No category open to a supplier has requests yet." in out


def test_clearing_a_stance_on_the_sourcing_map_in_the_shell(tmp_path, clock):
    out = drive(
        shell_settings(tmp_path), clock,
        "/as admin",
        "/procure sourcing set software open",
        "/procure sourcing set system Salesforce managed",
        "/as buyer",
        "/procure sourcing clear software",
        "/as admin",
        "/procure sourcing clear system salesforce",
        "/procure sourcing clear software",
        "/procure sourcing clear software",
        "/procure sourcing",
        "/quit",
    )
    assert "IT's sourcing stances are set by the IT owners of contracts and admins." in out
    assert "IT's stance on Salesforce (system) is cleared; the map no longer lists it." in out
    assert "IT's stance on software is cleared; the map shows it as not set." in out
    assert "IT has no stance on software; nothing was cleared." in out
    assert "software — not set" in out and "No system has a stance of its own" in out


def test_fulfilling_a_renewal_asks_the_new_end_date_and_cost_and_a_dot_changes_nothing(tmp_path, clock):
    cheap = list(CONTRACT)
    cheap[9] = "900"  # below the approval threshold
    moves = ["/procure claim 1", "/procure status 1 sourcing", "/procure status 1 approved",
             "/procure status 1 ordered"]
    out = drive(
        shell_settings(tmp_path), clock,
        "/as buyer", "/procure contract add", *cheap, "/procure contract renew 1", *moves,
        "/procure status 1 fulfilled", ".",
        "/procure show 1",
        "/procure status 1 fulfilled", "2026-12-31", "", "", "2028-03-31", "",
        "/procure contract show 1",
        "/quit",
    )
    assert "Fulfilling #1 renews Zoom Business (contract 1), which ends 2027-01-15 at USD 900 a year." in out
    assert "New end date (YYYY-MM-DD) [2028-01-15]:" in out and "New annual cost [900]:" in out
    assert "Cancelled; nothing was changed." in out
    assert "┌ #1 Renew Zoom Business — Ordered" in out
    assert "✗ The new end date must be after the current one (2027-01-15)." in out
    assert "#1 is fulfilled. Zoom Business (contract 1) is renewed: it now runs to 2028-03-31, USD 900 a year." in out
    assert "renewed (#1 fulfilled)" in out


def test_contract_import_reads_a_local_file_or_asks_for_one(tmp_path, clock):
    from tests.contract_samples import GOOD_ROWS, csv_file

    path = tmp_path / "contracts.csv"
    path.write_text(csv_file(GOOD_ROWS[0], GOOD_ROWS[2].replace("2025-06-01", "03/04/2025")))
    out = drive(
        shell_settings(tmp_path), clock,
        f"/procure contract import {path}",
        "/as buyer",
        f"/procure contract import {tmp_path / 'missing.csv'}",
        f"/procure contract import {path}",
        "/procure contract import", str(path), "DMY",
        "/procure contract import", ".",
        "/quit",
    )
    assert "(only you can see this) Only procurement members can add contracts." in out
    assert "Cannot read " in out and "missing.csv: No such file or directory." in out
    assert "Nothing from contracts.csv was imported (1 problem):" in out
    assert "row 3, column start_date: '03/04/2025' could be 3 April 2025 or 4 March 2025" in out
    assert "Dates written as text (ISO/DMY/MDY) [ISO]:" in out
    assert "Imported contracts.csv: 2 added, 0 updated, 0 unchanged." in out
    assert "Cancelled; nothing was imported." in out


def test_the_scorecard_in_the_shell(tmp_path, clock):
    out = drive(shell_settings(tmp_path), clock, "/as buyer", "/procure contract add", *CONTRACT,
                "/procure contract seats 1 20", "/procure scorecard", "/quit")
    assert "┌ Scorecard: working together, measured" in out
    assert "1 of 1 contracts in force have both an IT and a procurement owner" in out
    assert "0 contracts with unused seats" not in out
    assert "USD 7,200 a year in unused seats of 1 contract whose notice deadline is in the next 90 days" in out


def test_the_quarterly_sourcing_check_in_the_shell_confirm_once_and_change_in_the_form(tmp_path, clock):
    settings = shell_settings(tmp_path)
    drive(settings, clock, "/as admin", "/procure sourcing set software open", "/quit")
    out = io.StringIO()
    start_shell(settings, io.StringIO("\n".join([
        "/as admin",
        "/procure sourcing confirm 2026-Q4",
        "/procure sourcing confirm 2026-q4",  # the button again
        "/procure sourcing change", "", "maybe", "", "", "", "", "managed",  # a bad stance is asked again
        "/procure sourcing change", ".",
        "/as buyer",
        "/procure sourcing change",
        "/procure sourcing",
        "/quit"]) + "\n"), out, clock=clock, schedule=True)
    shown = out.getvalue()
    # The quarterly check reached the admin (no contract names an IT owner), with its two buttons typed out.
    assert "[DM to @admin] Tandem:\n┌ Sourcing map check · 2026-Q4" in shown
    assert "│ [Confirm: /procure sourcing confirm 2026-Q4] [Change: /procure sourcing change]" in shown
    assert "Confirmed 1 stance as they are; thank you." in shown
    assert "You already confirmed the stances for 2026-Q4 on Mon 16 Nov; nothing was changed." in shown
    assert "  Software [open]: " in shown and "✗ 'maybe' is not a stance; use in-house, open or managed." in shown
    assert "IT's stances changed — software: supplier-managed. The others are confirmed as they are." in shown
    assert "Cancelled; nothing was changed." in shown
    assert "IT's sourcing stances are set by the IT owners of contracts and admins." in shown
    assert "software — supplier-managed (set by @admin 2026-11-16" in shown


def test_the_shells_contract_form_asks_seats_in_use_and_edit_shows_them(tmp_path, clock):
    used = list(CONTRACT)
    used[12] = "31"  # seats in use
    out = drive(
        shell_settings(tmp_path), clock,
        "/as buyer", "/procure contract add", *used,
        "/procure contract edit 1", *([""] * 12), "abc", "", "40",  # a bad answer is asked again
        "/procure contract show 1",
        "/quit",
    )
    assert "  Seats in use (blank if unknown): " in out
    assert "  Seats in use (blank if unknown) [31]: abc" in out
    assert "✗ Seats in use must be a whole number of seats from 0 to 1,000,000." in out
    assert "40 of 50 seats used" in out
