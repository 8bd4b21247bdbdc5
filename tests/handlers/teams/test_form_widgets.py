"""Teams' cards show each form of ``bot.forms`` exactly: its fields in order, with their labels,
whether they are required, their limits and choices; the note box on a request's card takes the
note form's limit."""

import pytest

from bot.forms import CONTRACT_FORM, NEED_FORM, NOTE_FORM, RENEWAL_FORM, FieldKind, field
from bot.visibility import Place
from handlers.teams.cards import request_card, request_form
from handlers.teams.contract_cards import contract_form, renewal_form
from tests.conftest import IT, need

RENEWAL = ({"end_date": "2028-01-15", "annual_cost": "900", "currency": "USD"}, 1, "Fulfilling #1 renews Zoom.")
FORMS = {
    "need": (NEED_FORM, request_form),
    "contract": (CONTRACT_FORM, contract_form),
    "renewal": (RENEWAL_FORM, lambda: renewal_form(*RENEWAL)),
}


@pytest.mark.parametrize("name", FORMS)
def test_each_card_shows_its_forms_fields_with_their_labels_limits_and_choices(name):
    form, card = FORMS[name]
    inputs = [item for item in card()["body"] if item.get("type", "").startswith("Input.")]
    assert [item["id"] for item in inputs] == [field.name for field in form]
    assert [item["label"] for item in inputs] == [field.label for field in form]
    assert [bool(item.get("isRequired")) for item in inputs] == [field.required for field in form]
    for field_, item in zip(form, inputs):
        if field_.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            assert item["maxLength"] == field_.max_length, field_.name
        if field_.kind is FieldKind.WHOLE:
            assert (item["min"], item["max"]) == (field_.minimum, field_.maximum), field_.name
        if field_.kind is FieldKind.CHOICE:
            assert [choice["value"] for choice in item["choices"]] == list(field_.choices), field_.name


def test_the_note_box_on_a_requests_card_takes_the_note_forms_field(core):
    request = core.visibility.request(IT, core.requests.create(IT, need()), Place.CHANNEL)
    [box] = [item for item in request_card(request)["body"] if item.get("id") == "note"]
    note = field(NOTE_FORM, "note")
    assert (box["type"], box["maxLength"], box["isMultiline"], box["placeholder"]) == \
        ("Input.Text", note.max_length, True, note.example)
