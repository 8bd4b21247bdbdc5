"""Approvals in Slack: the pending message, the approver's DM, Approve, Reject with a reason."""

import json

import pytest

from bot.config import Settings
from bot.requests import Status
from handlers.slack.ids import ApprovalActions, Views
from tests.conftest import ADMIN, BUYER, IT
from tests.handlers.slack.conftest import CHANNEL
from tests.handlers.slack.test_lifecycle import post_need

APPROVER = "U0APPROVER"


@pytest.fixture
def slack_settings(tmp_path, fake):
    from tests.handlers.slack.conftest import SECRET

    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_APPROVERS": APPROVER, "TANDEM_APPROVAL_THRESHOLD": "10000", "TANDEM_DB": str(tmp_path / "t.db"),
    })


def to_sourcing(slack, fake, bot):
    post_need(slack, fake, estimated_cost="25000")
    bot.core.requests.claim(BUYER, 1)
    bot.core.requests.change_status(BUYER, 1, "sourcing")


def test_approval_through_the_approvers_dm(slack, fake, bot):
    to_sourcing(slack, fake, bot)
    slack.command("/procure", "status 1 approved", BUYER)
    pending = fake.wait_until("response_url", lambda a: "needs approval" in a.get("text", ""))
    assert pending.args["text"].startswith(":hourglass_flowing_sand: #1 needs approval because its cost (USD 25,000)")
    dm = fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    buttons = [e["action_id"] for b in dm.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [ApprovalActions.APPROVE, ApprovalActions.REJECT]
    assert bot.core.requests.get(1).status is Status.SOURCING

    slack.click(APPROVER, ApprovalActions.APPROVE, "1")
    answer = fake.wait_until("response_url", lambda a: "You approved" in a.get("text", ""))
    assert answer.args["replace_original"] is True and "It is now approved" in answer.args["text"]
    assert bot.core.requests.get(1).status is Status.APPROVED
    card = fake.wait_until("chat.update", lambda a: "Approved" in json.dumps(a.get("blocks")) and
                           APPROVER in json.dumps(a.get("blocks")))
    assert card.args["channel"] == CHANNEL
    thread = fake.wait_until("chat.postMessage", lambda a: a.get("thread_ts") and "approved #1" in a["text"])
    assert f"<@{APPROVER}>" in thread.args["text"]


def test_reject_asks_for_a_reason_and_returns_to_sourcing(slack, fake, bot):
    to_sourcing(slack, fake, bot)
    slack.command("/procure", "status 1 approved", BUYER)
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    slack.click(APPROVER, ApprovalActions.REJECT, "1")
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == Views.REJECT)
    metadata = modal.args["view"]["private_metadata"]
    empty = {"reason": {"value": {"type": "plain_text_input", "value": " "}}}
    status, body = slack.submit(APPROVER, Views.REJECT, empty, metadata)
    assert json.loads(body)["errors"]["reason"].startswith("Say why you reject it")
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "Co-term with the Zoom contract"}}}
    slack.submit(APPROVER, Views.REJECT, reason, metadata)
    fake.wait_until("chat.postMessage", lambda a: a.get("thread_ts") and "Co-term" in a["text"])
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.get(1).status is Status.SOURCING
    last = bot.core.requests.show(IT, 1).events[-1]
    assert (last.action, last.after["reason"]) == ("approval rejected", "Co-term with the Zoom contract")


def test_only_approvers_decide(slack, fake, bot):
    to_sourcing(slack, fake, bot)
    slack.command("/procure", "status 1 approved", BUYER)
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    slack.command("/procure", "approve 1", BUYER)
    refusal = fake.wait_until("response_url", lambda a: "Only the approvers" in a.get("text", ""))
    assert refusal.args["response_type"] == "ephemeral"
    assert bot.core.requests.get(1).status is Status.SOURCING


FORGED = ["not json {", "[1, 2]", '{"request": "1; drop"}', '{"channel": "C1"}', '{"request": 1, "channel": ["C1"]}']


@pytest.mark.parametrize("metadata", FORGED)
def test_a_reject_form_with_forged_metadata_is_refused_in_the_form_and_changes_nothing(slack, fake, bot, caplog,
                                                                                      metadata):
    to_sourcing(slack, fake, bot)
    slack.command("/procure", "status 1 approved", BUYER)
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    caplog.clear()
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "Too dear"}}}
    status, body = slack.submit(APPROVER, Views.REJECT, reason, metadata)
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "update"
    assert "could not read this form, so nothing was changed" in json.dumps(answer["view"])
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.get(1).status is Status.SOURCING  # awaiting the approval, not rejected
    assert bot.core.requests.show(IT, 1).events[-1].action == "approval requested"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    [warning] = [r for r in caplog.records if r.levelname == "WARNING" and "private_metadata" in r.getMessage()]
    assert metadata not in warning.getMessage() and "Too dear" not in warning.getMessage()


def test_every_form_with_metadata_tandem_did_not_write_is_refused_and_nothing_is_saved(slack, fake, bot, caplog):
    from handlers.slack.ids import HealthIds
    from tests.handlers.slack.conftest import need_values
    from tests.handlers.slack.test_contracts import contract_values

    note = {"note": {"value": {"type": "plain_text_input", "value": "Hello"}}}
    for user, form, values, metadata in ((IT, Views.NEED, need_values(), "{not json"),
                                         (IT, Views.NEED, need_values(), '{"source": [1, 2, 3]}'),
                                         (BUYER, Views.CONTRACT, contract_values(), "#x"),
                                         (IT, Views.NOTE, note, "[]"),
                                         (IT, HealthIds.FORM, {}, "{oops")):
        caplog.clear()
        status, body = slack.submit(user, form, values, metadata)
        assert status == 200 and json.loads(body)["response_action"] == "update", (form, body)
        assert "could not read this form" in body
        assert [r.levelname for r in caplog.records if "private_metadata" in r.getMessage()] == ["WARNING"]
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.list(IT, "all").total == 0 and not bot.core.contracts.upcoming(BUYER, 3650)


def test_a_need_with_no_estimated_cost_goes_to_the_approvers_before_approved(slack, fake, bot):
    """A blank cost is not under the threshold: moving to approved asks the approvers, and the
    need stays in sourcing until they approve."""
    post_need(slack, fake, estimated_cost="", sensitivity="internal")
    bot.core.requests.claim(BUYER, 1)
    bot.core.requests.change_status(BUYER, 1, "sourcing")
    slack.command("/procure", "status 1 approved", BUYER)
    pending = fake.wait_until("response_url", lambda a: "needs approval" in a.get("text", ""))
    assert pending.args["text"].startswith(":hourglass_flowing_sand: #1 needs approval because it has no estimated cost")
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.get(1).status is Status.SOURCING
    assert bot.core.approvals.approve(APPROVER, 1).status is Status.APPROVED


def test_the_approvers_dm_gives_the_reason_with_amounts_the_approvers_way_and_the_channel_keeps_its_own(slack, fake,
                                                                                                        bot):
    fake.locales[APPROVER] = "de-DE"
    to_sourcing(slack, fake, bot)
    slack.command("/procure", "status 1 approved", BUYER)
    dm = fake.wait_until("chat.postMessage", lambda a: a["channel"] == "D0APPROVER")
    text = json.dumps(dm.args["blocks"], ensure_ascii=False)
    assert "because its cost (USD 25.000) reaches the approval threshold of USD 10.000" in text
    assert "25,000" not in text and "10,000" not in text
    pending = fake.wait_until("response_url", lambda a: "needs approval" in a.get("text", ""))
    assert "its cost (USD 25,000) reaches the approval threshold of USD 10,000" in pending.args["text"], \
        "the buyer (en-US) reads it the shared way"
    [asked] = [e for e in bot.core.requests.show(ADMIN, 1).events if e.action == "approval requested"]
    assert asked.after["approval"] == "its cost (USD 25,000) reaches the approval threshold of USD 10,000", \
        "the audit log keeps TANDEM_LOCALE"
