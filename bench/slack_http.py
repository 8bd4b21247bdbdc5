"""Slash commands and a button click through the real HTTP stack, Tandem against bare Bolt.

Both servers run in their own processes (``bench.serve``) on free loopback ports; the
clients and the fake Slack run here. For each scenario Tandem is measured, then the bare
Bolt app with the very same requests, so the ratio compares like with like in one run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import load
from bench.fake import BenchSlack
from bench.generate import Dataset
from bench.load import Payloads, Result, Step
from handlers.slack.ids import Actions

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def peak_rss_mb(self) -> float | None:
        """The process's peak resident memory so far (VmHWM), in MB."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_server(kind: str, fake: BenchSlack, workdir: Path, data: Dataset | None = None) -> Server:
    log = workdir / f"{kind}-{data.requests if data else 'floor'}.log"
    command = [sys.executable, "-m", "bench.serve", kind, "--api-url", fake.api_url]
    if data is not None:
        command += ["--db", data.path, "--procurement", ",".join(data.procurement), "--admins", ",".join(data.admins)]
    handle = open(log, "w")
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=handle, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    handle.close()
    line = process.stdout.readline()
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"{kind} server did not start; see {log}")
    return Server(process, int(line.split()[1]), log)


def scenarios(data: Dataset, payloads: Payloads, clients: int) -> dict[str, load.Scenario]:
    """The measured interactions, each a function of (client, iteration)."""
    rng = random.Random(11)
    requesters = data.requesters[:100] or data.procurement
    buyers = data.procurement
    seed_users = [rng.choice(requesters) for _ in range(64)]
    show_ids = [rng.randint(1, data.requests) for _ in range(512)]
    pools = [data.claimable[n::clients] for n in range(clients)]

    def listing(number: int, iteration: int) -> list[Step]:
        return [payloads.command(seed_users[(number * 7 + iteration) % len(seed_users)], "list")]

    def show(number: int, iteration: int) -> list[Step]:
        request_id = show_ids[(number * 61 + iteration) % len(show_ids)]
        return [payloads.command(buyers[number % len(buyers)], f"show {request_id}")]

    def contracts(number: int, iteration: int) -> list[Step]:
        return [payloads.command(seed_users[(number * 5 + iteration) % len(seed_users)], "contracts")]

    def claim(number: int, iteration: int) -> list[Step]:
        # Claim one of this client's new requests, then give it back (not measured), so the
        # next iteration can claim again; each waits for the card's chat.update.
        request_id, ts = pools[number][iteration % len(pools[number])]
        buyer = buyers[number % len(buyers)]
        return [payloads.click(buyer, Actions.CLAIM, str(request_id), ts),
                payloads.click(buyer, Actions.UNCLAIM, str(request_id), ts, measured=False)]

    found = {"/procure list": listing, "/procure show N": show, "/procure contracts": contracts}
    if all(pools):
        found["Claim button"] = claim
    return found


@dataclass
class Pair:
    name: str
    tandem: Result
    bolt: Result
    tandem_cpu_ms: float  # server CPU per HTTP request, including the work after the ack
    bolt_cpu_ms: float
    solo_tandem: Result | None = None  # one client at a time: latency without queueing
    solo_bolt: Result | None = None


def _timed(server: Server, *args, **kwargs) -> tuple[Result, float]:
    """Runs a load and returns it with the server's CPU milliseconds per request: the CPU the
    process used over the whole run (warm-up included, and the work still running after the
    last answer, until the process is idle) divided by every request the run sent."""
    before = server.cpu_seconds()
    result = load.run(server.port, *args, **kwargs)
    after, settle = server.cpu_seconds(), time.perf_counter() + 3
    while time.perf_counter() < settle:
        time.sleep(0.05)
        now = server.cpu_seconds()
        if now - after < 0.002:
            break
        after = now
    spent = after - before
    return result, spent * 1000 / max(1, result.requests + result.warmup_requests)


def measure(data: Dataset, workdir: Path, *, clients: int = 8, count: int = 400, seconds: float = 5.0,
            solo: bool = False, log=print) -> tuple[list[Pair], float | None]:
    """Every scenario against Tandem and bare Bolt; returns the pairs and Tandem's peak RSS.
    With ``solo``, each is also run with a single client, for the latency without queueing."""
    fake = BenchSlack().start()
    tandem = bolt = None
    try:
        tandem = start_server("tandem", fake, workdir, data)
        bolt = start_server("bolt", fake, workdir)
        payloads = Payloads(fake)
        pairs = []
        for name, scenario in scenarios(data, payloads, clients).items():
            started = time.perf_counter()
            ours, ours_cpu = _timed(tandem, fake, scenario, clients=clients, count=count, seconds=seconds)
            floor, floor_cpu = _timed(bolt, fake, scenario, clients=clients, count=count, seconds=seconds,
                                      e2e=False)
            pairs.append(Pair(name, ours, floor, ours_cpu, floor_cpu))
            log(f"  {name}: tandem ack p50 {load.percentile(ours.ack_ms, 50):.1f} ms, "
                f"e2e p50 {load.percentile(ours.e2e_ms, 50) or 0:.1f} ms, {ours_cpu:.1f} CPU ms/request; "
                f"bolt p50 {load.percentile(floor.ack_ms, 50):.1f} ms, {floor_cpu:.1f} CPU ms/request "
                f"({time.perf_counter() - started:.0f} s)")
        if solo:
            alone = scenarios(data, payloads, 1)
            for pair in pairs:
                scenario, limits = alone[pair.name], {"clients": 1, "count": min(count, 150),
                                                      "seconds": min(seconds, 3.0), "warmup": 4}
                pair.solo_tandem = load.run(tandem.port, fake, scenario, **limits)
                pair.solo_bolt = load.run(bolt.port, fake, scenario, e2e=False, **limits)
                log(f"  {pair.name}, one client: tandem ack p50 {load.percentile(pair.solo_tandem.ack_ms, 50):.1f} ms, "
                    f"e2e p50 {load.percentile(pair.solo_tandem.e2e_ms, 50) or 0:.1f} ms; "
                    f"bolt p50 {load.percentile(pair.solo_bolt.ack_ms, 50):.1f} ms")
        return pairs, tandem.peak_rss_mb()
    finally:
        for server in (tandem, bolt):
            if server is not None:
                server.stop()
        fake.stop()
