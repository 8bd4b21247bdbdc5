"""Approvals in Slack when nobody can be asked: the only approver (and only admin) posted the need."""

import pytest

from bot.config import Settings
from bot.requests import Status
from tests.conftest import ADMIN, BUYER
from tests.handlers.slack.conftest import CHANNEL
from tests.handlers.slack.test_lifecycle import post_need


@pytest.fixture
def slack_settings(tmp_path, fake):
    from tests.handlers.slack.conftest import SECRET

    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_APPROVERS": ADMIN, "TANDEM_APPROVAL_THRESHOLD": "10000", "TANDEM_DB": str(tmp_path / "t.db"),
    })


def test_a_move_to_approved_nobody_can_approve_is_refused_and_nothing_is_recorded(slack, fake, bot):
    post_need(slack, fake, user=ADMIN, estimated_cost="50000")
    bot.core.requests.claim(BUYER, 1)
    bot.core.requests.change_status(BUYER, 1, "sourcing")
    before = bot.core.requests.show(ADMIN, 1).events
    slack.command("/procure", "status 1 approved", BUYER)
    refused = fake.wait_until("response_url", lambda a: "no other admin to ask" in a.get("text", ""))
    assert refused.args["response_type"] == "ephemeral"
    bot.executor.shutdown(wait=True)
    assert bot.core.requests.get(1).status is Status.SOURCING
    assert bot.core.requests.show(ADMIN, 1).events == before  # no "approval requested" in the history
    assert bot.core.approvals.summary(bot.core.requests.get(1)).state == "needed"  # no round was opened
    assert not [c for c in fake.calls_to("chat.postMessage") if "approv" in c.args.get("text", "")]  # nobody asked
