"""Start-up asks Slack for ``auth.test`` once; each person's DM channel is opened once and
kept in the database, so a restart (a new process on the same file) opens none again."""

from bot.config import Settings
from handlers.slack.app import build_slack
from tests.conftest import BUYER, IT
from tests.handlers.slack.conftest import CHANNEL


def test_start_up_calls_auth_test_once_and_requests_do_not_call_it_again(slack, fake, bot):
    slack.command("/procure", "help", IT)
    fake.wait_for("response_url")
    assert len(fake.calls_to("auth.test")) == 1


def test_dm_channels_are_opened_once_and_survive_a_restart(slack_settings: Settings, fake, clock):
    first = build_slack(slack_settings, clock=clock)
    try:
        first.notifier.send_dm(IT, "one")
        first.notifier.send_dm(IT, "two")
        first.notifier.send_dm(BUYER, "three")
    finally:
        first.close()
    assert sorted(c.args["users"] for c in fake.calls_to("conversations.open")) == sorted([IT, BUYER])

    fake.reset()
    again = build_slack(slack_settings, clock=clock)  # a restart on the same database
    try:
        again.notifier.send_dm(IT, "after the restart")
        again.notifier.send_dm(BUYER, "after the restart")
    finally:
        again.close()
    assert fake.calls_to("conversations.open") == []
    assert [c.args["channel"] for c in fake.calls_to("chat.postMessage")] == ["D" + IT[1:], "D" + BUYER[1:]]


def test_a_stored_dm_channel_slack_no_longer_knows_is_opened_afresh_once(slack_settings, fake, clock):
    bot = build_slack(slack_settings, clock=clock)
    try:
        bot.notifier.send_dm(IT, "one")
        fake.reset()
        fake.fail("chat.postMessage", "channel_not_found")
        bot.notifier.send_dm(IT, "two")
        assert [c.method for c in fake.calls if c.method != "auth.test"] == [
            "chat.postMessage", "conversations.open", "chat.postMessage"]
        assert fake.calls[-1].answer["ok"] and fake.calls[-1].args["text"] == "two"

        # a channel just opened that Slack refuses is not retried in a loop
        fake.reset()
        fake.fail("chat.postMessage", "channel_not_found", times=5)
        try:
            bot.notifier.send_dm(IT, "three")
        except Exception as error:  # NotifyError: the caller decides what to tell whom
            assert "channel_not_found" in str(error)
        assert [c.method for c in fake.calls if c.method != "auth.test"] == [
            "chat.postMessage", "conversations.open", "chat.postMessage"]
    finally:
        bot.close()
    assert CHANNEL  # the shared channel is not touched by DMs
