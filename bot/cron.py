"""The team's cron expressions (``TANDEM_DIGEST_CRON``, ``TANDEM_HEALTH_CRON``, …) read by
APScheduler's ``CronTrigger``: when the next one fires, and how often one fires in a window."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger


def cron_trigger(cron: str, tz: ZoneInfo) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=tz)


def next_fire(cron: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    """The first fire time at or after ``now``."""
    return cron_trigger(cron, tz).get_next_fire_time(None, now.astimezone(timezone.utc))


def fire_times(cron: str, tz: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """Every fire time in ``[start, end)``. Searched from UTC instants, so the hour that
    repeats when clocks go back is walked through once."""
    trigger, found = cron_trigger(cron, tz), []
    fire = trigger.get_next_fire_time(None, start.astimezone(timezone.utc))
    while fire is not None and fire < end:
        found.append(fire)
        fire = trigger.get_next_fire_time(fire, fire.astimezone(timezone.utc) + timedelta(seconds=1))
    return found
