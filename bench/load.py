"""Concurrent clients that send what Slack sends, signed as Slack signs it.

Each client is a thread with its own keep-alive ``http.client`` connection. It runs a
closed loop: send, read the ack, and — when the scenario names what the user will see —
wait until that reaches the fake Slack (the answer posted to the ``response_url``, or the
card's ``chat.update``) before sending the next. So every sample has two times:

* **ack**: until the HTTP response (Slack's 3-second deadline applies to this);
* **e2e**: until the user-visible answer arrived at the fake Slack.

Runs are bounded both in count and in time.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bench.fake import BenchSlack
from bench.serve import CHANNEL, SECRET

E2E_TIMEOUT = 10.0


@dataclass(frozen=True)
class Step:
    body: str
    content_type: str
    expect: tuple[str, str] | None = None  # ("response", path) or ("update", ts)
    measured: bool = True


# A scenario turns (client number, iteration) into the steps of one iteration.
Scenario = Callable[[int, int], list[Step]]


@dataclass
class Result:
    ack_ms: list[float] = field(default_factory=list)
    e2e_ms: list[float] = field(default_factory=list)
    requests: int = 0  # every HTTP request sent while measuring, measured or not
    warmup_requests: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


class Payloads:
    """Builds Slack's request bodies; response URLs point at the fake and are unique."""

    def __init__(self, fake: BenchSlack):
        self.fake = fake
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _next(self) -> int:
        with self._lock:
            return next(self._ids)

    def command(self, user: str, text: str, command: str = "/procure") -> Step:
        n = self._next()
        path = f"/response/{n}"
        form = {
            "token": "legacy", "team_id": "T0TEAM", "team_domain": "example", "channel_id": CHANNEL,
            "channel_name": "it-procurement", "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": "A0TANDEM", "response_url": self.fake.base + path,
            "trigger_id": f"trigger.{n}",
        }
        return Step(urlencode(form), "application/x-www-form-urlencoded", ("response", path))

    def click(self, user: str, action_id: str, value: str, card_ts: str, measured: bool = True) -> Step:
        n = self._next()
        payload = {
            "type": "block_actions", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
            "token": "legacy", "trigger_id": f"trigger.{n}",
            "actions": [{"action_id": action_id, "block_id": "card", "type": "button", "value": value,
                         "action_ts": "1700000000.1"}],
            "container": {"type": "message", "channel_id": CHANNEL, "message_ts": card_ts},
            "channel": {"id": CHANNEL}, "message": {"ts": card_ts},
            "response_url": f"{self.fake.base}/response/{n}",
        }
        return Step(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded",
                    ("update", card_ts), measured)


class _Client:
    def __init__(self, port: int):
        self.port = port
        self.verifier = SignatureVerifier(SECRET)
        self.conn: http.client.HTTPConnection | None = None

    def send(self, step: Step) -> int:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": step.content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=timestamp, body=step.body),
        }
        body = step.body.encode()
        while True:
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.conn.request("POST", "/slack/events", body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status
            except (http.client.HTTPException, OSError):
                self.close()
                if not reused:  # a kept-alive connection the server had closed: once more, on a new one
                    raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run(port: int, fake: BenchSlack, scenario: Scenario, *, clients: int = 8, count: int = 400,
        seconds: float = 5.0, warmup: int = 16, e2e: bool = True) -> Result:
    """Runs ``scenario`` with ``clients`` concurrent clients: ``warmup`` iterations first
    (not recorded), then until ``count`` measured samples or ``seconds`` have passed."""
    result = Result()
    lock = threading.Lock()
    started = threading.Event()
    state = {"warm": 0, "warming": 0, "done": 0, "t0": 0.0, "last": 0.0, "measuring": False}
    deadline_holder: list[float] = []

    connections = [_Client(port) for _ in range(clients)]

    def iterate(number: int, iteration: int, recording: bool) -> None:
        client = connections[number]
        for step in scenario(number, iteration):
            expect = step.expect if e2e else None
            arrival = fake.expect(*expect) if expect else None
            t0 = time.perf_counter()
            try:
                status = client.send(step)
            except (http.client.HTTPException, OSError):
                status = 0
            acked = time.perf_counter()
            seen = arrival.wait(E2E_TIMEOUT) if arrival is not None and status == 200 else None
            if arrival is not None and seen is None:
                fake.forget(*expect)
            with lock:
                if recording:
                    result.requests += 1
                    state["last"] = time.perf_counter()
                else:
                    result.warmup_requests += 1
                if not recording or not step.measured:
                    continue
                if status != 200 or (arrival is not None and seen is None):
                    result.errors += 1
                    continue
                result.ack_ms.append((acked - t0) * 1000)
                if seen is not None:
                    result.e2e_ms.append((seen - t0) * 1000)

    def worker(number: int) -> None:
        try:
            for iteration in itertools.count():
                with lock:
                    if state["measuring"]:
                        if state["done"] >= count or time.perf_counter() >= deadline_holder[0]:
                            return
                        state["done"] += 1
                        recording = True
                    elif state["warm"] < warmup:
                        state["warm"] += 1
                        state["warming"] += 1
                        recording = False
                    else:
                        recording = None
                if recording is None:  # warm-up is over: wait for the start signal
                    started.wait(30)
                    continue
                try:
                    iterate(number, iteration, recording)
                finally:
                    if not recording:
                        with lock:
                            state["warming"] -= 1
        finally:
            connections[number].close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    # Warm-up: wait until every warm-up iteration is claimed and finished.
    limit = time.perf_counter() + 60
    while time.perf_counter() < limit:
        with lock:
            if state["warm"] >= warmup and state["warming"] == 0:
                break
        time.sleep(0.01)
    with lock:
        deadline_holder.append(time.perf_counter() + seconds)
        state["t0"] = time.perf_counter()
        state["measuring"] = True
    started.set()
    for thread in threads:
        thread.join(seconds + 2 * E2E_TIMEOUT + 30)
    result.seconds = max(1e-9, (state["last"] or time.perf_counter()) - state["t0"])
    return result
