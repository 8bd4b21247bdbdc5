"""The sourcing map: per category, IT's stance — keep in-house, open to a supplier, or
supplier-managed — and the opportunities it opens.

The IT owners of contracts in force and admins set stances (``bot.visibility``); anyone may
look. Every quarter the IT owners are asked once, by DM through the schedule's ledger, to
confirm or change them. The map lists the opportunities: categories open to a supplier with
the most requests and spend in the last 12 months.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from bot.approvals import to_base
from bot.clock import Clock
from bot.config import Settings
from bot.contracts import ContractStatus
from bot.errors import BadInput, NotAllowed
from bot.format import money
from bot import forms
from bot.forms import SYSTEM_PREFIX
from bot.notifier import Briefing, Button, Notifier, Section
from bot.people import looks_like_chat_user
from bot.requests import Category
from bot.visibility import Place, Visibility
from bot.markup import mention
from storage import Store
from storage import contracts as contracts_repo
from storage import schedule as ledger
from storage import sourcing as repo
from storage.requests import add_event
from storage.schedule import Key

log = logging.getLogger(__name__)

KIND = "sourcing"
LOOKBACK = timedelta(days=365)
IN_FLIGHT = timedelta(minutes=10)


class Stance(StrEnum):
    IN_HOUSE = "in-house"
    OPEN = "open"
    MANAGED = "managed"

    @property
    def label(self) -> str:
        return {"in-house": "keep in-house", "open": "open to a supplier", "managed": "supplier-managed"}[self.value]

    @property
    def addressable(self) -> bool:
        """Spend a supplier may take on: open to a supplier, or supplier-managed already."""
        return self is not Stance.IN_HOUSE


STANCE_WORDS = {"in-house": Stance.IN_HOUSE, "inhouse": Stance.IN_HOUSE, "keep": Stance.IN_HOUSE,
                "open": Stance.OPEN, "managed": Stance.MANAGED, "supplier-managed": Stance.MANAGED}


@dataclass(frozen=True)
class StanceEntry:
    category: str  # a category's value, or ``system:<name>`` for a system (``forms.SYSTEM_PREFIX``)
    stance: Stance
    set_by: str
    set_at: datetime
    confirmed_at: datetime

    @property
    def system(self) -> str | None:
        """The system's name, for a stance on a system; None for a category."""
        return self.category.removeprefix(SYSTEM_PREFIX) if self.category.startswith(SYSTEM_PREFIX) else None

    @property
    def name(self) -> str:
        return self.system or self.category


@dataclass(frozen=True)
class Spend:
    category: str
    requests: int
    amount: Decimal  # estimated, in the base currency, of the requests the viewer may see


@dataclass(frozen=True)
class Confirmed:
    count: int  # stances confirmed
    changed: bool  # False: this person had confirmed them for this quarter already; nothing was written
    at: datetime | None = None  # when they had (with ``changed`` False)


@dataclass(frozen=True)
class Applied:
    """The *Change* form sent: the stances it changed, and the rest confirmed as they are."""

    changed: tuple[StanceEntry, ...]
    confirmed: int

    def text(self) -> str:
        if not self.changed:
            return (f"No stance changed; {self.confirmed} stance{'s' if self.confirmed != 1 else ''} "
                    f"confirmed as they are.")
        listed = "; ".join(f"{entry.category}: {entry.stance.label}" for entry in self.changed)
        return f"IT's stances changed — {listed}. The others are confirmed as they are."


def parse_stance(text: str) -> Stance:
    stance = STANCE_WORDS.get((text or "").strip().lower())
    if stance is None:
        raise BadInput(f"{(text or '')[:20]!r} is not a stance; use in-house, open or managed.")
    return stance


def parse_category(text: str) -> str:
    category = (text or "").strip().lower()
    if category not in {c.value for c in Category}:
        raise BadInput(f"{(text or '')[:40]!r} is not a category ({', '.join(c.value for c in Category)}).")
    return category


SYSTEM_MAX = 60  # characters in a system's name


def parse_system(text: str) -> str:
    """A system's name as IT writes it (``Salesforce``, ``Payroll SaaS``): its key in the map."""
    name = " ".join((text or "").split())
    if not name or len(name) > SYSTEM_MAX or any(ch in name for ch in "<>`*_~|"):
        raise BadInput(f"Name the system in plain words, at most {SYSTEM_MAX} characters: "
                       f"`sourcing set system Salesforce open`.")
    return SYSTEM_PREFIX + name


def quarter(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def check_buttons(label: str) -> tuple[Button, ...]:
    """The quarterly check's buttons: *Confirm* (for quarter ``label``, once) and *Change*."""
    return (Button("Confirm", f"sourcing confirm {label}", primary=True), Button("Change", "sourcing change"))


class SourcingService:
    def __init__(self, store: Store, notifier: Notifier, clock: Clock, settings: Settings, visibility: Visibility,
                 holder: str):
        self.store = store
        self.notifier = notifier
        self.clock = clock
        self.settings = settings
        self.tz = settings.tz
        self.visibility = visibility
        self.holder = holder

    # --- who ---------------------------------------------------------------------------------

    def it_owners(self) -> set[str]:
        """The IT owners of contracts in force."""
        in_force = tuple(status for status in ContractStatus if status.in_force)
        return {c.it_owner for c in contracts_repo.list_contracts(self.store.db, in_force) if c.it_owner}

    def asked(self) -> set[str]:
        """Who the quarterly check goes to: the IT owners (who can be reached), else the admins."""
        owners = {person for person in self.it_owners() if looks_like_chat_user(person)}
        if owners:
            return owners
        return {person for person in self.visibility.roles.members_of(self.visibility.roles.admins)
                if looks_like_chat_user(person)}

    # --- reading -------------------------------------------------------------------------------

    def stances(self) -> dict[str, StanceEntry]:
        """Every stance, categories and systems, by key."""
        return repo.stances(self.store.db)

    def category_stances(self) -> dict[str, StanceEntry]:
        return {key: entry for key, entry in self.stances().items() if entry.system is None}

    def systems(self) -> list[StanceEntry]:
        return sorted((entry for entry in self.stances().values() if entry.system is not None),
                      key=lambda entry: entry.name.casefold())

    def system_key(self, text: str) -> str:
        """The key of the system ``text`` names: an existing system's, whatever the case, or a new one."""
        key = parse_system(text)
        return next((entry.category for entry in self.systems() if entry.category.casefold() == key.casefold()), key)

    def system_contracts(self, name: str) -> list:
        """The contracts in force for a system: vendor or product is its name (any case)."""
        in_force = tuple(status for status in ContractStatus if status.in_force)
        wanted = name.casefold()
        return [c for c in contracts_repo.list_contracts(self.store.db, in_force)
                if wanted in (c.vendor.casefold(), c.product.casefold(), c.name.casefold())]

    def spend(self, viewer: str | None, since: datetime) -> list[Spend]:
        """Requests and estimated spend per category since ``since``; the spend counts only the
        requests ``viewer`` may see the cost of."""
        counts: dict[str, int] = defaultdict(int)
        amounts: dict[str, Decimal] = defaultdict(Decimal)
        for row in repo.spend_by_category(self.store.db, since):
            counts[row["category"]] += 1
            private = row["sensitivity"] in ("confidential", "restricted")
            if private and not (viewer and (viewer == row["requester"] or self.visibility.roles.is_procurement(viewer)
                                           or viewer in self.visibility.approvers())):
                continue
            if row["estimated_cost"]:
                base = to_base(Decimal(row["estimated_cost"]), row["currency"], self.settings)
                if base is not None:
                    amounts[row["category"]] += base
        return [Spend(category, counts[category], amounts[category]) for category in counts]

    def map(self, viewer: str | None, place: Place = Place.PRIVATE) -> Briefing:
        now = self.clock.now()
        entries = self.stances()
        lines = []
        for category in Category:
            entry = entries.get(category.value)
            if entry is None:
                lines.append(f"{category.value} — not set")
            else:
                lines.append(f"{category.value} — {entry.stance.label} (set by {mention(entry.set_by)} "
                             f"{entry.set_at.astimezone(self.tz):%Y-%m-%d}, confirmed "
                             f"{entry.confirmed_at.astimezone(self.tz):%Y-%m-%d})")
        costs = self.visibility.costs_visible(viewer, place)
        found = [s for s in self.spend(viewer, now - LOOKBACK)
                 if s.category in entries and entries[s.category].stance is Stance.OPEN]
        found.sort(key=lambda s: (-s.requests, -s.amount, s.category))
        opportunities = [f"{s.category} — {s.requests} request{'s' if s.requests != 1 else ''}"
                         + (f", {money(s.amount, self.settings.base_currency)} estimated" if costs else "")
                         for s in found]
        systems = []
        for entry in self.systems():
            contracts = self.system_contracts(entry.name)
            line = (f"{entry.name} — {entry.stance.label} (set by {mention(entry.set_by)} "
                    f"{entry.set_at.astimezone(self.tz):%Y-%m-%d}, confirmed "
                    f"{entry.confirmed_at.astimezone(self.tz):%Y-%m-%d}) · {self._contracts_text(contracts, costs)}")
            systems.append(line)
            if entry.stance is Stance.OPEN and contracts:
                opportunities.append(f"{entry.name} (system) — {self._contracts_text(contracts, costs)}")
        return Briefing("The sourcing map", (
            Section("IT's stance per category", tuple(lines)),
            Section("IT's stance per system", tuple(systems),
                    empty="No system has a stance of its own (`sourcing set system <name> open`)."),
            Section("Opportunities: open to a supplier, most requests and spend in the last 12 months",
                    tuple(opportunities), empty="No category open to a supplier has requests yet."),
        ), footer="IT owners and admins: `/procure sourcing set <category> in-house|open|managed` or "
                  "`/procure sourcing set system <name> in-house|open|managed`; "
                  "`/procure sourcing clear <category>` or `/procure sourcing clear system <name>` removes one; "
                  "`/procure sourcing confirm` confirms every stance as it is.")

    def _contracts_text(self, contracts: list, costs: bool) -> str:
        """A system's contracts in force: how many, and their annual cost where costs are shown."""
        text = f"{len(contracts)} contract{'s' if len(contracts) != 1 else ''} in force"
        total = sum((to_base(c.annual_cost, c.currency, self.settings) or Decimal(0) for c in contracts
                     if c.annual_cost is not None), Decimal(0))
        return text + (f", {money(total, self.settings.base_currency)} a year" if costs and total else "")

    # --- changing ------------------------------------------------------------------------------

    def set(self, actor: str, category: str, stance: Stance) -> StanceEntry:
        self._require(actor)
        now = self.clock.now()
        with self.store.write() as db:
            before = repo.stances(db).get(category)
            repo.set_stance(db, category, stance, actor, now)
            add_event(db, "sourcing", 0, now, actor, "stance set",
                      {"category": category, "stance": before.stance.value} if before else {},
                      {"category": category, "stance": stance.value})
            return repo.stances(db)[category]

    def clear(self, actor: str, category: str) -> StanceEntry | None:
        """Removes IT's stance on ``category`` (a category, or a system's key) under the same
        rule as setting it; the stance removed, or None when there was none (nothing written)."""
        self._require(actor)
        now = self.clock.now()
        with self.store.write() as db:
            before = repo.stances(db).get(category)
            if before is None or not repo.clear_stance(db, category):
                return None
            add_event(db, "sourcing", 0, now, actor, "stance cleared",
                      {"category": category, "stance": before.stance.value}, {"category": category})
            return before

    def confirm(self, actor: str, label: str | None = None) -> Confirmed:
        """Confirms every stance as it stands. With the quarter's ``label`` (the quarterly
        check's *Confirm*), once per person and quarter: a second click writes nothing."""
        self._require(actor)
        now = self.clock.now()
        with self.store.write() as db:  # read and written in one transaction: two clicks apply once
            if label is not None:
                mark = ledger.mark(db, KIND, "stances", label, actor)
                if mark is not None and mark.done_at is not None:
                    return Confirmed(len(repo.stances(db)), changed=False, at=mark.done_at)
            count = repo.confirm_all(db, now)
            add_event(db, "sourcing", 0, now, actor, "stances confirmed", {}, {"count": count})
            ledger.set_mark(db, KIND, "stances", label or quarter(now, self.tz), actor, now, done=True)
        return Confirmed(count, changed=True)

    def change_form(self, actor: str) -> dict[str, str]:
        """The *Change* form's values: each category's and system's stance now ("" when not set)."""
        self._require(actor)
        entries = self.stances()
        values = {field.name: entries[field.name].stance.value if field.name in entries else ""
                  for field in forms.sourcing_form(entries)}
        # Every system, also those past the form's length, which it counts (``forms.systems_left_out``).
        return values | {name: entry.stance.value for name, entry in entries.items()
                         if name.startswith(forms.SYSTEM_PREFIX)}

    def parse_form(self, form: dict) -> dict[str, Stance]:
        """The stances a sent *Change* form names (blank: left as it is); a bad value is
        refused with its field, as forms show errors."""
        chosen, errors = {}, {}
        for field in forms.sourcing_form(self.stances()):  # only systems that have a stance: a form adds none
            text = str(form.get(field.name) or "").strip()
            if not text:
                continue
            try:
                chosen[field.name] = parse_stance(text)
            except BadInput as error:
                errors[field.name] = error.message
        if errors:
            raise BadInput(" ".join(errors.values()), errors=errors)
        return chosen

    def apply(self, actor: str, form: dict) -> Applied:
        """The *Change* form: sets the stances that differ and confirms them all. Sent again
        with the same values (a double click, a retried submission), it changes nothing."""
        self._require(actor)
        chosen = self.parse_form(form)
        now = self.clock.now()
        changed = []
        with self.store.write() as db:
            before = repo.stances(db)
            for category, stance in chosen.items():
                if category in before and before[category].stance is stance:
                    continue
                repo.set_stance(db, category, stance, actor, now)
                add_event(db, "sourcing", 0, now, actor, "stance set",
                          {"category": category, "stance": before[category].stance.value} if category in before
                          else {}, {"category": category, "stance": stance.value})
                changed.append(category)
            count = repo.confirm_all(db, now)
            add_event(db, "sourcing", 0, now, actor, "stances confirmed", {}, {"count": count})
            ledger.set_mark(db, KIND, "stances", quarter(now, self.tz), actor, now, done=True)
            after = repo.stances(db)
        return Applied(tuple(after[category] for category in changed), count)

    def _require(self, actor: str) -> None:
        why = self.visibility.sourcing_refusal(actor, self.it_owners())
        if why is not None:
            raise NotAllowed(why)

    # --- the quarterly check -----------------------------------------------------------------------

    def ask_quarterly(self, now: datetime | None = None) -> list[str]:
        """Once IT has set a stance, asks each IT owner once a quarter, by DM, to confirm or
        change the stances: each (quarter, person) is recorded in the ledger before it is sent.
        Returns who was asked."""
        now = now or self.clock.now()
        if not self.stances():
            return []  # nothing published yet, nothing to confirm
        label = quarter(now, self.tz)
        decided = []
        with self.store.write() as db:
            for person in sorted(self.asked()):
                entry = ledger.claim(db, Key(KIND, "stances", label, "", person), self.holder, now, now + IN_FLIGHT)
                if entry is not None:
                    decided.append((person, entry.id))
        sent = []
        for person, entry_id in decided:
            briefing = self.map(person)
            briefing = Briefing(f"Sourcing map check · {label}", briefing.sections,
                                footer="Still right? Confirm them as they are, or change them in the form.",
                                buttons=check_buttons(label))
            try:
                self.notifier.send_briefing(person, briefing)
            except Exception as error:  # noqa: BLE001 - recorded; retried on the next sweep
                with self.store.write() as db:
                    ledger.failed(db, [entry_id], str(error) or type(error).__name__)
                continue
            with self.store.write() as db:
                ledger.delivered(db, [entry_id], self.clock.now())
            sent.append(person)
        if sent:
            log.info("sourcing map check %s sent to %d people", label, len(sent))
        return sent
