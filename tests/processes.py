"""``tandem run`` as a child process of a test, and the promise that it ends with the test.

A test that fails before it sends SIGTERM would otherwise leave the bot running after the
test run, still holding its port and its database (``tests/conftest.py`` stops what is left).
"""

from __future__ import annotations

import os
import subprocess
import sys

_started: list[subprocess.Popen] = []


def start_tandem(env: dict) -> subprocess.Popen:
    """``python -m bot run`` with ``env`` over this environment; its log on ``stderr``."""
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--env-file", os.devnull, "run"],
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    _started.append(proc)
    return proc


def stop_started() -> list[int]:
    """Kills every child this test started that is still running; their process IDs."""
    left = []
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            left.append(proc.pid)
            proc.kill()
            proc.wait(timeout=30)
    return left
