"""Requesters edit their own needs in Slack: `/procure edit N` and the Edit button open the
need form filled in; the submission is validated like a new need and saved once."""

import json
from decimal import Decimal

from bot.requests import Status
from handlers.slack.ids import Actions, Views
from tests.conftest import ADMIN, BUYER, IT, IT2
from tests.handlers.slack.conftest import CHANNEL, need_values
from tests.handlers.slack.test_lifecycle import post_need
from tests.handlers.slack.test_locale import open_need_form

GERMAN = "U0GERMAN01"


def opened_values(call) -> dict:
    """What a form opened with shows, by block ID."""
    shown = {}
    for block in call.args["view"]["blocks"]:
        element = block.get("element") or {}
        value = element.get("initial_value") or element.get("initial_date") or \
            (element.get("initial_option") or {}).get("value")
        shown[block["block_id"]] = value
    return shown


def test_edit_opens_the_form_filled_in_and_saving_updates_the_card(slack, fake, bot):
    post_need(slack, fake, estimated_cost="7500.50", needed_by="2027-01-15")
    fake.reset()
    slack.command("/procure", "edit 1", IT)
    [opened] = fake.wait_for("views.open")
    view = opened.args["view"]
    assert (view["callback_id"], view["private_metadata"]) == (Views.NEED_EDIT, "1")
    assert opened_values(opened) == {
        "title": "50 Zoom licences", "details": "Meetings move to Zoom", "category": "saas", "quantity": "50",
        "estimated_cost": "7500.50", "currency": "USD", "needed_by": "2027-01-15", "urgency": "high",
        "sensitivity": "internal", "preferred_vendor": "Zoom",
    }

    status, body = slack.submit(IT, Views.NEED_EDIT, need_values(title="60 Zoom licences", quantity="60",
                                                                 estimated_cost="9,000"), private_metadata="1")
    assert (status, body) == (200, "")
    request = bot.core.requests.get(1)
    assert (request.title, request.quantity, request.estimated_cost) == ("60 Zoom licences", 60, Decimal("9000"))
    update = fake.wait_until("chat.update", lambda a: "60 Zoom licences" in json.dumps(a["blocks"]))
    assert update.args["channel"] == CHANNEL
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0IT000001" and "are saved" in a["text"])
    [edited] = [e for e in bot.core.requests.show(IT, 1).events if e.action == "edited"]
    assert edited.before == {"title": "50 Zoom licences", "quantity": 50, "estimated_cost": "7500.50"}


def test_a_bad_edit_is_refused_inline_with_the_same_rules_as_a_new_need_and_nothing_changes(slack, fake, bot):
    post_need(slack, fake)
    status, body = slack.submit(IT, Views.NEED_EDIT, need_values(title="", quantity="0"), private_metadata="1")
    errors = json.loads(body)["errors"]
    assert errors["title"] == "Give the need a short title."
    assert "quantity" in errors
    assert bot.core.requests.get(1).title == "50 Zoom licences"


def test_someone_else_cannot_open_or_save_the_form_and_is_told_why(slack, fake, bot):
    slack.submit(IT, Views.NEED, need_values(sensitivity="confidential", details="Secret merger tooling"))
    assert bot.core.requests.get(1).is_confidential
    fake.reset()
    slack.command("/procure", "edit 1", IT2)
    refusal = fake.wait_until("response_url", lambda a: "edit" in a.get("text", ""))
    assert refusal.args["text"] == ":no_entry: Only the requester of #1 (or an admin) can edit it."
    assert fake.calls_to("views.open") == [], "the confidential need's details never reach another person's form"

    slack.submit(IT2, Views.NEED_EDIT, need_values(title="Taken over"), private_metadata="1")
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == IT2 and "can edit it" in a["text"])
    assert bot.core.requests.get(1).title == "50 Zoom licences"


def test_the_edit_button_is_offered_to_the_requester_and_admins_only_and_opens_over_the_details(slack, fake, bot):
    post_need(slack, fake)
    card = fake.calls_to("chat.postMessage")[0]
    assert Actions.EDIT not in json.dumps(card.args["blocks"]), "the shared card has no Edit"

    def shown_to(user):
        fake.reset()
        slack.command("/procure", "show 1", user)
        return fake.wait_for("response_url")[0].args["blocks"]

    assert Actions.EDIT in json.dumps(shown_to(IT))
    assert Actions.EDIT in json.dumps(shown_to(ADMIN))
    assert Actions.EDIT not in json.dumps(shown_to(BUYER))
    assert Actions.EDIT not in json.dumps(shown_to(IT2))

    fake.reset()
    slack.click(IT, Actions.EDIT, "1", container={"type": "view", "view_id": "V0DETAILS"})
    [pushed] = fake.wait_for("views.push")
    assert pushed.args["view"]["callback_id"] == Views.NEED_EDIT


def test_an_edit_answers_a_request_awaiting_it_and_returns_it_where_it_was(slack, fake, bot):
    post_need(slack, fake)
    bot.core.requests.claim(BUYER, 1)
    bot.core.requests.change_status(BUYER, 1, "sourcing")
    bot.core.requests.change_status(BUYER, 1, "awaiting_it")
    slack.submit(IT, Views.NEED_EDIT, need_values(details="Meetings move to Zoom; 60 seats after all"),
                 private_metadata="1")
    assert bot.core.requests.get(1).status is Status.SOURCING


def test_the_form_is_filled_in_and_read_back_in_the_persons_locale(slack, fake, bot):
    fake.locales[GERMAN] = "de-DE"
    open_need_form(slack, fake, GERMAN)
    post_need(slack, fake, user=GERMAN, estimated_cost="25.000,50", currency="EUR")
    fake.reset()
    slack.command("/procure", "edit 1", GERMAN)
    [opened] = fake.wait_for("views.open")
    shown = opened_values(opened)["estimated_cost"]
    assert shown == "25000,50"
    slack.submit(GERMAN, Views.NEED_EDIT, need_values(estimated_cost=shown, currency="EUR"), private_metadata="1")
    assert bot.core.requests.get(1).estimated_cost == Decimal("25000.50"), "unchanged, never 1000x off"


def test_a_closed_need_cannot_be_edited(slack, fake, bot):
    post_need(slack, fake)
    bot.core.requests.cancel(IT, 1)
    fake.reset()
    slack.command("/procure", "edit 1", IT)
    refusal = fake.wait_for("response_url")[0]
    assert refusal.args["text"] == ":no_entry: #1 is cancelled; it can no longer be edited."
