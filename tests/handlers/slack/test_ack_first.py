"""Ack first: every request is answered on its own thread whatever Slack or the database is
doing; modals open ahead of other work; what a person is told matches what happened."""

import sqlite3
import threading

import pytest

from bot.requests import Status
from handlers.slack.errors import BUSY
from handlers.slack.ids import Actions, Views
from handlers.slack.work import Work
from tests.conftest import BUYER, BUYER2, IT, need
from tests.handlers.slack.conftest import CHANNEL, need_values
from testing.notifier import card_id

CLAIMS = 24  # more than the waitress threads (4 here) and the work lane's workers (16)


def send_all(sends):
    """Sends every request at once from its own thread; returns their HTTP statuses."""
    statuses = [None] * len(sends)

    def go(index, send):
        statuses[index] = send()[0]

    threads = [threading.Thread(target=go, args=(i, send)) for i, send in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def test_slow_chat_update_never_delays_acks_or_modals_and_each_claim_is_applied_or_refused(slack, fake, bot):
    for _ in range(CLAIMS):
        bot.core.requests.create(IT, need())
    slow = fake.slow("chat.update")  # Slack answers chat.update only when the test says so
    slack.settled = False
    buyers = [BUYER, BUYER2]
    statuses = send_all([lambda n=n: slack.click(buyers[n % 2], Actions.CLAIM, str(n)) for n in range(1, CLAIMS + 1)])
    # Every click was acknowledged while every card update still hangs: nothing waited for the work.
    assert statuses == [200] * CLAIMS
    assert not slow.is_set()
    # And a modal opens while those card updates are still stuck.
    assert slack.command("/need", "Laptop", IT)[0] == 200
    [opened] = fake.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == Views.NEED and not slow.is_set()
    slow.set()
    assert bot.work.idle()
    # Each claim either landed (and its card shows it) or its person was told "busy, nothing changed".
    claimed = [n for n in range(1, CLAIMS + 1) if bot.core.requests.get(n).status is Status.CLAIMED]
    assert len(claimed) + len([c for c in fake.calls_to("response_url") if c.args.get("text") == BUSY]) == CLAIMS
    updated = {c.args["ts"] for c in fake.calls_to("chat.update")}
    assert {card_id(bot.core, n, "slack") for n in claimed} <= updated


@pytest.fixture
def short_lock_wait(monkeypatch):
    """SQLite waits this long for another process's write lock before giving up."""
    monkeypatch.setattr("storage.db.BUSY_TIMEOUT_MS", 200)


@pytest.fixture
def write_lock(bot):
    """Another connection (another process, as far as SQLite knows) holding the write lock."""
    other = sqlite3.connect(bot.core.settings.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_a_held_write_lock_refuses_a_claim_plainly_and_it_is_never_applied_later(short_lock_wait, slack, fake, bot):
    bot.core.requests.create(IT, need())
    lock = sqlite3.connect(bot.core.settings.db_path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        assert slack.click(BUYER, Actions.CLAIM, "1")[0] == 200  # acked, then the work waited for the lock
        [told] = fake.wait_for("response_url")
        assert told.args["text"] == BUSY and told.args["response_type"] == "ephemeral"
        # /need's modal needs no write: it opens while the lock is held
        assert slack.command("/need", "Monitor", IT)[0] == 200
        assert fake.wait_for("views.open")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert bot.work.idle()
    request = bot.core.requests.get(1)
    assert request.status is Status.NEW and request.owner is None  # told "nothing changed": nothing did
    assert fake.calls_to("chat.update") == []
    assert [e.action for e in bot.core.requests.show(BUYER, 1).events] == ["created"]
    # Trying again once the lock is gone works.
    slack.click(BUYER, Actions.CLAIM, "1")
    assert bot.core.requests.get(1).status is Status.CLAIMED


def test_a_need_submitted_while_the_database_is_locked_is_not_created_behind_the_persons_back(
        short_lock_wait, slack, fake, bot, write_lock):
    status, body = slack.submit(IT, Views.NEED, need_values())
    assert (status, body) == (200, "")  # the modal closes at once
    dm = fake.wait_until("chat.postMessage", lambda a: a["channel"] in (IT, "D0IT000001"))
    assert dm.args["text"] == BUSY
    write_lock.execute("ROLLBACK")
    assert bot.work.idle()
    assert bot.core.requests.list(IT, "all").total == 0
    assert [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL] == []
    # Resubmitting makes exactly one need.
    slack.submit(IT, Views.NEED, need_values())
    assert bot.core.requests.list(IT, "all").total == 1


def test_a_procure_command_during_a_lock_is_answered_busy_once_and_reads_still_work(short_lock_wait, slack, fake, bot):
    bot.core.requests.create(IT, need())
    fake.reset()
    lock = sqlite3.connect(bot.core.settings.db_path, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        assert slack.command("/procure", "list", IT)[0] == 200  # a read: WAL lets it through the lock
        [listed] = fake.wait_for("response_url")
        assert listed.args["text"] != BUSY and "#1" in str(listed.args["blocks"])
        assert slack.command("/procure", "note 1 Quote received", IT)[0] == 200
        answers = fake.wait_for("response_url", 2)
        assert answers[1].args["text"] == BUSY
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert bot.work.idle()
    assert len(fake.calls_to("response_url")) == 2  # told once, and only "busy"
    assert bot.core.requests.show(IT, 1).notes == []
    assert [c for c in fake.calls_to("chat.postMessage") if c.args.get("thread_ts")] == []


class StepClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_work_that_cannot_start_in_time_is_not_run_and_the_person_is_told():
    clock = StepClock()
    work = Work(workers=1, form_workers=1, start_within=10, clock=clock)
    blocker, ran, told = threading.Event(), [], []
    work.later(blocker.wait)
    work.later(lambda: ran.append("late job"), busy=lambda: told.append("busy"))
    work.later(lambda: ran.append("event"))  # nobody to tell: runs however long it waited
    clock.now = 10.5  # the queued jobs have now waited longer than allowed
    blocker.set()
    assert work.idle(timeout=10)
    assert ran == ["event"] and told == ["busy"]
    work.shutdown()


def test_a_full_queue_refuses_at_once():
    work = Work(workers=1, form_workers=1, max_waiting=1)
    blocker, ran, told = threading.Event(), [], []
    work.later(blocker.wait)
    assert work.waiting() in (0, 1)
    work.later(lambda: ran.append(1), busy=lambda: told.append(1))
    work.later(lambda: ran.append(2), busy=lambda: told.append(2))
    blocker.set()
    assert work.idle(timeout=10)
    assert sorted(ran + told) == [1, 2] and not set(ran) & set(told)
    work.shutdown()
