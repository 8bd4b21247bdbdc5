"""A missed notice deadline: passed while the contract still runs. Listed first, at the top of
the digest, reminded exactly once to both owners, until the end date rolls or expires it."""

from collections import Counter
from datetime import date, timedelta

from bot.contracts import ContractStatus
from bot.reminders import MISSED, describe
from tests.conftest import ADMIN, BUYER, IT
from tests.contract_samples import contract_form

TODAY = date(2026, 11, 16)  # the test clock's Monday
END = TODAY + timedelta(days=27)  # 2026-12-13; with 30 days' notice the deadline was 2026-11-13


def missed_contract(**overrides) -> dict:
    return contract_form(vendor="Acme", product="CRM", end_date=END.isoformat(), notice_days="30",
                         annual_cost="5000", **overrides)


def notices(notifier) -> list[tuple]:
    return [(r.subject, r.threshold, r.person) for r in notifier.reminders()]


def test_a_missed_deadline_is_listed_digested_reminded_once_then_rolled(core, clock, notifier):
    core.contracts.add(BUYER, contract_form(vendor="Zoom", end_date=(TODAY + timedelta(days=40)).isoformat(),
                                            notice_days="10"))  # due in 30 days
    core.contracts.import_csv(ADMIN, "\n".join([
        "vendor,product,it_owner,procurement_owner,start_date,end_date,notice_days,auto_renew,term_months,"
        "annual_cost,currency,seats,notes",
        f"Acme,CRM,{IT},{BUYER},2026-01-01,{END},30,yes,12,5000,USD,10,",
    ]))  # imported on the day: its notice deadline passed three days ago

    # Listed first, whatever the horizon.
    listed = [(d.contract.vendor, d.days_left, d.missed) for d in core.contracts.upcoming(IT, 90)]
    assert listed == [("Acme", -3, True), ("Zoom", 30, False)]
    assert [d.contract.vendor for d in core.contracts.upcoming(IT, 1)] == ["Acme"]

    # At the top of the digest.
    digest = core.schedule.digest()
    assert [d.contract.vendor for d in digest.deadlines] == ["Acme", "Zoom"]
    assert [d.contract.vendor for d in digest.missed] == ["Acme"]
    assert digest.summary().startswith("Tandem digest: 1 missed notice deadline, 1 notice deadline")

    # One reminder to both owners, with what it means and what to do.
    core.schedule.sweep()
    acme = [r for r in notifier.reminders() if r.subject == "contract:2"]
    assert Counter((r.threshold, r.person) for r in acme) == {(MISSED, IT): 1, (MISSED, BUYER): 1}
    assert describe(acme[0]) == ("Acme CRM (contract 2): notice deadline passed 3 days ago; it auto-renews on "
                                 "2026-12-13 for 12 months, USD 5,000 — talk to the vendor now.")

    # Exactly once through the ledger, however many sweeps run while it stays missed.
    for _ in range(27):  # to the end date itself
        clock.advance(days=1)
        core.schedule.sweep()
    assert Counter(notices(notifier))[("contract:2", MISSED, IT)] == 1
    assert core.contracts.get(2).missed(core.contracts.today()), "still missed on its end date"

    # The day after its end date it rolls into the next term and is no longer missed.
    clock.advance(days=1)
    core.schedule.sweep()
    rolled = core.contracts.get(2)
    assert (rolled.status, rolled.end_date) == (ContractStatus.ACTIVE, date(2027, 12, 13))
    assert not rolled.missed(core.contracts.today())
    assert [d.contract.vendor for d in core.contracts.upcoming(IT, 90)] == ["Zoom"], "Acme: next deadline 2027-11-13"
    assert Counter(notices(notifier))[("contract:2", MISSED, IT)] == 1


def test_a_missed_deadline_without_auto_renew_expires_at_its_end_date(core, clock, notifier):
    core.contracts.add(BUYER, missed_contract(auto_renew="no"))
    core.schedule.sweep()
    [first, *_] = [r for r in notifier.reminders() if r.threshold == MISSED]
    assert "notice deadline passed 3 days ago; it ends on 2026-12-13 without renewal, USD 5,000" in describe(first)
    clock.advance(days=28)
    core.schedule.sweep()
    assert core.contracts.get(1).status is ContractStatus.EXPIRED
    assert core.contracts.upcoming(IT, 90) == []


def test_a_decided_contract_is_not_missed(core, clock, notifier):
    core.contracts.add(BUYER, missed_contract())
    core.contracts.mark_renewed(BUYER, 1)
    core.schedule.sweep()
    assert notifier.reminders() == [] and core.contracts.upcoming(IT, 90) == []


def test_thresholds_not_yet_passed_keep_the_late_data_rule(core, clock, notifier):
    core.contracts.add(BUYER, contract_form(end_date=(TODAY + timedelta(days=25)).isoformat(), notice_days="0"))
    for _ in range(30):
        core.schedule.sweep()
        clock.advance(days=1)
    thresholds = Counter(r.threshold for r in notifier.reminders())
    assert thresholds == {"30": 2, "7": 2}, "the nearest passed threshold once, then 7; never missed (deadline = end)"
