"""Runs a parsed ``/procure`` command against the services and says what came of it.

Every platform calls ``run`` and renders the reply its own way, so the meaning of a
command is defined once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import commands
from bot.commands import Command
from bot.core import Core
from bot.requests import Request, RequestDetails
from bot.services import Page


@dataclass(frozen=True)
class Said:
    text: str


@dataclass(frozen=True)
class Changed:
    request: Request
    text: str


@dataclass(frozen=True)
class Shown:
    details: RequestDetails


@dataclass(frozen=True)
class Listed:
    page: Page
    title: str


@dataclass(frozen=True)
class OpenForm:
    form: str


Reply = Said | Changed | Shown | Listed | OpenForm

LIST_TITLES = {
    "open": "Open requests",
    "mine": "Your open requests and claims",
    "unclaimed": "Unclaimed requests",
    "all": "All requests",
}


def run(core: Core, actor: str, command: Command) -> Reply:
    service = core.requests
    name = command.name
    if name == "help":
        return Said(commands.HELP)
    if name == "list":
        page = service.list(actor, command.arg or "open", command.extra)
        title = LIST_TITLES[command.arg or "open"]
        if command.extra:
            title += f" · {command.extra}"
        return Listed(page, title)
    if name == "show":
        return Shown(service.show(actor, command.number))
    if name == "claim":
        request = service.claim(actor, command.number)
        return Changed(request, f"You claimed {request.number} {request.title}.")
    if name == "unclaim":
        request = service.unclaim(actor, command.number)
        return Changed(request, f"{request.number} is unclaimed and back in the queue.")
    if name == "status":
        request = service.change_status(actor, command.number, command.arg)
        return Changed(request, f"{request.number} is now {request.status.label.lower()}.")
    if name == "note":
        service.comment(actor, command.number, command.arg, source="command")
        request = service.get(command.number)
        return Changed(request, f"Note added to {request.number}.")
    if name == "cancel":
        request = service.cancel(actor, command.number)
        return Changed(request, f"{request.number} is cancelled.")
    return Said(f"`{name}` is not available yet.")
