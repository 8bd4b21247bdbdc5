"""Importing a contracts file sent in chat (a file dropped in a DM to Tandem, or the import
form): which files are taken, and the report the person gets — the same as the command line's.

The file itself is read by ``ContractService.import_file`` (all or nothing); this module
decides, before anything is downloaded, whether a file is one Tandem takes.
"""

from __future__ import annotations

from bot.contract_sheets import ImportRejected
from bot.errors import BadInput

MAX_BYTES = 5 * 1024 * 1024  # a contract calendar of tens of thousands of rows fits well within this
TYPES = ("csv", "xlsx")
# The day orders a person may choose for text dates; ISO reads only dates that mean one thing.
DATE_ORDERS = {"ISO": None, "DMY": "DMY", "MDY": "MDY"}
DATE_ORDER_LABELS = {"ISO": "ISO (2027-03-15), or dates that read one way only", "DMY": "Day first (15.03.2027)",
                     "MDY": "Month first (03/15/2027)"}


def check_file(name: str, size: int | None) -> None:
    """Raises ``BadInput`` (with the field ``file``) unless ``name`` is a .csv or .xlsx file of at
    most ``MAX_BYTES``; checked before a byte is downloaded."""
    kind = (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    shown = (name or "this file")[:80]
    if kind not in TYPES:
        raise BadInput(f"{shown} is not a spreadsheet Tandem imports; send a .csv or .xlsx file with the contract "
                       f"columns (`tandem export-contracts` writes one).", field="file")
    if size is not None and size > MAX_BYTES:
        raise BadInput(f"{shown} is {size / 1024 / 1024:.1f} MB; Tandem imports files up to "
                       f"{MAX_BYTES // 1024 // 1024} MB. Split it, or use `tandem import-contracts`.", field="file")


def date_order(choice: str | None, default: str | None) -> str | None:
    """The day order chosen in the form (``ISO``, ``DMY`` or ``MDY``); blank is ``default``
    (``TANDEM_DATE_ORDER``)."""
    if not choice:
        return default
    if choice not in DATE_ORDERS:
        raise BadInput(f"Choose the date order: {', '.join(DATE_ORDERS)}.", field="date_order")
    return DATE_ORDERS[choice]


def default_choice(default: str | None) -> str:
    return default if default in DATE_ORDERS else "ISO"


def report(name: str, run) -> str:
    """What the person is told: the counts and notes, or every problem by row and column and
    that nothing was imported (``run`` imports and returns the ``ImportResult``)."""
    try:
        result = run()
    except ImportRejected as rejected:
        count = len(rejected.problems)
        lines = [f"Nothing from {name} was imported ({count} problem{'s' if count != 1 else ''}):"]
        lines += [f"• {problem}" for problem in rejected.problems[:50]]
        if count > 50:
            lines.append(f"…and {count - 50} more")
        lines += [f"note: {note}" for note in rejected.notes]
        return "\n".join(lines)
    return "\n".join([f"Imported {name}: {result}.", *(f"note: {warning}" for warning in result.warnings)])
