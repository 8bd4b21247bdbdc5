"""The sync meeting: the agenda once before it, decisions, action items reminded until done."""

from datetime import datetime, timezone

import pytest

from bot import commands, dispatch
from bot.config import Settings
from bot.core import build_core
from bot.errors import BadInput, InvalidTransition, NotAllowed
from bot.schedule import Schedule
from storage import sync as sync_repo
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from tests.contract_samples import contract_form
from testing.notifier import RecordingNotifier
from bot.markup import mention

UTC = timezone.utc


@pytest.fixture
def setup(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER,
                                  "TANDEM_ADMINS": ADMIN, "TANDEM_SYNC_CRON": "0 14 * * THU"})
    notifier = RecordingNotifier()
    core = build_core(settings, notifier, clock=clock)
    yield core, notifier, Schedule(core, holder="A")
    core.close()


def run(core, actor, text):
    return dispatch.run(core, actor, commands.parse(text))


def briefings(notifier, kind="post_briefing"):
    return [call for call in notifier.calls if call[0] == kind]


def lines(briefing) -> dict[str, tuple[str, ...]]:
    return {section.title: section.lines or (section.empty,) for section in briefing.sections}


def test_the_agenda_goes_out_once_two_hours_before_the_meeting(setup, clock):
    core, notifier, schedule = setup
    core.contracts.add(BUYER, contract_form())  # notice deadline 2026-12-16
    waiting = core.requests.create(IT, need(title="Laptops")).id
    secret = core.requests.create(IT2, need(title="Payroll system", sensitivity="confidential")).id
    core.requests.claim(BUYER, secret)
    core.requests.change_status(BUYER, secret, "awaiting_it")
    clock.set(datetime(2026, 11, 19, 11, 59, tzinfo=UTC))
    schedule.tick()
    assert briefings(notifier) == []
    clock.set(datetime(2026, 11, 19, 12, 0, tzinfo=UTC))
    schedule.tick()
    clock.advance(minutes=30)
    schedule.tick()
    [(_, agenda)] = briefings(notifier)
    assert agenda.title == "Sync meeting agenda · Thu 19 Nov 14:00"
    assert [section.title for section in agenda.sections][0] == "Open action items"
    assert lines(agenda) == {
        "Open action items": ("No open action items.",),
        "Notice deadlines: missed, and the next 30 days": (
            "Zoom Business (contract 1) — notice deadline 2026-12-16, in 27 days",),
        "Waiting on IT the longest": (f"#{secret} Confidential request — 3 days, requested by {mention(IT2)}",),
        "Waiting on procurement the longest": (f"#{waiting} Laptops — 3 days, new, unclaimed",),
        "Approvals pending": ("No approvals pending.",),
        "Quiet claims": ("No quiet claims.",),
        "Lowest in the latest check-up": ("No check-up results yet (from 3 answers up).",),
    }
    # The requester sees their own confidential need in the preview; the channel never does.
    preview = run(core, IT2, "agenda").briefing
    assert lines(preview)["Waiting on IT the longest"][0].startswith(f"#{secret} Payroll system")


def test_decisions_and_action_items_reminded_until_done(setup, clock):
    core, notifier, schedule = setup
    clock.set(datetime(2026, 11, 19, 12, 0, tzinfo=UTC))
    schedule.tick()  # the agenda: the meeting of 19 Nov is on
    clock.set(datetime(2026, 11, 19, 14, 20, tzinfo=UTC))
    assert run(core, BUYER, "decide Renew Zoom for one year only").text == \
        "Decision 1 recorded: Renew Zoom for one year only"
    told = run(core, BUYER, f"action {mention(IT)} Ask security for the <b>SOC 2</b> report by 2026-11-24")
    assert told.text == (f"Action item 1 for {mention(IT)} by 2026-11-24: Ask security for the <b>SOC 2</b> report. "
                         f"They are reminded by DM until it is marked done.")
    run(core, IT, f"action {BUYER} Send the renewal quote")
    [(_, person, first)] = briefings(notifier, "send_briefing")[:1]
    assert person == IT and first.title == "A new action item for you"
    meeting = core.sync.current_meeting(clock.now())
    assert [d.meeting_id for d in sync_repo.decisions_between(core.store.db, meeting.at.replace(hour=0),
                                                               clock.now())] == [meeting.id]
    for bad, message in [("action nobody@example.com Do it", "not someone I know"),
                         (f"action {IT} Do it by 2026-11-01", "has passed"),
                         (f"action {IT}", "who and what"), ("decide", "the decision")]:
        with pytest.raises(BadInput, match=message):
            run(core, BUYER, bad)

    def reminded(day, hour=9):
        clock.set(datetime(2026, 11, day, hour, 0, tzinfo=UTC))
        before = len(briefings(notifier, "send_briefing"))
        schedule.tick()
        schedule.tick()  # a second tick the same morning sends nothing more
        return [(call[1], call[2].sections[0].lines) for call in briefings(notifier, "send_briefing")[before:]]

    assert reminded(20) == []  # due in 4 days: not yet
    assert reminded(23) == [(IT, (f"1. {mention(IT)} — Ask security for the <b>SOC 2</b> report (due 2026-11-24)",))]
    assert reminded(24) == [(IT, (f"1. {mention(IT)} — Ask security for the <b>SOC 2</b> report (due today)",))]
    with pytest.raises(NotAllowed, match="marked done by"):
        run(core, IT2, "action done 1")
    assert run(core, IT, "action done 1").text == "Action item 1 is done: Ask security for the <b>SOC 2</b> report"
    with pytest.raises(InvalidTransition, match="already done"):
        run(core, IT, "action done 1")
    assert reminded(25) == []
    # The undated item is reminded weekly, a week after it was recorded.
    assert reminded(26) == [(BUYER, (f"2. {mention(BUYER)} — Send the renewal quote",))]
    sent = list(core.store.db.query("select threshold, person, delivered_at from ledger where kind = 'action'"))
    assert [(row["threshold"], row["person"]) for row in sent] == [
        ("2026-11-23", IT), ("2026-11-24", IT), ("2026-11-26", BUYER)]
    assert all(row["delivered_at"] for row in sent)
    # The next agenda starts with what is still open.
    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    schedule.tick()
    agenda = briefings(notifier)[-1][1]
    assert agenda.sections[0].lines == (f"2. {mention(BUYER)} — Send the renewal quote",)


def test_no_sync_cron_no_agenda(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    notifier = RecordingNotifier()
    core = build_core(settings, notifier, clock=clock)
    try:
        Schedule(core, holder="A").tick()
        assert core.sync.run_agenda() is None and briefings(notifier) == []
        assert core.sync.agenda().title == "Sync meeting agenda"
    finally:
        core.close()


def test_the_agenda_uses_the_one_missed_deadline_rule(setup):
    core, _, _ = setup
    # Today is 2026-11-16. Passed 120 days ago and still running (a 200-day notice period):
    # missed by the rule, however long ago. Passed, but cancelled: notice was given, not missed.
    core.contracts.add(BUYER, contract_form(vendor="Okta", end_date="2027-01-31", notice_days="200"))
    cancelled = core.contracts.add(BUYER, contract_form(vendor="Miro", end_date="2027-01-31", notice_days="100"))
    core.contracts.cancel(BUYER, cancelled.id)
    shown = lines(core.sync.agenda())["Notice deadlines: missed, and the next 30 days"]
    assert shown == ("Missed: Okta Business (contract 1) — notice deadline 2026-07-15, 124 days ago",)
    assert [c.vendor for c in core.contracts.missed()] == ["Okta"]
