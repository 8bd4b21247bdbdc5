"""Events the core publishes after a change has committed, for whoever keeps a view of it.

A service says what changed (``RequestChanged``); the request cards in the shared channel
(``bot.cards``) and each platform's personal views (Slack's App Home) subscribe. Handlers
run in the order they subscribed, on the thread that made the change; one that fails is
logged and does not stop the others, and never undoes the change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RequestChanged:
    """Request ``request_id`` changed (or was created). Personal views show it to its
    requester and owner, and to ``also``: a previous owner it just left."""

    request_id: int
    also: frozenset[str] = field(default_factory=frozenset)


Handler = Callable[[RequestChanged], None]


class Events:
    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._lock = threading.Lock()

    def subscribe(self, handler: Handler) -> None:
        with self._lock:
            self._handlers.append(handler)

    def publish(self, event: RequestChanged) -> None:
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            try:
                handler(event)
            except Exception:  # a view failing must not undo or hide the committed change
                log.exception("a subscriber to %s failed", type(event).__name__)
