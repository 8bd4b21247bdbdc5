"""Forms as data: the need, contract, renewal and note forms are defined once (``bot.forms``),
with the domain's limits, which are the ones its parsers enforce. Each platform's test checks
that it shows exactly those fields (tests/handlers/slack/test_form_widgets.py, the same under
teams/, and the shell's in tests/handlers/shell/test_shell_forms.py)."""

from datetime import date

import pytest

from bot.errors import BadInput
from bot.forms import NEED_FORM, NOTE_FORM, field
from bot.requests import NOTE_MAX, TITLE_MAX, parse_note, parse_request


def test_the_need_forms_title_limit_is_the_one_the_parser_enforces():
    title = next(field for field in NEED_FORM if field.name == "title")
    assert title.max_length == TITLE_MAX
    form = {"title": "x" * title.max_length, "category": "saas", "quantity": "1", "urgency": "normal",
            "sensitivity": "internal"}
    assert parse_request(form, date(2026, 11, 16), "USD").title == "x" * title.max_length
    with pytest.raises(BadInput) as refused:
        parse_request({**form, "title": "x" * (title.max_length + 1)}, date(2026, 11, 16), "USD")
    assert "title" in refused.value.errors


def test_the_note_forms_limit_is_the_one_the_parser_enforces_and_a_blank_note_is_refused():
    note = field(NOTE_FORM, "note")
    assert (note.max_length, note.required) == (NOTE_MAX, True)
    assert parse_note({"note": "  " + "x" * note.max_length + "\n"}) == "x" * note.max_length
    for text, said in (("x" * (note.max_length + 1), f"Keep notes under {NOTE_MAX} characters."),
                       (" \u200b\n", "Write a note first."), (None, "Write a note first.")):
        with pytest.raises(BadInput) as refused:
            parse_note({"note": text})
        assert refused.value.errors == {"note": said}
