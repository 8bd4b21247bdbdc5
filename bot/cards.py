"""Request cards in the shared channel of every platform, kept in step with the database.

Each platform that shows cards has its own card per request (``storage.cards``: the
platform's own reference to it), and every platform is treated alike. Subscribes to
``RequestChanged``: on every change each platform's card is re-rendered in place (or
posted, when that platform has none yet, or its message is dead: deleted, its channel
archived or gone, or not updatable) from the request as stored, so a platform that failed
once catches up at the next change, and one platform failing never holds back another. A
dead card is posted again once per change, in the shared channel as configured now; if
that fails too, the person who made the change is told (``watching``). What the shared channel shows is
decided by ``bot.visibility`` for the channel; the card adds the approval state, deciding
together (options, risk checks) and the contract in force, unless the request is redacted.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from bot.events import RequestChanged
from bot.notifier import CardGone, CardNotifier, CardRef, LinkedContract, NotifyError
from bot.requests import ApprovalSummary, Request
from bot.visibility import NOBODY, Place, Visibility
from storage import Store
from storage import cards as cards_repo
from storage import requests as repo

log = logging.getLogger(__name__)
T = TypeVar("T")


class CardThreads:
    """What the core says in the thread of a request's card: posted under the card on every
    platform that has one."""

    def __init__(self, store: Store, platforms: Mapping[str, CardNotifier]):
        self.store = store
        self.platforms = dict(platforms)

    def of(self, request_id: int) -> dict[str, CardRef]:
        """The request's card on each platform that has one, by platform name."""
        return cards_repo.cards_of(self.store.db, request_id)

    def request_for(self, platform: str, conversation: str, message_id: str | None = None) -> int | None:
        """The request whose card (on ``platform``) is this message, or whose card's thread
        this conversation is; None for any other message."""
        return cards_repo.request_for(self.store.db, platform, conversation, message_id)

    def post(self, request_id: int, text: str, author: str) -> None:
        """Posts ``text`` (said by ``author``) under the request's card on each platform;
        ``NotifyError`` naming the platforms that failed (the others have it)."""
        failures = []
        for name, card in self.of(request_id).items():
            platform = self.platforms.get(name)
            if platform is None:
                continue  # a platform no longer served
            try:
                platform.post_in_thread(card, text, author)
            except NotifyError as error:
                log.warning("posting in the thread of request %s failed on %s: %s", request_id, name, error)
                failures.append(name)
        if failures:
            raise NotifyError(f"the thread post failed on {', '.join(failures)}")


class Cards:
    def __init__(
        self,
        store: Store,
        platforms: Mapping[str, CardNotifier],
        visibility: Visibility,
        linked: Callable[[Request], LinkedContract | None],
        approval: Callable[[Request], ApprovalSummary | None],
        together: Callable[[Request, bool], object | None],
    ):
        self.store = store
        self.platforms = dict(platforms)  # the platforms that show cards, by name
        self.visibility = visibility  # what the shared channel may show of a request
        self.linked = linked  # the contract a card shows (``ContractCalendar.linked``)
        self.approval = approval  # the approval state a card shows (``ApprovalService.summary``)
        self.together = together  # options and risk checks a card shows (``bot.options.Together``)
        self._locks = [threading.Lock() for _ in range(64)]  # striped by request number
        self._local = threading.local()  # a card that could not be posted, for whoever made the change

    def of(self, request_id: int) -> dict[str, CardRef]:
        """The request's card on each platform that has one, by platform name."""
        return cards_repo.cards_of(self.store.db, request_id)

    def request_for(self, platform: str, conversation: str, message_id: str | None = None) -> int | None:
        """The request whose card (on ``platform``) is this message, or whose card's thread
        this conversation is; None for any other message."""
        return cards_repo.request_for(self.store.db, platform, conversation, message_id)

    def request_changed(self, event: RequestChanged) -> None:
        self.sync(event.request_id)

    def sync(self, request_id: int) -> None:
        """Puts the card in step with the database.

        One card update at a time per request: a change that lands while the card is
        still being posted waits, then updates that card instead of posting a second one;
        and the card always shows the latest state, read afresh from the database."""
        with self._locks[request_id % len(self._locks)]:
            request = repo.get_request(self.store.db, request_id)
            if request is not None:
                self._sync_locked(request)

    def watching(self, change: Callable[[], T]) -> tuple[T, CardProblem | None]:
        """Runs ``change`` (which publishes to the cards on this thread) and says whether the
        card of a request it changed could not be posted, so the person who made the change
        is told (the change itself is saved either way)."""
        self._local.problem = None
        try:
            return change(), self._local.problem
        finally:
            self._local.problem = None

    def _sync_locked(self, request: Request) -> None:
        shared = self.visibility.request(NOBODY, request, Place.CHANNEL)
        shared = dataclasses.replace(shared, approval=self.approval(request),
                                     together=self.together(request, shared.redacted))
        linked = None if shared.redacted else self.linked(request)
        existing = cards_repo.cards_of(self.store.db, request.id)
        for name, platform in self.platforms.items():
            self._sync_on(name, platform, existing.get(name), request, shared, linked)

    def _sync_on(self, name: str, platform: CardNotifier, card: CardRef | None, request: Request, shared: Request,
                 linked: LinkedContract | None) -> None:
        gone = None
        if card is not None:
            try:
                platform.update_card(card, shared, linked)
                return
            except CardGone as exc:
                # Deleted, its channel archived or gone, or not updatable: forget it and post the
                # card afresh in the shared channel as configured now, once for this change.
                gone = f"{exc} in {card.conversation}"
                with self.store.write() as db:
                    cards_repo.forget_card(db, request.id, name)
            except NotifyError as exc:
                log.warning("updating the card of %s on %s failed (%s); it re-syncs on the next change",
                            request.number, name, exc)
                return
        try:
            posted = platform.post_card(shared, linked)
        except NotifyError as exc:
            was = f"its card was dead ({gone}) and " if gone else ""
            log.warning("%s: %sposting its card failed on %s (%s); it is posted on the next change",
                        request.number, was, name, exc)
            self._local.problem = CardProblem(request.number, str(exc))
            return
        if gone:
            log.info("%s: its card was dead (%s); posted it again in %s on %s", request.number, gone,
                     posted.conversation, name)
        with self.store.write() as db:
            cards_repo.save_card(db, request.id, name, posted)


@dataclass(frozen=True)
class CardProblem:
    """A request's card could not be posted in the shared channel during a change."""

    number: str
    reason: str  # the platform's reason ("is_archived", "channel_not_found")

    def text(self) -> str:
        return (f"The change is saved, but the card of {self.number} could not be posted in the shared channel "
                f"({self.reason}); an admin can check TANDEM_CHANNEL. It is posted with the next change.")
