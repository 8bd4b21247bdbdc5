"""HTTP mode: Bolt's WSGI adapter behind waitress, a production WSGI server.

``/slack/events`` takes Slack's signed requests; ``/healthz`` says whether the database is
reachable; ``/calendar/<secret>.ics`` is the calendar subscription (``handlers.slack.feed``). Teams runs its own endpoint on ``TEAMS_PORT``, so nothing else shares this one.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time

from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore
from waitress.channel import HTTPChannel
from slack_bolt.request.internals import parse_body
from waitress.server import create_server

from bot.core import Core
from bot.liveness import LivenessProbe
from handlers.slack.feed import CalendarFeedApp

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


# Slack's requests are small (a form of 100 blocks is a few hundred kB); anything larger is refused unread.
MAX_BODY = 1024 * 1024


class TandemWSGI:
    def __init__(self, bolt_handler: SlackRequestHandler, core: Core):
        self.bolt = bolt_handler
        self.core = core
        self.feed = CalendarFeedApp(core)
        self.liveness = LivenessProbe(core.store, core.clock)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return self.health(start_response)
        if self.feed.handles(environ):  # the calendar subscription (handlers.slack.feed)
            return self.feed(environ, start_response)
        if not environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "0").isdecimal():  # Slack sends epoch seconds
            log.info("refused a request whose timestamp is not a number")
            return self.reply(start_response, "401 Unauthorized", {"ok": False, "error": "invalid_timestamp"})
        length = environ.get("CONTENT_LENGTH") or "0"
        if not length.isdecimal() or int(length) > MAX_BODY:
            log.info("refused a request of %s bytes", length[:20])
            return self.reply(start_response, "413 Content Too Large", {"ok": False, "error": "too_large"})
        raw = environ["wsgi.input"].read(int(length)) if int(length) else b""
        if not parses(raw, environ.get("CONTENT_TYPE") or ""):
            # Checked before Bolt sees it: Bolt parses the body before it checks the signature,
            # so a body that cannot be parsed (garbage, JSON nested too deep) is refused here.
            log.info("refused a request whose body could not be parsed (%d bytes)", len(raw))
            return self.reply(start_response, "400 Bad Request", {"ok": False, "error": "invalid_body"})
        environ["wsgi.input"] = io.BytesIO(raw)
        return self.bolt(environ, start_response)

    def health(self, start_response):
        """``200`` with the database state, the schedule lease holder and the last digest;
        ``503`` with the reasons when the database cannot be written or nobody runs the schedule."""
        liveness = self.liveness.check()
        schedule = liveness.schedule
        body: dict = {"ok": liveness.ok, "database": "ok" if liveness.ok else "; ".join(liveness.problems)}
        if not liveness.ok:
            body["problems"] = liveness.problems
        if schedule is not None:
            body.update({
                "scheduler_lease_holder": schedule.lease_holder,
                "last_digest_slot": schedule.last_digest_slot,
                "last_digest_sent_at": schedule.last_digest_at.isoformat() if schedule.last_digest_at else None,
            })
        return self.reply(start_response, "200 OK" if liveness.ok else "503 Service Unavailable", body)

    @staticmethod
    def reply(start_response, status: str, body: dict):
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


DRAIN_SECONDS = 10.0  # how long a stopping server waits for in-flight requests


def parses(raw: bytes, content_type: str) -> bool:
    """Whether a body is what Slack sends: UTF-8 form data or JSON that makes an object."""
    try:
        parsed = parse_body(raw.decode("utf-8"), content_type.split(";")[0].strip().lower() or None)
    except (ValueError, RecursionError, MemoryError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return False
    return isinstance(parsed, dict)


def make_server(app, core: Core, host: str = "0.0.0.0", port: int = 3000, threads: int = 8, **options):
    """A waitress server for Tandem; ``port=0`` picks a free port (see ``effective_port``).
    ``options`` are waitress adjustments."""
    wsgi = TandemWSGI(SlackRequestHandler(app, path=EVENTS_PATH), core)
    options.setdefault("max_request_body_size", MAX_BODY)
    server = create_server(wsgi, host=host, port=port, threads=threads, ident="tandem", **options)
    server.tandem = wsgi
    return server


def serve(server) -> None:
    """Runs ``server`` until ``stop``; then stops accepting connections, lets the requests in
    flight finish and their answers go out, and closes.

    waitress's own ``run`` loops until its sockets are closed under it, which a signal handler
    can only do while the loop is polling them (a ``Bad file descriptor`` traceback) and which
    drops answers not yet written. This runs the same loop one poll at a time and shuts down
    between polls, in this thread, in order."""
    adj = server.adj
    stopping = _stopping(server)
    while not stopping.is_set():
        wasyncore.loop(timeout=adj.asyncore_loop_timeout, map=server._map, use_poll=adj.asyncore_use_poll, count=1)
    wasyncore.dispatcher.close(server)  # the listening socket only; its trigger still wakes the loop
    deadline = time.monotonic() + DRAIN_SECONDS
    while _in_flight(server) and time.monotonic() < deadline:
        wasyncore.loop(timeout=0.05, map=server._map, use_poll=adj.asyncore_use_poll, count=1)
    server.task_dispatcher.shutdown()
    wasyncore.close_all(server._map)
    wsgi = getattr(server, "tandem", None)
    if wsgi is not None:
        wsgi.liveness.close()


def _in_flight(server) -> bool:
    """Whether a connection still has a request being handled or an answer not yet sent."""
    return any(isinstance(channel, HTTPChannel) and (channel.requests or channel.total_outbufs_len)
               for channel in list(server._map.values()))


def stop(server) -> None:
    """Asks ``serve`` to stop (safe from a signal handler or another thread)."""
    _stopping(server).set()


_created = threading.Lock()


def _stopping(server) -> threading.Event:
    """The flag ``stop`` sets on any waitress server ``serve`` runs."""
    with _created:
        if not hasattr(server, "tandem_stopping"):
            server.tandem_stopping = threading.Event()
        return server.tandem_stopping
