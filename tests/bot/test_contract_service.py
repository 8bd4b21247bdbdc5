"""The contract service: permissions, the audit log, the daily roll, renewals, CSV import."""

import calendar
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.contract_calendar import SYSTEM
from bot.contract_sheets import ImportRejected
from bot.contracts import ContractStatus
from bot.core import build_core
from bot.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.notifier import LinkedContract
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2, need
from tests.contract_samples import GOOD_ROWS, contract_form, csv_file
from testing.notifier import RecordingNotifier


def events(core, contract_id):
    return [(e.action, e.actor, e.before, e.after) for e in core.contracts.show(IT, contract_id).events]


def snapshot(core):
    """Everything an import could change: every contract row and the size of the audit log."""
    db = core.store.db
    return list(db.query("select * from contracts order by id")), db.execute("select count(*) from events").fetchone()[0]


# --- adding, editing, permissions ---------------------------------------------------------------


def test_procurement_adds_a_contract_and_the_audit_log_says_so(core):
    contract = core.contracts.add(BUYER, contract_form())
    assert (contract.id, contract.status, contract.notice_deadline) == (1, ContractStatus.ACTIVE, date(2026, 12, 16))
    assert contract.annual_cost == Decimal("12000.00") and contract.owners == (IT, BUYER)
    [(action, actor, before, after)] = events(core, 1)
    assert (action, actor, before) == ("added", BUYER, {})
    assert after["vendor"] == "Zoom" and after["end_date"] == "2027-01-15" and after["status"] == "active"


def test_only_procurement_adds_contracts(core):
    with pytest.raises(NotAllowed, match="Only procurement members can add contracts."):
        core.contracts.add(IT, contract_form())
    assert core.contracts.all() == []


def test_a_second_contract_for_the_same_vendor_and_product_is_refused(core):
    core.contracts.add(BUYER, contract_form())
    with pytest.raises(BadInput, match=r"already a contract for Zoom Business \(contract 1\)"):
        core.contracts.add(BUYER2, contract_form(vendor=" zoom", product="BUSINESS "))
    core.contracts.add(BUYER2, contract_form(product="Webinars"))
    assert [c.name for c in core.contracts.all()] == ["Zoom Business", "Zoom Webinars"]


def test_the_owners_and_procurement_may_change_a_contract_others_only_view(core):
    core.contracts.add(BUYER, contract_form(it_owner=IT, procurement_owner=BUYER))
    for refused in (
        lambda: core.contracts.edit(IT2, 1, contract_form(notice_days="60")),
        lambda: core.contracts.cancel(IT2, 1),
        lambda: core.contracts.mark_renewed(IT2, 1),
        lambda: core.contracts.start_renewal(IT2, 1),
        lambda: core.contracts.edit_form(IT2, 1),
    ):
        with pytest.raises(NotAllowed, match="Only procurement members and the contract's owners can change contract 1."):
            refused()
    assert core.contracts.get(1).status is ContractStatus.ACTIVE
    assert [e[0] for e in events(core, 1)] == ["added"], "a refusal changes nothing"
    # Anyone may look.
    assert core.contracts.show(IT2, 1).contract.vendor == "Zoom"
    assert [d.contract.id for d in core.contracts.upcoming(IT2, 90)] == [1]
    # The IT owner (a plain requester otherwise) may change it, and so may any procurement member.
    assert core.contracts.edit(IT, 1, contract_form(notice_days="60")).notice_days == 60
    assert core.contracts.edit_form(BUYER2, 1)["notice_days"] == "60"
    assert core.contracts.mark_renewed(BUYER2, 1).status is ContractStatus.RENEWED
    assert core.contracts.cancel(ADMIN, 1).status is ContractStatus.CANCELLED


def test_an_edit_records_only_what_changed(core):
    core.contracts.add(BUYER, contract_form())
    core.contracts.edit(BUYER, 1, contract_form(end_date="2027-03-31", seats="60"))
    assert events(core, 1)[-1] == (
        "edited", BUYER, {"end_date": "2027-01-15", "seats": 50}, {"end_date": "2027-03-31", "seats": 60},
    )
    core.contracts.edit(BUYER, 1, contract_form(end_date="2027-03-31", seats="60"))
    assert len(events(core, 1)) == 2, "saving the same values writes no event"
    with pytest.raises(BadInput) as caught:
        core.contracts.edit(BUYER, 1, contract_form(end_date="2026-13-01", auto_renew="sometimes"))
    assert set(caught.value.errors) == {"end_date", "auto_renew"}
    assert core.contracts.get(1).end_date == date(2027, 3, 31)


def test_cancel_and_renewed_follow_the_status_flow(core):
    core.contracts.add(BUYER, contract_form())
    core.contracts.cancel(BUYER, 1)
    with pytest.raises(InvalidTransition, match=r"Zoom Business \(contract 1\) is already cancelled."):
        core.contracts.cancel(BUYER, 1)
    with pytest.raises(InvalidTransition, match="is cancelled; it can no longer change status"):
        core.contracts.mark_renewed(BUYER, 1)
    with pytest.raises(InvalidTransition, match="only an active contract can start a renewal"):
        core.contracts.start_renewal(BUYER, 1)
    assert events(core, 1)[-1] == ("cancelled", BUYER, {"status": "active"}, {"status": "cancelled"})
    with pytest.raises(NotFound, match="There is no contract 7."):
        core.contracts.cancel(BUYER, 7)


# --- the daily roll ------------------------------------------------------------------------------


def test_the_roll_moves_auto_renewing_contracts_on_and_expires_the_others(core):
    core.contracts.add(BUYER, contract_form(vendor="Zoom", end_date="2026-11-30", notice_days="10"))
    core.contracts.add(BUYER, contract_form(vendor="Miro", end_date="2026-11-30", notice_days="10", auto_renew="no"))
    core.contracts.add(BUYER, contract_form(vendor="Figma", end_date="2026-12-01", notice_days="10", auto_renew="no"))
    result = core.contracts.roll(date(2026, 12, 1))
    assert [c.vendor for c in result.rolled] == ["Zoom"] and [c.vendor for c in result.expired] == ["Miro"]
    zoom, miro, figma = (core.contracts.get(n) for n in (1, 2, 3))
    assert (zoom.end_date, zoom.status) == (date(2027, 11, 30), ContractStatus.ACTIVE)
    assert (miro.end_date, miro.status) == (date(2026, 11, 30), ContractStatus.EXPIRED)
    assert (figma.end_date, figma.status) == (date(2026, 12, 1), ContractStatus.ACTIVE), "ends today: still running"
    assert events(core, 1)[-1] == ("rolled forward", SYSTEM, {"end_date": "2026-11-30"}, {"end_date": "2027-11-30"})
    assert events(core, 2)[-1] == ("expired", SYSTEM, {"status": "active"}, {"status": "expired"})
    again = core.contracts.roll(date(2026, 12, 1))
    assert again.rolled == [] and again.expired == [] and len(events(core, 1)) == 2, "a second roll the same day is a no-op"


def month_end_safe(origin: date, months: int) -> date:
    """The end date ``months`` after ``origin``, by the README's rule, worked out here: a day the
    target month lacks becomes its last day, and a last day of a month stays a last day."""
    year, month = divmod(origin.year * 12 + origin.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_end = origin.day == calendar.monthrange(origin.year, origin.month)[1]
    return date(year, month + 1, last if at_end else min(origin.day, last))


def roll_daily(core, start: date, stop: date) -> dict[int, list[date]]:
    """Runs the daily roll on every day from ``start`` to ``stop``, as the schedule does, and
    returns each contract's end dates in the order they were stored."""
    seen: dict[int, list[date]] = {c.id: [c.end_date] for c in core.contracts.all()}
    day = start
    while day <= stop:
        core.contracts.roll(day)
        for contract in core.contracts.all():
            if seen[contract.id][-1] != contract.end_date:
                seen[contract.id].append(contract.end_date)
        day += timedelta(days=1)
    return seen


# Monthly and quarterly terms from days 29, 30 and 31, across a non-leap (2027) and a leap (2028)
# February, and yearly terms from the end of February.
DRIFT_CASES = [(date(year, month, day), term) for year in (2027, 2028) for month, term in ((1, 1), (11, 3))
               for day in (29, 30, 31) if not (month == 11 and day == 31)]
DRIFT_CASES += [(date(2027, 2, 28), 12), (date(2028, 2, 29), 12), (date(2027, 3, 29), 11), (date(2027, 3, 30), 11)]


def test_the_daily_roll_counts_every_term_from_the_end_date_that_was_set_so_month_ends_never_drift(core, clock):
    for number, (end, term) in enumerate(DRIFT_CASES):
        core.contracts.add(BUYER, contract_form(vendor=f"Vendor {number}", end_date=end.isoformat(),
                                                term_months=str(term), notice_days="0", start_date=""))
    last = date(2033, 3, 31)
    seen = roll_daily(core, date(2026, 12, 1), last)
    for number, (end, term) in enumerate(DRIFT_CASES, start=1):
        expected, terms = [end], 1
        while expected[-1] < last:  # the roll moves an end date on the day after it
            expected.append(month_end_safe(end, term * terms))
            terms += 1
        assert seen[number] == expected, f"{end} every {term} months"
    # The cases the rule is about, spelled out: Jan 30 → Feb 28 → Mar 30 (not Mar 31), in a
    # leap year Jan 29 → Feb 29 → Mar 29, and quarterly Nov 29 → Feb 29 → May 29.
    by_case = {case: seen[number] for number, case in enumerate(DRIFT_CASES, start=1)}
    assert by_case[(date(2027, 1, 30), 1)][:3] == [date(2027, 1, 30), date(2027, 2, 28), date(2027, 3, 30)]
    assert by_case[(date(2028, 1, 29), 1)][:3] == [date(2028, 1, 29), date(2028, 2, 29), date(2028, 3, 29)]
    assert by_case[(date(2027, 11, 29), 3)][:3] == [date(2027, 11, 29), date(2028, 2, 29), date(2028, 5, 29)]


def test_a_new_end_date_or_term_is_where_the_terms_count_from_again(core):
    core.contracts.add(BUYER, contract_form(end_date="2027-01-30", term_months="1", notice_days="0"))
    roll_daily(core, date(2027, 1, 31), date(2027, 2, 5))
    assert core.contracts.get(1).end_date == date(2027, 2, 28)
    core.contracts.edit(BUYER, 1, contract_form(end_date="2027-03-15", term_months="1", notice_days="0"))
    seen = roll_daily(core, date(2027, 3, 1), date(2027, 5, 20))
    assert seen[1] == [date(2027, 3, 15), date(2027, 4, 15), date(2027, 5, 15), date(2027, 6, 15)]
    core.contracts.edit(BUYER, 1, contract_form(end_date="2027-06-15", term_months="2", notice_days="0"))
    seen = roll_daily(core, date(2027, 6, 1), date(2027, 8, 20))
    assert seen[1] == [date(2027, 6, 15), date(2027, 8, 15), date(2027, 10, 15)]


def test_a_renewed_contract_starts_its_new_term_as_active(core):
    core.contracts.add(BUYER, contract_form(end_date="2026-11-30", notice_days="10", auto_renew="no"))
    core.contracts.mark_renewed(BUYER, 1)
    core.contracts.roll(date(2026, 12, 5))
    contract = core.contracts.get(1)
    assert (contract.end_date, contract.status) == (date(2027, 11, 30), ContractStatus.ACTIVE)
    assert events(core, 1)[-1][2:] == (
        {"end_date": "2026-11-30", "status": "renewed"}, {"end_date": "2027-11-30", "status": "active"},
    )


def test_what_people_see_is_rolled_to_today_in_the_team_time_zone(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER,
                                  "TANDEM_TIMEZONE": "Pacific/Auckland"})
    core = build_core(settings, RecordingNotifier(), clock=clock)
    try:
        core.contracts.add(BUYER, contract_form(end_date="2026-11-30", notice_days="10"))
        clock.set(datetime(2026, 11, 30, 10, 59, tzinfo=timezone.utc))  # 23:59 on Nov 30 in Auckland
        assert core.contracts.get(1).end_date == date(2026, 11, 30)
        clock.set(datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc))  # but already Dec 1 there
        assert core.contracts.get(1).end_date == date(2027, 11, 30)
        assert core.contracts.show(IT, 1).events[-1].actor == SYSTEM
    finally:
        core.close()


# --- upcoming deadlines ----------------------------------------------------------------------------


def test_upcoming_lists_deadlines_within_the_days_soonest_first(core):
    core.contracts.import_csv(ADMIN, csv_file(*GOOD_ROWS))
    core.contracts.add(BUYER, contract_form(vendor="Miro", end_date="2026-12-16", notice_days="0"))  # deadline in 30 days
    core.contracts.add(BUYER, contract_form(vendor="Figma", end_date="2026-12-01", notice_days="16"))  # missed yesterday
    core.contracts.add(BUYER, contract_form(vendor="Notion", end_date="2026-12-01", notice_days="10"))
    core.contracts.cancel(BUYER, core.contracts.active_for_vendor("notion").id)
    listed = [(d.contract.vendor, d.notice_deadline, d.days_left) for d in core.contracts.upcoming(IT, 30)]
    assert listed == [
        ("Figma", date(2026, 11, 15), -1),  # missed: passed, but it runs to 2026-12-01; listed first
        ("Atlassian", date(2026, 11, 20), 4),
        ("Miro", date(2026, 12, 16), 30),  # the last day is included, ties go by vendor
        ("Zoom", date(2026, 12, 16), 30),
    ]
    assert [d.contract.vendor for d in core.contracts.upcoming(IT, 3)] == ["Figma"], "a missed one, whatever the days"
    assert [d.contract.vendor for d in core.contracts.upcoming(IT, 200)][-1] == "Slack"


# --- renewals and linked needs -------------------------------------------------------------------


def test_start_renewal_opens_a_linked_request_and_marks_the_contract_renewing(core, notifier):
    core.contracts.add(BUYER, contract_form())
    notifier.calls.clear()
    renewal = core.contracts.start_renewal(IT, 1)  # the IT owner
    request, contract = renewal.request, renewal.contract
    assert contract.status is ContractStatus.RENEWING
    assert (request.contract_id, request.requester, request.preferred_vendor) == (1, IT, "Zoom")
    assert request.title == "Renew Zoom Business" and request.needed_by == date(2026, 12, 16)
    assert (request.quantity, request.estimated_cost, request.urgency.value) == (50, Decimal("12000.00"), "high")
    [card] = [call for call in notifier.calls if call[0] == "post_card"]
    assert card[1].id == request.id
    assert card[2] == LinkedContract(1, "Zoom", "Business", date(2027, 1, 15), date(2026, 12, 16), 30, True)
    assert events(core, 1)[-1] == ("renewal started", IT, {"status": "active"}, {"status": "renewing"})
    assert [r.id for r in core.contracts.show(IT2, 1).requests] == [request.id]
    with pytest.raises(InvalidTransition, match=r"already being renewed in request #1"):
        core.contracts.start_renewal(BUYER, 1)
    assert core.requests.list(IT, "all").total == 1


def test_a_need_for_a_vendor_under_contract_is_linked_and_its_card_shows_the_deadline(core, notifier):
    core.contracts.add(BUYER, contract_form(vendor="Zoom Video", product="Business"))
    core.contracts.add(BUYER, contract_form(vendor="Miro", end_date="2026-11-30", notice_days="0", auto_renew="no"))
    request = core.requests.create(IT, need(preferred_vendor="  zoom VIDEO "))
    assert request.contract_id == 1
    linked = notifier.calls[0][2]
    assert (linked.id, linked.notice_deadline, linked.days_left, linked.auto_renew) == (1, date(2026, 12, 16), 30, True)
    assert core.requests.create(IT, need(preferred_vendor="Zoom")).contract_id is None, "names match whole, not in part"
    core.contracts.roll(date(2026, 12, 1))  # Miro expires
    assert core.requests.create(IT, need(preferred_vendor="miro")).contract_id is None
    assert core.requests.create(IT, need(preferred_vendor="")).contract_id is None


def test_a_card_follows_its_contract_and_falls_back_to_the_vendor(core, notifier):
    core.contracts.add(BUYER, contract_form())
    request = core.requests.create(IT, need(preferred_vendor="Zoom"))
    core.contracts.cancel(BUYER, 1)
    assert core.contracts.linked(core.requests.get(request.id)) is None, "a cancelled contract is no longer shown"
    core.contracts.add(BUYER, contract_form(product="Rooms", end_date="2027-06-30"))
    assert core.contracts.linked(core.requests.get(request.id)).id == 2


# --- CSV import and export --------------------------------------------------------------------------


def test_import_adds_contracts_in_one_go_and_audits_each(core):
    result = core.contracts.import_csv(ADMIN, csv_file(*GOOD_ROWS))
    assert (result.added, result.updated, result.unchanged) == (3, 0, 0)
    jira = core.contracts.active_for_vendor("ATLASSIAN")
    assert (jira.it_owner, jira.term_months, jira.annual_cost, jira.currency) == (
        "it@example.com", 12, Decimal("24000.50"), "EUR",
    )
    assert jira.notes == "Renegotiate seats\nbefore Q1"
    assert [e[:2] for e in events(core, jira.id)] == [("imported", ADMIN)]


def test_only_procurement_and_admins_import(core):
    with pytest.raises(NotAllowed, match="Only procurement members can add contracts."):
        core.contracts.import_csv(IT, csv_file(*GOOD_ROWS))
    assert core.contracts.all() == []
    assert str(core.contracts.import_csv(BUYER, csv_file(*GOOD_ROWS))) == "3 added, 0 updated, 0 unchanged"


def test_a_re_import_updates_the_same_vendor_and_product_instead_of_duplicating(core):
    core.contracts.import_csv(ADMIN, csv_file(*GOOD_ROWS))
    zoom_row = GOOD_ROWS[0].replace("Zoom,Business", "ZOOM,  business").replace(",50,", ",75,")
    result = core.contracts.import_csv(ADMIN, csv_file(zoom_row, *GOOD_ROWS[1:]))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 2)
    assert len(core.contracts.all()) == 3
    zoom = core.contracts.get(1)
    assert (zoom.vendor, zoom.product, zoom.seats) == ("ZOOM", "business", 75), "the file is the truth"
    assert events(core, 1)[-1] == ("updated by import", ADMIN,
                                   {"product": "Business", "seats": 50, "vendor": "Zoom"},
                                   {"product": "business", "seats": 75, "vendor": "ZOOM"})


def test_a_re_import_keeps_the_status_but_revives_an_expired_contract_given_a_new_end_date(core):
    core.contracts.add(BUYER, contract_form(vendor="Miro", end_date="2026-11-30", notice_days="0", auto_renew="no"))
    core.contracts.add(BUYER, contract_form(vendor="Figma"))
    core.contracts.cancel(BUYER, 2)
    core.contracts.roll(date(2026, 12, 1))
    assert core.contracts.get(1).status is ContractStatus.EXPIRED
    rows = [",".join(core.contracts.export_csv().splitlines()[n].split(",")) for n in (1, 2)]
    rows = [row.replace("2026-11-30", "2027-11-30") for row in rows]
    core.contracts.import_csv(ADMIN, csv_file(*rows))
    assert core.contracts.get(1).status is ContractStatus.ACTIVE
    assert core.contracts.get(2).status is ContractStatus.CANCELLED


BAD_FILES = {
    "bad date": GOOD_ROWS[0].replace("2027-01-15", "2027-01-32"),
    "notice longer than the contract": GOOD_ROWS[0].replace(",30,yes,", ",400,yes,"),
    "unknown owner": GOOD_ROWS[0].replace(IT, "somebody"),
    "wrong column count": GOOD_ROWS[0] + ",extra",
    "duplicate rows": GOOD_ROWS[2].replace("Slack,Pro", "slack,PRO"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_file_with_any_bad_row_stores_nothing(core, kind):
    core.contracts.import_csv(ADMIN, csv_file(*GOOD_ROWS))
    before = snapshot(core)
    # A good update of every contract, a new contract, and one bad row at the end.
    changed = (
        GOOD_ROWS[0].replace(",50,", ",99,"),
        GOOD_ROWS[1].replace("EUR", "GBP"),  # its notes span two lines: 3 and 4
        GOOD_ROWS[2].replace("2027-05-31", "2027-06-30"),
    )
    text = csv_file(*changed, "Miro,Team,,,,2027-02-01,30,no,12,,USD,,", BAD_FILES[kind])
    with pytest.raises(ImportRejected) as caught:
        core.contracts.import_csv(ADMIN, text)
    [problem] = caught.value.problems
    assert problem.line == 6, "the spreadsheet row (a cell spanning two lines is one row)"
    assert snapshot(core) == before


def test_a_file_without_its_header_stores_nothing(core):
    before = snapshot(core)
    with pytest.raises(ImportRejected) as caught:
        core.contracts.import_csv(ADMIN, "\n".join(GOOD_ROWS))
    assert str(caught.value.problems[0]).startswith("row 1: row 1 must be the header vendor,product,")
    assert snapshot(core) == before


def test_a_failure_while_storing_rolls_the_whole_import_back(core, monkeypatch):
    from storage import contracts as repo

    core.contracts.import_csv(ADMIN, csv_file(GOOD_ROWS[0]))
    before = snapshot(core)
    original, calls = repo.insert_contract, []

    def insert_then_fail(db, contract):
        calls.append(contract.vendor)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(db, contract)

    monkeypatch.setattr(repo, "insert_contract", insert_then_fail)
    with pytest.raises(RuntimeError):
        core.contracts.import_csv(ADMIN, csv_file(GOOD_ROWS[0].replace(",50,", ",70,"), *GOOD_ROWS[1:]))
    assert calls == ["Atlassian", "Slack"]
    assert snapshot(core) == before


def test_export_then_import_round_trips_to_the_same_data(core, tmp_path, clock):
    core.contracts.import_csv(ADMIN, csv_file(*GOOD_ROWS))
    core.contracts.add(BUYER, contract_form(vendor='Acme, "the best"', product="Café ☕", notes="a,b\nc",
                                            annual_cost="0", start_date="", seats=""))
    exported = core.contracts.export_csv()
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "other.db"), "TANDEM_ADMINS": ADMIN})
    other = build_core(settings, RecordingNotifier(), clock=clock)
    try:
        assert other.contracts.import_csv(ADMIN, exported).added == 4
        assert other.contracts.export_csv() == exported
        def fields(c):
            return {**c.__dict__, "id": None, "created_at": None, "updated_at": None}
        assert [fields(c) for c in other.contracts.all()] == [fields(c) for c in core.contracts.all()]
    finally:
        other.close()
    assert core.contracts.import_csv(ADMIN, exported).unchanged == 4, "re-importing an export changes nothing"


def test_e_mail_owners_are_resolved_through_the_directory_once_each(tmp_path, clock):
    asked = []

    def lookup(email):
        asked.append(email)
        return {"it@example.com": "U0IT000001"}.get(email)

    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_ADMINS": ADMIN})
    core = build_core(settings, RecordingNotifier(), clock=clock, resolve_email=lookup)
    try:
        rows = (GOOD_ROWS[1], GOOD_ROWS[0].replace(IT, "IT@example.com"))
        core.contracts.import_csv(ADMIN, csv_file(*rows))
        assert {c.it_owner for c in core.contracts.all()} == {"U0IT000001"}
        assert asked == ["it@example.com"]
        with pytest.raises(ImportRejected) as caught:
            core.contracts.import_csv(ADMIN, csv_file(GOOD_ROWS[2].replace("Pro,,", "Pro,nobody@example.com,")))
        assert str(caught.value.problems[0]) == (
            "row 2, column it_owner: Unknown owner: nobody in chat has the e-mail address nobody@example.com."
        )
    finally:
        core.close()


def test_costs_are_hidden_from_requesters_when_configured(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER,
                                  "TANDEM_HIDE_COSTS": "true"})
    core = build_core(settings, RecordingNotifier(), clock=clock)
    try:
        core.contracts.add(BUYER, contract_form())
        assert core.contracts.show(IT, 1).costs_visible is False
        assert core.contracts.show(BUYER, 1).costs_visible is True
        assert b"Annual cost" not in core.contracts.calendar(IT)
        assert b"Annual cost: USD 12\\,000" in core.contracts.calendar(BUYER)
    finally:
        core.close()


def test_fulfilling_the_renewal_request_marks_the_contract_renewed(core):
    core.contracts.add(BUYER, contract_form(annual_cost="900"))  # below the approval threshold
    request = core.contracts.start_renewal(IT, 1).request
    core.requests.claim(BUYER, request.id)
    for status in ("sourcing", "approved", "ordered"):
        core.requests.change_status(BUYER, request.id, status)
        assert core.contracts.get(1).status is ContractStatus.RENEWING, "not before it is fulfilled"
    core.requests.change_status(BUYER, request.id, "fulfilled")
    assert core.contracts.get(1).status is ContractStatus.RENEWED
    assert events(core, 1)[-1] == (f"renewed (#{request.id} fulfilled)", "tandem", {"status": "renewing"},
                                   {"status": "renewed"})


def test_editing_a_needs_vendor_re_links_it(core):
    core.contracts.add(BUYER, contract_form(vendor="Zoom"))
    core.contracts.add(BUYER, contract_form(vendor="Miro", product="Team"))
    request = core.requests.create(IT, need(preferred_vendor="Zoom"))
    assert request.contract_id == 1
    assert core.requests.edit(IT, request.id, need(preferred_vendor="miro")).contract_id == 2
    assert core.requests.edit(IT, request.id, need(preferred_vendor="Nobody Inc")).contract_id is None
