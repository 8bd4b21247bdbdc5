"""Fulfilling a renewal request in Teams: the card's status menu (or `status N fulfilled`) sends
the renewal form to the person's chat; sending it fulfils the request and renews the contract."""

from datetime import date
from decimal import Decimal

from bot.contracts import ContractStatus
from bot.requests import Status
from handlers.teams.ids import Inputs, Verbs
from tests.contract_samples import contract_form
from tests.handlers.teams.conftest import BUYER, IT, invoke_text
from tests.handlers.teams.test_lifecycle import card_of


def renewal_ordered(teams, bot) -> int:
    teams.install_in_team()
    teams.say(IT, "help")
    teams.say(BUYER, "help")
    core = bot.core
    core.contracts.add(BUYER.aad, contract_form(annual_cost="900", it_owner=IT.email, procurement_owner=BUYER.email))
    number = core.contracts.start_renewal(BUYER.aad, 1).request.id
    core.requests.claim(BUYER.aad, number)
    for status in ("sourcing", "approved", "ordered"):
        core.requests.change_status(BUYER.aad, number, status)
    return number


def test_the_status_menu_sends_the_renewal_form_and_sending_it_renews(teams, connector, bot):
    number = renewal_ordered(teams, bot)
    connector.reset()
    status, answer = teams.click(BUYER, Verbs.STATUS, {"request": number, Inputs.STATUS: "fulfilled"})
    assert "the form for its new end date and cost is in your chat with Tandem" in invoke_text(answer)
    assert bot.core.requests.get(number).status is Status.ORDERED
    [sent] = [call for call in connector.calls if call.cards]
    form = card_of(sent)
    fields = {item["id"]: item.get("value") for item in form["body"] if "id" in item}
    assert fields == {"end_date": "2028-01-15", "annual_cost": 900, "currency": "USD"}
    assert form["actions"][0]["verb"] == Verbs.RENEWAL

    status, answer = teams.click(BUYER, Verbs.RENEWAL, {"request": number, "end_date": "2028-02-29",
                                                        "annual_cost": 1250.5, "currency": "USD"},
                                 where="personal", locale="de-DE")
    assert "is renewed: it now runs to 2028-02-29" in invoke_text(answer)
    contract = bot.core.contracts.get(1)
    assert (contract.end_date, contract.annual_cost, contract.status) == (date(2028, 2, 29), Decimal("1250.50"),
                                                                         ContractStatus.ACTIVE)
    assert bot.core.requests.get(number).status is Status.FULFILLED


def test_a_bad_new_term_comes_back_with_its_errors_and_nothing_changes(teams, connector, bot):
    number = renewal_ordered(teams, bot)
    status, answer = teams.click(BUYER, Verbs.RENEWAL, {"request": number, "end_date": "2026-01-01",
                                                        "annual_cost": 900, "currency": "USD"}, where="personal")
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "The new end date must be after the current one (2027-01-15)." in invoke_text(answer)
    assert bot.core.requests.get(number).status is Status.ORDERED
    assert bot.core.contracts.get(1).status is ContractStatus.RENEWING


def test_status_fulfilled_by_message_answers_with_the_form(teams, connector, bot):
    number = renewal_ordered(teams, bot)
    connector.reset()
    teams.say(BUYER, f"status {number} fulfilled")
    [reply] = connector.of("reply", BUYER.chat)
    assert card_of(reply)["body"][0]["text"] == f"Fulfil #{number}"
