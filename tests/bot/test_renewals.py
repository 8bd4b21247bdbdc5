"""Fulfilling a renewal request asks for the contract's new end date and cost and sets them
with the move, both or neither (bot.renewals, through bot.dispatch as every platform runs it)."""

from datetime import date
from decimal import Decimal

import pytest

from bot import dispatch
from bot.commands import parse
from bot.contracts import ContractStatus
from bot.errors import BadInput, InvalidTransition, NotAllowed
from bot.requests import Status
from tests.conftest import BUYER, IT, IT2, need
from tests.contract_samples import contract_form


def renewal_ordered(core, cost="900") -> int:
    core.contracts.add(BUYER, contract_form(annual_cost=cost))  # below the approval threshold
    request = core.contracts.start_renewal(IT, 1).request
    core.requests.claim(BUYER, request.id)
    for status in ("sourcing", "approved", "ordered"):
        core.requests.change_status(BUYER, request.id, status)
    return request.id


def test_fulfilled_opens_the_renewal_form_with_the_end_date_plus_the_term_and_the_current_cost(core):
    number = renewal_ordered(core)
    reply = dispatch.run(core, BUYER, parse(f"status {number} fulfilled"))
    assert isinstance(reply, dispatch.OpenForm) and (reply.form, reply.subject_id) == ("renewal", number)
    assert reply.values == {"end_date": "2028-01-15", "annual_cost": "900", "currency": "USD"}
    assert reply.context == (f"Fulfilling #{number} renews Zoom Business (contract 1), which ends 2027-01-15 at "
                             f"USD 900 a year. Its new end date and annual cost:")
    assert core.requests.get(number).status is Status.ORDERED, "nothing changes until the form is sent"
    assert core.contracts.get(1).status is ContractStatus.RENEWING


def test_the_form_shows_the_cost_as_the_person_writes_it(core):
    number = renewal_ordered(core, cost="900.5")
    form = core.renewals.form(BUYER, number, "de_DE")
    assert form.values["annual_cost"] == "900,50"


def test_sending_the_form_fulfils_the_request_and_renews_the_contract_with_the_new_term(core):
    number = renewal_ordered(core)
    contract = core.renewals.fulfil(BUYER, number, {"end_date": "2028-03-31", "annual_cost": "1.050,00",
                                                     "currency": ""}, "de_DE")
    assert core.requests.get(number).status is Status.FULFILLED
    assert (contract.end_date, contract.annual_cost, contract.currency) == (date(2028, 3, 31), Decimal("1050.00"),
                                                                           "USD")
    assert contract.status is ContractStatus.ACTIVE and contract.notice_deadline == date(2028, 3, 1)
    [renewed] = [e for e in core.contracts.show(BUYER, 1).events if e.action.startswith("renewed")]
    assert (renewed.action, renewed.actor) == (f"renewed (#{number} fulfilled)", BUYER)
    assert renewed.after == {"end_date": "2028-03-31", "annual_cost": "1050.00", "status": "active"}


def test_status_fulfilled_with_end_and_cost_does_it_in_one_command(core):
    number = renewal_ordered(core)
    reply = dispatch.run(core, BUYER, parse(f"status {number} fulfilled end=2028-01-15 cost=950"))
    assert isinstance(reply, dispatch.ContractChanged)
    assert reply.text == (f"#{number} is fulfilled. Zoom Business (contract 1) is renewed: it now runs to "
                          f"2028-01-15, USD 950 a year.")
    assert core.contracts.get(1).annual_cost == Decimal("950")


@pytest.mark.parametrize("form, field, message", [
    ({"end_date": "", "annual_cost": "900"}, "end_date", "Give the new end date (YYYY-MM-DD)."),
    ({"end_date": "2027-01-15", "annual_cost": "900"}, "end_date",
     "The new end date must be after the current one (2027-01-15)."),
    ({"end_date": "2028-02-30", "annual_cost": "900"}, "end_date", None),
    ({"end_date": "2028-01-15", "annual_cost": "12.000,50"}, "annual_cost", "cannot be read as an amount in en_US"),
    ({"end_date": "2028-01-15", "annual_cost": "€900", "currency": "USD"}, "annual_cost", "written in EUR"),
])
def test_a_bad_new_term_is_refused_by_field_and_nothing_changes(core, form, field, message):
    number = renewal_ordered(core)
    with pytest.raises(BadInput) as refused:
        core.renewals.fulfil(BUYER, number, form)
    assert field in refused.value.errors
    if message:
        assert message in refused.value.errors[field]
    assert core.requests.get(number).status is Status.ORDERED
    contract = core.contracts.get(1)
    assert (contract.status, contract.end_date, contract.annual_cost) == (ContractStatus.RENEWING, date(2027, 1, 15),
                                                                         Decimal("900"))


def test_a_move_that_is_refused_changes_neither_the_request_nor_the_contract(core):
    core.contracts.add(BUYER, contract_form(annual_cost="900"))
    number = core.contracts.start_renewal(IT, 1).request.id
    with pytest.raises(NotAllowed):
        core.renewals.form(IT2, number)
    with pytest.raises(InvalidTransition):  # a new request cannot jump to fulfilled
        core.renewals.fulfil(BUYER, number, {"end_date": "2028-01-15", "annual_cost": "900"})
    assert core.contracts.get(1).status is ContractStatus.RENEWING
    assert core.requests.get(number).status is Status.NEW


def test_a_request_that_renews_nothing_is_fulfilled_as_before_and_end_cost_are_refused(core):
    request = core.requests.create(IT, need(estimated_cost="900"))
    core.requests.claim(BUYER, request.id)
    for status in ("sourcing", "approved", "ordered"):
        core.requests.change_status(BUYER, request.id, status)
    with pytest.raises(InvalidTransition) as refused:
        dispatch.run(core, BUYER, parse(f"status {request.id} fulfilled end=2028-01-15 cost=1"))
    assert "renews no contract" in refused.value.message
    reply = dispatch.run(core, BUYER, parse(f"status {request.id} fulfilled"))
    assert isinstance(reply, dispatch.Changed) and reply.request.status is Status.FULFILLED


def test_unknown_words_after_fulfilled_are_refused_with_how_to_write_them(core):
    number = renewal_ordered(core)
    with pytest.raises(BadInput) as refused:
        dispatch.run(core, BUYER, parse(f"status {number} fulfilled until=2028"))
    assert "write `end=YYYY-MM-DD` and `cost=AMOUNT`" in refused.value.message
    assert core.requests.get(number).status is Status.ORDERED
