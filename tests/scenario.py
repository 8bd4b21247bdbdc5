"""One seeded database that tests copy, the people who act on it, and a snapshot of every
table, so a test can prove that a refusal changed nothing."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from bot.clock import FakeClock
from bot.config import Settings
from bot.core import Core, build_core
from bot.permissions import Roles
from tests.conftest import ADMIN, BUYER, BUYER2, IT, IT2, need
from tests.contract_samples import contract_form
from testing.notifier import RecordingNotifier

START = datetime(2026, 11, 16, 9, 0, tzinfo=timezone.utc)

IT_OWNER = "U0ITOWNER1"  # a requester who is a contract's IT owner
PROC_OWNER = "U0PROCOWN1"  # a requester named as a contract's procurement owner
GROUP_BUYER = "U0GROUPBUY"  # procurement through the user group below
BUYERS_GROUP = "S0BUYERS"

# Who acts. The subject request (#1) was asked for by IT and claimed by BUYER; the subject
# contract (contract 1) is owned by IT_OWNER (IT side) and PROC_OWNER (procurement side),
# neither of whom is a procurement member.
PEOPLE = {
    "requester": IT,
    "other requester": IT2,
    "claimer": BUYER,
    "procurement": BUYER2,
    "procurement by group": GROUP_BUYER,
    "admin": ADMIN,
    "contract IT owner": IT_OWNER,
    "contract procurement owner": PROC_OWNER,
}


def roles() -> Roles:
    members = {BUYERS_GROUP: [GROUP_BUYER]}
    return Roles((BUYER, BUYER2, BUYERS_GROUP), (ADMIN,), groups=lambda group: members.get(group, []))


def seed(core: Core) -> None:
    """Request #1 by IT, claimed by BUYER; request #2 by IT, new; contract 1 owned by
    IT_OWNER and PROC_OWNER, active, notice deadline 2026-12-16."""
    first = core.requests.create(IT, need())
    core.requests.claim(BUYER, first.id)
    core.requests.create(IT, need(title="Docking stations", category="hardware", preferred_vendor="Dell"))
    core.contracts.add(BUYER, contract_form(it_owner=IT_OWNER, procurement_owner=PROC_OWNER))


def snapshot(target: Core | str | Path) -> dict[str, list[tuple]]:
    """Every row of every table (requests, events, comments, contracts, migrations), read
    through a core's own connection or from a database file."""
    if isinstance(target, Core):
        return _rows(target.store.db.conn)
    conn = sqlite3.connect(target)
    try:
        return _rows(conn)
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    names = [row[0] for row in conn.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")]
    return {name: conn.execute(f'select * from "{name}" order by rowid').fetchall() for name in names}


class Scenario:
    """Copies of one seeded database, each opened as a fresh core with its own clock."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.template = self.directory / "template.db"
        self._numbers = itertools.count(1)
        core = self._open(self.template)
        seed(core)
        core.close()

    def _open(self, path: Path) -> Core:
        settings = Settings.from_env({"TANDEM_DB": str(path)})
        return build_core(settings, RecordingNotifier(), clock=FakeClock(START), roles=roles())

    def core(self) -> Core:
        path = self.directory / f"copy-{next(self._numbers)}.db"
        source, target = sqlite3.connect(self.template), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return self._open(path)
