"""The health check: a monthly, anonymous survey of how IT and procurement work together.

On ``TANDEM_HEALTH_CRON`` (default: the first Monday of the month at 10:00) procurement
members and everyone who posted a need in the last 90 days get six statements to rate from
1 (strongly disagree) to 5 (strongly agree), with an optional comment. A *round* is the
team's local month: it is sent to each person once, through the schedule's ledger, however
often the cron fires that month and whoever runs it.

Who answered and what they answered are stored apart (``storage.health``): the first so
nobody answers a round twice, the second with only the side (IT or procurement) the person
was on when they answered. Results — average per statement, change since the last round
with results, IT versus procurement, the lowest statement with its comments — appear only
from ``MIN_ANSWERS`` answers up, and the two sides only when each has that many.

Nothing here touches the database or a chat platform; ``bot.health_service`` does.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.errors import BadInput
from bot.text import clean_text

# Results (and each side's view) appear from this many answers up.
MIN_ANSWERS = 3
# Who is asked: procurement members, and everyone who posted a need this recently.
RECENT_REQUESTERS = timedelta(days=90)
# The digest carries the latest round's results when the round opened this recently.
DIGEST_WINDOW = timedelta(days=7)
COMMENT_MAX = 1000
# The lowest statement is shown with the comments of the answers that gave it this or less.
LOW_SCORE = 3

IT, PROCUREMENT = "it", "procurement"

SCALE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}

# Ledger entries: the scheduled run of a slot, and the survey sent to one person in one round.
KIND = "health"
SLOT_SUBJECT = "schedule"
SURVEY_SUBJECT = "survey"


@dataclass(frozen=True)
class Statement:
    key: str  # the column that stores its score, and the form field that carries it
    text: str


STATEMENTS = (
    Statement("planning", "Procurement is part of IT's planning meetings."),
    Statement("success", "Each side knows how the other measures success."),
    Statement("calendar", "The contract calendar is shared and current."),
    Statement("risk", "IT's risk threshold is understood."),
    Statement("split", "It is clear what IT handles itself and what suppliers handle."),
    Statement("speed", "Requests move from ask to fulfilled quickly."),
)
KEYS = tuple(statement.key for statement in STATEMENTS)
COMMENT = "comment"  # the form field of the optional comment

EXAMPLE = "4 5 3 4 2 5"


@dataclass(frozen=True)
class HealthCheck:
    id: int
    month: str  # "2026-12": the team's local month
    opened_at: datetime

    @property
    def label(self) -> str:
        return date.fromisoformat(self.month + "-01").strftime("%B %Y")


@dataclass(frozen=True)
class Answer:
    """One person's answer, as stored: the side they were on, never who they are."""

    side: str
    scores: tuple[int, ...]  # in the order of ``STATEMENTS``
    comment: str = ""


@dataclass(frozen=True)
class HealthResults:
    """A round's results. Everything but the counts is empty below ``MIN_ANSWERS``."""

    survey: HealthCheck
    answers: int
    it_answers: int
    procurement_answers: int
    averages: tuple[float, ...] = ()
    previous: HealthCheck | None = None  # the last earlier round with results
    change: tuple[float, ...] = ()  # since ``previous``; empty without one
    it: tuple[float, ...] = ()  # each side's averages, when both sides have enough answers
    procurement: tuple[float, ...] = ()
    lowest: int | None = None  # index into STATEMENTS
    lowest_comments: tuple[str, ...] = ()

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_ANSWERS

    @property
    def sides_shown(self) -> bool:
        return bool(self.it and self.procurement)


@dataclass(frozen=True)
class HealthCheckResult:
    """What one run of the survey did: who got it, and who could not be reached (retried)."""

    survey: HealthCheck
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        people = len(self.sent)
        text = (f"The {self.survey.label} health check went to {people} "
                f"{'person' if people == 1 else 'people'}")
        if not people and not self.failed:
            text = f"Everyone has had the {self.survey.label} health check already; nobody new to ask"
        if self.failed:
            text += f"; {len(self.failed)} could not be reached and will be retried"
        return text + "."


# --- answers ---------------------------------------------------------------------------------

_SCORE = re.compile(r"^[1-5]$")


def check_scores(values: Sequence[object]) -> tuple[int, ...]:
    """Six scores, each a whole number from 1 to 5, or ``BadInput`` naming what is wrong."""
    if len(values) != len(STATEMENTS):
        raise BadInput(f"Give {len(STATEMENTS)} scores, one per statement (you gave {len(values)}).")
    scores = []
    for statement, value in zip(STATEMENTS, values):
        text = str(value).strip()
        if not _SCORE.match(text):
            raise BadInput(f"{text[:20]!r} is not a score; use a whole number from 1 to 5.", field=statement.key)
        scores.append(int(text))
    return tuple(scores)


def check_comment(value: object) -> str:
    comment = clean_text(value, 100_000)
    if len(comment) > COMMENT_MAX:
        raise BadInput(f"Keep the comment under {COMMENT_MAX} characters.", field=COMMENT)
    return comment


def parse_form(form: Mapping[str, str]) -> tuple[tuple[int, ...], str]:
    """The survey form (statement keys and ``comment``, as plain strings); raises
    ``BadInput`` with one message per bad field."""
    errors: dict[str, str] = {}
    scores = []
    for statement in STATEMENTS:
        value = str(form.get(statement.key) or "").strip()
        if not _SCORE.match(value):
            errors[statement.key] = "Choose a score from 1 to 5." if not value else \
                f"{value[:20]!r} is not a score; choose one from 1 to 5."
        else:
            scores.append(int(value))
    try:
        comment = check_comment(form.get(COMMENT))
    except BadInput as error:
        errors[COMMENT] = error.message
        comment = ""
    if errors:
        raise BadInput(next(iter(errors.values())), errors=errors)
    return tuple(scores), comment


def parse_answer(text: str) -> tuple[tuple[int, ...], str]:
    """``4 5 3 4 2 5 optional comment`` (commas also separate scores) → scores and comment."""
    text = clean_text(text, 100_000)
    scores: list[str] = []
    rest = text
    while len(scores) < len(STATEMENTS):
        match = re.match(r"\s*([^\s,]+)\s*,?", rest)
        if match is None:
            break
        scores.append(match.group(1))
        rest = rest[match.end():]
    if len(scores) < len(STATEMENTS):
        raise BadInput(f"Give {len(STATEMENTS)} scores from 1 to 5, one per statement, for example "
                       f"`health answer {EXAMPLE}`.")
    return check_scores(scores), check_comment(rest)


# --- results ---------------------------------------------------------------------------------


def averages(answers: Sequence[Answer]) -> tuple[float, ...]:
    return tuple(statistics.fmean(answer.scores[i] for answer in answers) for i in range(len(STATEMENTS)))


def summarize(survey: HealthCheck, answers: Sequence[Answer],
              previous: tuple[HealthCheck, Sequence[Answer]] | None = None) -> HealthResults:
    """A round's results from its raw answers (and the last earlier round with results)."""
    it = [answer for answer in answers if answer.side == IT]
    procurement = [answer for answer in answers if answer.side == PROCUREMENT]
    counts = HealthResults(survey, len(answers), len(it), len(procurement))
    if len(answers) < MIN_ANSWERS:
        return counts
    mean = averages(answers)
    change: tuple[float, ...] = ()
    before = None
    if previous is not None and len(previous[1]) >= MIN_ANSWERS:
        before = previous[0]
        change = tuple(now - then for now, then in zip(mean, averages(previous[1])))
    both = len(it) >= MIN_ANSWERS and len(procurement) >= MIN_ANSWERS
    lowest = min(range(len(STATEMENTS)), key=lambda i: (mean[i], i))
    comments = sorted((answer.comment for answer in answers if answer.comment and answer.scores[lowest] <= LOW_SCORE),
                      key=str.casefold)
    return HealthResults(
        survey=survey,
        answers=len(answers),
        it_answers=len(it),
        procurement_answers=len(procurement),
        averages=mean,
        previous=before,
        change=change,
        it=averages(it) if both else (),
        procurement=averages(procurement) if both else (),
        lowest=lowest,
        lowest_comments=tuple(comments),
    )


def score(value: float) -> str:
    return f"{value:.1f}"


def delta(value: float) -> str:
    """A change as people read it: ``+0.3``, ``−0.2``, ``±0.0``."""
    shown = round(value, 1)
    if shown > 0:
        return f"+{shown:.1f}"
    if shown < 0:
        return f"−{-shown:.1f}"
    return "±0.0"


def answers_text(results: HealthResults) -> str:
    count = results.answers
    sides = f"IT {results.it_answers}, procurement {results.procurement_answers}"
    return f"{count} answer{'s' if count != 1 else ''} ({sides})"


def waiting_line(results: HealthResults) -> str:
    """The one line shown below ``MIN_ANSWERS`` answers: no numbers but the count."""
    count = results.answers
    so_far = "no answers yet" if not count else f"{count} answer{'s' if count != 1 else ''} so far"
    return f"Health check · {results.survey.label}: {so_far}; results appear from {MIN_ANSWERS} answers up."


def sides_note(results: HealthResults) -> str:
    return (f"IT versus procurement is shown when each side has at least {MIN_ANSWERS} answers "
            f"(IT {results.it_answers}, procurement {results.procurement_answers}).")


def lines(results: HealthResults) -> list[str]:
    """The results as plain lines, for any platform to dress up."""
    if not results.shown:
        return [waiting_line(results)]
    out = [f"Health check · {results.survey.label} — {answers_text(results)}; "
           "1 = strongly disagree, 5 = strongly agree"]
    since = f"change since {results.previous.label}" if results.previous else "no earlier results to compare with"
    out.append(f"Average per statement ({since}" + ("; IT · procurement" if results.sides_shown else "") + "):")
    for i, statement in enumerate(STATEMENTS):
        row = f"  {score(results.averages[i])}"
        if results.change:
            row += f" ({delta(results.change[i])})"
        row += f"  {statement.text}"
        if results.sides_shown:
            row += f"  — IT {score(results.it[i])} · procurement {score(results.procurement[i])}"
        out.append(row)
    if not results.sides_shown:
        out.append(sides_note(results))
    lowest = STATEMENTS[results.lowest]
    out.append(f"Lowest: {lowest.text} ({score(results.averages[results.lowest])})")
    if results.lowest_comments:
        out.append(f"  What those who gave it {LOW_SCORE} or less said:")
        out += [f"  “{comment}”" for comment in results.lowest_comments]
    return out


def already_answered(survey: HealthCheck) -> str:
    return (f"You have already answered the {survey.label} health check — thank you. Answers are stored "
            f"without names, so an answer cannot be changed; the next round is your next say.")
