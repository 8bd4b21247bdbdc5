"""The sync meeting: IT and procurement's recurring meeting, its agenda, decisions and actions.

``TANDEM_SYNC_CRON`` names when the meeting happens; ``TANDEM_SYNC_LEAD`` (default 2 h)
before it Tandem posts the agenda to the shared channel, once (the exactly-once ledger):
open action items first, then missed and coming notice deadlines, the needs waiting
longest on each side, approvals pending, quiet claims and the latest check-up's lowest
statement. During the meeting ``/procure decide`` records a decision and
``/procure action @person text [by DATE]`` an action item; open action items are reminded
by DM at the reminder sweeps (from two days before their date, or weekly without one) until
someone marks them done.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import digest as digests
from bot.clock import Clock, iso
from bot.markup import mention, mentioned, quoted
from bot.config import Settings
from bot.errors import BadInput, InvalidTransition, NotAllowed, NotFound
from bot.health import STATEMENTS
from bot.notifier import Briefing, Notifier, NotifyError, Section
from bot.people import looks_like_chat_user
from bot.permissions import Role, Roles
from bot.requests import Status
from bot.text import clean_text
from bot.parsing import parse_date
from bot.visibility import Place
from storage import Store
from storage import approvals as approvals_repo
from storage import schedule as ledger
from storage import sync as repo
from storage.requests import add_event
from storage.schedule import Key

log = logging.getLogger(__name__)

ACTION_MAX = 300
DECISION_MAX = 500
AGENDA_ROWS = 5
REMIND_BEFORE_DAYS = 2
UNDATED_EVERY_DAYS = 7
COMING_DAYS = 30
AGENDA, ACTION = "agenda", "action"
IN_FLIGHT = timedelta(minutes=10)


@dataclass(frozen=True)
class Meeting:
    id: int
    slot: str
    at: datetime
    agenda_at: datetime


@dataclass(frozen=True)
class SyncDecision:
    id: int
    meeting_id: int | None
    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ActionItem:
    id: int
    meeting_id: int | None
    person: str
    text: str
    due: date | None
    created_by: str
    created_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None


_BY_DATE = re.compile(r"\s+by\s+(\S+)\s*$", re.IGNORECASE)


def parse_action(text: str) -> tuple[str, str, str | None]:
    """``@person text [by DATE]`` into (who as written, the text, the date as written)."""
    parts = (text or "").strip().split(None, 1)
    if len(parts) < 2 or not parts[1].strip():
        raise BadInput("Say who and what: `action @person Send the renewal quote by 2026-12-01`.")
    who, rest = parts
    match = _BY_DATE.search(rest)
    due = match[1] if match else None
    body = rest[: match.start()] if match else rest
    return who, body.strip(), due


def action_line(item: ActionItem, today: date) -> str:
    line = f"{item.id}. {mention(item.person)} — {quoted(item.text)}"
    if item.due is not None:
        left = (item.due - today).days
        when = "due today" if left == 0 else f"due {item.due.isoformat()}" if left > 0 else \
            f"due {item.due.isoformat()}, {-left} day{'s' if left != -1 else ''} overdue"
        line += f" ({when})"
    return line


class SyncService:
    def __init__(self, store: Store, notifier: Notifier, roles: Roles, clock: Clock, settings: Settings,
                 contracts, health, holder: str):
        self.store = store
        self.notifier = notifier
        self.roles = roles
        self.clock = clock
        self.settings = settings
        self.tz = settings.tz
        self.contracts = contracts  # ContractService: notice deadlines after the daily roll
        self.health = health  # HealthService: the latest check-up's lowest statement
        self.holder = holder
        self.trigger = None
        if settings.sync_cron:
            from apscheduler.triggers.cron import CronTrigger

            self.trigger = CronTrigger.from_crontab(settings.sync_cron, timezone=self.tz)

    # --- the meeting and its agenda ---------------------------------------------------------------

    def next_meeting(self, now: datetime) -> datetime | None:
        """The next meeting at or after ``now`` (None without ``TANDEM_SYNC_CRON``)."""
        if self.trigger is None:
            return None
        return self.trigger.get_next_fire_time(None, now)

    def slot(self, meeting: datetime) -> str:
        return f"{meeting.astimezone(self.tz):%Y-%m-%dT%H:%M} {self.tz.key}"

    def agenda(self, now: datetime | None = None, viewer: str | None = None) -> Briefing:
        """The agenda as of ``now``: in the channel (``viewer`` None) confidential needs show
        only their number, category, status and owner."""
        now = now or self.clock.now()
        today = now.astimezone(self.tz).date()
        meeting = self.next_meeting(now)
        title = f"Sync meeting agenda · {meeting.astimezone(self.tz):%a %d %b %H:%M}" if meeting else \
            "Sync meeting agenda"
        requests = self.contracts.requests
        place = Place.CHANNEL if viewer is None else Place.PRIVATE
        db = self.store.db
        opened = [requests.view(viewer, r, place) for r in ledger.open_requests(db)]
        sections = [
            _section("Open action items", [action_line(item, today) for item in repo.open_actions(db)],
                     "No open action items."),
            self._deadlines(today),
            _section("Waiting on IT the longest", [
                f"{r.number} {quoted(r.title)} — {(today - r.updated_at.astimezone(self.tz).date()).days} days, "
                f"requested by {mention(r.requester)}"
                for r in sorted(opened, key=lambda r: r.updated_at) if r.status is Status.AWAITING_IT],
                "Nothing waits on IT."),
            _section("Waiting on procurement the longest", [
                f"{r.number} {quoted(r.title)} — {(today - r.created_at.astimezone(self.tz).date()).days} days, "
                f"{r.status.label.lower()}" + (f", {mention(r.owner)}" if r.owner else ", unclaimed")
                for r in sorted(opened, key=lambda r: r.created_at)
                if r.status not in (Status.AWAITING_IT, Status.ON_HOLD)], "Nothing waits on procurement."),
            _section("Approvals pending", [
                f"{r.number} {quoted(r.title)} — asked {when.astimezone(self.tz):%Y-%m-%d}"
                for r, when in self._pending_approvals(opened)], "No approvals pending."),
            _section("Quiet claims", [
                f"{w.request.number} {quoted(w.request.title)} — quiet {w.days} days, {mention(w.request.owner)}"
                for w in digests.stale(opened, ledger.last_activity(db), today, self.tz, self.settings.stale_days)],
                "No quiet claims."),
            self._lowest(),
        ]
        return Briefing(title, tuple(sections),
                        footer="During the meeting: `/procure decide <text>` records a decision, "
                               "`/procure action @person <text> [by YYYY-MM-DD]` an action item.")

    def run_agenda(self, now: datetime | None = None) -> bool | None:
        """Posts the agenda once when the next meeting is ``TANDEM_SYNC_LEAD`` away or less.
        True posted, False refused (tried again on a later tick), None nothing to do."""
        now = now or self.clock.now()
        meeting = self.next_meeting(now)
        if meeting is None or now < meeting - self.settings.sync_lead:
            return None
        from bot.schedule_service import run_once

        slot = self.slot(meeting)

        def post() -> None:
            self.notifier.post_briefing(self.agenda(now))
            with self.store.write() as db:
                repo.add_meeting(db, slot, meeting, now)

        try:
            ran, _ = run_once(self.store, self.clock, self.holder, Key(AGENDA, "channel", "", slot), now, post,
                              retry_after=now - timedelta(minutes=5))
        except Exception as error:  # noqa: BLE001 - released on the entry; the next tick retries
            log.warning("the sync meeting agenda for %s was not posted (%s); retried shortly", slot, error)
            return False
        return True if ran else None

    def current_meeting(self, now: datetime) -> Meeting | None:
        """The meeting decisions and actions belong to: one whose agenda is out and that began
        less than a day ago (or begins within the lead)."""
        meetings = repo.meetings_between(self.store.db, now - timedelta(days=1), now + self.settings.sync_lead)
        return meetings[-1] if meetings else None

    # --- decisions and action items -----------------------------------------------------------------

    def decide(self, actor: str, text: str) -> SyncDecision:
        text = clean_text(text, 10_000)
        if not text:
            raise BadInput("Write the decision after `decide`.")
        if len(text) > DECISION_MAX:
            raise BadInput(f"Keep a decision under {DECISION_MAX} characters.")
        now = self.clock.now()
        meeting = self.current_meeting(now)
        with self.store.write() as db:
            decision = repo.add_decision(db, meeting.id if meeting else None, text, actor, now)
            add_event(db, "decision", decision.id, now, actor, "decided", {}, {"text": text})
        return decision

    def add_action(self, actor: str, text: str) -> ActionItem:
        who, body, due_text = parse_action(text)
        person = self.person(who)
        body = clean_text(body, 10_000)
        if not body:
            raise BadInput("Say what is to be done after the person.")
        if len(body) > ACTION_MAX:
            raise BadInput(f"Keep an action item under {ACTION_MAX} characters.")
        now = self.clock.now()
        due = parse_date(due_text) if due_text else None
        if due is not None and due < now.astimezone(self.tz).date():
            raise BadInput(f"{due.isoformat()} has passed; give a date from today on.")
        meeting = self.current_meeting(now)
        with self.store.write() as db:
            item = repo.add_action(db, meeting.id if meeting else None, person, body, due, actor, now)
            add_event(db, "action", item.id, now, actor, "added", {},
                      {"person": person, "text": body, "due": due.isoformat() if due else None})
        if person != actor:
            try:
                self.notifier.send_briefing(person, self._reminder([item], now, first=True))
            except NotifyError as error:
                log.warning("could not tell %s about action item %s (%s); the sweep reminds them", person,
                            item.id, error)
        return item

    def done(self, actor: str, action_id: int) -> ActionItem:
        now = self.clock.now()
        with self.store.write() as db:
            item = repo.get_action(db, action_id)
            if item is None:
                raise NotFound(f"There is no action item {action_id}.")
            if actor not in (item.person, item.created_by) and self.roles.role_of(actor) is not Role.ADMIN:
                raise NotAllowed(f"Action item {action_id} is marked done by {mention(item.person)}, who recorded it, "
                                 f"or an admin.")
            if item.done:
                raise InvalidTransition(f"Action item {action_id} is already done.")
            repo.mark_done(db, action_id, actor, now)
            add_event(db, "action", action_id, now, actor, "done", {}, {})
            return repo.get_action(db, action_id)

    def open_actions(self) -> Briefing:
        today = self.clock.now().astimezone(self.tz).date()
        items = repo.open_actions(self.store.db)
        return Briefing("Open action items", (Section("From the sync meetings", tuple(
            action_line(item, today) for item in items), empty="No open action items."),),
            footer="Mark one done with `/procure action done N`.")

    def person(self, written: str) -> str:
        """Whom ``written`` names: a mention (each platform turns its own into ``mention``), a
        chat user ID or a known e-mail address."""
        text = written.strip()
        named = mentioned(text)
        if named is not None and looks_like_chat_user(named):
            return named
        if looks_like_chat_user(text):
            return text
        if "@" in text and self.roles.people is not None:
            found = self.roles.people.persons(text.lower())
            if len(found) == 1:
                return next(iter(found))
        raise BadInput(f"{text[:40]!r} is not someone I know; mention them (@name), or give their "
                       f"chat user ID or e-mail address.")

    # --- reminders ----------------------------------------------------------------------------------

    def remind_actions(self, now: datetime | None = None) -> dict[str, list[ActionItem]]:
        """At a reminder sweep: one DM per person with their open action items that are due a
        reminder today, each (item, day) once through the ledger. Returns who got what."""
        now = now or self.clock.now()
        today = now.astimezone(self.tz).date()
        due = [item for item in repo.open_actions(self.store.db) if _remind_today(item, today, self.tz)]
        decided: dict[str, list[tuple[int, ActionItem]]] = defaultdict(list)
        with self.store.write() as db:
            for item in due:
                key = Key(ACTION, f"action:{item.id}", iso(item.created_at), today.isoformat(), item.person)
                entry = ledger.claim(db, key, self.holder, now, now + IN_FLIGHT)
                if entry is not None:
                    decided[item.person].append((entry.id, item))
        sent: dict[str, list[ActionItem]] = {}
        for person, entries in sorted(decided.items()):
            ids = [entry_id for entry_id, _ in entries]
            try:
                self.notifier.send_briefing(person, self._reminder([item for _, item in entries], now))
            except NotifyError as error:
                with self.store.write() as db:
                    ledger.failed(db, ids, str(error))
                continue
            with self.store.write() as db:
                ledger.delivered(db, ids, self.clock.now())
            sent[person] = [item for _, item in entries]
        return sent

    def _reminder(self, items: list[ActionItem], now: datetime, first: bool = False) -> Briefing:
        today = now.astimezone(self.tz).date()
        title = "A new action item for you" if first else "Your action items from the sync meeting"
        return Briefing(title, (Section("To do", tuple(action_line(item, today) for item in items)),),
                        footer="When one is done: `/procure action done N`.")

    # --- agenda parts ---------------------------------------------------------------------------------

    def _deadlines(self, today: date) -> Section:
        lines = []
        # The one missed-deadline rule (``Contract.missed``): passed, still awaiting a decision,
        # and the contract still runs — as /procure contracts, the digest and the reminders say.
        for contract in self.contracts.missed(today):
            late = (today - contract.notice_deadline).days
            lines.append(f"Missed: {contract.vendor} {contract.product} (contract {contract.id}) — notice deadline "
                         f"{contract.notice_deadline.isoformat()}, {late} day{'s' if late != 1 else ''} ago")
        for contract in self.contracts.deadlines_between(today, today + timedelta(days=COMING_DAYS)):
            left = (contract.notice_deadline - today).days
            lines.append(f"{contract.vendor} {contract.product} (contract {contract.id}) — notice deadline "
                         f"{contract.notice_deadline.isoformat()}, in {left} day{'s' if left != 1 else ''}")
        return _section(f"Notice deadlines: missed, and the next {COMING_DAYS} days", lines,
                        "None missed, none coming.")

    def _pending_approvals(self, opened) -> list:
        rows = approvals_repo.open_since(self.store.db)
        return [(request, rows[request.id]) for request in opened if request.id in rows]

    def _lowest(self) -> Section:
        results = self.health.results("tandem") if self.health is not None else None
        if results is None or results.lowest is None:
            return Section("Lowest in the latest check-up", empty="No check-up results yet (from 3 answers up).")
        statement = STATEMENTS[results.lowest]
        line = (f"{statement.text} — {results.averages[results.lowest]:.1f} of 5 "
                f"({results.answers} answers, {results.survey.label})")
        return Section("Lowest in the latest check-up", (line,))


def _section(title: str, lines: list[str], empty: str) -> Section:
    return Section(title, tuple(lines[:AGENDA_ROWS]), max(0, len(lines) - AGENDA_ROWS), empty)


def _remind_today(item: ActionItem, today: date, tz) -> bool:
    created = item.created_at.astimezone(tz).date()
    if created >= today:
        return False  # told when it was recorded
    if item.due is not None:
        return (item.due - today).days <= REMIND_BEFORE_DAYS
    return (today - created).days % UNDATED_EVERY_DAYS == 0
