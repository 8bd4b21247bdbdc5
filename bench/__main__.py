"""``python -m bench``: generate data at each size, measure everything, print the tables.

    python -m bench                 1k, 10k and 100k requests (a few minutes on 2 cores)
    python -m bench --quick         1k and 10k only, shorter runs (about a minute)
    python -m bench --sizes 5000    any sizes
    python -m bench --json out.json also keep the raw numbers
    python -m bench.stress          only the slow-Slack and locked-database scenarios

Everything runs on loopback: the fake Slack on a free port in this process, each server
in its own process on another free port. Data goes to a temporary directory, removed at
the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import delivery, report, schedule, slack_http, startup, stress
from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _schedule(what: str, data, timeout: float = 180.0) -> dict:
    command = [sys.executable, "-m", "bench.schedule", what, "--db", data.path,
               "--procurement", ",".join(data.procurement), "--admins", ",".join(data.admins)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"bench.schedule {what} failed:\n{done.stderr[-2000:]}")
    return json.loads(lines[-1])


def _result(result) -> dict | None:
    return None if result is None else asdict(result) | {"rps": result.rps}


def measure_size(requests: int, workdir: Path, args) -> dict:
    log(f"== {requests:,} requests")
    data = generate(workdir / f"tandem-{requests}.db", requests)
    db_mb = os.path.getsize(data.path) / 1e6
    log(f"  generated {data.contracts:,} contracts, {data.comments:,} comments, {data.events:,} events "
        f"({data.open_requests:,} requests open) in {data.seconds:.1f} s, {db_mb:.0f} MB")
    pairs, server_rss = slack_http.measure(data, workdir, clients=args.clients, count=args.count,
                                           seconds=args.seconds, solo=requests == max(args.sizes_list), log=log)
    row = {
        "data": {**{k: v for k, v in asdict(data).items() if k not in ("procurement", "admins", "requesters",
                                                                        "claimable")}, "db_mb": db_mb},
        "http": [{"name": pair.name, "tandem": _result(pair.tandem), "bolt": _result(pair.bolt),
                  "tandem_cpu_ms": pair.tandem_cpu_ms, "bolt_cpu_ms": pair.bolt_cpu_ms,
                  "solo_tandem": _result(pair.solo_tandem), "solo_bolt": _result(pair.solo_bolt)}
                 for pair in pairs],
        "server_rss_mb": server_rss,
    }
    why = schedule.available()
    if why:
        log(f"  digest and sweep: not measured ({why})")
        row["digest"] = row["sweep"] = {"skipped": why}
    else:
        row["digest"] = _schedule("digest", data)
        log(f"  digest: {row['digest']['median_ms']:.0f} ms (first {row['digest']['first_ms']:.0f} ms), "
            f"peak {row['digest']['peak_mb']:.0f} MB")
        row["sweep"] = _schedule("sweep", data)
        log(f"  sweep: {row['sweep']['first_ms']:.0f} ms for {row['sweep']['reminders']:,} reminders, "
            f"again {row['sweep']['again_ms']:.0f} ms, peak {row['sweep']['peak_mb']:.0f} MB")
    row["startup"] = startup.measure(data, workdir)
    log(f"  tandem run ready in {row['startup']['median_s']:.2f} s (median of {row['startup']['runs']})")
    for suffix in ("", "-wal", "-shm"):  # keep the disk use bounded between sizes
        if not args.keep:
            Path(data.path + suffix).unlink(missing_ok=True)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Tandem benchmarks: one results table.")
    parser.add_argument("--quick", action="store_true", help="1k and 10k requests only, shorter runs")
    parser.add_argument("--sizes", help="comma-separated request counts (default 1000,10000,100000)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--count", type=int, help="samples per measurement (default 400, quick 150)")
    parser.add_argument("--seconds", type=float, help="time limit per measurement (default 5, quick 2.5)")
    parser.add_argument("--dms", type=int, help="reminder DMs to deliver (default 1000, quick 300)")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the generated data and server logs")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")] if args.sizes else (
        [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    args.sizes_list = sizes
    args.count = args.count or (150 if args.quick else 400)
    args.seconds = args.seconds or (2.5 if args.quick else 5.0)
    dms = args.dms or (300 if args.quick else 1_000)

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    log(f"bench: working in {workdir}")
    results = {"machine": report.machine(), "clients": args.clients, "count": args.count,
               "duration": args.seconds, "sizes": {}}
    try:
        for size in sizes:
            results["sizes"][str(size)] = measure_size(size, workdir, args)
        why = schedule.available()
        if why:
            results["delivery"] = {"skipped": why}
        else:
            log(f"== delivering {dms:,} reminder DMs under Slack's rate limits")
            results["delivery"] = delivery.run(workdir, people=dms)
            log(f"  {results['delivery']['seconds']:.1f} s (minimum {results['delivery']['minimum_s']:.1f} s)")
        log("== Slack or the database slow: a slow chat.update, a held write lock")
        results["stress"] = stress.run(workdir, log=log)
    finally:
        if args.keep:
            log(f"bench: data and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["seconds"] = time.perf_counter() - started
    results["load_after"] = os.getloadavg()[0]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(report.render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
