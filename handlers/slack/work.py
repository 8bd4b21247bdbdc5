"""Ack first: every listener answers Slack on the request's own thread, then hands the rest
to a bounded worker pool.

Bolt runs with ``process_before_response=True``: the listener runs on the thread that answers
Slack (waitress's, or the Socket Mode client's), and it only validates, acks and schedules. Why
not Bolt's other two options:

- ``process_before_response=False`` runs listeners on Bolt's listener pool while the HTTP thread
  polls every 10 ms for ``ack()``; once the pool is busy (8 slow ``chat.update`` calls) nothing
  acks, Slack shows the person an error after 3 s, and the work still runs later.
- Lazy listeners deep-copy the request and queue every lazy function on one unbounded pool:
  ``views.open`` waits behind card updates until its ``trigger_id`` has expired, and work that
  can no longer run in time is run anyway.

So this module holds two lanes:

- **forms**: ``views.open`` and the reads it needs, never queued behind other work, so a modal
  opens within its trigger's 3 s life. Telling someone "busy" also goes here.
- **work**: everything else, at most ``workers`` jobs at once. A job that has not started within
  ``start_within`` seconds is not run: the person is told "busy, nothing changed". A job whose
  write cannot get the database lock (another process holds it past SQLite's busy timeout) is
  rolled back, and the person is told the same. They get that or the result, never both.

Slack calls that wait out a 429 (slack-sdk's retry handler sleeps) run here, never on a thread
that answers Slack.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

WORKERS = 16
FORM_WORKERS = 4
START_WITHIN = 10.0  # seconds a job may wait for a worker before the person is told "busy"
MAX_WAITING = 500  # jobs waiting beyond this are refused at once


class Work:
    """The two lanes. ``clock`` is ``time.monotonic`` unless a test injects its own."""

    def __init__(self, workers: int = WORKERS, form_workers: int = FORM_WORKERS,
                 start_within: float = START_WITHIN, max_waiting: int = MAX_WAITING,
                 clock: Callable[[], float] = time.monotonic, commits: Callable[[], int] = lambda: 0):
        """``commits`` counts the database commits made on the calling thread (``Store.commits``),
        so a job that fails after committing part of its change says so."""
        self.commits = commits
        self.start_within = start_within
        self.max_waiting = max_waiting
        self.clock = clock
        self._jobs = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tandem-work")
        self._forms = ThreadPoolExecutor(max_workers=form_workers, thread_name_prefix="tandem-form")
        self._waiting = 0
        self._active = 0  # accepted and not finished, on both lanes
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)

    def form(self, job: Callable[[], None]) -> None:
        """Runs ``job`` at once on the forms lane (``views.open`` within the trigger's life)."""
        self._forms.submit(self._counted(job))

    def _counted(self, job: Callable[[], None]) -> Callable[[], None]:
        with self._lock:
            self._active += 1

        def run() -> None:
            try:
                job()
            finally:
                with self._lock:
                    self._active -= 1
                    self._settled.notify_all()
        return run

    def idle(self, timeout: float = 30.0) -> bool:
        """Waits until every accepted job has finished (tests and tools; never a listener)."""
        with self._lock:
            return self._settled.wait_for(lambda: self._active == 0, timeout)

    def later(self, job: Callable[[], None], busy: Callable[[], None] | None = None) -> None:
        """Runs ``job`` on the work lane. If it cannot start within ``start_within`` seconds
        (or too many jobs wait already), it never runs and ``busy`` is called instead."""
        submitted = self.clock()
        with self._lock:
            full = self._waiting >= self.max_waiting
            if not full:
                self._waiting += 1
        if full:
            log.warning("work queue full (%s waiting); refused a job", self.max_waiting)
            if busy is not None:
                self.form(busy)
            return

        def run() -> None:
            with self._lock:
                self._waiting -= 1
            waited = self.clock() - submitted
            if busy is not None and waited > self.start_within:
                log.warning("a job waited %.1f s for a worker; not run, the person is told", waited)
                busy()
                return
            job()

        self._jobs.submit(self._counted(run))

    def waiting(self) -> int:
        with self._lock:
            return self._waiting

    def shutdown(self, wait: bool = True) -> None:
        """Lets every accepted job finish (work may open forms, so forms close last)."""
        self._jobs.shutdown(wait=wait)
        self._forms.shutdown(wait=wait)
