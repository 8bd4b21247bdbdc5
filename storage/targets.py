"""Repository functions for the savings recorded at ``ordered`` (``bot.targets``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlite_utils import Database

from bot.clock import iso
from bot.targets import Saving


def add_saving(db: Database, saving: Saving) -> bool:
    """Records ``saving`` unless its request has one already (ordered once, counted once)."""
    return db.execute(
        "insert or ignore into savings (request_id, category, baseline, final, basis, at) values (?, ?, ?, ?, ?, ?)",
        [saving.request_id, saving.category, str(saving.baseline), str(saving.final), saving.basis, iso(saving.at)],
    ).rowcount == 1


def savings_between(db: Database, first: datetime, last: datetime) -> list[Saving]:
    return [Saving(row["request_id"], row["category"], Decimal(row["baseline"]), Decimal(row["final"]),
                   row["basis"], datetime.fromisoformat(row["at"]))
            for row in db.query("select * from savings where at >= ? and at <= ? order by at, request_id",
                                [iso(first), iso(last)])]
