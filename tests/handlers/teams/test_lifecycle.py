"""The request lifecycle in Teams, end to end: activities POSTed to /api/messages as Teams
sends them, and what the bot sends back as the fake Bot Connector records it."""

import json

from handlers.teams import cards
from storage import cards as cards_repo
from storage import teams as teams_store
from handlers.teams.ids import Verbs
from handlers.teams.messages import SENT_PRIVATELY
from tests.handlers.teams.conftest import ADMIN, BUYER, CHANNEL, IT, TEAM, invoke_text

NEED = {"title": "50 Zoom licences", "details": "Meetings move to Zoom", "category": "saas", "quantity": "50",
        "estimated_cost": "7500", "currency": "USD", "needed_by": "2027-01-15", "urgency": "high",
        "sensitivity": "internal", "preferred_vendor": "Zoom"}


def card_of(call) -> dict:
    [card] = call.cards
    return card


def actions(card: dict) -> list[str]:
    return [action["title"] for action in card.get("actions", [])]


def status_choices(card: dict) -> list[str]:
    [menu] = [item for item in card["body"] if item.get("id") == "status"] or [{"choices": []}]
    return [choice["value"] for choice in menu["choices"]]


def post_need(teams, connector, user=IT, **overrides) -> tuple[str, dict]:
    """Submits the need form; returns the card's activity ID and the posted card."""
    connector.reset()
    status, answer = teams.click(user, Verbs.NEED, {**NEED, **overrides}, where="personal")
    assert status == 200, answer
    assert "is posted in the channel" in invoke_text(answer)
    [posted] = connector.of("send", CHANNEL)
    return posted.answer["id"], card_of(posted)


def test_help_and_the_need_form_answer_in_a_personal_chat(teams, connector):
    assert teams.say(IT, "help")[0] == 202
    [reply] = connector.of("reply", IT.chat)
    shown = reply.text
    assert "need [title]" in shown and "list [open|mine|unclaimed|all]" in shown and "/procure" not in shown

    connector.reset()
    teams.say(IT, "need 50 Zoom licences")
    [form] = connector.of("reply", IT.chat)
    card = card_of(form)
    [title] = [item for item in card["body"] if item.get("id") == "title"]
    assert title["value"] == "50 Zoom licences"
    assert card["actions"][0]["type"] == "Action.Execute" and card["actions"][0]["verb"] == Verbs.NEED


def test_a_need_goes_from_new_to_fulfilled_with_its_card_updated_in_place(teams, connector, bot):
    teams.install_in_team()
    card_id, card = post_need(teams, connector)
    thread = f"{CHANNEL};messageid={card_id}"
    assert card["body"][0]["text"] == "#1 50 Zoom licences — New"
    assert "requested by Ivy IT" in json.dumps(card) and actions(card) == ["Claim", "Change status", "Add note", "Open"]
    assert status_choices(card) == ["on_hold", "cancelled"]

    # A requester cannot claim: refused, and the card is not touched.
    connector.reset()
    answer = teams.click(IT, Verbs.CLAIM, {"request": 1}, card=card_id)[1]
    assert invoke_text(answer) == "⛔ Only procurement members can claim requests."
    assert connector.of("update") == []

    # Procurement (named by Entra object ID) claims: the card changes in place, for everyone.
    answer = teams.click(BUYER, Verbs.CLAIM, {"request": 1}, card=card_id)[1]
    assert invoke_text(answer) == "You claimed #1 50 Zoom licences."
    [update] = connector.of("update")
    assert (update.conversation, update.activity_id) == (thread, card_id)
    claimed = card_of(update)
    assert claimed["body"][0]["text"] == "#1 50 Zoom licences — Claimed" and "claimed by Bo Buyer" in json.dumps(claimed)
    assert actions(claimed)[0] == "Unclaim"
    assert status_choices(claimed) == ["sourcing", "awaiting_it", "on_hold", "cancelled"]

    # Change status from the card's menu (only the allowed next statuses are offered).
    connector.reset()
    answer = teams.click(BUYER, Verbs.STATUS, {"request": 1, "status": "sourcing"}, card=card_id)[1]
    assert invoke_text(answer) == "#1 is now sourcing."
    assert card_of(connector.of("update")[0])["body"][0]["text"].endswith("— Sourcing")
    answer = teams.click(BUYER, Verbs.STATUS, {"request": 1, "status": "fulfilled"}, card=card_id)[1]
    assert "cannot move from sourcing to fulfilled" in invoke_text(answer)

    # A note from the card goes into the card's thread.
    connector.reset()
    answer = teams.click(BUYER, Verbs.NOTE, {"request": 1, "note": "Asked Zoom for a *quote*"}, card=card_id)[1]
    assert invoke_text(answer) == "Note added to #1."
    [note] = connector.of("send", thread)
    assert note.body["text"] == "Note from Bo Buyer: Asked Zoom for a *quote*"

    # Typed in the channel (an @mention), the same commands move it on to fulfilled.
    for status in ("approved", "ordered", "fulfilled"):
        assert teams.say_in_channel(BUYER, f"status 1 {status}", thread=card_id)[0] == 202
    last = card_of(connector.of("update")[-1])
    assert last["body"][0]["text"] == "#1 50 Zoom licences — Fulfilled"
    assert actions(last) == ["Add note", "Open"] and status_choices(last) == []
    # The answer goes to Bo's personal chat; the thread gets a pointer without details.
    replies = [call for call in connector.of("reply") if call.conversation == thread]
    assert [call.body["text"] for call in replies[-3:]] == [SENT_PRIVATELY] * 3
    [chat] = connector.of("create")
    assert "#1 is now fulfilled." in connector.of("send", chat.answer["id"])[-1].text

    request = bot.core.requests.get(1)
    assert request.status.value == "fulfilled" and request.owner == BUYER.aad
    assert cards_repo.card_of(bot.core.store.db, 1, "teams").message_id == card_id
    assert len(connector.of("send", CHANNEL)) == 0, "one card per request, updated, never re-posted"


def test_a_reply_in_the_cards_thread_is_a_comment(teams, connector, bot):
    teams.install_in_team()
    card_id, _ = post_need(teams, connector)
    teams.say_in_channel(IT, "The quote must include webinars", thread=card_id)
    details = bot.core.requests.show(IT.aad, 1)
    assert [c.text for c in details.notes] == ["The quote must include webinars"]
    assert details.notes[0].source == "thread"


def test_roles_come_from_entra_ids_and_email_addresses(teams, connector, bot):
    teams.install_in_team()
    card_id, _ = post_need(teams, connector)
    teams.click(BUYER, Verbs.CLAIM, {"request": 1}, card=card_id)
    # IT cannot unclaim Bo's claim; the admin, listed by e-mail address, can.
    assert "Only the person who claimed #1" in invoke_text(teams.click(IT, Verbs.UNCLAIM, {"request": 1},
                                                                       card=card_id)[1])
    assert invoke_text(teams.click(ADMIN, Verbs.UNCLAIM, {"request": 1}, card=card_id)[1]) == \
        "#1 is unclaimed and back in the queue."
    assert bot.core.roles.role_of(ADMIN.aad).value == "admin"
    assert bot.core.roles.role_of(IT.aad).value == "requester"


def test_list_show_and_a_bad_command_answer_in_chat(teams, connector, bot):
    teams.install_in_team()
    post_need(teams, connector)
    connector.reset()
    teams.say(IT, "list mine")
    listed = card_of(connector.of("reply", IT.chat)[0])
    assert "Your open requests and claims (1)" in json.dumps(listed) and "#1" in json.dumps(listed)

    connector.reset()
    teams.say(IT, "show 1")
    shown = json.dumps(card_of(connector.of("reply", IT.chat)[0]))
    assert "History" in shown and "created the request" in shown

    connector.reset()
    teams.say(IT, "claim banana")
    assert "is not a request number" in connector.of("reply", IT.chat)[0].text


def test_a_form_with_mistakes_comes_back_with_them_marked(teams, connector):
    teams.install_in_team()
    status, answer = teams.click(IT, Verbs.NEED, {**NEED, "quantity": "0", "needed_by": "2020-01-01"},
                                 where="personal")
    assert status == 200 and answer["type"] == cards.CONTENT_TYPE
    form = answer["value"]
    shown = json.dumps(form)
    assert "Quantity must be a whole number of at least 1." in shown and "The needed-by date is in the past." in shown
    assert connector.of("send", CHANNEL) == []


def test_open_sends_the_details_by_dm_never_to_the_channel(teams, connector, bot):
    teams.install_in_team()
    card_id, card = post_need(teams, connector, sensitivity="confidential", title="Legal hold tool")
    assert "Confidential request" in json.dumps(card) and "Legal hold tool" not in json.dumps(card)
    connector.reset()
    answer = teams.click(BUYER, Verbs.OPEN, {"request": 1}, card=card_id)[1]
    assert invoke_text(answer) == "The details of #1 are in your chat with Tandem."
    [opened] = connector.of("create")
    assert opened.body["members"] == [{"id": BUYER.id}] and opened.body["tenantId"]
    [dm] = connector.of("send", opened.answer["id"])
    assert "Legal hold tool" in dm.text, "procurement may see it, in private"
    assert connector.of("send", CHANNEL) == [] and connector.of("reply") == []


def test_a_deleted_card_is_posted_again(teams, connector, bot):
    teams.install_in_team()
    card_id, _ = post_need(teams, connector)
    connector.deleted.add(card_id)
    connector.reset()
    teams.click(BUYER, Verbs.CLAIM, {"request": 1}, card=card_id)
    [again] = connector.of("send", CHANNEL)
    assert card_of(again)["body"][0]["text"].endswith("— Claimed")
    assert cards_repo.card_of(bot.core.store.db, 1, "teams").message_id == again.answer["id"]


def test_when_teams_is_down_the_need_is_saved_and_its_card_comes_later(teams, connector, bot):
    teams.install_in_team()
    connector.fail("send", 503)
    status, answer = teams.click(IT, Verbs.NEED, NEED, where="personal")
    assert "is saved, but its card could not be posted" in invoke_text(answer)
    assert cards_repo.cards_of(bot.core.store.db, 1) == {}
    connector.reset()
    teams.click(BUYER, Verbs.CLAIM, {"request": 1}, card="unknown")
    [posted] = connector.of("send", CHANNEL)
    assert card_of(posted)["body"][0]["text"].endswith("— Claimed")


def test_install_stores_the_team_and_greets(teams, connector, bot):
    assert teams.install_in_team()[0] == 202
    stored = teams_store.conversation(bot.core.store.db, TEAM)
    assert stored.kind == "channel" and stored.service_url == connector.service_url
    [greeting] = connector.of("reply", TEAM)
    assert "Tandem — IT needs and the contract calendar" in greeting.text


def test_a_costly_need_is_approved_from_the_approval_card(teams, connector, bot):
    """Approvers default to the admins (here by e-mail address): asked by DM with a card."""
    teams.install_in_team()
    card_id, _ = post_need(teams, connector, estimated_cost="25000")
    teams.click(BUYER, Verbs.CLAIM, {"request": 1}, card=card_id)
    teams.click(BUYER, Verbs.STATUS, {"request": 1, "status": "sourcing"}, card=card_id)
    connector.reset()
    teams.say(ADMIN, "help")  # Ada has talked to Tandem, so her e-mail address is known to be her
    answer = teams.click(BUYER, Verbs.STATUS, {"request": 1, "status": "approved"}, card=card_id)[1]
    assert "needs approval" in invoke_text(answer)
    [ask] = connector.of("send", ADMIN.chat)
    assert "Approval needed" in ask.text and [a["title"] for a in ask.cards[0]["actions"]] == \
        ["Approve", "Reject", "Open"]
    assert "Only" in invoke_text(teams.click(BUYER, Verbs.APPROVE, {"request": 1}, where="personal")[1])
    answer = teams.click(ADMIN, Verbs.APPROVE, {"request": 1}, where="personal")[1]
    assert invoke_text(answer) == "You approved #1. It is now approved."
    assert bot.core.requests.get(1).status.value == "approved"


def test_amounts_are_read_in_the_teams_clients_locale(teams, connector, bot):
    from decimal import Decimal

    status, answer = teams.click(IT, Verbs.NEED, {**NEED, "estimated_cost": "25.000,00", "currency": "EUR"},
                                 where="personal", locale="de-DE")
    assert "is posted in the channel" in invoke_text(answer)
    request = bot.core.requests.get(1)
    assert (request.estimated_cost, request.currency) == (Decimal("25000.00"), "EUR")
    status, answer = teams.click(IT, Verbs.NEED, {**NEED, "estimated_cost": "25.000,00"}, where="personal")
    assert "cannot be read as an amount in en_US" in invoke_text(answer), "the form comes back with the reason"
    assert bot.core.requests.list(IT.aad, "all").total == 1, "nothing stored from the refused form"


def test_a_title_written_as_markdown_shows_as_typed_in_the_claimers_chat(teams, connector, bot):
    """A title with a link and bold in it is shown as typed in the card Bo gets for `claim 1`:
    the link is not live and the bold is not applied; Tandem's own names still show."""
    teams.install_in_team()
    title = "[Approve here](https://evil.example/phish) **URGENT**"
    post_need(teams, connector, title=title)
    teams.say(BUYER, "help")
    connector.reset()
    assert teams.say(BUYER, "claim 1")[0] == 202
    [reply] = connector.of("reply", BUYER.chat)
    [block] = card_of(reply)["body"]
    assert block["text"] == r"You claimed #1 \[Approve here\](https://evil.example/phish) \*\*URGENT\*\*."
    assert reply.body["summary"] == f"You claimed #1 {title}."  # the plain-text preview is not markdown


def test_an_action_or_a_message_teams_sends_again_is_applied_once(teams, connector, bot):
    """Teams retries an activity it got no answer for with the same activity ID: the second
    claim or command changes nothing and posts nothing (the ledger Slack's replays use)."""
    teams.install_in_team()
    post_need(teams, connector)
    activity = teams.base(BUYER, teams.channel()[0], teams.channel()[1])
    activity.update(type="invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": str(Verbs.CLAIM),
                                      "data": {"verb": str(Verbs.CLAIM), "request": 1}}, "trigger": "manual"})
    status, answer = teams.post(activity)
    assert invoke_text(answer) == "You claimed #1 50 Zoom licences."
    connector.reset()
    status, again = teams.post(activity)
    assert status == 200 and invoke_text(again) == "Tandem already has this; it was done once."
    assert connector.calls == []  # the card is not updated again
    claims = [e for e in bot.core.requests.show(IT.aad, 1).events if e.action == "claimed"]
    assert len(claims) == 1

    teams.say(IT, "help")
    note = teams.base(IT, teams.personal(IT))
    note.update(type="message", text="note 1 Zoom confirmed the price")
    assert teams.post(note)[0] == 202
    connector.reset()
    assert teams.post(note)[0] == 202
    assert connector.calls == []  # no second answer
    assert [n.text for n in bot.core.requests.show(IT.aad, 1).notes] == ["Zoom confirmed the price"]
