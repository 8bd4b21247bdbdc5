"""Builds the Teams side of Tandem: the SDK's adapter and agent application, and its handlers.

With ``TEAMS_APP_ID``, ``TEAMS_APP_PASSWORD`` and ``TEAMS_TENANT_ID`` set, incoming requests
must carry a token from the Bot Framework for this app and come from that tenant
(``auth``), and outgoing calls authenticate as the app (MSAL, client secret) and go only
to Microsoft's connector hosts. With no credentials the bot runs anonymously, for a local
test only (the Microsoft 365 Agents Playground): on 127.0.0.1, with no other settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ConnectionManager,
    Connections,
    MemoryStorage,
    OutboundHostValidator,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.msteams import TeamsAgentExtension

from bot.clock import Clock
from bot.config import Settings
from bot.core import Core
from handlers.teams import actions, auth, files, health, home, installs, messages, reminders
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.people import Directory

log = logging.getLogger(__name__)

ANONYMOUS_WARNING = ("Teams runs WITHOUT authentication (TEAMS_APP_ID is not set): anyone who can reach "
                     "/api/messages can act as anyone. Use this only for local testing.")


@dataclass
class TeamsBot:
    core: Core
    notifier: TeamsNotifier
    directory: Directory
    agent: AgentApplication
    teams: TeamsAgentExtension
    adapter: CloudAdapter
    auth: AgentAuthConfiguration
    owns_core: bool = True

    @property
    def anonymous(self) -> bool:
        return self.notifier.anonymous

    def close(self) -> None:
        if self.owns_core:
            self.core.close()


def connections(settings: Settings, auth: AgentAuthConfiguration) -> ConnectionManager:
    """The app's credentials for calls to Teams (anonymous without TEAMS_APP_ID)."""
    if not settings.teams_app_id:
        return ConnectionManager(lambda configuration: AnonymousTokenProvider(),
                                 connections_configurations={"SERVICE_CONNECTION": auth})
    from microsoft_agents.authentication.msal import MsalConnectionManager

    return MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth})


def build_teams(settings: Settings, clock: Clock | None = None, core: Core | None = None,
                notifier: TeamsNotifier | None = None, *, manager: Connections | None = None,
                hosts: OutboundHostValidator | None = None,
                file_hosts: OutboundHostValidator | None = None) -> TeamsBot:
    """Teams on ``core`` (built by ``handlers.platforms.build`` with a notifier that includes
    ``notifier``), or alone with a core of its own when ``core`` is None. ``manager`` gives the app's tokens
    for calls to Teams and ``hosts`` says where those calls may go (by default: MSAL with
    the app's secret, Microsoft's connector hosts); ``file_hosts`` where a file a person
    accepted may be uploaded (by default Microsoft's SharePoint / OneDrive hosts)."""
    auth.check_anonymous(settings)
    if core is None:  # Teams alone: the setup builds the core, then attaches this platform to it
        from handlers.platforms import build
        from handlers.teams.platform import TeamsPlatform

        platform = TeamsPlatform(settings, clock, manager=manager, hosts=hosts, file_hosts=file_hosts)
        build(settings, [platform], clock)
        assert platform.bot is not None
        platform.bot.owns_core = True
        return platform.bot
    notifier = notifier or TeamsNotifier(settings, core.clock)
    hosts = hosts or auth.connector_hosts(settings)
    notifier.bind(core.store, core.people, hosts, file_hosts or auth.file_hosts(settings))
    # Another platform's directory (Slack's, when the core is shared) links people by e-mail address.
    directory = Directory(core, lookup=core.contracts.resolve_email, anonymous=not settings.teams_app_id)
    if not settings.teams_app_id:
        log.warning(ANONYMOUS_WARNING)
    configuration = auth.configuration(settings)
    manager = manager or connections(settings, configuration)
    adapter = CloudAdapter(connection_manager=manager, host_validator=hosts)
    adapter.on_turn_error = None  # errors are answered by the handlers; proactive failures reach the caller
    agent = AgentApplication[TurnState](
        storage=MemoryStorage(), connection_manager=manager, start_typing_timer=False,
        remove_recipient_mention=False,  # mentions are read from entities (mentions.py)
    )
    teams = TeamsAgentExtension(agent)
    bot = TeamsBot(core, notifier, directory, agent, teams, adapter, configuration, owns_core=False)

    @agent.before_turn
    async def remember(context: TurnContext, state: TurnState) -> bool:
        await directory.remember(context)
        return True

    @agent.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        log.error("unhandled error in a Teams turn: %r", error, exc_info=error)

    messages.register(bot)
    home.register(bot)
    health.register(bot)
    reminders.register(bot)
    files.register(bot)
    actions.register(bot)
    installs.register(bot)
    return bot
