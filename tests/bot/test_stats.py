"""Insights computed from known data: the numbers and the chart."""

import struct
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.chart import flow_chart
from bot.stats import Spread
from tests.conftest import BUYER, IT, need

UTC = timezone.utc


def test_spread_median_and_p90():
    assert Spread.of([]) == Spread(0, None, None)
    assert Spread.of([2.0]) == Spread(1, 2.0, 2.0)
    spread = Spread.of([float(n) for n in range(1, 11)])
    assert spread.median == 5.5 and spread.p90 == pytest.approx(9.1)


def test_flow_and_whose_court_from_a_known_history(core, clock):
    # Mon 2026-11-02 09:00: opened; claimed a day later; IT asked for 2 days; fulfilled on day 6.
    clock.set(datetime(2026, 11, 2, 9, tzinfo=UTC))
    core.requests.create(IT, need(needed_by=""))
    clock.advance(days=1)
    core.requests.claim(BUYER, 1)
    core.requests.change_status(BUYER, 1, "sourcing")
    core.requests.change_status(BUYER, 1, "awaiting_it")
    clock.advance(days=2)
    core.requests.note(IT, 1, "here is the cost centre", source="thread", external_id="t:1")  # back to sourcing
    clock.advance(days=1)
    core.requests.change_status(BUYER, 1, "on_hold")
    clock.advance(days=1)
    core.requests.change_status(BUYER, 1, "sourcing")
    for status in ("approved", "ordered"):
        core.requests.change_status(BUYER, 1, status)
    clock.advance(days=1)
    core.requests.change_status(BUYER, 1, "fulfilled")
    # a second request opened the next week, never claimed
    clock.set(datetime(2026, 11, 10, 9, tzinfo=UTC))
    core.requests.create(IT, need(needed_by="", category="hardware"))
    clock.set(datetime(2026, 11, 12, 9, tzinfo=UTC))

    stats = core.stats.stats(IT, weeks=3)
    assert [(str(w.start), w.opened, w.fulfilled) for w in stats.weeks] == [
        ("2026-10-26", 0, 0), ("2026-11-02", 1, 1), ("2026-11-09", 1, 0)]
    assert stats.to_claim == Spread(1, 1.0, 1.0)
    assert stats.to_fulfil == Spread(1, 6.0, 6.0)
    assert stats.it_days == pytest.approx(2.0)
    # request 1: 1 day new + 1 day sourcing + 1 day after hold = 3; request 2: 2 days new
    assert stats.procurement_days == pytest.approx(5.0)
    assert stats.paused_days == pytest.approx(1.0)
    assert set(stats.by_category) == {"saas"}


def test_weeks_follow_the_team_time_zone():
    from bot.stats import window
    start, mondays = window(datetime(2026, 11, 1, 23, 30, tzinfo=UTC), ZoneInfo("Europe/Berlin"), 1)
    assert str(mondays[0]) == "2026-11-02" and start == datetime(2026, 11, 1, 23, tzinfo=UTC)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_png_of_the_expected_size(core, clock):
    core.requests.create(IT, need())
    stats = core.stats.stats(IT, weeks=8)
    image = flow_chart(stats)
    assert png_size(image) == (800, 400)
    assert len(image) > 5_000
