"""``tandem run`` with Teams: Teams alone, or Teams beside Slack in the same process.

Beside Slack, one core serves both: its notifier fans out to Slack and Teams
(``bot.fanout``), Slack runs as it does alone (Socket Mode, or HTTP on ``PORT``), Teams
serves ``/api/messages`` on ``TEAMS_PORT`` from its own loop, and the schedule runs once.
"""

from __future__ import annotations

import logging
import signal
import threading

from bot.clock import SystemClock
from bot.config import Settings
from bot.contracts import looks_like_user_id
from bot.fanout import FanOutNotifier, Platform
from bot.schedule import Schedule
from handlers.teams.app import TeamsBot, build_teams
from handlers.teams.notifier import PLATFORM, TeamsNotifier
from handlers.teams.server import MESSAGES_PATH, TeamsServer

log = logging.getLogger("tandem")


def fan_out(slack_notifier, teams_notifier: TeamsNotifier) -> FanOutNotifier:
    """Slack first (its card is the one the core stores), then Teams; a DM goes to Slack
    users on Slack and to people Tandem met in Teams on Teams."""
    return FanOutNotifier([
        Platform("slack", slack_notifier, looks_like_user_id),
        Platform(PLATFORM, teams_notifier, teams_notifier.reaches),
    ])


def start_teams(bot: TeamsBot, settings: Settings, host: str = "0.0.0.0") -> TeamsServer:
    server = TeamsServer(bot, host=host, port=settings.teams_port).start()
    mode = "anonymously, for local testing" if bot.anonymous else f"as app {settings.teams_app_id}"
    log.info("Tandem serves Teams at http://%s:%s%s (%s)", server.host, server.port, MESSAGES_PATH, mode)
    return server


def run_teams(settings: Settings) -> int:
    """Teams alone, until SIGTERM or Ctrl-C."""
    bot = build_teams(settings)
    schedule = Schedule(bot.core)
    server = start_teams(bot, settings)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        schedule.start()
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        schedule.stop()
        server.stop()
        bot.close()
    return 0


def run_slack_and_teams(settings: Settings) -> int:
    from handlers.slack.app import build_slack
    from handlers.slack.runner import serve_slack

    teams_notifier = TeamsNotifier(settings, SystemClock())
    slack = build_slack(settings, wrap_notifier=lambda notifier: fan_out(notifier, teams_notifier))
    teams = build_teams(settings, core=slack.core, notifier=teams_notifier)
    schedule = Schedule(slack.core)
    teams_server = start_teams(teams, settings)
    try:
        schedule.start()
        serve_slack(slack, settings)
    finally:
        schedule.stop()
        teams_server.stop()
        teams.close()
        slack.close()
    return 0
