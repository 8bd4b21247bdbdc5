import sqlite3
import threading

import pytest

from storage import Store
from storage.migrations import migrations


def test_migrations_applied_twice_are_a_no_op(tmp_path):
    path = tmp_path / "t.db"
    Store(path).close()
    first = [m.name for m in migrations.applied(Store(path).db)]
    store = Store(path)
    migrations.apply(store.db)
    assert [m.name for m in migrations.applied(store.db)] == first
    assert first[:3] == ["m001_requests", "m002_events", "m003_comments"]
    assert set(store.db.table_names()) >= {"requests", "events", "comments"}


def test_wal_and_foreign_keys(tmp_path):
    store = Store(tmp_path / "t.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        with store.write() as db:
            db["comments"].insert({"request_id": 999, "at": "x", "author": "U1", "text": "t", "source": "s"})


def test_the_audit_log_refuses_updates_and_deletes(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.write() as db:
        db["events"].insert({"subject": "request", "subject_id": 1, "at": "now", "actor": "U1", "action": "created"})
    for sql in ("update events set actor = 'U2'", "delete from events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            with store.write() as db:
                db.execute(sql)
    assert [r["actor"] for r in store.db["events"].rows] == ["U1"]


def test_a_failed_write_rolls_back_entirely(tmp_path):
    store = Store(tmp_path / "t.db")
    with pytest.raises(RuntimeError):
        with store.write() as db:
            db["events"].insert({"subject": "request", "subject_id": 1, "at": "now", "actor": "U1", "action": "x"})
            raise RuntimeError("boom")
    assert store.db["events"].count == 0


def test_concurrent_writers_from_many_threads_lose_nothing(tmp_path):
    store = Store(tmp_path / "t.db")

    def writer(n):
        for _ in range(50):
            with store.write() as db:
                count = db.execute("select count(*) from events").fetchone()[0]
                db["events"].insert(
                    {"subject": "request", "subject_id": count, "at": "now", "actor": f"U{n}", "action": "x"}
                )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = list(store.db["events"].rows)
    assert len(rows) == 200
    # each write saw every earlier one: read-then-write never interleaved
    assert sorted(r["subject_id"] for r in rows) == list(range(200))


def test_backup_copies_a_consistent_database(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.write() as db:
        db["events"].insert({"subject": "request", "subject_id": 1, "at": "now", "actor": "U1", "action": "x"})
    store.backup(tmp_path / "copy.db")
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("select count(*) from events").fetchone()[0] == 1
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_stored_comment_knows_its_id(core):
    from tests.conftest import IT, need

    core.requests.create(IT, need())
    first = core.requests.note(IT, 1, "one", source="command")
    second = core.requests.note(IT, 1, "two", source="command")
    assert (first.id, second.id) == (1, 2)


def test_requests_are_looked_up_by_person_and_status_from_one_index(tmp_path):
    store = Store(tmp_path / "t.db")
    columns = [index.columns for index in store.db["requests"].indexes]
    assert ["owner", "status"] in columns and ["requester", "status"] in columns
    assert ["owner"] not in columns and ["requester"] not in columns
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN select count(*) from requests where status in ('new', 'claimed') and owner = ?", ["U1"]
    ).fetchall()
    assert "COVERING INDEX idx_requests_owner_status" in str(plan)


def test_writers_in_one_process_take_turns_in_the_order_they_came(tmp_path):
    """Each writer waits for this process's turn, not in SQLite's sleeping retries: while one
    transaction is open, the next writers queue, and each starts as soon as the one before ends."""
    store = Store(tmp_path / "t.db")
    order, inside = [], threading.Event()
    release = threading.Event()

    def first():
        with store.write() as db:
            db.execute("create table if not exists turns (n integer)")
            inside.set()
            release.wait(5)
            order.append("first")

    def later(name, started):
        started.set()
        with store.write() as db:
            db.execute("insert into turns values (1)")
            order.append(name)

    holder = threading.Thread(target=first)
    holder.start()
    assert inside.wait(5)
    waiting = []
    for name in ("second", "third"):
        started = threading.Event()
        thread = threading.Thread(target=later, args=(name, started))
        thread.start()
        assert started.wait(5)
        waiting.append(thread)
    # The writers that came wait for the turn, without a SQLite lock error.
    assert store._writer.locked() and order == []
    release.set()
    for thread in [holder, *waiting]:
        thread.join(5)
    assert order[0] == "first" and sorted(order[1:]) == ["second", "third"]
    assert store.db.execute("select count(*) from turns").fetchone()[0] == 2


def test_a_writer_whose_turn_does_not_come_is_told_the_database_is_locked(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.writer_turn(1):
        outcome = []
        thread = threading.Thread(target=lambda: outcome.append(_try_turn(store)))
        thread.start()
        thread.join(5)
    assert outcome == ["database is locked (waited for this process's other writers)"]
    with store.writer_turn(0):  # and the turn is free again once given back
        pass


def _try_turn(store):
    try:
        with store.writer_turn(0):
            return "got it"
    except sqlite3.OperationalError as error:
        return str(error)


def test_the_replay_check_lets_a_request_through_when_the_writers_turn_stays_taken(tmp_path, clock, caplog, monkeypatch):
    """Before the platform is answered nothing waits long: with this process's writers busy
    past the check's wait, the request goes through (and says so in the log), unrecorded."""
    from bot import replays as module
    from bot.replays import Replays

    store = Store(tmp_path / "t.db")
    checks = Replays(store, clock)
    blocked = threading.Event()
    done = threading.Event()

    def hold():
        with store.writer_turn(1):
            blocked.set()
            done.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    assert blocked.wait(5)
    monkeypatch.setattr(module, "WAIT_SECONDS", 0)
    try:
        assert checks.first_time(["trigger:1"]) is True
    finally:
        done.set()
        holder.join(5)
    assert "replay check skipped" in caplog.text
    assert checks.first_time(["trigger:1"]) is True, "nothing was recorded while the turn was taken"
    assert checks.first_time(["trigger:1"]) is False
    checks.close()
