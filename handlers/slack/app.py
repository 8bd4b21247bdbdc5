"""Builds the Slack side of Tandem: the Web API client, the Bolt app and its listeners."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.clock import Clock
from bot.config import Settings
from bot.core import Core
from bot.errors import StartupFailed
from handlers.slack import (approvals, briefings, contracts, errors, health, home, imports, payloads, replays, requests,
                            schedule, shortcuts, threads, workflow)
from handlers.slack.home import HomePublisher
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import SlackLocales
from handlers.slack.roles import SlackGroups
from handlers.slack.work import Work

log = logging.getLogger(__name__)


@dataclass
class SlackBot:
    app: App
    core: Core
    client: WebClient
    notifier: SlackNotifier
    home: HomePublisher
    work: Work
    locales: SlackLocales
    owns_core: bool = False

    @property
    def executor(self) -> Work:
        """The work lanes (the name tests drain with ``executor.shutdown(wait=True)``)."""
        return self.work

    def close(self) -> None:
        """Lets accepted work finish (then closes the database, when the core is the bot's own)."""
        self.work.shutdown(wait=True)
        self.home.close()
        if self.owns_core:
            self.core.close()


def web_client(settings: Settings) -> WebClient:
    """A Web API client that waits out 429s (honouring Retry-After) and retries 5xx and
    connection errors a few times, with slack-sdk's own retry handlers."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )


class _ClientCarriesTheToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and then warns that, given a
    client, that token "will be unused"; the client carries that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


bolt_log = logging.getLogger("slack_bolt")
bolt_log.addFilter(_ClientCarriesTheToken())


# slack-sdk logs every failed attempt of a call at ERROR; at start-up Tandem says it once.
_quiet = logging.getLogger("tandem.slack_check")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


def bolt_app(settings: Settings, client: WebClient) -> App:
    """The Bolt app. Listeners run on the thread that answers Slack and only ack and schedule
    (``process_before_response=True``; see ``handlers.slack.work``). Bolt checks the bot token
    with ``auth.test`` here, the one call start-up makes (its answer is kept for every request):
    a refused token or an unreachable Slack is ``StartupFailed``. slack-sdk would log each failed
    attempt at ERROR; Tandem says it once."""
    logger, client._logger = client.logger, _quiet  # slack-sdk has no setter; restored below
    try:
        return App(
            client=client,
            signing_secret=settings.slack_signing_secret or "socket-mode",
            process_before_response=True,
            logger=bolt_log,
        )
    except BoltError as error:
        refused = error.__context__
        reason = refused.response.get("error") if isinstance(refused, SlackApiError) else str(error)
        raise StartupFailed(f"Slack refused SLACK_BOT_TOKEN ({reason}); copy the Bot User OAuth Token from the "
                            f"app's OAuth & Permissions page") from None
    except (SlackClientError, OSError) as error:
        raise StartupFailed(f"cannot reach Slack at {settings.slack_api_url} ({error})") from None
    finally:
        client._logger = logger


class WithoutBody(logging.Filter):
    """Bolt logs a request whose signature check failed at INFO with its whole body (a late
    but genuine request carries a confidential title; a forged one can be megabytes). The
    line keeps its timestamp and goes to DEBUG, without the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature detected (the body is not logged)", None
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


SIGNATURE_LOGGER = "slack_bolt.RequestVerification"


logging.getLogger(SIGNATURE_LOGGER).addFilter(WithoutBody())


def build_slack(settings: Settings, clock: Clock | None = None) -> SlackBot:
    """Slack alone, with a core of its own (closed with the bot): for tests and benchmarks;
    ``tandem run`` goes through ``handlers.platforms``."""
    from handlers.platforms import build
    from handlers.slack.platform import SlackPlatform

    platform = SlackPlatform(settings)
    build(settings, [platform], clock)
    assert platform.bot is not None
    return dataclasses.replace(platform.bot, owns_core=True)


def slack_app(settings: Settings, app: App, core: Core, client: WebClient, notifier: SlackNotifier,
              groups: SlackGroups, locales: SlackLocales) -> SlackBot:
    """The Bolt app's listeners on ``core``."""
    work = Work(commits=core.store.commits)
    payloads.register(app, work)  # first: what is not Slack's shape never reaches Bolt's listener arguments

    @app.middleware
    def with_work(context, next):  # noqa: A002 - Bolt's name for the next middleware
        context["work"] = work
        return next()

    replays.register(app, core.replays)
    publisher = HomePublisher(core, client, locales)
    core.events.subscribe(publisher.request_changed)
    errors.register(app)
    requests.register(app, core, notifier, locales)
    shortcuts.register(app, core, locales)
    workflow.register(app, core, notifier)
    contracts.register(app, core, notifier, locales)
    approvals.register(app, core)
    imports.register(app, core, notifier, locales, settings)  # before threads: a file in a DM is an import
    threads.register(app, core)
    schedule.register(app, core)
    briefings.register(app, core, notifier, locales)
    health.register(app, core)
    home.register(app, publisher)
    groups.register(app)
    payloads.register_fallbacks(app)  # last: what no listener above took
    return SlackBot(app, core, client, notifier, publisher, work, locales)
