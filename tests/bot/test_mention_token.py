"""The core names people with one token that every platform renders; nobody can type it."""

from bot import markup
from bot.markup import Person, Text, mention, mentioned, message_parts, quoted, render
from bot.text import clean_line, clean_text


def test_a_message_splits_into_its_words_and_the_people_it_names():
    message = f"Waiting for {mention('U0IT000001')} and {mention('29:1abc')}."
    assert message_parts(message) == (Text("Waiting for "), Person("U0IT000001"), Text(" and "), Person("29:1abc"),
                                      Text("."))
    assert render(message, lambda person: f"<@{person}>", str.upper) == "WAITING FOR <@U0IT000001> AND <@29:1abc>."
    assert message_parts("no one named") == (Text("no one named"),)


def test_only_a_whole_mention_names_a_person():
    assert mentioned(f"  {mention('U0IT000001')} ") == "U0IT000001"
    assert mentioned(f"{mention('U0IT000001')} and more") is None
    assert mentioned("<@U0IT000001>") is None, "Slack's markup is Slack's: its edge turns it into the core's token"
    assert mentioned("@U0IT000001") is None


def test_typed_text_can_never_hold_the_token():
    forged = f"Laptop for {mention('U0ADMIN001')}"
    assert "\u2068" not in clean_line(forged, 200) and "\u2069" not in clean_text(forged, 200)
    assert clean_line(forged, 200) == "Laptop for @U0ADMIN001"
    assert message_parts(quoted(forged)) == (Text("Laptop for @U0ADMIN001"),)
    assert quoted(None) == ""


def test_a_renderer_that_forgot_the_token_still_shows_a_name_like_text():
    """The marks are directional isolates: invisible, so the fallback reads ``@U0IT000001``."""
    assert markup.plain(message_parts(mention("U0IT000001")), lambda person: person) == "@U0IT000001"
