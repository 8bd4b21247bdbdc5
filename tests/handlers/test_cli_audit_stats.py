"""tandem audit and tandem stats from the command line."""

import csv
import json
import struct

from handlers.cli import main
from bot.config import Settings
from bot.core import build_core
from bot.notifier import NullNotifier
from tests.conftest import BUYER, IT, need


def seeded(tmp_path, clock):
    env = {"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER}
    core = build_core(Settings.from_env(env), NullNotifier(), clock=clock)
    core.requests.create(IT, need())
    clock.advance(days=2)
    core.requests.claim(BUYER, 1)
    core.close()
    return env


def test_audit_exports_the_whole_log_as_csv(tmp_path, clock, capsys):
    env = seeded(tmp_path, clock)
    out = tmp_path / "audit.csv"
    assert main(["audit", "--csv", str(out)], environ=env) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["action"], r["actor"], r["subject"], r["subject_id"]) for r in rows] == [
        ("created", IT, "request", "1"), ("claimed", BUYER, "request", "1")]
    assert json.loads(rows[1]["after"]) == {"owner": BUYER, "status": "claimed"}
    assert "Wrote 2 audit events" in capsys.readouterr().out


def test_audit_since_a_day_and_bad_dates(tmp_path, clock, capsys):
    env = seeded(tmp_path, clock)  # created 2026-11-16, claimed 2026-11-18
    assert main(["audit", "--since", "2026-11-17"], environ=env) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and "claimed" in printed[0]
    assert main(["audit", "--since", "2027-02-30"], environ=env) == 2
    assert "is not a date" in capsys.readouterr().err


def test_stats_prints_and_writes_the_chart(tmp_path, clock, capsys):
    env = seeded(tmp_path, clock)
    png = tmp_path / "flow.png"
    assert main(["stats", "--weeks", "4", "--png", str(png)], environ=env) == 0
    out = capsys.readouterr().out
    assert "opened" in out and f"Wrote the chart to {png}" in out
    assert struct.unpack(">II", png.read_bytes()[16:24]) == (800, 400)
    assert main(["stats", "--weeks", "0"], environ=env) == 2
