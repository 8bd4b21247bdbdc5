"""The benchmark's data generator writes data the app can use (no timings here)."""

from datetime import datetime, timezone

from bench.generate import generate, generate_reminders
from bot.clock import FakeClock
from bot.config import Settings
from bot.core import build_core
from bot.requests import Status
from testing.notifier import RecordingNotifier, card_id

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)


def core_for(data):
    settings = Settings.from_env({"TANDEM_DB": data.path, "TANDEM_PROCUREMENT": ",".join(data.procurement),
                                  "TANDEM_ADMINS": ",".join(data.admins)})
    notifier = RecordingNotifier()  # stands in for Slack, whose cards the generator wrote
    return build_core(settings, notifier, clock=FakeClock(NOW), card_platforms={"slack": notifier})


def test_generated_requests_list_show_and_claim(tmp_path):
    data = generate(tmp_path / "bench.db", requests=300, now=NOW)
    assert (data.requests, data.contracts) == (300, 30)
    core = core_for(data)
    try:
        viewer, buyer = data.requesters[0], data.procurement[0]
        everything = core.requests.list(viewer, "all")
        assert everything.total == 300
        assert core.requests.list(viewer, "open").total == data.open_requests > 0
        for request_id in (1, 150, 300):
            details = core.requests.show(buyer, request_id)
            assert details.events[0].action == "created"
            assert [event.at for event in details.events] == sorted(event.at for event in details.events)
            assert details.request.status in Status
            commented = [event for event in details.events if event.action == "commented"]
            assert len(commented) == len(details.notes)
        assert core.contracts.upcoming(viewer, 365)
        # The newest requests are the morning queue: new, unclaimed, with a card to update.
        request_id, card_ts = data.claimable[-1]
        claimed = core.requests.claim(buyer, request_id)
        assert (claimed.status, claimed.owner, card_id(core, claimed.id, "slack")) == (Status.CLAIMED, buyer, card_ts)
        # Every open request can move on from where the generator left it.
        for request in core.requests.list(buyer, "open", limit=500).items:
            assert core.requests.allowed_statuses(request)
    finally:
        core.close()


def test_reminder_data_owes_one_notice_per_contract(tmp_path):
    data = generate_reminders(tmp_path / "reminders.db", people=25, now=NOW)
    core = core_for(data)
    try:
        deadlines = core.contracts.upcoming(data.requesters[0], 30)
        assert len(deadlines) == data.contracts
        assert {item.days_left for item in deadlines} == {20}
        assert {item.contract.it_owner for item in deadlines} == set(data.requesters)
    finally:
        core.close()
