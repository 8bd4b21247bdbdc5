"""The local shell as a Tandem platform (``handlers.platforms.Platform``), like Slack and Teams.

Its notifier prints what Tandem would post and send (every person is reached: the shell
plays them all); it looks nobody up by e-mail address and has no user groups. Serving is the
console's loop on the calling thread (a person at a terminal, Ctrl-C, readline), so
``handlers.shell.app`` serves it itself rather than on a thread of ``handlers.platforms.run``.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.core import Core
from bot.doctor import Probe
from handlers.shell.console import Shell
from handlers.shell.ids import PERSONAS, PLATFORM
from handlers.shell.notifier import ShellNotifier, channel_label


class ShellPlatform:
    name = PLATFORM
    groups = None
    find_by_email = None

    def __init__(self, settings: Settings, notifier: ShellNotifier):
        self.settings = settings
        self.notifier = notifier
        self.core: Core | None = None
        self.console: tuple[TextIO, TextIO, Path | None, str] | None = None

    @property
    def shared_channel(self) -> str:
        return channel_label(self.settings.channel)

    def reaches(self, person: str) -> bool:
        return True  # a DM is printed, whoever it is for

    def probes(self) -> list[tuple[str, Probe]]:
        return []

    def attach(self, core: Core) -> None:
        self.core = core

    def start_sending(self, core: Core) -> None:
        """Printing needs nothing started."""

    def talk(self, stdin: TextIO, stdout: TextIO, history: Path | None = None, greeting: str = "") -> None:
        """Where ``serve`` reads and writes: ``history`` keeps readline's lines at a terminal."""
        self.console = (stdin, stdout, history, greeting)

    def serve(self, stopping: threading.Event) -> None:
        """The console, on this thread, until /quit or the end of input."""
        assert self.core is not None and self.console is not None, "attach the platform and say where it talks"
        stdin, stdout, history, greeting = self.console
        shell = Shell(self.core, stdin, stdout, self.notifier.names, user=PERSONAS["it"], notifier=self.notifier)
        if history is not None and stdin is sys.stdin and stdin.isatty():
            shell.line_editing(history)
        if greeting:
            shell.say(greeting)
        try:
            shell.run()
        finally:
            stopping.set()

    def close(self) -> None:
        pass
