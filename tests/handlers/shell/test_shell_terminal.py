"""The shell as a person at a terminal meets it: line editing and history (a real pty), Ctrl-C
that cancels a form or leaves cleanly, the log kept out of the conversation, and the files it
"sends" saved in a folder it names."""

import io
import logging
import os
import pty
import select
import signal
import sys
from pathlib import Path

import pytest

from handlers.cli import run_shell
from bot.config import Settings
from tests.handlers.shell.test_shell import NEED, drive

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def settings(tmp_path):
    return Settings.from_env({"TANDEM_DB": str(tmp_path / "tandem.db")})


class Keys(io.StringIO):
    """Typed lines; ``CTRL_C`` where the person presses Ctrl-C; ``log`` lines logged meanwhile
    (as the schedule's thread would)."""

    CTRL_C = object()

    def __init__(self, *lines, log: str | None = None):
        super().__init__()
        self.lines = list(lines)
        self.log = log

    def readline(self, *_):
        if self.log:
            logging.getLogger("tandem.schedule").warning(self.log)
            self.log = None
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        if line is Keys.CTRL_C:
            raise KeyboardInterrupt
        return line + "\n"


def test_ctrl_c_cancels_a_form_and_at_the_prompt_leaves_cleanly(settings, clock):
    out = io.StringIO()
    code = run_shell(settings, stdin=Keys("/need 50 Zoom licences", "", Keys.CTRL_C, "/procure list all",
                                          Keys.CTRL_C, "/who"), stdout=out, clock=clock)
    text = out.getvalue()
    assert code == 0 and "Traceback" not in text
    assert "Cancelled; nothing was posted." in text
    assert "posted a card" not in text, "nothing was posted"
    assert text.rstrip().endswith("Bye."), "Ctrl-C at the prompt leaves"
    assert text.count("@it in") >= 2 and "/who" not in text.split("Bye.")[-1]


def test_log_lines_go_to_a_file_not_between_the_lines(settings, clock, tmp_path):
    out = io.StringIO()
    run_shell(settings, stdin=Keys("/who", log="a line from the schedule"), stdout=out, clock=clock)
    assert "a line from the schedule" not in out.getvalue()
    log_file = tmp_path / "tandem-shell.log"
    assert "a line from the schedule" in log_file.read_text()
    assert f"the log is in {log_file}" in out.getvalue()


def test_files_sent_in_the_shell_are_saved_in_a_folder_it_names(settings, clock, tmp_path):
    text = drive(settings, clock, *NEED, "/procure calendar", "/procure stats")
    folder = tmp_path / "tandem-files"
    assert f"Files sent to you are saved in {folder}/" in text
    calendar, chart = folder / "tandem-contracts.ics", next(folder.glob("*.png"))
    assert f"saved as {calendar}" in text and f"saved as {chart}" in text
    assert calendar.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert chart.read_bytes().startswith(b"\x89PNG")


class Terminal:
    """The master side of a pty: what was shown, and waiting (select with a bound, never a
    sleep) until something has been shown ``count`` times."""

    def __init__(self, fd: int):
        self.fd = fd
        self.shown = bytearray()

    def expect(self, wanted: bytes, count: int = 1, timeout: float = 180) -> None:
        while self.shown.count(wanted) < count:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                raise TimeoutError(f"waited for {wanted!r} ×{count}; the terminal shows {bytes(self.shown)[-600:]!r}")
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError(f"the shell ended before {wanted!r} ×{count}: {bytes(self.shown)[-600:]!r}")
            self.shown.extend(chunk)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def interrupt(self, wanted: bytes, count: int = 1) -> None:
        """Ctrl-C until ``wanted`` shows. CPython's readline misses a SIGINT that lands between
        printing its prompt and waiting for a key (the signal only counts once the wait is
        interrupted), which a test typing at machine speed can hit; a person presses again."""
        for _ in range(6):
            self.type(b"\x03")
            try:
                self.expect(wanted, count, timeout=10)
                return
            except TimeoutError:
                continue
        self.expect(wanted, count)


PROMPT = "› ".encode()
ROSTER = b"You are "


def test_a_terminal_gets_line_editing_history_and_a_clean_ctrl_c(tmp_path):
    # matplotlib's font cache from this machine, so a fresh HOME does not rebuild it at start.
    fonts = os.environ.get("MPLCONFIGDIR") or str(Path.home() / ".cache" / "matplotlib")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "TERM": "xterm",
           "TANDEM_DB": str(tmp_path / "tandem.db"), "MPLCONFIGDIR": fonts}
    pid, fd = pty.fork()
    if pid == 0:  # the child: `tandem shell` at a terminal
        # A runner started in the background (`cmd &`) ignores SIGINT, and exec keeps that: give
        # the shell the Ctrl-C a person at a terminal has.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "shell"], env)
    terminal = Terminal(fd)
    try:
        terminal.expect(PROMPT)
        terminal.type(b"/whx\x7fo\r")  # a typo fixed with backspace: readline edits the line
        terminal.expect(ROSTER, 2)
        terminal.expect(PROMPT, 2)
        terminal.type(b"\x1b[A\r")  # the up arrow brings /who back
        terminal.expect(ROSTER, 3)
        terminal.expect(PROMPT, 3)
        terminal.type(b"/need Docks\r")
        terminal.expect(b"What do you need? [Docks]")
        terminal.interrupt(b"Cancelled; nothing was posted.")  # Ctrl-C in the form cancels it
        terminal.expect(PROMPT, 4)
        terminal.interrupt(b"Bye.")  # Ctrl-C at the prompt leaves
        finished = True
    finally:
        if not locals().get("finished"):  # a failed expectation: the shell may still wait for input
            os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    shown = bytes(terminal.shown)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"^[[A" not in shown and b"Traceback" not in shown and b"KeyboardInterrupt" not in shown
    history = (tmp_path / ".tandem_history").read_text().splitlines()
    assert "/who" in history and "/need Docks" in history
