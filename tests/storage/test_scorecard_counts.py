"""The counts the scorecard reads (bot.scorecard), each a repository function: requests moved
to ordered in a window, health checks that went out, who was asked and who answered."""

from datetime import datetime, timedelta, timezone

import pytest

from storage import Store
from storage import health as health_repo
from storage import requests as requests_repo
from storage import schedule as schedule_repo
from storage.schedule import Key

START = datetime(2026, 9, 1, tzinfo=timezone.utc)
END = datetime(2026, 11, 30, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "t.db")
    yield store
    store.close()


def test_requests_ordered_in_the_window_each_once(store):
    with store.write() as db:
        for request_id, at, status in ((3, START, "ordered"), (1, END, "ordered"), (1, END, "ordered"),
                                       (2, START + timedelta(days=5), "approved"),
                                       (4, START - timedelta(seconds=1), "ordered"),
                                       (5, END + timedelta(seconds=1), "ordered")):
            requests_repo.add_event(db, "request", request_id, at, "U0PROC0001", "status changed",
                                    {"status": "approved"}, {"status": status})
    assert requests_repo.ordered_between(store.db, START, END) == [1, 3], "both ends in, other moves out"


def test_health_checks_sent_asked_and_answered(store):
    with store.write() as db:
        first = health_repo.open_round(db, "2026-09", START)
        latest = health_repo.open_round(db, "2026-11", END)
        health_repo.open_round(db, "2026-08", START - timedelta(days=1))
        for person in ("U1", "U2", "U3"):
            entry = schedule_repo.claim(db, Key("health", "survey", "2026-11", "", person), "A", END, END)
            if person != "U3":
                schedule_repo.delivered(db, [entry.id], END)
        schedule_repo.delivered(db, [schedule_repo.claim(db, Key("health", "survey", "2026-09", "", "U9"), "A",
                                                         START, START).id], START)
        health_repo.add_participation(db, latest.id, "U1")
        health_repo.add_participation(db, first.id, "U2")
    db = store.db
    assert health_repo.rounds_opened_between(db, START, END) == 2
    assert schedule_repo.count_delivered(db, "health", "survey", "2026-11") == 2, "U3's never arrived"
    assert schedule_repo.count_delivered(db, "reminder", "survey", "2026-11") == 0
    assert health_repo.count_participants(db, latest.id) == 1
