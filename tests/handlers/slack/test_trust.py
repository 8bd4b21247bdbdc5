"""Confidentiality by place and actions by viewer, through signed Slack requests: a modal
opens only for someone who may act and shows the request as they may see it, and contracts
list their linked requests as the reader may see them."""

import pytest

from bot.config import Settings
from handlers.slack.ids import Actions, ApprovalActions, ContractActions, Views
from tests.conftest import ADMIN, BUYER, IT, IT2
from tests.handlers.slack.conftest import CHANNEL, SECRET, need_values
from tests.handlers.slack.test_confidential import SECRET_BITS, secret_need, shown
from tests.handlers.slack.test_contracts import add_contract

APPROVER = "U0APPROVER"


def leaks(text: str) -> list[str]:
    return [bit for bit in SECRET_BITS if bit in text]


@pytest.mark.parametrize("sensitivity", ["confidential", "restricted"])
def test_add_note_on_a_confidential_card_is_refused_to_others_and_shows_nothing(slack, fake, bot, sensitivity):
    secret_need(slack, fake, sensitivity)
    fake.reset()
    slack.click(IT2, Actions.ADD_NOTE, "1")
    refusal = fake.wait_until("response_url", lambda a: "confidential" in a.get("text", ""))
    assert refusal.args["response_type"] == "ephemeral" and not leaks(shown(refusal))
    assert fake.calls_to("views.open") == [], "no note form for someone who may not add a note"
    # Who may see it gets the form, with the title.
    slack.click(IT, Actions.ADD_NOTE, "1")
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.NOTE)
    assert "Acquire Acme Corp" in shown(modal)


def test_a_forged_note_submission_on_a_confidential_request_is_refused(slack, fake, bot):
    secret_need(slack, fake)
    note = {"note": {"value": {"type": "plain_text_input", "value": "let me in"}}}
    slack.submit(IT2, Views.NOTE, note, private_metadata="1")
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == IT2 and "confidential" in a["text"])
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.show(BUYER, 1).notes == []


def test_add_note_on_an_ordinary_card_opens_for_anyone(slack, fake, bot):
    slack.submit(IT, "need_modal", need_values())
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    slack.click(IT2, Actions.ADD_NOTE, "1")
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.NOTE)
    assert "50 Zoom licences" in shown(modal)


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_APPROVERS": APPROVER, "TANDEM_APPROVAL_THRESHOLD": "10000", "TANDEM_DB": str(tmp_path / "t.db"),
    })


def waiting_for_approval(slack, fake, bot):
    secret_need(slack, fake, "restricted")
    bot.core.requests.claim(BUYER, 1)
    bot.core.requests.change_status(BUYER, 1, "sourcing")
    slack.command("/procure", "status 1 approved", BUYER)
    return fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")


@pytest.mark.parametrize("who", [IT2, BUYER, IT])
def test_reject_opens_its_form_only_for_an_approver(slack, fake, bot, who):
    waiting_for_approval(slack, fake, bot)
    fake.reset()
    slack.click(who, ApprovalActions.REJECT, "1")
    refusal = fake.wait_until("response_url", lambda a: a.get("text", "").startswith(":no_entry:"))
    assert "Only the approvers can reject #1." in refusal.args["text"]
    assert refusal.args["response_type"] == "ephemeral" and not leaks(shown(refusal))
    assert fake.calls_to("views.open") == []


def test_the_approver_gets_the_reject_form_with_the_title(slack, fake, bot):
    dm = waiting_for_approval(slack, fake, bot)
    assert "Acquire Acme Corp" in shown(dm), "the approver decides on what they can read"
    slack.click(APPROVER, ApprovalActions.REJECT, "1")
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.REJECT)
    assert "Acquire Acme Corp" in shown(modal)


def test_reject_once_decided_is_refused_without_a_form(slack, fake, bot):
    waiting_for_approval(slack, fake, bot)
    slack.click(APPROVER, ApprovalActions.APPROVE, "1")
    fake.wait_until("response_url", lambda a: "You approved" in a.get("text", ""))
    fake.reset()
    slack.click(APPROVER, ApprovalActions.REJECT, "1")
    refusal = fake.wait_until("response_url", lambda a: "not waiting for approval" in a.get("text", ""))
    assert refusal.args["response_type"] == "ephemeral"
    assert fake.calls_to("views.open") == []


@pytest.mark.parametrize("sensitivity", ["confidential", "restricted"])
def test_contract_show_and_open_list_linked_confidential_requests_without_their_title(slack, fake, bot,
                                                                                      sensitivity):
    add_contract(bot, vendor="AcmeLaw", product="Counsel")
    secret_need(slack, fake, sensitivity)  # its vendor matches, so it is linked to the contract
    assert bot.core.requests.get(1).contract_id == 1
    fake.reset()
    slack.command("/procure", "contract show 1", IT2)
    answer = fake.wait_for("response_url")[0]
    assert "#1" in shown(answer) and "Confidential request" in shown(answer)
    assert "Acquire Acme Corp" not in shown(answer)
    slack.click(IT2, ContractActions.OPEN, "1")
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.CONTRACT_DETAILS)
    assert "Acquire Acme Corp" not in shown(modal) and "Confidential request" in shown(modal)
    # The requester and procurement see the title in private.
    fake.reset()
    for user in (IT, BUYER):
        slack.command("/procure", "contract show 1", user)
    assert all("Acquire Acme Corp" in shown(a) for a in fake.wait_for("response_url", 2))


def test_contract_buttons_are_only_those_the_reader_may_use(slack, fake, bot):
    add_contract(bot)
    slack.command("/procure", "contract show 1", IT2)
    answer = fake.wait_for("response_url")[0]
    buttons = [e["action_id"] for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == []
    fake.reset()
    slack.command("/procure", "contract show 1", IT)  # the contract's IT owner
    answer = fake.wait_for("response_url")[0]
    buttons = [e["action_id"] for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [ContractActions.EDIT, ContractActions.RENEW, ContractActions.RENEWED, ContractActions.CANCEL]


def test_the_shared_card_offers_what_the_state_allows_and_a_click_is_checked_for_the_clicker(slack, fake, bot):
    slack.submit(IT, "need_modal", need_values())
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    card_buttons = [e["action_id"] for b in card.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert card_buttons == [Actions.CLAIM, Actions.STATUS, Actions.ADD_NOTE]
    slack.click(IT2, Actions.CLAIM, "1")
    refusal = fake.wait_until("response_url", lambda a: "Only procurement members" in a.get("text", ""))
    assert refusal.args["response_type"] == "ephemeral"
    assert bot.core.requests.get(1).owner is None
