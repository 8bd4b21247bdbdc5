"""The digest's week in numbers is decided once (``WeekNumbers.figures``) and every platform
shows the same figures, in the same order, leaving out a median nothing was measured for."""

import dataclasses
import json
from datetime import timedelta

import pytest

from bot.digest import WeekNumbers
from handlers.shell.schedule_text import digest as shell_digest
from handlers.slack.schedule_blocks import digest_blocks
from handlers.teams.schedule_cards import digest_card

WEEK = WeekNumbers(opened=7, fulfilled=3, median_to_claim=timedelta(hours=5), median_to_fulfil=timedelta(days=3.5))


def test_the_figures_in_order_with_a_median_only_when_measured():
    assert WEEK.figures() == [("opened", "7"), ("fulfilled", "3"), ("median time to claim", "5 h"),
                              ("median time to fulfil", "3.5 days")]
    quiet = WeekNumbers(opened=2, fulfilled=0, median_to_claim=None, median_to_fulfil=None)
    assert quiet.figures() == [("opened", "2"), ("fulfilled", "0")]


@pytest.mark.parametrize("week", [WEEK, dataclasses.replace(WEEK, median_to_fulfil=None)])
def test_slack_teams_and_the_shell_show_the_same_week(core, week):
    digest = dataclasses.replace(core.schedule.digest(), week=week)
    slack = json.dumps([block.to_dict() for block in digest_blocks(digest)], ensure_ascii=False)
    teams = json.dumps(digest_card(digest), ensure_ascii=False)
    shell = shell_digest(digest, {})
    assert "Opened *7* · fulfilled *3* · median time to claim *5 h*" in slack
    assert "opened 7 · fulfilled 3 · median time to claim 5 h" in teams
    assert "The week in numbers: opened 7 · fulfilled 3 · median time to claim 5 h" in shell
    for shown in (slack, teams, shell):
        assert ("3.5 days" in shown) is (week.median_to_fulfil is not None)
