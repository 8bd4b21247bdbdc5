"""The health check in the local shell: the survey arrives as a DM print, answers by command,
results from 3 answers up, the digest's section — and no line puts a name to a score."""

import io
import logging
import re
from datetime import datetime, timezone

from bot.config import Settings
from handlers.shell.app import start_shell
from handlers.shell.ids import PERSONAS
from tests.anonymity import assert_anonymous

DEC = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)  # the first Monday, 10:00: the default cron
NEED = ["/need Laptops", "", "", "hardware", "", "", "", "", "", "", ""]
DECIMAL = re.compile(r"\d\.\d")


def drive(tmp_path, clock, *lines, schedule=False) -> str:
    settings = Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})
    out = io.StringIO()
    start_shell(settings, io.StringIO("\n".join(lines) + "\n"), out, clock=clock, schedule=schedule)
    return out.getvalue()


def bot_lines(out: str) -> list[str]:
    """What the bot printed: every line but the echo of what was typed at the prompt."""
    return [line for line in out.splitlines() if " › " not in line]


def test_the_survey_arrives_in_the_shell_and_is_answered_there(tmp_path, clock, caplog):
    caplog.set_level(logging.INFO)
    clock.set(DEC)
    out = drive(
        tmp_path, clock,
        "/as it", "/procure health answer 4 4 3 5 2 3",  # not asked: neither procurement nor posted a need
        *NEED, "/procure cancel 1",
        "/as buyer", "/procure health send",
        "/as admin", "/procure health send",
        "/as it", "/procure health answer 4 4 3 5 2 3 Quotes are slow", "/procure health",
        "/as buyer", "/health answer 2,3,3,2,1,3 Nobody knows who buys", "/health",
        "/as admin", "/health answer 3 4 2 3 4 1 Approvals drag", "/health",
        "/as it", "/procure health answer 1 1 1 1 1 1",
        "/digest", "/quit",
        schedule=True,
    )
    # The schedule's first tick sends the month's survey to procurement (buyer; admin counts too).
    start = out.index("Tandem local shell.")
    early = out[:start]
    assert "[DM to @buyer] Tandem: the December 2026 health check" in early
    assert "[DM to @admin] Tandem: the December 2026 health check" in early
    assert "  1. Procurement is part of IT's planning meetings." in early
    assert "[Take the 1-minute check: /procure health answer 4 5 3 4 2 5 [comment]]" in early
    assert "[DM to @it]" not in early, "@it had posted no need yet"

    assert "it was not sent to you this month" in out
    assert "Only Tandem admins can do that." in out
    assert "The December 2026 health check went to 1 person." in out
    assert out.count("[DM to @it] Tandem: the December 2026 health check") == 1
    assert out.count("Thank you — your answer to the December 2026 health check is in.") == 3
    assert "Health check · December 2026: 1 answer so far; results appear from 3 answers up." in out
    assert "Health check · December 2026: 2 answers so far; results appear from 3 answers up." in out
    waiting = out[:out.index("/as admin", out.index("/health answer 2,3,3,2,1,3"))]
    assert not DECIMAL.search(waiting[start:]), "no numbers below 3 answers"

    results = out[out.index("Health check · December 2026 — 3 answers"):]
    assert "3 answers (IT 1, procurement 2)" in results
    assert "3.0  Procurement is part of IT's planning meetings." in results  # (4 + 2 + 3) / 3
    assert "2.3  It is clear what IT handles itself and what suppliers handle." in results  # (2 + 1 + 4) / 3
    # Tied with "Requests move … quickly" at 7/3: the first statement is called out.
    assert "Lowest: It is clear what IT handles itself and what suppliers handle. (2.3)" in results
    assert "“Nobody knows who buys”" in results and "“Quotes are slow”" in results
    assert "“Approvals drag”" not in results.split("/as it")[0], "admin gave it a 4"
    assert "You have already answered the December 2026 health check" in out

    digest = out[out.index("The digest the channel would get now"):]
    assert "│ Health check · December 2026 — 3 answers" in digest
    assert "│   2.3  It is clear what IT handles itself and what suppliers handle." in digest

    answers = [(person, scores, comment)
               for who, scores, comment in [("it", (4, 4, 3, 5, 2, 3), "Quotes are slow"),
                                            ("buyer", (2, 3, 3, 2, 1, 3), "Nobody knows who buys"),
                                            ("admin", (3, 4, 2, 3, 4, 1), "Approvals drag")]
               for person in (f"@{who}", PERSONAS[who])]
    # The shell shows people by name (@it), so both the name and the ID are looked for.
    assert_anonymous(bot_lines(out) + [record.getMessage() for record in caplog.records], answers)
