"""Shared targets through Slack: savings recorded at ``ordered``, and the stats showing each
side's targets against the actual, by month."""

from datetime import timedelta

import pytest

from bot.config import Settings
from bot.requests import Status
from tests.conftest import ADMIN, BUYER, IT
from tests.handlers.slack.conftest import CHANNEL, SECRET
from tests.handlers.slack.test_lifecycle import post_need
from tests.handlers.slack.test_together import answer


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_TARGET_CLAIM_DAYS": "1",
        "TANDEM_TARGET_FULFIL_DAYS": "saas=10,hardware=15", "TANDEM_TARGET_SAVINGS": "5%",
    })


def test_savings_at_ordered_and_targets_against_the_actual(slack, fake, bot, clock):
    # Monday 16 Nov 09:00 UTC: a SaaS need estimated at 7,500, claimed two hours later.
    post_need(slack, fake)
    clock.advance(hours=2)
    answer(slack, fake, BUYER, "claim 1")
    answer(slack, fake, BUYER, "status 1 sourcing")
    answer(slack, fake, BUYER, "option 1 Zoom | 8000 USD")
    answer(slack, fake, BUYER, "option 1 Teams | 6900 USD")
    answer(slack, fake, IT, "choose 1 B cheaper")
    answer(slack, fake, BUYER, "choose 1 B agreed")
    answer(slack, fake, BUYER, "status 1 approved")
    answer(slack, fake, BUYER, "status 1 ordered")
    history = answer(slack, fake, BUYER, "show 1")
    assert "saving recorded" in history

    # A hardware need claimed three business days after it was posted, ordered below its estimate.
    post_need(slack, fake, title="Docking stations", category="hardware", estimated_cost="1000")
    clock.advance(days=3)
    answer(slack, fake, BUYER, "claim 2")
    answer(slack, fake, BUYER, "status 2 sourcing")
    answer(slack, fake, BUYER, "status 2 approved")
    refused = answer(slack, fake, BUYER, "status 2 ordered nine hundred")
    assert "is not an amount" in refused and bot.core.requests.get(2).status is Status.APPROVED
    answer(slack, fake, BUYER, "status 2 ordered 900 USD")
    answer(slack, fake, BUYER, "status 2 fulfilled")
    answer(slack, fake, BUYER, "status 1 fulfilled")
    # One saving per ordered request, in the base currency.
    assert [s.request_id for s in bot.core.targets.savings_between(clock.now() - timedelta(days=30), clock.now())] \
        == [1, 2]

    shown = answer(slack, fake, IT, "stats 4")
    assert "Shared targets: IT: needs fulfilled within saas 10 d, hardware 15 d of being posted; " \
           "Procurement: needs claimed within 1 business day of being posted; " \
           "Procurement: 5% saved against the first quote or estimate" in shown
    assert "IT's targets by month (target against actual):" in shown
    assert "2026-11 time to fulfil · hardware: 1 of 1 met, median 3.0 d (target ≤ 15 d)" in shown
    assert "2026-11 time to fulfil · saas: 1 of 1 met, median 3.1 d (target ≤ 10 d)" in shown
    assert "Procurement's targets by month (target against actual):" in shown
    assert "2026-11 time to claim: 1 of 2 met, median 1.5 business days (target ≤ 1 business day)" in shown
    assert "2026-11 savings: 1 of 1 met, 13.3% saved on 2 orders (target 5%)" in shown
