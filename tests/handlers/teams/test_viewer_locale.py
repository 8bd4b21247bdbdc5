"""In Teams, amounts in a personal chat are shown the way the person's Teams client writes them
(the activity's locale); the card in the channel keeps TANDEM_LOCALE's way."""

import json

from handlers.teams.ids import Verbs
from tests.handlers.teams.conftest import IT
from tests.handlers.teams.test_lifecycle import card_of, post_need


def say_in(teams, user, text: str, locale: str):
    activity = teams.base(user, teams.personal(user))
    activity.update(type="message", text=text, textFormat="plain", locale=locale)
    return teams.post(activity)


def test_a_german_client_sees_eur_25_000_50_and_the_channel_card_stays_en_us(teams, connector, bot):
    teams.install_in_team()
    _, card = post_need(teams, connector, estimated_cost=25000.5, currency="EUR")
    assert "EUR 25,000.50" in json.dumps(card, ensure_ascii=False)

    connector.reset()
    say_in(teams, IT, "show 1", "de-DE")
    [reply] = connector.of("reply", IT.chat)
    german = json.dumps(card_of(reply), ensure_ascii=False)
    assert "EUR 25.000,50" in german and "25,000.50" not in german

    connector.reset()
    say_in(teams, IT, "show 1", "en-US")
    assert "EUR 25,000.50" in json.dumps(card_of(connector.of("reply", IT.chat)[0]), ensure_ascii=False)

    connector.reset()
    status, answer = teams.click(IT, Verbs.OPEN, {"request": 1}, where="personal", locale="de-DE")
    [sent] = [call for call in connector.calls if call.cards]
    assert "EUR 25.000,50" in json.dumps(card_of(sent), ensure_ascii=False)
