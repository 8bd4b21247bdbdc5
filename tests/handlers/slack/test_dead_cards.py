"""A card whose message is dead (deleted, its channel archived or gone, Tandem removed from it,
or not updatable) is forgotten and posted again, once per change, in the shared channel as
configured now; if that channel refuses it too, the person who made the change is told."""

import json
import logging

import pytest

from handlers.slack.ids import Actions
from bot.notifier import CardRef
from storage import cards as repo
from tests.conftest import BUYER, IT, need
from tests.handlers.slack.conftest import CHANNEL

OLD_CHANNEL = "C0OLDCHANNEL"  # where cards went before TANDEM_CHANNEL was changed


def card_in_old_channel(bot) -> None:
    bot.core.requests.create(IT, need(title="Laptop"))
    with bot.core.store.write() as db:
        repo.save_card(db, 1, "slack", CardRef(OLD_CHANNEL, "1600000000.000100"))


def card_posts(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] in (CHANNEL, OLD_CHANNEL)]


@pytest.mark.parametrize("error", ["is_archived", "channel_not_found", "cant_update_message", "message_not_found",
                                   "not_in_channel"])
def test_a_dead_card_is_posted_again_in_the_current_channel_on_the_next_change(slack, fake, bot, caplog, error):
    card_in_old_channel(bot)
    fake.reset()
    fake.fail("chat.update", error)
    with caplog.at_level(logging.INFO, logger="bot.cards"):
        assert slack.click(BUYER, Actions.CLAIM, "1")[0] == 200
    [update] = fake.calls_to("chat.update")
    assert update.args["channel"] == OLD_CHANNEL and update.answer["error"] == error
    [posted] = card_posts(fake)
    assert posted.args["channel"] == CHANNEL and posted.answer["ok"]
    assert "Claimed" in json.dumps(posted.args["blocks"]) or BUYER in json.dumps(posted.args["blocks"])
    request = bot.core.requests.get(1)
    assert (request.owner, bot.core.cards.of(1)["slack"]) == (BUYER, CardRef(CHANNEL, posted.answer["ts"]))
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.cards"]
    assert error in line and OLD_CHANNEL in line and "posted it again" in line
    assert not [c for c in fake.calls_to("chat.postMessage") if c.args["channel"].startswith("D")], "nobody is bothered"

    # the next change updates the new card in place
    fake.reset()
    slack.click(BUYER, Actions.UNCLAIM, "1")
    [update] = fake.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (CHANNEL, posted.answer["ts"]) and update.answer["ok"]
    assert card_posts(fake) == []


def test_when_the_current_channel_refuses_it_too_the_person_is_told_once_and_it_is_not_retried(slack, fake, bot,
                                                                                               caplog):
    card_in_old_channel(bot)
    fake.reset()
    fake.fail("chat.update", "is_archived")
    fake.fail("chat.postMessage", "is_archived")  # the shared channel is archived as well
    with caplog.at_level(logging.INFO, logger="bot.cards"):
        slack.click(BUYER, Actions.CLAIM, "1")
    assert len(fake.calls_to("chat.update")) == 1
    [refused] = card_posts(fake)
    assert refused.args["channel"] == CHANNEL and refused.answer["error"] == "is_archived"
    [dm] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"].startswith("D")]
    assert dm.args["channel"] == "D" + BUYER[1:]
    assert dm.args["text"].startswith(":warning: Your change to #1 is saved, but its card could not be posted in "
                                      f"<#{CHANNEL}>: the channel is archived")
    request = bot.core.requests.get(1)
    assert request.owner == BUYER, "the claim is kept"
    assert bot.core.cards.of(1) == {}, "the dead reference is dropped"
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.cards"]
    assert len(lines) == 1 and "is_archived in C0OLDCHANNEL" in lines[0] and "posting its card failed" in lines[0]

    # by command, the answer says so; the card (no reference now) is posted afresh, once
    fake.reset()
    fake.fail("chat.postMessage", "channel_not_found")
    slack.command("/procure", "unclaim 1", BUYER)
    answer = fake.wait_for("response_url")[0].args["text"]
    assert "#1 is unclaimed" in answer and "could not be posted in the shared channel (channel_not_found)" in answer
    assert fake.calls_to("chat.update") == [] and len(card_posts(fake)) == 1

    # the channel works again: the next change posts the card
    fake.reset()
    slack.click(BUYER, Actions.CLAIM, "1")
    [posted] = card_posts(fake)
    assert posted.answer["ok"] and bot.core.cards.of(1)["slack"].message_id == posted.answer["ts"]
