"""Repository functions for a request's options, their ratings and the sign-offs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlite_utils import Database

from bot.clock import iso

ASPECT_ORDER = ("fit", "risk", "cost", "terms")


def options_for(db: Database, request_id: int) -> list:
    from bot.options import Option

    ratings: dict[int, dict[str, int]] = {}
    for row in db.query("select r.option_id, r.aspect, r.score from option_ratings r join options o "
                        "on o.id = r.option_id where o.request_id = ?", [request_id]):
        ratings.setdefault(row["option_id"], {})[row["aspect"]] = row["score"]
    return [
        Option(row["id"], row["request_id"], row["letter"], row["vendor"], Decimal(row["price"]), row["currency"],
               row["terms"] or "", row["term_months"], row["quote"] or "", row["added_by"],
               datetime.fromisoformat(row["added_at"]),
               tuple((a, ratings[row["id"]][a]) for a in ASPECT_ORDER if a in ratings.get(row["id"], {})))
        for row in db.query("select * from options where request_id = ? order by letter", [request_id])
    ]


def get_option(db: Database, request_id: int, letter: str):
    return next((o for o in options_for(db, request_id) if o.letter == letter), None)


def add_option(db: Database, request_id: int, letter: str, added_by: str, at: datetime, *, vendor: str,
               price: Decimal, currency: str, terms: str, term_months: int | None, quote: str):
    db["options"].insert({"request_id": request_id, "letter": letter, "vendor": vendor, "price": str(price),
                          "currency": currency, "terms": terms, "term_months": term_months, "quote": quote,
                          "added_by": added_by, "added_at": iso(at)})
    return get_option(db, request_id, letter)


def rate(db: Database, option_id: int, aspect: str, score: int, by: str, at: datetime) -> None:
    db["option_ratings"].upsert({"option_id": option_id, "aspect": aspect, "score": score, "rated_by": by,
                                 "rated_at": iso(at)}, pk=("option_id", "aspect"))


def signoffs_for(db: Database, request_id: int) -> list:
    from bot.options import SignOff

    return [SignOff(row["person"], row["letter"], row["rationale"], datetime.fromisoformat(row["at"]))
            for row in db.query("select * from option_signoffs where request_id = ? order by at, person",
                                [request_id])]


def sign_off(db: Database, request_id: int, person: str, letter: str, rationale: str, at: datetime) -> None:
    db["option_signoffs"].upsert({"request_id": request_id, "person": person, "letter": letter,
                                  "rationale": rationale, "at": iso(at)}, pk=("request_id", "person"))
