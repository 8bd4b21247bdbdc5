"""The .ics export, read back with the icalendar library."""

from datetime import date, timedelta

from icalendar import Calendar

from tests.conftest import BUYER, IT
from tests.contract_samples import contract_form


def events_by_uid(content: bytes) -> dict:
    calendar = Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_one_all_day_event_per_notice_deadline_and_per_end_date(core):
    core.contracts.add(BUYER, contract_form())  # ends 2027-01-15, notice deadline 2026-12-16
    core.contracts.add(BUYER, contract_form(vendor="Miro", product="Team", end_date="2028-03-01", notice_days="1",
                                            auto_renew="no", it_owner="", annual_cost=""))
    content = core.contracts.calendar(IT)
    calendar = Calendar.from_ical(content)
    assert str(calendar["PRODID"]) == "-//Tandem//Contract calendar//EN"
    events = events_by_uid(content)
    assert sorted(events) == [
        "contract-1-end@tandem.localhost", "contract-1-notice@tandem.localhost", "contract-2-end@tandem.localhost", "contract-2-notice@tandem.localhost",
    ]
    expected = {
        "contract-1-notice@tandem.localhost": (date(2026, 12, 16), "Notice deadline: Zoom Business"),
        "contract-1-end@tandem.localhost": (date(2027, 1, 15), "Contract ends: Zoom Business"),
        "contract-2-notice@tandem.localhost": (date(2028, 2, 29), "Notice deadline: Miro Team"),
        "contract-2-end@tandem.localhost": (date(2028, 3, 1), "Contract ends: Miro Team"),
    }
    for uid, (day, summary) in expected.items():
        event = events[uid]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and start == day, "an all-day event: a date, not a datetime"
        assert end == day + timedelta(days=1)
        assert str(event["SUMMARY"]) == summary
    zoom = str(events["contract-1-notice@tandem.localhost"]["DESCRIPTION"])
    assert f"IT owner: {IT}" in zoom and f"Procurement owner: {BUYER}" in zoom
    assert "Annual cost: USD 12,000" in zoom and "renews for 12 months on 2027-01-15" in zoom
    miro = str(events["contract-2-end@tandem.localhost"]["DESCRIPTION"])
    assert "IT owner: none" in miro and "Annual cost: not given" in miro and "does not auto-renew" in miro


def test_re_exporting_keeps_the_same_uids_and_bytes(core, clock):
    core.contracts.add(BUYER, contract_form())
    first = core.contracts.calendar(IT)
    clock.advance(hours=3)
    assert core.contracts.calendar(IT) == first, "an unchanged calendar exports the same"
    core.contracts.edit(BUYER, 1, contract_form(end_date="2027-02-15"))
    events = events_by_uid(core.contracts.calendar(IT))
    assert sorted(events) == ["contract-1-end@tandem.localhost", "contract-1-notice@tandem.localhost"]
    assert events["contract-1-end@tandem.localhost"].decoded("DTSTART") == date(2027, 2, 15)


def test_only_deadlines_that_still_matter_are_exported(core):
    core.contracts.add(BUYER, contract_form(vendor="A"))
    core.contracts.add(BUYER, contract_form(vendor="B"))
    core.contracts.add(BUYER, contract_form(vendor="C"))
    core.contracts.add(BUYER, contract_form(vendor="D", end_date="2026-11-20", notice_days="1", auto_renew="no"))
    core.contracts.cancel(BUYER, 2)
    core.contracts.mark_renewed(BUYER, 3)
    core.contracts.roll(date(2026, 11, 21))  # D expires
    assert sorted(events_by_uid(core.contracts.calendar(IT))) == [
        "contract-1-end@tandem.localhost", "contract-1-notice@tandem.localhost",  # active: both
        "contract-2-end@tandem.localhost",  # cancelled: runs out on its end date, no decision left
        "contract-3-end@tandem.localhost",  # renewed: decided, the end date starts the next term
    ]
