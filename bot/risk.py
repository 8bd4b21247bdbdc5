"""IT's risk rules: per data class, the checks a purchase needs before it is ordered.

The rules come from ``TANDEM_RISK_CHECKS`` (``parse_rules``), so they are published to
everyone (``/procure rules``) and procurement sees them before sourcing. A need carries the
checklist of its data class on its card from the moment it is posted; IT ticks the items
(``/procure check N 1``), and the status flow refuses ``ordered`` while one is unticked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.errors import BadInput, InvalidTransition, NotFound
from bot.events import Events, RequestChanged
from bot.permissions import Action, Roles
from bot.requests import Request, Sensitivity
from bot.visibility import Visibility
from storage import Store
from storage import risk as repo
from storage.requests import add_event, get_request

CHECK_MAX = 80
CHECKS_PER_CLASS = 10

RiskRules = Mapping[str, tuple[str, ...]]  # data class (Sensitivity value) → the checks


@dataclass(frozen=True)
class Check:
    """One item of a request's checklist; ``done_by`` is empty while it is unticked."""

    number: int
    name: str
    done_by: str | None = None
    done_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.done_by is not None


def parse_rules(text: str | None) -> dict[str, tuple[str, ...]]:
    """``confidential=Security review,DPA;restricted=Security review,DPA,SSO`` → rules.

    Raises ``ValueError`` with a one-line message naming the problem."""
    rules: dict[str, tuple[str, ...]] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        data_class, equals, checks = part.partition("=")
        data_class = data_class.strip().lower()
        if not equals or data_class not in {s.value for s in Sensitivity}:
            classes = ", ".join(s.value for s in Sensitivity)
            raise ValueError(f"{part.strip()[:40]!r} is not CLASS=check,check (classes: {classes})")
        if data_class in rules:
            raise ValueError(f"{data_class} is listed twice")
        names = [name.strip() for name in checks.split(",") if name.strip()]
        if not names:
            raise ValueError(f"{data_class} names no checks")
        if len(names) > CHECKS_PER_CLASS:
            raise ValueError(f"{data_class} has more than {CHECKS_PER_CLASS} checks")
        if len({name.lower() for name in names}) != len(names):
            raise ValueError(f"{data_class} lists a check twice")
        for name in names:
            if len(name) > CHECK_MAX or any(ch in name for ch in "<>&*_`~|"):
                raise ValueError(f"check {name[:40]!r} must be plain text under {CHECK_MAX} characters")
        rules[data_class] = tuple(names)
    return rules


def rules_lines(rules: RiskRules) -> list[str]:
    """The published rules, one line per data class (least to most sensitive)."""
    lines = []
    for data_class in Sensitivity:
        checks = rules.get(data_class.value)
        if checks:
            lines.append(f"{data_class.value}: " + ", ".join(f"{n}. {name}" for n, name in enumerate(checks, 1)))
    return lines


def checklist_line(checks) -> str:
    """The checklist in one line of plain text: "☑ 1. Security review · ☐ 2. DPA"."""
    return " · ".join(f"{'☑' if check.done else '☐'} {check.number}. {check.name}" for check in checks)


class RiskService:
    def __init__(self, store: Store, roles: Roles, clock: Clock, rules: RiskRules, events: Events,
                 visibility: Visibility):
        self.store = store
        self.roles = roles
        self.clock = clock
        self.rules = rules
        self.events = events  # a change shows on the request's card and personal views
        self.visibility = visibility  # who may do what (bot.visibility)

    def checks(self, request: Request) -> tuple[Check, ...]:
        """The checklist of the request's data class, with what IT has ticked."""
        names = self.rules.get(request.sensitivity.value, ())
        ticked = repo.ticks_for(self.store.db, request.id)
        return tuple(Check(number, name, *ticked.get(name.lower(), (None, None)))
                     for number, name in enumerate(names, 1))

    def rules_text(self) -> str:
        lines = rules_lines(self.rules)
        if not lines:
            return ("IT has published no risk rules (`TANDEM_RISK_CHECKS`): no data class needs checks before a "
                    "purchase is ordered.")
        return ("*IT's risk rules* — the checks a purchase needs before it is ordered, by the need's data class:\n"
                + "\n".join(f"• {line}" for line in lines))

    def hint(self, request: Request) -> str:
        """What procurement should know before sourcing: the checks this need's data class needs."""
        names = self.rules.get(request.sensitivity.value, ())
        if not names:
            return ""
        listed = ", ".join(f"{n}. {name}" for n, name in enumerate(names, 1))
        return f" Before it is ordered, IT ticks its risk checks ({request.sensitivity.value} data): {listed}."

    def tick(self, actor: str, request_id: int, which: str, done: bool = True) -> tuple[Request, Check]:
        now = self.clock.now()
        with self.store.write() as db:
            request = get_request(db, request_id)
            if request is None:
                raise NotFound(f"There is no request #{request_id}.")
            self.visibility.require(actor, Action.TICK_CHECK, request)
            if not request.is_open or request.status.value == "ordered":
                raise InvalidTransition(f"{request.number} is {request.status.label.lower()}; its checks are settled.")
            check = self._find(request, which)
            if check.done == done:
                state = "ticked" if done else "not ticked"
                raise InvalidTransition(f"Check {check.number} ({check.name}) on {request.number} is already {state}.")
            if done:
                repo.tick(db, request_id, check.name.lower(), actor, now)
            else:
                repo.untick(db, request_id, check.name.lower())
            add_event(db, "request", request_id, now, actor, "checked" if done else "unchecked", {},
                      {"check": check.name})
        self.events.publish(RequestChanged(request_id))
        return request, self._find(get_request(self.store.db, request_id), which)

    def check_order(self, request: Request) -> None:
        """Called before ``ordered``: every check of the request's data class is ticked."""
        missing = [check for check in self.checks(request) if not check.done]
        if missing:
            names = ", ".join(f"{check.number}. {check.name}" for check in missing)
            raise InvalidTransition(f"{request.number} cannot be ordered before IT ticks its risk checks: {names} "
                                    f"(`check {request.id} <number>`).")

    def _find(self, request: Request, which: str) -> Check:
        checks = self.checks(request)
        if not checks:
            raise NotFound(f"{request.number} ({request.sensitivity.value} data) needs no risk checks.")
        text = (which or "").strip()
        for check in checks:
            if text == str(check.number) or text.lower() == check.name.lower():
                return check
        names = ", ".join(f"{check.number}. {check.name}" for check in checks)
        raise BadInput(f"{text[:40]!r} is not a check on {request.number}; its checks are {names}.")
