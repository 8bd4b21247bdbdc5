"""Domain errors. Each carries a message fit to show the user who caused it, and may carry a
``Problem``: a stable code and its parameters, for an edge that words it in its own terms
(Teams names no Slack user) instead of matching the message's words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field as dataclass_field


@dataclass(frozen=True)
class Problem:
    code: str  # stable: edges match on it, never on a message's words
    params: Mapping[str, str] = dataclass_field(default_factory=dict)


class DomainError(Exception):
    """Base class: ``str(error)`` is the user-facing message."""

    def __init__(self, message: str, field: str | None = None, problem: Problem | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problem = problem

    @property
    def code(self) -> str:
        return self.problem.code if self.problem is not None else ""

    @property
    def params(self) -> Mapping[str, str]:
        return self.problem.params if self.problem is not None else {}


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class BadInput(DomainError):
    """Input that cannot be accepted. ``field`` names the form field when there is one;
    ``errors`` maps several fields to messages for forms that show them inline, ``field_problems``
    some of those fields to their ``Problem``."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None,
                 field_problems: Mapping[str, Problem] | None = None, problem: Problem | None = None):
        super().__init__(message, field, problem)
        self.errors = errors or ({field: message} if field else {})
        self.field_problems = dict(field_problems or ({field: problem} if field and problem else {}))


class StartupFailed(Exception):
    """A platform could not start (a token refused, the service unreachable). ``tandem run``
    prints the message as one line and exits with status 1."""
