"""Services: the rules of the request lifecycle, enforced in one place for every platform.

Each change runs in one write transaction that checks permission and state, saves the
request and appends one audit event. Only after it commits are people told, through the
``Notifier``; a chat failure is logged and never undoes a committed decision (the next
change re-syncs the card).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from bot import markup
from bot.clock import Clock, today
from bot.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.events import Events, RequestChanged
from bot.cards import CardThreads
from bot.mirrors import ThreadMirrors
from bot.money import DEFAULT_LOCALE, Amount
from bot.notifier import NotifyError
from bot.permissions import Action, Roles, authorize
from bot.visibility import Place, Visibility
from bot.markup import mention
from bot.requests import (
    NOTE_MAX,
    PAUSES,
    Note,
    Request,
    RequestDetails,
    Status,
    check_transition,
    need_form,
    next_statuses,
    parse_request,
)
from bot.text import clean_chars, clean_text
from storage import Store
from storage import requests as repo
from storage.requests import RequestFilter

log = logging.getLogger(__name__)

LIST_SCOPES = ("open", "mine", "unclaimed", "all")
OPEN_STATUSES = tuple(status for status in Status if status.is_open)
# ``status N resume``: back to where a paused request was.
RESUME = "resume"


@dataclass(frozen=True)
class Page:
    items: list[Request]
    total: int


class ApprovalGate(Protocol):
    def check(self, request: Request, actor: str) -> None:
        """Raises when ``request`` may not move to ``approved`` yet (asking its approvers)."""


class VendorContracts(Protocol):
    def contract_id_for_vendor(self, vendor: str) -> int | None:
        """The contract in force for a vendor, so a new need for that vendor is linked to it."""


class RequestService:
    def __init__(
        self,
        store: Store,
        threads: CardThreads,
        roles: Roles,
        clock: Clock,
        tz: ZoneInfo,
        events: Events,
        approvals: ApprovalGate,
        contracts: VendorContracts,
        visibility: Visibility,
        order_gates: Sequence[Callable[[Request], None]] = (),
        order_hooks: Sequence[Callable[..., None]] = (),
        base_currency: str = "USD",
        locale: str = DEFAULT_LOCALE,
        mirrors: ThreadMirrors | None = None,
    ):
        self.store = store
        self.mirrors = mirrors  # thread replies copied to the other platforms' card threads
        self.locale = locale  # how amounts are read when the person's own locale is not known
        # What each viewer may see in each place, and which actions they may take.
        self.visibility = visibility
        self.threads = threads  # notes posted under the request's cards
        self.roles = roles
        self.clock = clock
        self.tz = tz
        self.events = events  # told of every committed change: cards and personal views follow
        self.approvals = approvals
        self.contracts = contracts
        # Checks before ``ordered`` (deciding together: a joint decision, the risk checks);
        # each raises when the request may not be ordered yet.
        self.order_gates = tuple(order_gates)
        # Run in the transaction that records ``ordered`` (the savings of bot.targets).
        self.order_hooks = tuple(order_hooks)
        self.base_currency = base_currency

    # --- reading ---------------------------------------------------------------------

    def get(self, request_id: int) -> Request:
        request = repo.get_request(self.store.db, request_id)
        if request is None:
            raise NotFound(f"There is no request #{request_id}.")
        return request

    def show(self, actor: str, request_id: int, place: Place = Place.PRIVATE) -> RequestDetails:
        """Details, comments and history, as ``actor`` may see them in ``place``
        (``bot.visibility``)."""
        request = self.get(request_id)
        self.visibility.require(actor, Action.VIEW, request)
        db = self.store.db
        item = RequestDetails(request, repo.notes_for(db, request_id), repo.events_for(db, "request", request_id))
        return self.visibility.details(actor, item, place)

    def can_see(self, actor: str, request: Request) -> bool:
        """Whether ``actor`` may see a request's details, justification and cost (in private)."""
        return self.visibility.may_see(actor, request)

    def view(self, actor: str | None, request: Request, place: Place = Place.PRIVATE) -> Request:
        """``request`` as ``actor`` may see it in ``place``."""
        return self.visibility.request(actor, request, place)

    def for_action(self, actor: str, request_id: int, action: Action) -> Request:
        """The request as ``actor`` sees it in a modal, once they may take ``action`` on it now
        (a form is opened only for someone who may act); otherwise ``NotAllowed``."""
        return self.visibility.acting(actor, self.get(request_id), action)

    def edit_form(self, actor: str, request_id: int, locale: str | None = None) -> dict[str, str]:
        """The need's current values for the edit form (the cost as ``locale`` writes it), once
        ``actor`` may edit it now; otherwise ``NotAllowed`` saying why. Only people who may see
        a confidential need's details may edit it, so the form never shows them to anyone else."""
        request = self.for_action(actor, request_id, Action.EDIT)
        return need_form(request, locale or self.locale)

    def list(self, actor: str, scope: str = "open", category: str | None = None, limit: int = 50,
             place: Place = Place.PRIVATE) -> Page:
        if scope not in LIST_SCOPES:
            raise BadInput(f"Unknown list {scope!r}; use one of: {', '.join(LIST_SCOPES)}.")
        db = self.store.db
        where = {
            "open": RequestFilter(statuses=OPEN_STATUSES, category=category),
            # Mine: what I asked for and what I claimed, still open.
            "mine": RequestFilter(statuses=OPEN_STATUSES, involving=actor, category=category),
            "unclaimed": RequestFilter(statuses=(Status.NEW,), category=category),
            "all": RequestFilter(category=category),
        }[scope]
        items, total = repo.list_requests(db, where, limit=limit)
        return self.visibility.page(actor, Page(items, total), place)

    def requested_by(self, user: str, limit: int = 50) -> Page:
        """Open needs ``user`` asked for, as they see them in private (App Home)."""
        page = Page(*repo.list_requests(self.store.db, RequestFilter(statuses=OPEN_STATUSES, requester=user), limit))
        return self.visibility.page(user, page, Place.PRIVATE)

    def claimed_by(self, user: str, limit: int = 50) -> Page:
        """Open requests ``user`` has claimed, as they see them in private (App Home)."""
        page = Page(*repo.list_requests(self.store.db, RequestFilter(statuses=OPEN_STATUSES, owner=user), limit))
        return self.visibility.page(user, page, Place.PRIVATE)

    def allowed_statuses(self, request: Request) -> list[Status]:
        return next_statuses(request)

    # --- changing ----------------------------------------------------------------------

    def create(self, actor: str, form: dict, contract_id: int | None = None, locale: str | None = None,
               runner: str | None = None) -> Request:
        """A new need; amounts and quantities are read as written in ``locale`` (the
        person's, when the platform knows it; otherwise ``TANDEM_LOCALE``). ``runner`` is who
        ran the workflow that files it on ``actor``'s behalf (``may_file_for``); the audit
        log names them as the one who acted, and the card says a workflow filed it."""
        authorize(self.roles, actor, Action.CREATE)
        if runner is not None:
            self.may_file_for(runner, actor)
        need = parse_request(form, today(self.clock, self.tz), self.base_currency, locale or self.locale)
        if contract_id is None and need.preferred_vendor:
            contract_id = self.contracts.contract_id_for_vendor(need.preferred_vendor)
        now = self.clock.now()
        with self.store.write() as db:
            request = repo.insert_request(
                db,
                Request(
                    id=0,
                    **dataclasses.asdict(need),
                    contract_id=contract_id,
                    requester=actor,
                    owner=None,
                    status=Status.NEW,
                    resume_status=None,
                    created_at=now,
                    updated_at=now,
                    workflow_runner=runner,
                ),
            )
            filed = {"filed_by": "workflow", "requester": actor} if runner is not None else {}
            repo.add_event(db, "request", request.id, now, runner or actor, "created", {},
                           {**_public_fields(request), **filed})
        self._publish(request)
        return self.get(request.id)

    def may_file_for(self, runner: str, requester: str) -> None:
        """Whether someone who ran a workflow may file a need on ``requester``'s behalf: for
        themselves, or as procurement or an admin (who take needs in for others). Anyone else
        would be filing in another person's name, so ``NotAllowed``."""
        if runner != requester and not self.roles.is_procurement(runner):
            raise NotAllowed("The person who ran the workflow is not the requester, and only procurement members "
                             "and admins can file a need for someone else.")

    def edit(self, actor: str, request_id: int, form: dict, locale: str | None = None) -> Request:
        """Changes a need's fields. A new preferred vendor re-links the need to that
        vendor's contract in force (or to none)."""
        need = parse_request(form, today(self.clock, self.tz), self.base_currency, locale or self.locale)
        vendor_contract = self.contracts.contract_id_for_vendor(need.preferred_vendor) if need.preferred_vendor else None
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, request_id)
            self.visibility.require(actor, Action.EDIT, before)
            if not before.is_open:
                raise InvalidTransition(f"{before.number} is {before.status.label.lower()}; it can no longer be edited.")
            after = dataclasses.replace(before, **dataclasses.asdict(need), updated_at=now)
            if _vendor_key(need.preferred_vendor) != _vendor_key(before.preferred_vendor):
                after = dataclasses.replace(after, contract_id=vendor_contract)
            after = self._resume_if_awaiting(after, actor)
            self._save(db, before, after, actor, "edited")
        return self._publish(after)

    def claim(self, actor: str, request_id: int) -> Request:
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, request_id)
            self.visibility.require(actor, Action.CLAIM, before)
            if before.owner == actor and before.is_open:
                raise InvalidTransition(f"You have already claimed {before.number}.")
            if before.owner:
                raise InvalidTransition(f"{before.number} is already claimed by {mention(before.owner)}.")
            if before.status is not Status.NEW:
                raise InvalidTransition(f"{before.number} is {before.status.label.lower()}; only new requests can be claimed.")
            after = dataclasses.replace(before, owner=actor, status=Status.CLAIMED, claimed_at=now, updated_at=now)
            self._save(db, before, after, actor, "claimed")
        return self._publish(after, also=before.owner)

    def unclaim(self, actor: str, request_id: int) -> Request:
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, request_id)
            if not before.owner or not before.is_open:
                raise InvalidTransition(f"{before.number} is not claimed by anyone.")
            self.visibility.require(actor, Action.UNCLAIM, before)
            after = dataclasses.replace(
                before, owner=None, status=Status.NEW, resume_status=None, claimed_at=None, updated_at=now
            )
            self._save(db, before, after, actor, "unclaimed")
        return self._publish(after, also=before.owner)

    def change_status(self, actor: str, request_id: int, target: Status | str, price: Amount | None = None,
                      also: Callable[[object, Request], None] | None = None) -> Request:
        """Moves a request on; ``resume`` returns a paused one (on hold, awaiting IT) to where it was.
        ``price`` is what it was ordered for (``status N ordered PRICE``), for the savings.
        ``also(db, before)`` runs in the same transaction, after the checks (a renewal's new
        terms): if it raises, the request does not move either."""
        if isinstance(target, str) and target.strip().lower() == RESUME:
            current = self.get(request_id)
            if current.status not in PAUSES:
                raise InvalidTransition(f"{current.number} is {current.status.label.lower()}, not on hold or awaiting "
                                        f"IT; there is nothing to resume.")
            target = current.resume_status or Status.CLAIMED
        target = _status(target)
        if target is Status.CANCELLED:
            return self.cancel(actor, request_id)
        if target is Status.APPROVED:
            # Checked before the write: asking approvers sends DMs, which never happen inside
            # a transaction. The gate raises when approval is still pending.
            current = self.get(request_id)
            self.visibility.require(actor, Action.CHANGE_STATUS, current)
            check_transition(current, target)
            self.approvals.check(current, actor)
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, request_id)
            self.visibility.require(actor, Action.CHANGE_STATUS, before)
            check_transition(before, target)
            if target is Status.ORDERED:
                for gate in self.order_gates:
                    gate(before)
            after = _moved(before, target, now)
            self._save(db, before, after, actor, "status")
            if also is not None:
                also(db, before)
            if target is Status.ORDERED:
                for hook in self.order_hooks:
                    hook(db, before, now, actor, price)
        return self._publish(after)

    def cancel(self, actor: str, request_id: int) -> Request:
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, request_id)
            self.visibility.require(actor, Action.CANCEL, before)
            check_transition(before, Status.CANCELLED)
            after = _moved(before, Status.CANCELLED, now)
            self._save(db, before, after, actor, "cancelled")
        return self._publish(after)

    def note(
        self, actor: str, request_id: int, text: str, source: str, external_id: str | None = None,
        parts: tuple = (),
    ) -> Note | None:
        """Adds a comment. Returns ``None`` (and changes nothing) if ``external_id`` was seen.

        A comment by command or shell is also posted into the card's thread; a comment
        that came from the thread is not echoed back. The requester's reply returns a
        request that awaits IT to where it was. ``parts`` (bot.markup) are given for a note
        from chat that names people, channels or links; ``text`` is then their words.
        """
        text, parts = _cleaned(text, parts)
        if not text:
            raise BadInput("Write a note after the request number, for example `note 12 Quote received`.")
        if len(text) > NOTE_MAX:
            raise BadInput(f"Keep notes under {NOTE_MAX} characters.")
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, request_id)
            if source != "thread":  # a reply in the card's thread is already in the channel
                self.visibility.require(actor, Action.COMMENT, before)
            comment = repo.add_note(db, request_id, now, actor, text, source, external_id, parts)
            if comment is None:
                return None
            repo.add_event(db, "request", request_id, now, actor, "commented", {}, {"comment": comment.id})
            after = self._resume_if_awaiting(dataclasses.replace(before, updated_at=now), actor)
            if after.status is not before.status:
                self._save(db, before, after, actor, "status")
            else:
                repo.save_request(db, after)
        if source != "thread":
            # The thread is in the shared channel: a confidential request's notes stay private.
            shown = self.visibility.thread_note(before, text) or \
                f"added a note to {before.number}; it is confidential, see Open on the card."
            self._notify(self.threads.post, request_id, shown, actor)
        if source == "thread" and self.mirrors is not None:  # the other platforms' threads get it too
            self.mirrors.copy(comment, after, external_id)
        if after.status is not before.status:
            self._publish(after)
        return comment

    def record_thread_edit(self, external_id: str, text: str, parts: tuple = ()) -> bool:
        """A thread message was edited in chat: keep the stored comment in step."""
        text, parts = _cleaned(text, parts)
        text = text[:NOTE_MAX]
        if not text:
            return False
        with self.store.write() as db:
            known = repo.update_note_text(db, external_id, text, parts)
        if known and self.mirrors is not None:
            self.mirrors.edited(external_id)
        return known

    def record_thread_delete(self, external_id: str) -> bool:
        """A thread message was deleted in chat: its comment is deleted here too (its text
        is gone; the audit log records that a comment was deleted, never what it said)."""
        now = self.clock.now()
        with self.store.write() as db:
            note = repo.delete_note(db, external_id, now)
            if note is None:
                return False
            repo.add_event(db, "request", note.request_id, now, note.author, "comment deleted", {},
                           {"comment": note.id})
        if self.mirrors is not None:
            self.mirrors.deleted(note)
        return True

    def find_by_card(self, platform: str, conversation: str, message_id: str | None = None) -> Request | None:
        """The request whose card on ``platform`` is this message (or whose card's thread
        is this conversation); None for any other message."""
        request_id = self.threads.request_for(platform, conversation, message_id)
        return repo.get_request(self.store.db, request_id) if request_id is not None else None

    # --- internals ------------------------------------------------------------------------

    def _load(self, db, request_id: int) -> Request:
        request = repo.get_request(db, request_id)
        if request is None:
            raise NotFound(f"There is no request #{request_id}.")
        return request

    def _save(self, db, before: Request, after: Request, actor: str, action: str) -> None:
        repo.save_request(db, after)
        changed_before, changed_after = _diff(before, after)
        repo.add_event(db, "request", after.id, after.updated_at, actor, action, changed_before, changed_after)

    def _resume_if_awaiting(self, request: Request, actor: str) -> Request:
        if request.status is Status.AWAITING_IT and actor == request.requester:
            return dataclasses.replace(request, status=request.resume_status or Status.CLAIMED, resume_status=None)
        return request

    def _publish(self, request: Request, also: str | None = None) -> Request:
        """Tells subscribers (the card, personal views) that ``request`` changed; returns it
        as stored afterwards (with its card)."""
        self.events.publish(RequestChanged(request.id, frozenset({also} - {None})))
        return self.get(request.id)

    def _notify(self, send, *args):
        try:
            return send(*args)
        except NotifyError as exc:
            log.warning("notify failed: %s (%s); the database is unchanged and the card re-syncs on the next change",
                        send.__name__, exc)
            return None


def _vendor_key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _status(value: Status | str) -> Status:
    if isinstance(value, Status):
        return value
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return Status(text)
    except ValueError:
        names = ", ".join(status.value for status in Status)
        raise BadInput(f"{str(value)[:40]!r} is not a status; use one of: {names}.") from None


def _moved(request: Request, target: Status, now) -> Request:
    changes: dict = {"status": target, "updated_at": now}
    if target.is_open and target in (Status.ON_HOLD, Status.AWAITING_IT):
        # Pausing remembers where to resume (a pause inside a pause keeps the original).
        changes["resume_status"] = request.resume_status if request.status in (Status.ON_HOLD, Status.AWAITING_IT) else request.status
    else:
        changes["resume_status"] = None
    if not target.is_open:
        changes["closed_at"] = now
    return dataclasses.replace(request, **changes)


_AUDITED = ("title", "details", "category", "quantity", "estimated_cost", "currency", "needed_by", "urgency",
            "sensitivity", "preferred_vendor", "contract_id", "owner", "status")


def _public_fields(request: Request) -> dict:
    return {name: _plain(getattr(request, name)) for name in _AUDITED}


def _diff(before: Request, after: Request) -> tuple[dict, dict]:
    old, new = _public_fields(before), _public_fields(after)
    changed = [name for name in _AUDITED if old[name] != new[name]]
    return {name: old[name] for name in changed}, {name: new[name] for name in changed}


def _plain(value):
    if value is None or isinstance(value, (str, int)):
        return value.value if hasattr(value, "value") else value
    return str(value)


def _cleaned(text: str, parts: tuple) -> tuple[str, tuple]:
    """A note's words and its parts (only when they hold more than words), cleaned alike."""
    if not markup.is_rich(parts):
        return clean_text(markup.plain(parts) if parts else text, 100_000), ()
    parts = tuple(markup.Text(clean_chars(part.text)) if isinstance(part, markup.Text) else part for part in parts)
    return clean_text(markup.plain(parts), 100_000), parts
