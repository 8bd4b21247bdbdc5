"""The fake Slack Web API for benchmarks: the test suite's fake, tuned for load.

* It tells waiting clients the moment something arrives: an answer posted to a
  ``response_url`` (keyed by its path) or a ``chat.update`` of a card (keyed by its ts),
  so a client can time what the user sees, not only the ack.
* It does not validate Block Kit (the test suite does that); it would only burn CPU on
  the same two cores the bot runs on.
* With ``limits`` it enforces Slack's posting limits on ``chat.postMessage`` and answers
  ``429`` with ``Retry-After`` like Slack does; every accepted post is counted, so lost
  and duplicated messages can be checked afterwards.

The rate-limit model (``PostLimits``), from Slack's documentation of chat.postMessage
("generally 1 message per second per channel, short bursts allowed; limits for the
whole workspace above that, several hundred messages per minute; generous bursts"):

* per channel: a token bucket of 1 message per second holding ``channel_burst`` (3);
* per workspace, all channels together: a token bucket of ``workspace_per_minute``
  (600, i.e. 10 per second) holding ``workspace_burst`` (60);
* a refused post gets ``429`` with ``Retry-After`` = whole seconds until both buckets
  would let it through (at least 1), and ``{"ok": false, "error": "ratelimited"}``.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

from testing.slack import FakeSlack, parse_body


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float = -1.0
    stamp: float = 0.0

    def refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class PostLimits:
    channel_per_second: float = 1.0
    channel_burst: int = 3
    workspace_per_minute: int = 600
    workspace_burst: int = 60
    _channels: dict = field(default_factory=dict)
    _workspace: _Bucket | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, channel: str, now: float) -> float:
        """0 if a post to ``channel`` may go through now (and counts it), else seconds to wait."""
        with self._lock:
            if self._workspace is None:
                self._workspace = _Bucket(self.workspace_per_minute / 60, self.workspace_burst)
            bucket = self._channels.setdefault(channel, _Bucket(self.channel_per_second, self.channel_burst))
            bucket.refill(now)
            self._workspace.refill(now)
            wait = max(bucket.wait(), self._workspace.wait())
            if wait == 0:
                bucket.tokens -= 1
                self._workspace.tokens -= 1
            return wait

    def minimum_seconds(self, per_channel: Counter) -> float:
        """The least time these posts (a count per channel) can take under the limits."""
        total = sum(per_channel.values())
        workspace = max(0.0, (total - self.workspace_burst) / (self.workspace_per_minute / 60))
        channel = max((max(0, count - self.channel_burst) / self.channel_per_second
                       for count in per_channel.values()), default=0.0)
        return max(workspace, channel)


class BenchSlack(FakeSlack):
    def __init__(self, limits: PostLimits | None = None):
        super().__init__()
        # socketserver listens with a backlog of 5: under load the kernel would drop SYNs and
        # the bot's next call would wait a whole second to retry. Slack does not do that.
        self.server.socket.listen(256)
        self.limits = limits
        self.counts: Counter = Counter()
        self.posts: list[tuple[str, str, float]] = []  # accepted chat.postMessage: channel, text, when
        self.refused = 0
        self._lock = threading.Lock()
        self._waiters: dict[tuple[str, str], "_Arrival"] = {}
        # For the stress scenarios (bench/stress.py): Web API methods Slack answers slowly,
        # seconds each; what each response URL was told; when each trigger's modal opened.
        self.delays: dict[str, float] = {}
        self.told: dict[str, list[str]] = {}
        self.opened: dict[str, float] = {}

    # --- waiting for what the user sees ------------------------------------------------------

    def expect(self, kind: str, key: str) -> "_Arrival":
        """Registers interest in ``kind`` ("response" path or "update" ts) before sending."""
        arrival = _Arrival()
        with self._lock:
            self._waiters[(kind, key)] = arrival
        return arrival

    def forget(self, kind: str, key: str) -> None:
        with self._lock:
            self._waiters.pop((kind, key), None)

    def _arrived(self, kind: str, key: str) -> None:
        with self._lock:
            arrival = self._waiters.pop((kind, key), None)
        if arrival is not None:
            arrival.at = time.perf_counter()
            arrival.event.set()

    def reset_posts(self) -> None:
        with self._lock:
            self.posts.clear()
            self.counts.clear()
            self.refused = 0

    def validate(self, method: str, args: dict) -> None:  # the test suite validates; here it would only cost CPU
        pass

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlparse(self.path).path
                args = parse_body(raw, self.headers.get("Content-Type", ""))
                if path.startswith("/api/"):
                    method = path.removeprefix("/api/")
                elif path.startswith("/response/"):
                    method = "response_url"
                else:
                    self.send_error(404)
                    return
                if method == "chat.postMessage" and fake.limits is not None:
                    wait = fake.limits.take(str(args.get("channel")), time.monotonic())
                    if wait > 0:
                        with fake._lock:
                            fake.refused += 1
                        self._send(429, {"ok": False, "error": "ratelimited"},
                                   {"Retry-After": str(max(1, math.ceil(wait)))})
                        return
                if fake.delays.get(method):
                    time.sleep(fake.delays[method])  # Slack is slow today
                body = fake.answer(method, args) if "." in method else {"ok": True}
                with fake._lock:
                    fake.counts[method] += 1
                    if method == "chat.postMessage":
                        fake.posts.append((str(args.get("channel")), str(args.get("text", "")), time.monotonic()))
                if method == "response_url":  # the user sees it now
                    with fake._lock:
                        fake.told.setdefault(path, []).append(str(args.get("text", "")))
                    fake._arrived("response", path)
                elif method == "views.open":
                    with fake._lock:
                        fake.opened[str(args.get("trigger_id"))] = time.perf_counter()
                elif method == "chat.update":
                    fake._arrived("update", str(args.get("ts")))
                self._send(200, body)

            def _send(self, status: int, body: dict, headers: dict | None = None):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler


class _Arrival:
    def __init__(self):
        self.event = threading.Event()
        self.at: float | None = None

    def wait(self, timeout: float) -> float | None:
        return self.at if self.event.wait(timeout) else None
