"""Replay protection: a signed request replayed within its signature's lifetime is applied
once. Keys are recorded in the database, so this holds across threads and processes.

It runs before the platform is answered, so it never waits long for SQLite's write lock: it
uses its own connection with a short busy timeout, and when the lock stays taken it lets
the request through (logged) rather than make the person wait past the platform's deadline.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import timedelta

from sqlite_utils import Database

from bot.clock import Clock
from storage import Store
from storage import replays as repo

log = logging.getLogger(__name__)

# Slack refuses signatures older than five minutes; keys are kept twice that, for clock skew.
KEEP = timedelta(minutes=10)
WAIT_SECONDS = 0.5


class Replays:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.store.path, timeout=WAIT_SECONDS, isolation_level=None,
                                   check_same_thread=False)
            # As the store's own connections: a commit appends to the write-ahead log without
            # waiting for the disk (SQLite's default here syncs every commit, and a slow disk
            # then holds the write lock past WAIT_SECONDS for everyone else).
            conn.execute("PRAGMA synchronous=NORMAL")
            with self._lock:
                self._connections.append(conn)
            db = self._local.db = Database(conn, execute_plugins=False)
        return db

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def first_time(self, keys: list[str]) -> bool:
        """Whether none of ``keys`` was seen in the last ``KEEP``; records them if so."""
        if not keys:
            return True
        now = self.clock.now()
        db = self._db()
        try:
            with self.store.writer_turn(WAIT_SECONDS):
                db.execute("BEGIN IMMEDIATE")
                try:
                    first = repo.first_time(db, keys, now, now - KEEP)
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT" if first else "ROLLBACK")
        except sqlite3.OperationalError as error:
            if db.conn.in_transaction:
                db.execute("ROLLBACK")
            log.warning("replay check skipped: the database stayed locked (%s)", error)
            return True
        return first
