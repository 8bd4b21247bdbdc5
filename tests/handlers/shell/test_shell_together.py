"""Deciding together and the risk checks in the shell."""

from bot.config import Settings
from tests.handlers.shell.test_shell import NEED, drive


def test_options_sign_offs_and_checks_in_the_shell(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_RISK_CHECKS": "internal=SSO"})
    out = drive(
        settings, clock, *NEED,
        "/procure rules",
        "/as buyer",
        "/procure claim 1",
        "/procure option 1 Zoom | 7000 | net 30 | 12 | https://quotes.example/1",
        "/procure rate 1 A cost 4",
        "/as it",
        "/procure rate 1 A fit 5 risk 4",
        "/procure choose 1 A fits",
        "/procure check 1 SSO",
        "/as buyer",
        "/procure choose 1 A fair",
        "/procure options 1",
        "/quit",
    )
    assert "• internal: 1. SSO" in out
    assert "Before it is ordered, IT ticks its risk checks (internal data): 1. SSO." in out
    assert "│ risk checks (internal): ☐ 1. SSO" in out
    assert "│ option A: Zoom · USD 7,000 · 12 months · net 30 · fit 5 risk 4 cost 4 · quote https://quotes.example/1" in out
    assert "│ decision: Waiting for both sign-offs on one option; @it chose A: fits; waiting for @buyer" in out
    assert "│ risk checks (internal): ☑ 1. SSO (@it)" in out
    assert "│ decision: Decided together: option A; @buyer chose A: fair; @it chose A: fits" in out
    assert "@buyer signed off option A 2026-11-16 09:00 UTC: fair" in out
