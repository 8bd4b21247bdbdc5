"""Slack as a Tandem platform (``handlers.platforms.Platform``).

Slack serves in Socket Mode when ``SLACK_APP_TOKEN`` is set, otherwise over HTTP on
``PORT`` (``handlers.slack.runner``). Its notifier reaches Slack users; e-mail addresses
are looked up with ``users.lookupByEmail``; role entries may name Slack user groups.
"""

from __future__ import annotations

import threading

from bot.config import Settings
from handlers.slack.people import is_user_id
from bot.core import Core
from bot.doctor import Probe
from handlers.slack import doctor
from handlers.slack.ids import PLATFORM
from handlers.slack.app import SlackBot, bolt_app, slack_app, web_client
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import SlackLocales
from handlers.slack.people import email_resolver
from handlers.slack.roles import SlackGroups


class SlackPlatform:
    name = PLATFORM

    def __init__(self, settings: Settings):
        self.settings = settings
        self.client = web_client(settings)
        self.app = bolt_app(settings, self.client)  # first: it checks the bot token before anything is opened
        self.locales = SlackLocales(self.client, settings.locale)  # each person's way of writing amounts
        self.notifier = SlackNotifier(self.client, settings.channel, locale_of=self.locales)
        self._groups = SlackGroups(self.client)
        self.groups = self._groups.members
        self.find_by_email = email_resolver(self.client)
        self.bot: SlackBot | None = None

    def reaches(self, person: str) -> bool:
        return is_user_id(person)

    def probes(self) -> list[tuple[str, Probe]]:
        return doctor.probes(self.settings, self.client)

    @classmethod
    def doctor_probes(cls, settings: Settings) -> list[tuple[str, Probe]]:
        """The checks alone, without building the app (which refuses a bad token at once):
        `tandem doctor` must report a bad token as a ✗, not stop on it."""
        return doctor.probes(settings, web_client(settings))

    @property
    def shared_channel(self) -> str:
        return self.settings.channel

    def start_sending(self, core: Core) -> None:
        self.notifier.bind(core.store, core.clock)  # Web API calls need nothing running

    def attach(self, core: Core) -> None:
        self.notifier.bind(core.store, core.clock)
        self.bot = slack_app(self.settings, self.app, core, self.client, self.notifier, self._groups, self.locales)

    def serve(self, stopping: threading.Event) -> None:
        from handlers.slack.runner import serve_slack

        assert self.bot is not None, "attach the platform to a core first"
        serve_slack(self.bot, self.settings, stopping)

    def close(self) -> None:
        if self.bot is not None:
            self.bot.close()
