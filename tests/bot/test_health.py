"""The health check: who is asked and when, exactly once; answers kept apart from names;
results from 3 answers up, recomputed here from the raw answers.

Time comes from a FakeClock; the schedule is driven with ``Schedule.tick`` as in
tests/bot/test_schedule.py.
"""

import logging
import re
import statistics
from datetime import datetime, timedelta, timezone

import pytest

from bot import commands, dispatch, health
from bot.commands import Command
from bot.config import Settings
from bot.core import build_core
from bot.errors import BadInput, InvalidTransition, NotAllowed
from bot.permissions import Roles
from bot.schedule_service import DIGEST_RETRY, IN_FLIGHT
from bot.schedule import LEASE, Schedule
from storage import health as repo
from storage import schedule as ledger
from tests.anonymity import assert_anonymous, assert_keys_unrelated
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2, need
from testing.notifier import RecordingNotifier

UTC = timezone.utc
IT3, IT4 = "U0IT000003", "U0IT000004"
PROCUREMENT = {ADMIN, BUYER, BUYER2}  # procurement members, admins included

# First Mondays, 10:00 (the default TANDEM_HEALTH_CRON, in UTC).
NOV = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
DEC = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
JAN = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


def mean(values) -> float:
    return sum(values) / len(values)


class Process:
    """One `tandem run`: its own connections, notifier and schedule on the shared database."""

    def __init__(self, settings, clock, name):
        self.notifier = RecordingNotifier()
        self.core = build_core(settings, self.notifier, clock=clock)
        self.schedule = Schedule(self.core, holder=name)

    def tick(self):
        return self.schedule.tick()

    def surveyed(self) -> list[str]:
        return [person for person, _ in self.notifier.surveys()]


@pytest.fixture
def make(tmp_path, clock):
    made = []

    def make(name="A", **env):
        settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "tandem.db"),
                                      "TANDEM_PROCUREMENT": f"{BUYER},{BUYER2}", "TANDEM_ADMINS": ADMIN, **env})
        process = Process(settings, clock, name)
        made.append(process)
        return process

    yield make
    for process in made:
        process.core.close()


def post_needs(core, clock, *people, at=None, cancel=False):
    """Each of ``people`` posts a need (at ``at``, then the clock goes back to where it was);
    with ``cancel`` they cancel it again, so the digest lists nobody."""
    back = clock.now()
    if at is not None:
        clock.set(at)
    for person in people:
        request = core.requests.create(person, need(title="Docking stations", needed_by="2027-06-30"))
        if cancel:
            core.requests.cancel(person, request.id)
    clock.set(back)


def open_round(core, clock, when, *answers):
    """Sends the survey of ``when``'s month and records ``answers``: (person, scores, comment)."""
    clock.set(when)
    core.health.send_round(when)
    for person, scores, comment in answers:
        core.health.answer(person, scores, comment)


# --- who is asked, and when ---------------------------------------------------------------------


def test_the_survey_goes_monthly_to_procurement_and_to_who_posted_needs_in_90_days(make, clock):
    a = make()
    post_needs(a.core, clock, IT2, at=datetime(2026, 8, 1, 9, tzinfo=UTC))  # 128 days before December's: not asked
    post_needs(a.core, clock, IT, at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    clock.set(DEC - timedelta(minutes=1))
    assert a.tick().survey is None
    clock.set(DEC)
    result = a.tick().survey
    assert sorted(result.sent) == sorted(PROCUREMENT | {IT}) and not result.failed
    assert str(result) == "The December 2026 health check went to 4 people."
    for minutes in (1, 30, 300):
        clock.set(DEC + timedelta(minutes=minutes))
        assert a.tick().survey is None
    clock.set(datetime(2026, 12, 14, 10, 0, tzinfo=UTC))  # the second Monday: the cron is the first only
    assert a.tick().survey is None
    clock.set(JAN)
    assert sorted(a.tick().survey.sent) == sorted(PROCUREMENT | {IT})
    assert sorted(a.surveyed()) == sorted(list(PROCUREMENT | {IT}) * 2)
    rounds = {survey.month for _, survey in a.notifier.surveys()}
    assert rounds == {"2026-12", "2027-01"}


def test_two_schedulers_and_a_restart_send_each_person_one_survey_per_round(make, clock):
    a, b = make("A"), make("B")
    post_needs(a.core, clock, IT, IT2)
    clock.set(DEC)
    for _ in range(3):
        a.tick()
        b.tick()
        clock.advance(minutes=7)
    assert sorted(a.surveyed()) == sorted(PROCUREMENT | {IT, IT2})
    assert b.surveyed() == [], "only the lease holder sends"
    a.schedule.stop()
    again = make("A again")
    assert again.tick().leader
    clock.advance(hours=2)
    again.tick()
    assert again.surveyed() == [] and b.surveyed() == [], "a restart neither repeats"
    entries = [e for e in ledger.entries(again.core.store.db, health.KIND) if e.subject == health.SURVEY_SUBJECT]
    assert len(entries) == 5 and all(e.delivered for e in entries), "nor loses one"


class ProcessDied(BaseException):
    pass


def test_a_crash_mid_round_is_finished_once_by_whoever_runs_next(make, clock):
    a = make("A")
    post_needs(a.core, clock, IT)
    sent = []

    def die_on_the_second(user, survey):
        if sent:
            raise ProcessDied()
        sent.append(user)

    a.notifier.send_health_check = die_on_the_second
    clock.set(DEC)
    with pytest.raises(ProcessDied):
        a.tick()
    b = make("B")
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert b.tick().leader and b.surveyed() == [], "A's sends may still be in flight"
    clock.advance(seconds=IN_FLIGHT.total_seconds())
    b.tick()
    b.tick()
    assert sorted(sent + b.surveyed()) == sorted(PROCUREMENT | {IT}), "everyone once: none lost, none twice"


def test_someone_who_cannot_be_reached_is_retried_the_same_day_and_nobody_else_twice(make, clock):
    a = make()
    post_needs(a.core, clock, IT)
    a.notifier.unreachable = {IT}
    clock.set(DEC)
    result = a.tick().survey
    assert result.failed == {IT: "user_not_found"} and sorted(result.sent) == sorted(PROCUREMENT)
    assert "1 could not be reached and will be retried" in str(result)
    clock.advance(minutes=1)
    assert a.tick().survey is None, "waits a little before trying again"
    a.notifier.unreachable = set()
    clock.advance(seconds=DIGEST_RETRY.total_seconds())
    assert a.tick().survey.sent == [IT]
    clock.advance(minutes=30)
    assert a.tick().survey is None
    assert sorted(a.surveyed()) == sorted(PROCUREMENT | {IT})


def test_another_slot_in_the_same_month_asks_only_who_has_not_had_it(make, clock):
    a = make(TANDEM_HEALTH_CRON="0 10 * * MON")  # weekly: still one round per month
    post_needs(a.core, clock, IT)
    clock.set(DEC)
    assert len(a.tick().survey.sent) == 4
    post_needs(a.core, clock, IT2, at=datetime(2026, 12, 9, 9, tzinfo=UTC))
    clock.set(datetime(2026, 12, 14, 10, 0, tzinfo=UTC))
    assert a.tick().survey.sent == [IT2]
    assert {survey.month for _, survey in a.notifier.surveys()} == {"2026-12"}


def test_send_now_is_for_admins_and_joins_the_month_round(core, clock, notifier):
    post_needs(core, clock, IT)
    with pytest.raises(NotAllowed):
        core.health.send_now(BUYER)
    assert notifier.surveys() == []
    result = core.health.send_now(ADMIN)
    assert sorted(result.sent) == sorted(PROCUREMENT | {IT})
    again = core.health.send_now(ADMIN)
    assert again.sent == [] and str(again) == ("Everyone has had the November 2026 health check already; "
                                               "nobody new to ask.")


# --- answering -------------------------------------------------------------------------------------


def test_one_answer_per_person_per_round_and_only_for_who_was_asked(core, clock):
    with pytest.raises(InvalidTransition, match="No health check has gone out yet; the next goes out on "
                                                "Mon 07 Dec 2026 at 10:00"):
        core.health.answer(BUYER, (4, 4, 4, 4, 4, 4))
    post_needs(core, clock, IT)
    core.health.send_round(clock.now())
    survey = core.health.answer(IT, (4, 5, 3, 4, 2, 5), "Quotes take long")
    assert survey.label == "November 2026"
    with pytest.raises(InvalidTransition, match="already answered the November 2026 health check"):
        core.health.answer(IT, (1, 1, 1, 1, 1, 1))
    with pytest.raises(InvalidTransition, match="already answered"):
        core.health.check_can_answer(IT)
    with pytest.raises(NotAllowed, match="it was not sent to you"):
        core.health.answer(IT2, (3, 3, 3, 3, 3, 3))
    with pytest.raises(BadInput):
        core.health.answer(BUYER, (4, 4, 6, 4, 4, 4))
    with pytest.raises(BadInput):
        core.health.answer(BUYER, (4, 4, 4), "")
    with pytest.raises(BadInput, match="under 1000 characters"):
        core.health.answer(BUYER, (4,) * 6, "x" * 1001)
    assert [a.scores for a in repo.answers(core.store.db, survey.id)] == [(4, 5, 3, 4, 2, 5)]
    clock.set(DEC)
    core.health.send_round(DEC)
    with pytest.raises(InvalidTransition, match="The November 2026 health check has closed; the December 2026 one"):
        core.health.answer(BUYER, (4,) * 6, round_id=survey.id)


def test_the_side_is_the_role_at_answer_time(settings, clock, notifier):
    first = build_core(settings, notifier, clock=clock)
    post_needs(first, clock, IT)
    first.health.send_round(clock.now())
    first.close()
    # IT joined procurement after the survey went out.
    later = build_core(settings, notifier, clock=clock, roles=Roles((BUYER, IT), (ADMIN,)))
    try:
        later.health.answer(IT, (4,) * 6)
        later.health.answer(BUYER, (2,) * 6)
        [survey] = [s for _, s in notifier.surveys()][:1]
        assert sorted(a.side for a in repo.answers(later.store.db, survey.id)) == ["procurement", "procurement"]
    finally:
        later.close()


def test_who_answered_and_what_they_answered_are_stored_apart(core, clock):
    post_needs(core, clock, IT)
    core.health.send_round(clock.now())
    core.health.answer(IT, (4, 5, 3, 4, 2, 5), "Quotes take long")
    db = core.store.db
    assert {c.name for c in db["survey_participation"].columns} == {"round_id", "person"}
    answer_columns = {c.name for c in db["survey_answers"].columns}
    assert answer_columns == {"id", "round_id", "side", *health.KEYS, "comment"}, "no person, no time"
    assert db.execute("select person from survey_participation").fetchall() == [(IT,)]
    [row] = db.execute("select * from survey_answers").fetchall()
    assert IT not in row and "Quotes take long" in row
    assert row[0] > 1_000, "a random key, not the order of answers"


def every_text_in(db) -> set[str]:
    """Every text value stored anywhere in the database: what someone holding it could try as
    an HMAC key."""
    found = set()
    for table in db.table_names():
        for row in db.execute(f"select * from [{table}]").fetchall():
            found.update(value for value in row if isinstance(value, str) and len(value) <= 200)
    return found


def test_answer_keys_are_random_not_derived_from_the_round_and_the_person(tmp_path, clock):
    """Two fresh databases where the same people answer the same round: a key derived from the
    round and the person (a hash, an HMAC, a seeded generator) would come out the same twice,
    and anyone with the database and the staff list could put names to scores."""
    secrets = {"SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5", "TEAMS_APP_PASSWORD": "app-password"}
    keys, texts, rounds = {}, set(), set()
    for name in ("one", "two"):
        settings = Settings.from_env({"TANDEM_DB": str(tmp_path / f"{name}.db"), "TANDEM_PROCUREMENT": BUYER,
                                      "TANDEM_ADMINS": ADMIN, **secrets})
        clock.set(DEC - timedelta(days=30))
        core = build_core(settings, RecordingNotifier(), clock=clock)
        try:
            post_needs(core, clock, IT, IT2)
            open_round(core, clock, DEC, (IT, (4, 5, 3, 4, 2, 5), ""), (IT2, (1, 2, 3, 4, 5, 1), ""),
                       (BUYER, (3,) * 6, ""))
            survey = repo.latest_round(core.store.db)
            rounds |= {survey.id, survey.month, f"{survey.month}-01", survey.opened_at.isoformat()}
            keys[name] = [row[0] for row in core.store.db.execute("select id from survey_answers order by id")]
            texts |= every_text_in(core.store.db)
        finally:
            core.close()
    assert len(keys["one"]) == len(keys["two"]) == 3
    assert not set(keys["one"]) & set(keys["two"]), "the same answers in two databases must get different keys"
    for person in (IT, IT2, BUYER):
        assert_keys_unrelated(keys["one"] + keys["two"], rounds, person, set(secrets.values()), texts)


def test_a_refused_answer_changes_nothing(core, clock):
    post_needs(core, clock, IT)
    core.health.send_round(clock.now())
    core.health.answer(IT, (4,) * 6)
    before = (db_rows(core, "survey_participation"), db_rows(core, "survey_answers"))
    for attempt in [lambda: core.health.answer(IT, (1,) * 6), lambda: core.health.answer(IT2, (1,) * 6),
                    lambda: core.health.answer(BUYER, (9,) * 6)]:
        with pytest.raises((InvalidTransition, NotAllowed, BadInput)):
            attempt()
    assert (db_rows(core, "survey_participation"), db_rows(core, "survey_answers")) == before


def db_rows(core, table):
    return sorted(core.store.db.execute(f"select * from {table}").fetchall())


# --- the 3-answer rule ----------------------------------------------------------------------------

DECIMAL = re.compile(r"\d\.\d")


def test_two_answers_show_no_numbers_and_three_do(core, clock):
    post_needs(core, clock, IT)
    core.health.send_round(clock.now())
    core.health.answer(IT, (4, 5, 3, 4, 2, 5))
    core.health.answer(BUYER, (2, 3, 3, 3, 1, 3))
    reply = dispatch.run(core, IT2, Command("health"))
    assert isinstance(reply, dispatch.HealthShown) and not reply.results.shown
    assert reply.results.averages == () and reply.results.lowest is None and reply.results.lowest_comments == ()
    assert health.lines(reply.results) == [
        "Health check · November 2026: 2 answers so far; results appear from 3 answers up."]
    assert not DECIMAL.search("\n".join(health.lines(reply.results)))

    core.health.answer(ADMIN, (3, 3, 3, 3, 3, 1))
    results = dispatch.run(core, IT2, Command("health")).results
    assert results.shown and results.answers == 3
    expected = [mean(column) for column in zip((4, 5, 3, 4, 2, 5), (2, 3, 3, 3, 1, 3), (3, 3, 3, 3, 3, 1))]
    assert results.averages == pytest.approx(expected)
    text = "\n".join(health.lines(results))
    for statement, value in zip(health.STATEMENTS, expected):
        assert f"{value:.1f}  {statement.text}" in text


def test_before_the_first_round_health_says_when_it_comes(core):
    reply = dispatch.run(core, IT, commands.parse("health"))
    assert reply == dispatch.Said("No health check has gone out yet; the next goes out on Mon 07 Dec 2026 at 10:00 "
                                  "(TANDEM_HEALTH_CRON).")


# --- a month of answers, recomputed ------------------------------------------------------------------

# (person, scores, comment): IT3 and IT4 are requesters too.
NOVEMBER = [
    (IT, (3, 2, 4, 3, 2, 2), ""),
    (IT2, (2, 3, 3, 4, 3, 2), "Too slow"),
    (BUYER, (4, 3, 4, 3, 4, 3), ""),
    (ADMIN, (3, 3, 5, 3, 3, 2), ""),
]
DECEMBER = [
    (IT, (4, 3, 5, 4, 2, 3), "Quotes take weeks"),
    (IT2, (3, 4, 4, 5, 3, 2), "Nobody knows who orders the licences"),
    (IT3, (5, 2, 4, 3, 1, 4), ""),
    (IT4, (2, 3, 3, 4, 2, 3), "Better since the calendar"),
    (BUYER, (4, 4, 5, 2, 4, 3), "We are invited now"),
    (BUYER2, (5, 3, 4, 2, 3, 4), "IT's risk rules are unclear"),
    (ADMIN, (4, 4, 5, 3, 2, 3), ""),
]


def expected_results(answers, previous, procurement=PROCUREMENT):
    columns = list(zip(*[scores for _, scores, _ in answers]))
    averages = [statistics.mean(column) for column in columns]
    lowest = min(range(6), key=lambda i: (averages[i], i))
    it = [statistics.mean(c) for c in zip(*[s for p, s, _ in answers if p not in procurement])]
    proc = [statistics.mean(c) for c in zip(*[s for p, s, _ in answers if p in procurement])]
    before = [statistics.mean(c) for c in zip(*[s for _, s, _ in previous])]
    change = [now - then for now, then in zip(averages, before)]
    comments = sorted((c for _, s, c in answers if c and s[lowest] <= 3), key=str.casefold)
    return averages, change, it, proc, lowest, comments


def test_a_month_of_answers_makes_a_health_section_whose_numbers_recompute_from_the_raw_answers(core, clock):
    post_needs(core, clock, IT, IT2, IT3, IT4, at=datetime(2026, 10, 20, 9, tzinfo=UTC))
    open_round(core, clock, NOV, *NOVEMBER)
    open_round(core, clock, DEC, *DECEMBER)
    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))  # the next Monday's digest
    digest = core.schedule.digest()
    results = digest.health
    averages, change, it, proc, lowest, comments = expected_results(DECEMBER, NOVEMBER)

    assert results.survey.month == "2026-12" and results.previous.month == "2026-11"
    assert (results.answers, results.it_answers, results.procurement_answers) == (7, 4, 3)
    assert results.averages == pytest.approx(averages)
    assert results.change == pytest.approx(change)
    assert results.it == pytest.approx(it) and results.procurement == pytest.approx(proc)
    assert results.lowest == lowest == 4, "it is clear what IT handles itself and what suppliers handle"
    assert list(results.lowest_comments) == comments
    assert "Better since the calendar" in comments and "We are invited now" not in comments  # BUYER gave it 4

    text = "\n".join(health.lines(results))
    for i, statement in enumerate(health.STATEMENTS):
        sign = "+" if round(change[i], 1) > 0 else "−" if round(change[i], 1) < 0 else "±"
        assert (f"{averages[i]:.1f} ({sign}{abs(change[i]):.1f})  {statement.text}  — IT {it[i]:.1f} · "
                f"procurement {proc[i]:.1f}") in text
    assert f"Lowest: {health.STATEMENTS[lowest].text} ({averages[lowest]:.1f})" in text
    assert "change since November 2026; IT · procurement" in text


def test_the_digest_carries_the_section_in_the_week_after_the_round_only(core, clock):
    post_needs(core, clock, IT, at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert core.schedule.digest(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)).health is None, "no round yet"
    open_round(core, clock, DEC, (IT, (3,) * 6, ""))
    assert core.schedule.digest(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)).health is None, "before it went out"
    section = core.schedule.digest(datetime(2026, 12, 14, 9, 0, tzinfo=UTC)).health
    assert section is not None and not section.shown and section.answers == 1
    assert core.schedule.digest(datetime(2026, 12, 21, 9, 0, tzinfo=UTC)).health is None, "a week later: not again"


def test_the_two_sides_show_only_when_each_has_three_answers(core, clock):
    post_needs(core, clock, IT, IT2, IT3)
    core.health.send_round(clock.now())
    for person in (IT, IT2, IT3, BUYER):
        core.health.answer(person, (4, 4, 4, 4, 4, 4))
    results = core.health.results(IT)
    assert results.shown and not results.sides_shown and results.it == () and results.procurement == ()
    assert ("IT versus procurement is shown when each side has at least 3 answers (IT 3, procurement 1)."
            in health.lines(results))
    core.health.answer(BUYER2, (2,) * 6)
    assert not core.health.results(IT).sides_shown
    core.health.answer(ADMIN, (3,) * 6)
    results = core.health.results(IT)
    assert results.sides_shown and results.it == pytest.approx([4] * 6)
    assert results.procurement == pytest.approx([mean((4, 2, 3))] * 6)


def test_change_is_against_the_last_round_with_results(core, clock):
    post_needs(core, clock, IT, IT2, IT3, at=datetime(2026, 10, 1, 9, tzinfo=UTC))
    october = [(IT, (2,) * 6, ""), (IT2, (2,) * 6, ""), (BUYER, (3,) * 6, "")]
    open_round(core, clock, datetime(2026, 10, 5, 10, tzinfo=UTC), *october)
    open_round(core, clock, NOV, (IT, (5,) * 6, ""), (IT2, (5,) * 6, ""))  # two answers: never shown
    december = [(IT, (4,) * 6, ""), (IT2, (3,) * 6, ""), (BUYER, (4,) * 6, "")]
    open_round(core, clock, DEC, *december)
    results = core.health.results(IT)
    assert results.previous.month == "2026-10"
    assert results.change == pytest.approx([mean((4, 3, 4)) - mean((2, 2, 3))] * 6)
    assert "change since October 2026" in "\n".join(health.lines(results))


def test_the_first_results_have_nothing_to_compare_with(core, clock):
    post_needs(core, clock, IT, IT2)
    core.health.send_round(clock.now())
    for person in (IT, IT2, BUYER):
        core.health.answer(person, (3,) * 6)
    results = core.health.results(ADMIN)
    assert results.previous is None and results.change == ()
    assert "no earlier results to compare with" in "\n".join(health.lines(results))


# --- anonymity ------------------------------------------------------------------------------------------


# What a notifier call says, without whom it is addressed to (a DM's recipient is its address,
# not part of what is shown).
ADDRESSED = {"send_dm", "send_file", "send_digest_preview", "send_reminders", "send_health_check"}


def test_no_output_or_log_puts_a_name_to_a_score(core, clock, caplog, notifier):
    caplog.set_level(logging.INFO)
    post_needs(core, clock, IT, IT2, IT3, IT4, at=datetime(2026, 10, 20, 9, tzinfo=UTC), cancel=True)
    open_round(core, clock, NOV, *NOVEMBER)
    open_round(core, clock, DEC, *DECEMBER)
    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    shown = []
    for person, _, _ in DECEMBER:
        shown.append("\n".join(health.lines(dispatch.run(core, person, Command("health")).results)))
        core.schedule.preview_digest(person)
    core.schedule.post_digest_now()
    outputs = [repr(call[2:] if call[0] in ADDRESSED else call) for call in notifier.calls]
    outputs += [record.getMessage() for record in caplog.records]
    assert any("Nobody knows who orders the licences" in text for text in outputs), "the comments are shown"
    assert "“We are invited now”" not in shown[0], "only the lowest statement's comments"
    assert_anonymous(outputs + shown, NOVEMBER + DECEMBER)
    assert sum("digest manual" in text for text in outputs) == 1


# --- the command -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("health", Command("health")),
    ("HEALTH send", Command("health", arg="send")),
    ("health answer 4 5 3 4 2 5", Command("health", arg="answer", extra="4 5 3 4 2 5")),
    ("health Answer 4,5,3,4,2,5  Quotes  are slow",
     Command("health", arg="answer", extra="4,5,3,4,2,5  Quotes  are slow")),
])
def test_the_health_command_parses(text, expected):
    assert commands.parse(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("health answer", "Give 6 scores from 1 to 5"),
    ("health answer 4 5 3", "Give 6 scores from 1 to 5"),
    ("health answer 4 5 3 4 2 6", "'6' is not a score"),
    ("health answer 4 5 3 4 2 ²", "'²' is not a score"),
    ("health answer 4 5 3 four 2 5", "'four' is not a score"),
    ("health results", "Use `health` for the results"),
    ("health send now", "Use `health` for the results"),
])
def test_a_malformed_health_command_answers_with_usage(text, fragment):
    with pytest.raises(BadInput) as caught:
        commands.parse(text)
    assert fragment in caught.value.message
    assert "Usage: `/procure health | health answer <six scores 1-5> [comment] | health send`" in caught.value.message


def test_parse_answer_keeps_the_comment():
    assert health.parse_answer("5,4,3,2,1,5 Quotes, please!") == ((5, 4, 3, 2, 1, 5), "Quotes, please!")
    assert health.parse_answer(" 1 1 1 1 1 1 ") == ((1,) * 6, "")


def test_the_form_is_validated_field_by_field():
    form = {"planning": "4", "success": "", "calendar": "9", "risk": "3", "split": "2", "speed": "5",
            "comment": "c" * 1001}
    with pytest.raises(BadInput) as caught:
        health.parse_form(form)
    assert set(caught.value.errors) == {"success", "calendar", "comment"}
    assert caught.value.errors["success"] == "Choose a score from 1 to 5."
    assert health.parse_form({**form, "success": "1", "calendar": "2", "comment": " ok "}) == ((4, 1, 2, 3, 2, 5), "ok")
