"""Flexible contracts through Slack: seats in use recorded by command, form and spreadsheet,
and the notice reminder saying what to negotiate."""

import json

from bot.contracts import CSV_HEADER
from bot.schedule import Schedule
from handlers.slack.ids import ContractActions, Views
from tests.conftest import ADMIN, BUYER, IT, IT2
from tests.handlers.slack.test_contracts import add_contract, contract_values
from tests.handlers.slack.test_schedule import dm_of
from tests.handlers.slack.test_together import answer


def test_seats_by_command_and_form_and_the_reminder_says_negotiate_down(slack, fake, bot):
    add_contract(bot, end_date="2026-12-16", notice_days="0")  # notice deadline in 30 days
    refused = answer(slack, fake, IT2, "contract seats 1 62")
    assert "Only procurement members and the contract's owners can change contract 1" in refused
    assert bot.core.contracts.get(1).seats_used is None
    assert "needs a contract number and the seats in use" in answer(slack, fake, BUYER, "contract seats 1 many")
    told = answer(slack, fake, IT, "contract seats 1 62")
    assert "Zoom Meetings Pro (contract 1): 62 of 200 seats used — negotiate down." in told
    history = answer(slack, fake, BUYER, "contract show 1")
    assert "62 of 200 seats used — negotiate down" in history and "seats recorded" in history

    # The edit form carries the seats in use; a form saved with another number records it.
    slack.click(BUYER, ContractActions.EDIT, "1")
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.CONTRACT)
    field = next(b for b in modal.args["view"]["blocks"] if b.get("block_id") == "seats_used")
    assert field["element"]["initial_value"] == "62"
    values = contract_values(end_date="2026-12-16", notice_days="0")
    values["seats_used"] = {"value": {"type": "number_input", "value": "150"}}
    slack.submit(BUYER, Views.CONTRACT, values, private_metadata="1")
    fake.wait_until("chat.postMessage", lambda a: "Saved Zoom Meetings Pro" in a.get("text", ""))
    assert bot.core.contracts.get(1).seats_used == 150

    fake.reset()
    Schedule(bot.core, holder="test").tick()
    dm = fake.wait_until("chat.postMessage", lambda a: a["channel"] == dm_of(IT) and "reminder" in a.get("text", ""))
    assert "150 of 200 seats used — negotiate down" in json.dumps(dm.args["blocks"], ensure_ascii=False)


def test_seats_in_use_as_a_spreadsheet_column(bot):
    row = "Miro,Team,,,2026-01-01,2027-01-15,30,yes,12,6000,USD,40,,25"
    bot.core.contracts.import_csv(ADMIN, f"{CSV_HEADER},seats_used\n{row}\n")
    assert bot.core.contracts.get(1).seats_used == 25
    # A file without the column keeps what is stored; a bad value names the row and column.
    bot.core.contracts.import_csv(ADMIN, f"{CSV_HEADER}\nMiro,Team,,,2026-01-01,2027-01-15,30,yes,12,6000,USD,45,\n")
    assert (bot.core.contracts.get(1).seats, bot.core.contracts.get(1).seats_used) == (45, 25)
    exported = bot.core.contracts.export_csv()
    assert exported.splitlines()[0].endswith(",notes,seats_used") and exported.splitlines()[1].endswith(",25")
