"""The status flow, every legal and illegal move."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from bot.errors import InvalidTransition
from bot.requests import Category, Request, Sensitivity, Status, Urgency, check_transition, next_statuses

NOW = datetime(2026, 11, 16, tzinfo=timezone.utc)


def make(status: Status, resume: Status | None = None) -> Request:
    return Request(
        id=7, title="t", details="", category=Category.SAAS, quantity=1, estimated_cost=Decimal("1"),
        currency="USD", needed_by=None, urgency=Urgency.NORMAL, sensitivity=Sensitivity.INTERNAL,
        preferred_vendor="", contract_id=None, requester="U1", owner=None if status is Status.NEW else "U2",
        status=status, resume_status=resume, created_at=NOW, updated_at=NOW,
    )


EXPECTED = {
    Status.NEW: {Status.ON_HOLD, Status.CANCELLED},
    Status.CLAIMED: {Status.SOURCING, Status.AWAITING_IT, Status.ON_HOLD, Status.CANCELLED},
    Status.SOURCING: {Status.APPROVED, Status.AWAITING_IT, Status.ON_HOLD, Status.CANCELLED},
    Status.APPROVED: {Status.ORDERED, Status.AWAITING_IT, Status.ON_HOLD, Status.CANCELLED},
    Status.ORDERED: {Status.FULFILLED, Status.AWAITING_IT, Status.ON_HOLD, Status.CANCELLED},
    Status.FULFILLED: set(),
    Status.CANCELLED: set(),
}


@pytest.mark.parametrize("source", list(EXPECTED))
@pytest.mark.parametrize("target", list(Status))
def test_every_move_from_a_flow_state(source, target):
    request = make(source)
    if target in EXPECTED[source]:
        check_transition(request, target)
    else:
        with pytest.raises(InvalidTransition) as caught:
            check_transition(request, target)
        assert "#7" in caught.value.message


@pytest.mark.parametrize("held_from", [Status.CLAIMED, Status.SOURCING, Status.APPROVED, Status.ORDERED])
def test_on_hold_resumes_only_where_it_was(held_from):
    request = make(Status.ON_HOLD, resume=held_from)
    assert set(next_statuses(request)) == {held_from, Status.CANCELLED}
    for other in set(Status) - {held_from, Status.CANCELLED}:
        with pytest.raises(InvalidTransition):
            check_transition(request, other)


def test_awaiting_it_resumes_or_goes_on_hold():
    request = make(Status.AWAITING_IT, resume=Status.SOURCING)
    assert next_statuses(request) == [Status.SOURCING, Status.ON_HOLD, Status.CANCELLED]


def test_refusal_names_the_allowed_next_steps():
    with pytest.raises(InvalidTransition) as caught:
        check_transition(make(Status.SOURCING), Status.FULFILLED)
    assert caught.value.message == (
        "#7 cannot move from sourcing to fulfilled. Allowed next: `approved`, `awaiting_it`, `on_hold`, `cancelled`."
    )


def test_closed_requests_cannot_change():
    with pytest.raises(InvalidTransition, match="no longer change"):
        check_transition(make(Status.FULFILLED), Status.ORDERED)


def test_claiming_is_its_own_action():
    with pytest.raises(InvalidTransition, match="claim 7"):
        check_transition(make(Status.NEW), Status.CLAIMED)
