"""Fulfilling a renewal request in Slack asks for the contract's new end date and cost: the
status menu and `/procure status N fulfilled` open the renewal form; sending it fulfils and
renews; Cancel changes nothing; `status N fulfilled end=… cost=…` does it in one command."""

import json
from datetime import date
from decimal import Decimal

from bot.contracts import ContractStatus
from bot.requests import Status
from handlers.slack.ids import Actions, Views
from tests.conftest import BUYER, IT, IT2, need
from tests.contract_samples import contract_form

def renewal_ordered(bot, cost="900") -> int:
    core = bot.core
    core.contracts.add(BUYER, contract_form(annual_cost=cost))
    number = core.contracts.start_renewal(IT, 1).request.id
    core.requests.claim(BUYER, number)
    for status in ("sourcing", "approved", "ordered"):
        core.requests.change_status(BUYER, number, status)
    return number


def renewal_values(end: str | None, cost: str, currency: str = "") -> dict:
    text = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    return {"end_date": {"value": {"type": "datepicker", "selected_date": end}}, "annual_cost": text(cost),
            "currency": text(currency)}


def test_the_status_menu_opens_the_renewal_form_and_sending_it_renews_the_contract(slack, fake, bot):
    number = renewal_ordered(bot)
    fake.reset()
    slack.click(BUYER, Actions.STATUS, selected=f"{number}:fulfilled")
    [opened] = fake.wait_for("views.open")
    view = opened.args["view"]
    assert (view["callback_id"], view["private_metadata"]) == (Views.RENEWAL, str(number))
    by_id = {block.get("block_id"): block for block in view["blocks"]}
    assert by_id["end_date"]["element"]["initial_date"] == "2028-01-15", "the end date plus the 12-month term"
    assert by_id["annual_cost"]["element"]["initial_value"] == "900"
    assert "renews Zoom Business (contract 1), which ends 2027-01-15" in view["blocks"][0]["text"]["text"]
    assert bot.core.requests.get(number).status is Status.ORDERED, "opening the form changes nothing"

    status, body = slack.submit(BUYER, Views.RENEWAL, renewal_values("2028-06-30", "1,100"), str(number))
    assert (status, body) == (200, "")
    assert bot.core.requests.get(number).status is Status.FULFILLED
    contract = bot.core.contracts.get(1)
    assert (contract.end_date, contract.annual_cost, contract.status) == (date(2028, 6, 30), Decimal("1100"),
                                                                         ContractStatus.ACTIVE)
    told = fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D" + BUYER[1:] and "is renewed" in a["text"])
    assert "it now runs to 2028-06-30, USD 1,100 a year" in told.args["text"]


def test_a_bad_new_term_is_refused_in_the_form_and_nothing_changes(slack, fake, bot):
    number = renewal_ordered(bot)
    status, body = slack.submit(BUYER, Views.RENEWAL, renewal_values("2026-12-31", "12.000,50"), str(number))
    errors = json.loads(body)["errors"]
    assert errors["end_date"] == "The new end date must be after the current one (2027-01-15)."
    assert "cannot be read as an amount in en_US" in errors["annual_cost"]
    assert bot.core.requests.get(number).status is Status.ORDERED
    assert bot.core.contracts.get(1).status is ContractStatus.RENEWING


def test_cancel_changes_nothing(slack, fake, bot):
    number = renewal_ordered(bot)
    slack.command("/procure", f"status {number} fulfilled", BUYER)
    fake.wait_for("views.open")
    slack.interact({"type": "view_closed", "team": {"id": "T0TEAM"}, "user": {"id": BUYER}, "api_app_id": "A0TANDEM",
                    "token": "legacy", "view": {"id": "V0VIEW", "callback_id": Views.RENEWAL,
                                                "private_metadata": str(number)}, "is_cleared": False})
    assert bot.core.requests.get(number).status is Status.ORDERED
    assert bot.core.contracts.get(1).status is ContractStatus.RENEWING


def test_the_command_with_end_and_cost_fulfils_at_once_in_the_persons_locale(slack, fake, bot):
    fake.locales[BUYER] = "de-DE"
    number = renewal_ordered(bot)
    slack.command("/procure", f"status {number} fulfilled end=2028-01-15 cost=1.250,50", BUYER)
    answer = fake.wait_until("response_url", lambda a: "renewed" in a.get("text", ""))
    assert answer.args["text"].startswith(f"#{number} is fulfilled. Zoom Business (contract 1) is renewed")
    assert bot.core.contracts.get(1).annual_cost == Decimal("1250.50")


def test_someone_who_may_not_change_status_gets_no_form(slack, fake, bot):
    number = renewal_ordered(bot)
    fake.reset()
    slack.command("/procure", f"status {number} fulfilled", IT2)
    refusal = fake.wait_for("response_url")[0]
    assert refusal.args["text"] == ":no_entry: Only procurement members can change a request's status."
    assert fake.calls_to("views.open") == []


def test_an_ordinary_request_is_fulfilled_from_the_menu_without_a_form(slack, fake, bot):
    request = bot.core.requests.create(IT, need(estimated_cost="900"))
    bot.core.requests.claim(BUYER, request.id)
    for status in ("sourcing", "approved", "ordered"):
        bot.core.requests.change_status(BUYER, request.id, status)
    slack.click(BUYER, Actions.STATUS, selected=f"{request.id}:fulfilled")
    assert bot.core.requests.get(request.id).status is Status.FULFILLED
    assert fake.calls_to("views.open") == []
