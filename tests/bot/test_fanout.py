"""FanOutNotifier: the shared channel on every platform, a person once, and what counts as
delivered for the exactly-once ledger. (Cards per platform: tests/bot/test_cards.py.)"""

from datetime import date, timedelta

import pytest

from bot.core import build_core
from bot.fanout import FanOutNotifier, Platform, preferring
from bot.notifier import NotifyError
from bot.schedule import Schedule
from storage import schedule as ledger
from tests.conftest import BUYER, IT
from tests.contract_samples import contract_form
from testing.notifier import RecordingNotifier


class Failing(RecordingNotifier):
    """Refuses the methods named in ``refuse``."""

    def __init__(self, *refuse: str):
        super().__init__()
        self.refuse = set(refuse)

    def __getattribute__(self, name):
        if name in object.__getattribute__(self, "refuse"):
            def refused(*args, **kwargs):
                raise NotifyError(f"{name} refused")
            return refused
        return object.__getattribute__(self, name)


def fan(first, second, reaches_second=lambda person: True) -> FanOutNotifier:
    return FanOutNotifier([Platform("slack", first), Platform("teams", second, reaches_second)])


def test_a_dm_goes_once_to_the_first_platform_that_reaches_the_person(core):
    slack, teams = RecordingNotifier(), RecordingNotifier()
    notifier = fan(slack, teams, reaches_second=lambda person: person == IT)
    notifier.send_dm(IT, "hello")
    assert slack.names() == ["send_dm"] and teams.names() == []
    with preferring(notifier, "teams"):
        notifier.send_dm(IT, "hello again")
    assert teams.names() == ["send_dm"], "asked from Teams: answered in Teams"
    with preferring(notifier, "teams"):
        notifier.send_dm(BUYER, "only Slack reaches Bo")
    assert slack.names() == ["send_dm", "send_dm"]


def test_a_dm_falls_back_to_the_next_platform_and_fails_only_when_none_delivers(core):
    slack, teams = Failing("send_reminders"), RecordingNotifier()
    fan(slack, teams).send_reminders(IT, [])
    assert teams.names() == ["send_reminders"]
    with pytest.raises(NotifyError, match="slack: send_reminders refused; teams: send_reminders refused"):
        fan(Failing("send_reminders"), Failing("send_reminders")).send_reminders(IT, [])
    with pytest.raises(NotifyError, match="no platform reaches"):
        FanOutNotifier([Platform("teams", RecordingNotifier(), lambda person: False)]).send_dm(IT, "x")


def test_the_digest_is_delivered_once_when_one_platform_refuses_it(settings, clock):
    """Delivered means at least one platform posted it: the ledger marks it delivered and it is
    not posted again (a retry would post it twice on the platform that took it)."""
    slack, teams = RecordingNotifier(), Failing("post_digest")
    core = build_core(settings, fan(slack, teams), clock=clock)
    try:
        core.contracts.add(BUYER, contract_form(end_date=(date(2026, 11, 16) + timedelta(days=20)).isoformat(),
                                                notice_days="0"))
        assert Schedule(core).tick().digest is True
        clock.advance(minutes=10)
        assert Schedule(core).tick().digest is None
        assert slack.names().count("post_digest") == 1
        assert all(entry.delivered for entry in ledger.entries(core.store.db) if entry.kind == "digest")
    finally:
        core.close()


def test_the_digest_is_retried_when_no_platform_took_it(settings, clock):
    core = build_core(settings, fan(Failing("post_digest"), Failing("post_digest")), clock=clock)
    try:
        assert Schedule(core).tick().digest is False
    finally:
        core.close()
