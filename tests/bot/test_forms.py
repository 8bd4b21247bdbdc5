"""Forms as data: the need, contract and renewal forms are defined once (``bot.forms``), with the
domain's limits, and Slack, Teams and the shell each show exactly those fields, in that order,
with those labels, limits and choices."""

from datetime import date

import pytest

from bot.errors import BadInput
from bot.forms import CONTRACT_FORM, NEED_FORM, RENEWAL_FORM, FieldKind
from bot.requests import parse_request
from handlers.shell.console import CONTRACT_QUESTIONS, RENEWAL_QUESTIONS, REQUEST_QUESTIONS
from handlers.slack.blocks import request_modal
from handlers.slack.contract_blocks import contract_modal, renewal_modal
from handlers.teams.cards import contract_form, renewal_form, request_form

FORMS = {"need": NEED_FORM, "contract": CONTRACT_FORM, "renewal": RENEWAL_FORM}
RENEWAL = ({"end_date": "2028-01-15", "annual_cost": "900", "currency": "USD"}, 1, "Fulfilling #1 renews Zoom.")


def slack_inputs(form_name: str) -> list[dict]:
    view = {"need": request_modal, "contract": contract_modal,
            "renewal": lambda: renewal_modal(*RENEWAL, base_currency="USD")}[form_name]()
    return [block for block in view.to_dict()["blocks"] if block["type"] == "input"]


def teams_inputs(form_name: str) -> list[dict]:
    card = {"need": request_form, "contract": contract_form, "renewal": lambda: renewal_form(*RENEWAL)}[form_name]()
    return [item for item in card["body"] if item.get("type", "").startswith("Input.")]


@pytest.mark.parametrize("form_name", FORMS)
def test_every_platform_shows_the_forms_fields_in_order_with_their_labels(form_name):
    form = FORMS[form_name]
    names = [field.name for field in form]
    labels = [field.label for field in form]
    slack = slack_inputs(form_name)
    assert [block["block_id"] for block in slack] == names
    assert [block["label"]["text"] for block in slack] == labels
    assert [block["optional"] for block in slack] == [not field.required for field in form]
    teams = teams_inputs(form_name)
    assert [item["id"] for item in teams] == names and [item["label"] for item in teams] == labels
    assert [bool(item.get("isRequired")) for item in teams] == [field.required for field in form]
    shell = {"need": REQUEST_QUESTIONS, "contract": CONTRACT_QUESTIONS, "renewal": RENEWAL_QUESTIONS}[form_name]
    assert [name for name, _, _ in shell] == names
    assert all(asked.startswith(field.label) for (_, asked, _), field in zip(shell, form))


@pytest.mark.parametrize("form_name", FORMS)
def test_limits_and_choices_are_the_forms_on_every_platform(form_name):
    form = FORMS[form_name]
    for field, slack, teams in zip(form, slack_inputs(form_name), teams_inputs(form_name)):
        element = slack["element"]
        if field.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
            assert element["max_length"] == teams["maxLength"] == field.max_length, field.name
        if field.kind is FieldKind.WHOLE:
            assert (int(element["min_value"]), int(element["max_value"])) == (field.minimum, field.maximum)
            assert (teams["min"], teams["max"]) == (field.minimum, field.maximum), field.name
        if field.kind is FieldKind.CHOICE:
            assert [o["value"] for o in element["options"]] == [c["value"] for c in teams["choices"]] == \
                list(field.choices), field.name


def test_the_need_forms_title_limit_is_the_one_the_parser_enforces():
    title = next(field for field in NEED_FORM if field.name == "title")
    form = {"title": "x" * title.max_length, "category": "saas", "quantity": "1", "urgency": "normal",
            "sensitivity": "internal"}
    assert parse_request(form, date(2026, 11, 16), "USD").title == "x" * title.max_length
    with pytest.raises(BadInput) as refused:
        parse_request({**form, "title": "x" * (title.max_length + 1)}, date(2026, 11, 16), "USD")
    assert "title" in refused.value.errors
