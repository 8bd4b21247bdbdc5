"""Request cards in the shared channel, kept in step with the database.

Subscribes to ``RequestChanged``: on every change the card is re-rendered in place (or
posted, when it has none yet, or its message is dead: deleted, its channel archived or gone,
or not updatable) from the request as stored, so a platform that failed once catches up at
the next change. A dead card is posted again once per change, in the shared channel as
configured now; if that fails too, the person who made the change is told (``watching``). What the shared channel shows is
decided by ``bot.visibility`` for the channel; the card adds the approval state, deciding
together (options, risk checks) and the contract in force, unless the request is redacted.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.events import RequestChanged
from bot.notifier import CardGone, CardRef, LinkedContract, Notifier, NotifyError
from bot.requests import ApprovalSummary, Request
from bot.visibility import NOBODY, Place, Visibility
from storage import Store
from storage import requests as repo

log = logging.getLogger(__name__)
T = TypeVar("T")


class Cards:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        visibility: Visibility,
        linked: Callable[[Request], LinkedContract | None],
        approval: Callable[[Request], ApprovalSummary | None],
        together: Callable[[Request, bool], object | None],
    ):
        self.store = store
        self.notifier = notifier
        self.visibility = visibility  # what the shared channel may show of a request
        self.linked = linked  # the contract a card shows (``ContractCalendar.linked``)
        self.approval = approval  # the approval state a card shows (``ApprovalService.summary``)
        self.together = together  # options and risk checks a card shows (``bot.options.Together``)
        self._locks = [threading.Lock() for _ in range(64)]  # striped by request number
        self._local = threading.local()  # a card that could not be posted, for whoever made the change

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
        gone = None
        if request.card_ts:
            try:
                self.notifier.update_card(CardRef(request.card_channel, request.card_ts), shared, linked)
                return
            except CardGone as exc:
                # Deleted, its channel archived or gone, or not updatable: forget it and post the
                # card afresh in the shared channel as configured now, once for this change.
                gone = f"{exc} in {request.card_channel}"
                with self.store.write() as db:
                    repo.set_card(db, request.id, None, None)
            except NotifyError as exc:
                log.warning("updating the card of %s failed (%s); it re-syncs on the next change", request.number, exc)
                return
        try:
            card = self.notifier.post_card(shared, linked)
        except NotifyError as exc:
            was = f"its card was dead ({gone}) and " if gone else ""
            log.warning("%s: %sposting its card failed (%s); it is posted on the next change", request.number, was, exc)
            self._local.problem = CardProblem(request.number, str(exc))
            return
        if gone:
            log.info("%s: its card was dead (%s); posted it again in %s", request.number, gone, card.channel)
        with self.store.write() as db:
            repo.set_card(db, request.id, card.channel, card.ts)


@dataclass(frozen=True)
class CardProblem:
    """A request's card could not be posted in the shared channel during a change."""

    number: str
    reason: str  # the platform's reason ("is_archived", "channel_not_found")

    def text(self) -> str:
        return (f"The change is saved, but the card of {self.number} could not be posted in the shared channel "
                f"({self.reason}); an admin can check TANDEM_CHANNEL. It is posted with the next change.")
