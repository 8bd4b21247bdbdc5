"""The schedule: digests, reminder sweeps, the health check and the daily contract roll,
run by one process.

``Schedule.tick(now)`` does all the work and is what tests call with a fake clock. In
production APScheduler only decides *when* to tick: at each cron fire time, and every
``HEARTBEAT`` to renew the lease and catch up. The ledger, not APScheduler, decides *what*
is due: a slot is the most recent cron fire time at or before now, computed in the team's
time zone; a slot that passed while the process was down is still sent when it comes
back the same local day, and never on a later day.

Only the holder of the lease (a row in SQLite) runs anything. It renews the lease on
every tick; when it stops (crash, shutdown, lost machine) the lease lapses after
``LEASE`` and the next process to tick takes over. A clean shutdown releases it at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core import Core
from bot.cron import cron_trigger
from bot.health import HealthCheckResult
from bot.schedule_service import SweepResult
from storage import schedule as repo

log = logging.getLogger(__name__)

LEASE_NAME = "schedule"
LEASE = timedelta(seconds=90)
HEARTBEAT = timedelta(seconds=30)

_SEARCH = (timedelta(hours=1), timedelta(hours=6), None)  # None: since local midnight


def crashed_here(holder: str) -> bool:
    """Whether ``holder`` (``host:pid:random``) was a process on this host that no longer runs.
    Anything unsure (another host, a pid we may not signal) counts as alive."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdecimal():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def last_slot(trigger: CronTrigger, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The most recent fire time at or before ``now`` on today's local date, or None.

    Fire times are searched from UTC instants, so the hour that repeats when clocks go
    back is walked through once, not looped on."""
    today = now.astimezone(tz).date()
    midnight = datetime.combine(today, time(0), tz)
    for window in _SEARCH:
        start = midnight if window is None else max(midnight, now - window)
        found = None
        fire = trigger.get_next_fire_time(None, start.astimezone(timezone.utc))
        while fire is not None and fire <= now:
            if fire.astimezone(tz).date() == today:
                found = fire
            fire = trigger.get_next_fire_time(None, fire.astimezone(timezone.utc) + timedelta(seconds=1))
        if found is not None:
            return found
    return None


def slot_key(slot: datetime, tz: ZoneInfo) -> str:
    """A slot as the team's wall clock shows it, e.g. ``2026-11-16T09:00 Europe/Berlin``.

    Keyed by wall-clock time, a time that occurs twice when clocks go back is one slot."""
    return f"{slot.astimezone(tz):%Y-%m-%dT%H:%M} {tz.key}"


@dataclass(frozen=True)
class Tick:
    leader: bool  # this process holds the lease
    digest: bool | None = None  # True posted, False refused (retried), None nothing due
    sweep: SweepResult | None = None  # the reminder sweep run on this tick, if any
    survey: HealthCheckResult | None = None  # the health check sent on this tick, if any


class Schedule:
    def __init__(self, core: Core, holder: str | None = None, lease: timedelta = LEASE,
                 heartbeat: timedelta = HEARTBEAT):
        self.core = core
        self.holder = holder or core.schedule.holder
        self.lease = lease
        self.heartbeat = heartbeat
        settings = core.settings
        self.tz = settings.tz
        self.digest_trigger = cron_trigger(settings.digest_cron, self.tz)
        self.reminder_trigger = cron_trigger(settings.reminder_cron, self.tz)
        self.health_trigger = cron_trigger(settings.health_cron, self.tz)
        self.leading = False
        self._rolled_on: date | None = None
        self._lock = threading.Lock()
        self._scheduler: BackgroundScheduler | None = None

    # --- the work -------------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> Tick:
        """Renews the lease and runs whatever is due: the daily roll, the digest slot, the
        reminder sweep, the health check. Safe to call at any time, from any number of processes."""
        if not self._lock.acquire(blocking=False):
            return Tick(self.leading)  # a tick is already running in this process
        try:
            now = now or self.core.clock.now()
            if not self._hold_lease(now):
                return Tick(False)
            self._roll(now)
            digest = sweep = survey = None
            slot = last_slot(self.digest_trigger, self.tz, now)
            if slot is not None:
                digest = self.core.schedule.send_digest(slot_key(slot, self.tz), now)
            slot = last_slot(self.reminder_trigger, self.tz, now)
            if slot is not None:
                sweep = self.core.schedule.run_sweep(slot_key(slot, self.tz), now)
                self.core.sync.remind_actions(now)  # each (action item, day) once, through the ledger
                self.core.sourcing.ask_quarterly(now)  # the sourcing map check, once a quarter per IT owner
            self.core.sync.run_agenda(now)  # the sync meeting's agenda, once, TANDEM_SYNC_LEAD before it
            # After the digest, so a digest in the same minute is not about a round just opened.
            slot = last_slot(self.health_trigger, self.tz, now)
            if slot is not None:
                survey = self.core.health.run_slot(slot_key(slot, self.tz), now)
            return Tick(True, digest, sweep, survey)
        finally:
            self._lock.release()

    def _hold_lease(self, now: datetime) -> bool:
        with self.core.store.write() as db:
            current = repo.lease_holder(db, LEASE_NAME, now)
            if current and current != self.holder and crashed_here(current):
                # A process on this machine that held the lease is gone (killed, crashed):
                # take over now instead of waiting for the lease to lapse.
                log.warning("the schedule's previous holder %s is gone; taking over", current)
                repo.release_lease(db, LEASE_NAME, current)
            held = repo.take_lease(db, LEASE_NAME, self.holder, now, now + self.lease)
        if held and not self.leading:
            log.info("this process runs the schedule (%s)", self.holder)
        elif not held and self.leading:
            log.warning("another process took over the schedule")
        self.leading = held
        return held

    def _roll(self, now: datetime) -> None:
        """The contract calendar's daily roll, once per local day."""
        today = now.astimezone(self.tz).date()
        if self._rolled_on != today:
            result = self.core.contracts.roll(today)
            self._rolled_on = today
            if result.rolled or result.expired:
                log.info("daily roll: %d rolled forward, %d expired", len(result.rolled), len(result.expired))

    # --- running in the background -------------------------------------------------------------------

    def start(self, wait_for_first: bool = False) -> None:
        """Ticks at once (catching up on a slot missed while down), then at each cron fire
        time and every heartbeat. The first tick runs in the background unless
        ``wait_for_first`` (the shell waits, so what is due shows before the prompt)."""
        if wait_for_first:
            self._run()
        scheduler = BackgroundScheduler(
            timezone=self.tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
        )
        scheduler.add_job(self._run, cron_trigger(self.core.settings.digest_cron, self.tz), id="digest")
        scheduler.add_job(self._run, cron_trigger(self.core.settings.reminder_cron, self.tz), id="reminders")
        scheduler.add_job(self._run, cron_trigger(self.core.settings.health_cron, self.tz), id="health")
        # Without ``next_run_time`` the first heartbeat comes one interval from now (None would pause it).
        first = {} if wait_for_first else {"next_run_time": datetime.now(self.tz)}
        scheduler.add_job(self._run, IntervalTrigger(seconds=self.heartbeat.total_seconds()), id="heartbeat", **first)
        scheduler.start()
        self._scheduler = scheduler
        log.info("schedule started: digest %r, reminders %r, health check %r, in %s",
                 self.core.settings.digest_cron, self.core.settings.reminder_cron, self.core.settings.health_cron,
                 self.tz.key)

    def _run(self) -> None:
        try:
            self.tick()
        except Exception:  # noqa: BLE001 - a background job: log it, the next tick tries again
            log.exception("scheduled run failed; the next tick tries again")

    def stop(self) -> None:
        """Stops ticking, waits for a tick in progress, and releases the lease."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        with self._lock:
            with self.core.store.write() as db:
                repo.release_lease(db, LEASE_NAME, self.holder)
            self.leading = False
