"""Microsoft Teams as a Tandem platform (``handlers.platforms.Platform``).

Teams serves ``/api/messages`` on ``TEAMS_PORT`` from its own asyncio loop; its notifier
reaches the people Tandem met in Teams. Alone or beside another platform, the setup
(``handlers.platforms``) builds the one core and runs the schedule once.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.core import Core
from bot.doctor import Probe
from handlers.teams import doctor
from handlers.teams.app import TeamsBot, build_teams
from handlers.teams.notifier import PLATFORM, TeamsNotifier
from handlers.teams.server import MESSAGES_PATH, TeamsServer

log = logging.getLogger("tandem")


class TeamsPlatform:
    name = PLATFORM
    groups = None  # Teams role entries are people (IDs or e-mail addresses), not groups
    find_by_email = None  # people are met in Teams (their address comes with them), not looked up

    def __init__(self, settings: Settings, clock: Clock | None = None, host: str = "0.0.0.0", **options):
        """``options`` go to ``build_teams`` (the tests' connections and hosts)."""
        self.settings = settings
        self.host = host
        self.options = options
        self.notifier = TeamsNotifier(settings, clock or SystemClock())
        self.bot: TeamsBot | None = None
        self._sending: tuple[asyncio.AbstractEventLoop, threading.Thread] | None = None

    @property
    def shared_channel(self) -> str:
        return f"the Teams channel {self.settings.teams_channel}" if self.settings.teams_channel else "Teams"

    def start_sending(self, core: Core) -> None:
        """The notifier's calls go through the bot's adapter on a loop of their own (no endpoint)."""
        self.attach(core)
        assert self.bot is not None
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="tandem-teams-send", daemon=True)
        thread.start()
        self._sending = (loop, thread)
        self.notifier.attach(self.bot.adapter, loop)

    def reaches(self, person: str) -> bool:
        return self.notifier.reaches(person)

    def probes(self) -> list[tuple[str, Probe]]:
        return doctor.probes(self.settings)

    @classmethod
    def doctor_probes(cls, settings: Settings) -> list[tuple[str, Probe]]:
        return doctor.probes(settings)

    def attach(self, core: Core) -> None:
        self.bot = build_teams(self.settings, core=core, notifier=self.notifier, **self.options)

    def serve(self, stopping: threading.Event) -> None:
        assert self.bot is not None, "attach the platform to a core first"
        server = TeamsServer(self.bot, host=self.host, port=self.settings.teams_port).start()
        mode = "anonymously, for local testing" if self.bot.anonymous else f"as app {self.settings.teams_app_id}"
        log.info("Tandem serves Teams at http://%s:%s%s (%s)", self.host, server.port, MESSAGES_PATH, mode)
        try:
            stopping.wait()
        finally:
            server.stop()

    def close(self) -> None:
        if self._sending is not None:
            loop, thread = self._sending
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
            self._sending = None
        if self.bot is not None:
            self.bot.close()
