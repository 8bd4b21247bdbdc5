"""Approvals: costly or restricted needs are approved by the approvers before ``approved``.

A request needs approval when its estimated cost, converted to ``TANDEM_BASE_CURRENCY``,
reaches ``TANDEM_APPROVAL_THRESHOLD``, or when its data is ``restricted``. When procurement
moves it to ``approved``, an approval round opens and the approvers are asked by DM; the
request moves to ``approved`` itself once the policy (``any`` or ``all``) is met. A
rejection returns it to ``sourcing`` with the reason. Nobody approves their own request.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from decimal import Decimal

from bot.clock import Clock
from bot.config import Settings
from bot.errors import BadInput, InvalidTransition, NotFound
from bot.format import money
from bot.events import Events, RequestChanged
from bot.cards import CardThreads
from bot.notifier import Notifier, NotifyError
from bot.permissions import Action, Roles
from bot.visibility import Place, Visibility
from bot.requests import NOTE_MAX, ApprovalSummary, Request, Round, Sensitivity, Status
from bot.text import clean_text
from bot.markup import mention
from bot.people import looks_like_chat_user
from storage import Store
from storage import approvals as repo
from storage.requests import add_event, get_request, save_request

log = logging.getLogger(__name__)


class ApprovalPending(InvalidTransition):
    """Moving to ``approved`` waits for the approvers; they have been asked."""


def to_base(amount: Decimal, currency: str, settings: Settings) -> Decimal | None:
    """``amount`` in the base currency, or ``None`` when no rate is configured."""
    if currency == settings.base_currency:
        return amount
    rate = settings.fx_rates.get(currency)
    return amount * rate if rate is not None else None


@dataclasses.dataclass(frozen=True)
class Why:
    """Why a request needs approval, kept as facts so each reader sees its amounts their own
    way: ``str()`` writes them in the locale being viewed (``bot.format.viewing``), so the
    approver's DM reads ``EUR 25.000`` in German while the stored round and the channel's
    card keep ``TANDEM_LOCALE``."""

    restricted: bool = False
    no_cost: bool = False
    unrated: str | None = None  # the currency with no rate
    cost: Decimal | None = None  # in the base currency, when it reaches the threshold
    threshold: Decimal | None = None
    currency: str = ""

    def __str__(self) -> str:
        reasons = []
        if self.restricted:
            reasons.append("its data is restricted")
        if self.no_cost:
            # Unknown is not under the threshold: the approvers decide, as for a cost with no rate.
            reasons.append("it has no estimated cost")
        if self.unrated:
            reasons.append(f"its cost is in {self.unrated}, which has no rate in TANDEM_FX_RATES")
        if self.cost is not None:
            reasons.append(f"its cost ({money(self.cost, self.currency)}) reaches the approval threshold of "
                           f"{money(self.threshold, self.currency)}")
        return " and ".join(reasons)


def why_needed(request: Request, settings: Settings) -> Why | None:
    """Why ``request`` needs approval, or ``None`` when it does not."""
    facts: dict = {"restricted": request.sensitivity is Sensitivity.RESTRICTED}
    if request.estimated_cost is None:
        facts["no_cost"] = True
    else:
        base = to_base(request.estimated_cost, request.currency, settings)
        if base is None:
            facts["unrated"] = request.currency
        elif base >= settings.approval_threshold:
            facts.update(cost=base.quantize(Decimal("1")), threshold=settings.approval_threshold,
                         currency=settings.base_currency)
    why = Why(**facts)
    return why if str(why) else None


def approvers_warning(settings: Settings) -> str | None:
    """What `tandem run` says once at start when nobody, or only one person, can approve."""
    entries = settings.approvers or settings.admins
    if not entries:
        return "no TANDEM_APPROVERS or TANDEM_ADMINS: costly or restricted needs are not gated"
    if len(settings.approvers) == 1:
        return (f"{entries[0]} is the only approver: a costly or restricted need they post themselves goes to the "
                "other admins (TANDEM_ADMINS) instead; add a second approver to TANDEM_APPROVERS")
    return None


class ApprovalService:
    def __init__(self, store: Store, roles: Roles, clock: Clock, settings: Settings, notifier: Notifier,
                 threads: CardThreads, events: Events, visibility: Visibility):
        self.store = store
        self.roles = roles
        self.clock = clock
        self.settings = settings
        self.notifier = notifier
        self.threads = threads  # decisions are said under the request's cards
        self.events = events  # a decision changes the request: its card and personal views follow
        self.entries = settings.approvers or roles.admins
        self.visibility = visibility

    # --- who ---------------------------------------------------------------------------

    def approvers(self) -> set[str]:
        return self.visibility.approvers()

    def _required(self, request: Request) -> list[set[str]]:
        """For policy ``all``: one set per configured entry, each satisfied by any member
        (a user entry is a set of one). The requester's own entry is left out."""
        required = []
        for entry in self.entries:
            members = self.roles.members_of((entry,)) - {request.requester}
            if members:
                required.append(members)
        if not required:  # every approver is the requester: any one of the other admins decides
            fallback = self.visibility.approvers_for(request)
            return [fallback] if fallback else []
        return required

    def _satisfied(self, request: Request, approved_by: set[str]) -> bool:
        if self.settings.approval_policy == "any":
            return bool(approved_by)
        return all(members & approved_by for members in self._required(request))

    # --- reading ---------------------------------------------------------------------------

    def summary(self, request: Request) -> ApprovalSummary | None:
        if not self.entries:
            return None
        why = why_needed(request, self.settings)
        latest = repo.latest_round(self.store.db, request.id)
        if why is None and latest is None:
            return None
        shown = tuple(sorted(self.entries))
        if latest is None:
            return ApprovalSummary(str(why), "needed", shown)
        return ApprovalSummary(latest.why, latest.state, shown, latest.decisions)

    # --- the gate ----------------------------------------------------------------------------

    def check(self, request: Request, actor: str) -> None:
        """Called before a request moves to ``approved``: passes when no approval is needed or
        the current round is approved; otherwise opens a round (asking the approvers) and
        raises ``ApprovalPending``."""
        if not self.entries:
            return
        why = why_needed(request, self.settings)
        if why is None:
            return
        latest = repo.latest_round(self.store.db, request.id)
        if latest is not None and latest.state == "approved":
            return
        asked = self.visibility.approvers_for(request)
        if not asked:  # refused before anything is recorded: no round, no "approval requested"
            raise ApprovalPending(
                f"{request.number} needs approval because {why}, but its requester is the only approver and "
                f"there is no other admin to ask. Add an approver to TANDEM_APPROVERS (or an admin to TANDEM_ADMINS).")
        if latest is None or latest.state != "open":
            latest = self._open_round(request, actor, str(why))
            self._ask(request, latest)
        names = ", ".join(mention(user) if looks_like_chat_user(user) else user for user in sorted(asked))
        raise ApprovalPending(
            f"{request.number} needs approval because {latest.why}. Asked: {names or 'the approvers'}; "
            f"it moves to approved as soon as they approve ({self.settings.approval_policy} of them)."
        )

    def _open_round(self, request: Request, actor: str, why: str) -> Round:
        now = self.clock.now()
        with self.store.write() as db:
            current = repo.latest_round(db, request.id)
            if current is not None and current.state == "open":
                return current  # someone else opened it a moment ago
            round_ = repo.open_round(db, request.id, now, actor, why)
            add_event(db, "request", request.id, now, actor, "approval requested", {}, {"approval": why})
        return round_

    def _ask(self, request: Request, round_: Round) -> None:
        # The reasons as facts (each approver's DM writes the amounts their way); the round's
        # stored text when they no longer apply.
        why = why_needed(request, self.settings) or round_.why
        for approver in sorted(self.visibility.approvers_for(request)):
            try:
                self.notifier.ask_approval(approver, self.visibility.request(approver, request, Place.PRIVATE), why)
            except NotifyError as error:
                log.warning("could not ask %s to approve %s: %s", approver, request.number, error)

    # --- decisions ------------------------------------------------------------------------------

    def approve(self, actor: str, request_id: int) -> Request:
        return self._decide(actor, request_id, approved=True, reason="")

    def reject(self, actor: str, request_id: int, reason: str) -> Request:
        return self._decide(actor, request_id, approved=False, reason=parse_reason(reason))

    def _decide(self, actor: str, request_id: int, approved: bool, reason: str) -> Request:
        now = self.clock.now()
        with self.store.write() as db:
            request = get_request(db, request_id)
            if request is None:
                raise NotFound(f"There is no request #{request_id}.")
            self.visibility.require(actor, Action.APPROVE if approved else Action.REJECT, request)
            round_ = repo.latest_round(db, request_id)
            if round_ is None or round_.state != "open":
                raise InvalidTransition(f"{request.number} is not waiting for approval.")
            if request.status is not Status.SOURCING:
                raise InvalidTransition(f"{request.number} is {request.status.label.lower()}; decide once it is back "
                                        f"in sourcing.")
            try:
                repo.add_decision(db, round_.id, actor, approved, reason, now)
            except sqlite3.IntegrityError:
                raise InvalidTransition(f"You have already decided on {request.number}.") from None
            approved_by = {d.approver for d in repo.get_round(db, round_.id).decisions if d.approved}
            if not approved:
                repo.close_round(db, round_.id, "rejected")
                after = dataclasses.replace(request, status=Status.SOURCING, resume_status=None, updated_at=now)
                add_event(db, "request", request_id, now, actor, "approval rejected",
                          {"status": request.status.value}, {"status": after.status.value, "reason": reason})
            elif self._satisfied(request, approved_by):
                repo.close_round(db, round_.id, "approved")
                after = dataclasses.replace(request, status=Status.APPROVED, resume_status=None, updated_at=now)
                add_event(db, "request", request_id, now, actor, "approved",
                          {"status": request.status.value}, {"status": after.status.value})
            else:
                after = request
                add_event(db, "request", request_id, now, actor, "approval given", {}, {"approver": actor})
            if after is not request:
                save_request(db, after)
        self._tell_thread(after, actor, approved, reason)
        self.events.publish(RequestChanged(after.id))
        found = get_request(self.store.db, after.id)
        assert found is not None  # requests are never deleted
        return found

    def _tell_thread(self, request: Request, actor: str, approved: bool, reason: str) -> None:
        if approved:
            text = f"approved {request.number}." + (" It is now approved." if request.status is Status.APPROVED else "")
        else:
            text = f"rejected {request.number}: {reason}" if not request.is_confidential else \
                f"rejected {request.number}; the reason is on the request (confidential)."
        try:
            self.threads.post(request.id, text, actor)
        except NotifyError as error:
            log.warning("could not post the decision on %s in its thread: %s", request.number, error)


def parse_reason(reason: str) -> str:
    """A rejection's reason, cleaned; forms check it before anything is saved."""
    reason = clean_text(reason, 100_000)
    if not reason:
        raise BadInput("Say why you reject it, so procurement and IT can act on it.", field="reason")
    if len(reason) > NOTE_MAX:
        raise BadInput(f"Keep the reason under {NOTE_MAX} characters.", field="reason")
    return reason


def approval_waiting(store: Store):
    """Whether a request has an approval round waiting for decisions (for ``bot.visibility``)."""
    def waiting(request: Request) -> bool:
        latest = repo.latest_round(store.db, request.id)
        return latest is not None and latest.state == "open"
    return waiting
