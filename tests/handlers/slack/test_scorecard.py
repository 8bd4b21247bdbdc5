"""A scripted quarter through Slack (fake clock): sync meetings with agendas, decisions and
action items, needs with options and joint decisions, a risk checklist, stances set and
confirmed, seats recorded, a check-up — and the scorecard's numbers, exactly."""

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from bot.config import Settings
from bot.schedule import Schedule
from tests.conftest import ADMIN, BUYER, IT
from handlers.slack.ids import Views
from tests.handlers.slack.conftest import CHANNEL, SECRET, need_values
from tests.handlers.slack.test_contracts import add_contract
from tests.handlers.slack.test_lifecycle import post_need
from tests.handlers.slack.test_together import answer


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_SYNC_CRON": "0 14 * * THU",
        "TANDEM_TARGET_CLAIM_DAYS": "1", "TANDEM_TARGET_FULFIL_DAYS": "software=10", "TANDEM_TARGET_SAVINGS": "5%",
        "TANDEM_RISK_CHECKS": "confidential=Security review",
    })


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def test_a_scripted_quarter_and_its_scorecard(slack, fake, bot, clock):
    core = bot.core
    tick = Schedule(core, holder="test").tick
    # Mon 16 Nov: the contract calendar, seats in use, IT's stances.
    add_contract(bot, seats="150", annual_cost="15000", end_date="2027-01-31", notice_days="30")  # deadline 1 Jan
    add_contract(bot, vendor="Okta", end_date="2026-12-31", notice_days="10")  # deadline 21 Dec, seen 35 days ahead
    assert "62 of 150 seats used — negotiate down" in answer(slack, fake, IT, "contract seats 1 62")
    answer(slack, fake, IT, "sourcing set software open")
    answer(slack, fake, IT, "sourcing set hardware in-house")

    # Need 1 (software, 9,500): claimed in two hours, two options, decided together, ordered at B.
    post_need(slack, fake, title="Design tool", category="software", estimated_cost="9500")
    clock.set(at(11, 16, 11))
    answer(slack, fake, BUYER, "claim 1")
    answer(slack, fake, BUYER, "status 1 sourcing")
    answer(slack, fake, BUYER, "option 1 Figma | 11000 USD")
    answer(slack, fake, BUYER, "option 1 Penpot | 9000 USD")
    answer(slack, fake, IT, "rate 1 B fit 4 risk 4")
    answer(slack, fake, IT, "choose 1 B open source, fits")
    answer(slack, fake, BUYER, "choose 1 B cheaper")
    answer(slack, fake, BUYER, "status 1 approved")
    answer(slack, fake, BUYER, "status 1 ordered")
    # Need 2 (hardware, confidential, 5,000): claimed after three business days, its risk check ticked.
    slack.submit(IT, Views.NEED, need_values(title="Badge readers", category="hardware", estimated_cost="5000",
                                             sensitivity="confidential"))
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL and "#2" in json.dumps(a.get("blocks")))

    # Thu 19 Nov: the agenda goes out before the meeting; a decision and two action items.
    clock.set(at(11, 19, 12))
    tick()
    clock.set(at(11, 19, 14, 5))
    answer(slack, fake, BUYER, "claim 2")
    answer(slack, fake, BUYER, "decide Badge readers stay with the current vendor")
    answer(slack, fake, BUYER, f"action <@{IT}> Send the reader count by 2026-11-24")
    answer(slack, fake, IT, f"action <@{BUYER}> Ask for the framework price by 2026-12-01")
    clock.set(at(11, 21, 10))
    answer(slack, fake, BUYER, "status 1 fulfilled")  # 5 days after it was posted
    clock.set(at(11, 23, 10))
    answer(slack, fake, IT, "action done 1")  # on time; the other one is never done
    answer(slack, fake, IT, "check 2 1")
    answer(slack, fake, BUYER, "status 2 sourcing")
    answer(slack, fake, BUYER, "status 2 approved")
    answer(slack, fake, BUYER, "status 2 ordered")  # at its estimate: nothing saved
    clock.set(at(11, 26, 12))
    tick()  # the second meeting's agenda

    # December: the check-up, a contract added too late to be warned, the stances confirmed.
    clock.set(at(12, 7, 10, 30))
    answer(slack, fake, ADMIN, "health send")
    answer(slack, fake, IT, "health answer 2 2 3 4 3 5")
    answer(slack, fake, BUYER, "health answer 3 2 3 4 3 4")
    answer(slack, fake, ADMIN, "health answer 1 2 3 4 4 3")
    clock.set(at(12, 10, 9))
    add_contract(bot, vendor="Miro", procurement_owner="", end_date="2026-12-30", notice_days="10")  # 20 Dec
    tick()  # a reminder sweep: IT, who owns contracts, is asked about the stances once this quarter
    answer(slack, fake, IT, "sourcing confirm")
    clock.set(at(12, 18, 9))
    answer(slack, fake, BUYER, "contract cancel 2")  # Okta: notice given before its deadline

    clock.set(at(12, 23, 10))
    card = core.scorecard.scorecard(BUYER)
    assert [(item.key, item.data, item.feeling_percent, item.gap) for item in card.indicators] == [
        ("planning", 50, 25, 25),  # 2 meetings with an agenda; 1 of 2 action items closed on time
        ("success", 75, 25, 50),  # fulfil 1 of 1, claims 1 of 2, savings 12.5% against 5%
        ("calendar", 50, 50, 0),  # 1 of 2 contracts with both owners; 1 of 2 deadlines seen ahead, 1 missed
        ("risk", 100, 75, 25),  # 1 of 1 ordered need with checks had them all done
        ("split", 100, 58, 42),  # all spend in categories with a stance; 66% open to suppliers
        ("speed", 66, 75, -9),  # 1 of 3 scheduled check-ups went out (33%); 3 of 3 asked answered it (100%)
    ]
    assert card.largest_gap.key == "success"
    assert card.unused_seats == Decimal("8800.00") and card.unused_contracts == 1

    shown = answer(slack, fake, BUYER, "scorecard")
    for line in ("2 sync meetings held with an agenda", "1 of 2 action items that came due closed on time",
                 "IT: 1 of 1 needs fulfilled within target", "Procurement: 1 of 2 needs claimed within 1 business day",
                 "Procurement: 12.5% saved against a target of 5% (met)",
                 "1 of 2 contracts in force have both an IT and a procurement owner",
                 "1 of 2 notice deadlines seen at least 30 days ahead; 1 missed",
                 "1 of 1 needs ordered with risk checks had every check done",
                 "2 of 6 categories have IT's stance", "66% of spend is in categories open to suppliers",
                 "3 of 3 people asked answered the December 2026 health check",
                 "1 of 3 scheduled health checks went out in the last 90 days",
                 "From the work: 75% · how it feels: 2.0 of 5 (25%)",
                 "USD 8,800 a year in unused seats of 1 contract whose notice deadline is in the next 90 days",
                 "Each side knows how the other measures success. — from the work 75%, felt 25%: the work is better "
                 "than it feels."):
        assert line in shown, line
    assert "Badge readers" not in shown and "Design tool" not in shown, "counted, never listed"
    chart = fake.wait_until("files.completeUploadExternal", lambda a: True)
    assert chart is not None and fake.calls_to("file_upload")[-1].args["bytes"][:4] == b"\x89PNG"
