"""When Slack or the database is slow: every request is still acked within Slack's 3 seconds,
every modal opens within 3 seconds of its command, and nothing the person was told failed is
applied later.

Three scenarios against Tandem's real HTTP server (``bench.serve tandem``, its own process):

* **Slack answers ``chat.update`` in 5 s.** A burst of Claim clicks (more than the server's
  threads and the work lane's workers) and ``/need`` commands arrive at once.
* **Another process holds the database's write lock for 10 s, then for 15 s** (within
  SQLite's 10 s busy timeout, and beyond it). A burst of Claim clicks, ``/procure note``
  commands and ``/need`` commands arrive while it is held.

Each request is sent from its own thread, signed like Slack. Afterwards the database is read:
a claim or note is *applied* when it is there, *told failed* when its response URL got the
"busy, nothing changed" answer; both at once, or neither, is a broken promise and counted.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from bench.fake import BenchSlack
from bench.generate import generate
from bench.load import Payloads, _Client
from bench.slack_http import start_server
from handlers.slack.errors import BUSY
from handlers.slack.ids import Actions

ACK_LIMIT_S = 3.0
CLAIMS = 5  # with the notes, more writes at once than the server's 8 threads
NOTES = 12
NEEDS = 4
LOCKS_S = (10.0, 15.0)  # within SQLite's 10 s busy timeout, and beyond it
SLOW_UPDATE_S = 5.0
SETTLE_S = 60.0  # how long the work may take to finish after the burst


def _send_all(port: int, steps: list) -> list[tuple[int, float, float]]:
    """Sends every step at once, each from its own thread and connection: (status, sent, acked)."""
    out: list = [None] * len(steps)
    gate = threading.Barrier(len(steps))

    def go(index: int) -> None:
        client = _Client(port)
        gate.wait()
        sent = time.perf_counter()
        try:
            status = client.send(steps[index])
        except OSError:
            status = 0
        out[index] = (status, sent, time.perf_counter())
        client.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return out


def _answer_path(step) -> str:
    """The path of the response URL a step's answer goes to (the fake records by path)."""
    if step.expect and step.expect[0] == "response":
        return step.expect[1]
    payload = json.loads(parse_qs(step.body)["payload"][0])  # a click: its card is the "update"
    return urlparse(payload["response_url"]).path


def _busy(fake: BenchSlack, step) -> bool:
    return any(text == BUSY for text in fake.told.get(_answer_path(step), []))


def _open_requests(data, count: int, skip: int) -> list[int]:
    db = sqlite3.connect(data.path)
    try:
        return [rid for (rid,) in db.execute(
            "select id from requests where status not in ('fulfilled', 'cancelled', 'new') order by id desc "
            "limit ? offset ?", [count, skip])]
    finally:
        db.close()


def _scenario(name: str, data, fake: BenchSlack, port: int, *, first: int, during=None) -> dict:
    payloads = Payloads(fake)
    buyers = data.procurement
    chosen = data.claimable[first:first + CLAIMS]
    claims = [payloads.click(buyers[i % len(buyers)], Actions.CLAIM, str(rid), ts) for i, (rid, ts) in
              enumerate(chosen)]
    note_targets = _open_requests(data, NOTES, first * NOTES)
    note_steps = [payloads.command(buyers[i % len(buyers)], f"note {rid} bench note {first} {rid}")
                  for i, rid in enumerate(note_targets)]
    need_steps = [payloads.command(data.requesters[i % len(data.requesters)], "Laptop", command="/need")
                  for i in range(NEEDS)]
    steps = claims + note_steps + need_steps
    holder = threading.Thread(target=during) if during else None
    if holder:
        holder.start()
        time.sleep(0.2)  # the lock is held before the burst arrives
    results = _send_all(port, steps)
    if holder:
        holder.join()
    settle = time.perf_counter() + SETTLE_S
    db = sqlite3.connect(data.path)
    try:
        while True:
            claimed = {rid for (rid,) in db.execute(
                f"select id from requests where id in ({','.join('?' * len(chosen))}) and owner is not null",
                [rid for rid, _ in chosen])}
            noted = {rid for (rid,) in db.execute(
                "select request_id from comments where text like ?", [f"bench note {first} %"])}
            claims_done = all(rid in claimed or _busy(fake, step) for (rid, _), step in zip(chosen, claims,
                                                                                             strict=True))
            notes_done = all(rid in noted or _busy(fake, step) for rid, step in zip(note_targets, note_steps,
                                                                                  strict=True))
            if (claims_done and notes_done) or time.perf_counter() > settle:
                break
            time.sleep(0.25)
        time.sleep(1.0)  # anything applied late behind a "busy" would land now
        claimed = {rid for (rid,) in db.execute(
            f"select id from requests where id in ({','.join('?' * len(chosen))}) and owner is not null",
            [rid for rid, _ in chosen])}
        noted = {rid for (rid,) in db.execute(
            "select request_id from comments where text like ?", [f"bench note {first} %"])}
    finally:
        db.close()
    acks = [acked - sent for status, sent, acked in results if status == 200]
    modal = []
    for step, (_status, sent, _) in zip(need_steps, results[len(claims) + len(note_steps):], strict=True):
        trigger = parse_qs(step.body)["trigger_id"][0]
        opened = fake.opened.get(trigger)
        modal.append(None if opened is None else opened - sent)
    writes = list(zip(chosen, claims, strict=True))
    applied = sum(1 for (rid, _), _ in writes if rid in claimed) + len(noted)
    told_failed = sum(1 for _, step in writes if _busy(fake, step)) + sum(
        1 for step in note_steps if _busy(fake, step))
    broken = sum(1 for (rid, _), step in writes if (rid in claimed) == _busy(fake, step)) + sum(
        1 for rid, step in zip(note_targets, note_steps, strict=True) if (rid in noted) == _busy(fake, step))
    return {
        "name": name, "requests": len(steps), "acked": len(acks),
        "acked_in_time": sum(1 for a in acks if a <= ACK_LIMIT_S), "ack_max_s": max(acks, default=None),
        "modals": len(need_steps), "modals_in_time": sum(1 for m in modal if m is not None and m <= ACK_LIMIT_S),
        "modal_max_s": max((m for m in modal if m is not None), default=None),
        "writes": len(writes) + len(note_steps), "applied": applied, "told_failed": told_failed,
        "broken": broken,
    }


def run(workdir: Path, log=print) -> list[dict]:
    """The scenarios on a fresh 10,000-request database; one row each."""
    data = generate(workdir / "tandem-stress.db", 10_000)
    assert len(data.claimable) >= (1 + len(LOCKS_S)) * CLAIMS, "the generated data has too few unclaimed requests"
    fake = BenchSlack().start()
    server = None
    rows = []
    try:
        server = start_server("tandem", fake, workdir, data)
        fake.delays["chat.update"] = SLOW_UPDATE_S
        rows.append(_scenario(f"Slack answers chat.update in {SLOW_UPDATE_S:.0f} s", data, fake, server.port,
                              first=0))
        fake.delays.clear()
        log(f"  {_line(rows[-1])}")

        for number, seconds in enumerate(LOCKS_S, start=1):
            rows.append(_scenario(f"another process holds the write lock for {seconds:.0f} s", data, fake,
                                  server.port, first=number * CLAIMS, during=_lock_holder(data.path, seconds)))
            log(f"  {_line(rows[-1])}")
    finally:
        if server is not None:
            server.stop()
        fake.stop()
    return rows


def _lock_holder(path: str, seconds: float):
    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        other.execute("ROLLBACK")
        other.close()
    return hold


def _line(row: dict) -> str:
    return (f"{row['name']}: {row['acked_in_time']}/{row['requests']} acked within 3 s (max "
            f"{row['ack_max_s'] or 0:.2f} s), {row['modals_in_time']}/{row['modals']} modals within 3 s, "
            f"{row['applied']} applied, {row['told_failed']} told 'busy, nothing changed', {row['broken']} broken")


def table(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    out = ["When Slack or the database is slow (a burst at once, each request on its own connection):", "",
           "| Scenario | Requests | Acked ≤ 3 s | Slowest ack | Modals opened ≤ 3 s | Slowest modal "
           "| Writes applied | Told \"busy, nothing changed\" | Told failed but applied, or lost |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        modal = f"{row['modal_max_s']:.2f} s" if row["modal_max_s"] is not None else "—"
        out.append(f"| {row['name']} | {row['requests']} | {row['acked_in_time']} | {row['ack_max_s'] or 0:.2f} s "
                   f"| {row['modals_in_time']} of {row['modals']} | {modal} | {row['applied']} of {row['writes']} "
                   f"| {row['told_failed']} | {row['broken']} |")
    return out


if __name__ == "__main__":  # python -m bench.stress: only these two scenarios
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tandem-stress-") as folder:
        found = run(Path(folder), log=lambda line: print(line, file=sys.stderr, flush=True))
    print("\n".join(table(found)))
    sys.exit(0 if all(row["broken"] == 0 and row["acked_in_time"] == row["requests"] and
                      row["modals_in_time"] == row["modals"] for row in found) else 1)
