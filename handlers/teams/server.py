"""The Teams endpoint: ``POST /api/messages`` on aiohttp, with ``GET /healthz``, the charts
channel cards show (``GET /images/<token>.png``) and the calendar feed (``GET /calendar/<secret>.ics``).

The server runs its own asyncio loop in a thread, so it can serve beside Slack (whose
servers are threaded) and the schedule; the core is called from that loop only through
``asyncio.to_thread``, and the Teams notifier hands its sends to the same loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import threading

from aiohttp import web
from microsoft_agents.hosting.aiohttp import start_agent_process

from bot.calendar_feed import secret_in
from handlers.teams import auth
from storage import teams as repo
from handlers.teams.app import TeamsBot

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def web_app(bot: TeamsBot) -> web.Application:
    """The aiohttp application: Bot Framework tokens and the tenant are checked on
    ``/api/messages`` (``auth``; without credentials, anonymous requests are let in)."""

    async def messages(request: web.Request) -> web.Response:
        identity = await auth.identify(request, bot.auth)
        if isinstance(identity, web.Response):
            return identity
        try:
            body = await request.json()
        except (ValueError, RecursionError, UnicodeDecodeError):
            return web.json_response({"error": "not JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"error": "not a valid activity"}, status=400)
        refused = auth.check_tenant(body, bot.core.settings)
        if refused is not None:
            return refused
        request["claims_identity"] = identity
        try:
            response = await start_agent_process(request, bot.agent, bot.adapter)
        except ValueError as error:  # not an activity (pydantic says why)
            log.info("refused a request that is not a valid activity: %s", str(error).splitlines()[0])
            return web.json_response({"error": "not a valid activity"}, status=400)
        return response if response is not None else web.Response(status=202)

    async def health(request: web.Request) -> web.Response:
        try:
            channel = await asyncio.to_thread(channel_state, bot)
        except sqlite3.Error as error:
            return web.json_response({"ok": False, "database": str(error)}, status=503)
        # A removed app is not fixed by a restart: the process stays healthy, the channel is named unreachable.
        return web.json_response({"ok": True, "database": "ok", "teams_channel": channel})

    async def image(request: web.Request) -> web.Response:
        """A chart a channel card shows (``files.image_path``); Teams clients fetch it without a token."""
        token = request.match_info["token"]
        content = await asyncio.to_thread(repo.image, bot.core.store.db, token) if TOKEN.fullmatch(token) else None
        if content is None:
            return web.Response(status=404, text="No such image.\n")
        return web.Response(body=content, content_type="image/png",
                            headers={"Cache-Control": "private, max-age=86400"})

    async def calendar(request: web.Request) -> web.Response:
        """The contract calendar's subscription feed (as on the Slack side's port), so a
        Teams-only install serves the link ``calendar`` gives in a channel."""
        secret = secret_in(request.path)
        content = await asyncio.to_thread(bot.core.feed.ics, secret) if secret else None
        if content is None:
            log.info("refused a calendar feed request with an unknown link")
            return web.Response(status=404, text="No such calendar. Ask Tandem for the current link: calendar link\n")
        return web.Response(body=content, content_type="text/calendar", charset="utf-8", headers={
            "Content-Disposition": 'inline; filename="tandem-contracts.ics"', "Cache-Control": "private, max-age=900"})

    app = web.Application()
    app.router.add_post(MESSAGES_PATH, messages)
    app.router.add_get("/healthz", health)
    app.router.add_get("/images/{token}.png", image)
    app.router.add_get("/calendar/{name}", calendar)
    return app


def channel_state(bot: TeamsBot) -> str:
    """``ok``, or why the Teams channel cannot be reached (Tandem was removed from its team)."""
    channel = bot.core.settings.teams_channel
    bot.core.store.ping()
    if channel and repo.removed(bot.core.store.db, channel):
        return "unreachable: Tandem was removed from the team of TEAMS_CHANNEL; add the app to the team again"
    return "ok" if channel else "not configured (TEAMS_CHANNEL)"


class TeamsServer:
    """Serves ``bot`` on ``host:port`` from a background thread (``port=0``: a free port).
    Anonymous Teams listens on 127.0.0.1 only, whatever ``host`` says."""

    def __init__(self, bot: TeamsBot, host: str = "0.0.0.0", port: int = 3978):
        self.bot = bot
        self.host = auth.ANONYMOUS_HOST if bot.anonymous else host
        self.requested_port = port
        self.port: int | None = None
        self.loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._run, name="tandem-teams", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> "TeamsServer":
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as error:  # noqa: BLE001 - reported to the caller of start()
            self._error = error
            self._ready.set()
            return
        self.bot.notifier.attach(self.bot.adapter, self.loop)
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self._runner.cleanup())
        self.loop.close()

    async def _start(self) -> None:
        self._runner = web.AppRunner(web_app(self.bot), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.requested_port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{MESSAGES_PATH}"

    def stop(self) -> None:
        """Stops serving; requests in progress finish first."""
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
