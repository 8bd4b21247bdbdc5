"""Importing a contracts spreadsheet in Slack: dropped in a DM to Tandem, or chosen in the
import form (`/procure contract import`). Downloaded with the bot token from the fake Slack's
file server, imported all or nothing, and reported like the command line does."""

import io
import json
from decimal import Decimal

from openpyxl import Workbook

from bot.contracts import CSV_HEADER
from handlers.slack.ids import Views
from tests.conftest import BUYER, IT
from tests.contract_samples import GOOD_ROWS, csv_file

SLACK_ROWS = csv_file(GOOD_ROWS[0], GOOD_ROWS[2])  # owners as Slack user IDs

GERMAN_CSV = ("vendor;product;it_owner;procurement_owner;start_date;end_date;notice_days;auto_renew;term_months;"
              "annual_cost;currency;seats;notes;cost_centre\n"
              f"Zoom;Business;{IT};{BUYER};01.01.2026;15.01.2027;30;yes;12;12.000,50;EUR;1.000;Müller;4711\n")


def dropped(slack, user, *files, channel="D0BUYER", ts="1700000500.000100", retry=None, event_id=None):
    event = {"type": "message", "subtype": "file_share", "channel": channel, "channel_type": "im", "user": user,
             "text": "", "ts": ts, "files": list(files)}
    return slack.event(event, event_id=event_id, retry=retry)


def reports(fake, user):
    dm = "D" + user[1:]
    return [call.args["text"] for call in fake.calls_to("chat.postMessage") if call.args["channel"] in (dm, user)]


def test_a_csv_dropped_in_a_dm_is_imported_and_reported(slack, fake, bot):
    fake.locales[BUYER] = "de-DE"
    file = fake.file("vertraege.csv", GERMAN_CSV.encode("cp1252"))
    assert dropped(slack, BUYER, file)[0] == 200
    [download] = fake.calls_to("file_download")
    assert download.headers["Authorization"] == "Bearer xoxb-test"
    [contract] = bot.core.contracts.all()
    assert (contract.annual_cost, contract.currency, contract.seats) == (Decimal("12000.50"), "EUR", 1000)
    [report] = reports(fake, BUYER)
    assert report.startswith("Imported vertraege.csv: 1 added, 0 updated, 0 unchanged.")
    assert "Windows-1252" in report
    assert contract.notes == "Müller"
    assert "cost_centre" in report


def test_a_bad_file_is_reported_by_row_and_column_and_nothing_is_stored(slack, fake, bot):
    bad = GOOD_ROWS[0].replace("2027-01-15", "2027-02-30")
    file = fake.file("contracts.csv", csv_file(bad, GOOD_ROWS[2]).encode())
    dropped(slack, BUYER, file)
    assert bot.core.contracts.all() == []
    [report] = reports(fake, BUYER)
    assert report.startswith("Nothing from contracts.csv was imported (1 problem):")
    assert "row 2, column end_date" in report


def test_an_xlsx_chosen_in_the_import_form_is_imported_with_the_chosen_date_order(slack, fake, bot):
    slack.command("/procure", "contract import", BUYER)
    [opened] = fake.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == Views.CONTRACT_IMPORT
    element = view["blocks"][1]["element"]
    assert (element["type"], element["filetypes"], element["max_files"]) == ("file_input", ["csv", "xlsx"], 1)
    assert [o["value"] for o in view["blocks"][2]["element"]["options"]] == ["ISO", "DMY", "MDY"]

    book = Workbook()
    sheet = book.active
    sheet.append(CSV_HEADER.split(","))
    sheet.append(["Miro", "Team", IT, BUYER, "01/02/2026", "03/04/2027", 30, "yes", 12, 2400, "USD", 10, ""])
    data = io.BytesIO()
    book.save(data)
    file = fake.file("contracts.xlsx", data.getvalue())
    values = {"file": {"value": {"type": "file_input", "files": [file]}},
              "date_order": {"value": {"type": "static_select", "selected_option": {"value": "MDY"}}}}
    assert slack.submit(BUYER, Views.CONTRACT_IMPORT, values) == (200, "")
    [contract] = bot.core.contracts.all()
    assert contract.end_date.isoformat() == "2027-03-04", "month first, as chosen"
    assert reports(fake, BUYER)[0].startswith("Imported contracts.xlsx: 1 added")


def test_someone_outside_procurement_is_refused_and_nothing_is_downloaded(slack, fake, bot):
    file = fake.file("contracts.csv", csv_file(*GOOD_ROWS).encode())
    dropped(slack, IT, file)
    assert fake.calls_to("file_download") == []
    assert bot.core.contracts.all() == []
    assert reports(fake, IT) == [":no_entry: Only procurement members can add contracts."]
    fake.reset()
    slack.command("/procure", "contract import", IT)
    assert fake.wait_for("response_url")[0].args["text"] == ":no_entry: Only procurement members can add contracts."
    assert fake.calls_to("views.open") == []


def test_a_file_of_another_type_or_too_big_is_refused_before_downloading(slack, fake, bot):
    dropped(slack, BUYER, fake.file("contracts.pdf", b"%PDF-1.7"), ts="1.1")
    big = fake.file("huge.csv", b"x")
    big["size"] = 6 * 1024 * 1024
    dropped(slack, BUYER, big, ts="1.2")
    assert fake.calls_to("file_download") == []
    pdf, huge = reports(fake, BUYER)
    assert pdf.startswith(":no_entry: contracts.pdf is not a spreadsheet Tandem imports; send a .csv or .xlsx file")
    assert huge == (":no_entry: huge.csv is 6.0 MB; Tandem imports files up to 5 MB. Split it, or use "
                    "`tandem import-contracts`.")
    status, body = slack.submit(BUYER, Views.CONTRACT_IMPORT, {
        "file": {"value": {"type": "file_input", "files": [big]}},
        "date_order": {"value": {"type": "static_select", "selected_option": {"value": "ISO"}}}})
    assert json.loads(body)["errors"]["file"].startswith("huge.csv is 6.0 MB")


def test_a_failed_download_is_told_and_nothing_is_imported(slack, fake, bot):
    fake.fail("file_download", status=500)
    dropped(slack, BUYER, fake.file("contracts.csv", csv_file(*GOOD_ROWS).encode()))
    assert bot.core.contracts.all() == []
    assert reports(fake, BUYER) == [":no_entry: I could not download contracts.csv from Slack (500); nothing was "
                                    "imported. Send it again."]


def test_a_retried_event_imports_once(slack, fake, bot):
    file = fake.file("contracts.csv", SLACK_ROWS.encode())
    dropped(slack, BUYER, file, event_id="Ev0FILE1")
    dropped(slack, BUYER, file, event_id="Ev0FILE1", retry=1)
    assert len(fake.calls_to("file_download")) == 1
    assert reports(fake, BUYER) == ["Imported contracts.csv: 2 added, 0 updated, 0 unchanged."]
    assert len(bot.core.contracts.all()) == 2


def test_only_the_file_id_is_enough_slack_is_asked_for_the_rest(slack, fake, bot):
    file = fake.file("contracts.csv", SLACK_ROWS.encode())
    dropped(slack, BUYER, {"id": file["id"], "file_access": "check_file_info"})
    assert fake.calls_to("files.info")[0].args["file"] == file["id"]
    assert len(bot.core.contracts.all()) == 2


def test_a_file_elsewhere_than_slack_is_never_fetched_with_the_token(slack, fake, bot):
    file = fake.file("contracts.csv", csv_file(*GOOD_ROWS).encode())
    file["url_private_download"] = "https://attacker.example/steal.csv"
    dropped(slack, BUYER, file)
    assert fake.calls_to("file_download") == []
    assert reports(fake, BUYER) == [":no_entry: contracts.csv is not on Slack's file server; nothing was imported."]


def written(slack, user, text, *, ts="1700000600.000100", channel="D0IT000001", retry=None, event_id=None, **extra):
    event = {"type": "message", "channel": channel, "channel_type": "im", "user": user, "text": text, "ts": ts,
             **extra}
    return slack.event(event, event_id=event_id, retry=retry)


def test_a_message_written_in_tandems_dm_is_answered_once_with_what_it_takes_there(slack, fake, bot):
    assert written(slack, IT, "hello? how do I ask for a laptop", event_id="Ev0DM1")[0] == 200
    assert written(slack, IT, "hello? how do I ask for a laptop", event_id="Ev0DM1", retry=1)[0] == 200
    [answer] = [c.args for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "D0IT000001"]
    assert "/need" in answer["text"] and ".csv or .xlsx" in answer["text"]
    # A bot's message, an edit and a reply in a thread of the DM get no answer; nothing is recorded.
    written(slack, IT, "from a bot", ts="1700000601.000100", bot_id="B0OTHER")
    written(slack, IT, "in a thread", ts="1700000602.000100", thread_ts="1700000600.000100")
    assert len([c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == "D0IT000001"]) == 1
    assert bot.core.contracts.all() == []


def test_a_file_dropped_in_the_dm_gets_its_import_report_not_the_help(slack, fake, bot):
    file = fake.file("contracts.csv", SLACK_ROWS.encode())
    dropped(slack, BUYER, file)
    assert [text for text in reports(fake, BUYER) if "I don't read messages here" in text] == []
    assert reports(fake, BUYER)[0].startswith("Imported contracts.csv")
