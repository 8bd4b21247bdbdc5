"""The sync meeting through Slack: the agenda posted by the schedule, decisions and action
items by signed slash commands, the assignee told by DM."""

import json
from datetime import datetime, timezone

import pytest

from bot.config import Settings
from bot.schedule import Schedule
from tests.conftest import ADMIN, BUYER, IT
from tests.handlers.slack.conftest import CHANNEL, SECRET
from tests.handlers.slack.test_together import answer


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_SYNC_CRON": "0 14 * * THU", "TANDEM_SYNC_LEAD": "2h",
    })


def test_a_meeting_in_slack(slack, fake, bot, clock):
    clock.set(datetime(2026, 11, 19, 14, 5, tzinfo=timezone.utc))
    told = answer(slack, fake, BUYER, "decide Renew <!channel> Zoom for one year")
    assert "Decision 1 recorded: Renew &lt;!channel&gt; Zoom for one year" in told
    told = answer(slack, fake, BUYER, f"action <@{IT}|it> Get the SOC 2 report by 2026-11-24")
    assert f"Action item 1 for <@{IT}> by 2026-11-24: Get the SOC 2 report" in told
    dm = fake.wait_until("chat.postMessage", lambda args: args["channel"] == "D" + IT.lstrip("U"))
    assert "A new action item for you" in json.dumps(dm.args["blocks"])
    assert "not someone I know" in answer(slack, fake, BUYER, "action @nobody Do it")
    shown = answer(slack, fake, IT, "actions")
    assert "1. <@U0IT000001> — Get the SOC 2 report (due 2026-11-24)" in shown

    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc))
    fake.reset()
    Schedule(bot.core, holder="test").tick()
    Schedule(bot.core, holder="test").tick()
    posted = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert len(posted) == 1
    agenda = json.dumps(posted[0].args["blocks"], ensure_ascii=False)
    assert "Sync meeting agenda · Thu 26 Nov 14:00" in agenda
    assert "*Open action items*\\n• 1. <@U0IT000001> — Get the SOC 2 report (due 2026-11-24, 2 days overdue)" in agenda
    assert "done" in answer(slack, fake, IT, "action done 1")


def test_slack_mentions_in_a_command_become_people_whatever_form_slack_sends(slack, fake, bot):
    """Slack sends ``<@U…>`` or, from older clients, ``<@U…|name>``; both name the person."""
    for number, written in ((1, f"<@{IT}>"), (2, f"<@{IT}|ivy>")):
        told = answer(slack, fake, BUYER, f"action {written} Chase the quote")
        assert f"Action item {number} for <@{IT}>: Chase the quote" in told
    people = [row["person"] for row in bot.core.sync.store.db.query("select person from action_items")]
    assert people == [IT, IT]


def test_typed_text_cannot_mention_anyone_in_what_tandem_says(slack, fake, bot):
    """A decision quoting ``<@U…>`` as typed (escaped by Slack's client: ``&lt;``) or the core's own
    token marks stays words: no live mention reaches Slack, and the marks never leave Tandem."""
    told = answer(slack, fake, BUYER, f"decide Ask \u2068@{ADMIN}\u2069 and &lt;@{ADMIN}&gt; first")
    assert f"<@{ADMIN}>" not in told
    assert f"Ask @{ADMIN} and" in told
