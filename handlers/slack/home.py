"""App Home: my open needs, my claims and, for procurement, the unclaimed queue."""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import Core
from bot.requests import Request
from handlers.slack import blocks, contract_blocks
from handlers.slack.errors import guarded

log = logging.getLogger(__name__)


class HomePublisher:
    def __init__(self, core: Core, client: WebClient):
        self.core = core
        self.client = client
        self._viewers: set[str] = set()  # people who opened the Home tab since start
        self._lock = threading.Lock()

    def view(self, user: str):
        service = self.core.requests
        sections = [("Your open needs", service.requested_by(user)), ("Your claims", service.claimed_by(user))]
        if self.core.roles.is_procurement(user):
            sections.append(("Unclaimed queue", service.list(user, "unclaimed")))
        contracts = contract_blocks.home_contracts(self.core.contracts.owned_by(user), self.core.contracts.today())
        return blocks.home_view(sections, "Updated whenever your requests change.", extra=contracts)

    def publish(self, user: str) -> None:
        with self._lock:
            self._viewers.add(user)
        try:
            self.client.views_publish(user_id=user, view=self.view(user))
        except SlackApiError as error:
            log.warning("views.publish for %s failed: %s", user, error.response.get("error"))

    def request_changed(self, request: Request, people: set[str]) -> None:
        """Refreshes the Home of everyone whose lists show ``request``."""
        with self._lock:
            viewers = set(self._viewers)
        affected = set(people)
        # The unclaimed queue changes for every procurement member who has looked at it.
        affected |= {user for user in viewers if self.core.roles.is_procurement(user)}
        for user in sorted(affected):
            self.publish(user)


def register(app: App, home: HomePublisher) -> None:
    @app.event("app_home_opened")
    @guarded
    def opened(event: dict) -> None:
        if event.get("tab", "home") == "home":
            home.publish(event["user"])
