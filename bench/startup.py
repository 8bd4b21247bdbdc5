"""Start-up time of ``tandem run`` (HTTP mode against the fake Slack): from spawning the
process until ``GET /healthz`` answers 200."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.fake import BenchSlack
from bench.generate import Dataset
from bench.serve import CHANNEL, SECRET, TOKEN

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("tandem")
    # --env-file: a developer's .env must not change what is measured.
    head = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    return head + ["--env-file", os.devnull, "run"]


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def once(data: Dataset, fake: BenchSlack, log_path: Path) -> float:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SLACK_", "TANDEM_", "TEAMS_"))}
    env.update({
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": ",".join(data.procurement),
        "TANDEM_ADMINS": ",".join(data.admins), "TANDEM_DB": data.path, "PORT": str(port),
    })
    with open(log_path, "a") as log:
        started = time.perf_counter()
        process = subprocess.Popen(_command(), cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            while time.perf_counter() - started < TIMEOUT:
                if _healthy(port):
                    return time.perf_counter() - started
                if process.poll() is not None:
                    raise RuntimeError(f"tandem run exited with {process.returncode}; see {log_path}")
                time.sleep(0.005)
            raise RuntimeError(f"tandem run was not ready within {TIMEOUT:.0f} s; see {log_path}")
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def measure(data: Dataset, workdir: Path, runs: int = 3) -> dict:
    """Median and worst of ``runs`` start-ups, in seconds."""
    fake = BenchSlack().start()
    try:
        times = [once(data, fake, workdir / f"startup-{data.requests}.log") for _ in range(runs)]
    finally:
        fake.stop()
    return {"median_s": statistics.median(times), "max_s": max(times), "runs": runs}
