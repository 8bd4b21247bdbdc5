"""Socket Mode on Bolt's ``websocket_client`` adapter.

Why this adapter and not slack-sdk's built-in client (Bolt's default): measured against a fake
Socket Mode server (``testing/socket_mode.py``; the README gives the times), websocket-client notices a dropped TCP connection
at once and reconnects in about a second, where the built-in client's receive loop takes about a
minute (spinning a core meanwhile); both follow Slack's ``disconnect`` envelopes.

"Connected" is logged once Slack says ``hello`` on the socket, not when the connection is
merely asked for, and every reconnection after that is logged as one line too. A wrong or
revoked ``SLACK_APP_TOKEN`` stops start-up with one line (``StartupFailed``).
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.socket_mode.websocket_client import SocketModeClient

from bot.errors import StartupFailed

log = logging.getLogger("tandem")
sdk_log = logging.getLogger("tandem.socket_mode")

HELLO_WITHIN = 30.0  # seconds to wait for Slack's hello before giving up at start
PING_INTERVAL = 10.0  # seconds between pings on the socket (the SDK's default)
PING_TIMEOUT = 5.0  # seconds without a pong before the connection counts as gone


class _QuietStartFailure(logging.Filter):
    """slack-sdk logs a failed ``apps.connections.open`` itself; Tandem says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to retrieve WSS URL")


sdk_log.addFilter(_QuietStartFailure())


class _Client(SocketModeClient):
    """slack-sdk's websocket-client Socket Mode client, with websocket-client's ping timeout set.

    The SDK runs each session with ``ping_interval`` only. Without a ping timeout the session's
    read loop waits in ``select`` with no timeout, so a session closed from another thread (as
    the client does on a ``disconnect`` envelope) can leave it waiting on a closed socket forever
    and no new session ever starts; and a connection that silently stops answering is never
    noticed. With ``ping_timeout`` the loop wakes at least that often and a missing pong ends
    the session, which the client then replaces."""

    def _run_current_session(self):
        if self.current_session is None:
            return
        try:
            self.logger.info("Starting to receive messages from a new connection")
            self.current_session.run_forever(ping_interval=self.ping_interval, ping_timeout=PING_TIMEOUT)
            self.logger.info("Stopped receiving messages from a connection")
        except Exception as error:  # noqa: BLE001 - as the SDK does: log, close, let the monitor reconnect
            self.logger.exception(f"Failed to start or stop the current session: {error}")
            if self.current_session is not None:
                self.current_session.close()


class _Handler(SocketModeHandler):
    """Bolt's websocket-client Socket Mode adapter on ``_Client``."""

    def __init__(self, app: App, app_token: str, logger: logging.Logger):  # noqa: D107
        self.app = app
        self.app_token = app_token
        self.client = _Client(app_token=app_token, logger=logger, web_client=app.client, ping_interval=PING_INTERVAL)
        self.client.socket_mode_request_listeners.append(self.handle)


class SocketMode:
    def __init__(self, app: App, app_token: str, hello_within: float = HELLO_WITHIN):
        self.hello_within = hello_within
        self.hellos = 0
        self.connected = threading.Event()
        self.handler = _Handler(app, app_token, logger=sdk_log)
        client = self.handler.client
        client.message_listeners.append(self._on_message)
        # The client's monitor (it reconnects a session that has gone) would first run the moment
        # ``connect`` returns, before the new session has had its 0.5 s to start, and open a
        # second connection over the first. It is started once Slack has said hello instead.
        client.current_app_monitor_started = True

    def _on_message(self, client, message: dict, raw: str | None) -> None:
        if message.get("type") != "hello":
            return
        self.hellos += 1
        if self.hellos == 1:
            log.info("Tandem is connected to Slack in Socket Mode")
        else:
            log.info("Socket Mode reconnected (connection %d)", self.hellos)
        self.connected.set()

    def start(self) -> None:
        """Opens the connection and returns once Slack has said hello."""
        try:
            self.handler.connect()
        except SlackApiError as error:
            self.close()
            reason = error.response.get("error") or f"HTTP {error.response.status_code}"
            raise StartupFailed(f"Slack refused SLACK_APP_TOKEN ({reason}); create an app-level token with "
                                f"connections:write in the app's Basic Information page") from None
        except (SlackClientError, OSError) as error:
            self.close()
            raise StartupFailed(f"cannot reach Slack to open a Socket Mode connection ({error})") from None
        if not self.connected.wait(self.hello_within):
            self.close()
            raise StartupFailed(f"Slack did not say hello on the Socket Mode connection within "
                                f"{self.hello_within:.0f} s")
        self.handler.client.current_app_monitor.start()

    def close(self) -> None:
        """Closes the connection; requests being handled finish first."""
        self.handler.close()
