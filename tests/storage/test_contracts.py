import sqlite3
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from bot.contracts import Contract, ContractStatus
from storage import Store
from storage import contracts as repo
from storage.migrations import migrations

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)


def sample(**overrides) -> Contract:
    values = dict(
        id=0, vendor="Zoom", product="Business", it_owner="U0IT000001", procurement_owner=None,
        start_date=None, end_date=date(2027, 1, 31), notice_days=30, auto_renew=True, term_months=12,
        annual_cost=Decimal("12000.50"), currency="USD", seats=None, notes="", status=ContractStatus.ACTIVE,
        created_at=NOW, updated_at=NOW,
    )
    values.update(overrides)
    return Contract(**values)


def test_the_contracts_migration_runs_once_after_the_others(tmp_path):
    store = Store(tmp_path / "t.db")
    names = [m.name for m in migrations.applied(store.db)]
    assert names[:4] == ["m001_requests", "m002_events", "m003_comments", "m004_contracts"]
    migrations.apply(store.db)
    assert [m.name for m in migrations.applied(store.db)] == names
    indexes = {index.name: index for index in store.db["contracts"].indexes}
    unique = [index for index in indexes.values() if index.unique]
    assert [index.columns for index in unique] == [["vendor_key", "product_key"]]


def test_a_contract_is_stored_and_read_back_unchanged(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.write() as db:
        stored = repo.insert_contract(db, sample())
    assert stored == sample(id=1)
    assert repo.get_contract(store.db, 2) is None


def test_vendor_and_product_are_unique_ignoring_case_and_spacing(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.write() as db:
        repo.insert_contract(db, sample(vendor="Ärzte Software", product="Cloud  Suite"))
    assert repo.find_by_name(store.db, "ärzte software", " cloud suite ").id == 1
    assert [c.id for c in repo.for_vendor(store.db, "ÄRZTE  SOFTWARE")] == [1]
    with pytest.raises(sqlite3.IntegrityError):
        with store.write() as db:
            repo.insert_contract(db, sample(vendor="ärzte software", product="CLOUD SUITE"))
    assert repo.count(store.db) == 1


def test_queries_filter_by_status_owner_and_end_date(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.write() as db:
        repo.insert_contract(db, sample(vendor="A", end_date=date(2026, 11, 1)))
        repo.insert_contract(db, sample(vendor="B", end_date=date(2026, 11, 1), status=ContractStatus.CANCELLED))
        repo.insert_contract(db, sample(vendor="C", end_date=date(2026, 12, 1), it_owner=None,
                                        procurement_owner="U0PROC0001"))
    active = (ContractStatus.ACTIVE,)
    assert [c.vendor for c in repo.ended_before(store.db, date(2026, 11, 16), active)] == ["A"]
    assert [c.vendor for c in repo.list_contracts(store.db, owner="U0PROC0001")] == ["C"]
    assert [c.vendor for c in repo.list_contracts(store.db, active)] == ["A", "C"]


def test_notice_deadlines_between_counts_days_like_python(tmp_path):
    store = Store(tmp_path / "t.db")
    with store.write() as db:
        # Deadlines: 2027-02-28 (across a month end), 2027-03-01, 2027-03-31 and one ended contract.
        repo.insert_contract(db, sample(vendor="A", end_date=date(2027, 3, 1), notice_days=1))
        repo.insert_contract(db, sample(vendor="B", end_date=date(2027, 3, 31), notice_days=30))
        repo.insert_contract(db, sample(vendor="C", end_date=date(2027, 3, 31), notice_days=0))
        repo.insert_contract(db, sample(vendor="D", end_date=date(2027, 3, 1), notice_days=1,
                                        status=ContractStatus.CANCELLED))
    waiting = (ContractStatus.ACTIVE, ContractStatus.RENEWING)
    found = repo.notice_deadlines_between(store.db, date(2027, 2, 28), date(2027, 3, 1), waiting)
    assert sorted(c.vendor for c in found) == ["A", "B"]
    assert all(date(2027, 2, 28) <= c.notice_deadline <= date(2027, 3, 1) for c in found)
    assert [c.vendor for c in repo.notice_deadlines_between(store.db, date(2027, 3, 2), date(2027, 3, 31),
                                                            waiting)] == ["C"]


def test_notice_deadlines_are_sought_through_their_index(tmp_path):
    store = Store(tmp_path / "t.db")
    plan = store.db.execute(
        f"EXPLAIN QUERY PLAN select * from contracts where status in ('active', 'renewing') "
        f"and {repo.NOTICE_DEADLINE} between '2027-01-01' and '2027-03-31'"
    ).fetchall()
    assert "idx_contracts_status_notice_deadline" in str(plan)


def test_the_deadline_page_is_sorted_and_cut_in_the_index_like_python_would(tmp_path):
    """Contracts awaiting a decision, soonest deadline first, then vendor ignoring case, then
    number; every page of the SQL answer is that order's slice, and the total counts all."""
    store = Store(tmp_path / "t.db")
    today, last = date(2026, 11, 16), date(2027, 2, 14)
    vendors = ["zoom", "Adobe", "atlassian", "Box", "box", "Zendesk", "miro", "Miro"]
    with store.write() as db:
        for n in range(60):
            status = (ContractStatus.ACTIVE, ContractStatus.RENEWING, ContractStatus.CANCELLED)[n % 3]
            repo.insert_contract(db, sample(vendor=vendors[n % len(vendors)], product=f"P{n}", status=status,
                                            end_date=date(2026, 11, 10) + (date(2027, 1, 1) - date(2026, 12, 31)) * (n * 7 % 120),
                                            notice_days=(30, 60, 90)[n % 3]))
    everything = [c for c in repo.list_contracts(store.db) if c.status.awaits_decision
                  and c.notice_deadline <= last and c.end_date >= today]
    expected = [c.id for c in sorted(everything, key=lambda c: (c.notice_deadline, c.vendor.lower(), c.id))]
    waiting = (ContractStatus.ACTIVE, ContractStatus.RENEWING)
    for limit in (1, 7, 48, 1000):
        page, total = repo.awaiting_decision_page(store.db, today, last, waiting, limit)
        assert [c.id for c in page] == expected[:limit]
        assert total == len(expected) > 7
    plan = " ".join(row[3] for row in store.db.execute(
        f"explain query plan select count(*) from contracts where status in (?, ?) and {repo.NOTICE_DEADLINE} <= ? "
        "and end_date >= ?", ["active", "renewing", last.isoformat(), today.isoformat()]).fetchall())
    assert "INDEX idx_contracts_status_notice_deadline" in plan and "SCAN" not in plan
