"""Repository functions for the health check: rounds, who answered, and the answers.

Who answered (``survey_participation``: round and person) and what was answered
(``survey_answers``: round, side, scores and comment, under a random key) share nothing but
the round, so no query can put a name to a score. Functions that change rows expect to run
inside ``Store.write()``.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso
from bot.health import KEYS, Answer, HealthCheck


def _round(row) -> HealthCheck:
    return HealthCheck(row[0], row[1], datetime.fromisoformat(row[2]))


def open_round(db: Database, month: str, now: datetime) -> HealthCheck:
    """The round for ``month``, opened now if it does not exist yet."""
    db.execute("insert or ignore into survey_rounds (month, opened_at) values (?, ?)", [month, iso(now)])
    return _round(db.execute("select id, month, opened_at from survey_rounds where month = ?", [month]).fetchone())


def latest_round(db: Database) -> HealthCheck | None:
    row = db.execute("select id, month, opened_at from survey_rounds order by month desc limit 1").fetchone()
    return _round(row) if row else None


def get_round(db: Database, round_id: int) -> HealthCheck | None:
    row = db.execute("select id, month, opened_at from survey_rounds where id = ?", [round_id]).fetchone()
    return _round(row) if row else None


def previous_round_with_answers(db: Database, month: str, minimum: int) -> HealthCheck | None:
    """The latest round before ``month`` with at least ``minimum`` answers."""
    row = db.execute(
        "select id, month, opened_at from survey_rounds r where month < ? "
        "and (select count(*) from survey_answers a where a.round_id = r.id) >= ? order by month desc limit 1",
        [month, minimum],
    ).fetchone()
    return _round(row) if row else None


def has_answered(db: Database, round_id: int, person: str) -> bool:
    return db.execute("select 1 from survey_participation where round_id = ? and person = ?",
                      [round_id, person]).fetchone() is not None


def add_participation(db: Database, round_id: int, person: str) -> bool:
    """Records that ``person`` answered the round; False when they already had."""
    cursor = db.execute("insert or ignore into survey_participation (round_id, person) values (?, ?)",
                        [round_id, person])
    return cursor.rowcount == 1


def add_answer(db: Database, round_id: int, answer: Answer) -> None:
    """Stores the scores with no person and no time, under a random key: rows are kept in
    key order, so their order says nothing about who answered when."""
    columns = ", ".join(KEYS)
    marks = ", ".join("?" for _ in KEYS)
    db.execute(
        f"insert into survey_answers (id, round_id, side, {columns}, comment) values (?, ?, ?, {marks}, ?)",
        [secrets.randbits(62) + 1, round_id, answer.side, *answer.scores, answer.comment],
    )


def answers(db: Database, round_id: int) -> list[Answer]:
    columns = ", ".join(KEYS)
    rows = db.execute(f"select side, {columns}, comment from survey_answers where round_id = ? order by id",
                      [round_id]).fetchall()
    return [Answer(row[0], tuple(row[1:-1]), row[-1] or "") for row in rows]


def count_answers(db: Database, round_id: int) -> int:
    return db.execute("select count(*) from survey_answers where round_id = ?", [round_id]).fetchone()[0]


def count_participants(db: Database, round_id: int) -> int:
    """How many people answered a round (who, never what)."""
    return db.execute("select count(*) from survey_participation where round_id = ?", [round_id]).fetchone()[0]


def rounds_opened_between(db: Database, start: datetime, end: datetime) -> int:
    """How many rounds went out between ``start`` and ``end``."""
    return db.execute("select count(*) from survey_rounds where opened_at >= ? and opened_at <= ?",
                      [iso(start), iso(end)]).fetchone()[0]


def requesters_since(db: Database, since: datetime) -> set[str]:
    """Everyone who posted a need at or after ``since``."""
    return {row[0] for row in db.execute("select distinct requester from requests where created_at >= ?",
                                         [iso(since)]).fetchall()}
