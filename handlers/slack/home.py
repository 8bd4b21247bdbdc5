"""App Home: my open needs, my claims and, for procurement, the unclaimed queue."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import Core
from bot.events import RequestChanged
from bot.home import home_for
from bot.format import viewing
from handlers.slack import blocks, contract_blocks
from handlers.slack.people import SlackLocales
from handlers.slack.errors import Task, guarded

log = logging.getLogger(__name__)


class HomePublisher:
    """Publishes App Home views. Homes are refreshed for people who have opened theirs, on
    one background thread, so a click never waits for other people's Homes; a person with
    several changes queued is refreshed once."""

    def __init__(self, core: Core, client: WebClient, locales: SlackLocales):
        self.core = core
        self.client = client
        self.locales = locales  # each person's Home shows amounts their way
        self._viewers: set[str] = set()  # people who opened the Home tab since start
        self._pending: set[str] = set()
        self._draining = False
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tandem-home")

    def view(self, user: str):
        home = home_for(self.core, user)
        with viewing(self.locales(user)):
            contracts = contract_blocks.home_contracts(home.contracts, home.today)
            return blocks.home_view(home.sections, "Updated whenever your requests change.", extra=contracts)

    def opened(self, user: str) -> None:
        with self._lock:
            self._viewers.add(user)
        self.publish(user)

    def publish(self, user: str) -> None:
        try:
            self.client.views_publish(user_id=user, view=self.view(user))
        except SlackApiError as error:
            log.warning("views.publish for %s failed: %s", user, error.response.get("error"))

    def request_changed(self, event: RequestChanged) -> None:
        """Queues a refresh for everyone whose Home shows the request: its people and, for
        the unclaimed queue, every procurement member who looks at their Home."""
        with self._lock:
            viewers = set(self._viewers)
        if not viewers:
            return
        request = self.core.requests.get(event.request_id)
        people = {request.requester, request.owner, *event.also} - {None}
        targets = (people | {user for user in viewers if self.core.roles.is_procurement(user)}) & viewers
        if not targets:
            return
        with self._lock:
            self._pending |= targets
            if self._draining:
                return
            self._draining = True
        self._worker.submit(self._drain)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._draining = False
                    return
                user = self._pending.pop()
            try:
                self.publish(user)
            except Exception:  # a background refresh: log it and go on with the others
                log.exception("refreshing the App Home of %s failed", user)

    def close(self) -> None:
        self._worker.shutdown(wait=True)


def register(app: App, home: HomePublisher) -> None:
    @app.event("app_home_opened")
    @guarded
    def opened(event: dict, work: Task) -> None:
        if event.get("tab", "home") == "home":
            work.later(lambda: home.opened(event["user"]))
