"""`tandem doctor`: one checklist of everything a working set-up needs, each line ✓ or ✗ with
the fix.

The checks are data (``Check``): this module holds the ones the core can make itself (the
database, the schedule's lease, the time zone and the crons); each platform adds its own probes
(``handlers/slack/doctor.py``: the token, scopes, channel, user groups, the app-level token;
``handlers/teams/doctor.py``: the Teams credentials). The command line and ``/procure doctor``
render the same list.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings

SLOTS = 3  # next slots shown per cron


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""  # what was found
    fix: str = ""  # what to do when not ok

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        text = f"{mark} {self.name}"
        if self.detail:
            text += f": {self.detail}"
        if not self.ok and self.fix:
            text += f" — fix: {self.fix}"
        return text


Probe = Callable[[], Iterable[Check]]


def run_probes(probes: Iterable[tuple[str, Probe]]) -> list[Check]:
    """Runs each probe; one that raises becomes a ✗ line naming the error, never a traceback."""
    checks: list[Check] = []
    for name, probe in probes:
        try:
            checks.extend(probe())
        except Exception as error:  # noqa: BLE001 - the checklist reports it
            checks.append(Check(name, False, f"{type(error).__name__}: {error}", "see the error above"))
    return checks


def report(checks: list[Check]) -> str:
    failed = sum(1 for check in checks if not check.ok)
    summary = "All checks passed." if not failed else f"{failed} check{'s' if failed != 1 else ''} failed."
    return "\n".join([*(check.line() for check in checks), summary])


def passed(checks: list[Check]) -> bool:
    return all(check.ok for check in checks)


# --- the core's own checks -------------------------------------------------------------------------


def database_checks(settings: Settings) -> list[Check]:
    """The database opens, is brought up to date by the migrations, and takes a write."""
    from storage import Store
    from storage.migrations import migrations

    name = "Database"
    try:
        store = Store(settings.db_path)
    except Exception as error:  # noqa: BLE001 - reported as a ✗ line
        return [Check(name, False, f"{settings.db_path} cannot be opened ({error})",
                      "check TANDEM_DB and that its folder exists and is writable by this user")]
    try:
        applied = [m.name for m in migrations.applied(store.db)]
        pending = [m.name for m in migrations.pending(store.db)]
        with store.write() as db:
            db.execute("create temp table if not exists doctor_probe (x)")
            db.execute("insert into doctor_probe values (1)")
        if pending:
            return [Check(name, False, f"{settings.db_path}: migrations not applied: {', '.join(pending)}",
                          "start tandem once with this TANDEM_DB; migrations apply at start")]
        return [Check(name, True, f"{settings.db_path} is writable and migrated ({len(applied)} migrations)")]
    except Exception as error:  # noqa: BLE001 - reported as a ✗ line
        return [Check(name, False, f"{settings.db_path} cannot be written ({error})",
                      "check the file's and its folder's permissions, and free disk space")]
    finally:
        store.close()


def lease_check(settings: Settings, now: datetime) -> Check:
    """Who runs the schedule: nobody (the next `tandem run` takes it), a live process, or a
    process on this host that is gone (the next start takes over at once)."""
    from bot.schedule import LEASE_NAME, crashed_here
    from storage import Store
    from storage import schedule as repo

    store = Store(settings.db_path)
    try:
        holder = repo.lease_holder(store.db, LEASE_NAME, now)
    finally:
        store.close()
    if holder is None:
        return Check("Schedule lease", True, "free; the next `tandem run` takes it")
    if crashed_here(holder):
        return Check("Schedule lease", False, f"held by {holder}, a process on this host that is no longer running",
                     "start `tandem run`: it takes the lease over at once")
    where = "this host" if holder.partition(":")[0] == socket.gethostname() else "another host"
    return Check("Schedule lease", True, f"held by {holder} ({where}); only that process runs the schedule")


def schedule_checks(settings: Settings, now: datetime) -> list[Check]:
    """The time zone, and the next slots of each cron in it (a cron that never fires is a ✗)."""
    from bot.schedule import cron_trigger

    tz = settings.tz
    checks = [Check("Time zone", True, f"{settings.timezone} (now {now.astimezone(tz):%a %d %b %Y %H:%M %Z})")]
    for name, variable, cron in (("Digest", "TANDEM_DIGEST_CRON", settings.digest_cron),
                                 ("Reminders", "TANDEM_REMINDER_CRON", settings.reminder_cron),
                                 ("Health check", "TANDEM_HEALTH_CRON", settings.health_cron)):
        trigger = cron_trigger(cron, tz)
        slots, previous, at = [], None, now
        while len(slots) < SLOTS:
            at = trigger.get_next_fire_time(previous, at)
            if at is None:
                break
            slots.append(at)
            previous = at
        label = f"{name} ({variable}={cron})"
        if not slots:
            checks.append(Check(label, False, "never runs: no date matches it",
                                f"set {variable} to a cron that matches real dates, like `0 9 * * MON`"))
            continue
        shown = ", ".join(f"{slot.astimezone(tz):%a %d %b %Y %H:%M}" for slot in slots)
        checks.append(Check(label, True, f"next {shown}"))
    return checks


def core_checks(settings: Settings, now: datetime) -> list[Check]:
    checks = database_checks(settings)
    if checks[0].ok:
        checks += run_probes([("Schedule lease", lambda: [lease_check(settings, now)])])
    return checks + run_probes([("Schedule", lambda: schedule_checks(settings, now))])
