"""Confidential and restricted needs: the shared channel sees number, category, status, owner."""

import json

import pytest

from handlers.slack.ids import Actions
from tests.conftest import BUYER, IT, IT2
from tests.handlers.slack.conftest import CHANNEL, need_values
from tests.handlers.slack.test_lifecycle import post_need

SECRET_BITS = ("Acquire Acme Corp", "board only", "9,999,999", "AcmeLaw")


def secret_need(slack, fake, sensitivity="confidential"):
    slack.submit(IT, "need_modal", need_values(
        title="Acquire Acme Corp", details="board only", estimated_cost="9999999", sensitivity=sensitivity,
        preferred_vendor="AcmeLaw", category="services"))
    return fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL and not a.get("thread_ts"))


def shown(call) -> str:
    return json.dumps(call.args, ensure_ascii=False)


@pytest.mark.parametrize("sensitivity", ["confidential", "restricted"])
def test_the_channel_card_shows_only_number_category_status_and_owner(slack, fake, bot, sensitivity):
    card = secret_need(slack, fake, sensitivity)
    text = shown(card)
    assert not [bit for bit in SECRET_BITS if bit in text]
    assert "#1 Confidential request" in text and "services" in text and "New" in text
    slack.click(BUYER, Actions.CLAIM, "1")
    update = fake.wait_for("chat.update")[0]
    assert f"<@{BUYER}>" in shown(update) and not [bit for bit in SECRET_BITS if bit in shown(update)]


def test_details_only_for_the_requester_procurement_and_admins(slack, fake, bot):
    secret_need(slack, fake)
    bot.core.requests.note(IT, 1, "the target's name is in the data room", source="thread", external_id="x:1")
    for user in (IT2, IT, BUYER):
        slack.command("/procure", "show 1", user)
    answers = [shown(answer) for answer in fake.wait_for("response_url", 3)]
    full = [text for text in answers if "Acquire Acme Corp" in text]
    redacted = [text for text in answers if "Acquire Acme Corp" not in text]
    assert len(full) == 2 and all("data room" in text and "9,999,999" in text for text in full)
    [other] = redacted
    assert "Confidential request" in other and "data room" not in other and "9,999,999" not in other


def test_lists_redact_for_others_and_notes_stay_out_of_the_thread(slack, fake, bot):
    secret_need(slack, fake)
    slack.command("/procure", "list", IT2)
    listing = shown(fake.wait_for("response_url")[0])
    assert "Confidential request" in listing and "Acquire" not in listing
    slack.command("/procure", "note 1 Acme's lawyers replied", BUYER)
    thread = fake.wait_until("chat.postMessage", lambda a: a.get("thread_ts"))
    assert "lawyers" not in shown(thread) and "confidential" in thread.args["text"]
    assert [c.text for c in bot.core.requests.show(BUYER, 1).notes] == ["Acme's lawyers replied"]


def test_open_from_the_card_shows_details_only_to_those_allowed(slack, fake, bot):
    secret_need(slack, fake)
    slack.click(IT2, Actions.OPEN, "1")
    other = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == "request_details")
    assert "Acquire" not in shown(other)
    fake.reset()
    slack.click(IT, Actions.OPEN, "1")
    mine = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == "request_details")
    assert "Acquire Acme Corp" in shown(mine) and "9,999,999" in shown(mine)


def test_an_internal_need_is_shown_in_full(slack, fake):
    card = post_need(slack, fake)
    assert "50 Zoom licences" in shown(card) and "Meetings move to Zoom" in shown(card)
