"""Slack failure modes: the database stays the source of truth and people are told what to do."""

import pytest

from bot.requests import Status
from handlers.slack.ids import Views
from tests.conftest import BUYER, IT
from tests.handlers.slack.conftest import CHANNEL, need_values
from testing.notifier import card_id


@pytest.fixture(autouse=True)
def no_real_waits(monkeypatch):
    """slack-sdk's retry handlers wait between attempts; record instead of sleeping."""
    waits = []
    monkeypatch.setattr("slack_sdk.http_retry.handler.time.sleep", waits.append)
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.time.sleep", waits.append)
    return waits


@pytest.mark.parametrize(
    "error, advice",
    [
        ("not_in_channel", "/invite @Tandem"),
        ("channel_not_found", "TANDEM_CHANNEL does not exist"),
        ("is_archived", "the channel is archived"),
        ("invalid_auth", "token is not valid"),
    ],
)
def test_a_card_that_cannot_be_posted_keeps_the_request_and_tells_the_requester_why(slack, fake, bot, caplog, error,
                                                                                  advice):
    fake.fail("chat.postMessage", error)
    slack.submit(IT, Views.NEED, need_values())
    dm = fake.wait_until("chat.postMessage", lambda a: a["channel"].startswith("D"))
    assert "is saved, but its card could not be posted" in dm.args["text"] and advice in dm.args["text"]
    bot.executor.shutdown(wait=True)
    request = bot.core.requests.get(1)
    assert card_id(bot.core, request.id, "slack") is None and request.status is Status.NEW
    assert any(error in r.getMessage() and CHANNEL in r.getMessage() for r in caplog.records), "logged with context"


def test_the_card_is_resynced_on_the_next_change_after_an_outage(slack, fake, bot):
    fake.fail("chat.postMessage", "not_in_channel")
    slack.submit(IT, Views.NEED, need_values())
    fake.wait_until("chat.postMessage", lambda a: a["channel"].startswith("D"))
    bot.executor.shutdown(wait=True)
    bot.core.requests.claim(BUYER, 1)
    posted = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL and c.answer.get("ok")]
    assert len(posted) == 1 and "Claimed" in str(posted[0].args["blocks"])
    assert card_id(bot.core, 1, "slack") == posted[0].answer["ts"]


def test_server_errors_and_dropped_connections_are_retried(slack, fake, bot, no_real_waits):
    fake.fail("chat.postMessage", "internal_error", status=500)
    fake.fail("chat.update", status=0)  # the connection drops with no answer
    slack.submit(IT, Views.NEED, need_values())
    fake.wait_until("chat.postMessage", lambda a: a["channel"].startswith("D"))
    bot.core.requests.claim(BUYER, 1)
    bot.executor.shutdown(wait=True)
    assert [c.answer.get("ok") for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL] == [
        False, True]
    assert len(fake.calls_to("chat.update")) == 2
    assert card_id(bot.core, 1, "slack") is not None
    assert len(no_real_waits) == 2


def test_a_deleted_card_is_posted_again_and_nothing_is_undone(slack, fake, bot):
    slack.submit(IT, Views.NEED, need_values())
    fake.wait_until("chat.postMessage", lambda a: a["channel"].startswith("D"))
    bot.executor.shutdown(wait=True)
    first = card_id(bot.core, 1, "slack")
    fake.fail("chat.update", "message_not_found")
    bot.core.requests.claim(BUYER, 1)
    request = bot.core.requests.get(1)
    assert request.owner == BUYER
    assert card_id(bot.core, request.id, "slack") not in (None, first), "a new card replaced the deleted one"


def test_other_update_failures_keep_the_card_reference(slack, fake, bot):
    slack.submit(IT, Views.NEED, need_values())
    fake.wait_until("chat.postMessage", lambda a: a["channel"].startswith("D"))
    bot.executor.shutdown(wait=True)
    first = card_id(bot.core, 1, "slack")
    fake.fail("chat.update", "fatal_error")
    bot.core.requests.claim(BUYER, 1)
    assert card_id(bot.core, 1, "slack") == first and bot.core.requests.get(1).owner == BUYER
