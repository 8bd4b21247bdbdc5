"""Who may do what: one check that every path (button, command, modal, shell, CLI) calls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.errors import NotAllowed


class Role(StrEnum):
    REQUESTER = "requester"
    PROCUREMENT = "procurement"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    COMMENT = "comment"
    EDIT = "edit"
    CANCEL = "cancel"
    CLAIM = "claim"
    UNCLAIM = "unclaim"
    CHANGE_STATUS = "change status"
    ADD_CONTRACT = "add contract"
    MANAGE_CONTRACT = "manage contract"
    ADMINISTER = "administer"
    APPROVE = "approve"
    REJECT = "reject"
    START_RENEWAL = "start renewal"
    MARK_RENEWED = "mark renewed"
    MARK_CANCELLED = "mark cancelled"
    # Deciding together (bot.options) and IT's risk checks (bot.risk).
    ADD_OPTION = "add option"
    RATE_FIT_RISK = "rate fit and risk"
    RATE_COST_TERMS = "rate cost and terms"
    SIGN_OFF = "sign off"
    TICK_CHECK = "tick a risk check"


@dataclass(frozen=True)
class Allowed:
    """The actions a viewer may take on a subject in a place (``bot.visibility.actions_for``);
    ``statuses`` are the statuses they may move a request to (the Change status menu)."""

    actions: frozenset[Action] = frozenset()
    statuses: tuple = ()

    def __contains__(self, action: object) -> bool:
        return action in self.actions


# Resolves a user-group ID (S…) to its members; platforms provide it (Slack: usergroups.users.list).
GroupResolver = Callable[[str], Iterable[str]]


class Roles:
    """Role membership from ``TANDEM_PROCUREMENT`` / ``TANDEM_ADMINS``: user IDs and group IDs."""

    def __init__(self, procurement: Iterable[str] = (), admins: Iterable[str] = (), groups: GroupResolver | None = None,
                 people: PeopleDirectory | None = None):
        self.procurement = tuple(procurement)
        self.admins = tuple(admins)
        self._groups = groups
        self._lock = threading.Lock()
        # The people directory (``bot.people_service.People``), when there is one: a person's
        # accounts on every platform and their e-mail address count as them.
        self.people = people

    def with_people(self, people: PeopleDirectory) -> Roles:
        """The same role entries and groups, with a person's other accounts counting as them."""
        return Roles(self.procurement, self.admins, self._groups, people)

    def _members(self, entries: tuple[str, ...]) -> set[str]:
        members = {_plain(entry) for entry in entries if not _is_group(entry)}
        if self._groups is not None:
            for entry in entries:
                if _is_group(entry):
                    members.update(self._groups(entry))
        return members

    def _names(self, user: str) -> set[str]:
        """``user`` and, with a people directory, every other name role entries may use for them."""
        return self.people.aliases(user) if self.people is not None else {user}

    def members_of(self, entries) -> set[str]:
        """The people behind configured entries (user IDs, e-mail addresses and groups)."""
        return self._persons(self._members(tuple(entries)))

    def _persons(self, members: set[str]) -> set[str]:
        """With a people directory, an entry naming someone's other account or e-mail address
        stands for the person the core knows them as."""
        if self.people is None:
            return members
        return {person for member in members for person in (self.people.persons(member) or {member})}

    def role_of(self, user: str) -> Role:
        names = {_plain(name) for name in self._names(user)}
        if names & self._members(self.admins):
            return Role.ADMIN
        if names & self._members(self.procurement):
            return Role.PROCUREMENT
        return Role.REQUESTER

    def is_procurement(self, user: str) -> bool:
        return self.role_of(user) in (Role.PROCUREMENT, Role.ADMIN)

    def procurement_members(self) -> set[str]:
        return self._persons(self._members(self.procurement) | self._members(self.admins))


class PeopleDirectory(Protocol):
    def aliases(self, person: str) -> set[str]: ...

    def persons(self, entry: str) -> set[str]: ...


def _is_group(entry: str) -> bool:
    """A Slack user-group ID (S…), as opposed to a user ID or an e-mail address."""
    return entry.startswith("S") and "@" not in entry


def _plain(entry: str) -> str:
    """E-mail addresses compare case-insensitively; IDs exactly."""
    return entry.lower() if "@" in entry else entry


# Changes to a contract that are each its own button, allowed to whoever may manage it.
CONTRACT_CHANGES = {action: Action.MANAGE_CONTRACT
                    for action in (Action.START_RENEWAL, Action.MARK_RENEWED, Action.MARK_CANCELLED)}

_REFUSALS = {
    Action.CLAIM: "Only procurement members can claim requests.",
    Action.CHANGE_STATUS: "Only procurement members can change a request's status.",
    Action.UNCLAIM: "Only the person who claimed {subject} (or an admin) can unclaim it.",
    Action.EDIT: "Only the requester of {subject} (or an admin) can edit it.",
    Action.CANCEL: "Only the requester of {subject} or procurement can cancel it.",
    Action.ADD_CONTRACT: "Only procurement members can add contracts.",
    Action.MANAGE_CONTRACT: "Only procurement members and the contract's owners can change {subject}.",
    Action.ADMINISTER: "Only Tandem admins can do that.",
}


def authorize(
    roles: Roles,
    user: str,
    action: Action,
    *,
    subject: str = "it",
    requester: str | None = None,
    owners: Iterable[str] = (),
) -> None:
    """Raises ``NotAllowed`` unless ``user`` may do ``action``.

    ``requester`` is the subject's requester (for requests); ``owners`` are the people who
    own the subject (the claimer of a request, the IT and procurement owners of a contract).
    """
    if action in (Action.APPROVE, Action.REJECT):
        raise ValueError("approvals are checked by bot.visibility, which knows the approvers")
    action = CONTRACT_CHANGES.get(action, action)
    role = roles.role_of(user)
    owners = {owner for owner in owners if owner}
    if role is Role.ADMIN or action in (Action.VIEW, Action.CREATE, Action.COMMENT):
        return
    procurement = role is Role.PROCUREMENT
    allowed = {
        Action.CLAIM: procurement,
        Action.CHANGE_STATUS: procurement,
        Action.UNCLAIM: user in owners,
        Action.EDIT: user == requester,
        Action.CANCEL: procurement or user == requester,
        Action.ADD_CONTRACT: procurement,
        Action.MANAGE_CONTRACT: procurement or user in owners,
        Action.ADMINISTER: False,
    }[action]
    if not allowed:
        raise NotAllowed(_REFUSALS[action].format(subject=subject))
