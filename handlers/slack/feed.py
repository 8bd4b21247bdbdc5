"""``GET /calendar/<secret>.ics``: the contract calendar for calendar apps to subscribe to.

In HTTP mode the Slack server answers it beside ``/slack/events``; in Socket Mode, where
Slack needs no public endpoint, a small listener on ``PORT`` serves only this and
``/healthz`` (``side_server``)."""

from __future__ import annotations

import hashlib
import logging

from waitress.server import create_server

from bot.calendar_feed import secret_in
from bot.core import Core

log = logging.getLogger(__name__)


class CalendarFeedApp:
    """The feed as a WSGI piece: ``handles`` says whether a request is for it."""

    def __init__(self, core: Core):
        self.core = core

    @staticmethod
    def handles(environ) -> bool:
        return environ.get("PATH_INFO", "").startswith("/calendar/")

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", b"Use GET.\n", [("Allow", "GET, HEAD")])
        secret = secret_in(environ.get("PATH_INFO", ""))
        content = self.core.feed.ics(secret) if secret else None
        if content is None:
            log.info("refused a calendar feed request with an unknown link")
            return _plain(start_response, "404 Not Found", b"No such calendar. Ask Tandem for the current link: "
                                                           b"/procure calendar link\n")
        etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [("ETag", etag)])
            return []
        start_response("200 OK", [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Disposition", 'inline; filename="tandem-contracts.ics"'),
            ("Content-Length", str(len(content))),
            ("Cache-Control", "private, max-age=900"),
            ("ETag", etag),
        ])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [content]


class SideApp:
    """Socket Mode's HTTP listener: the calendar feed and ``/healthz``, nothing else."""

    def __init__(self, core: Core, health):
        self.feed = CalendarFeedApp(core)
        self.health = health

    def __call__(self, environ, start_response):
        if self.feed.handles(environ):
            return self.feed(environ, start_response)
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return self.health(start_response)
        return _plain(start_response, "404 Not Found", b"Not found.\n")


def side_server(core: Core, health, host: str = "0.0.0.0", port: int = 3000, **options):
    """A waitress server for ``SideApp``; ``port=0`` picks a free port."""
    return create_server(SideApp(core, health), host=host, port=port, threads=2, ident="tandem", **options)


def _plain(start_response, status: str, body: bytes, headers: list | None = None):
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            *(headers or [])])
    return [body]
