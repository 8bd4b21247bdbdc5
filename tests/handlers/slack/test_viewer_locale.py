"""Amounts are shown in the viewer's locale wherever only they read (ephemeral answers, modals,
the App Home), and in TANDEM_LOCALE in the shared channel."""

import json

from handlers.slack.ids import Actions
from tests.conftest import BUYER, IT
from tests.handlers.slack.test_lifecycle import post_need
from tests.handlers.slack.test_locale import open_need_form

GERMAN = "U0GERMAN01"


def shown(call, key="blocks") -> str:
    return json.dumps(call.args[key] if key in call.args else call.args["view"], ensure_ascii=False)


def test_a_german_viewer_sees_eur_25_000_and_a_us_viewer_eur_25_000_the_card_the_shared_way(slack, fake, bot):
    fake.locales[GERMAN] = "de-DE"
    open_need_form(slack, fake, GERMAN)
    card = post_need(slack, fake, user=GERMAN, estimated_cost="25.000,50", currency="EUR")
    assert "EUR 25,000.50" in shown(card), "the shared channel: TANDEM_LOCALE (en_US)"

    fake.reset()
    slack.command("/procure", "show 1", GERMAN)
    german = shown(fake.wait_for("response_url")[0])
    assert "EUR 25.000,50" in german and "25,000.50" not in german
    fake.reset()
    slack.command("/procure", "show 1", IT)
    assert "EUR 25,000.50" in shown(fake.wait_for("response_url")[0])

    fake.reset()
    slack.click(GERMAN, Actions.OPEN, "1")
    assert "EUR 25.000,50" in shown(fake.wait_for("views.open")[0], "view")

    fake.reset()
    slack.event({"type": "app_home_opened", "user": GERMAN, "channel": "D0GERMAN", "tab": "home"})
    home = fake.wait_for("views.publish")[0]
    assert "EUR 25.000,50" in shown(home, "view")

    fake.reset()
    slack.command("/procure", "list all", GERMAN)
    assert "EUR 25.000,50" in shown(fake.wait_for("response_url")[0])

    # The card in the channel, updated after a German's click, still shows the shared way.
    fake.reset()
    slack.click(BUYER, Actions.CLAIM, "1")
    assert "EUR 25,000.50" in shown(fake.wait_for("chat.update")[0])
