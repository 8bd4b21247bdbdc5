"""The one decision of what a viewer sees in a place and which actions they may take."""

import pytest

from bot.config import Settings
from bot.core import build_core
from bot.errors import NotAllowed
from bot.permissions import Action
from bot.visibility import NOBODY, Place
from tests.conftest import ADMIN, BUYER, IT, IT2, need
from testing.notifier import RecordingNotifier

APPROVER = "U0APPROVER"


@pytest.fixture
def core(tmp_path, clock):
    settings = Settings.from_env({
        "TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_APPROVERS": APPROVER, "TANDEM_APPROVAL_THRESHOLD": "10000",
    })
    core = build_core(settings, RecordingNotifier(), clock=clock)
    yield core
    core.close()


def secret(core, sensitivity="restricted"):
    return core.requests.create(IT, need(title="Acquire Acme", sensitivity=sensitivity, estimated_cost="25000"))


@pytest.mark.parametrize("viewer, sees", [(IT, True), (IT2, False), (BUYER, True), (ADMIN, True),
                                          (APPROVER, True), (NOBODY, False)])
def test_who_sees_a_confidential_request_in_private_and_nobody_in_the_channel(core, viewer, sees):
    request = secret(core)
    assert (core.visibility.request(viewer, request, Place.PRIVATE).title == "Acquire Acme") is sees
    assert core.visibility.request(viewer, request, Place.CHANNEL).redacted


def waiting(core):
    request = secret(core)
    core.requests.claim(BUYER, request.id)
    core.requests.change_status(BUYER, request.id, "sourcing")
    with pytest.raises(NotAllowed):  # ApprovalPending is an InvalidTransition, not NotAllowed
        core.visibility.require(IT2, Action.APPROVE, request)
    try:
        core.requests.change_status(BUYER, request.id, "approved")
    except Exception as pending:  # noqa: BLE001 - the approvers have been asked
        assert "needs approval" in str(pending)
    return core.requests.get(request.id)


@pytest.mark.parametrize("viewer, may", [(APPROVER, True), (IT, False), (IT2, False), (BUYER, False),
                                         (ADMIN, False), (NOBODY, False)])
def test_approve_and_reject_are_offered_to_approvers_only_while_a_round_is_open(core, viewer, may):
    request = waiting(core)
    allowed = core.visibility.actions_for(viewer, request, Place.PRIVATE)
    assert (Action.APPROVE in allowed, Action.REJECT in allowed) == (may, may)
    assert Action.APPROVE not in core.visibility.actions_for(viewer, request, Place.CHANNEL)


def test_the_services_check_the_same_rules_as_the_buttons(core):
    request = waiting(core)
    with pytest.raises(NotAllowed, match="Only the approvers can approve #1."):
        core.approvals.approve(BUYER, request.id)
    with pytest.raises(NotAllowed, match="confidential"):
        core.requests.note(IT2, request.id, "peek", source="command")
    assert Action.COMMENT not in core.visibility.actions_for(IT2, request, Place.PRIVATE)
    core.approvals.approve(APPROVER, request.id)
    assert Action.APPROVE not in core.visibility.actions_for(APPROVER, core.requests.get(1), Place.PRIVATE)


def test_contract_details_cut_linked_requests_to_the_place(core):
    core.contracts.add(BUYER, {"vendor": "Zoom", "product": "Pro", "end_date": "2027-06-30", "notice_days": "30",
                               "auto_renew": "yes", "it_owner": IT})
    core.requests.create(IT, need(title="Acquire Acme", sensitivity="confidential", preferred_vendor="zoom"))
    assert [r.title for r in core.contracts.show(BUYER, 1).requests] == ["Acquire Acme"]
    assert [r.title for r in core.contracts.show(BUYER, 1, Place.CHANNEL).requests] == ["Confidential request"]
    assert [r.title for r in core.contracts.show(IT2, 1).requests] == ["Confidential request"]
    assert Action.MANAGE_CONTRACT in core.contracts.show(IT, 1).actions
    assert core.contracts.show(IT2, 1).actions.actions == {Action.VIEW}


@pytest.mark.parametrize("viewer, sees", [(IT, True), (IT2, False), (BUYER, True), (NOBODY, False)])
def test_a_lists_rows_are_cut_like_the_request_and_offer_only_open(core, viewer, sees):
    hidden = secret(core)
    plain = core.requests.create(IT2, need(title="Monitors"))
    rows = core.visibility.page(viewer, core.requests.list(ADMIN, "all"), Place.PRIVATE).items
    by_id = {row.id: row for row in rows}
    assert (by_id[hidden.id].title == "Acquire Acme") is sees
    assert by_id[hidden.id].redacted is not sees
    assert by_id[plain.id].title == "Monitors"
    # A row offers Open, whoever looks; what else they may do is decided when it is opened.
    assert {row.actions.actions for row in rows} == {frozenset({Action.VIEW})}
    assert all(row.title != "Acquire Acme" for row in core.visibility.page(viewer, core.requests.list(ADMIN, "all"),
                                                                        Place.CHANNEL).items)
