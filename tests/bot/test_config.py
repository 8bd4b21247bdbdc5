from decimal import Decimal

import pytest

from bot.config import ConfigError, Settings


def test_defaults_follow_the_product_contract():
    s = Settings.from_env({})
    assert s.db_path == "tandem.db"
    assert s.port == 3000
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.timezone == "UTC"
    assert s.digest_cron == "0 9 * * MON"
    assert s.reminder_cron == "0 9 * * MON-FRI"
    assert s.notice_days == (90, 60, 30, 7)
    assert s.stale_days == 5
    assert s.teams_port == 3978
    assert not s.slack_enabled


def test_values_are_parsed():
    s = Settings.from_env(
        {
            "TANDEM_PROCUREMENT": "U111, S222 ,buyer@example.com",
            "TANDEM_NOTICE_DAYS": "30,90,7",
            "TANDEM_FX_RATES": "EUR=1.08,gbp=1.27",
            "TANDEM_HIDE_COSTS": "yes",
            "TANDEM_TIMEZONE": "Europe/Berlin",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
        }
    )
    assert s.procurement == ("U111", "S222", "buyer@example.com")
    assert s.notice_days == (90, 30, 7)
    assert s.fx_rates == {"EUR": Decimal("1.08"), "GBP": Decimal("1.27")}
    assert s.hide_costs is True
    assert s.tz.key == "Europe/Berlin"
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"TANDEM_TIMEZONE": "Mars/Base"}, "TANDEM_TIMEZONE=Mars/Base is not an IANA time zone"),
        ({"PORT": "http"}, "PORT=http is not a TCP port (1-65535, or 0 for any free one)"),
        ({"PORT": "70000"}, "PORT=70000 is not a TCP port (1-65535, or 0 for any free one)"),
        ({"PORT": "²"}, "PORT=² is not a TCP port (1-65535, or 0 for any free one)"),
        ({"TANDEM_NOTICE_DAYS": "90,²"}, "TANDEM_NOTICE_DAYS=90,² is not a comma-separated list"),
        ({"TANDEM_STALE_DAYS": "-2"}, "TANDEM_STALE_DAYS=-2 is not a positive whole number"),
        ({"TANDEM_NOTICE_DAYS": "90,soon"}, "TANDEM_NOTICE_DAYS=90,soon is not a comma-separated list"),
        ({"TANDEM_DIGEST_CRON": "every monday"}, "TANDEM_DIGEST_CRON=every monday is not a 5-field cron"),
        ({"TANDEM_PROCUREMENT": "bob"}, "TANDEM_PROCUREMENT: bob is not a Slack user ID"),
        ({"TANDEM_FX_RATES": "EUR:1.1"}, "TANDEM_FX_RATES: 'EUR:1.1' is not CODE=RATE"),
        ({"TANDEM_HIDE_COSTS": "maybe"}, "TANDEM_HIDE_COSTS=maybe must be true or false"),
        ({"TANDEM_APPROVAL_POLICY": "most"}, "TANDEM_APPROVAL_POLICY=most must be one of: any, all"),
        ({"TANDEM_BASE_CURRENCY": "dollars"}, "TANDEM_BASE_CURRENCY=DOLLARS is not a 3-letter currency code"),
        ({"SLACK_BOT_TOKEN": "abc"}, "SLACK_BOT_TOKEN must start with xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is required in HTTP mode"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "TANDEM_CHANNEL is required"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL=slack.com is not an http(s) URL"),
        ({"TANDEM_TARGET_CLAIM_DAYS": "0"}, "TANDEM_TARGET_CLAIM_DAYS=0 is not a positive whole number"),
        ({"TANDEM_TARGET_FULFIL_DAYS": "printers=5"}, "TANDEM_TARGET_FULFIL_DAYS: 'printers' is not a category"),
        ({"TANDEM_TARGET_FULFIL_DAYS": "software=soon"},
         "TANDEM_TARGET_FULFIL_DAYS: 'software=soon' is not CATEGORY=DAYS"),
        ({"TANDEM_TARGET_FULFIL_DAYS": "10,20"}, "TANDEM_TARGET_FULFIL_DAYS: the default is given twice"),
        ({"TANDEM_TARGET_SAVINGS": "lots"}, "TANDEM_TARGET_SAVINGS: 'lots' is not a percentage"),
        ({"TANDEM_TARGET_SAVINGS": "120%"}, "TANDEM_TARGET_SAVINGS: '120%' is not a percentage from 0 to 100"),
    ],
)
def test_a_bad_variable_stops_start_up_with_one_line_naming_it(env, message):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_targets_are_read_once():
    settings = Settings.from_env({"TANDEM_TARGET_CLAIM_DAYS": "2", "TANDEM_TARGET_FULFIL_DAYS": "Software=10, 20",
                                  "TANDEM_TARGET_SAVINGS": "7.5%"})
    assert settings.targets.claim_days == 2
    assert settings.targets.fulfil_for("software") == 10 and settings.targets.fulfil_for("telecom") == 20
    assert str(settings.targets.savings_percent) == "7.5"
    assert Settings.from_env({}).targets.fulfil_days == {} and Settings.from_env({}).targets.claim_days == 1


def test_settings_are_frozen():
    s = Settings.from_env({})
    with pytest.raises(AttributeError):
        s.port = 1
