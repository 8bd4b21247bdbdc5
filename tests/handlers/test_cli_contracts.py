"""`tandem import-contracts`, `export-contracts` and `export-calendar`."""

import sqlite3

from icalendar import Calendar

from handlers.cli import main
from tests.conftest import BUYER, IT
from tests.contract_samples import GOOD_ROWS, csv_file


def rows(db_path):
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select vendor, product, end_date, seats from contracts order by id").fetchall()


def test_import_export_and_calendar(tmp_path, capsys):
    env = {"TANDEM_DB": str(tmp_path / "t.db")}
    source = tmp_path / "contracts.csv"
    source.write_text("\ufeff" + csv_file(*GOOD_ROWS), encoding="utf-8")  # as spreadsheets save it
    assert main(["import-contracts", str(source)], environ=env) == 0
    assert capsys.readouterr().out == (
        f"Imported {source}: 3 added, 0 updated, 0 unchanged.\n"
        "note: These owners match no chat account, so they get no reminders until the contract names their chat "
        "user (or the file is imported with Slack connected): it@example.com (row 3).\n"
    ), "an owner given as an e-mail address nobody has in chat is named, with its row"

    exported = tmp_path / "out.csv"
    assert main(["export-contracts", str(exported)], environ=env) == 0
    assert capsys.readouterr().out == f"Exported 3 contracts to {exported}.\n"
    assert main(["import-contracts", str(exported)], environ=env) == 0
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out

    again = tmp_path / "again.csv"
    fresh = {"TANDEM_DB": str(tmp_path / "fresh.db")}
    assert main(["import-contracts", str(exported)], environ=fresh) == 0
    assert main(["export-contracts", str(again)], environ=fresh) == 0
    assert again.read_bytes() == exported.read_bytes(), "export → import → export is stable"

    ics = tmp_path / "contracts.ics"
    assert main(["export-calendar", str(ics)], environ=env) == 0
    assert capsys.readouterr().out.endswith(f"Wrote 6 events to {ics}.\n")
    uids = sorted(str(e["UID"]) for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    assert uids == [f"contract-{n}-{kind}@tandem.localhost" for n in (1, 2, 3) for kind in ("end", "notice")]


def test_a_bad_file_prints_every_problem_and_stores_nothing(tmp_path, capsys):
    env = {"TANDEM_DB": str(tmp_path / "t.db")}
    good = tmp_path / "good.csv"
    good.write_text(csv_file(GOOD_ROWS[0]))
    assert main(["import-contracts", str(good)], environ=env) == 0
    before = rows(env["TANDEM_DB"])
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_file(
        GOOD_ROWS[0].replace(",50,", ",80,"),
        f"Miro,Team,{IT},{BUYER},2026-01-01,2026-13-01,30,no,12,,USD,,",
        "Figma,Org,,,,2027-01-01,30,no",
    ))
    capsys.readouterr()
    assert main(["import-contracts", str(bad)], environ=env) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "row 3, column end_date: '2026-13-01' is not a date; use YYYY-MM-DD, for example 2027-03-31.\n"
        "row 4: has 8 columns; the header has 13.\n"
        "tandem: nothing was imported (2 problems).\n"
    )
    assert rows(env["TANDEM_DB"]) == before


def test_a_missing_file_is_reported(tmp_path, capsys):
    assert main(["import-contracts", str(tmp_path / "nope.csv")], environ={"TANDEM_DB": str(tmp_path / "t.db")}) == 1
    assert "tandem: cannot read" in capsys.readouterr().err


def test_export_calendar_counts_events_not_the_words_in_notes(tmp_path, capsys):
    env = {"TANDEM_DB": str(tmp_path / "t.db")}
    source = tmp_path / "contracts.csv"
    source.write_text(csv_file("Zoom,Business,,,,2027-01-15,30,yes,12,,USD,,Pasted: BEGIN:VEVENT END:VEVENT"))
    assert main(["import-contracts", str(source)], environ=env) == 0
    ics = tmp_path / "contracts.ics"
    assert main(["export-calendar", str(ics)], environ=env) == 0
    assert capsys.readouterr().out.endswith(f"Wrote 2 events to {ics}.\n")
    assert ics.read_bytes().count(b"BEGIN:VEVENT") == 4, "the note (in both events) says it too: counting text would say 4"
