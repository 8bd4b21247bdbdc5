"""Statement 6 of the scorecard through Slack: the health checks that went out are set against
those TANDEM_HEALTH_CRON scheduled in the 90 days, whatever the cron (a month has one check-up)."""

import pytest

from bot.config import Settings
from tests.conftest import ADMIN, BUYER
from tests.handlers.slack.conftest import CHANNEL, SECRET
from tests.handlers.slack.test_together import answer

WEEKLY = "0 10 * * MON"
QUARTERLY = "0 10 1-7 1,4,7,10 MON"  # the first Monday of each quarter
YEARLY = "0 10 1-7 1 MON"


@pytest.fixture(params=[WEEKLY, QUARTERLY, YEARLY])
def health_cron(request):
    return request.param


@pytest.fixture
def slack_settings(tmp_path, fake, health_cron):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_HEALTH_CRON": health_cron,
    })


# The score averages the flow's share with the participation's (0 of the 2 people asked answered).
EXPECTED = {
    # The 90 days to Mon 16 Nov 2026 09:00 (from Wed 19 Aug): Mondays in August, September,
    # October and November, so four months' check-ups, not thirteen (one a month).
    WEEKLY: ("1 of 4 scheduled health checks went out in the last 90 days", 12),  # (25% + 0%) / 2
    # Only Mon 5 Oct.
    QUARTERLY: ("1 of 1 scheduled health check went out in the last 90 days", 50),
    # None: the flow is not measured; a check-up sent anyway (`health send`) is still counted.
    YEARLY: ("No health check was scheduled in the last 90 days (1 went out)", 0),  # participation only
}


def test_the_check_ups_expected_follow_the_health_cron(slack, fake, bot, health_cron):
    core = bot.core
    core.health.send_now(ADMIN)  # this month's check-up (Mon 16 Nov)
    line, data = EXPECTED[health_cron]
    shown = answer(slack, fake, BUYER, "scorecard")
    assert line in shown and "0 of 2 people asked answered the November 2026 health check" in shown
    [speed] = [item for item in core.scorecard.scorecard(BUYER).indicators if item.key == "speed"]
    assert speed.data == data
