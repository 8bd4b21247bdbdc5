"""Reads the agenda and the health endpoint make, as repository functions: the requests whose
approval is open (since the latest round opened) and the last digest delivered."""

from datetime import datetime, timedelta, timezone

import pytest

from storage import Store
from storage import approvals as approvals_repo
from storage import schedule as schedule_repo
from storage.schedule import Key
from tests.conftest import IT, need

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "t.db")
    yield store
    store.close()


def test_open_approvals_by_request_with_their_latest_round(core):
    for _ in range(3):
        core.requests.create(IT, need())
    store = core.store
    with store.write() as db:
        first = approvals_repo.open_round(db, 1, NOW - timedelta(days=3), "U0PROC0001", "cost")
        approvals_repo.close_round(db, first.id, "rejected")
        approvals_repo.open_round(db, 1, NOW, "U0PROC0001", "cost")
        closed = approvals_repo.open_round(db, 2, NOW, "U0PROC0001", "cost")
        approvals_repo.close_round(db, closed.id, "approved")
        approvals_repo.open_round(db, 3, NOW - timedelta(days=1), "U0PROC0001", "restricted")
    assert approvals_repo.open_since(store.db) == {1: NOW, 3: NOW - timedelta(days=1)}


def test_the_last_digest_delivered(store):
    assert schedule_repo.last_delivered(store.db, "digest") is None
    with store.write() as db:
        for slot, at in (("2026-11-09", NOW - timedelta(days=7)), ("2026-11-16", NOW)):
            entry = schedule_repo.claim(db, Key("digest", "channel", slot, slot, ""), "A", at, at)
            schedule_repo.delivered(db, [entry.id], at)
        schedule_repo.claim(db, Key("digest", "channel", "2026-11-23", "2026-11-23", ""), "A", NOW, NOW)
    assert schedule_repo.last_delivered(store.db, "digest") == ("2026-11-16", NOW)
    assert schedule_repo.last_delivered(store.db, "notice") is None
