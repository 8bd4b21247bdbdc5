"""Slack user groups behind TANDEM_PROCUREMENT / TANDEM_ADMINS, resolved and cached."""

from __future__ import annotations

import logging
import threading
import time

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from handlers.slack.errors import guarded

log = logging.getLogger(__name__)

CACHE_SECONDS = 300


class SlackGroups:
    """Members of user groups (``S…``) via ``usergroups.users.list``, cached for five
    minutes and dropped at once when Slack says a group's members changed."""

    def __init__(self, client: WebClient, ttl: float = CACHE_SECONDS, monotonic=time.monotonic):
        self.client = client
        self.ttl = ttl
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members(self, group: str) -> frozenset[str]:
        now = self.monotonic()
        with self._lock:
            cached = self._cache.get(group)
            if cached and now - cached[0] < self.ttl:
                return cached[1]
        try:
            users = frozenset(self.client.usergroups_users_list(usergroup=group)["users"])
        except SlackApiError as error:
            log.warning("usergroups.users.list %s failed: %s", group, error.response.get("error"))
            return cached[1] if cached else frozenset()  # keep the last known members
        with self._lock:
            self._cache[group] = (now, users)
        return users

    def forget(self, group: str) -> None:
        with self._lock:
            self._cache.pop(group, None)

    def register(self, app: App) -> None:
        @app.event("subteam_members_changed")
        @guarded
        def changed(event: dict) -> None:
            self.forget(event.get("subteam_id", ""))
