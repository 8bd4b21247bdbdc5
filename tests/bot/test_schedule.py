"""The schedule: cron slots in the team's time zone, catching up, the lease, exactly once.

Time comes from a FakeClock; tests call ``Schedule.tick`` where production has APScheduler.
"""

import threading
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.core import build_core
from bot.schedule_service import DIGEST_RETRY, IN_FLIGHT
from bot.schedule import LEASE, Schedule, cron_trigger, last_slot, slot_key
from storage import contracts as contract_repo
from storage import schedule as ledger
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2, need
from tests.contract_samples import contract_form
from testing.notifier import RecordingNotifier

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc


def at(*parts, tz=UTC) -> datetime:
    return datetime(*parts, tzinfo=tz)


class TimedNotifier(RecordingNotifier):
    """Also notes the (fake) time of each digest."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.posted_at: list[datetime] = []

    def post_digest(self, digest) -> None:
        super().post_digest(digest)
        self.posted_at.append(self.clock.now())


class Process:
    """One `tandem run`: its own database connections, notifier and schedule."""

    def __init__(self, settings, clock, name, lease=LEASE):
        self.notifier = TimedNotifier(clock)
        self.core = build_core(settings, self.notifier, clock=clock)
        self.schedule = Schedule(self.core, holder=name, lease=lease)

    def tick(self):
        return self.schedule.tick()

    def close(self):
        self.core.close()


@pytest.fixture
def make(tmp_path, clock):
    made = []

    def make(name="A", lease=LEASE, **env):
        settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_PROCUREMENT": f"{BUYER},{BUYER2}",
                                      "TANDEM_ADMINS": ADMIN, **env})
        process = Process(settings, clock, name, lease)
        made.append(process)
        return process

    yield make
    for process in made:
        process.close()


def ticks(clock, processes, until: datetime, step: timedelta = timedelta(minutes=5)):
    while clock.now() < until:
        for process in processes:
            process.tick()
        clock.advance(seconds=step.total_seconds())


# --- slots -------------------------------------------------------------------------------------


def test_slots_are_the_team_clock_across_daylight_saving_changes():
    daily = cron_trigger("0 9 * * *", BERLIN)
    assert last_slot(daily, BERLIN, at(2026, 3, 28, 8, 30)) == at(2026, 3, 28, 9, tz=BERLIN)  # CET: 08:00 UTC
    assert last_slot(daily, BERLIN, at(2026, 3, 29, 7, 30)) == at(2026, 3, 29, 9, tz=BERLIN)  # CEST: 07:00 UTC
    assert last_slot(daily, BERLIN, at(2026, 3, 29, 6, 59)) is None, "08:59 in Berlin: not yet today"
    assert last_slot(daily, BERLIN, at(2026, 10, 25, 7, 59)) is None
    assert last_slot(daily, BERLIN, at(2026, 10, 25, 8, 0)) == at(2026, 10, 25, 9, tz=BERLIN)  # CET again
    assert slot_key(at(2026, 3, 29, 7, 0), BERLIN) == "2026-03-29T09:00 Europe/Berlin"
    every_half_hour = cron_trigger("*/30 * * * *", BERLIN)
    assert last_slot(every_half_hour, BERLIN, at(2026, 11, 16, 9, 44)) == at(2026, 11, 16, 9, 30)
    weekly = cron_trigger("0 9 * * MON", BERLIN)
    assert last_slot(weekly, BERLIN, at(2026, 11, 17, 8, 0)) is None, "Monday's slot is not Tuesday's"


@pytest.mark.parametrize("start", [at(2026, 3, 27, 0, 0, tz=BERLIN), at(2026, 10, 23, 0, 0, tz=BERLIN)])
def test_a_daily_digest_comes_once_a_day_at_the_local_time_through_a_clock_change(make, clock, start):
    clock.set(start)
    nine = make(TANDEM_TIMEZONE="Europe/Berlin", TANDEM_DIGEST_CRON="0 9 * * *")
    ticks(clock, [nine], start + timedelta(days=5), step=timedelta(minutes=10))
    assert [moment.astimezone(BERLIN).strftime("%d %H:%M") for moment in nine.notifier.posted_at] == [
        f"{start.day + n:02d} 09:00" for n in range(5)]
    offsets = {moment.astimezone(BERLIN).utcoffset() for moment in nine.notifier.posted_at}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}, "both sides of the change"


@pytest.mark.parametrize("start", [at(2026, 3, 28, 0, 0, tz=BERLIN), at(2026, 10, 24, 0, 0, tz=BERLIN)])
def test_a_slot_inside_the_changing_hour_is_sent_once(make, clock, start):
    clock.set(start)
    early = make(TANDEM_TIMEZONE="Europe/Berlin", TANDEM_DIGEST_CRON="30 2 * * *")
    ticks(clock, [early], start + timedelta(days=3), step=timedelta(minutes=10))
    days = [moment.astimezone(BERLIN).date() for moment in early.notifier.posted_at]
    assert days == [start.date() + timedelta(days=n) for n in range(3)], "02:30 that repeats (or never is) counts once"


# --- catching up -------------------------------------------------------------------------------


def test_a_slot_missed_while_down_is_sent_when_back_the_same_day(make, clock):
    clock.set(at(2026, 11, 16, 15, 0))  # Monday 15:00: the 09:00 digest was missed
    a = make()
    assert a.tick().digest is True
    assert a.tick().digest is None
    clock.advance(hours=3)
    assert a.tick().digest is None
    assert len(a.notifier.digests()) == 1


def test_a_slot_missed_until_the_next_day_is_skipped(make, clock):
    clock.set(at(2026, 11, 17, 8, 0))  # Tuesday: Monday's digest is history
    a = make()
    ticks(clock, [a], at(2026, 11, 22, 23, 0), step=timedelta(minutes=30))
    assert a.notifier.digests() == []
    clock.set(at(2026, 11, 23, 9, 0))
    a.tick()
    assert len(a.notifier.digests()) == 1


def test_a_restart_does_not_resend(make, clock):
    a = make("A")
    a.tick()
    a.schedule.stop()
    again = make("A again")
    clock.advance(minutes=30)
    assert again.tick().leader
    assert again.notifier.digests() == [] and again.notifier.reminders() == []
    assert len(a.notifier.digests()) == 1


def test_a_refused_digest_is_retried_the_same_day(make, clock):
    a = make()
    a.notifier.fail_with = "channel_not_found"
    assert a.tick().digest is False
    a.notifier.fail_with = None
    clock.advance(minutes=1)
    assert a.tick().digest is None, "waits a little before trying again"
    clock.advance(seconds=DIGEST_RETRY.total_seconds())
    assert a.tick().digest is True
    clock.advance(minutes=10)
    assert a.tick().digest is None
    assert len(a.notifier.digests()) == 1
    [entry] = ledger.entries(a.core.store.db, "digest")
    assert entry.attempts == 2 and entry.delivered


class ProcessDied(BaseException):
    pass


def test_a_crash_while_posting_is_sent_once_by_whoever_runs_next(make, clock):
    a = make("A")

    def die(digest):
        raise ProcessDied()

    a.notifier.post_digest = die
    with pytest.raises(ProcessDied):
        a.tick()
    b = make("B")
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert b.tick().leader and b.notifier.digests() == [], "A's send may still be in flight"
    clock.advance(seconds=IN_FLIGHT.total_seconds())
    b.tick()
    b.tick()
    assert len(b.notifier.digests()) == 1


# --- the lease ---------------------------------------------------------------------------------


def test_two_schedulers_on_one_database_only_one_sends(make, clock):
    a, b = make("A"), make("B")
    a.core.contracts.add(BUYER, contract_form(end_date="2026-12-16", notice_days="0"))
    assert a.tick().leader and not b.tick().leader
    assert len(a.notifier.digests()) == 1 and b.notifier.calls == []
    assert {r.person for r in a.notifier.reminders()} == {IT, BUYER}
    clock.advance(seconds=LEASE.total_seconds() - 1)
    a.tick()
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert not b.tick().leader, "A renews its lease on every tick"
    # A stops ticking (it hangs or dies): once its lease lapses, B takes over.
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert b.tick().leader
    assert not a.tick().leader, "and A, back, does not take it back"
    clock.set(at(2026, 11, 23, 9, 1))
    b.tick()
    assert len(b.notifier.digests()) == 1 and len(a.notifier.digests()) == 1


def test_stop_releases_the_lease_at_once(make, clock):
    a, b = make("A"), make("B")
    a.tick()
    a.schedule.stop()
    assert b.tick().leader
    assert ledger.lease_holder(b.core.store.db, "schedule", clock.now()) == "B"


def test_the_daily_roll_runs_from_the_schedule(make, clock):
    a = make()
    a.core.contracts.add(BUYER, contract_form(start_date="2025-01-01", end_date="2026-11-20", notice_days="0"))
    clock.set(at(2026, 11, 21, 0, 5))
    a.tick()
    stored = contract_repo.get_contract(a.core.store.db, 1)  # read past the service's own roll
    assert stored.end_date == date(2027, 11, 20)


def test_start_runs_in_the_background_and_stop_releases(make, clock):
    a = make("A")
    posted = threading.Event()
    record = a.notifier.post_digest
    a.notifier.post_digest = lambda digest: (record(digest), posted.set())
    a.schedule.start()
    try:
        assert posted.wait(10), "the first tick catches up at once, in the background"
        jobs = {job.id for job in a.schedule._scheduler.get_jobs()}
        assert jobs == {"digest", "reminders", "health", "heartbeat"}
    finally:
        a.schedule.stop()
    assert ledger.lease_holder(a.core.store.db, "schedule", clock.now()) is None
    assert len(a.notifier.digests()) == 1


# --- a simulated week ---------------------------------------------------------------------------


def test_a_simulated_week_with_two_processes_sends_each_thing_exactly_once(make, clock):
    env = {"TANDEM_TIMEZONE": "Europe/Berlin", "TANDEM_DIGEST_CRON": "0 9 * * MON,THU", "TANDEM_STALE_DAYS": "2"}
    # Each process ticks every 3 minutes and holds the lease for 10, as production ticks every
    # 30 seconds and holds it for 90.
    step, lease = timedelta(minutes=3), timedelta(minutes=10)
    clock.set(at(2026, 11, 16, 0, 0, tz=BERLIN))  # Monday, midnight in Berlin
    a, b = make("A", lease, **env), make("B", lease, **env)
    core = a.core
    core.contracts.add(BUYER, contract_form(vendor="Zoom", end_date="2026-12-18", notice_days="0"))  # 32 days
    core.contracts.add(BUYER, contract_form(vendor="Miro", end_date="2026-11-24", notice_days="0", it_owner=IT2,
                                            procurement_owner=BUYER2))  # 8 days
    core.requests.create(IT, need(title="Unclaimed", needed_by=""))  # #1
    core.requests.create(IT, need(title="Goes quiet", needed_by=""))  # #2
    core.requests.claim(BUYER, 2)
    core.requests.create(IT2, need(title="Needed Thursday", needed_by="2026-11-19"))  # #3
    core.requests.claim(BUYER2, 3)

    ticks(clock, [a, b], at(2026, 11, 17, 8, 0, tz=BERLIN), step)
    # A dies on Tuesday morning; B takes over once A's lease lapses.
    ticks(clock, [b], at(2026, 11, 17, 12, 0, tz=BERLIN), step)
    a2 = make("A restarted", lease, **env)  # A comes back at noon, and finds B in charge
    ticks(clock, [a2, b], at(2026, 11, 19, 8, 55, tz=BERLIN), step)
    # B dies just before Thursday's digest; A restarted takes over and catches up.
    ticks(clock, [a2], at(2026, 11, 23, 0, 0, tz=BERLIN), step)

    everyone = [a, b, a2]
    digests = [moment.astimezone(BERLIN).strftime("%a %H:%M") for p in everyone for moment in p.notifier.posted_at]
    assert digests == ["Mon 09:00", "Thu 09:06"], "one per slot; Thursday's as soon as the lease changed hands"

    sent = Counter((r.kind.value, r.subject, r.threshold, r.person) for p in everyone for r in p.notifier.reminders())
    assert sent == Counter({
        ("notice", "contract:1", "60", IT): 1, ("notice", "contract:1", "60", BUYER): 1,  # Mon: 32 days left
        ("notice", "contract:2", "30", IT2): 1, ("notice", "contract:2", "30", BUYER2): 1,  # Mon: 8 days left
        ("needed_by", "request:3", "3", IT2): 1, ("needed_by", "request:3", "3", BUYER2): 1,  # Mon: 3 days left
        ("notice", "contract:2", "7", IT2): 1, ("notice", "contract:2", "7", BUYER2): 1,  # Tue
        ("unclaimed", "request:1", "1 business day", BUYER): 1,  # Tue
        ("unclaimed", "request:1", "1 business day", BUYER2): 1,
        ("unclaimed", "request:1", "1 business day", ADMIN): 1,
        ("notice", "contract:1", "30", IT): 1, ("notice", "contract:1", "30", BUYER): 1,  # Wed
        ("stale", "request:2", "2", BUYER): 1, ("stale", "request:3", "2", BUYER2): 1,  # Wed: two days quiet
    })
    dms = Counter(call[1] for p in everyone for call in p.notifier.calls if call[0] == "send_reminders")
    assert dms == {IT: 2, BUYER: 3, IT2: 2, BUYER2: 3, ADMIN: 1}, "one DM per person per sweep"
    assert [len(p.notifier.reminders()) for p in everyone] == [6, 9, 0], "A on Monday, B on Tuesday and Wednesday"
    assert [len(p.notifier.digests()) for p in everyone] == [1, 0, 1]
    assert all(entry.delivered for entry in ledger.entries(core.store.db))
    sweeps = [entry.threshold for entry in ledger.entries(core.store.db, "sweep")]
    assert sweeps == [f"2026-11-{day}T09:00 Europe/Berlin" for day in (16, 17, 18, 19, 20)]
