"""The contract form and the contract buttons in Teams, end to end: `contract add` and
`contract edit N` answer with the form, its submission is checked field by field, and the
details card's buttons run the same `contract …` commands as Slack's."""

import json

from bot.contracts import ContractStatus
from handlers.teams import cards
from handlers.teams.ids import Verbs
from tests.handlers.teams.conftest import BUYER, CHANNEL, IT, invoke_text
from tests.handlers.teams.test_lifecycle import actions, card_of
from testing.teams import card_problems

# The form as Teams submits it: the inputs' values, strings, merged into the button's data.
CONTRACT = {"vendor": "Zoom", "product": "Meetings Pro", "it_owner": IT.email, "procurement_owner": BUYER.email,
            "start_date": "2026-01-01", "end_date": "2027-01-31", "notice_days": "30", "auto_renew": "yes",
            "term_months": "12", "annual_cost": "24000", "currency": "USD", "seats": "200",
            "notes": "Renews with the Meetings add-on"}


def meet(teams) -> None:
    """Tandem is in the team, and Ivy and Bo have talked to it (so it knows their addresses)."""
    teams.install_in_team()
    teams.say(IT, "help")
    teams.say(BUYER, "help")


def inputs(card: dict) -> dict[str, dict]:
    return {item["id"]: item for item in card["body"] if "id" in item}


def form_in_chat(teams, connector, user, command: str) -> dict:
    connector.reset()
    assert teams.say(user, command)[0] == 202
    [reply] = connector.of("reply", user.chat)
    return card_of(reply)


def save(teams, user, form: dict, contract: int | None = None) -> dict:
    data = {**form, **({"contract": contract} if contract is not None else {})}
    status, answer = teams.click(user, Verbs.CONTRACT_SAVE, data, where="personal")
    assert status == 200, answer
    return answer


def valid(card: dict) -> dict:
    """A form sent back in an invoke answer (the fake connector checks only what is sent to it)."""
    assert card_problems(card) == []
    return card


def test_procurement_adds_a_contract_through_the_form(teams, connector, bot):
    meet(teams)
    form = form_in_chat(teams, connector, BUYER, "contract add")
    assert form["body"][0]["text"] == "New contract"
    fields = inputs(form)
    assert list(fields) == ["vendor", "product", "it_owner", "procurement_owner", "start_date", "end_date",
                            "notice_days", "auto_renew", "term_months", "annual_cost", "currency", "seats", "seats_used", "notes"]
    assert fields["start_date"]["type"] == fields["end_date"]["type"] == "Input.Date"
    assert fields["it_owner"]["placeholder"] and fields["auto_renew"]["value"] == "yes"
    assert fields["notice_days"]["value"] == 30 and fields["currency"]["value"] == "USD"
    [submit] = form["actions"]
    assert submit["type"] == "Action.Execute" and submit["verb"] == Verbs.CONTRACT_SAVE
    assert "contract" not in submit["data"]

    # Mistakes come back on the form, marked, and nothing is stored.
    answer = save(teams, BUYER, {**CONTRACT, "end_date": "2025-12-01", "notice_days": "900", "it_owner": "Ivy",
                                 "vendor": ""})
    assert answer["type"] == cards.CONTENT_TYPE
    again = valid(answer["value"])
    fields = inputs(again)
    assert fields["end_date"]["errorMessage"] == "The end date 2025-12-01 is before the start date 2026-01-01."
    assert fields["vendor"]["errorMessage"] == "Name the vendor."
    assert "Unknown owner 'Ivy'" in fields["it_owner"]["errorMessage"]
    assert fields["product"]["value"] == "Meetings Pro", "what was typed stays"
    assert "Please fix:" in json.dumps(again)
    assert bot.core.contracts.all() == []

    answer = save(teams, BUYER, CONTRACT)
    assert invoke_text(answer) == "Added Zoom Meetings Pro (contract 1); notice deadline 2027-01-01."
    [contract] = bot.core.contracts.all()
    # Owners given by e-mail address are the people Tandem met with them.
    assert (contract.vendor, contract.product, contract.it_owner, contract.procurement_owner) == \
        ("Zoom", "Meetings Pro", IT.aad, BUYER.aad)
    assert (str(contract.start_date), str(contract.end_date), contract.notice_days, contract.auto_renew) == \
        ("2026-01-01", "2027-01-31", 30, True)
    assert (contract.term_months, contract.annual_cost, contract.currency, contract.seats, contract.notes) == \
        (12, 24000, "USD", 200, "Renews with the Meetings add-on")

    # The same vendor and product again is refused on the form.
    fields = inputs(valid(save(teams, BUYER, CONTRACT)["value"]))
    assert "There is already a contract for Zoom Meetings Pro" in fields["product"]["errorMessage"]


def test_owners_may_be_given_by_teams_id_and_numbers_as_numbers(teams, connector, bot):
    meet(teams)
    answer = save(teams, BUYER, {**CONTRACT, "it_owner": IT.id, "procurement_owner": "", "notice_days": 60,
                                 "seats": 250.0, "auto_renew": "no", "annual_cost": ""})
    assert invoke_text(answer).startswith("Added Zoom Meetings Pro")
    contract = bot.core.contracts.get(1)
    assert (contract.it_owner, contract.procurement_owner, contract.notice_days, contract.seats) == \
        (IT.aad, None, 60, 250)
    assert (contract.auto_renew, contract.annual_cost) == (False, None)


def test_edit_shows_the_form_filled_in_and_saves_changes(teams, connector, bot):
    meet(teams)
    save(teams, BUYER, CONTRACT)
    form = form_in_chat(teams, connector, BUYER, "contract edit 1")
    assert form["body"][0]["text"] == "Edit contract 1"
    fields = inputs(form)
    assert fields["vendor"]["value"] == "Zoom" and fields["end_date"]["value"] == "2027-01-31"
    assert fields["it_owner"]["value"] == IT.email, "owners are shown by their e-mail address"
    assert fields["seats"]["value"] == 200 and fields["auto_renew"]["value"] == "yes"
    assert fields["notes"]["value"] == "Renews with the Meetings add-on"
    [submit] = form["actions"]
    assert submit["title"] == "Save" and submit["data"]["contract"] == 1

    # Saved as Teams sends it: every input, as prefilled, with the changes.
    submitted = {name: str(field.get("value", "")) for name, field in fields.items()}
    bad = save(teams, BUYER, {**submitted, "notice_days": "500"}, contract=1)
    assert "longer than the contract" in inputs(valid(bad["value"]))["notice_days"]["errorMessage"]
    assert bot.core.contracts.get(1).notice_days == 30

    answer = save(teams, BUYER, {**submitted, "seats": "250", "seats_used": "180", "end_date": "2027-06-30"},
                  contract=1)
    assert invoke_text(answer) == "Saved Zoom Meetings Pro (contract 1)."
    contract = bot.core.contracts.get(1)
    assert (contract.seats, contract.seats_used, str(contract.end_date)) == (250, 180, "2027-06-30")
    assert inputs(form_in_chat(teams, connector, BUYER, "contract edit 1"))["seats_used"]["value"] == 180
    connector.reset()
    teams.say(BUYER, "contract seats 1 120")
    [reply] = connector.of("reply", BUYER.chat)
    assert "120 of 250 seats used — negotiate down" in json.dumps(reply.body, ensure_ascii=False)
    assert bot.core.contracts.get(1).seats_used == 120
    assert (contract.it_owner, contract.procurement_owner) == (IT.aad, BUYER.aad), "owners unchanged"
    assert len(bot.core.contracts.all()) == 1


def test_the_it_owner_may_edit_and_others_are_refused(teams, connector, bot):
    meet(teams)
    save(teams, BUYER, {**CONTRACT, "it_owner": ""})
    # Ivy is neither procurement nor an owner of contract 1.
    connector.reset()
    teams.say(IT, "contract add")
    assert "⛔ Only procurement members can add contracts." in connector.of("reply", IT.chat)[0].text
    connector.reset()
    teams.say(IT, "contract edit 1")
    refused = connector.of("reply", IT.chat)[0].text
    assert "⛔ Only procurement members and the contract's owners can change contract 1." in refused
    assert invoke_text(save(teams, IT, {**CONTRACT, "vendor": "Other"})) == \
        "⛔ Only procurement members can add contracts."
    assert invoke_text(save(teams, IT, {**CONTRACT, "seats": "1"}, contract=1)).startswith("⛔ Only procurement")
    assert invoke_text(teams.click(IT, Verbs.CONTRACT_CANCEL, {"contract": 1}, where="personal")[1]) \
        .startswith("⛔ Only procurement")
    assert [c.vendor for c in bot.core.contracts.all()] == ["Zoom"] and bot.core.contracts.get(1).seats == 200
    assert bot.core.contracts.get(1).status is ContractStatus.ACTIVE

    # Once she owns it, she may.
    save(teams, BUYER, {**CONTRACT, "it_owner": IT.email}, contract=1)
    form = form_in_chat(teams, connector, IT, "contract edit 1")
    assert inputs(form)["it_owner"]["value"] == IT.email
    assert invoke_text(save(teams, IT, {**CONTRACT, "seats": "10"}, contract=1)).startswith("Saved")
    assert bot.core.contracts.get(1).seats == 10


def test_details_buttons_follow_the_status_and_start_renewal_posts_the_request(teams, connector, bot):
    meet(teams)
    save(teams, BUYER, CONTRACT)
    details = form_in_chat(teams, connector, IT, "contract show 1")
    assert actions(details) == ["Edit", "Start renewal", "Mark renewed", "Mark cancelled"]
    assert details["actions"][1]["verb"] == Verbs.CONTRACT_RENEW and details["actions"][1]["data"]["contract"] == 1
    [confirm] = details["actions"][3]["card"]["actions"]
    assert confirm["verb"] == Verbs.CONTRACT_CANCEL, "Mark cancelled asks first"

    connector.reset()
    answer = teams.click(BUYER, Verbs.CONTRACT_RENEW, {"contract": 1}, where="personal")[1]
    assert invoke_text(answer) == "Renewal of Zoom Meetings Pro started: #1 Renew Zoom Meetings Pro."
    [posted] = connector.of("send", CHANNEL)
    card = card_of(posted)
    assert card["body"][0]["text"] == "#1 Renew Zoom Meetings Pro — New"
    assert "Under contract" in json.dumps(card)
    assert bot.core.requests.get(1).contract_id == 1
    assert bot.core.contracts.get(1).status is ContractStatus.RENEWING
    assert actions(form_in_chat(teams, connector, IT, "contract show 1")) == ["Edit", "Mark renewed",
                                                                             "Mark cancelled"]

    answer = teams.click(BUYER, Verbs.CONTRACT_RENEWED, {"contract": 1}, where="personal")[1]
    assert "is marked renewed" in invoke_text(answer)
    assert actions(form_in_chat(teams, connector, IT, "contract show 1")) == ["Edit", "Mark cancelled"]
    answer = teams.click(BUYER, Verbs.CONTRACT_CANCEL, {"contract": 1}, where="personal")[1]
    assert invoke_text(answer) == "Zoom Meetings Pro (contract 1) is marked cancelled; it runs out on 2027-01-31."
    assert actions(form_in_chat(teams, connector, IT, "contract show 1")) == ["Edit"]


def test_edit_on_the_details_card_sends_the_form_to_the_chat(teams, connector, bot):
    meet(teams)
    save(teams, BUYER, CONTRACT)
    connector.reset()
    answer = teams.click(BUYER, Verbs.CONTRACT_EDIT, {"contract": 1}, where="personal")[1]
    assert invoke_text(answer) == "The form to edit contract 1 is in your chat with Tandem."
    [sent] = [call for call in connector.of("send") if call.cards]
    form = card_of(sent)
    assert form["body"][0]["text"] == "Edit contract 1" and inputs(form)["vendor"]["value"] == "Zoom"
    assert connector.of("send", CHANNEL) == []
    assert invoke_text(teams.click(IT, Verbs.CONTRACT_EDIT, {"contract": 1}, where="personal")[1]) == \
        "The form to edit contract 1 is in your chat with Tandem.", "Ivy is its IT owner"

