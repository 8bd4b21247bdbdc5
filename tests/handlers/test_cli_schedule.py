"""`tandem digest [--preview]` and `tandem remind [--preview]`."""

from datetime import date, timedelta

import pytest

from handlers.cli import digest_command, main, remind_command
from bot.config import Settings
from bot.core import build_core
from bot.notifier import NullNotifier
from storage import Store
from storage import schedule as ledger
from tests.conftest import BUYER, IT
from tests.contract_samples import contract_form
from testing.slack import FakeSlack


@pytest.fixture
def env(tmp_path, clock):
    env = {"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": BUYER}
    core = build_core(Settings.from_env(env), NullNotifier(), clock=clock)
    end = (date(2026, 11, 16) + timedelta(days=10)).isoformat()
    core.contracts.add(BUYER, contract_form(end_date=end, notice_days="0", vendor="Zoom & Co"))
    core.close()
    return env


def entries(env):
    store = Store(env["TANDEM_DB"])
    try:
        return ledger.entries(store.db)
    finally:
        store.close()


def test_previews_print_and_record_nothing(env, clock, capsys):
    settings = Settings.from_env(env)
    assert digest_command(settings, preview=True, clock=clock) == 0
    out = capsys.readouterr().out
    assert out.startswith("┌ Digest preview · Mon 16 Nov 2026\n│ Notice deadlines in the next 90 days (1):")
    assert "Zoom & Co Business" in out and out.endswith("(preview: nothing was sent and nothing was recorded)\n")
    assert "│ ┌ Scorecard: working together, measured" in out  # `tandem digest` now would be November's first
    assert remind_command(settings, preview=True, clock=clock) == 0
    out = capsys.readouterr().out
    assert f"To @{IT}: 1 thing needs you:\n  • Notice deadline: Zoom & Co Business (contract 1)" in out
    assert "/snooze" not in out, "a preview has nothing to snooze"
    assert entries(env) == []


def test_without_slack_they_print_what_the_shell_would_post_once(env, clock, capsys):
    settings = Settings.from_env(env)
    assert digest_command(settings, preview=False, clock=clock) == 0
    assert capsys.readouterr().out.startswith("[#it-procurement] Tandem posted the digest:\n┌ Tandem digest")
    assert remind_command(settings, preview=False, clock=clock) == 0
    out = capsys.readouterr().out
    assert f"[DM to @{IT}] Tandem: 1 thing needs you:" in out and f"[DM to @{BUYER}]" in out
    assert out.endswith("Sent 2 reminders to 2 people.\n")
    assert remind_command(settings, preview=False, clock=clock) == 0
    assert capsys.readouterr().out == "No reminders are due now.\n"
    assert [e.kind for e in entries(env)] == ["digest", "scorecard", "notice", "notice"]  # November's scorecard
    assert entries(env)[0].threshold.startswith("manual "), "never mistaken for a scheduled slot"


def test_with_slack_they_send_through_slack(env, clock, capsys):
    fake = FakeSlack().start()
    try:
        settings = Settings.from_env({**env, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
                                      "SLACK_API_URL": fake.api_url, "TANDEM_CHANNEL": "C0SHARED"})
        assert digest_command(settings, preview=False, clock=clock) == 0
        assert capsys.readouterr().out == "Posted the digest to C0SHARED.\n"
        assert [c.args["channel"] for c in fake.calls_to("chat.postMessage")] == ["C0SHARED"]
        assert remind_command(settings, preview=False, clock=clock) == 0
        assert capsys.readouterr().out == "Sent 2 reminders to 2 people.\n"
        assert sorted(c.args["users"] for c in fake.calls_to("conversations.open")) == sorted([IT, BUYER])
        fake.fail("chat.postMessage", "channel_not_found")
        assert digest_command(settings, preview=False, clock=clock) == 1
        assert "the digest was not posted" in capsys.readouterr().err
        assert fake.invalid == []
    finally:
        fake.stop()


def test_the_commands_parse(tmp_path, capsys):
    env = {"TANDEM_DB": str(tmp_path / "empty.db")}
    assert main(["digest", "--preview"], environ=env) == 0
    assert "All quiet" in capsys.readouterr().out
    assert main(["remind", "--preview"], environ=env) == 0
    assert capsys.readouterr().out == "No reminders are due now.\n"
