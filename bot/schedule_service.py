"""Schedule: the digest and the reminders, each sent exactly once.

Every digest slot and every (reminder kind, subject, threshold, person) is written to the
ledger in the same transaction that decides to send it, marked *in flight* by this
process, and marked delivered once the platform said ok. A refusal (``NotifyError``)
leaves the entry undelivered for the next attempt; a process that dies between the two
leaves it in flight, and once that lapses (``IN_FLIGHT``) the next run sends it. An entry
that was delivered is never sent again, whoever runs next.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from datetime import datetime, timedelta

from bot import digest as digests
from bot import reminders as domain
from bot.clock import Clock, iso
from bot.config import Settings
from bot.contract_service import ContractService
from bot.cron import next_fire
from bot.digest import Digest
from bot.errors import NotAllowed, NotFound
from bot.health import HealthResults
from bot.notifier import Briefing, Notifier, NotifyError
from bot.permissions import Action, Roles, authorize
from bot.reminders import Kind, LedgerEntry, Marked, Reminder
from bot.visibility import Place
from bot.markup import mention
from storage import Store
from storage import schedule as repo
from storage.schedule import Key

log = logging.getLogger(__name__)

# An entry in flight longer than this is presumed lost with its process and is sent again.
IN_FLIGHT = timedelta(minutes=10)
# A digest the platform refused is tried again after this long, the same day.
DIGEST_RETRY = timedelta(minutes=5)

DIGEST, SWEEP, SCORECARD = "digest", "sweep", "scorecard"
T = TypeVar("T")


def default_holder() -> str:
    """Names this process in the ledger and the lease: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class SweepResult:
    sent: dict[str, list[Reminder]] = field(default_factory=dict)  # person → what they got, in one DM
    failed: dict[str, str] = field(default_factory=dict)  # person → why not (retried next sweep)

    @property
    def reminders(self) -> int:
        return sum(len(items) for items in self.sent.values())

    def __str__(self) -> str:
        people = len(self.sent)
        text = (f"Sent {self.reminders} reminder{'s' if self.reminders != 1 else ''} "
                f"to {people} {'person' if people == 1 else 'people'}")
        if self.failed:
            text += f"; {len(self.failed)} could not be reached and will be retried on the next sweep"
        return text + "."


def run_once(store: Store, clock: Clock, holder: str, key: Key, now: datetime, work: Callable[[], T], *,
             retry_after: datetime | None = None,
             problem: Callable[[T], str | None] = lambda result: None) -> tuple[bool, T | None]:
    """Runs ``work`` for one ledger ``key`` (a digest slot, a sweep, a survey round) unless it
    was delivered or is in flight elsewhere: ``(False, None)`` then. The entry is claimed in
    the transaction that decides to run, and marked delivered only when ``work`` returns and
    ``problem(result)`` finds nothing wrong; otherwise it is released for a later run (an
    exception from ``work`` is re-raised after that)."""
    if not repo.sendable(repo.find(store.db, key), now, retry_after):
        return False, None  # the common case, answered without taking the write lock
    with store.write() as db:
        entry = repo.claim(db, key, holder, now, now + IN_FLIGHT, retry_after)
    if entry is None:
        return False, None
    try:
        result = work()
    except Exception as error:
        with store.write() as db:
            repo.failed(db, [entry.id], str(error) or type(error).__name__)
        raise
    failure = problem(result)
    with store.write() as db:
        if failure:
            repo.failed(db, [entry.id], failure)
        else:
            repo.delivered(db, [entry.id], clock.now())
    return True, result


class ScheduleService:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        roles: Roles,
        clock: Clock,
        settings: Settings,
        contracts: ContractService,
        chart: Callable[[], bytes | None],
        health: Callable[[datetime], HealthResults | None],
        scorecard: Callable[[datetime], Briefing],
        holder: str,
    ):
        self.store = store
        self.notifier = notifier
        self.roles = roles
        self.clock = clock
        self.settings = settings
        self.tz = settings.tz
        self.contracts = contracts
        self.holder = holder  # names this process in the ledger and the lease
        self.chart = chart  # the flow chart the posted digest carries (from the stats)
        self.health = health  # the health check section of the digest at a moment
        self.scorecard = scorecard  # the scorecard as the shared channel may see it, with its chart

    # --- the digest --------------------------------------------------------------------------

    def digest(self, now: datetime | None = None, viewer: str | None = None) -> Digest:
        """The digest as of ``now``: the shared channel's, or as ``viewer`` may see it.

        In the channel, confidential requests show only number, category, status and
        owner, and costs are hidden with ``TANDEM_HIDE_COSTS``."""
        now = now or self.clock.now()
        requests = self.contracts.requests
        place = Place.CHANNEL if viewer is None else Place.PRIVATE
        costs_visible = requests.visibility.costs_visible(viewer, place)
        shown = lambda request: requests.visibility.request(viewer, request, place)  # noqa: E731
        db = self.store.db
        item = digests.build(
            requests=repo.open_requests(db),
            contracts=self._awaiting_decision(now),
            activity=repo.last_activity(db),
            new_since=repo.new_since(db),
            recent=repo.recent_requests(db, now - digests.WEEK),
            now=now,
            tz=self.tz,
            horizon_days=max(self.settings.notice_days),
            stale_days=self.settings.stale_days,
            costs_visible=costs_visible,
            shown=shown,
        )
        return dataclasses.replace(item, health=self.health(now))

    def preview_digest(self, user: str) -> Digest:
        """Sends ``user`` the next digest as it stands, by DM; nothing is recorded."""
        authorize(self.roles, user, Action.VIEW)
        now = self.clock.now()
        item = self.preview(now, next_fire(self.settings.digest_cron, self.tz, now) or now, viewer=user)
        self.notifier.send_digest_preview(user, item)
        return item

    def preview(self, now: datetime, posted_at: datetime, viewer: str | None = None) -> Digest:
        """The digest as of ``now`` (the channel's, or as ``viewer`` may see it) with the month's
        scorecard when a digest posted at ``posted_at`` would be its month's first to carry it.
        Nothing is recorded: the scorecard's entry in the ledger is not taken. No charts."""
        item = self.digest(now, viewer=viewer)
        month = posted_at.astimezone(self.tz).strftime("%Y-%m")
        if repo.sendable(repo.find(self.store.db, Key(SCORECARD, "channel", "", month)), now):
            item = dataclasses.replace(item, scorecard=dataclasses.replace(self.scorecard(now), chart=None))
        return item

    def send_digest(self, slot: str, now: datetime | None = None) -> bool | None:
        """Posts the digest for ``slot`` to the shared channel, once.

        Returns True when posted, False when the platform refused (tried again after
        ``DIGEST_RETRY``), None when there was nothing to do (sent, or in flight elsewhere)."""
        now = now or self.clock.now()

        def post() -> None:
            month = self._claim_scorecard(now)
            try:
                item = dataclasses.replace(self.digest(now), chart=self.chart(),
                                           scorecard=self.scorecard(now) if month is not None else None)
                self.notifier.post_digest(item)
            except Exception as error:
                if month is not None:
                    with self.store.write() as db:
                        repo.failed(db, [month.id], str(error) or type(error).__name__)
                raise
            if month is not None:
                with self.store.write() as db:
                    repo.delivered(db, [month.id], self.clock.now())

        try:
            ran, _ = run_once(self.store, self.clock, self.holder, Key(DIGEST, "channel", "", slot), now, post,
                              retry_after=now - DIGEST_RETRY)
        except Exception as error:  # noqa: BLE001 - released on the entry; the next attempt retries
            self._log_failure(error, "digest")
            return False
        if not ran:
            return None
        log.info("digest %s posted", slot)
        return True

    def _claim_scorecard(self, now: datetime):
        """The month's scorecard entry in the ledger when this digest is the first of the month
        (in ``TANDEM_TIMEZONE``) to carry it, claimed for this process; otherwise None. Released
        when the digest is not posted, so the next digest of the month carries it instead."""
        month = now.astimezone(self.tz).strftime("%Y-%m")
        with self.store.write() as db:
            return repo.claim(db, Key(SCORECARD, "channel", "", month), self.holder, now, now + IN_FLIGHT)

    def post_digest_now(self, now: datetime | None = None) -> bool:
        """An unscheduled digest (``tandem digest``): recorded under its own time, never a slot's."""
        now = now or self.clock.now()
        return bool(self.send_digest(f"manual {iso(now)}", now))

    # --- reminders --------------------------------------------------------------------------------

    def due(self, now: datetime | None = None) -> list[Reminder]:
        """Every reminder due now, before the ledger and snoozes are consulted."""
        now = now or self.clock.now()
        db = self.store.db
        return domain.due(
            requests=repo.open_requests(db),
            contracts=self._awaiting_decision(now),
            activity=repo.last_activity(db),
            new_since=repo.new_since(db),
            procurement=self.roles.procurement_members(),
            now=now,
            tz=self.tz,
            notice_days=self.settings.notice_days,
            stale_days=self.settings.stale_days,
            costs_visible=self.contracts.costs_visible,
        )

    def preview_reminders(self, now: datetime | None = None) -> dict[str, list[Reminder]]:
        """What a sweep now would send, per person; sends nothing and writes nothing."""
        now = now or self.clock.now()
        db = self.store.db
        marks = repo.marks(db)
        grouped: dict[str, list[Reminder]] = defaultdict(list)
        for reminder in self.due(now):
            key = self._key(reminder, marks, now)
            if key is not None and repo.sendable(repo.find(db, key), now):
                grouped[reminder.person].append(self.for_person(reminder))
        return dict(sorted(grouped.items()))

    def for_person(self, reminder: Reminder) -> Reminder:
        """A reminder's request as its person may see it in a DM."""
        if reminder.request is None:
            return reminder
        shown = self.contracts.requests.visibility.request(reminder.person, reminder.request, Place.PRIVATE)
        return dataclasses.replace(reminder, request=shown)

    def sweep(self, now: datetime | None = None) -> SweepResult:
        """Decides every reminder due now and sends each person one DM with all of theirs.

        A person the platform cannot reach does not stop the others; their entries stay
        undelivered and are sent on the next sweep."""
        now = now or self.clock.now()
        candidates = self.due(now)
        decided: dict[str, list[Reminder]] = defaultdict(list)
        with self.store.write() as db:
            marks = repo.marks(db)
            for reminder in candidates:
                key = self._key(reminder, marks, now)
                if key is None:
                    continue
                entry = repo.claim(db, key, self.holder, now, now + IN_FLIGHT)
                if entry is not None:
                    decided[reminder.person].append(self.for_person(dataclasses.replace(reminder, id=entry.id)))
        result = SweepResult()
        for person, items in sorted(decided.items()):
            ids = [item.id for item in items]
            try:
                self.notifier.send_reminders(person, items)
            except Exception as error:  # noqa: BLE001 - recorded; this person is retried next sweep
                result.failed[person] = self._failed(ids, error, f"reminders to {person}")
                continue
            with self.store.write() as db:
                repo.delivered(db, ids, self.clock.now())
            result.sent[person] = items
        if decided:
            log.info("reminder sweep: %s", result)
        return result

    def run_sweep(self, slot: str, now: datetime | None = None) -> SweepResult | None:
        """The sweep for a scheduled ``slot``, once (None: already run, or running elsewhere)."""
        now = now or self.clock.now()
        # An exception releases the entry for the next tick and is raised to be logged there.
        _, result = run_once(self.store, self.clock, self.holder, Key(SWEEP, "reminders", "", slot), now,
                             lambda: self.sweep(now))
        return result

    # --- snooze and done ------------------------------------------------------------------------------

    def reminder(self, user: str, entry_id: int) -> LedgerEntry:
        """A reminder ``user`` received (the ledger entry a button names)."""
        entry = repo.get(self.store.db, entry_id)
        if entry is None or entry.kind not in set(Kind):
            raise NotFound("That reminder no longer exists.")
        if entry.person != user:
            raise NotAllowed(f"This reminder is for {mention(entry.person)}; only they can snooze it or mark it done.")
        return entry

    def snooze(self, user: str, entry_id: int) -> Marked:
        """"Snooze 3 days": no reminder about this until the sweep on the third day. A
        reminder already snoozed (a second click) keeps its date and one marked done stays
        done: ``changed`` is False and nothing is written."""
        entry = self.reminder(user, entry_id)
        now = self.clock.now()
        with self.store.write() as db:  # read and written in one transaction: two clicks apply once
            mark = repo.mark(db, entry.kind, entry.subject, entry.episode, user)
            if mark is not None and (mark.done_at is not None or (mark.snoozed_until or now) > now):
                return Marked(mark.snoozed_until, mark.done_at is not None, changed=False)
            until = domain.snooze_end(now, self.tz)
            repo.set_mark(db, entry.kind, entry.subject, entry.episode, user, now, snoozed_until=until)
        return Marked(until, done=False, changed=True)

    def done(self, user: str, entry_id: int) -> Marked:
        """"Done": no more reminders of this kind about this subject for ``user`` (others
        keep theirs). A new episode — the next term's notice deadline, a claim that goes
        quiet again after new activity — reminds afresh. Done twice changes nothing the
        second time."""
        entry = self.reminder(user, entry_id)
        now = self.clock.now()
        with self.store.write() as db:
            mark = repo.mark(db, entry.kind, entry.subject, entry.episode, user)
            if mark is not None and mark.done_at is not None:
                return Marked(None, done=True, changed=False)
            repo.set_mark(db, entry.kind, entry.subject, entry.episode, user, now, done=True)
        return Marked(None, done=True, changed=True)

    # --- internals --------------------------------------------------------------------------------------

    def _awaiting_decision(self, now: datetime):
        """Contracts awaiting a decision whose notice deadline was missed (passed, still
        running) or is from today to the furthest threshold ahead — the only ones the digest
        lists or a reminder is due for — after
        the daily roll (read through the contract service, so a run from the command line
        sees them rolled too)."""
        today = now.astimezone(self.tz).date()
        return self.contracts.awaiting_decision(today, today + timedelta(days=max(self.settings.notice_days)))

    def _key(self, reminder: Reminder, marks: dict, now: datetime) -> Key | None:
        """The ledger key for a due reminder, or None when its person marked it done or
        snoozed it. After a snooze ends the reminder comes back once, keyed by the snooze."""
        wake = ""
        mark = marks.get((reminder.kind.value, reminder.subject, reminder.episode, reminder.person))
        if mark is not None:
            if mark.done_at is not None:
                return None
            if mark.snoozed_until is not None:
                if mark.snoozed_until > now:
                    return None
                wake = iso(mark.snoozed_until)
        return Key(reminder.kind.value, reminder.subject, reminder.episode, reminder.threshold, reminder.person, wake)

    def _failed(self, ids: list[int], error: Exception, what: str) -> str:
        reason = self._log_failure(error, what)
        with self.store.write() as db:
            repo.failed(db, ids, reason)
        return reason

    @staticmethod
    def _log_failure(error: Exception, what: str) -> str:
        reason = str(error) or type(error).__name__
        if isinstance(error, NotifyError):
            log.warning("%s not delivered: %s; retried on the next run", what, reason)
        else:
            log.error("%s failed: %r; retried on the next run", what, error, exc_info=error)
        return reason


@dataclass(frozen=True)
class ScheduleStatus:
    """For health checks: who runs the schedule and the last digest that went out."""

    lease_holder: str | None
    last_digest_slot: str | None
    last_digest_at: datetime | None


def schedule_status(store: Store, now: datetime, lease_name: str = "schedule") -> ScheduleStatus:
    db = store.db
    holder = repo.lease_holder(db, lease_name, now)
    slot, at = repo.last_delivered(db, "digest") or (None, None)
    return ScheduleStatus(holder, slot, at)
