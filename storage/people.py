"""Repository functions for people: chat accounts and the person each one is.

Each takes the database first; functions that change rows expect ``Store.write()``.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso
from bot.people import Account
from storage.db import select


def _row_to_account(row: dict) -> Account:
    return Account(platform=row["platform"], user_id=row["user_id"], email=row["email"], name=row["name"] or "",
                   person=row["person"], alt_id=row["alt_id"])


def get(db: Database, platform: str, user_id: str) -> Account | None:
    rows = list(select(db, "select * from people where platform = ? and user_id = ?", [platform, user_id]))
    return _row_to_account(rows[0]) if rows else None


def with_id(db: Database, user_id: str) -> list[Account]:
    """Accounts on any platform whose user ID or other ID is ``user_id``."""
    return [_row_to_account(row) for row in select(
        db, "select * from people where user_id = ? or alt_id = ?", [user_id, user_id])]


def with_email(db: Database, email: str) -> list[Account]:
    """Accounts whose e-mail address is ``email`` (compared case-insensitively), oldest first."""
    return [_row_to_account(row) for row in select(
        db, "select * from people where email = ? order by seen_at, platform, user_id", [email.lower()])]


def of_person(db: Database, person: str) -> list[Account]:
    return [_row_to_account(row) for row in select(
        db, "select * from people where person = ? order by platform, user_id", [person])]


def save(db: Database, account: Account, seen_at: datetime) -> None:
    db["people"].upsert(
        {"platform": account.platform, "user_id": account.user_id, "alt_id": account.alt_id,
         "email": account.email.lower() if account.email else None, "name": account.name,
         "person": account.person, "seen_at": iso(seen_at)},
        pk=("platform", "user_id"),
    )
