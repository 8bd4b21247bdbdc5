"""Copies of thread replies in other platforms' card threads (``bot.notifier.Mirror``)."""

from __future__ import annotations

from sqlite_utils import Database

from bot.requests import Mirror


def save(db: Database, comment_id: int, mirrors: list[Mirror]) -> None:
    for mirror in mirrors:
        db.execute("insert or ignore into comment_mirrors (comment_id, platform, conversation, message_id) "
                   "values (?, ?, ?, ?)", [comment_id, mirror.platform, mirror.conversation, mirror.message_id])


def of_comment(db: Database, comment_id: int) -> list[Mirror]:
    rows = db.query("select * from comment_mirrors where comment_id = ? order by platform", [comment_id])
    return [Mirror(row["platform"], row["conversation"], row["message_id"]) for row in rows]


def forget(db: Database, comment_id: int) -> None:
    db.execute("delete from comment_mirrors where comment_id = ?", [comment_id])
