"""Whether this Tandem can do its work: for ``/healthz``.

Unhealthy (with a short reason) when the database cannot be written (a read-only file, a
full disk, a lock nobody lets go of) or when no process has held the schedule lease for two
heartbeats, so digests and reminders would silently stop.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from bot.clock import Clock, iso
from bot.schedule_service import ScheduleStatus, schedule_status
from bot.schedule import HEARTBEAT, LEASE_NAME
from storage import Store
from storage import schedule as schedule_repo

# How long the write probe waits for SQLite's write lock before it counts as failing.
WRITE_WAIT_SECONDS = 2.0
STALE_AFTER = 2 * HEARTBEAT


@dataclass(frozen=True)
class Liveness:
    problems: list[str] = field(default_factory=list)
    schedule: ScheduleStatus | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class LivenessProbe:
    """Checks the database by writing one row on its own connection (with a short wait for
    the write lock), and the schedule by the lease's last renewal."""

    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self.started_at = clock.now()
        self._lock = threading.Lock()
        self._db: Database | None = None

    def connection(self) -> Database:
        if self._db is None:
            conn = sqlite3.connect(self.store.path, timeout=WRITE_WAIT_SECONDS, isolation_level=None,
                                   check_same_thread=False)
            self._db = Database(conn, execute_plugins=False)
        return self._db

    def check(self) -> Liveness:
        now = self.clock.now()
        problems: list[str] = []
        with self._lock:  # one probe at a time on the one connection
            try:
                db = self.connection()
                with self.store.writer_turn(WRITE_WAIT_SECONDS):
                    db.execute("BEGIN IMMEDIATE")
                    try:
                        db.execute("insert or replace into health_probe (id, at) values (1, ?)", [iso(now)])
                    except BaseException:
                        db.execute("ROLLBACK")
                        raise
                    db.execute("COMMIT")
            except sqlite3.Error as error:
                problems.append(f"the database cannot be written: {str(error)[:200]}")
        schedule = None
        try:
            schedule = schedule_status(self.store, now)
            problems += self._schedule_problems(now)
        except sqlite3.Error as error:
            problems.append(f"the database cannot be read: {str(error)[:200]}")
        return Liveness(problems, schedule)

    def _schedule_problems(self, now: datetime) -> list[str]:
        renewed = schedule_repo.lease_renewed_at(self.store.db, LEASE_NAME)
        since = max(filter(None, (renewed, self.started_at)))
        quiet = now - since
        if quiet > STALE_AFTER:
            return [f"no process has held the schedule lease for {int(quiet.total_seconds())} s "
                    f"(digests and reminders are not sent)"]
        return []

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.conn.close()
                self._db = None
