"""The contract calendar as a subscription feed: ``GET /calendar/<secret>.ics``.

Anyone in the workspace may get the URL (``/procure calendar link``); whoever holds it
reads the calendar, so costs follow ``TANDEM_HIDE_COSTS`` as in the shared channel. An
admin rotates the secret (``/procure calendar rotate``): the old URL stops working at once.
"""

from __future__ import annotations

import hmac
import re
import secrets

from bot.clock import Clock
from bot.contract_service import ContractService
from bot.permissions import Action, Roles, authorize
from storage import Store
from storage import calendar_feed as repo
from storage.requests import add_event

_PATH = re.compile(r"/calendar/([A-Za-z0-9_-]{16,128})\.ics")


def feed_path(secret: str) -> str:
    return f"/calendar/{secret}.ics"


def secret_in(path: str) -> str | None:
    """The secret in a feed path, or None if the path is not one."""
    match = _PATH.fullmatch(path)
    return match.group(1) if match else None


class CalendarFeed:
    def __init__(self, store: Store, roles: Roles, clock: Clock, contracts: ContractService,
                 public_url: str | None, hide_costs: bool):
        self.store = store
        self.roles = roles
        self.clock = clock
        self.contracts = contracts
        self.public_url = public_url
        self.hide_costs = hide_costs

    def url(self, actor: str) -> str:
        """The subscription URL (made on first use)."""
        authorize(self.roles, actor, Action.VIEW)
        with self.store.write() as db:
            secret = repo.secret(db)
            if secret is None:
                secret = self._new(db, actor, "created")
        return self._url(secret)

    def rotate(self, actor: str) -> str:
        """A new secret; the old URL stops working at once. Admins only."""
        authorize(self.roles, actor, Action.ADMINISTER)
        with self.store.write() as db:
            secret = self._new(db, actor, "rotated")
        return self._url(secret)

    def ics(self, secret: str) -> bytes | None:
        """The calendar for a feed request, or None when ``secret`` is not the current one."""
        current = repo.secret(self.store.db)
        if current is None or not hmac.compare_digest(current.encode(), secret.encode()):
            return None
        return self.contracts.ics(include_costs=not self.hide_costs)

    def _new(self, db, actor: str, action: str) -> str:
        secret = secrets.token_urlsafe(24)
        now = self.clock.now()
        repo.set_secret(db, secret, now, actor)
        add_event(db, "calendar", 1, now, actor, f"subscription link {action}", {}, {})
        return secret

    def _url(self, secret: str) -> str:
        return f"{self.public_url or ''}{feed_path(secret)}"
