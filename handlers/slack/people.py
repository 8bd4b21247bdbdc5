"""People: contract owners given as e-mail addresses become Slack users; each person's locale."""

from __future__ import annotations

import functools
import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BadInput
from bot.money import safe_locale

log = logging.getLogger(__name__)


def email_resolver(client: WebClient):
    """``users.lookupByEmail``, cached per process: an unknown address is ``None``; any
    other failure stops the import with a message saying why."""

    @functools.lru_cache(maxsize=4096)
    def resolve(email: str) -> str | None:
        try:
            return client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason == "users_not_found":
                return None
            log.warning("users.lookupByEmail failed: %s", reason)
            raise BadInput(f"Slack could not look up {email} ({reason}); nothing was imported.") from error

    return resolve


class SlackLocales:
    """A person's locale as Slack knows it (``users.info`` with ``include_locale``), cached
    per person for a day; ``default`` (TANDEM_LOCALE) when Slack does not say or fails."""

    TTL = 24 * 3600

    def __init__(self, client: WebClient, default: str, clock=time.monotonic):
        self.client = client
        self.default = default
        self.clock = clock
        self._known: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def cached(self, user: str) -> str | None:
        with self._lock:
            found = self._known.get(user)
        return found[0] if found and self.clock() - found[1] < self.TTL else None

    def __call__(self, user: str) -> str:
        found = self.cached(user)
        if found:
            return found
        try:
            answer = self.client.users_info(user=user, include_locale=True)
        except SlackApiError as error:
            log.warning("users.info failed for %s: %s; reading amounts as %s", user, error.response.get("error"),
                        self.default)
            return self.default
        locale = safe_locale((answer.get("user") or {}).get("locale"), self.default)
        with self._lock:
            self._known[user] = (locale, self.clock())
        return locale
