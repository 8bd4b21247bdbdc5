"""One Notifier for the core when Tandem serves several chat platforms at once.

What goes to the shared channel (the digest, briefings) goes to every platform; request
cards and their threads are kept per platform by ``bot.cards``, every platform alike. What goes to one person (DMs, reminders, approval requests, files, previews)
goes to that person once: on the first platform that reaches them, in the configured
order, or first on the platform they are using right now (``preferring``); if it fails
there, the next platform is tried.

What "delivered" means, so the schedule's exactly-once ledger stays exact:
- A DM (reminders, previews) counts as delivered when one platform accepted it; only when
  no platform could deliver it is ``NotifyError`` raised, and the ledger retries it.
- The digest counts as delivered when at least one platform posted it. A platform that
  refused is logged and does not get that digest: a retry would post it a second time on
  the platforms that already have it, and never twice beats once everywhere.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.notifier import Briefing, Notifier, NotifyError
from bot.requests import Request

if TYPE_CHECKING:
    from bot.digest import Digest
    from bot.health import HealthCheck
    from bot.reminders import Reminder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Platform:
    name: str
    notifier: Notifier
    reaches: Callable[[str], bool] = lambda person: True  # whether a DM to this person can go here


class FanOutNotifier:
    def __init__(self, platforms: list[Platform]):
        if not platforms:
            raise ValueError("FanOutNotifier needs at least one platform")
        self.platforms = platforms
        self._local = threading.local()

    @contextlib.contextmanager
    def preferring(self, name: str) -> Iterator[None]:
        """DMs sent by this thread inside the block try platform ``name`` first (someone
        asked for a preview in Teams gets it in Teams)."""
        previous = getattr(self._local, "preferred", None)
        self._local.preferred = name
        try:
            yield
        finally:
            self._local.preferred = previous

    # --- the shared channel ----------------------------------------------------------------------

    def post_digest(self, digest: Digest) -> None:
        failures = [name for name in [self._try(p, "post_digest", digest) for p in self.platforms] if name]
        if len(failures) == len(self.platforms):
            raise NotifyError("no platform took the digest")
        for name in failures:
            log.warning("the digest was posted, but not on %s (not retried there, so nowhere gets it twice)", name)

    def post_briefing(self, briefing: Briefing) -> None:
        failures = [name for name in [self._try(p, "post_briefing", briefing) for p in self.platforms] if name]
        if len(failures) == len(self.platforms):
            raise NotifyError("no platform took the briefing")

    # --- one person ------------------------------------------------------------------------------------

    def send_dm(self, user: str, text: str) -> None:
        self._to_person(user, "send_dm", user, text)

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        self._to_person(user, "send_file", user, filename, content, title)

    def ask_approval(self, approver: str, request: Request, why: str) -> None:
        self._to_person(approver, "ask_approval", approver, request, why)

    def send_digest_preview(self, user: str, digest: Digest) -> None:
        self._to_person(user, "send_digest_preview", user, digest)

    def send_reminders(self, user: str, reminders: list[Reminder]) -> None:
        self._to_person(user, "send_reminders", user, reminders)

    def send_health_check(self, user: str, survey: HealthCheck) -> None:
        self._to_person(user, "send_health_check", user, survey)

    def send_briefing(self, user: str, briefing: Briefing) -> None:
        self._to_person(user, "send_briefing", user, briefing)

    # --- internals ----------------------------------------------------------------------------------------

    def _order(self) -> list[Platform]:
        preferred = getattr(self._local, "preferred", None)
        return sorted(self.platforms, key=lambda platform: platform.name != preferred)

    def _to_person(self, person: str, method: str, *args: Any) -> None:
        reasons = []
        for platform in self._order():
            if not platform.reaches(person):
                continue
            try:
                getattr(platform.notifier, method)(*args)
                return
            except NotifyError as error:
                log.warning("%s to %s failed on %s (%s); trying the next platform", method, person, platform.name,
                            error)
                reasons.append(f"{platform.name}: {error}")
        raise NotifyError("; ".join(reasons) or f"no platform reaches {person}")

    @staticmethod
    def _try(platform: Platform, method: str, *args: Any) -> str | None:
        """Calls one platform; returns its name if it failed (logged), None if it worked."""
        try:
            getattr(platform.notifier, method)(*args)
            return None
        except NotifyError as error:
            log.warning("%s failed on %s: %s", method, platform.name, error)
            return platform.name


def preferring(notifier: Any, name: str):
    """``FanOutNotifier.preferring`` when the core fans out; otherwise nothing to do."""
    return notifier.preferring(name) if isinstance(notifier, FanOutNotifier) else contextlib.nullcontext()
