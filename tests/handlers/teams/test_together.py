"""Deciding together and IT's risk checks in Teams: commands typed as messages, the card in the
channel updated in place with the options, the decision and the checklist."""

import json

import pytest

from bot.config import Settings
from bot.schedule import Schedule
from bot.sourcing import Stance
from handlers.teams.ids import Verbs
from tests.contract_samples import contract_form
from tests.handlers.teams.conftest import ADMIN, BUYER, CHANNEL, CREDENTIALS, IT, User, invoke_text
from tests.handlers.teams.test_lifecycle import card_of, post_need


@pytest.fixture
def teams_settings(tmp_path):
    return Settings.from_env({
        "TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_PROCUREMENT": BUYER.aad, "TEAMS_CHANNEL": CHANNEL,
        **CREDENTIALS, "TANDEM_RISK_CHECKS": "internal=Security review",
    })


def said(teams, connector, user, text) -> str:
    connector.reset()
    assert teams.say(user, text)[0] == 202
    [reply] = connector.of("reply", user.chat)
    return reply.body.get("summary") or reply.body["text"]  # errors are plain text


def test_options_a_joint_decision_and_the_checklist_on_the_teams_card(teams, connector, bot):
    teams.install_in_team()
    teams.say(IT, "hello")  # Tandem meets both people, so it knows their names
    teams.say(BUYER, "hello")
    card_id, card = post_need(teams, connector)
    assert "☐ 1. Security review" in json.dumps(card, ensure_ascii=False)
    said(teams, connector, BUYER, "claim 1")
    assert said(teams, connector, BUYER, "option 1 Zoom | 12000 | net 30 | 12") == \
        "Option A added to #1: A · Zoom · USD 12,000 · 12 months · net 30."
    updated = json.dumps(card_of(connector.of("update")[-1]), ensure_ascii=False)
    assert "Option A" in updated and "Zoom · USD 12,000 · 12 months · net 30" in updated
    said(teams, connector, IT, "rate 1 A fit 4 risk 5")
    said(teams, connector, BUYER, "status 1 sourcing")
    said(teams, connector, BUYER, "status 1 approved")
    assert "no joint decision" in said(teams, connector, BUYER, "status 1 ordered")
    assert "Waiting for" in said(teams, connector, IT, "choose 1 A fits")
    assert "Decided together: option A" in said(teams, connector, BUYER, "choose 1 A fair price")
    assert "1. Security review" in said(teams, connector, BUYER, "status 1 ordered")
    assert "Every risk check is done" in said(teams, connector, IT, "check 1 1")
    updated = json.dumps(card_of(connector.of("update")[-1]), ensure_ascii=False)
    assert "Decided together: option A; Ivy IT chose A: fits; Bo Buyer chose A: fair price" in updated
    assert "☑ 1. Security review (Ivy IT)" in updated.replace("\\\\", "")  # shown as typed: escaped
    said(teams, connector, BUYER, "status 1 ordered")
    assert bot.core.requests.get(1).status.value == "ordered"


def test_decisions_and_action_items_in_teams(teams, connector, bot):
    teams.say(IT, "hello")  # Tandem meets Ivy and learns her e-mail address
    assert said(teams, connector, BUYER, "decide Keep *Zoom* one more year") == \
        "Decision 1 recorded: Keep *Zoom* one more year"
    connector.reset()
    teams.say(BUYER, "action ivy@example.com Ask for the SOC 2 report by 2027-01-10")
    told = connector.of("reply", BUYER.chat)[0]
    assert "Action item 1 for Ivy IT by 2027-01-10: Ask for the SOC 2 report" in told.text
    [dm] = [call for call in connector.of("send") if call.conversation == IT.chat] or \
        [call for call in connector.calls if "A new action item for you" in call.text]
    assert "A new action item for you" in dm.text
    connector.reset()
    teams.say(IT, "actions")
    [shown] = connector.of("reply", IT.chat)
    shown = shown.text.replace("\\\\", "")  # user text is escaped in cards
    assert "Open action items" in shown and "1. Ivy IT — Ask for the SOC 2 report (due 2027-01-10)" in shown
    assert "Mark one done with action done N." in shown
    assert said(teams, connector, IT, "action done 1") == "Action item 1 is done: Ask for the SOC 2 report"


def test_the_sourcing_map_and_the_scorecard_in_teams(teams, connector, bot):
    teams.say(IT, "hello")
    assert "set by the IT owners of contracts and admins" in said(teams, connector, IT, "sourcing set software open")
    connector.reset()
    teams.say(BUYER, "sourcing")
    [shown] = connector.of("reply", BUYER.chat)
    assert "The sourcing map" in shown.text and "software — not set" in shown.text
    connector.reset()
    teams.say(BUYER, "scorecard")
    [shown] = connector.of("reply", BUYER.chat)
    text = shown.text.replace("\\\\", "")
    assert "Scorecard: working together, measured" in text
    assert "Procurement is part of IT's planning meetings." in text and "0 sync meetings held with an agenda" in text
    assert "No check-up results to compare yet (from 3 answers up)." in text


def test_a_stance_on_the_sourcing_map_is_cleared_in_teams_by_who_may_set_it(teams, connector, bot):
    teams.say(IT, "hello")  # this file's settings name no admin: the IT owner is who may set stances
    core = bot.core
    core.contracts.add(BUYER.aad, contract_form(it_owner=IT.email, procurement_owner=BUYER.email))
    assert said(teams, connector, IT, "sourcing set system Payroll SaaS open").endswith("is now: open to a supplier.")
    core.sourcing.set(IT.aad, "software", Stance.OPEN)
    refused = said(teams, connector, BUYER, "sourcing clear system payroll saas")
    assert "set by the IT owners of contracts and admins" in refused and len(core.sourcing.stances()) == 2
    assert said(teams, connector, IT, "sourcing clear system payroll saas") == \
        "IT's stance on Payroll SaaS (system) is cleared; the map no longer lists it."
    assert said(teams, connector, IT, "sourcing clear software") == \
        "IT's stance on software is cleared; the map shows it as not set."
    assert said(teams, connector, IT, "sourcing clear software") == "IT has no stance on software; nothing was cleared."
    assert core.sourcing.stances() == {}
    assert core.store.db.execute("select count(*) from events where action = 'stance cleared'").fetchone()[0] == 2


def test_the_quarterly_sourcing_check_confirm_and_change_buttons_in_teams(teams, connector, bot):
    teams.install_in_team()
    teams.say(IT, "hello")
    teams.say(BUYER, "hello")
    core = bot.core
    core.contracts.add(BUYER.aad, contract_form(it_owner=IT.email, procurement_owner=BUYER.email))
    core.sourcing.set(IT.aad, "software", Stance.OPEN)
    connector.reset()
    Schedule(core, holder="test").tick()
    [check] = [c for c in connector.of("send", IT.chat) if "Sourcing map check" in json.dumps(c.cards)]
    actions = {a["title"]: a for a in check.cards[0]["actions"]}
    assert list(actions) == ["Confirm", "Change"] and actions["Confirm"]["style"] == "positive"
    confirm = actions["Confirm"]["data"]
    assert confirm == {"verb": Verbs.BRIEFING, "command": "sourcing confirm 2026-Q4"}

    refused = invoke_text(teams.click(BUYER, Verbs.BRIEFING, confirm, where="personal")[1])
    assert "set by the IT owners of contracts and admins" in refused
    assert "Confirmed 1 stance as they are" in invoke_text(teams.click(IT, Verbs.BRIEFING, confirm, where="personal")[1])
    again = invoke_text(teams.click(IT, Verbs.BRIEFING, confirm, where="personal")[1])
    assert "You already confirmed the stances for 2026-Q4" in again and "nothing was changed" in again
    forged = invoke_text(teams.click(IT, Verbs.BRIEFING, {"command": "contract cancel 1"}, where="personal")[1])
    assert "That button does nothing now" in forged and core.contracts.get(1).status.value == "active"

    # Change: the form, filled in with the stances, takes the check's place; saving twice applies once.
    status, answer = teams.click(IT, Verbs.BRIEFING, actions["Change"]["data"], where="personal")
    form = answer["value"]
    inputs = {item["id"]: item for item in form["body"] if item["type"] == "Input.ChoiceSet"}
    assert list(inputs) == ["hardware", "software", "saas", "telecom", "services", "other"]
    assert inputs["software"]["value"] == "open" and form["actions"][0]["verb"] == Verbs.SOURCING
    bad = teams.click(IT, Verbs.SOURCING, {"software": "maybe"}, where="personal")[1]
    assert "Please fix" in json.dumps(bad["value"]) and "is not a stance" in json.dumps(bad["value"])
    saved = invoke_text(teams.click(IT, Verbs.SOURCING, {"software": "managed", "saas": "in-house"},
                                    where="personal")[1])
    assert saved == "IT's stances changed — software: supplier-managed; saas: keep in-house. The others are " \
                    "confirmed as they are."
    twice = invoke_text(teams.click(IT, Verbs.SOURCING, {"software": "managed", "saas": "in-house"},
                                    where="personal")[1])
    assert twice == "No stance changed; 2 stances confirmed as they are."
    refused = invoke_text(teams.click(BUYER, Verbs.SOURCING, {"software": "in-house"}, where="personal")[1])
    assert "set by the IT owners of contracts and admins" in refused
    assert core.sourcing.stances()["software"].stance.value == "managed"


def mention_in_channel(teams, user, text: str, people: list, message_id: str | None = None) -> dict:
    """A channel message as Teams sends it: the bot and each person @mentioned (``<at>Name</at>`` in
    the text, a ``mention`` entity each), and the client's own entity."""
    conversation, data = teams.channel()
    activity = teams.base(user, conversation, data)
    entities = [{"type": "mention", "text": "<at>Tandem</at>", "mentioned": {"id": activity["recipient"]["id"],
                                                                         "name": "Tandem"}}]
    for person in people:
        entities.append({"type": "mention", "text": f"<at>{person.name}</at>",
                         "mentioned": {"id": person.id, "name": person.name}})
    entities.append({"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web",
                     "timezone": "Europe/Berlin"})
    activity.update(type="message", text=f"<at>Tandem</at> {text}", textFormat="plain", entities=entities)
    if message_id:
        activity["id"] = message_id
    return activity


def test_an_action_item_for_a_person_mentioned_in_teams(teams, connector, bot):
    teams.install_in_team()
    teams.say(IT, "hello")  # Tandem has met Ivy
    teams.say(BUYER, "hello")
    connector.reset()
    activity = mention_in_channel(teams, BUYER, "action <at>Ivy IT</at> Send the reader count by 2027-01-10", [IT],
                                  message_id="1700000000001")
    assert teams.post(activity)[0] == 202
    assert teams.post(activity)[0] == 202  # Teams delivers it again: one action item
    [item] = bot.core.sync.store.db.query("select person, text, due from action_items")
    assert item == {"person": IT.aad, "text": "Send the reader count", "due": "2027-01-10"}
    told = [c for c in connector.of("send", BUYER.chat) if "Action item 1" in c.text]
    assert len(told) == 1 and "Action item 1 for Ivy IT by 2027-01-10: Send the reader count" in told[0].text
    assert any("A new action item for you" in c.text for c in connector.of("send", IT.chat))

    # Someone Tandem has not met yet is found in the team's roster, then told like anyone else.
    connector.member(ADMIN.id, ADMIN.name, ADMIN.email, ADMIN.aad)
    teams.post(mention_in_channel(teams, BUYER, "action <at>Ada Admin</at> Sign the DPA", [ADMIN]))
    assert [row["person"] for row in bot.core.sync.store.db.query("select person from action_items")] == \
        [IT.aad, ADMIN.aad]

    # A mention Teams' roster does not know is refused by name, and nothing is recorded.
    stranger = User("29:stranger", "dddddddd-0000-0000-0000-000000000004", "Sam Stranger", "sam@example.com")
    connector.reset()
    teams.post(mention_in_channel(teams, BUYER, "action <at>Sam Stranger</at> Call the vendor", [stranger]))
    refused = json.dumps([c.body for c in connector.of("send", BUYER.chat)])
    assert "'@Sam' is not someone I know" in refused
    assert bot.core.sync.store.db.execute("select count(*) from action_items").fetchone()[0] == 2

    # Slack's mention markup typed as text in Teams names nobody: only a real mention does.
    connector.reset()
    teams.post(mention_in_channel(teams, BUYER, f"action <@{IT.aad}> Call the vendor", []))
    refused = json.dumps([c.body for c in connector.of("send", BUYER.chat)])
    assert "is not someone I know" in refused
    assert bot.core.sync.store.db.execute("select count(*) from action_items").fetchone()[0] == 2
