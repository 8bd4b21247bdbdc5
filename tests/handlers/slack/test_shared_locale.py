"""TANDEM_LOCALE is how amounts are shown in the shared channel; a viewer still sees their own way."""

import pytest

from bot.config import Settings
from tests.conftest import ADMIN, BUYER, IT
from tests.handlers.slack.conftest import CHANNEL, SECRET
from tests.handlers.slack.test_lifecycle import post_need
from tests.handlers.slack.test_viewer_locale import GERMAN, shown


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_LOCALE": "de_DE", "TANDEM_DB": str(tmp_path / "t.db"),
    })


def test_the_shared_channel_uses_tandem_locale(slack, fake, bot):
    fake.locales[GERMAN] = "de-DE"
    card = post_need(slack, fake, estimated_cost="25.000,50", currency="EUR", user=GERMAN)
    assert "EUR 25.000,50" in shown(card)
    fake.reset()
    slack.command("/procure", "show 1", IT)
    assert "EUR 25,000.50" in shown(fake.wait_for("response_url")[0])
