"""The schedule's work: building the digest, the reminder sweep, and delivering reminder DMs.

Each measurement runs in a fresh subprocess so its peak memory (``VmHWM``) is its own:

``python -m bench.schedule digest --db FILE ...``  build the digest 3 times (the first from cold)
``python -m bench.schedule sweep --db FILE ...``   the first sweep (decides and records every
                                                 reminder due), then a second (nothing new)
``python -m bench.schedule deliver --db FILE --api-url URL ...``
                                                 one sweep that sends its DMs through Slack
                                                 (``build_slack``: the real notifier and client)

Each prints one JSON line. They need the schedule's API (``Core.schedule`` with ``digest``
and ``sweep``); ``available()`` says whether this checkout has it.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time


def available() -> str | None:
    """None when the digest and sweep can be measured, else why not."""
    try:
        from bot.core import Core
        from bot.schedule_service import ScheduleService
    except ImportError as error:
        return f"the schedule is not in this checkout ({error})"
    if "schedule" not in getattr(Core, "__dataclass_fields__", {}):
        return "Core has no schedule service"
    missing = [name for name in ("digest", "sweep") if not hasattr(ScheduleService, name)]
    return f"ScheduleService lacks {', '.join(missing)}" if missing else None


def _rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    ``VmHWM`` rather than ``ru_maxrss``: Linux carries the parent's peak into a child's
    ``ru_maxrss`` across fork and exec, so a child of a big process would report its size."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _CountingNotifier:
    """Accepts everything and counts reminder DMs; the digest and sweep are timed without chat."""

    def __init__(self):
        self.reminder_dms = 0
        self.reminders = 0

    def send_reminders(self, user, reminders):
        self.reminder_dms += 1
        self.reminders += len(reminders)

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _settings(args, **extra):
    from bot.config import Settings

    env = {"TANDEM_DB": args.db, "TANDEM_PROCUREMENT": args.procurement, "TANDEM_ADMINS": args.admins, **extra}
    return Settings.from_env(env)


def digest(args) -> dict:
    from bot.core import build_core

    core = build_core(_settings(args), _CountingNotifier())
    baseline = _rss_mb()
    times, built = [], None
    for _ in range(3):
        started = time.perf_counter()
        built = core.schedule.digest()
        times.append((time.perf_counter() - started) * 1000)
    core.close()
    return {"first_ms": times[0], "median_ms": statistics.median(times), "baseline_mb": baseline,
            "peak_mb": _rss_mb(), "summary": built.summary()}


def sweep(args) -> dict:
    from bot.core import build_core

    notifier = _CountingNotifier()
    core = build_core(_settings(args), notifier)
    baseline = _rss_mb()
    started = time.perf_counter()
    first = core.schedule.sweep()
    first_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    again = core.schedule.sweep()
    again_ms = (time.perf_counter() - started) * 1000
    core.close()
    return {"first_ms": first_ms, "again_ms": again_ms, "reminders": first.reminders, "people": len(first.sent),
            "again_reminders": again.reminders, "baseline_mb": baseline, "peak_mb": _rss_mb()}


def deliver(args) -> dict:
    from handlers.slack.app import build_slack

    from bench.serve import CHANNEL, SECRET, TOKEN

    settings = _settings(args, SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=args.api_url,
                         TANDEM_CHANNEL=CHANNEL)
    bot = build_slack(settings)
    started = time.perf_counter()
    result = bot.core.schedule.sweep()
    seconds = time.perf_counter() - started
    bot.close()
    return {"seconds": seconds, "people": len(result.sent), "reminders": result.reminders,
            "failed": len(result.failed), "peak_mb": _rss_mb()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.schedule")
    parser.add_argument("what", choices=("digest", "sweep", "deliver"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--procurement", default="")
    parser.add_argument("--admins", default="")
    parser.add_argument("--api-url")
    args = parser.parse_args(argv)
    why = available()
    if why:
        print(json.dumps({"skipped": why}))
        return 0
    result = {"digest": digest, "sweep": sweep, "deliver": deliver}[args.what](args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
