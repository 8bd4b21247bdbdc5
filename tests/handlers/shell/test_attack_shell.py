"""Very long and odd input typed into the local shell: a clear message or a clean refusal, and
a form that never loops on a default it has just refused."""

from bot.config import Settings
from tests.handlers.shell.test_shell import drive

ZWJ = "👩‍👩‍👧‍👦"


def settings_in(tmp_path) -> Settings:
    return Settings.from_env({"TANDEM_DB": str(tmp_path / "t.db")})


def form_answers(*, details: str = "") -> list[str]:
    """Enter keeps the title offered; then the rest of the need form."""
    return ["", details, "saas", "1", "", "", "", "", "", ""]


def test_a_title_of_4100_characters_after_need_is_offered_as_the_form_takes_it(tmp_path, clock):
    """Before: the whole title was offered as the default, refused ("Keep the title under 150
    characters"), and offered again, so Enter never got past it."""
    out = drive(settings_in(tmp_path), clock, "/need " + "T" * 4100, *form_answers(), "/quit")
    assert "[" + "T" * 150 not in out, "the default offered is not the whole title"
    assert f"What do you need? [{'T' * 149}…]" in out
    assert f"Posted #1 {'T' * 149}… in #it-procurement." in out
    assert "Keep the title under 150 characters" not in out


def test_a_stored_value_the_form_now_refuses_is_not_offered_again(tmp_path, clock):
    """Editing a need whose needed-by date has passed: Enter keeps every value, the date is
    refused, and the question comes back without it (before, it came back with the same date,
    so Enter was refused again and again)."""
    settings = settings_in(tmp_path)
    drive(settings, clock, "/need Laptop", "", "", "saas", "1", "", "", "2026-11-20", "", "", "", "/quit")
    clock.advance(days=30)
    out = drive(settings, clock, "/procure edit 1", *[""] * 10, "", "/quit")
    assert out.count("✗ The needed-by date is in the past.") == 1
    assert "Needed by (YYYY-MM-DD, blank if no date): " in out.split("✗ The needed-by date is in the past.")[1]
    assert "Saved #1 Laptop; its card is updated." in out


def test_long_and_odd_text_in_commands_gets_a_short_clear_answer(tmp_path, clock):
    out = drive(settings_in(tmp_path), clock, "/need Laptop", *form_answers(),
                "/procure note 1 " + "n" * 4100,
                "/procure note 1 " + ZWJ * 500,
                "/procure note 1 a\x00b \u202eevil\u202c e\u0301\u0302 " + ZWJ,
                "/procure status 1 " + "s" * 5000,
                "/as " + "q" * 5000,
                "/procure show 1", "/quit")
    answers = [line for line in out.splitlines() if line.startswith("(only you can see this)")]
    assert "(only you can see this) Keep notes under 3000 characters." in answers  # 4,100 n
    assert answers.count("(only you can see this) Keep notes under 3000 characters.") == 2  # 500 families: 3,500
    assert f"(only you can see this) '{'s' * 40}' is not a status" in out
    assert all(len(line) < 400 for line in answers), "no refusal echoes the input at length"
    comments = out.split("Comments:")[1].split("History:")[0]
    assert f"ab evil e\u0301\u0302 {ZWJ}" in comments, "NUL and the bidi override removed; marks and emoji kept"
    assert comments.count("@it:") == 1, "only the note that fits was added"
