"""Activities Tandem did not write, signed with the test key set and posted to /api/messages.

A card action whose data is missing or forged gets a clear answer and changes nothing; one from
another tenant (or naming two) is refused with 403; a message naming 50 people, a title of
30,000 characters or a request with forty long comments still gets an answer that fits in a
Teams message (28 KB); Tandem added to and removed from a team other than the shared channel's
keeps posting in the shared channel; an activity Teams sends twice is applied once.
"""

from __future__ import annotations

import json
import logging

import pytest

from handlers.teams.actions import ALREADY_DONE, UNKNOWN_BUTTON
from handlers.teams.ids import Verbs
from tests.handlers.teams.conftest import ADMIN, BOT, BUYER, CHANNEL, IT, TEAM, invoke_text
from tests.handlers.teams.test_lifecycle import post_need
from tests.handlers.teams.test_removal import healthz
from tests.scenario import snapshot as every_row

OTHER_TEAM = "19:sandbox@thread.tacv2"
OTHER_TENANT = "99999999-0000-4000-8000-000000000099"


def snapshot(core) -> dict:
    """Every row Tandem keeps, but the replay guard's and the conversation references' (which
    Tandem records for every activity it serves) and the people it has met."""
    rows = every_row(core)
    for table in ("replays", "teams_conversations", "people"):
        rows.pop(table, None)
    return rows


def errors_logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def invoke(teams, user, value) -> tuple[int, dict | None]:
    """An ``adaptiveCard/action`` invoke with ``value`` as Teams would carry it, in the person's chat."""
    activity = teams.base(user, teams.personal(user))
    activity.update(type="invoke", name="adaptiveCard/action", value=value)
    return teams.post(activity)


@pytest.fixture
def posted(teams, connector, bot):
    """Tandem installed in the team, IT's need #1 posted; returns its card's activity ID."""
    teams.install_in_team()
    card_id, _ = post_need(teams, connector)
    connector.reset()
    return card_id


# --- forged card actions ------------------------------------------------------------------------

FORGED = {
    "no data": {"action": {"type": "Action.Execute", "verb": Verbs.CLAIM}, "trigger": "manual"},
    "data a string": {"action": {"type": "Action.Execute", "verb": Verbs.CLAIM, "data": "request=1"}},
    "data a list": {"action": {"type": "Action.Execute", "verb": Verbs.CLAIM, "data": [1]}},
    "no verb": {"action": {"type": "Action.Execute", "data": {"request": 1}}},
    "a verb Tandem never wrote": {"action": {"type": "Action.Execute", "verb": "request_delete", "data": {"request": 1}}},
    "a verb that is a number": {"action": {"type": "Action.Execute", "verb": 7, "data": {"request": 1}}},
    "an Action.Submit's data": {"action": {"type": "Action.Submit", "data": {"verb": Verbs.CLAIM, "request": 1}}},
    "no action": {"action": None},
    "value a string": "claim 1",
    "no value": None,
}


@pytest.mark.parametrize("case", FORGED, ids=list(FORGED))
def test_a_card_action_with_forged_data_says_the_button_does_nothing(teams, connector, bot, posted, caplog, case):
    before = snapshot(bot.core)
    status, answer = invoke(teams, BUYER, FORGED[case])
    assert status == 200
    text = invoke_text(answer)
    assert text in (UNKNOWN_BUTTON, "⛔ '' is not a request number; use a number like 12 or #12."), text
    assert snapshot(bot.core) == before, "#1 is not claimed"
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("request_value", [10**30, True, -1, 1.5, {"id": 1}, ["1"], "9" * 5000, ""])
def test_a_claim_naming_a_request_tandem_did_not_write_is_refused_in_words(teams, connector, bot, posted, caplog,
                                                                           request_value):
    """Before: ``10**30`` ended in "Something went wrong" (SQLite's integer overflow, logged at
    ERROR); ``true`` was refused as "There is no request #True"."""
    before = snapshot(bot.core)
    status, answer = teams.click(BUYER, Verbs.CLAIM, {"request": request_value}, card=posted)
    assert status == 200
    text = invoke_text(answer)
    assert text.startswith("⛔ ") and "is not a request number" in text, text
    assert len(text) < 200, "the refusal does not echo the value at length"
    assert snapshot(bot.core) == before
    assert errors_logged(caplog) == []


def test_an_action_submit_message_with_forged_data_changes_nothing(teams, connector, bot, posted):
    """An Action.Submit arrives as a message with ``value`` and no text: Tandem's cards use
    Action.Execute, so it is not a command, and says nothing rather than guess."""
    before = snapshot(bot.core)
    activity = teams.base(BUYER, teams.personal(BUYER))
    activity.update(type="message", value={"verb": Verbs.CLAIM, "request": 1})
    assert teams.post(activity)[0] in (200, 202)
    assert snapshot(bot.core) == before
    assert connector.of("send") == [] and connector.of("update") == []


# --- other tenants --------------------------------------------------------------------------------

def test_a_card_action_from_another_tenant_is_refused_with_403(teams, connector, bot, posted):
    before = snapshot(bot.core)
    activity = teams.base(BUYER, teams.personal(BUYER))
    activity["conversation"]["tenantId"] = OTHER_TENANT
    activity["channelData"]["tenant"]["id"] = OTHER_TENANT
    activity.update(type="invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": Verbs.CLAIM,
                                      "data": {"verb": Verbs.CLAIM, "request": 1}}})
    assert teams.post(activity) == (403, {"error": "forbidden"})
    assert snapshot(bot.core) == before
    assert connector.calls == []


def test_an_activity_naming_two_tenants_is_refused_with_403(teams, connector, bot, posted):
    """Before: the conversation's tenant was read and channelData's ignored, so an activity
    that named ours there and another in channelData was served."""
    before = snapshot(bot.core)
    activity = teams.base(BUYER, teams.personal(BUYER))
    activity["channelData"]["tenant"]["id"] = OTHER_TENANT
    activity.update(type="invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": Verbs.CLAIM,
                                      "data": {"verb": Verbs.CLAIM, "request": 1}}})
    assert teams.post(activity)[0] == 403
    assert snapshot(bot.core) == before
    assert bot.core.requests.get(1).owner is None


# --- many mentions, long text ---------------------------------------------------------------------

def mentions(count: int) -> tuple[str, list[dict]]:
    tags = [f"<at>Person {i}</at>" for i in range(count)]
    return " ".join(tags), [{"type": "mention", "text": tag, "mentioned": {"id": f"29:person-{i}", "name": f"Person {i}"}}
                            for i, tag in enumerate(tags)]


def test_a_note_of_fifty_mentions_and_nothing_else_is_refused_clearly(teams, connector, bot, posted):
    before = snapshot(bot.core)
    said, entities = mentions(50)
    activity = teams.base(IT, teams.personal(IT))
    activity.update(type="message", text=f"note 1 {said}", textFormat="plain", entities=entities)
    assert teams.post(activity)[0] in (200, 202)
    [reply] = connector.of("reply", IT.chat)
    assert reply.body["text"] == "⛔ Write the note after the request number.\nUsage: note N <text>"
    assert snapshot(bot.core) == before


def test_a_thread_reply_naming_fifty_people_sent_twice_is_one_comment(teams, connector, bot, posted):
    said, entities = mentions(50)
    conversation, data = teams.channel(posted)
    reply = teams.base(IT, conversation, data)
    reply.update(type="message", id="1700000000777", text=f"Looping in {said}", textFormat="plain",
                 replyToId=posted, entities=entities)
    for _ in range(2):  # Teams delivers the same activity again
        assert teams.post(reply)[0] in (200, 202)
    [comment] = bot.core.requests.show(IT.aad, 1).notes
    assert comment.text.startswith("Looping in @Person 0 @Person 1") and "@Person 49" in comment.text
    assert "<at>" not in comment.text


def test_a_need_title_of_30000_characters_opens_a_form_that_fits(teams, connector, bot):
    """Before: the form carried the whole title (a 32 KB message, over Teams' 28 KB)."""
    teams.say(IT, "need " + "y" * 30_000)
    [reply] = connector.of("reply", IT.chat)
    assert len(json.dumps(reply.body)) < 28_000
    [title] = [element for element in reply.cards[0]["body"] if element.get("id") == "title"]
    assert len(title["value"]) == title["maxLength"] == 150 and title["value"].endswith("…")


def test_a_request_with_forty_long_comments_shows_its_latest_within_a_message(teams, connector, bot, posted):
    """Before: ``show 1`` and Open sent 34 KB (the last 15 comments of 3,000 characters), which
    Teams refuses; now the latest that fit, and how many earlier ones are not shown."""
    for i in range(40):
        bot.core.requests.note(IT.aad, 1, f"comment {i} " + "x" * 2980, source="note")
    connector.reset()
    teams.say(BUYER, "show 1")
    status, answer = teams.click(BUYER, Verbs.OPEN, {"request": 1}, card=posted)
    assert status == 200
    sent = connector.of("reply", BUYER.chat) + connector.of("send", BUYER.chat)
    assert len(sent) == 2, [call.kind for call in connector.calls]
    for call in sent:
        assert len(json.dumps(call.body)) < 28_000
        shown = call.text
        assert "comment 39 " in shown, "the latest comment is shown"
        assert "comment 0 " not in shown
        assert "earlier comments are not shown here." in shown


# --- teams Tandem was not set up for --------------------------------------------------------------

def team_event(teams, team: str, kind: str) -> dict:
    activity = teams.base(ADMIN, {"isGroup": True, "conversationType": "channel", "id": team},
                          {"team": {"id": team, "name": "Sandbox"},
                           "eventType": "teamMemberAdded" if kind == "added" else "teamMemberRemoved"})
    if kind == "added":
        activity.update(type="conversationUpdate", membersAdded=[{"id": BOT}])
    else:
        activity.update(type="conversationUpdate", membersRemoved=[{"id": BOT}])
    return activity


@pytest.mark.parametrize("order", ["sandbox, team, sandbox removed", "sandbox, sandbox removed, team"])
def test_added_to_and_removed_from_another_team_it_keeps_posting_in_the_shared_channel(teams, connector, bot, order):
    """Before: the first team Tandem was added to (a sandbox) was taken for the shared channel's
    team, so removing Tandem from the sandbox marked the shared channel removed: no more cards
    there, and /healthz said it was unreachable."""
    steps = {
        "sandbox": lambda: teams.post(team_event(teams, OTHER_TEAM, "added")),
        "team": teams.install_in_team,
        "sandbox removed": lambda: teams.post(team_event(teams, OTHER_TEAM, "removed")),
    }
    for step in order.split(", "):
        assert steps[step]()[0] in (200, 202)
    assert healthz(teams)["teams_channel"] == "ok"
    post_need(teams, connector)  # the card is posted in the shared channel
    assert connector.of("send", OTHER_TEAM) == []


def test_removed_from_the_only_team_it_knows_it_still_stops_posting_there(teams, connector, bot):
    teams.post(team_event(teams, OTHER_TEAM, "added"))
    teams.post(team_event(teams, OTHER_TEAM, "removed"))
    assert healthz(teams)["teams_channel"].startswith("unreachable: Tandem was removed")


def test_an_activity_from_the_shared_channel_names_its_team(teams, connector, bot):
    """Once someone speaks in the shared channel, its team is known: removing Tandem from
    another team no longer touches it, removing it from the channel's own team does."""
    teams.post(team_event(teams, OTHER_TEAM, "added"))
    teams.say_in_channel(IT, "help")
    teams.post(team_event(teams, OTHER_TEAM, "removed"))
    assert healthz(teams)["teams_channel"] == "ok"
    removal = team_event(teams, TEAM, "removed")
    teams.post(removal)
    assert healthz(teams)["teams_channel"].startswith("unreachable: Tandem was removed")


# --- repeated activities --------------------------------------------------------------------------

def test_a_card_action_teams_sends_twice_claims_once(teams, connector, bot, posted):
    activity = teams.base(BUYER, *teams.channel(posted))
    activity.update(type="invoke", name="adaptiveCard/action", replyToId=posted,
                    value={"action": {"type": "Action.Execute", "verb": Verbs.CLAIM,
                                      "data": {"verb": Verbs.CLAIM, "request": 1}}, "trigger": "manual"})
    assert teams.post(activity)[0] == 200
    assert bot.core.requests.get(1).owner == BUYER.aad
    events = len(bot.core.requests.show(BUYER.aad, 1).events)
    updates = len(connector.of("update", CHANNEL))
    second = invoke_text(teams.post(activity)[1])
    assert second == ALREADY_DONE
    assert len(bot.core.requests.show(BUYER.aad, 1).events) == events, "claimed once"
    assert len(connector.of("update", CHANNEL)) == updates, "the card is not updated again"


def test_the_sourcing_change_form_with_110_systems_fits_a_message_and_says_how_many_more(teams, connector, bot):
    """Before: a card with a menu per system, over Teams' 28 KB."""
    from bot.sourcing import Stance

    teams.say(ADMIN, "help")  # Tandem meets the admin (TANDEM_ADMINS names their e-mail address)
    connector.reset()
    for i in range(110):
        bot.core.sourcing.set(ADMIN.aad, bot.core.sourcing.system_key(f"System {i:03d}"), Stance.MANAGED)
    teams.say(ADMIN, "sourcing change")
    [reply] = connector.of("reply", ADMIN.chat)
    assert len(json.dumps(reply.body)) < 28_000
    shown = reply.text
    assert "System 039 (system)" in shown and "System 040 (system)" not in shown
    assert "70 more systems are not in this form and kept as they are" in shown
    assert "sourcing set system" in shown and "/procure" not in shown
