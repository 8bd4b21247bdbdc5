"""Deciding together and IT's risk checks through signed Slack requests, against the fake Slack."""

import json

import pytest

from bot.config import Settings
from bot.requests import Status
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2
from handlers.slack.ids import Views
from tests.handlers.slack.conftest import CHANNEL, SECRET, need_values
from tests.handlers.slack.test_lifecycle import card_text, post_need


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": f"{BUYER},{BUYER2}", "TANDEM_ADMINS": ADMIN,
        "TANDEM_DB": str(tmp_path / "tandem.db"),
        "TANDEM_RISK_CHECKS": "confidential=Security review,Data-processing agreement",
    })


def answer(slack, fake, user, text) -> str:
    """Runs ``/procure text`` and returns the ephemeral answer's blocks as text."""
    before = len(fake.calls_to("response_url"))
    status, _ = slack.command("/procure", text, user)
    assert status == 200
    reply = fake.wait_for("response_url", before + 1)[-1]
    assert reply.args["response_type"] == "ephemeral"
    return json.dumps(reply.args.get("blocks") or reply.args["text"], ensure_ascii=False)


def test_options_ratings_and_a_joint_decision_on_the_card(slack, fake, bot):
    card = post_need(slack, fake)
    answer(slack, fake, BUYER, "claim 1")
    answer(slack, fake, BUYER, "status 1 sourcing")
    shown = answer(slack, fake, BUYER, "option 1 Zoom <!channel> | 12000 USD | net 30 | 12 | https://q.example/z?a=1&b=2")
    assert "Option A added to #1" in shown and "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    answer(slack, fake, BUYER, "option 1 Teams | 9000")
    answer(slack, fake, IT, "rate 1 A fit 5 risk 4")
    refused = answer(slack, fake, IT, "rate 1 B cost 5")
    assert "cost and terms; IT rates fit and risk" in refused
    updates = fake.calls_to("chat.update")
    latest = card_text(updates[-1])
    assert updates[-1].args["ts"] == card.answer["ts"]
    assert "*Options*" in latest and "A · Zoom &lt;!channel&gt; · USD 12,000 · 12 months · net 30 · fit 5 risk 4" in latest
    assert "<https://q.example/z?a=1&amp;b=2|quote>" in latest and "No choice signed off yet" in latest

    answer(slack, fake, BUYER, "status 1 approved")
    refused = answer(slack, fake, BUYER, "status 1 ordered")
    assert "has options but no joint decision" in refused
    assert bot.core.requests.get(1).status is Status.APPROVED

    assert "Waiting for" in answer(slack, fake, IT, "choose 1 A fits our rooms")
    assert "Decided together: option A" in answer(slack, fake, BUYER, "choose 1 A agreed, price is fair")
    latest = card_text(fake.calls_to("chat.update")[-1])
    assert ":handshake: Decided together: option A" in latest
    assert f"<@{IT}> chose A: fits our rooms" in latest and f"<@{BUYER}> chose A: agreed, price is fair" in latest
    answer(slack, fake, BUYER, "status 1 ordered")
    assert bot.core.requests.get(1).status is Status.ORDERED
    history = answer(slack, fake, IT2, "show 1")
    assert "signed off" in history and "decided" in history


def test_a_confidential_need_carries_its_checklist_and_hides_its_options(slack, fake, bot):
    slack.submit(IT, Views.NEED, need_values(sensitivity="confidential"))
    card = fake.wait_until("chat.postMessage", lambda args: args["channel"] == CHANNEL)
    posted = card_text(card)
    assert ":white_large_square: 1. Security review · :white_large_square: 2. Data-processing agreement" in posted
    rules = answer(slack, fake, BUYER, "rules")
    assert "confidential: 1. Security review, 2. Data-processing agreement" in rules
    assert "IT ticks its risk checks" in answer(slack, fake, BUYER, "claim 1")
    answer(slack, fake, BUYER, "option 1 Hidden vendor | 5000")
    latest = card_text(fake.calls_to("chat.update")[-1])
    assert "Hidden vendor" not in latest and "5,000" not in latest
    assert "not allowed" not in answer(slack, fake, BUYER, "options 1")
    assert "confidential" in answer(slack, fake, IT2, "options 1")
    assert "IT ticks the risk checks" in answer(slack, fake, BUYER, "check 1 1")
    assert "Ticked 1. Security review on #1. 1 check left." in answer(slack, fake, IT, "check 1 1")
    latest = card_text(fake.calls_to("chat.update")[-1])
    assert f":white_check_mark: 1. Security review (<@{IT}>)" in latest
    answer(slack, fake, BUYER, "status 1 sourcing")
    answer(slack, fake, BUYER, "status 1 approved")
    answer(slack, fake, IT, "choose 1 A only one")
    answer(slack, fake, BUYER, "choose 1 A only one")
    assert "2. Data-processing agreement" in answer(slack, fake, BUYER, "status 1 ordered")
    answer(slack, fake, IT, "check 1 2")
    answer(slack, fake, BUYER, "status 1 ordered")
    assert bot.core.requests.get(1).status is Status.ORDERED
