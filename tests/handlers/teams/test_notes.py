"""The note box on a Teams card: its limit and its check are the core's (``bot.forms.NOTE_FORM``,
``bot.requests.parse_note``), and the note runs through dispatch like the typed command."""

from bot.requests import NOTE_MAX
from handlers.teams.ids import Verbs
from tests.handlers.teams.conftest import BUYER, invoke_text
from tests.handlers.teams.test_lifecycle import post_need


def test_the_note_box_takes_the_cores_limit_and_a_blank_or_long_note_is_refused(teams, connector, bot):
    card_id, card = post_need(teams, connector)
    [box] = [item for item in card["body"] if item.get("id") == "note"]
    assert (box["type"], box["maxLength"], box["isMultiline"]) == ("Input.Text", NOTE_MAX, True)

    for text, said in (("   ", "⛔ Write a note first."), ("n" * (NOTE_MAX + 1), f"⛔ Keep notes under {NOTE_MAX} characters.")):
        connector.reset()
        answer = teams.click(BUYER, Verbs.NOTE, {"request": 1, "note": text}, card=card_id)[1]
        assert invoke_text(answer) == said
        assert connector.of("send") == []
    assert bot.core.requests.show(BUYER.aad, 1).notes == []

    answer = teams.click(BUYER, Verbs.NOTE, {"request": 1, "note": "Asked for a quote"}, card=card_id)[1]
    assert invoke_text(answer) == "Note added to #1."
    assert [note.text for note in bot.core.requests.show(BUYER.aad, 1).notes] == ["Asked for a quote"]
