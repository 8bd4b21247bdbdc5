"""A person's home: what the Slack App Home and the Teams home card show, decided once.

Sections in order: the person's open needs, their claims, for procurement the unclaimed
queue, then the contracts they own (those that missed their notice deadline first). The
requests are already cut to the person in a private place (``bot.visibility``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.contracts import Contract
    from bot.core import Core
    from bot.request_service import Page


@dataclass(frozen=True)
class Home:
    sections: list[tuple[str, Page]]
    contracts: list[Contract]  # owned by the person, missed deadlines first, then by notice deadline
    today: date


def home_for(core: Core, user: str) -> Home:
    service = core.requests
    sections = [("Your open needs", service.requested_by(user)), ("Your claims", service.claimed_by(user))]
    if core.roles.is_procurement(user):
        sections.append(("Unclaimed queue", service.list(user, "unclaimed")))
    today = core.contracts.today()
    contracts = sorted(core.contracts.owned_by(user), key=lambda c: (not c.missed(today), c.notice_deadline))
    return Home(sections, contracts, today)
