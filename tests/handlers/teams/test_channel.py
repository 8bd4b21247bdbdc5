"""In a channel, answers with details go to the person's personal chat (a pointer stays in
the channel); the card's whole thread is recorded, once per message, with edits and
deletes applied and nothing posted back; mentions are read from the entities."""

import json

from handlers.teams.ids import Verbs
from handlers.teams.messages import SENT_PRIVATELY
from tests.handlers.teams.conftest import BOT, BUYER, CHANNEL, IT
from tests.handlers.teams.test_lifecycle import NEED, post_need

SECRET_TITLE = "Layoff planning tool ZX-SECRET"
SECRET_DETAILS = "Justification MARKER-JUSTIFY for the reorg"


def confidential_need(teams, connector) -> str:
    teams.install_in_team()
    card_id, card = post_need(teams, connector, title=SECRET_TITLE, details=SECRET_DETAILS,
                              sensitivity="confidential", estimated_cost="98765")
    assert "ZX-SECRET" not in json.dumps(card), "the channel card of a confidential need shows no title"
    return card_id


def channel_calls(connector) -> str:
    return json.dumps([call.body for call in connector.calls if call.conversation.startswith(CHANNEL)])


def test_show_and_list_in_a_channel_answer_in_the_personal_chat(teams, connector):
    card_id = confidential_need(teams, connector)
    teams.say(BUYER, "help")  # Bo's personal chat with Tandem exists
    for text, thread in (("show 1", card_id), ("list all", None), ("show 1", None), ("list open", card_id)):
        connector.reset()
        assert teams.say_in_channel(BUYER, text, thread=thread)[0] == 202
        shown = channel_calls(connector)
        assert "ZX-SECRET" not in shown and "MARKER-JUSTIFY" not in shown and "98765" not in shown, text
        assert SENT_PRIVATELY in shown
        [private] = connector.of("send", BUYER.chat)
        assert "ZX-SECRET" in private.text, f"{text}: the details are in Bo's personal chat"


def test_errors_in_a_channel_are_told_privately(teams, connector):
    card_id = confidential_need(teams, connector)
    connector.reset()
    teams.say_in_channel(IT, "status 1 fulfilled", thread=card_id)  # IT may not: the refusal names the request
    assert "⛔" not in channel_calls(connector) and SENT_PRIVATELY in channel_calls(connector)
    [private] = [c for c in connector.of("send") if not c.conversation.startswith(CHANNEL)]
    assert "⛔" in private.text


def test_help_in_a_channel_is_answered_there(teams, connector):
    teams.install_in_team()
    connector.reset()
    teams.say_in_channel(IT, "help")
    [reply] = connector.of("reply", CHANNEL)
    assert "need [title]" in reply.text


def test_every_reply_in_the_thread_is_stored_once_with_edits_and_deletes(teams, connector, bot):
    card_id = post_need(teams, connector)[0]
    connector.reset()
    for _ in range(2):  # Teams retries a delivery
        assert teams.reply_in_thread(IT, "The quote must include webinars", card_id, message_id="1700000000101")[0] \
            == 202
    teams.reply_in_thread(BUYER, "Pasted the password hunter2 by mistake", card_id, message_id="1700000000102")
    assert teams.reply_in_thread(IT, "Unrelated chat in the channel", None, message_id="1700000000103")[0] == 202
    comments = lambda: [c.text for c in bot.core.requests.show(IT.aad, 1).notes]  # noqa: E731
    assert comments() == ["The quote must include webinars", "Pasted the password hunter2 by mistake"]
    assert [c.kind for c in connector.calls if c.kind != "member"] == [], "no public 'Noted' per comment"

    assert teams.edit_in_thread(IT, "1700000000101", "The quote must include webinars and rooms", card_id)[0] == 202
    assert teams.delete_in_thread(BUYER, "1700000000102", card_id)[0] == 202
    assert comments() == ["The quote must include webinars and rooms"]
    shown = json.dumps([c.body for c in connector.calls])
    assert "hunter2" not in shown


def test_mentions_are_read_from_the_entities(teams, connector, bot):
    card_id = post_need(teams, connector)[0]
    teams.say(BUYER, "help")
    connector.reset()
    alex = {"id": "29:alex-user", "name": "Alex Example"}
    # The bot's mention written differently from its entity (spacing), and another person mentioned first.
    entities = [{"type": "mention", "text": "<at>Tandem</at>", "mentioned": {"id": BOT, "name": "Tandem"}},
                {"type": "mention", "text": "<at>Alex Example</at>", "mentioned": alex}]
    assert teams.reply_in_thread(BUYER, "<at>Alex Example</at> <at> Tandem </at> show 1", card_id,
                                 entities=entities)[0] == 202
    [private] = connector.of("send", BUYER.chat)
    assert "50 Zoom licences" in private.text, "the command is read past the other mention"

    # A comment keeps the other mention as a mention, and loses every mention of the bot.
    teams.reply_in_thread(IT, "<at>Tandem</at> ask <at>Alex Example</at> about rooms <at>Tandem</at>", card_id,
                          message_id="1700000000201", entities=entities)
    assert [c.text for c in bot.core.requests.show(IT.aad, 1).notes] == ["ask @Alex Example about rooms"]


def test_a_card_button_in_a_channel_answers_only_the_person_who_clicked(teams, connector):
    card_id = confidential_need(teams, connector)
    connector.reset()
    status, answer = teams.click(BUYER, Verbs.OPEN, {"request": 1}, card=card_id)
    assert status == 200 and "ZX-SECRET" not in json.dumps(answer)
    assert "ZX-SECRET" not in channel_calls(connector)
    assert NEED["title"] not in channel_calls(connector)
