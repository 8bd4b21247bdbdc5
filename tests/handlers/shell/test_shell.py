"""The shell, driven through its input and output."""

import io

from handlers.cli import main, run_shell
from bot.config import Settings

NEED = [
    "/need 50 Zoom licences",
    "",  # keep the prefilled title
    "Meetings move to Zoom",
    "saas",
    "50",
    "7500",
    "",
    "2027-01-15",
    "high",
    "",
    "Zoom",
]


def drive(settings, clock, *lines) -> str:
    out = io.StringIO()
    run_shell(settings, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, clock=clock)
    return out.getvalue()


def test_it_posts_a_need_and_procurement_claims_sources_notes_and_shows(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    out = drive(
        settings,
        clock,
        *NEED,
        "/as buyer",
        "/procure claim 1",
        "/procure status 1 sourcing",
        "/procure note 1 Asked Zoom for a quote",
        "/procure show 1",
        "/quit",
    )
    assert "[#it-procurement] Tandem posted a card:\n┌ #1 50 Zoom licences — New" in out
    assert "(only you can see this) Posted #1 50 Zoom licences in #it-procurement." in out
    assert "You are now @buyer (procurement)." in out
    assert "│ requested by @it · claimed by @buyer" in out
    assert "┌ #1 50 Zoom licences — Sourcing" in out
    assert "[#it-procurement › thread of #1] Tandem: @buyer added a note: Asked Zoom for a quote" in out
    history = out.split("History:")[1]
    assert "@it created the request" in history
    assert "@buyer claimed (owner: — → @buyer; status: new → claimed)" in history
    assert "@buyer status (status: claimed → sourcing)" in history
    assert "@buyer added a comment" in history


def test_form_errors_are_asked_again_and_a_dot_cancels(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    out = drive(
        settings, clock,
        "/need", "", "", "toys", "0", "", "", "2020-01-01", "", "", "",
        # only the bad fields are asked again
        "Laptop", "hardware", "2", "2030-01-01",
        "/procure list",
        "/need Phones", ".",
        "/procure list all",
        "/quit",
    )
    assert "✗ Give the need a short title." in out
    assert "✗ Category must be one of" in out
    assert "✗ Quantity must be a whole number of at least 1." in out
    assert "✗ The needed-by date is in the past." in out
    assert "Posted #1 Laptop" in out
    assert "Cancelled; nothing was posted." in out
    assert "All requests (1):" in out and "Phones" not in out.split("All requests (1):")[1]


def test_refusals_and_unknown_commands_are_explained(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    out = drive(settings, clock, *NEED, "/procure claim 1", "/procure frob", "/procure show x", "/dance",
                "/as nobody", "/as U0ABC123", "/procure claim 1", "/quit")
    assert "(only you can see this) Only procurement members can claim requests." in out
    assert "I don't know `frob`" in out
    assert "'x' is not a request number" in out
    assert "/dance is not a command here" in out
    assert "Say /as followed by one of" in out
    assert "You are now @U0ABC123 (requester)." in out
    assert "Traceback" not in out


def test_thread_replies_and_where_you_are(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_CHANNEL": "C0TEAM"})
    out = drive(settings, clock, *NEED, "/reply 1 The budget code is 4711", "/in dm", "hello",
                "/in channel", "/procure show 1", "/quit")
    assert "[#C0TEAM › thread of #1] @it: The budget code is 4711" in out
    assert "@it in DM with Tandem ›" in out
    assert "I answer /need and /procure commands" in out
    assert "@it: The budget code is 4711" in out.split("Comments:")[1]


def test_run_without_tokens_starts_the_shell(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("/procure list\n/quit\n"))
    code = main(["run"], environ={"TANDEM_DB": str(tmp_path / "t.db")})
    out = capsys.readouterr().out
    assert code == 0
    assert "No SLACK_BOT_TOKEN set: starting the local shell" in out
    assert "Open requests: nothing here." in out


def test_a_bad_setting_stops_start_up_with_one_line(capsys):
    assert main(["run"], environ={"TANDEM_TIMEZONE": "Mars/Base"}) == 2
    assert capsys.readouterr().err == "tandem: configuration error: TANDEM_TIMEZONE=Mars/Base is not an IANA time zone\n"


def test_a_costly_need_waits_for_the_approver_in_the_shell(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    costly = list(NEED)
    costly[5] = "25000"
    out = drive(settings, clock, *costly, "/as buyer", "/procure claim 1", "/procure status 1 sourcing",
                "/procure status 1 approved", "/as admin", "/procure approve 1", "/procure show 1", "/quit")
    assert "#1 needs approval because its cost (USD 25,000) reaches the approval threshold of USD 10,000" in out
    assert "[DM to @admin] Tandem: approval needed for #1" in out
    assert "You approved #1. It is now approved." in out
    assert "│ approval: approved; @admin approved" in out


def test_the_stats_show_the_shared_targets_in_the_shell(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_TARGET_FULFIL_DAYS": "saas=10",
                                  "TANDEM_TARGET_SAVINGS": "5"})
    out = drive(settings, clock, *NEED, "/as buyer", "/procure claim 1", "/procure status 1 sourcing",
                "/procure status 1 approved", "/procure status 1 ordered 7000", "/procure stats", "/quit")
    assert "Shared targets: IT: needs fulfilled within saas 10 d of being posted" in out
    assert "2026-11 time to claim: 1 of 1 met, median 0.0 business days (target ≤ 1 business day)" in out
    assert "2026-11 savings: 1 of 1 met, 6.7% saved on 1 order (target 5%)" in out


def test_the_requester_edits_a_need_with_its_current_values_as_defaults(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db"), "TANDEM_PROCUREMENT": "U0BUYER001"})
    keep_all_but_title_and_cost = ["60 Zoom licences", "", "", "", "9000", "", "", "", "", ""]
    out = drive(settings, clock, *NEED, "/procure edit 1", *keep_all_but_title_and_cost,
                "/procure edit 1", ".", "/procure show 1", "/as buyer", "/procure edit 1", "/quit")
    assert "Edit #1 — Enter keeps [the current value]; '.' cancels." in out
    assert "[Meetings move to Zoom]" in out and "[7500]" in out and "[2027-01-15]" in out and "[Zoom]" in out
    assert "(only you can see this) Saved #1 60 Zoom licences; its card is updated." in out
    assert "Cancelled; nothing was changed." in out
    assert "edited (estimated_cost: 7500.00 → 9000.00; title: 50 Zoom licences → 60 Zoom licences)" in out
    assert "(only you can see this) Only the requester of #1 (or an admin) can edit it." in out
