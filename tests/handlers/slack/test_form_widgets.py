"""Slack's modals show each form of ``bot.forms`` exactly: its fields in order, with their
labels, whether they are required, their limits and choices."""

import pytest

from bot.forms import CONTRACT_FORM, NEED_FORM, NOTE_FORM, RENEWAL_FORM, FieldKind
from handlers.slack.form_blocks import note_form, request_modal
from handlers.slack.contract_blocks import contract_modal, renewal_modal

RENEWAL = ({"end_date": "2028-01-15", "annual_cost": "900", "currency": "USD"}, 1, "Fulfilling #1 renews Zoom.")
FORMS = {
    "need": (NEED_FORM, request_modal),
    "contract": (CONTRACT_FORM, contract_modal),
    "renewal": (RENEWAL_FORM, lambda: renewal_modal(*RENEWAL, base_currency="USD")),
    "note": (NOTE_FORM, lambda: note_form(1, "#1 Zoom licences")),
}


@pytest.mark.parametrize("name", FORMS)
def test_each_modal_shows_its_forms_fields_with_their_labels_limits_and_choices(name):
    form, modal = FORMS[name]
    inputs = [block for block in modal().to_dict()["blocks"] if block["type"] == "input"]
    assert [block["block_id"] for block in inputs] == [field.name for field in form]
    assert [block["label"]["text"] for block in inputs] == [field.label for field in form]
    assert [block["optional"] for block in inputs] == [not field.required for field in form]
    for field, block in zip(form, inputs):
        element = block["element"]
        if field.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            assert element["max_length"] == field.max_length, field.name
            assert element.get("multiline", False) is (field.kind is FieldKind.LONG_TEXT), field.name
        if field.kind is FieldKind.WHOLE:
            assert (int(element["min_value"]), int(element["max_value"])) == (field.minimum, field.maximum)
        if field.kind is FieldKind.CHOICE:
            assert [option["value"] for option in element["options"]] == list(field.choices), field.name
