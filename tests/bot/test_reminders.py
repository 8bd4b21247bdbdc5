"""Reminders: each threshold once, late data once, grouping, snooze and done, failures."""

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.errors import NotAllowed, NotFound
from bot.reminders import Kind, business_day_after, notice_threshold
from bot.schedule_service import IN_FLIGHT
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2, need
from tests.contract_samples import contract_form

TODAY = date(2026, 11, 16)  # the test clock's Monday


def deadline_in(days: int, **overrides) -> dict:
    """A contract whose notice deadline is ``days`` after the test clock's today."""
    return contract_form(end_date=(TODAY + timedelta(days=days)).isoformat(), notice_days="0",
                         start_date="2026-01-01", **overrides)


def sent(notifier, kind: Kind | None = None) -> list[tuple]:
    return [(r.kind.value, r.subject, r.threshold, r.person) for r in notifier.reminders()
            if kind is None or r.kind is kind]


def sweep_daily(core, clock, days: int) -> None:
    for _ in range(days):
        core.schedule.sweep()
        clock.advance(days=1)


def test_the_nearest_threshold_already_reached():
    assert notice_threshold(120, (90, 60, 30, 7)) is None
    assert notice_threshold(90, (90, 60, 30, 7)) == 90
    assert notice_threshold(61, (90, 60, 30, 7)) == 90
    assert notice_threshold(25, (90, 60, 30, 7)) == 30
    assert notice_threshold(0, (90, 60, 30, 7)) == 7
    assert notice_threshold(-1, (90, 60, 30, 7)) is None


def test_each_notice_threshold_fires_once_to_both_owners(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(120))
    sweep_daily(core, clock, 125)
    reminders = sent(notifier, Kind.NOTICE)
    assert Counter(reminders) == {("notice", "contract:1", str(t), who): 1 for t in (90, 60, 30, 7) for who in (IT, BUYER)}
    days_left = sorted({r.days for r in notifier.reminders()}, reverse=True)
    assert days_left == [90, 60, 30, 7], "each sent on the day its threshold is reached"


def test_late_data_fires_once_for_the_nearest_passed_threshold_only(core, clock, notifier):
    core.contracts.import_csv(ADMIN, "\n".join([
        "vendor,product,it_owner,procurement_owner,start_date,end_date,notice_days,auto_renew,term_months,"
        "annual_cost,currency,seats,notes",
        f"Zoom,Business,{IT},{BUYER},2026-01-01,{TODAY + timedelta(days=25)},0,yes,12,12000,USD,50,",
    ]))
    sweep_daily(core, clock, 30)
    assert Counter(sent(notifier)) == {("notice", "contract:1", t, who): 1 for t in ("30", "7") for who in (IT, BUYER)}
    first = [r for r in notifier.reminders() if r.threshold == "30"]
    assert {r.days for r in first} == {25}, "the 30-day reminder went out at once, 25 days before"


def test_a_passed_deadline_or_a_decided_contract_reminds_no_one(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(-1, vendor="Past"))
    core.contracts.add(BUYER, deadline_in(5, vendor="Decided"))
    core.contracts.mark_renewed(BUYER, 2)
    core.schedule.sweep()
    assert sent(notifier) == []


def test_one_dm_per_person_per_sweep_with_all_their_items(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(20))  # IT and BUYER own it
    core.requests.create(IT, need(title="Laptops", needed_by=(TODAY + timedelta(days=2)).isoformat()))
    clock.advance(days=2)  # Wednesday: the need is a business day old and due tomorrow
    core.schedule.sweep()
    dms = [call for call in notifier.calls if call[0] == "send_reminders"]
    assert sorted(call[1] for call in dms) == sorted([IT, BUYER, BUYER2, ADMIN]), "one DM each"
    by_person = {call[1]: sorted(r.kind.value for r in call[2]) for call in dms}
    assert by_person[IT] == ["needed_by", "notice"]
    assert by_person[BUYER] == ["notice", "unclaimed"]
    assert by_person[BUYER2] == ["unclaimed"]
    assert all(r.id for call in dms for r in call[2]), "every item names its ledger entry for the buttons"


def test_unclaimed_waits_one_business_day_and_weekends_do_not_count(core, clock, notifier):
    clock.set(datetime(2026, 11, 13, 17, 0, tzinfo=timezone.utc))  # Friday evening
    core.requests.create(IT, need(needed_by=""))
    for moment in (datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc), datetime(2026, 11, 16, 16, 59, tzinfo=timezone.utc)):
        clock.set(moment)
        core.schedule.sweep()
    assert sent(notifier) == [], "Monday before 17:00 is less than one business day after Friday 17:00"
    clock.set(datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc))
    core.schedule.sweep()
    core.schedule.sweep()
    assert sorted(sent(notifier)) == sorted(("unclaimed", "request:1", "1 business day", who)
                                            for who in (BUYER, BUYER2, ADMIN))
    utc = timezone.utc
    assert business_day_after(datetime(2026, 11, 14, 10, 0, tzinfo=utc), utc) == datetime(2026, 11, 17, 0, 0, tzinfo=utc)


def test_claiming_ends_the_unclaimed_reminders_and_unclaiming_starts_a_new_round(core, clock, notifier):
    core.requests.create(IT, need(needed_by=""))
    clock.advance(days=1, minutes=1)
    core.schedule.sweep()
    assert len(sent(notifier)) == 3
    core.requests.claim(BUYER, 1)
    core.requests.unclaim(BUYER, 1)
    clock.advance(hours=23)
    core.schedule.sweep()
    assert len(sent(notifier)) == 3, "new again for less than a business day: not yet"
    clock.advance(hours=2)
    core.schedule.sweep()
    assert len(sent(notifier)) == 6, "a business day after the unclaim, procurement hears again"


def test_a_quiet_claim_reminds_its_owner_once_and_activity_restarts_the_count(core, clock, notifier):
    core.requests.create(IT, need(needed_by=""))
    core.requests.claim(BUYER, 1)
    clock.advance(days=4)
    core.schedule.sweep()
    assert sent(notifier, Kind.STALE) == []
    clock.advance(days=1)  # five days without activity
    core.schedule.sweep()
    clock.advance(days=1)
    core.schedule.sweep()
    assert [(kind, who) for kind, _, _, who in sent(notifier, Kind.STALE)] == [("stale", BUYER)]
    assert notifier.reminders()[-1].days == 5
    core.requests.note(IT, 1, "Any news?", source="thread")  # a comment is activity
    clock.advance(days=4)
    core.schedule.sweep()
    assert len(sent(notifier, Kind.STALE)) == 1
    clock.advance(days=1)
    core.schedule.sweep()
    assert len(sent(notifier, Kind.STALE)) == 2, "quiet again for five days after the comment: a new reminder"


def test_a_pause_is_never_stale(core, clock, notifier):
    core.requests.create(IT, need(needed_by=""))
    core.requests.claim(BUYER, 1)
    core.requests.change_status(BUYER, 1, "on_hold")
    clock.advance(days=10)
    core.schedule.sweep()
    assert sent(notifier, Kind.STALE) == []


def test_needed_soon_goes_to_owner_and_requester_once(core, clock, notifier):
    core.requests.create(IT, need(needed_by=(TODAY + timedelta(days=5)).isoformat()))
    core.requests.claim(BUYER, 1)
    core.schedule.sweep()
    assert sent(notifier, Kind.NEEDED_BY) == []
    for _ in range(6):  # into the last three days, then overdue
        clock.advance(days=1)
        core.schedule.sweep()
    assert sorted(sent(notifier, Kind.NEEDED_BY)) == sorted([("needed_by", "request:1", "3", BUYER),
                                                             ("needed_by", "request:1", "3", IT)])
    core.requests.change_status(BUYER, 1, "sourcing")  # fulfilled or not, no repeat
    clock.advance(days=1)
    core.schedule.sweep()
    assert len(sent(notifier, Kind.NEEDED_BY)) == 2


def test_owners_stored_as_email_addresses_are_skipped(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(10, it_owner="it@example.com"))
    core.schedule.sweep()
    assert sent(notifier) == [("notice", "contract:1", "30", BUYER)]


def test_costs_in_a_notice_follow_each_persons_right_to_see_them(tmp_path, clock, notifier):
    from bot.config import Settings
    from bot.core import build_core

    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER,
                                  "TANDEM_HIDE_COSTS": "true"})
    core = build_core(settings, notifier, clock=clock)
    try:
        core.contracts.add(BUYER, deadline_in(10))
        core.schedule.sweep()
        visible = {r.person: r.costs_visible for r in notifier.reminders()}
        assert visible == {IT: False, BUYER: True}
    finally:
        core.close()


# --- snooze and done ---------------------------------------------------------------------------------


def test_snooze_brings_the_reminder_back_once_on_the_third_day(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(50))
    core.schedule.sweep()
    [mine] = [r for r in notifier.reminders() if r.person == IT]
    until = core.schedule.snooze(IT, mine.id).snoozed_until
    assert until == datetime(2026, 11, 19, 0, 0, tzinfo=timezone.utc)
    for _ in range(2):
        clock.advance(days=1)
        core.schedule.sweep()
    assert len([r for r in notifier.reminders() if r.person == IT]) == 1, "quiet while snoozed"
    clock.advance(days=1)  # Thursday 19 Nov, 09:00
    core.schedule.sweep()
    core.schedule.sweep()
    mine = [r for r in notifier.reminders() if r.person == IT]
    assert [(r.threshold, r.days) for r in mine] == [("60", 50), ("60", 47)], "back once after the snooze"
    assert len([r for r in notifier.reminders() if r.person == BUYER]) == 1, "the other owner was not affected"


def test_done_stops_that_reminder_for_that_person_only(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(31))
    core.schedule.sweep()  # the 60-day reminder (31 days left)
    [mine] = [r for r in notifier.reminders() if r.person == IT]
    core.schedule.done(IT, mine.id)
    sweep_daily(core, clock, 32)
    assert [r.threshold for r in notifier.reminders() if r.person == IT] == ["60"]
    assert [r.threshold for r in notifier.reminders() if r.person == BUYER] == ["60", "30", "7"]


def test_a_second_snooze_or_done_changes_nothing_and_snooze_after_done_keeps_it_done(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(50))
    core.schedule.sweep()
    [mine] = [r for r in notifier.reminders() if r.person == IT]
    first = core.schedule.snooze(IT, mine.id)
    clock.advance(days=1)
    again = core.schedule.snooze(IT, mine.id)
    assert first.changed and not again.changed and again.snoozed_until == first.snoozed_until, "not pushed back"
    assert core.schedule.done(IT, mine.id).changed, "Done after Snooze is a change"
    assert not core.schedule.done(IT, mine.id).changed
    after = core.schedule.snooze(IT, mine.id)
    assert (after.changed, after.done) == (False, True)
    sweep_daily(core, clock, 10)
    assert len([r for r in notifier.reminders() if r.person == IT]) == 1, "still done: nothing comes back"


def test_only_the_recipient_can_snooze_or_finish_a_reminder(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(10))
    core.schedule.sweep()
    [mine] = [r for r in notifier.reminders() if r.person == IT]
    with pytest.raises(NotAllowed, match="only they can snooze it"):
        core.schedule.snooze(IT2, mine.id)
    with pytest.raises(NotAllowed):
        core.schedule.done(BUYER, mine.id)
    with pytest.raises(NotFound):
        core.schedule.done(IT, 999)


# --- failures ----------------------------------------------------------------------------------------------


def test_a_failed_dm_does_not_stop_the_others_and_is_retried_next_sweep(core, clock, notifier):
    core.contracts.add(BUYER, deadline_in(10))
    notifier.unreachable = {IT}
    result = core.schedule.sweep()
    assert result.failed == {IT: "user_not_found"} and list(result.sent) == [BUYER]
    notifier.unreachable = set()
    clock.advance(days=1)
    result = core.schedule.sweep()
    assert list(result.sent) == [IT] and result.sent[IT][0].threshold == "30"
    clock.advance(days=1)
    core.schedule.sweep()
    assert Counter(sent(notifier)) == {("notice", "contract:1", "30", IT): 1, ("notice", "contract:1", "30", BUYER): 1}


class ProcessDied(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way catches it."""


def test_a_crash_between_decide_and_deliver_is_sent_once_later(core, clock, notifier, settings):
    from bot.core import build_core
    from storage import schedule as ledger
    from testing.notifier import RecordingNotifier

    core.contracts.add(BUYER, deadline_in(10))

    def die(user, reminders):
        raise ProcessDied()

    notifier.send_reminders = die
    with pytest.raises(ProcessDied):
        core.schedule.sweep()
    written = ledger.entries(core.store.db, "notice")
    assert len(written) == 2, "both owners' reminders were decided"
    assert all(not entry.delivered and entry.sending_by for entry in written), "in flight, not delivered"

    restarted = RecordingNotifier()
    again = build_core(settings, restarted, clock=clock)  # the process comes back on the same database
    try:
        again.schedule.sweep()
        assert sent(restarted) == [], "still in flight: the first process may yet finish"
        clock.advance(seconds=IN_FLIGHT.total_seconds() + 1)
        again.schedule.sweep()
        again.schedule.sweep()
        clock.advance(days=1)
        again.schedule.sweep()
        assert Counter(sent(restarted)) == {("notice", "contract:1", "30", IT): 1, ("notice", "contract:1", "30", BUYER): 1}
        assert all(entry.delivered for entry in ledger.entries(again.store.db, "notice"))
    finally:
        again.close()


def test_preview_shows_what_a_sweep_would_send_and_records_nothing(core, clock, notifier):
    from storage import schedule as ledger

    core.contracts.add(BUYER, deadline_in(10))
    preview = core.schedule.preview_reminders()
    assert {person: [r.threshold for r in items] for person, items in preview.items()} == {IT: ["30"], BUYER: ["30"]}
    assert notifier.reminders() == [] and ledger.entries(core.store.db) == []
    core.schedule.sweep()
    assert core.schedule.preview_reminders() == {}, "nothing left to send"
