"""The health check in Teams: the survey card is the form, validated like Slack's, one answer
per person, stored without names; the card becomes a thank-you without the scores."""

import json

from bot import health
from handlers.teams.health import ANSWERED
from handlers.teams.ids import Verbs
from storage import health as health_repo
from tests.handlers.teams.conftest import ADMIN, BUYER, IT, invoke_text
from tests.handlers.teams.test_lifecycle import card_of

SCORES = {"planning": "4", "success": "5", "calendar": "3", "risk": "4", "split": "2", "speed": "5"}


def survey(teams, connector, bot):
    teams.install_in_team()
    for user in (IT, BUYER, ADMIN):
        teams.say(user, "hello")
    connector.reset()
    bot.core.health.send_round(bot.core.clock.now())
    [sent] = connector.of("send", BUYER.chat)
    form = card_of(sent)
    [action] = form["actions"]
    assert action["verb"] == Verbs.HEALTH
    return form, action["data"]["round"]


def test_the_survey_card_takes_one_answer_without_a_name(teams, connector, bot):
    form, number = survey(teams, connector, bot)
    shown = json.dumps(form, ensure_ascii=False)
    assert all(statement.text in shown for statement in health.STATEMENTS) and "Slack" not in shown
    status, answer = teams.click(BUYER, Verbs.HEALTH, {"round": number, **SCORES, "comment": "Calendar is stale"},
                                 where="personal")
    assert status == 200 and ANSWERED in invoke_text(answer)
    assert "Calendar is stale" not in invoke_text(answer) and '"5"' not in invoke_text(answer)
    [stored] = health_repo.answers(bot.core.store.db, number)
    assert stored.comment == "Calendar is stale" and stored.scores == (4, 5, 3, 4, 2, 5)
    assert BUYER.aad not in repr(stored) and BUYER.name not in repr(stored), "stored without a name"
    # A second answer is refused, and nothing more is stored.
    again = invoke_text(teams.click(BUYER, Verbs.HEALTH, {"round": number, **SCORES}, where="personal")[1])
    assert "already" in again
    assert health_repo.count_answers(bot.core.store.db, number) == 1


def test_the_form_comes_back_with_each_problem_marked(teams, connector, bot):
    _, number = survey(teams, connector, bot)
    status, answer = teams.click(BUYER, Verbs.HEALTH, {"round": number, **SCORES, "risk": "", "speed": "9",
                                                    "comment": "x" * 1001}, where="personal")
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive"
    card = answer["value"]
    marked = {item["id"]: item.get("errorMessage") for item in card["body"] if item.get("id")}
    assert marked["risk"] == "Choose a score from 1 to 5." and "not a score" in marked["speed"]
    assert "1000" in marked["comment"]
    assert [item.get("value") for item in card["body"] if item.get("id") == "planning"] == ["4"], "answers kept"
    assert health_repo.count_answers(bot.core.store.db, number) == 0


def test_someone_not_asked_is_told_so(teams, connector, bot):
    _, number = survey(teams, connector, bot)
    from tests.handlers.teams.conftest import User

    stranger = User("29:stranger", "eeeeeeee-0000-0000-0000-000000000005", "Sam", "sam@example.com")
    connector.member(stranger.id, stranger.name, stranger.email, stranger.aad)
    text = invoke_text(teams.click(stranger, Verbs.HEALTH, {"round": number, **SCORES}, where="personal")[1])
    assert "was not sent to you" in text
