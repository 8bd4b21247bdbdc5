"""The reject form is defined once (``bot.forms.REJECT_FORM``): Slack's modal and the box on Teams'
approval card show its label and its limit, which is the one the core enforces."""

import pytest

from bot.approvals import parse_reason
from bot.errors import BadInput
from bot.forms import REJECT_FORM
from bot.requests import NOTE_MAX
from handlers.slack.form_blocks import reject_modal
from handlers.teams.cards import approval_card
from handlers.teams.ids import Inputs
from tests.conftest import IT, need


def test_slack_and_teams_ask_for_the_reason_the_form_defines(core):
    [reason] = REJECT_FORM
    request = core.requests.create(IT, need())
    [slack] = [block for block in reject_modal(request, "").to_dict()["blocks"] if block["type"] == "input"]
    assert (slack["block_id"], slack["label"]["text"], slack["element"]["max_length"], slack["optional"]) == \
        (reason.name, reason.label, NOTE_MAX, False)
    [teams] = [item for item in approval_card(request, "its data is restricted")["body"] if item.get("id") == Inputs.REASON]
    assert (teams["id"], teams["label"], teams["maxLength"]) == (reason.name, reason.label, NOTE_MAX)


def test_the_limit_shown_is_the_one_the_core_enforces():
    assert parse_reason("x" * NOTE_MAX) == "x" * NOTE_MAX
    with pytest.raises(BadInput, match=f"under {NOTE_MAX} characters"):
        parse_reason("x" * (NOTE_MAX + 1))
