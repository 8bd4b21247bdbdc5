"""The options service: procurement adds options, both sides rate them, the requester and the
owner sign off one; every step is an audit event on the request (``bot.options`` has the rules)."""

from __future__ import annotations


from bot.clock import Clock
from bot.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.events import Events, RequestChanged
from bot.money import DEFAULT_LOCALE
from bot.options import (
    IT_ASPECTS,
    MAX_OPTIONS,
    PROCUREMENT_ASPECTS,
    RATIONALE_MAX,
    Option,
    Together,
    joint_decision,
    parse_option,
)
from bot.permissions import Action, Roles
from bot.requests import Request
from bot.text import clean_text
from bot.visibility import Visibility
from storage import Store
from storage import options as repo
from storage.requests import add_event, get_request


class OptionService:
    def __init__(self, store: Store, roles: Roles, clock: Clock, base_currency: str, events: Events,
                 visibility: Visibility, locale: str = DEFAULT_LOCALE):
        self.store = store
        self.roles = roles
        self.clock = clock
        self.base_currency = base_currency
        self.locale = locale  # how prices are read (bot.money)
        self.events = events  # a change shows on the request's card and personal views
        self.visibility = visibility  # who may see and do what (bot.visibility)

    # --- reading -----------------------------------------------------------------------

    def options(self, actor: str, request_id: int) -> tuple[Request, Together]:
        request = self._request(request_id)
        if not self.visibility.may_see(actor, request):
            raise NotAllowed(f"{request.number} is confidential; its options are shown only to its requester, "
                             f"procurement and admins.")
        return request, self.together(request)

    def together(self, request: Request, redacted: bool = False) -> Together:
        db = self.store.db
        options = tuple(repo.options_for(db, request.id))
        signoffs = tuple(repo.signoffs_for(db, request.id))
        decided, awaiting = joint_decision(request, signoffs)
        return Together(options=() if redacted else options, signoffs=() if redacted else signoffs,
                        decided=decided, awaiting=() if redacted else awaiting)

    # --- changing ----------------------------------------------------------------------

    def add(self, actor: str, request_id: int, text: str) -> tuple[Request, Option]:
        values = parse_option(text, self.base_currency, self.locale)
        now = self.clock.now()
        with self.store.write() as db:
            request = self._open(db, request_id)
            self.visibility.require(actor, Action.ADD_OPTION, request)
            existing = repo.options_for(db, request_id)
            if len(existing) >= MAX_OPTIONS:
                raise BadInput(f"{request.number} already has {MAX_OPTIONS} options; that is the most a card shows.")
            letter = chr(ord("A") + len(existing))
            option = repo.add_option(db, request_id, letter, actor, now, **values)
            add_event(db, "request", request_id, now, actor, "option added", {}, _option_fields(option))
        self.events.publish(RequestChanged(request_id))
        return request, option

    def rate(self, actor: str, request_id: int, letter: str, ratings: dict[str, int]) -> tuple[Request, Option]:
        now = self.clock.now()
        with self.store.write() as db:
            request = self._open(db, request_id)
            if set(ratings) & set(IT_ASPECTS):
                self.visibility.require(actor, Action.RATE_FIT_RISK, request)
            if set(ratings) & set(PROCUREMENT_ASPECTS):
                self.visibility.require(actor, Action.RATE_COST_TERMS, request)
            option = self._option(db, request, letter)
            for aspect, score in ratings.items():
                repo.rate(db, option.id, aspect, score, actor, now)
            add_event(db, "request", request_id, now, actor, "rated", {}, {"option": letter, **ratings})
            option = self._option(db, request, letter)
        self.events.publish(RequestChanged(request_id))
        return request, option

    def sign_off(self, actor: str, request_id: int, letter: str, rationale: str) -> tuple[Request, Together]:
        rationale = clean_text(rationale, 10_000)
        if not rationale:
            raise BadInput("Say in one line why, after the option: `choose 12 B cheaper, and SSO is included`.")
        if len(rationale) > RATIONALE_MAX or "\n" in rationale:
            raise BadInput(f"Keep the rationale to one line under {RATIONALE_MAX} characters.")
        now = self.clock.now()
        with self.store.write() as db:
            request = self._open(db, request_id)
            self.visibility.require(actor, Action.SIGN_OFF, request)
            if not request.owner:
                raise InvalidTransition(f"{request.number} is unclaimed; its owner signs off the choice with you.")
            self._option(db, request, letter)
            before, _ = joint_decision(request, tuple(repo.signoffs_for(db, request_id)))
            repo.sign_off(db, request_id, actor, letter, rationale, now)
            add_event(db, "request", request_id, now, actor, "signed off", {}, {"option": letter, "rationale": rationale})
            after, _ = joint_decision(request, tuple(repo.signoffs_for(db, request_id)))
            if after != before:
                add_event(db, "request", request_id, now, actor, "decided" if after else "decision reopened",
                          {"option": before} if before else {}, {"option": after} if after else {})
        self.events.publish(RequestChanged(request_id))
        return request, self.together(request)

    # --- the gate ------------------------------------------------------------------------

    def check_order(self, request: Request) -> None:
        """Called before ``ordered``: a request with options needs a joint decision."""
        db = self.store.db
        if not repo.options_for(db, request.id):
            return
        decided, _ = joint_decision(request, tuple(repo.signoffs_for(db, request.id)))
        if decided is None:
            raise InvalidTransition(
                f"{request.number} has options but no joint decision: its requester and its owner both sign off "
                f"one with `choose {request.id} <letter> <why>` before it is ordered.")

    # --- internals -----------------------------------------------------------------------

    def _request(self, request_id: int) -> Request:
        request = get_request(self.store.db, request_id)
        if request is None:
            raise NotFound(f"There is no request #{request_id}.")
        return request

    def _open(self, db, request_id: int) -> Request:
        request = get_request(db, request_id)
        if request is None:
            raise NotFound(f"There is no request #{request_id}.")
        if not request.is_open or request.status.value == "ordered":
            raise InvalidTransition(f"{request.number} is {request.status.label.lower()}; its options are settled.")
        return request

    def _option(self, db, request: Request, letter: str) -> Option:
        option = repo.get_option(db, request.id, letter)
        if option is None:
            raise NotFound(f"{request.number} has no option {letter}.")
        return option


def _option_fields(option: Option) -> dict:
    return {"option": option.letter, "vendor": option.vendor, "price": str(option.price),
            "currency": option.currency, "terms": option.terms, "term_months": option.term_months,
            "quote": option.quote}
