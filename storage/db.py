"""Opening the database, safely shared by Bolt's worker threads.

Each thread gets its own SQLite connection (SQLite connections must not be used by two
threads at once). Writes go through ``Store.write()``, which takes SQLite's write lock up
front (``BEGIN IMMEDIATE``) so a read-check-write sequence such as a claim can never
interleave with another writer, in this process or another one on the same file.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlite_utils import Database

from storage.migrations import migrations

BUSY_TIMEOUT_MS = 10_000


def select(db: Database, sql: str, params: Sequence = ()) -> list[dict]:
    """The rows of a ``select`` as dictionaries: ``Database.query`` without the savepoint it
    wraps every statement in (to refuse statements that return no rows), so a read on the
    request path is one statement, not three."""
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class Store:
    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path == ":memory:":
            raise ValueError("Store needs a file: every thread opens its own connection")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # One writer at a time in this process, in the order they came: SQLite's own wait for
        # its write lock sleeps and retries (up to 100 ms a try), so with several threads
        # writing at once one of them can wait half a second behind transactions of 2 ms.
        self._writer = threading.Lock()
        db = self.db
        db.execute("PRAGMA journal_mode=WAL")
        migrations.apply(db)

    @property
    def db(self) -> Database:
        """This thread's connection, opened on first use."""
        database = getattr(self._local, "db", None)
        if database is None:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            database = Database(conn, execute_plugins=False)
            self._local.db = database
            with self._lock:
                self._connections.append(conn)
        return database

    @contextlib.contextmanager
    def write(self) -> Iterator[Database]:
        """One write transaction holding SQLite's write lock from the start."""
        db = self.db
        if db.conn.in_transaction:
            with db.atomic():  # nested: a savepoint inside the outer transaction
                yield db
            return
        with self.writer_turn(BUSY_TIMEOUT_MS / 1000):
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.rollback()
                raise
            else:
                db.execute("COMMIT")
                self._local.commits = self.commits() + 1

    @contextlib.contextmanager
    def writer_turn(self, timeout: float) -> Iterator[None]:
        """This process's turn to write (every connection that writes to this database takes
        it, then SQLite's write lock, which other processes may hold). ``sqlite3.OperationalError``
        ("database is locked", as SQLite says it) when the turn does not come within ``timeout``."""
        if not self._writer.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked (waited for this process's other writers)")
        try:
            yield
        finally:
            self._writer.release()

    def ping(self) -> None:
        """Reads from the database: ``sqlite3.Error`` when it cannot be read."""
        self.db.execute("select 1").fetchone()

    def commits(self) -> int:
        """How many write transactions this thread has committed (to tell whether a failed piece
        of work had already saved part of its change)."""
        return getattr(self._local, "commits", 0)

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    def backup(self, target: str | Path) -> None:
        """Copies the database with SQLite's online backup API (safe while running)."""
        destination = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(destination)
        finally:
            destination.close()
