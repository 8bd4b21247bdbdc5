"""The request lifecycle through signed HTTP requests, against the fake Slack."""

import json

from bot.requests import Status
from handlers.slack.ids import Actions, Views
from tests.conftest import BUYER, IT, IT2
from tests.handlers.slack.conftest import CHANNEL, need_values


def card_text(call) -> str:
    """Everything a card shows, as one string."""
    return json.dumps(call.args["blocks"], ensure_ascii=False)


def post_need(slack, fake, user=IT, **overrides):
    values = need_values(**overrides)
    status, _ = slack.submit(user, Views.NEED, values)
    assert status == 200
    shown = values["title"]["value"]["value"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return fake.wait_until("chat.postMessage",
                           lambda args: args["channel"] == CHANNEL and shown in json.dumps(args.get("blocks")))


def test_the_full_lifecycle_and_the_card_always_shows_the_truth(slack, fake, bot):
    # /need opens the modal with the title prefilled
    assert slack.command("/need", "50 Zoom licences", IT)[0] == 200
    [opened] = fake.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == Views.NEED
    assert opened.args["view"]["blocks"][0]["element"]["initial_value"] == "50 Zoom licences"

    # submitting posts the card to the shared channel and confirms to the requester with a link
    card = post_need(slack, fake)
    assert card.args["channel"] == CHANNEL
    assert "#1 50 Zoom licences" in card_text(card) and "New" in card_text(card)
    assert [b["elements"][0]["action_id"] for b in card.args["blocks"] if b["type"] == "actions"] == [Actions.CLAIM]
    confirmation = fake.wait_for("chat.postMessage", 2)[1]
    assert confirmation.args["channel"] == "D0IT000001"
    assert "https://example.slack.com/archives/C0SHARED/p" in confirmation.args["text"]
    card_ts = card.answer["ts"]

    # procurement claims by button: the card is updated in place
    slack.click(BUYER, Actions.CLAIM, "1")
    [update] = fake.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (CHANNEL, card_ts)
    assert f"<@{BUYER}>" in card_text(update) and "Claimed" in card_text(update)
    select = [e for b in update.args["blocks"] if b["type"] == "actions" for e in b["elements"]
              if e["action_id"] == Actions.STATUS][0]
    assert [o["value"] for o in select["options"]] == ["1:sourcing", "1:awaiting_it", "1:on_hold", "1:cancelled"]

    # status change from the card's select
    slack.click(BUYER, Actions.STATUS, selected="1:sourcing")
    assert "Sourcing" in card_text(fake.wait_for("chat.update", 2)[1])

    # a reply in the card's thread is recorded as a comment
    slack.event({"type": "message", "channel": CHANNEL, "user": IT, "text": "Budget code 4711 &amp; PO soon",
                 "ts": "1700000100.000200", "thread_ts": card_ts})
    # a note by command is stored and posted into the thread
    slack.command("/procure", "note 1 Quote requested from Zoom", BUYER)
    note = [c for c in fake.wait_for("chat.postMessage", 3) if c.args.get("thread_ts")][0]
    assert note.args["thread_ts"] == card_ts and "Quote requested from Zoom" in note.args["text"]
    fake.wait_for("response_url")

    for count, status in enumerate(("approved", "ordered", "fulfilled"), start=3):
        slack.command("/procure", f"status 1 {status}", BUYER)
        updates = fake.wait_for("chat.update", count)  # each change lands before the next is sent
    assert "Fulfilled" in card_text(updates[-1])
    assert not [b for b in updates[-1].args["blocks"] if b["type"] == "actions" and
                any(e["action_id"] == Actions.CLAIM for e in b["elements"])]

    request = bot.core.requests.get(1)
    assert request.status is Status.FULFILLED
    texts = [c.text for c in bot.core.requests.show(IT, 1).notes]
    assert sorted(texts) == ["Budget code 4711 & PO soon", "Quote requested from Zoom"]

    # /procure show prints the history, ephemerally
    slack.command("/procure", "show 1", IT)
    shown = fake.wait_until("response_url", lambda args: "History" in json.dumps(args.get("blocks")))
    assert shown.args["response_type"] == "ephemeral"
    history = json.dumps(shown.args["blocks"], ensure_ascii=False)
    for step in ("created the request", "claimed", "status: claimed → sourcing", "status: ordered → fulfilled"):
        assert step in history, [c.args.get("text") for c in fake.calls_to("response_url")]
    # People in the history are live mentions, not their escaped markup.
    assert f"owner: — → <@{BUYER}>" in history and "&lt;@" not in history


def test_modal_errors_are_shown_inline_and_nothing_is_posted(slack, fake, bot):
    status, body = slack.submit(IT, Views.NEED, need_values(title="", quantity="0", needed_by="2020-01-01",
                                                            estimated_cost="-3", category=""))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"title", "quantity", "needed_by", "estimated_cost", "category"}
    assert answer["errors"]["needed_by"] == "The needed-by date is in the past."
    assert bot.core.requests.list(IT, "all").total == 0
    assert fake.calls_to("chat.postMessage") == []


def test_someone_outside_procurement_cannot_claim_or_change_status_by_any_path(slack, fake, bot):
    post_need(slack, fake)
    fake.reset()
    slack.click(IT2, Actions.CLAIM, "1")
    slack.click(IT2, Actions.STATUS, selected="1:on_hold")
    slack.command("/procure", "claim 1", IT2)
    slack.command("/procure", "status 1 on_hold", IT2)
    refusals = fake.wait_for("response_url", 4)
    assert sorted(r.args["text"] for r in refusals) == sorted(
        [":no_entry: Only procurement members can claim requests."] * 2
        + [":no_entry: Only procurement members can change a request's status."] * 2
    )
    assert all(r.args["response_type"] == "ephemeral" for r in refusals)
    request = bot.core.requests.get(1)
    assert (request.status, request.owner) == (Status.NEW, None)
    assert fake.calls_to("chat.update") == []
    assert [e.action for e in bot.core.requests.show(IT, 1).events] == ["created"]


def test_a_user_group_member_counts_as_procurement(slack, fake, bot):
    fake.groups["S0BUYERS"] = ["U0GROUPBUY"]
    post_need(slack, fake)
    slack.click("U0GROUPBUY", Actions.CLAIM, "1")
    fake.wait_for("chat.update")
    assert bot.core.requests.get(1).owner == "U0GROUPBUY"
    assert fake.calls_to("usergroups.users.list")[0].args["usergroup"] == "S0BUYERS"


def test_add_note_button_opens_a_modal_whose_note_goes_to_the_thread(slack, fake, bot):
    post_need(slack, fake)
    slack.click(BUYER, Actions.ADD_NOTE, "1")
    [modal] = [c for c in fake.wait_for("views.open") if c.args["view"]["callback_id"] == Views.NOTE]
    assert modal.args["view"]["private_metadata"] == "1"
    status, body = slack.submit(BUYER, Views.NOTE, {"note": {"value": {"type": "plain_text_input", "value": " "}}}, "1")
    assert json.loads(body) == {"response_action": "errors", "errors": {"note": "Write a note first."}}
    slack.submit(BUYER, Views.NOTE, {"note": {"value": {"type": "plain_text_input", "value": "Vendor call Tue"}}}, "1")
    threaded = [c for c in fake.wait_for("chat.postMessage", 3) if c.args.get("thread_ts")]
    assert "Vendor call Tue" in threaded[0].args["text"]
    assert [c.text for c in bot.core.requests.show(IT, 1).notes] == ["Vendor call Tue"]


def test_procure_answers_ephemerally_with_usage_for_bad_input(slack, fake):
    for text in ("frobnicate", "show", "claim abc", "status 1"):
        assert slack.command("/procure", text, IT) == (200, "")
    answers = [c.args for c in fake.wait_for("response_url", 4)]
    assert all(a["response_type"] == "ephemeral" for a in answers)
    joined = "\n".join(a["text"] for a in answers)
    assert "I don't know `frobnicate`" in joined
    assert "Usage: `/procure show N`" in joined
    assert "'abc' is not a request number" in joined
    assert "Usage: `/procure status N &lt;status&gt;`" in joined
    slack.command("/procure", "show 42", IT)
    assert fake.wait_for("response_url", 5)[-1].args["text"] == ":no_entry: There is no request #42."


def test_list_and_help(slack, fake):
    post_need(slack, fake)
    post_need(slack, fake, title="Headsets", category="hardware")
    slack.command("/procure", "list", IT)
    listing = fake.wait_for("response_url")[0].args
    text = json.dumps(listing["blocks"])
    assert "Open requests" in text and "#2 Headsets" in text and "#1 50 Zoom licences" in text
    slack.command("/procure", "list all hardware", IT)
    text = json.dumps(fake.wait_for("response_url", 2)[1].args["blocks"])
    assert "#2 Headsets" in text and "Zoom" not in text
    slack.command("/procure", "", IT)
    assert "/procure list" in fake.wait_for("response_url", 3)[2].args["text"]
