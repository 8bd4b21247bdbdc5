"""Starts the local shell on the configured database."""

from __future__ import annotations

from typing import TextIO

from bot.clock import Clock
from bot.config import Settings
from bot.core import build_core
from bot.permissions import Roles
from bot.schedule import Schedule
from handlers.shell import render
from handlers.shell.console import PERSONAS, Shell, ShellNotifier, channel_label


def start_shell(settings: Settings, stdin: TextIO, stdout: TextIO, clock: Clock | None = None,
                schedule: bool | None = None) -> int:
    """Runs the shell until /quit or end of input. ``schedule`` runs digests and reminders
    in the background as ``tandem run`` does (default: when a person types at a terminal,
    not when input is piped)."""
    names = {user: name for name, user in PERSONAS.items()}
    procurement, admins = settings.procurement, settings.admins
    if not procurement and not admins:
        # No roles configured: let the demo personas play procurement and admin.
        procurement, admins = (PERSONAS["buyer"],), (PERSONAS["admin"],)

    def write(text: str) -> None:
        stdout.write(render.mentions(text, names) + "\n")
        stdout.flush()

    notifier = ShellNotifier(channel_label(settings.channel), write, names)
    core = build_core(settings, notifier, clock=clock, roles=Roles(procurement, admins))
    if schedule is None:
        schedule = stdin.isatty()
    runner = Schedule(core) if schedule else None
    try:
        if runner is not None:
            runner.start(wait_for_first=True)
        Shell(core, stdin, stdout, names, user=PERSONAS["it"], notifier=notifier).run()
    finally:
        if runner is not None:
            runner.stop()
        core.close()
    return 0
