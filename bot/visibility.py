"""What a viewer may see in a place, and which actions they may take: decided once, here.

Every surface (Slack, Teams, the shell, files, logs) gets *views* cut to a viewer and a
place by this module, and draws its buttons from ``actions_for``; the services check the
same rules before they change anything. A renderer never has to decide anything about
confidentiality: what it is handed is what it may print.

Places:

- ``Place.CHANNEL``: the shared channel and its threads (and a Teams channel). Everyone in
  it reads along, so it shows what anyone may see, whoever asked.
- ``Place.PRIVATE``: only the viewer reads it: an ephemeral answer, a DM, a modal, the
  App Home, a Teams personal chat, the shell's DM.

A confidential or restricted request shows its details, justification, cost and comments
only in a private place, and only to its requester, procurement members, admins and the
approvers; everyone else, everywhere, sees its number, category, status and owner.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from functools import cached_property
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import NotAllowed
from bot.permissions import Action, Allowed, Role, Roles
from bot.requests import Request, RequestDetails, Status, next_statuses, redact, redact_details, shown_with

if TYPE_CHECKING:
    from bot.contracts import Contract, ContractDetails
    from bot.request_service import Page


class Place(StrEnum):
    CHANNEL = "channel"  # the shared channel and its threads: everyone reads along
    PRIVATE = "private"  # ephemeral answers, DMs, modals, App Home, a Teams personal chat


# The viewer of the shared channel: nobody in particular, so only what anyone may see.
NOBODY: str | None = None


# What a refusal says, by action; {subject} is the request's or contract's number.
REFUSALS = {
    Action.VIEW: "{subject} is confidential: only its requester, procurement, admins and the approvers see it.",
    Action.COMMENT: "{subject} is confidential: only its requester, procurement, admins and the approvers "
                    "can add notes to it.",
    Action.CLAIM: "Only procurement members can claim requests.",
    Action.CHANGE_STATUS: "Only procurement members can change a request's status.",
    Action.UNCLAIM: "Only the person who claimed {subject} (or an admin) can unclaim it.",
    Action.EDIT: "Only the requester of {subject} (or an admin) can edit it.",
    Action.CANCEL: "Only the requester of {subject} or procurement can cancel it.",
    Action.APPROVE: "Only the approvers can approve {subject}.",
    Action.REJECT: "Only the approvers can reject {subject}.",
    Action.ADD_CONTRACT: "Only procurement members can add contracts.",
    Action.MANAGE_CONTRACT: "Only procurement members and the contract's owners can change {subject}.",
    Action.ADMINISTER: "Only Tandem admins can do that.",
    Action.ADD_OPTION: "Only procurement members add options to a request.",
    Action.RATE_FIT_RISK: "IT rates an option's fit and risk (on {subject}: its requester and IT, if confidential "
                          "only its requester); procurement rates cost and terms.",
    Action.RATE_COST_TERMS: "Procurement rates an option's cost and terms; IT rates fit and risk.",
    Action.SIGN_OFF: "The choice on {subject} is signed off by its requester and its owner.",
    Action.TICK_CHECK: "IT ticks the risk checks; procurement sees them on the card.",
}
# Why an action someone may take is not offered on a request in its current state.
NOT_NOW = {
    Action.APPROVE: "{subject} is not waiting for approval.",
    Action.REJECT: "{subject} is not waiting for approval.",
    Action.CLAIM: "{subject} is {status}; only new requests can be claimed.",
    Action.UNCLAIM: "{subject} is not claimed by anyone.",
    Action.CHANGE_STATUS: "{subject} is {status}; it can no longer change.",
    Action.EDIT: "{subject} is {status}; it can no longer be edited.",
    Action.CANCEL: "{subject} is {status}; it can no longer change.",
}
# What a request offers as a row of a list: Open, whoever looks (see ``Visibility.page``).
ROW = Allowed(frozenset({Action.VIEW}))

OWN_REQUEST = "Nobody approves their own request: someone else must decide on {subject}."

# Request actions that depend on the request's state, in the order buttons are drawn.
REQUEST_ACTIONS = (Action.CLAIM, Action.UNCLAIM, Action.CHANGE_STATUS, Action.COMMENT, Action.VIEW, Action.EDIT,
                   Action.CANCEL, Action.APPROVE, Action.REJECT)


class Visibility:
    """The one decision of what a viewer may see in a place and which actions they may take.

    ``approver_entries`` are the configured approvers (user IDs, groups, e-mail addresses);
    ``approval_open`` says whether a request has an approval round waiting for decisions."""

    def __init__(self, roles: Roles, approver_entries: Iterable[str] = (),
                 approval_open: Callable[[Request], bool] | None = None, hide_costs: bool = False):
        self.roles = roles
        self.approver_entries = tuple(approver_entries)
        self.approval_open = approval_open or (lambda request: False)
        self.hide_costs = hide_costs

    # --- who ------------------------------------------------------------------------------

    def approvers(self) -> set[str]:
        return self.roles.members_of(self.approver_entries) if self.approver_entries else set()

    def approvers_for(self, request: Request) -> set[str]:
        """Who decides on ``request``: the approvers other than its requester; when every
        approver is the requester, the other admins (nobody approves their own request)."""
        others = self.approvers() - {request.requester}
        if others or not self.approver_entries:
            return others
        return self.roles.members_of(self.roles.admins) - {request.requester}

    def who(self, viewer: str | None) -> Who:
        """The viewer with their role and whether they approve, looked up once."""
        return Who(viewer, self)

    def may_see(self, viewer: str | None | Who, request: Request) -> bool:
        """Whether ``viewer`` may see a request's details, justification, cost and comments
        (in a private place)."""
        if not request.is_confidential:
            return True
        who = viewer if isinstance(viewer, Who) else self.who(viewer)
        if not who.id:
            return False
        return who.id == request.requester or who.role in (Role.PROCUREMENT, Role.ADMIN) or who.approver

    def costs_visible(self, viewer: str | None, place: Place = Place.PRIVATE) -> bool:
        """With ``TANDEM_HIDE_COSTS``, contract costs only for procurement and admins, in private."""
        if not self.hide_costs:
            return True
        return place is Place.PRIVATE and bool(viewer) and self.roles.is_procurement(viewer)

    # --- views ------------------------------------------------------------------------------

    def request(self, viewer: str | None, request: Request, place: Place) -> Request:
        """``request`` as ``viewer`` may see it in ``place``, with the actions they may take
        there (``Request.actions``: what renderers draw buttons from)."""
        return self._request(self.who(viewer), request, place)

    def requests(self, viewer: str | None, requests: Iterable[Request], place: Place) -> list[Request]:
        who = self.who(viewer)
        return [self._request(who, request, place) for request in requests]

    def _request(self, who: Who, request: Request, place: Place) -> Request:
        shown = request if place is Place.PRIVATE and self.may_see(who, request) else redact(request)
        return shown_with(shown, self._request_actions(who, request, place))

    def thread_note(self, request: Request, text: str) -> str | None:
        """What the shared channel's card threads may show of a note on ``request``: its
        text, or None for a confidential or restricted request (its notes are private)."""
        return None if self._request(self.who(NOBODY), request, Place.CHANNEL).redacted else text

    def details(self, viewer: str | None, item: RequestDetails, place: Place) -> RequestDetails:
        """A request with its comments and history: a confidential one's comments and the
        changes to its details only where its details may be seen."""
        who = self.who(viewer)
        if item.request.is_confidential and not (place is Place.PRIVATE and self.may_see(who, item.request)):
            item = redact_details(item)
        return dataclasses.replace(item, request=self._request(who, item.request, place))

    def page(self, viewer: str | None, page: Page, place: Place) -> Page:
        """A list's rows as ``viewer`` may see them in ``place``. A row offers only Open
        (``ROW``): what else they may do is decided when it is opened, so a list of 50 asks
        no approval round and no rule per row and button."""
        who = self.who(viewer)
        return dataclasses.replace(page, items=[self._row(who, request, place) for request in page.items])

    def _row(self, who: Who, request: Request, place: Place) -> Request:
        shown = request if place is Place.PRIVATE and self.may_see(who, request) else redact(request)
        return shown_with(shown, ROW)

    def contract_details(self, viewer: str | None, item: ContractDetails, place: Place) -> ContractDetails:
        """A contract's details with its linked requests cut to the viewer and place."""
        return dataclasses.replace(item, requests=self.requests(viewer, item.requests, place),
                                   costs_visible=item.costs_visible and self.costs_visible(viewer, place),
                                   actions=self.actions_for(viewer, item.contract, place))

    def acting(self, viewer: str | None, request: Request, action: Action) -> Request:
        """The request as ``viewer`` sees it in private (a modal), once they may take ``action``
        on it now; otherwise ``NotAllowed`` saying why (who may, or why not now)."""
        who = self.who(viewer)
        shown = self._request(who, request, Place.PRIVATE)
        if action in shown.actions:
            return shown
        why = self._refusal(who, action, request)
        raise NotAllowed(why or NOT_NOW.get(action, "{subject} cannot take that now.").format(
            subject=request.number, status=request.status.label.lower()))

    # --- actions ------------------------------------------------------------------------------

    def actions_for(self, viewer: str | None, subject: Request | Contract, place: Place) -> Allowed:
        """The actions ``viewer`` may take on ``subject`` (a request or a contract) in ``place``.

        In the shared channel buttons are seen by everyone, so there the answer is what the
        subject's state offers to someone; the click is checked for the person who clicks."""
        if isinstance(subject, Request):
            return self._request_actions(self.who(viewer), subject, place)
        return self._contract_actions(viewer, subject, place)

    def _request_actions(self, who: Who, request: Request, place: Place) -> Allowed:
        offered = set(self._request_states(request))
        if place is Place.CHANNEL:
            # Open is offered where the card shows less than some people may see.
            if not request.is_confidential:
                offered.discard(Action.VIEW)
            offered -= {Action.EDIT, Action.CANCEL, Action.APPROVE, Action.REJECT}
            return Allowed(frozenset(offered), tuple(next_statuses(request)))
        allowed = frozenset(action for action in offered if self._refusal(who, action, request) is None)
        statuses = tuple(next_statuses(request)) if Action.CHANGE_STATUS in allowed else ()
        return Allowed(allowed, statuses)

    def _request_states(self, request: Request) -> list[Action]:
        actions = [Action.VIEW, Action.COMMENT]
        if request.is_open:
            actions += [Action.UNCLAIM if request.owner else Action.CLAIM, Action.EDIT, Action.CANCEL]
            if next_statuses(request):
                actions.append(Action.CHANGE_STATUS)
            if request.status is Status.SOURCING and self.approval_open(request):
                actions += [Action.APPROVE, Action.REJECT]
        return [action for action in REQUEST_ACTIONS if action in actions]

    def _contract_actions(self, viewer: str | None, contract: Contract, place: Place) -> Allowed:
        from bot.contracts import ContractStatus

        offered = [Action.VIEW, Action.MANAGE_CONTRACT]
        if contract.status is ContractStatus.ACTIVE:
            offered.append(Action.START_RENEWAL)
        if contract.status in (ContractStatus.ACTIVE, ContractStatus.RENEWING):
            offered.append(Action.MARK_RENEWED)
        if contract.status.in_force:
            offered.append(Action.MARK_CANCELLED)
        if place is Place.PRIVATE:
            offered = [action for action in offered if self.contract_refusal(viewer, action, contract) is None]
        return Allowed(frozenset(offered))

    # --- the checks the services make ------------------------------------------------------------

    def refusal(self, viewer: str | None, action: Action, request: Request) -> str | None:
        """Why ``viewer`` may not take ``action`` on ``request`` (its state aside), or ``None``."""
        return self._refusal(self.who(viewer), action, request)

    def _refusal(self, who: Who, action: Action, request: Request) -> str | None:
        if action is Action.VIEW:
            return None  # everyone may look; what they see is cut by ``request``/``details``
        if who.id and action in (Action.APPROVE, Action.REJECT) and who.id == request.requester and who.approver:
            return OWN_REQUEST.format(subject=request.number)
        if who.id and self._allows(who, action, request):
            return None
        return REFUSALS.get(action, REFUSALS[Action.ADMINISTER]).format(subject=request.number)

    def _allows(self, who: Who, action: Action, request: Request) -> bool:
        """Whether someone (``who.id`` is set) may take ``action`` on ``request``, its state aside.
        Each rule asks only what it needs: lists ask this for every row and every button."""
        if action in (Action.APPROVE, Action.REJECT):
            return who.id in self.approvers_for(request)
        if action is Action.COMMENT:
            return self.may_see(who, request)
        if action is Action.SIGN_OFF:  # the two people who decide together, admins included
            return who.id in (request.requester, request.owner)
        if who.role is Role.ADMIN:
            return True
        procurement = who.role is Role.PROCUREMENT
        if action in (Action.CLAIM, Action.CHANGE_STATUS, Action.ADD_OPTION, Action.RATE_COST_TERMS):
            return procurement
        if action is Action.UNCLAIM:
            return who.id == request.owner
        if action is Action.EDIT:
            return who.id == request.requester
        if action is Action.CANCEL:
            return procurement or who.id == request.requester
        if action is Action.RATE_FIT_RISK:
            return not procurement and self.may_see(who, request)
        if action is Action.TICK_CHECK:
            return not procurement
        return False

    def contract_refusal(self, viewer: str | None, action: Action, contract: Contract) -> str | None:
        """Anyone may look at a contract; procurement and its owners may change it."""
        if action is Action.VIEW:
            return None
        if viewer and (self.roles.is_procurement(viewer) or viewer in set(contract.owners)):
            return None
        return REFUSALS[Action.MANAGE_CONTRACT].format(subject=contract.number)

    def sourcing_refusal(self, viewer: str | None, it_owners: set[str]) -> str | None:
        """IT's stance per category (the sourcing map) is IT's to set: admins and the IT
        owners of contracts in force. Anyone may look at it."""
        if viewer and (self.roles.role_of(viewer) is Role.ADMIN or viewer in it_owners):
            return None
        return "IT's sourcing stances are set by the IT owners of contracts and admins."

    def require(self, viewer: str | None, action: Action, subject: Request | Contract) -> None:
        """Raises ``NotAllowed`` unless ``viewer`` may take ``action`` on ``subject``."""
        if isinstance(subject, Request):
            why = self.refusal(viewer, action, subject)
        else:
            why = self.contract_refusal(viewer, action, subject)
        if why is not None:
            raise NotAllowed(why)


class Who:
    """A viewer with what the rules ask about them, each looked up once (and only if asked)."""

    def __init__(self, viewer: str | None, visibility: Visibility):
        self.id = viewer or None
        self._visibility = visibility

    @cached_property
    def role(self) -> Role | None:
        return self._visibility.roles.role_of(self.id) if self.id else None

    @cached_property
    def approver(self) -> bool:
        return bool(self.id) and self.id in self._visibility.approvers()
