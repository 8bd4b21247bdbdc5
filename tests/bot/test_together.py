"""Deciding together (options, ratings, joint sign-off) and IT's risk checks, in the core."""

from decimal import Decimal

import pytest

from bot import commands, dispatch
from bot.approvals import ApprovalPending
from bot.config import ConfigError, Settings
from bot.core import build_core
from bot.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.options import parse_option
from bot.requests import Status
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2, need
from testing.notifier import RecordingNotifier
from bot.markup import mention

RULES = "confidential=Security review,Data-processing agreement;restricted=Security review,Data-processing agreement,SSO"


@pytest.fixture
def core(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": f"{BUYER},{BUYER2}",
                                  "TANDEM_ADMINS": ADMIN, "TANDEM_RISK_CHECKS": RULES})
    core = build_core(settings, RecordingNotifier(), clock=clock)
    yield core
    core.close()


def run(core, actor, text):
    return dispatch.run(core, actor, commands.parse(text))


def approved(core, **form) -> int:
    number = core.requests.create(IT, need(**form)).id
    core.requests.claim(BUYER, number)
    core.requests.change_status(BUYER, number, "sourcing")
    try:
        core.requests.change_status(BUYER, number, "approved")
    except ApprovalPending:  # restricted data: the admin approves
        core.approvals.approve(ADMIN, number)
    return number


def test_an_option_is_parsed_part_by_part():
    assert parse_option("Zoom | 12,000 eur | net 30, yearly | 12 months | https://q.example/1", "USD") == {
        "vendor": "Zoom", "price": Decimal("12000.00"), "currency": "EUR",
        "terms": "net 30, yearly", "term_months": 12, "quote": "https://q.example/1"}
    assert parse_option("SAP | 1.234,50 €", "USD", "de_DE")["price"] == Decimal("1234.50")
    for bad, message in [("", "vendor"), ("Zoom", "price"), ("Zoom | free", "is not an amount"),
                         ("Zoom | 0", "more than 0"), ("Zoom | 10 | | 0", "1 to 120"),
                         ("Zoom | 10 | | 12 | javascript:x", "https://"), ("a|1|b|2|c|d", "five parts"),
                         ("Zoom | 10 EUR USD", "not a currency I know")]:
        with pytest.raises(BadInput, match=message):
            parse_option(bad, "USD")


def test_both_sides_rate_and_both_signers_decide_before_ordering(core, clock):
    number = approved(core)
    run(core, BUYER, f"option {number} Zoom | 12000 | annual prepay | 12 | https://quotes.example/zoom")
    reply = run(core, BUYER, f"option {number} Teams | 9000 USD")
    assert reply.text == f"Option B added to #{number}: B · Teams · USD 9,000."
    run(core, IT, f"rate {number} A fit 5 risk 4")
    run(core, BUYER, f"rate {number} a cost=2 terms=3")
    with pytest.raises(NotAllowed, match="Procurement rates an option.s cost and terms"):
        run(core, IT, f"rate {number} A cost 5")
    with pytest.raises(NotAllowed, match="IT rates an option.s fit and risk"):
        run(core, BUYER, f"rate {number} B fit 1")
    with pytest.raises(NotAllowed, match="Only procurement"):
        run(core, IT, f"option {number} Webex | 100")
    # Options but no joint decision: ordering is refused and nothing changes.
    with pytest.raises(InvalidTransition, match="has options but no joint decision"):
        core.requests.change_status(BUYER, number, "ordered")
    reply = run(core, IT, f"choose {number} A fits our rooms, SSO included")
    assert reply.text == f"You signed off option A on #{number}. Waiting for {mention(BUYER)} to sign off option A too."
    with pytest.raises(NotAllowed, match="requester and its owner"):
        run(core, BUYER2, f"choose {number} A cheaper")
    clock.advance(minutes=5)
    run(core, BUYER, f"choose {number} B cheaper")  # disagreement: still no decision
    with pytest.raises(InvalidTransition, match="no joint decision"):
        core.requests.change_status(BUYER, number, "ordered")
    clock.advance(minutes=5)
    reply = run(core, BUYER, f"choose {number} A fair: rooms matter more than price")
    assert "Decided together: option A" in reply.text
    assert core.requests.change_status(BUYER, number, "ordered").status is Status.ORDERED
    text = run(core, IT, f"options {number}").text
    assert text.splitlines() == [
        f"*Options for #{number} 50 Zoom licences*",
        "A · Zoom · USD 12,000 · 12 months · annual prepay · fit 5 risk 4 cost 2 terms 3 Quote: https://quotes.example/zoom",
        "B · Teams · USD 9,000",
        f"{mention(IT)} signed off option A 2026-11-16 09:00 UTC: fits our rooms, SSO included",
        f"{mention(BUYER)} signed off option A 2026-11-16 09:10 UTC: fair: rooms matter more than price",
        "Decided together: option A.",
    ]
    # The history says who said what and when; the options are settled once ordered.
    actions = [(e.actor, e.action, e.after.get("option")) for e in core.requests.show(IT, number).events
               if e.action in ("option added", "rated", "signed off", "decided", "decision reopened")]
    assert actions == [(BUYER, "option added", "A"), (BUYER, "option added", "B"), (IT, "rated", "A"),
                       (BUYER, "rated", "A"), (IT, "signed off", "A"), (BUYER, "signed off", "B"),
                       (BUYER, "signed off", "A"), (BUYER, "decided", "A")]
    with pytest.raises(InvalidTransition, match="settled"):
        run(core, BUYER, f"option {number} Late | 1")


def test_a_request_without_options_orders_as_before(core):
    number = approved(core)
    assert core.requests.change_status(BUYER, number, "ordered").status is Status.ORDERED


def test_bad_choices_are_refused_cleanly(core):
    number = core.requests.create(IT, need()).id
    with pytest.raises(NotAllowed, match="Only procurement"):
        run(core, IT, f"option {number} Zoom | 10")
    core.requests.claim(BUYER, number)
    run(core, BUYER, f"option {number} Zoom | 10")
    with pytest.raises(NotFound, match="has no option C"):
        run(core, IT, f"choose {number} C why not")
    with pytest.raises(BadInput, match="why you choose"):
        run(core, IT, f"choose {number} A")
    with pytest.raises(BadInput, match="not an option"):
        run(core, IT, f"choose {number} 7 why")
    with pytest.raises(BadInput, match="Scores are whole numbers from 1 to 5"):
        run(core, IT, f"rate {number} A fit 6")
    assert core.options.together(core.requests.get(number)).signoffs == ()


def test_a_confidential_needs_options_stay_with_those_who_may_see_it(core):
    number = core.requests.create(IT, need(sensitivity="confidential")).id
    core.requests.claim(BUYER, number)
    run(core, BUYER, f"option {number} Secret vendor | 50000")
    with pytest.raises(NotAllowed, match="confidential"):
        run(core, IT2, f"options {number}")
    shared = [call for call in core.notifier.calls if call[0] == "update_card"][-1][2]
    assert shared.redacted and shared.together.options == ()
    assert [check.name for check in shared.together.checks] == ["Security review", "Data-processing agreement"]
    history = core.requests.show(IT2, number).events
    assert all("vendor" not in event.after for event in history)


def test_risk_checks_are_on_the_card_from_posting_and_gate_ordering(core):
    number = approved(core, sensitivity="restricted", estimated_cost="100")
    first_card = [call for call in core.notifier.calls if call[0] == "post_card"][0][1]
    assert [c.name for c in first_card.together.checks] == ["Security review", "Data-processing agreement", "SSO"]
    with pytest.raises(InvalidTransition, match="risk checks: 1. Security review, 2. Data-processing agreement, 3. SSO"):
        core.requests.change_status(BUYER, number, "ordered")
    with pytest.raises(NotAllowed, match="IT ticks"):
        run(core, BUYER, f"check {number} 1")
    assert run(core, IT, f"check {number} 1").text == f"Ticked 1. Security review on #{number}. 2 checks left."
    with pytest.raises(InvalidTransition, match="already ticked"):
        run(core, IT2, f"check {number} security review")
    run(core, IT2, f"check {number} data-processing agreement")
    run(core, ADMIN, f"check {number} 3")
    run(core, IT, f"uncheck {number} 3")
    with pytest.raises(InvalidTransition, match="3. SSO"):
        core.requests.change_status(BUYER, number, "ordered")
    assert run(core, IT, f"check {number} 3").text == f"Ticked 3. SSO on #{number}. Every risk check is done."
    assert core.requests.change_status(BUYER, number, "ordered").status is Status.ORDERED
    with pytest.raises(BadInput, match="not a check"):
        run(core, IT, f"check {approved(core, sensitivity='confidential')} 9")
    with pytest.raises(NotFound, match="needs no risk checks"):
        run(core, IT, f"check {approved(core)} 1")


def test_procurement_sees_the_rules_before_sourcing(core):
    assert run(core, BUYER, "rules").text.splitlines()[1:] == [
        "• confidential: 1. Security review, 2. Data-processing agreement",
        "• restricted: 1. Security review, 2. Data-processing agreement, 3. SSO",
    ]
    number = core.requests.create(IT, need(sensitivity="confidential")).id
    reply = run(core, BUYER, f"claim {number}")
    assert reply.text.endswith("Before it is ordered, IT ticks its risk checks (confidential data): "
                               "1. Security review, 2. Data-processing agreement.")


@pytest.mark.parametrize("value, message", [
    ("secret=x", "is not CLASS=check"), ("confidential=", "names no checks"),
    ("confidential=a;confidential=b", "listed twice"), ("internal=a,A", "lists a check twice"),
    ("internal=<!channel>", "plain text"),
])
def test_risk_rules_are_validated_at_start_up(tmp_path, value, message):
    with pytest.raises(ConfigError, match=f"TANDEM_RISK_CHECKS: .*{message}"):
        Settings.from_env({"TANDEM_RISK_CHECKS": value})


def test_the_scorecards_90_days_begin_at_midnight_where_the_team_is(tmp_path, clock):
    """A need ordered the evening before the 90 days began, in the team's time zone, is not
    counted, though in UTC it was already the first day; one ordered the next morning is."""
    from datetime import datetime, time, timedelta, timezone
    from zoneinfo import ZoneInfo

    from bot.scorecard import DAYS

    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER,
                                  "TANDEM_ADMINS": ADMIN, "TANDEM_TIMEZONE": "America/Los_Angeles",
                                  "TANDEM_RISK_CHECKS": "confidential=Security review"})
    core = build_core(settings, RecordingNotifier(), clock=clock)
    now = clock.now()
    team = ZoneInfo("America/Los_Angeles")
    start = datetime.combine(now.astimezone(team).date() - timedelta(days=DAYS - 1), time(0), team)

    def ordered_at(moment):
        clock.set(moment)
        number = approved(core, sensitivity="confidential", estimated_cost="100")
        run(core, IT, f"check {number} 1")
        core.requests.change_status(BUYER, number, "ordered")

    ordered_at(start - timedelta(hours=2))  # 22:00 the day before there; 05:00 UTC on the first day
    assert (start - timedelta(hours=2)).astimezone(timezone.utc).date() == start.date()
    ordered_at(start + timedelta(hours=1))
    clock.set(now)
    risk = next(item for item in core.scorecard.scorecard(ADMIN).indicators if item.key == "risk")
    assert risk.lines == ("1 of 1 needs ordered with risk checks had every check done",)
    assert risk.data == 100
    core.close()
