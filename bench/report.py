"""The results as Markdown tables (readable in a terminal, pasteable into the README)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from pathlib import Path

from bench.load import percentile
from bench.stress import table as stress_table

# The targets, at the largest size measured.
SLASH_P99_MS = 50.0  # ack
ANSWER_P99_MS = 100.0  # the answer visible
CLAIM_P99_MS = 150.0  # the card updated after a Claim
BOLT_RATIO_P50 = 1.2
CPU_MS = {"/procure list": 3.0, "/procure contracts": 5.0}
DIGEST_MS = 200.0
SWEEP_MS = 1_000.0
PEAK_MB = 150.0
DELIVERY_OVER = 0.10


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).parent,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        commit = ""
    return {"nproc": cpus, "cpu": model, "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "os": f"{platform.system()} {platform.release()}", "load_before": os.getloadavg()[0],
            "commit": commit}


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _pair(values: list[float]) -> str:
    return f"{_ms(percentile(values, 50))} / {_ms(percentile(values, 99))}"


def http_table(results: dict) -> list[str]:
    lines = [
        "| Requests | Interaction | Tandem ack p50 / p99 ms | Tandem end-to-end p50 / p99 ms | Tandem req/s "
        "| Bare Bolt ack p50 / p99 ms | Bare Bolt req/s | Ack p50 ratio | Server CPU ms/req (Tandem / Bolt) "
        "| Errors |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, row in results["sizes"].items():
        for pair in row["http"]:
            ours, floor = pair["tandem"], pair["bolt"]
            ratio = percentile(ours["ack_ms"], 50) / percentile(floor["ack_ms"], 50)
            lines.append(
                f"| {int(size):,} | {pair['name']} | {_pair(ours['ack_ms'])} | {_pair(ours['e2e_ms'])} "
                f"| {ours['rps']:.0f} | {_pair(floor['ack_ms'])} | {floor['rps']:.0f} | {ratio:.2f}× "
                f"| {pair['tandem_cpu_ms']:.1f} / {pair['bolt_cpu_ms']:.1f} | {ours['errors'] + floor['errors']} |"
            )
    return lines


def solo_table(results: dict) -> list[str]:
    size, row = list(results["sizes"].items())[-1]
    pairs = [pair for pair in row["http"] if pair.get("solo_tandem")]
    if not pairs:
        return []
    lines = [
        f"The same with one client at a time (no queueing), at {int(size):,} requests:",
        "",
        "| Interaction | Tandem ack p50 / p99 ms | Tandem end-to-end p50 / p99 ms | Bare Bolt ack p50 / p99 ms "
        "| Ack p50 ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for pair in pairs:
        ours, floor = pair["solo_tandem"], pair["solo_bolt"]
        ratio = percentile(ours["ack_ms"], 50) / percentile(floor["ack_ms"], 50)
        lines.append(f"| {pair['name']} | {_pair(ours['ack_ms'])} | {_pair(ours['e2e_ms'])} "
                     f"| {_pair(floor['ack_ms'])} | {ratio:.2f}× |")
    return lines + [""]


def scale_table(results: dict) -> list[str]:
    lines = [
        "| Requests | Data (contracts · comments · events) | Generate s | DB MB | Digest ms (first / median) "
        "| Sweep ms (first · reminders / again) | Peak RSS MB (server · digest · sweep) | `tandem run` ready s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size, row in results["sizes"].items():
        data, digest, sweep, startup = row["data"], row.get("digest") or {}, row.get("sweep") or {}, row["startup"]
        if "skipped" in digest:
            digest_text = sweep_text = "not measured"
            rss = f"{_ms(row['server_rss_mb'])} · — · —"
        else:
            digest_text = f"{_ms(digest['first_ms'])} / {_ms(digest['median_ms'])}"
            sweep_text = f"{_ms(sweep['first_ms'])} · {sweep['reminders']:,} / {_ms(sweep['again_ms'])}"
            rss = f"{_ms(row['server_rss_mb'])} · {_ms(digest['peak_mb'])} · {_ms(sweep['peak_mb'])}"
        lines.append(
            f"| {int(size):,} | {data['contracts']:,} · {data['comments']:,} · {data['events']:,} "
            f"| {data['seconds']:.1f} | {data['db_mb']:.0f} | {digest_text} | {sweep_text} | {rss} "
            f"| {startup['median_s']:.2f} (max {startup['max_s']:.2f}) |"
        )
    return lines


def _over(delivery: dict) -> str:
    over = delivery["over_minimum"]
    return "— (fits in one burst)" if over is None else f"{over * 100:+.1f}%"


def delivery_table(delivery: dict) -> list[str]:
    if "skipped" in delivery:
        return [f"Reminder delivery: not measured ({delivery['skipped']})."]
    limits = delivery["limits"]
    return [
        "| Reminder DMs | Took s | Minimum s | Over minimum | Accepted | Lost | Duplicated | 429s answered "
        "| conversations.open |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {delivery['dms']:,} | {delivery['seconds']:.1f} | {delivery['minimum_s']:.1f} "
        f"| {_over(delivery)} | {delivery['accepted']:,} | {delivery['lost']} "
        f"| {delivery['duplicated']} | {delivery['refused_429']} | {delivery['conversations_open']:,} |",
        "",
        f"Limits enforced on chat.postMessage: {limits['channel_per_second']:g}/s per channel (bursts of "
        f"{limits['channel_burst']}), {limits['workspace_per_minute']}/min for the workspace (bursts of "
        f"{limits['workspace_burst']}); 429 with Retry-After in whole seconds.",
    ]


def targets(results: dict) -> list[tuple[str, bool | None, str]]:
    """(target, met?, the measured value) at the largest size measured."""
    size, row = list(results["sizes"].items())[-1]
    checks = []
    slash = [pair for pair in row["http"] if pair["name"].startswith("/procure")]
    worst_ack_p99 = max(percentile(pair["tandem"]["ack_ms"], 99) for pair in slash)
    worst_e2e_p99 = max(percentile(pair["tandem"]["e2e_ms"], 99) for pair in slash)
    worst_ratio = max(percentile(pair["tandem"]["ack_ms"], 50) / percentile(pair["bolt"]["ack_ms"], 50)
                      for pair in slash)
    checks.append((f"slash command ack p99 < {SLASH_P99_MS:.0f} ms", worst_ack_p99 < SLASH_P99_MS,
                   f"worst {_ms(worst_ack_p99)} ms"))
    checks.append((f"slash command answer visible p99 ≤ {ANSWER_P99_MS:.0f} ms", worst_e2e_p99 <= ANSWER_P99_MS,
                   f"worst {_ms(worst_e2e_p99)} ms"))
    for pair in row["http"]:
        if pair["name"] == "Claim button" and pair["tandem"]["e2e_ms"]:
            claim_p99 = percentile(pair["tandem"]["e2e_ms"], 99)
            checks.append((f"Claim card updated p99 ≤ {CLAIM_P99_MS:.0f} ms", claim_p99 <= CLAIM_P99_MS,
                           f"{_ms(claim_p99)} ms"))
        if pair["name"] in CPU_MS:
            limit = CPU_MS[pair["name"]]
            checks.append((f"server CPU per {pair['name']} ≤ {limit:.0f} ms", pair["tandem_cpu_ms"] <= limit,
                           f"{pair['tandem_cpu_ms']:.1f} ms"))
    checks.append((f"slash command ack p50 within {BOLT_RATIO_P50}× of bare Bolt", worst_ratio <= BOLT_RATIO_P50,
                   f"worst {worst_ratio:.2f}×"))
    digest, sweep = row.get("digest") or {}, row.get("sweep") or {}
    if "skipped" in digest or not digest:
        why = digest.get("skipped", "not run")
        checks.append((f"digest < {DIGEST_MS:.0f} ms", None, why))
        checks.append((f"sweep < {SWEEP_MS / 1000:.0f} s", None, why))
        peak = row["server_rss_mb"]
    else:
        checks.append((f"digest < {DIGEST_MS:.0f} ms", digest["median_ms"] < DIGEST_MS,
                       f"{_ms(digest['median_ms'])} ms (first {_ms(digest['first_ms'])} ms)"))
        checks.append((f"sweep < {SWEEP_MS / 1000:.0f} s", sweep["first_ms"] < SWEEP_MS,
                       f"{_ms(sweep['first_ms'])} ms for {sweep['reminders']:,} reminders"))
        peak = max(row["server_rss_mb"] or 0, digest["peak_mb"], sweep["peak_mb"])
    checks.append((f"peak memory < {PEAK_MB:.0f} MB", peak < PEAK_MB, f"{_ms(peak)} MB"))
    delivery = results.get("delivery") or {}
    if "over_minimum" in delivery:
        within = delivery["over_minimum"] is None or delivery["over_minimum"] <= DELIVERY_OVER
        ok = within and not delivery["lost"] and not delivery["duplicated"]
        checks.append((f"reminder delivery within {DELIVERY_OVER:.0%} of the minimum, none lost or duplicated", ok,
                       f"{delivery['dms']:,} DMs in {delivery['seconds']:.1f} s against {delivery['minimum_s']:.1f} s, "
                       f"{_over(delivery)}, {delivery['lost']} lost, {delivery['duplicated']} duplicated"))
    else:
        checks.append((f"reminder delivery within {DELIVERY_OVER:.0%} of the minimum", None,
                       delivery.get("skipped", "not run")))
    found = [(f"{name} (at {int(size):,} requests)", met, value) for name, met, value in checks]
    for row in results.get("stress") or []:
        kept = (row["acked_in_time"] == row["requests"] and row["modals_in_time"] == row["modals"]
                and row["broken"] == 0)
        found.append((f"{row['name']}: every request acked and every modal opened within 3 s, nothing applied "
                      "that the person was told failed", kept,
                      f"{row['acked_in_time']}/{row['requests']} acked, {row['modals_in_time']}/{row['modals']} "
                      f"modals, {row['broken']} broken"))
    return found


def render(results: dict) -> str:
    info = results["machine"]
    at = f" at commit {info['commit']}" if info.get("commit") else ""
    out = [
        f"Machine{at}: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, SQLite {info['sqlite']}, "
        f"{info['os']}. Load average {info['load_before']:.2f} before the run, {results['load_after']:.2f} after. "
        f"Run took {results['seconds']:.0f} s.",
        "",
        f"Slash commands and the Claim button over HTTP, {results['clients']} concurrent clients, closed loop "
        f"(each waits for its answer to reach Slack before the next); up to {results['count']} samples or "
        f"{results['duration']:.0f} s each:",
        "",
        *http_table(results),
        "",
        *solo_table(results),
        "Scale, the schedule's work and start-up:",
        "",
        *scale_table(results),
        "",
        *delivery_table(results.get("delivery") or {"skipped": "not run"}),
        "",
        *stress_table(results.get("stress") or []),
        "",
        "Targets:",
        "",
    ]
    for name, met, value in targets(results):
        mark = "met" if met else "not measured" if met is None else "NOT met"
        out.append(f"- {name}: **{mark}** — {value}")
    return "\n".join(out)
