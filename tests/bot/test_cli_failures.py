"""Every command line failure is one line on stderr and exit code 1, never a traceback; the
approvers warning comes once, at `run`. Each runs `python -m bot` as a person would."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tandem(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "TANDEM_DB": str(tmp_path / "tandem.db")}

    def run(*args, stdin: str = "", stdout=subprocess.PIPE, **extra):
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env={**env, **extra},
                              input=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)

    return run


def one_line(result, says: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], f"one line: {result.stderr!r}"
    assert says in result.stderr


@pytest.mark.parametrize("args", [
    ("export-contracts", "missing/contracts.csv"),
    ("export-calendar", "missing/contracts.ics"),
    ("audit", "--csv", "missing/audit.csv"),
    ("stats", "--png", "missing/chart.png"),
])
def test_writing_into_a_folder_that_does_not_exist(tandem, args):
    one_line(tandem(*args), f"tandem: {args[-1]}: No such file or directory")


def test_a_missing_env_file_is_an_error_not_ignored(tandem):
    one_line(tandem("--env-file", "/nonexistent/tandem.env", "stats"), "tandem: --env-file /nonexistent/tandem.env: "
                                                                        "no such file")


def test_backup_onto_the_live_database_is_refused_and_the_database_is_untouched(tandem, tmp_path):
    assert tandem("stats").returncode == 0  # creates the database
    db = tmp_path / "tandem.db"
    before = db.read_bytes()
    for target in (str(db), "./tandem.db", "tandem.db-wal"):
        one_line(tandem("backup", target), "is the database itself (TANDEM_DB); choose another file")
    assert db.read_bytes() == before
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert tandem("backup", "copy.db").returncode == 0 and (tmp_path / "copy.db").exists()


def test_a_reader_that_leaves_early_ends_quietly(tandem):
    """`tandem stats | head`: the pipe is closed before Tandem writes; no BrokenPipeError."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = tandem("stats", stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 1 and result.stderr == ""


def test_the_approvers_warning_comes_once_at_run_and_never_on_other_commands(tandem):
    for args in (("stats",), ("export-calendar", "c.ics"), ("doctor",)):
        assert "TANDEM_APPROVERS" not in tandem(*args).stderr, args
    ran = tandem("run", stdin="/quit\n")
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.count("no TANDEM_APPROVERS or TANDEM_ADMINS") == 1
    assert ran.stdout.count("TANDEM_APPROVERS") == 0, "the shell's conversation carries no log lines"
