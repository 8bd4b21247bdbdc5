"""Delivering reminder DMs to a fake Slack that enforces Slack's posting limits.

A database where one sweep owes exactly N people one DM each (``generate_reminders``);
the sweep runs in a subprocess through ``build_slack`` — the real ``SlackNotifier`` and
Web API client with its 429 handling — against ``BenchSlack(PostLimits())``. Every DM goes
to a different channel (one DM channel per person), so the per-channel limit (1/s) lets
them go in parallel and the workspace-wide limit sets the pace: the theoretical minimum is
``(N − workspace burst) / workspace rate``. Afterwards the fake's accepted posts are
counted per channel: a person with no post is lost, a second post is a duplicate.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.fake import BenchSlack, PostLimits
from bench.generate import generate_reminders

ROOT = Path(__file__).resolve().parent.parent


def dm_channel(user: str) -> str:
    """The DM channel the fake opens for ``user`` (``conversations.open``)."""
    return "D" + user.lstrip("UW")


def run(workdir: Path, people: int = 1_000, limits: PostLimits | None = None, timeout: float = 400.0) -> dict:
    limits = limits or PostLimits()
    data = generate_reminders(workdir / f"reminders-{people}.db", people)
    fake = BenchSlack(limits).start()
    try:
        command = [sys.executable, "-m", "bench.schedule", "deliver", "--db", data.path, "--api-url", fake.api_url,
                   "--procurement", ",".join(data.procurement), "--admins", ",".join(data.admins)]
        with open(workdir / "delivery.log", "w") as log:
            done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True, timeout=timeout)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"delivery run failed ({done.returncode}); see {workdir / 'delivery.log'}")
        outcome = json.loads(lines[-1])
        if "skipped" in outcome:
            return outcome
        expected = {dm_channel(user) for user in data.requesters}
        accepted = Counter(channel for channel, _, _ in fake.posts)
        minimum = limits.minimum_seconds(Counter({channel: 1 for channel in expected}))
        return {
            **outcome,
            "dms": len(expected),
            "accepted": sum(accepted[channel] for channel in expected),
            "lost": sum(1 for channel in expected if accepted[channel] == 0),
            "duplicated": sum(count - 1 for channel, count in accepted.items() if count > 1),
            "refused_429": fake.refused,
            "conversations_open": fake.counts["conversations.open"],
            "minimum_s": minimum,
            "over_minimum": outcome["seconds"] / minimum - 1 if minimum else None,
            "limits": {"channel_per_second": limits.channel_per_second, "channel_burst": limits.channel_burst,
                       "workspace_per_minute": limits.workspace_per_minute,
                       "workspace_burst": limits.workspace_burst},
        }
    finally:
        fake.stop()
