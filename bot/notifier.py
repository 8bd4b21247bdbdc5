"""The port through which the core reaches people. Slack, Teams and the shell implement it.

The core hands over domain objects; each platform renders them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.requests import CardRef, Mirror, Request

if TYPE_CHECKING:
    from bot.digest import Digest
    from bot.health import HealthCheck
    from bot.reminders import Reminder


@dataclass(frozen=True)
class LinkedContract:
    """A contract shown on a request's card, so co-terming is decided before its deadline."""

    id: int
    vendor: str
    product: str
    end_date: date
    notice_deadline: date
    days_left: int  # until the notice deadline; negative once it has passed
    auto_renew: bool


@dataclass(frozen=True)
class Section:
    """Part of a briefing: a title and lines, "…and N more" when ``more``, ``empty`` when none."""

    title: str
    lines: tuple[str, ...] = ()
    more: int = 0
    empty: str = ""


@dataclass(frozen=True)
class Button:
    """A button under a briefing: clicking it runs ``command`` (as typed after ``/procure``)
    for whoever clicked, through ``bot.dispatch.run_button`` and the same rules as typing it."""

    label: str
    command: str
    primary: bool = False


@dataclass(frozen=True)
class Briefing:
    """A titled message of sections (the sync meeting's agenda, an action item reminder, the
    scorecard). Lines are plain text that may name people (``markup.mention``); platforms
    render those and escape the rest, so user text in them (an action item, a title) cannot
    format, link or mention."""

    title: str
    sections: tuple[Section, ...]
    footer: str = ""
    chart: bytes | None = None  # a PNG sent along, when there is one
    buttons: tuple[Button, ...] = ()  # what the reader can do from it (the sourcing map check)


class NotifyError(Exception):
    """The chat platform refused or failed; the database stays the source of truth."""


class CardGone(NotifyError):
    """The card's message can no longer be updated where it is (deleted, its channel archived
    or gone, Tandem not in it, or the platform will not update it); post a new one."""


@runtime_checkable
class CardNotifier(Protocol):
    """One platform's request cards in its shared channel. ``bot.cards`` calls each platform
    alike and keeps what each returned."""

    def post_card(self, request: Request, linked: LinkedContract | None = None) -> CardRef:
        """Posts the request's card to the shared channel; returns this platform's reference."""

    def update_card(self, card: CardRef, request: Request, linked: LinkedContract | None = None) -> None:
        """Re-renders the card ``card`` (this platform's reference) in place; ``CardGone``
        when its message was deleted."""

    def post_in_thread(self, card: CardRef, text: str, author: str) -> None:
        """Posts ``text`` (said by ``author``) into the thread of ``card``."""

    def mirror_note(self, card: CardRef, request: Request, text: str, author: str, origin: str) -> list[Mirror]:
        """Posts a reply written in ``origin``'s card thread (``origin`` is another platform's
        name) into the thread of ``card`` (this platform's) as "``author`` in Origin: ``text``";
        returns where the copy went. ``text`` is what the channel may see."""

    def edit_mirror(self, mirror: Mirror, request: Request, text: str, author: str, origin: str) -> None:
        """Rewrites a copy posted by ``mirror_note`` (its reply was edited)."""

    def delete_mirror(self, mirror: Mirror) -> None:
        """Deletes a copy posted by ``mirror_note`` (its reply was deleted)."""


class Notifier(Protocol):
    """Reaching people: DMs (on one platform) and the shared channel's digests and
    briefings (on every platform, ``bot.fanout``)."""

    def send_dm(self, user: str, text: str) -> None:
        """Sends a direct message."""

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        """Sends a file to the user in a direct message."""

    def ask_approval(self, approver: str, request: Request, why: object) -> None:
        """Asks one approver, by DM, to approve or reject ``request`` (``why`` it needs approval:
        its ``str()`` writes amounts in the locale being viewed, so render it in the approver's)."""

    def post_digest(self, digest: Digest) -> None:
        """Posts the digest to the shared channel."""

    def send_digest_preview(self, user: str, digest: Digest) -> None:
        """Sends the digest to ``user`` in a direct message, marked as a preview."""

    def send_reminders(self, user: str, reminders: list[Reminder]) -> None:
        """Sends ``user`` one direct message listing all their reminders, each with buttons:
        open it, "Snooze 3 days", "Done" (``Reminder.id`` names it to the core)."""

    def send_health_check(self, user: str, survey: HealthCheck) -> None:
        """Sends ``user`` the health check for ``survey`` (a round) by DM: the six statements
        and how to answer (``bot.health``)."""

    def post_briefing(self, briefing: Briefing) -> None:
        """Posts a briefing (the sync meeting's agenda) to the shared channel."""

    def send_briefing(self, user: str, briefing: Briefing) -> None:
        """Sends ``user`` a briefing (an action item reminder, a preview) by DM."""


class NullNotifier:
    """Reaches nobody and shows no cards; for the command line and tests that only look at
    the database."""

    def send_dm(self, user: str, text: str) -> None:
        pass

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        pass

    def ask_approval(self, approver: str, request: Request, why: str) -> None:
        pass

    def post_digest(self, digest: Digest) -> None:
        pass

    def send_digest_preview(self, user: str, digest: Digest) -> None:
        pass

    def send_reminders(self, user: str, reminders: list[Reminder]) -> None:
        pass

    def send_health_check(self, user: str, survey: HealthCheck) -> None:
        pass

    def post_briefing(self, briefing: Briefing) -> None:
        pass

    def send_briefing(self, user: str, briefing: Briefing) -> None:
        pass
