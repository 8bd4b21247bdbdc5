"""The digest: deadlines, who waits on whom, the week in numbers, costs and confidentiality."""

from datetime import date, timedelta

from bot import commands, dispatch
from bot.config import Settings
from bot.core import build_core
from bot.digest import duration
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from tests.contract_samples import contract_form
from testing.notifier import RecordingNotifier

TODAY = date(2026, 11, 16)


def deadline_in(days: int, vendor: str, **overrides) -> dict:
    return contract_form(vendor=vendor, end_date=(TODAY + timedelta(days=days)).isoformat(), notice_days="0",
                         start_date="2025-01-01", **overrides)


def test_notice_deadlines_in_the_coming_period_soonest_first(core):
    core.contracts.add(BUYER, deadline_in(60, "Miro", auto_renew="no", annual_cost="4000"))
    core.contracts.add(BUYER, deadline_in(3, "Zoom"))
    core.contracts.add(BUYER, deadline_in(91, "Beyond"))  # past the 90-day horizon (the largest threshold)
    core.contracts.add(BUYER, deadline_in(-2, "Passed"))
    core.contracts.add(BUYER, deadline_in(10, "Cancelled"))
    core.contracts.cancel(BUYER, 5)
    digest = core.schedule.digest()
    assert digest.horizon_days == 90
    assert [(d.contract.vendor, d.days_left, d.contract.auto_renew) for d in digest.deadlines] == [
        ("Zoom", 3, True), ("Miro", 60, False)]
    assert digest.costs_visible


def test_the_channel_digest_hides_costs_when_told_to_and_previews_follow_the_viewer(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER,
                                  "TANDEM_HIDE_COSTS": "true"})
    notifier = RecordingNotifier()
    core = build_core(settings, notifier, clock=clock)
    try:
        assert core.schedule.digest().costs_visible is False
        assert core.schedule.preview_digest(BUYER).costs_visible is True
        assert core.schedule.preview_digest(IT).costs_visible is False
        assert [call[1] for call in notifier.calls if call[0] == "send_digest_preview"] == [BUYER, IT]
    finally:
        core.close()


def test_who_waits_on_whom(core, clock):
    core.requests.create(IT, need(title="Old", needed_by=""))  # #1 unclaimed since Monday
    clock.advance(days=1)
    core.requests.create(IT, need(title="Newer", needed_by=(TODAY + timedelta(days=4)).isoformat()))  # #2
    core.requests.create(IT, need(title="Quiet", needed_by=""))  # #3, claimed then quiet
    core.requests.claim(BUYER, 3)
    core.requests.create(IT, need(title="Overdue", needed_by=(TODAY + timedelta(days=2)).isoformat()))  # #4
    core.requests.claim(BUYER, 4)
    core.requests.create(IT2, need(title="Talked about", needed_by=""))  # #5, claimed, with a recent comment
    core.requests.claim(BUYER, 5)
    clock.advance(days=3)
    core.requests.note(IT2, 5, "Still needed", source="thread")
    clock.advance(days=2)  # Sunday 22 Nov
    digest = core.schedule.digest()
    assert [(w.request.title, w.days) for w in digest.unclaimed] == [("Old", 6), ("Newer", 5)]
    assert [(w.request.title, w.days) for w in digest.stale] == [("Quiet", 5), ("Overdue", 5)]
    assert [(w.request.title, w.days) for w in digest.needed_soon] == [("Overdue", -4), ("Newer", -2)]


def test_the_week_in_numbers(core, clock):
    for title in ("A", "B", "C"):
        core.requests.create(IT, need(title=title, needed_by=""))
    clock.advance(hours=2)
    core.requests.claim(BUYER, 1)
    clock.advance(hours=2)
    core.requests.claim(BUYER, 2)
    for status in ("sourcing", "approved", "ordered", "fulfilled"):
        core.requests.change_status(BUYER, 1, status)
    clock.advance(days=2)
    for status in ("sourcing", "approved", "ordered", "fulfilled"):
        core.requests.change_status(BUYER, 2, status)
    week = core.schedule.digest().week
    assert (week.opened, week.fulfilled) == (3, 2)
    assert week.median_to_claim == timedelta(hours=3)
    assert week.median_to_fulfil == timedelta(days=1, hours=4)
    clock.advance(days=8)
    later = core.schedule.digest().week
    assert (later.opened, later.fulfilled, later.median_to_claim) == (0, 0, None)
    assert [duration(timedelta(minutes=5)), duration(timedelta(hours=5)), duration(timedelta(days=3, hours=12))] == [
        "under an hour", "5 h", "3.5 days"]


def test_an_empty_week_says_so(core):
    digest = core.schedule.digest()
    assert digest.is_empty and digest.summary() == "Tandem digest: all quiet this week."


def test_confidential_requests_are_redacted_in_the_channel_digest_only(core, clock):
    core.requests.create(IT, need(title="Merger data room", sensitivity="restricted", needed_by=""))
    clock.advance(days=2)
    shared = core.schedule.digest().unclaimed[0].request
    assert shared.redacted and "Merger" not in shared.title
    assert core.schedule.preview_digest(IT).unclaimed[0].request.title == "Merger data room"
    assert core.schedule.preview_digest(BUYER).unclaimed[0].request.title == "Merger data room"
    assert core.schedule.preview_digest(IT2).unclaimed[0].request.redacted


def test_procure_digest_sends_the_preview_by_dm(core, notifier):
    reply = dispatch.run(core, ADMIN, commands.parse("digest"))
    assert reply == dispatch.Said("The digest preview is in your DMs.")
    [call] = [call for call in notifier.calls if call[0] == "send_digest_preview"]
    assert call[1] == ADMIN and call[2].is_empty
    notifier.unreachable = {IT}
    reply = dispatch.run(core, IT, commands.parse("digest"))
    assert "could not send you the digest preview" in reply.text
