"""Logging: one configuration for every command, with no line longer than ``MAX_LINE``.

What is logged, by level (the README's *Logs* says the same):

- INFO: what was handled (kind, user ID, outcome, milliseconds), what the schedule did,
  refusals of malformed requests (their size, never their content). No user text: no
  titles, notes, reasons or request bodies.
- WARNING / ERROR: a platform refusing a call (its error code), unexpected errors with
  their traceback.
- DEBUG: also the libraries' own detail (slack-bolt, slack-sdk, the Agents SDK), which can
  include the payloads they send and receive: user text. Turn it on only to debug.
"""

from __future__ import annotations

import logging
import sys

MAX_LINE = 4000
CLIPPED = " …[clipped]"


def clip_lines(text: str, limit: int = MAX_LINE) -> str:
    """Each line of ``text`` cut to ``limit`` characters."""
    return "\n".join(line if len(line) <= limit else line[: limit - len(CLIPPED)] + CLIPPED
                     for line in text.split("\n"))


class ClippedFormatter(logging.Formatter):
    """A formatter whose every line (message and traceback) is at most ``MAX_LINE`` long, so a
    huge value in a message can never write a huge log line."""

    def format(self, record: logging.LogRecord) -> str:
        return clip_lines(super().format(record))


FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ClippedFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    for noisy in ("apscheduler", "matplotlib"):  # their INFO lines (a font cache built) are not Tandem's news
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
