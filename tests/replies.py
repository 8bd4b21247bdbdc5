"""One ``/procure`` command per reply type of ``bot.dispatch.Reply``, and the data they need.

Every platform's renderer test runs each of these through its own wire, so a reply type
added to the union without a rendering (or without a line here) fails the tests.
"""

from __future__ import annotations

import typing

from bot import dispatch
from tests.conftest import BUYER, BUYER2, IT, need
from tests.contract_samples import contract_form

ACTOR = BUYER  # who runs every command below (procurement)

# The reply type each command comes to (run by ACTOR on what ``seed`` made: request 1, contract 1).
COMMANDS: dict[type, str] = {
    dispatch.Said: "help",
    dispatch.Changed: "claim 1",
    dispatch.Shown: "show 1",
    dispatch.Listed: "list",
    dispatch.OpenForm: "contract edit 1",
    dispatch.ContractsListed: "contracts 365",
    dispatch.ContractShown: "contract show 1",
    dispatch.ContractChanged: "contract seats 1 40",
    dispatch.SendFile: "calendar",
    dispatch.StatsShown: "stats",
    dispatch.HealthShown: "health",
    dispatch.Told: "decide We stay with Zoom",
    dispatch.BriefingShown: "agenda",
}


def reply_types() -> set[type]:
    return set(typing.get_args(dispatch.Reply))


def seed(core, requester: str = IT, buyer: str = BUYER, third: str = BUYER2) -> None:
    """Request 1 (``requester``'s), contract 1 (``buyer``'s), and a health check round the
    three of them answered (enough for results to show)."""
    core.requests.create(requester, need())
    core.requests.create(third, need(title="Docking stations"))  # so the health check asks them
    core.contracts.add(buyer, contract_form(it_owner="", procurement_owner=""))
    core.health.send_round(core.clock.now())
    for person, scores in ((requester, (4, 5, 3, 4, 2, 5)), (buyer, (3, 3, 3, 3, 3, 3)), (third, (5, 4, 4, 4, 4, 4))):
        core.health.answer(person, scores, "")
