"""The sync meeting in the shell: decisions, action items by @name, the agenda preview."""

from bot.config import Settings
from tests.handlers.shell.test_shell import drive


def test_decide_action_and_agenda_in_the_shell(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_SYNC_CRON": "0 14 * * THU"})
    out = drive(
        settings, clock,
        "/as buyer",
        "/procure decide Renew Zoom for one year",
        "/procure action @it Get the SOC 2 report by 2026-11-24",
        "/procure agenda",
        "/as it",
        "/procure action done 1",
        "/quit",
    )
    assert "Decision 1 recorded: Renew Zoom for one year" in out
    assert "Action item 1 for @it by 2026-11-24: Get the SOC 2 report." in out
    assert "[DM to @it] Tandem:\n┌ A new action item for you\n│ To do\n│   • 1. @it — Get the SOC 2 report (due 2026-11-24)" in out
    assert "┌ Sync meeting agenda · Thu 19 Nov 14:00" in out
    assert "│ Open action items\n  │   • 1. @it — Get the SOC 2 report (due 2026-11-24)" in out
    assert "Action item 1 is done: Get the SOC 2 report" in out
