"""Starts the local shell on the configured database."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot.clock import Clock
from bot.config import Settings
from bot.permissions import Roles
from bot.schedule import Schedule
from handlers.shell import render
from handlers.platforms import build
from handlers.shell.ids import PERSONAS
from handlers.shell.notifier import ShellNotifier, channel_label
from handlers.shell.platform import ShellPlatform


@contextmanager
def _ctrl_c_to_this_thread() -> Iterator[None]:
    """The kernel hands SIGINT to any thread that does not block it; taken by a background
    thread, it never ends the main thread's wait for a key, so Ctrl-C would do nothing until
    Enter. Threads started inside inherit a mask that blocks it, so it always comes here."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def start_shell(settings: Settings, stdin: TextIO, stdout: TextIO, clock: Clock | None = None,
                schedule: bool | None = None, files: Path | None = None, history: Path | None = None,
                log_file: Path | None = None) -> int:
    """Runs the shell until /quit or end of input. ``schedule`` runs digests and reminders
    in the background as ``tandem run`` does (default: when a person types at a terminal,
    not when input is piped). Files "sent" are written to ``files``; with ``history``, a
    person at a terminal gets readline's editing and history kept in that file; ``log_file``
    is named in the greeting (where the log goes instead of between the lines)."""
    names = {user: name for name, user in PERSONAS.items()}
    procurement, admins = settings.procurement, settings.admins
    if not procurement and not admins:
        # No roles configured: let the demo personas play procurement and admin.
        procurement, admins = (PERSONAS["buyer"],), (PERSONAS["admin"],)

    def write(text: str) -> None:
        stdout.write(render.mentions(text, names) + "\n")
        stdout.flush()

    platform = ShellPlatform(settings, ShellNotifier(channel_label(settings.channel), write, names, files))
    if schedule is None:
        schedule = stdin.isatty()
    with _ctrl_c_to_this_thread():  # threads started here never take the keyboard's Ctrl-C
        core = build(settings, [platform], clock=clock, roles=Roles(procurement, admins))
        runner = Schedule(core) if schedule else None
        if runner is not None:
            runner.start(wait_for_first=True)
    try:
        greeting = " · ".join(part for part in (f"Files sent to you are saved in {files}/" if files else "",
                                                f"the log is in {log_file}" if log_file else "") if part)
        platform.talk(stdin, stdout, history, greeting + "." if greeting else "")
        platform.serve(threading.Event())
    finally:
        if runner is not None:
            runner.stop()
        platform.close()
        core.close()
    return 0
