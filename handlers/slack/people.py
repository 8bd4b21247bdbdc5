"""People: contract owners given as e-mail addresses become Slack users; each person's locale."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import markup
from bot.errors import BadInput
from bot.money import safe_locale

log = logging.getLogger(__name__)

# A Slack user ID (U… or W… for an Enterprise Grid user) and Slack's mention of one in a command
# (``<@U0123ABCD>``, or ``<@U0123ABCD|name>`` from clients that still send the name).
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")


def is_user_id(text: str) -> bool:
    return bool(_USER_ID.match(text))


def command_text(text: str) -> str:
    """A slash command's text with Slack's mentions as the core's (``markup.mention``)."""
    return _MENTION.sub(lambda found: markup.mention(found[1]), text)


def email_resolver(client: WebClient, clock=time.monotonic) -> "EmailDirectory":
    """Finds the Slack user with an e-mail address (contract owners); see ``EmailDirectory``."""
    return EmailDirectory(client, clock)


class EmailDirectory:
    """E-mail address → Slack user ID, kept for ``TTL`` (found or not).

    A few addresses are looked up one by one with ``users.lookupByEmail`` (Tier 3: about 50 a
    minute). Past ``LOOKUPS_PER_MINUTE`` lookups in a minute (an import naming hundreds of
    owners), the whole directory is read instead with ``users.list`` (Tier 2, 200 people a page,
    paged by slack-sdk), so a 2,000-row import with 300 owners costs a few pages and no 429.
    An unknown address is ``None``; any other failure stops the import saying why."""

    TTL = 3600.0
    LOOKUPS_PER_MINUTE = 40

    def __init__(self, client: WebClient, clock=time.monotonic):
        self.client = client
        self.clock = clock
        self._known: dict[str, tuple[str | None, float]] = {}
        self._lookups: deque[float] = deque()
        self._listed_at: float | None = None
        self._lock = threading.Lock()

    def __call__(self, email: str) -> str | None:
        email = email.lower()
        now = self.clock()
        with self._lock:
            found = self._known.get(email)
            if found and now - found[1] < self.TTL:
                return found[0]
            while self._lookups and now - self._lookups[0] > 60:
                self._lookups.popleft()
            busy = len(self._lookups) >= self.LOOKUPS_PER_MINUTE
            if not busy:
                self._lookups.append(now)
        if busy:
            return self._from_directory(email, now)
        user = self._lookup(email)
        with self._lock:
            self._known[email] = (user, now)
        return user

    def _lookup(self, email: str) -> str | None:
        try:
            return self.client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason == "users_not_found":
                return None
            log.warning("users.lookupByEmail failed: %s", reason)
            raise BadInput(f"Slack could not look up {email} ({reason}); nothing was imported.") from error

    def _from_directory(self, email: str, now: float) -> str | None:
        with self._lock:
            fresh = self._listed_at is not None and now - self._listed_at < self.TTL
        if not fresh:
            self._read_directory(now)
        with self._lock:
            found = self._known.get(email)
            if found is None or now - found[1] >= self.TTL:
                self._known[email] = (None, now)  # not in the directory read just now
                return None
            return found[0]

    def _read_directory(self, now: float) -> None:
        known: dict[str, str] = {}
        try:
            for page in self.client.users_list(limit=200):
                for member in page.get("members") or []:
                    address = ((member.get("profile") or {}).get("email") or "").lower()
                    if address and not member.get("deleted"):
                        known[address] = member["id"]
        except SlackApiError as error:
            reason = error.response.get("error")
            log.warning("users.list failed: %s", reason)
            raise BadInput(f"Slack could not list its people ({reason}); nothing was imported.") from error
        log.info("read Slack's directory: %d people with an e-mail address", len(known))
        with self._lock:
            self._listed_at = now
            for address, user in known.items():
                self._known[address] = (user, now)


class SlackLocales:
    """A person's locale as Slack knows it (``users.info`` with ``include_locale``), cached
    per person for a day; ``default`` (TANDEM_LOCALE) when Slack does not say or fails."""

    TTL = 24 * 3600
    FAILED_TTL = 10 * 60  # a refused lookup is not asked again on every command for a while

    def __init__(self, client: WebClient, default: str, clock=time.monotonic):
        self.client = client
        self.default = default
        self.clock = clock
        self._known: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def cached(self, user: str) -> str | None:
        with self._lock:
            found = self._known.get(user)
        return found[0] if found and self.clock() < found[1] else None

    def known(self, user: str) -> str:
        """The person's locale if Tandem has looked it up, else ``default``; never asks Slack, so
        it is what a form is read with before its ack. Opening a form looks the person up (on
        the work lane), so by the time they submit it their locale is known."""
        return self.cached(user) or self.default

    def __call__(self, user: str) -> str:
        found = self.cached(user)
        if found:
            return found
        try:
            answer = self.client.users_info(user=user, include_locale=True)
        except SlackApiError as error:
            log.warning("users.info failed for %s: %s; reading amounts as %s", user, error.response.get("error"),
                        self.default)
            return self._keep(user, self.default, self.FAILED_TTL)
        return self._keep(user, safe_locale((answer.get("user") or {}).get("locale"), self.default), self.TTL)

    def _keep(self, user: str, locale: str, ttl: float) -> str:
        with self._lock:
            self._known[user] = (locale, self.clock() + ttl)  # (locale, valid until)
        return locale


def workspace_person(client: WebClient, user: str, team: str | None, role: str) -> None:
    """Refuses (``BadInput`` naming ``role``, the step's input) a user ID that is not a real
    person of this workspace: unknown to Slack, deactivated, a bot or app, or a member of
    another workspace (a Slack Connect guest). Asked with ``users.info`` each time: a
    workflow run is rare, and a person deactivated a minute ago must not file a need."""
    try:
        person = client.users_info(user=user)["user"] or {}
    except SlackApiError as error:
        reason = error.response.get("error")
        if reason in ("user_not_found", "user_not_visible"):
            raise BadInput(f"{user} is not a person in this Slack workspace.", field=role) from error
        log.warning("users.info failed for %s: %s", user, reason)
        raise BadInput(f"Slack could not say who {user} is ({reason}); nothing was saved.", field=role) from error
    if person.get("deleted"):
        raise BadInput(f"{user} is deactivated in this Slack workspace.", field=role)
    if person.get("is_bot") or person.get("is_app_user") or user == "USLACKBOT":
        raise BadInput(f"{user} is a bot or an app, not a person.", field=role)
    teams = {person.get("team_id")} | set((person.get("enterprise_user") or {}).get("teams") or ())
    if person.get("is_stranger") or (team and person.get("team_id") and team not in teams):
        raise BadInput(f"{user} belongs to another Slack workspace.", field=role)
