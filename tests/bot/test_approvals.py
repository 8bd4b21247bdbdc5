"""Approvals: thresholds with currency conversion, any/all policies, no self-approval, rejection."""


import pytest

from bot.approvals import ApprovalPending, why_needed
from bot.config import Settings
from bot.core import build_core
from bot.errors import BadInput, InvalidTransition, NotAllowed
from bot.requests import Status
from tests.conftest import ADMIN, BUYER, IT, need
from testing.notifier import RecordingNotifier
from bot.markup import mention

APPROVER_A = "U0APPROVEA"
APPROVER_B = "U0APPROVEB"


def make_core(tmp_path, clock, policy="any", approvers=f"{APPROVER_A},{APPROVER_B}", **env):
    settings = Settings.from_env({
        "TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_APPROVERS": approvers, "TANDEM_APPROVAL_POLICY": policy, "TANDEM_APPROVAL_THRESHOLD": "10000",
        "TANDEM_BASE_CURRENCY": "USD", "TANDEM_FX_RATES": "EUR=1.10,GBP=1.25", **env,
    })
    notifier = RecordingNotifier()
    return build_core(settings, notifier, clock=clock), notifier


def to_sourcing(core, **form):
    request = core.requests.create(IT, need(**form))
    core.requests.claim(BUYER, request.id)
    core.requests.change_status(BUYER, request.id, "sourcing")
    return request.id


@pytest.mark.parametrize(
    "cost, currency, sensitivity, needed",
    [
        ("9999.99", "USD", "internal", False),
        ("10000", "USD", "internal", True),
        ("9000", "EUR", "internal", False),  # 9,900 USD
        ("9100", "EUR", "internal", True),  # 10,010 USD
        ("8000", "GBP", "internal", True),  # 10,000 USD exactly
        ("100", "JPY", "internal", True),  # no rate: approval needed rather than guessed
        ("", "USD", "restricted", True),
        ("", "USD", "confidential", True),  # an unknown cost is not under the threshold
    ],
)
def test_threshold_in_the_base_currency(tmp_path, clock, cost, currency, sensitivity, needed):
    core, _ = make_core(tmp_path, clock)
    request = core.requests.create(IT, need(estimated_cost=cost, currency=currency, sensitivity=sensitivity))
    assert (why_needed(request, core.settings) is not None) is needed


def test_a_costly_need_cannot_be_approved_without_its_approvers(tmp_path, clock):
    core, notifier = make_core(tmp_path, clock)
    number = to_sourcing(core, estimated_cost="25000")
    with pytest.raises(ApprovalPending, match="needs approval because its cost \\(USD 25,000\\) reaches"):
        core.requests.change_status(BUYER, number, "approved")
    assert core.requests.get(number).status is Status.SOURCING
    asked = sorted(call[1] for call in notifier.calls if call[0] == "ask_approval")
    assert asked == [APPROVER_A, APPROVER_B]
    # asking again does not open a second round or ask twice
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, number, "approved")
    assert len([c for c in notifier.calls if c[0] == "ask_approval"]) == 2

    with pytest.raises(NotAllowed, match="Only the approvers"):
        core.approvals.approve(BUYER, number)
    request = core.approvals.approve(APPROVER_A, number)
    assert request.status is Status.APPROVED
    actions = [e.action for e in core.requests.show(IT, number).events]
    assert actions[-2:] == ["approval requested", "approved"]
    history = core.requests.show(IT, number).events[-1]
    assert history.actor == APPROVER_A


def test_policy_all_waits_for_every_approver(tmp_path, clock):
    core, _ = make_core(tmp_path, clock, policy="all")
    number = to_sourcing(core, estimated_cost="25000")
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, number, "approved")
    assert core.approvals.approve(APPROVER_A, number).status is Status.SOURCING
    with pytest.raises(InvalidTransition, match="already decided"):
        core.approvals.approve(APPROVER_A, number)
    assert core.approvals.approve(APPROVER_B, number).status is Status.APPROVED


def test_nobody_approves_their_own_request(tmp_path, clock):
    core, notifier = make_core(tmp_path, clock)
    request = core.requests.create(APPROVER_A, need(estimated_cost="50000"))
    core.requests.claim(BUYER, request.id)
    core.requests.change_status(BUYER, request.id, "sourcing")
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, request.id, "approved")
    assert [c[1] for c in notifier.calls if c[0] == "ask_approval"] == [APPROVER_B]
    with pytest.raises(NotAllowed, match="Nobody approves their own request"):
        core.approvals.approve(APPROVER_A, request.id)
    assert core.requests.get(request.id).status is Status.SOURCING


def test_policy_all_skips_the_requesters_own_entry(tmp_path, clock):
    core, _ = make_core(tmp_path, clock, policy="all")
    request = core.requests.create(APPROVER_A, need(estimated_cost="50000"))
    core.requests.claim(BUYER, request.id)
    core.requests.change_status(BUYER, request.id, "sourcing")
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, request.id, "approved")
    assert core.approvals.approve(APPROVER_B, request.id).status is Status.APPROVED


def test_a_rejection_returns_to_sourcing_with_the_reason(tmp_path, clock):
    core, notifier = make_core(tmp_path, clock)
    number = to_sourcing(core, estimated_cost="25000")
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, number, "approved")
    with pytest.raises(BadInput, match="Say why"):
        core.approvals.reject(APPROVER_B, number, "  ")
    request = core.approvals.reject(APPROVER_B, number, "Use the existing Zoom contract")
    assert request.status is Status.SOURCING
    last = core.requests.show(IT, number).events[-1]
    assert (last.action, last.actor, last.after["reason"]) == ("approval rejected", APPROVER_B,
                                                              "Use the existing Zoom contract")
    assert any(c[0] == "post_in_thread" and "Use the existing Zoom contract" in c[2] for c in notifier.calls)
    with pytest.raises(InvalidTransition, match="not waiting for approval"):
        core.approvals.approve(APPROVER_A, number)
    # trying again opens a new round
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, number, "approved")
    assert core.approvals.approve(APPROVER_A, number).status is Status.APPROVED


def test_the_card_shows_the_approval_state(tmp_path, clock):
    core, notifier = make_core(tmp_path, clock)
    number = to_sourcing(core, estimated_cost="25000")
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, number, "approved")
    core.approvals.approve(APPROVER_A, number)
    card = [c for c in notifier.calls if c[0] == "update_card"][-1][2]
    assert card.approval.state == "approved"
    assert [d.approver for d in card.approval.decisions] == [APPROVER_A]


def test_below_threshold_moves_straight_to_approved(tmp_path, clock):
    core, notifier = make_core(tmp_path, clock)
    number = to_sourcing(core, estimated_cost="500")
    assert core.requests.change_status(BUYER, number, "approved").status is Status.APPROVED
    assert not [c for c in notifier.calls if c[0] == "ask_approval"]


def test_without_approvers_or_admins_nothing_is_gated(tmp_path, clock):
    core, _ = make_core(tmp_path, clock, approvers="", TANDEM_ADMINS="")
    number = to_sourcing(core, estimated_cost="999999")
    assert core.requests.change_status(BUYER, number, "approved").status is Status.APPROVED


def test_approvers_default_to_admins(tmp_path, clock):
    core, notifier = make_core(tmp_path, clock, approvers="")
    number = to_sourcing(core, estimated_cost="999999")
    with pytest.raises(ApprovalPending):
        core.requests.change_status(BUYER, number, "approved")
    assert [c[1] for c in notifier.calls if c[0] == "ask_approval"] == [ADMIN]
    assert core.approvals.approve(ADMIN, number).status is Status.APPROVED


def test_when_the_only_approver_is_the_requester_the_other_admins_are_asked(tmp_path, clock):
    from bot.approvals import approvers_warning

    admin2 = "U0ADMIN002"
    core, notifier = make_core(tmp_path, clock, approvers=ADMIN, TANDEM_ADMINS=f"{ADMIN},{admin2}")
    assert "is the only approver" in approvers_warning(core.settings), "what `tandem run` warns at start"
    request = core.requests.create(ADMIN, need(estimated_cost="50000"))
    core.requests.claim(BUYER, request.id)
    core.requests.change_status(BUYER, request.id, "sourcing")
    with pytest.raises(ApprovalPending) as pending:
        core.requests.change_status(BUYER, request.id, "approved")
    assert f"Asked: {mention(admin2)}" in pending.value.message
    assert [c[1] for c in notifier.calls if c[0] == "ask_approval"] == [admin2]
    with pytest.raises(NotAllowed):
        core.approvals.approve(ADMIN, request.id)  # still nobody approves their own request
    assert core.approvals.approve(admin2, request.id).status is Status.APPROVED


def test_an_only_approver_with_no_other_admin_is_told_what_to_configure(tmp_path, clock):
    core, notifier = make_core(tmp_path, clock, approvers=ADMIN)
    request = core.requests.create(ADMIN, need(estimated_cost="50000"))
    core.requests.claim(BUYER, request.id)
    core.requests.change_status(BUYER, request.id, "sourcing")
    with pytest.raises(ApprovalPending) as pending:
        core.requests.change_status(BUYER, request.id, "approved")
    assert "there is no other admin to ask. Add an approver to TANDEM_APPROVERS" in pending.value.message
    assert [c for c in notifier.calls if c[0] == "ask_approval"] == []
