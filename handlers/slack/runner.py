"""``tandem run`` with Slack: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP.

Either way the schedule (digests, reminders, the daily roll) runs alongside; with two
processes on one database, only the lease holder sends anything scheduled."""

from __future__ import annotations

import logging
import signal
import threading

from bot.config import Settings
from bot.permissions import GroupResolver
from bot.schedule import Schedule
from handlers.slack.app import SlackBot, build_slack, web_client
from handlers.slack.notifier import SlackNotifier
from handlers.slack.roles import SlackGroups
from handlers.slack.feed import side_server
from handlers.slack.server import EVENTS_PATH, TandemWSGI, make_server, serve, stop
from handlers.slack.socket_mode import SocketMode

log = logging.getLogger("tandem")


def run_slack(settings: Settings) -> int:
    bot = build_slack(settings)
    schedule = Schedule(bot.core)
    try:
        schedule.start()
        serve_slack(bot, settings)
    finally:
        schedule.stop()
        bot.close()
    return 0


def serve_slack(bot: SlackBot, settings: Settings) -> None:
    """Serves Slack (Socket Mode or HTTP) until SIGTERM or Ctrl-C; requests in flight finish.
    Raises ``StartupFailed`` (one line for the person starting it) when Slack refuses the app
    token or cannot be reached."""
    if settings.socket_mode:
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        socket = SocketMode(bot.app, settings.slack_app_token)
        socket.start()  # returns once Slack has said hello; logs "connected" then
        # Slack needs no endpoint in Socket Mode; calendar apps and health checks do.
        side = side_server(bot.core, TandemWSGI(None, bot.core).health, port=settings.port)
        side_thread = threading.Thread(target=serve, args=(side,), name="tandem-http", daemon=True)
        side_thread.start()
        log.info("Tandem serves the calendar feed and /healthz at http://0.0.0.0:%s", side.effective_port)
        try:
            while not stopping.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            stop(side)
            socket.close()
            side_thread.join(timeout=15)
    else:
        server = make_server(bot.app, bot.core, port=settings.port)
        signal.signal(signal.SIGTERM, lambda *_: stop(server))
        log.info("Tandem serves Slack at http://0.0.0.0:%s%s", server.effective_port, EVENTS_PATH)
        try:
            serve(server)
        except KeyboardInterrupt:
            stop(server)
            serve(server)  # finish what is in flight


def one_off_notifier(settings: Settings) -> tuple[SlackNotifier, GroupResolver]:
    """Slack for a single command line run (``tandem digest``, ``tandem remind``): the
    notifier, and the resolver of user groups that procurement may be given as."""
    client = web_client(settings)
    return SlackNotifier(client, settings.channel), SlackGroups(client).members
