"""Repository functions for contracts.

Each takes the database first and returns plain dataclasses from ``bot.contracts``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlite_utils import Database

from bot.clock import iso
from bot.contracts import Contract, ContractStatus, match_key
from bot.requests import Request
from storage.requests import row_to_request
from storage.db import select


def row_to_contract(row: dict) -> Contract:
    return Contract(
        id=row["id"],
        vendor=row["vendor"],
        product=row["product"],
        it_owner=row["it_owner"],
        procurement_owner=row["procurement_owner"],
        start_date=date.fromisoformat(row["start_date"]) if row["start_date"] else None,
        end_date=date.fromisoformat(row["end_date"]),
        notice_days=row["notice_days"],
        auto_renew=bool(row["auto_renew"]),
        term_months=row["term_months"],
        annual_cost=Decimal(row["annual_cost"]) if row["annual_cost"] else None,
        currency=row["currency"],
        seats=row["seats"],
        notes=row["notes"] or "",
        status=ContractStatus(row["status"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        term_from=date.fromisoformat(row["term_from"]) if row.get("term_from") else None,
        seats_used=row.get("seats_used"),
    )


def contract_to_row(contract: Contract) -> dict:
    """The storable form of a contract's fields (without ``id``)."""
    return {
        "vendor": contract.vendor,
        "product": contract.product,
        "vendor_key": match_key(contract.vendor),
        "product_key": match_key(contract.product),
        "it_owner": contract.it_owner,
        "procurement_owner": contract.procurement_owner,
        "start_date": contract.start_date.isoformat() if contract.start_date else None,
        "end_date": contract.end_date.isoformat(),
        "notice_days": contract.notice_days,
        "auto_renew": int(contract.auto_renew),
        "term_months": contract.term_months,
        "annual_cost": str(contract.annual_cost) if contract.annual_cost is not None else None,
        "currency": contract.currency,
        "seats": contract.seats,
        "seats_used": contract.seats_used,
        "notes": contract.notes,
        "status": contract.status.value,
        "created_at": iso(contract.created_at),
        "updated_at": iso(contract.updated_at),
        "term_from": contract.term_from.isoformat() if contract.term_from else None,
    }


def insert_contract(db: Database, contract: Contract) -> Contract:
    table = db["contracts"]
    table.insert(contract_to_row(contract))
    return get_contract(db, table.last_pk)


def save_contract(db: Database, contract: Contract) -> Contract:
    db["contracts"].update(contract.id, contract_to_row(contract))
    return contract


def get_contract(db: Database, contract_id: int) -> Contract | None:
    rows = list(select(db, "select * from contracts where id = ?", [contract_id]))
    return row_to_contract(rows[0]) if rows else None


def find_by_name(db: Database, vendor: str, product: str) -> Contract | None:
    """The contract for this vendor and product, compared case- and spacing-insensitively."""
    rows = list(
        select(
            db, "select * from contracts where vendor_key = ? and product_key = ?", [match_key(vendor), match_key(product)]
        )
    )
    return row_to_contract(rows[0]) if rows else None


def for_vendor(db: Database, vendor: str, statuses: tuple[ContractStatus, ...] = ()) -> list[Contract]:
    """A vendor's contracts (optionally only in the given statuses), soonest end date first."""
    sql, params = "select * from contracts where vendor_key = ?", [match_key(vendor)]
    if statuses:
        sql += f" and status in ({', '.join('?' for _ in statuses)})"
        params += [status.value for status in statuses]
    return [row_to_contract(row) for row in select(db, sql + " order by end_date, id", params)]


def list_contracts(
    db: Database, statuses: tuple[ContractStatus, ...] = (), owner: str | None = None
) -> list[Contract]:
    """Contracts by vendor and product (optionally only some statuses, or one owner's)."""
    clauses, params = [], []
    if statuses:
        clauses.append(f"status in ({', '.join('?' for _ in statuses)})")
        params += [status.value for status in statuses]
    if owner:
        clauses.append("(it_owner = ? or procurement_owner = ?)")
        params += [owner, owner]
    where = " where " + " and ".join(clauses) if clauses else ""
    rows = select(db, f"select * from contracts{where} order by vendor_key, product_key, id", params)
    return [row_to_contract(row) for row in rows]


# A contract's notice deadline in SQL; the index of migration m010 is on this very expression.
NOTICE_DEADLINE = "date(end_date, '-' || notice_days || ' days')"


def notice_deadlines_between(
    db: Database, first: date, last: date, statuses: tuple[ContractStatus, ...]
) -> list[Contract]:
    """Contracts in the given statuses whose notice deadline (end date − notice days) falls
    from ``first`` to ``last``, found through the index on the deadline, so only those rows
    are read and become contracts."""
    marks = ", ".join("?" for _ in statuses)
    rows = select(
        db, f"select * from contracts where status in ({marks}) and {NOTICE_DEADLINE} between ? and ?",
        [*(status.value for status in statuses), first.isoformat(), last.isoformat()],
    )
    return [row_to_contract(row) for row in rows]


def awaiting_decision_page(
    db: Database, today: date, last: date, statuses: tuple[ContractStatus, ...], limit: int | None
) -> tuple[list[Contract], int]:
    """Contracts in the given statuses whose notice deadline is on or before ``last`` and that
    have not ended by ``today`` (missed ones and those coming up), soonest deadline first
    (then vendor, then number): the first ``limit`` as contracts, and how many there are in
    all."""
    marks = ", ".join("?" for _ in statuses)
    where = f"from contracts where status in ({marks}) and {NOTICE_DEADLINE} <= ? and end_date >= ?"
    params: list = [*(status.value for status in statuses), last.isoformat(), today.isoformat()]
    total = db.execute(f"select count(*) {where}", params).fetchone()[0]
    # SQLite sorts and cuts the page in the index (migration m028 holds every column the
    # filter and the order need), then reads only the rows shown and makes them contracts.
    order = f"order by {NOTICE_DEADLINE}, vendor collate nocase, id"
    ids = f"select id {where} {order}"
    if limit is not None:
        ids, params = ids + " limit ?", [*params, limit]
    rows = select(db, f"select * from contracts where id in ({ids}) {order}", params)
    return [row_to_contract(row) for row in rows], total


def ended_before(db: Database, day: date, statuses: tuple[ContractStatus, ...]) -> list[Contract]:
    """Contracts in the given statuses whose end date is before ``day``: the daily roll's work."""
    marks = ", ".join("?" for _ in statuses)
    rows = select(
        db, f"select * from contracts where end_date < ? and status in ({marks}) order by end_date, id",
        [day.isoformat(), *(status.value for status in statuses)],
    )
    return [row_to_contract(row) for row in rows]


def linked_requests(db: Database, contract_id: int) -> list[Request]:
    """Requests linked to a contract (renewals, and needs for its vendor), newest first."""
    rows = select(db, "select * from requests where contract_id = ? order by id desc", [contract_id])
    return [row_to_request(row) for row in rows]


def count(db: Database) -> int:
    return db.execute("select count(*) from contracts").fetchone()[0]
