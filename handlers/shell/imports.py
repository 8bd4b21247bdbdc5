"""Importing a contracts file in the shell: ``/procure contract import PATH`` reads a local file
(the shell runs on the importer's own machine); without a path, the form's questions."""

from __future__ import annotations

from pathlib import Path

from bot import imports
from bot.core import Core
from bot.errors import BadInput


def run(core: Core, user: str, path: str, choice: str | None = None) -> str:
    """Imports ``path`` as ``user`` would from chat (same checks, same report)."""
    core.contracts.check_can_add(user)
    file = Path(path).expanduser()
    try:
        size = file.stat().st_size
    except OSError as error:
        raise BadInput(f"Cannot read {path}: {error.strerror or error}.") from None
    imports.check_file(file.name, size)
    order = imports.date_order((choice or "").strip().upper(), core.settings.date_order)
    data = file.read_bytes()
    return imports.report(file.name, lambda: core.contracts.import_file(user, data, file.name, date_order=order))


def ask_and_run(console, values: dict[str, str]) -> None:
    """The import form as questions: the file, and how text dates are written."""
    path = console.ask("  File (.csv or .xlsx): ")
    if path is None or path.strip() in ("", "."):
        console.ephemeral("Cancelled; nothing was imported.")
        return
    default = values.get("date_order", "ISO")
    choice = console.ask(f"  Dates written as text ({'/'.join(imports.DATE_ORDERS)}) [{default}]: ")
    if choice is None or choice.strip() == ".":
        console.ephemeral("Cancelled; nothing was imported.")
        return
    console.ephemeral(run(console.core, console.user, path.strip(), choice.strip() or default))
