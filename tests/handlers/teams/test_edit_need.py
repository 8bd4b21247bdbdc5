"""Requesters edit their own needs in Teams: `edit N` answers with the need form filled in,
the details card has *Edit* for whoever the core lets edit, and saving is checked like a new need."""

from decimal import Decimal

from handlers.teams.ids import Verbs
from tests.handlers.teams.conftest import BUYER, IT, invoke_text
from tests.handlers.teams.test_lifecycle import NEED, actions, card_of, post_need


def inputs(card: dict) -> dict:
    return {item["id"]: item.get("value") for item in card["body"] if "id" in item}


def test_edit_answers_with_the_form_filled_in_and_saving_updates_the_card(teams, connector, bot):
    teams.install_in_team()
    post_need(teams, connector, estimated_cost="7500.5")
    connector.reset()
    teams.say(IT, "edit 1")
    [reply] = connector.of("reply", IT.chat)
    form = card_of(reply)
    assert form["body"][0]["text"] == "Edit #1"
    shown = inputs(form)
    assert (shown["title"], shown["quantity"], shown["estimated_cost"], shown["needed_by"]) == \
        ("50 Zoom licences", 50, 7500.5, "2027-01-15")
    assert form["actions"][0]["verb"] == Verbs.NEED_EDIT and form["actions"][0]["data"]["request"] == 1

    connector.reset()
    status, answer = teams.click(IT, Verbs.NEED_EDIT, {**NEED, "request": 1, "title": "60 Zoom licences",
                                                       "estimated_cost": 9000.5}, where="personal", locale="de-DE")
    assert "are saved" in invoke_text(answer)
    request = bot.core.requests.get(1)
    assert (request.title, request.estimated_cost) == ("60 Zoom licences", Decimal("9000.50"))
    assert "60 Zoom licences" in str(card_of(connector.of("update")[-1])), "the channel's card is updated"


def test_a_bad_edit_comes_back_with_its_errors_and_nothing_changes(teams, connector, bot):
    teams.install_in_team()
    post_need(teams, connector)
    status, answer = teams.click(IT, Verbs.NEED_EDIT, {**NEED, "request": 1, "title": ""}, where="personal")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Give the need a short title." in invoke_text(answer)
    assert bot.core.requests.get(1).title == "50 Zoom licences"


def test_only_the_requester_gets_edit_and_others_are_refused(teams, connector, bot):
    teams.install_in_team()
    teams.say(BUYER, "help")
    post_need(teams, connector)
    connector.reset()
    teams.say(BUYER, "edit 1")
    [reply] = connector.of("reply", BUYER.chat)
    assert "Only the requester of #1 (or an admin) can edit it." in reply.text
    status, answer = teams.click(BUYER, Verbs.NEED_EDIT, {**NEED, "request": 1, "title": "Mine now"},
                                 where="personal")
    assert "can edit it" in invoke_text(answer)
    assert bot.core.requests.get(1).title == "50 Zoom licences"

    def details_for(user):
        connector.reset()
        teams.say(user, "show 1")
        [shown] = connector.of("reply", user.chat)
        return card_of(shown)

    assert "Edit" in actions(details_for(IT))
    assert "Edit" not in actions(details_for(BUYER))

    connector.reset()
    status, answer = teams.click(IT, Verbs.EDIT, {"request": 1}, where="personal")
    assert "in your chat with Tandem" in invoke_text(answer)
    [sent] = [call for call in connector.calls if call.cards]
    assert card_of(sent)["body"][0]["text"] == "Edit #1"
