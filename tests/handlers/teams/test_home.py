"""The personal home in Teams: the App Home's sections on a card, kept current with
Universal Actions refresh for whoever looks at it, rather than a message per change."""

import json

from handlers.teams.actions import UNKNOWN_BUTTON
from handlers.teams.ids import Verbs
from tests.contract_samples import contract_form
from tests.handlers.teams.conftest import BUYER, IT, invoke_text
from tests.handlers.teams.test_lifecycle import card_of, post_need


def home_text(card: dict) -> str:
    return json.dumps(card["body"], ensure_ascii=False)


def refreshed(teams, user, trigger="automatic") -> dict:
    status, answer = teams.click(user, Verbs.HOME, {}, where="personal", trigger=trigger)
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    return answer["value"]


def test_home_shows_the_app_home_sections_and_refreshes_per_person(teams, connector, bot):
    teams.install_in_team()
    card_id, _ = post_need(teams, connector)
    teams.say(BUYER, "help")
    bot.core.contracts.add(BUYER.aad, contract_form(procurement_owner=BUYER.email))
    connector.reset()
    assert teams.say(BUYER, "home")[0] == 202
    [sent] = connector.of("reply", BUYER.chat)
    home = card_of(sent)
    shown = home_text(home)
    assert "Your open needs** (0)" in shown and "Your claims** (0)" in shown
    assert "Unclaimed queue** (1)" in shown and "50 Zoom licences" in shown and "Contracts you own** (1)" in shown
    assert home["refresh"]["action"]["verb"] == Verbs.HOME and home["refresh"]["userIds"] == [BUYER.id]

    # Bo claims; no message is sent to his home, but the next look at it shows the claim.
    connector.reset()
    teams.click(BUYER, Verbs.CLAIM, {"request": 1}, card=card_id)
    assert connector.of("send", BUYER.chat) == [] and connector.of("update", BUYER.chat) == []
    now = home_text(refreshed(teams, BUYER))
    assert "Your claims** (1)" in now and "Unclaimed queue** (0)" in now

    # The same card refreshed by Ivy (IT) is Ivy's view: her need, no unclaimed queue.
    ivy = refreshed(teams, IT, trigger="manual")
    assert "Your open needs** (1)" in home_text(ivy) and "Unclaimed queue" not in home_text(ivy)
    assert ivy["refresh"]["userIds"] == [IT.id]


def test_installing_in_the_personal_chat_sends_the_home(teams, connector):
    assert teams.install_personal(IT)[0] == 202
    cards = [card_of(call) for call in connector.of("reply", IT.chat)]
    assert any("Your open needs" in home_text(card) for card in cards)


def test_an_unknown_verb_or_invoke_gets_a_200(teams, connector):
    status, answer = teams.click(IT, "some_old_verb", {}, where="personal")
    assert status == 200 and invoke_text(answer) == UNKNOWN_BUTTON
    activity = {**teams.base(IT, teams.personal(IT)), "type": "invoke", "name": "task/fetch", "value": {}}
    assert teams.post(activity)[0] == 200
