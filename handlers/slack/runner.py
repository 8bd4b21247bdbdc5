"""``tandem run`` with Slack: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP.

Either way the schedule (digests, reminders, the daily roll) runs alongside; with two
processes on one database, only the lease holder sends anything scheduled."""

from __future__ import annotations

import logging
import threading

from bot.config import Settings
from handlers.platforms import run
from handlers.slack.app import SlackBot
from handlers.slack.feed import side_server
from handlers.slack.platform import SlackPlatform
from handlers.slack.server import EVENTS_PATH, TandemWSGI, make_server, serve, stop
from handlers.slack.socket_mode import SocketMode

log = logging.getLogger("tandem")


def run_slack(settings: Settings) -> int:
    """``tandem run`` with Slack alone."""
    return run(settings, [SlackPlatform(settings)])


def serve_slack(bot: SlackBot, settings: Settings, stopping: threading.Event) -> None:
    """Serves Slack (Socket Mode or HTTP) until ``stopping`` is set; requests in flight finish.
    Raises ``StartupFailed`` (one line for the person starting it) when Slack refuses the app
    token or cannot be reached."""
    if settings.socket_mode:
        socket = SocketMode(bot.app, settings.slack_app_token)
        socket.start()  # returns once Slack has said hello; logs "connected" then
        # Slack needs no endpoint in Socket Mode; calendar apps and health checks do.
        side = side_server(bot.core, TandemWSGI(None, bot.core).health, port=settings.port)
        side_thread = threading.Thread(target=serve, args=(side,), name="tandem-http", daemon=True)
        side_thread.start()
        log.info("Tandem serves the calendar feed and /healthz at http://0.0.0.0:%s", side.effective_port)
        try:
            stopping.wait()
        finally:
            stop(side)
            socket.close()
            side_thread.join(timeout=15)
    else:
        server = make_server(bot.app, bot.core, port=settings.port)
        log.info("Tandem serves Slack at http://0.0.0.0:%s%s", server.effective_port, EVENTS_PATH)
        done = threading.Event()

        def run_server() -> None:
            try:
                serve(server)
            finally:
                done.set()
                stopping.set()  # the server ended by itself: Tandem stops

        thread = threading.Thread(target=run_server, name="tandem-slack-http")
        thread.start()
        stopping.wait()
        if not done.is_set():
            stop(server)  # stops taking requests; those in flight finish
        thread.join()
