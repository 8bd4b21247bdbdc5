"""The sourcing map through Slack: IT's stances set by IT owners and admins, the opportunities,
and the quarterly check by DM, once per quarter and person."""

import json
from datetime import datetime, timezone

from bot.schedule import Schedule
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from tests.handlers.slack.test_contracts import add_contract
from tests.handlers.slack.test_schedule import dm_of
from tests.handlers.slack.test_together import answer


def test_stances_opportunities_and_the_quarterly_check(slack, fake, bot, clock):
    refused = answer(slack, fake, IT, "sourcing set software open")
    assert "set by the IT owners of contracts and admins" in refused
    assert "is not a stance" in answer(slack, fake, ADMIN, "sourcing set software maybe")
    add_contract(bot)  # IT owns a contract in force: IT may set stances now
    assert "IT's stance on software is now: open to a supplier." in answer(slack, fake, IT, "sourcing set software open")
    answer(slack, fake, ADMIN, "sourcing set saas in-house")
    answer(slack, fake, IT, "sourcing set telecom open")
    core = bot.core
    core.requests.create(IT, need(category="software", estimated_cost="4000"))
    core.requests.create(IT2, need(category="software", estimated_cost="6000", sensitivity="confidential"))
    core.requests.create(IT, need(category="telecom", estimated_cost="90000"))
    core.requests.create(IT, need(category="saas", estimated_cost="7500"))

    shown = answer(slack, fake, BUYER, "sourcing")
    assert "software — open to a supplier (set by <@U0IT000001> 2026-11-16, confirmed 2026-11-16)" in shown
    assert "saas — keep in-house" in shown and "hardware — not set" in shown
    # Most requests first; the saas spend is IT's to keep and is no opportunity.
    assert "• software — 2 requests, USD 10,000 estimated\\n• telecom — 1 request, USD 90,000 estimated" in shown
    # Someone who may not see the confidential need's cost is not shown it, summed or not.
    assert "software — 2 requests, USD 4,000 estimated" in answer(slack, fake, IT, "sourcing")

    fake.reset()
    clock.set(datetime(2026, 11, 17, 9, 0, tzinfo=timezone.utc))  # a reminder sweep
    Schedule(core, holder="test").tick()
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=timezone.utc))
    Schedule(core, holder="test").tick()
    asked = [c for c in fake.calls_to("chat.postMessage")
             if c.args["channel"] == dm_of(IT) and "Sourcing map check" in json.dumps(c.args.get("blocks"))]
    assert len(asked) == 1, "once per quarter"
    assert "Sourcing map check · 2026-Q4" in json.dumps(asked[0].args["blocks"], ensure_ascii=False)
    assert "Confirmed 3 stances" in answer(slack, fake, IT, "sourcing confirm")
    assert "confirmed 2026-11-18" in answer(slack, fake, BUYER, "sourcing")
