"""The schedule in the local shell: digests arrive, reminders can be run, snoozed and done."""

import io
from datetime import date, timedelta

from bot.config import Settings
from handlers.shell.app import start_shell

END = (date(2026, 11, 16) + timedelta(days=10)).isoformat()  # a notice deadline 10 days after the test clock's today
ADD_CONTRACT = ["/as buyer", "/procure contract add", "Zoom", "Business", "it", "buyer", "2026-01-01", END, "0",
                "yes", "12", "12000", "", "50", "", ""]


def drive(tmp_path, clock, *lines, schedule=False) -> str:
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    out = io.StringIO()
    start_shell(settings, io.StringIO("\n".join(lines) + "\n"), out, clock=clock, schedule=schedule)
    return out.getvalue()


def test_reminders_in_the_shell_can_be_snoozed_and_done(tmp_path, clock):
    out = drive(tmp_path, clock, *ADD_CONTRACT, "/remind", "/remind", "/snooze 1", "/as it", "/snooze 1", "/done 1",
                "/quit")
    assert "[DM to @it] Tandem: 1 thing needs you:\n  • Notice deadline: Zoom Business (contract 1): notice deadline" in out
    assert "[Open] [Snooze 3 days: /snooze 1] [Done: /done 1]" in out
    assert "(only you can see this) Sent 2 reminders to 2 people." in out
    assert "(only you can see this) No reminders are due now." in out, "the second sweep sends nothing again"
    assert "only they can snooze it or mark it done" in out  # reminder 1 is @it's, not @buyer's
    assert "Snoozed reminder 1: it comes back on Thu 19 Nov." in out
    assert "Reminder 1 is done; no more reminders about it for you." in out


def test_digest_shows_the_channel_digest_and_procure_digest_sends_a_preview(tmp_path, clock):
    out = drive(tmp_path, clock, "/digest", "/procure digest", "/quit")
    assert "(only you can see this) ┌ The digest the channel would get now · Mon 16 Nov 2026\n  │ All quiet" in out
    assert "Nothing was sent; it is posted on TANDEM_DIGEST_CRON." in out
    assert "[DM to @it] Tandem:\n┌ Digest preview (only you see this)" in out
    assert "The digest preview is in your DMs." in out


def test_the_digest_previews_show_the_scorecard_until_the_months_first_digest_has_carried_it(tmp_path, clock):
    before = drive(tmp_path, clock, "/digest", "/procure digest", "/quit")
    assert before.count("│ ┌ Scorecard: working together, measured") == 2  # the channel's digest now, and the DM
    assert "tandem-scorecard.png" not in before  # a preview saves no chart
    after = drive(tmp_path, clock, "/digest", "/procure digest", "/quit", schedule=True)
    assert after.count("Scorecard: working together, measured") == 1  # only in the digest the schedule posted
    assert after.index("Tandem posted the digest:") < after.index("The digest the channel would get now")
    assert "[DM to @it] Tandem:\n┌ Digest preview (only you see this)" in after


def test_with_the_schedule_a_due_digest_arrives_before_the_prompt(tmp_path, clock):
    out = drive(tmp_path, clock, "/quit", schedule=True)  # the test clock is Monday 09:00: digest time
    assert out.index("[#it-procurement] Tandem posted the digest:") < out.index("Tandem local shell.")
    again = drive(tmp_path, clock, "/quit", schedule=True)
    assert "posted the digest" not in again, "a restart does not resend"


def test_the_first_digest_of_a_month_carries_the_scorecard_and_its_chart_once(tmp_path, clock):
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    out = io.StringIO()
    start_shell(settings, io.StringIO("/quit\n"), out, clock=clock, schedule=True, files=tmp_path / "files")
    shown = out.getvalue()
    digest = shown[shown.index("Tandem posted the digest:"):shown.index("Tandem local shell.")]
    assert "│ ┌ Scorecard: working together, measured" in digest
    assert "│ │ Largest gap between data and feeling" in digest and "From the work:" in digest
    assert "[#it-procurement › thread of the digest] Tandem attached tandem-scorecard.png (" in digest
    assert (tmp_path / "files" / "tandem-scorecard.png").read_bytes()[:4] == b"\x89PNG"
    again = drive(tmp_path, clock, "/quit", schedule=True)
    assert "Scorecard" not in again, "a restart does not post November's scorecard again"
