"""The ledger, the lease and reminder marks, in SQLite."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from storage import Store
from storage import schedule as repo
from storage.migrations import migrations
from storage.schedule import Key

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)
HOLD = timedelta(minutes=10)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "t.db")
    yield store
    store.close()


def test_the_schedule_tables_come_from_migrations(store):
    names = [m.name for m in migrations.applied(store.db)]
    assert {"m005_ledger", "m006_lease", "m007_reminder_marks"} <= set(names)
    assert {"ledger", "lease", "reminder_marks"} <= set(store.db.table_names())


def test_an_entry_is_claimed_once_and_never_again_after_delivery(store):
    key = Key("notice", "contract:1", "2026-12-16", "30", "U0IT000001")
    with store.write() as db:
        entry = repo.claim(db, key, "A", NOW, NOW + HOLD)
    assert entry.attempts == 1 and entry.sending_by == "A" and not entry.delivered
    with store.write() as db:
        assert repo.claim(db, key, "B", NOW, NOW + HOLD) is None, "in flight elsewhere"
    with store.write() as db:
        repo.delivered(db, [entry.id], NOW)
    with store.write() as db:
        assert repo.claim(db, key, "B", NOW + 2 * HOLD, NOW + 3 * HOLD) is None, "delivered: never again"
    assert repo.find(store.db, key).delivered_at == NOW
    with pytest.raises(sqlite3.IntegrityError):
        with store.write() as db:
            db["ledger"].insert({"kind": key.kind, "subject": key.subject, "episode": key.episode,
                                 "threshold": key.threshold, "person": key.person, "wake": "", "decided_at": "x",
                                 "attempts": 0})


def test_a_failed_entry_is_free_again_and_a_lost_one_after_its_hold(store):
    failed, lost = Key("digest", "channel", "", "slot 1"), Key("digest", "channel", "", "slot 2")
    with store.write() as db:
        first = repo.claim(db, failed, "A", NOW, NOW + HOLD)
        repo.claim(db, lost, "A", NOW, NOW + HOLD)
        repo.failed(db, [first.id], "channel_not_found")
    assert repo.find(store.db, failed).last_error == "channel_not_found"
    with store.write() as db:
        assert repo.claim(db, failed, "A", NOW, NOW + HOLD, retry_after=NOW - timedelta(minutes=5)) is None, \
            "tried too recently"
        assert repo.claim(db, failed, "B", NOW + timedelta(minutes=5), NOW + HOLD).attempts == 2
        assert repo.claim(db, lost, "B", NOW + HOLD - timedelta(seconds=1), NOW + 2 * HOLD) is None
        assert repo.claim(db, lost, "B", NOW + HOLD, NOW + 2 * HOLD).sending_by == "B"


def test_the_lease_has_one_holder_until_it_lapses_across_connections(tmp_path):
    one, two = Store(tmp_path / "t.db"), Store(tmp_path / "t.db")
    try:
        lease = timedelta(seconds=90)
        with one.write() as db:
            assert repo.take_lease(db, "schedule", "A", NOW, NOW + lease)
        with two.write() as db:
            assert not repo.take_lease(db, "schedule", "B", NOW + timedelta(seconds=89), NOW + lease)
        with one.write() as db:
            assert repo.take_lease(db, "schedule", "A", NOW + timedelta(seconds=60), NOW + timedelta(seconds=150))
        with two.write() as db:
            assert not repo.take_lease(db, "schedule", "B", NOW + timedelta(seconds=149), NOW + lease)
            assert repo.take_lease(db, "schedule", "B", NOW + timedelta(seconds=150), NOW + timedelta(seconds=240))
        assert repo.lease_holder(one.db, "schedule", NOW + timedelta(seconds=200)) == "B"
        with one.write() as db:
            repo.release_lease(db, "schedule", "A")  # not A's any more: nothing happens
        assert repo.lease_holder(one.db, "schedule", NOW + timedelta(seconds=200)) == "B"
        with two.write() as db:
            repo.release_lease(db, "schedule", "B")
        assert repo.lease_holder(one.db, "schedule", NOW + timedelta(seconds=200)) is None
    finally:
        one.close()
        two.close()


def test_marks_are_per_kind_subject_episode_and_person(store):
    with store.write() as db:
        repo.set_mark(db, "notice", "contract:1", "2026-12-16", "U1", NOW, snoozed_until=NOW + timedelta(days=3))
        repo.set_mark(db, "notice", "contract:1", "2026-12-16", "U2", NOW, done=True)
    marks = repo.marks(store.db)
    assert marks[("notice", "contract:1", "2026-12-16", "U1")].snoozed_until == NOW + timedelta(days=3)
    assert marks[("notice", "contract:1", "2026-12-16", "U2")].done_at == NOW
    with store.write() as db:
        mark = repo.set_mark(db, "notice", "contract:1", "2026-12-16", "U1", NOW, done=True)
    assert mark.done_at == NOW and mark.snoozed_until is None, "the last choice counts"


def test_activity_and_new_since_are_read_for_open_requests_only(core, clock):
    from tests.conftest import BUYER, IT, need

    waiting = core.requests.create(IT, need())
    closed = core.requests.create(IT, need(title="Done already"))
    core.requests.cancel(IT, closed.id)
    clock.advance(hours=2)
    core.requests.claim(BUYER, waiting.id)
    clock.advance(hours=3)
    core.requests.unclaim(BUYER, waiting.id)
    back_in_queue = clock.now()
    clock.advance(days=1)
    core.requests.note(IT, waiting.id, "Any news?", source="command")
    db = core.store.db
    assert repo.last_activity(db) == {waiting.id: clock.now()}
    assert repo.new_since(db) == {waiting.id: back_in_queue}
