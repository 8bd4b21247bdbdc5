"""``tandem run`` with Slack: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP."""

from __future__ import annotations

import logging
import signal

from bot.config import Settings
from handlers.slack.app import build_slack
from handlers.slack.server import EVENTS_PATH, make_server, serve, stop

log = logging.getLogger("tandem")


def run_slack(settings: Settings) -> int:
    bot = build_slack(settings)
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(bot.app, settings.slack_app_token)
            log.info("Tandem is connected to Slack in Socket Mode")
            handler.start()
        else:
            server = make_server(bot.app, bot.core, port=settings.port)
            signal.signal(signal.SIGTERM, lambda *_: stop(server))
            log.info("Tandem serves Slack at http://0.0.0.0:%s%s", server.effective_port, EVENTS_PATH)
            try:
                serve(server)
            except KeyboardInterrupt:
                stop(server)
    finally:
        bot.close()
    return 0
