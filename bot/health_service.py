"""The health check's service: who is asked, sending each round once, answers and results.

The rules of the survey itself (statements, validation, the 3-answer rule, the results'
arithmetic) are in ``bot.health``; this module gathers the data and sends through the
``Notifier``. Sending follows the schedule's ledger (``bot.schedule_service``): each person's survey
for a round is recorded before it is sent and marked delivered once the platform took it,
so a restart neither repeats nor loses one, and only the lease holder runs the schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock
from bot.config import Settings
from bot.errors import InvalidTransition, NotAllowed
from bot.health import (
    DIGEST_WINDOW,
    IT,
    KIND,
    MIN_ANSWERS,
    PROCUREMENT,
    RECENT_REQUESTERS,
    SLOT_SUBJECT,
    SURVEY_SUBJECT,
    Answer,
    HealthResults,
    HealthCheckResult,
    HealthCheck,
    already_answered,
    check_comment,
    check_scores,
    summarize,
)
from bot.notifier import Notifier
from bot.people import looks_like_chat_user
from bot.permissions import Action, Roles, authorize
from bot.schedule_service import DIGEST_RETRY, IN_FLIGHT, run_once
from storage import Store
from storage import health as repo
from storage import schedule as ledger
from storage.schedule import Key

log = logging.getLogger(__name__)



class HealthService:
    def __init__(self, store: Store, notifier: Notifier, roles: Roles, clock: Clock, settings: Settings,
                 holder: str):
        self.store = store
        self.notifier = notifier
        self.roles = roles
        self.clock = clock
        self.settings = settings
        self.tz = settings.tz
        self.holder = holder  # names this process in the ledger (the schedule's holder)
        self.trigger = CronTrigger.from_crontab(settings.health_cron, timezone=settings.tz)

    # --- who -------------------------------------------------------------------------------

    def audience(self, now: datetime | None = None) -> set[str]:
        """Procurement members (admins included) and everyone who posted a need in the last
        90 days."""
        now = now or self.clock.now()
        people = self.roles.procurement_members() | repo.requesters_since(self.store.db, now - RECENT_REQUESTERS)
        return {person for person in people if looks_like_chat_user(person)}

    def side_of(self, user: str) -> str:
        """The side ``user`` is on now: procurement for procurement members and admins (who
        do procurement's work in Tandem), IT for everyone else."""
        return PROCUREMENT if self.roles.is_procurement(user) else IT

    def month(self, now: datetime) -> str:
        return now.astimezone(self.tz).strftime("%Y-%m")

    def next_time(self, now: datetime | None = None) -> datetime | None:
        return self.trigger.get_next_fire_time(None, now or self.clock.now())

    # --- sending ---------------------------------------------------------------------------

    def run_slot(self, slot: str, now: datetime | None = None) -> HealthCheckResult | None:
        """The survey for a scheduled ``slot``, once. Returns None when there was nothing to
        do (run already, running elsewhere, or retried too recently). When someone could not
        be reached, the slot is run again a few minutes later for them alone, the same day."""
        now = now or self.clock.now()
        # An exception releases the entry for the next tick and is raised to be logged there.
        _, result = run_once(
            self.store, self.clock, self.holder, Key(KIND, SLOT_SUBJECT, "", slot), now,
            lambda: self.send_round(now), retry_after=now - DIGEST_RETRY,
            problem=lambda result: f"{len(result.failed)} not reached" if result.failed else None,
        )
        return result

    def send_now(self, actor: str) -> HealthCheckResult:
        """``/procure health send`` (admins): this month's survey, now, to whoever has not had it."""
        authorize(self.roles, actor, Action.ADMINISTER)
        return self.send_round(self.clock.now())

    def send_round(self, now: datetime) -> HealthCheckResult:
        """Opens this month's round (once) and sends the survey to everyone in the audience
        who has not had it: each person's send is recorded in the ledger before it is made
        and marked delivered when the platform took it."""
        month = self.month(now)
        audience = self.audience(now)
        decided: list[tuple[str, int]] = []
        with self.store.write() as db:
            survey = repo.open_round(db, month, now)
            for person in sorted(audience):
                entry = ledger.claim(db, Key(KIND, SURVEY_SUBJECT, month, "", person), self.holder, now,
                                     now + IN_FLIGHT)
                if entry is not None:
                    decided.append((person, entry.id))
        result = HealthCheckResult(survey)
        for person, entry_id in decided:
            try:
                self.notifier.send_health_check(person, survey)
            except Exception as error:  # noqa: BLE001 - recorded; this person is retried on the next run
                reason = str(error) or type(error).__name__
                log.warning("health check %s not delivered to %s: %s; retried on the next run", month, person, reason)
                with self.store.write() as db:
                    ledger.failed(db, [entry_id], reason)
                result.failed[person] = reason
                continue
            with self.store.write() as db:
                ledger.delivered(db, [entry_id], self.clock.now())
            result.sent.append(person)
        if decided:
            log.info("health check %s: %s", month, result)
        return result

    # --- answering -------------------------------------------------------------------------------

    def check_can_answer(self, user: str, round_id: int | None = None) -> HealthCheck:
        """The round ``user`` may answer now, or a clear refusal (for the button that opens
        the form, before they fill it in)."""
        db = self.store.db
        survey = self._open_round(db, user, round_id)
        if repo.has_answered(db, survey.id, user):
            raise InvalidTransition(already_answered(survey))
        return survey

    def answer(self, user: str, scores: Sequence[object], comment: object = "",
               round_id: int | None = None) -> HealthCheck:
        """Records ``user``'s answer to the open round: that they answered (so they cannot
        answer twice) and, apart from it, the scores with the side they are on now."""
        scores = check_scores(scores)
        comment = check_comment(comment)
        with self.store.write() as db:
            survey = self._open_round(db, user, round_id)
            if not repo.add_participation(db, survey.id, user):
                raise InvalidTransition(already_answered(survey))
            repo.add_answer(db, survey.id, Answer(self.side_of(user), scores, comment))
            count = repo.count_answers(db, survey.id)
        log.info("health check %s: an answer was recorded (%d so far)", survey.month, count)
        return survey

    def _open_round(self, db, user: str, round_id: int | None) -> HealthCheck:
        latest = repo.latest_round(db)
        if latest is None:
            raise InvalidTransition("No health check has gone out yet; " + self._next_text() + ".")
        if round_id is not None and round_id != latest.id:
            asked = repo.get_round(db, round_id)
            label = f"The {asked.label} health check" if asked else "That health check"
            raise InvalidTransition(f"{label} has closed; the {latest.label} one is open "
                                    f"(answer it from its message or with `/procure health answer`).")
        asked = ledger.find(db, Key(KIND, SURVEY_SUBJECT, latest.month, "", user)) is not None
        if not asked and user not in self.audience():
            raise NotAllowed("The health check goes to procurement and to everyone who posted a need in the last "
                             "90 days; it was not sent to you this month.")
        return latest

    def _next_text(self) -> str:
        upcoming = self.next_time()
        if upcoming is None:
            return "none is scheduled (TANDEM_HEALTH_CRON)"
        return f"the next goes out on {upcoming.astimezone(self.tz):%a %d %b %Y at %H:%M} (TANDEM_HEALTH_CRON)"

    # --- results -----------------------------------------------------------------------------------

    def results(self, actor: str) -> HealthResults | None:
        """The latest round's results (None before the first round). Anyone may look: nothing
        in them names anyone."""
        authorize(self.roles, actor, Action.VIEW)
        latest = repo.latest_round(self.store.db)
        return None if latest is None else self.summary(latest)

    def not_yet(self) -> str:
        return "No health check has gone out yet; " + self._next_text() + "."

    def summary(self, survey: HealthCheck) -> HealthResults:
        db = self.store.db
        previous = repo.previous_round_with_answers(db, survey.month, MIN_ANSWERS)
        before = (previous, repo.answers(db, previous.id)) if previous else None
        return summarize(survey, repo.answers(db, survey.id), before)

    def digest_section(self, now: datetime) -> HealthResults | None:
        """For the digest: the latest round's results when it went out in the week before."""
        latest = repo.latest_round(self.store.db)
        if latest is None or not now - DIGEST_WINDOW <= latest.opened_at <= now:
            return None
        return self.summary(latest)

