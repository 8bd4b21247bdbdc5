"""Teams lists longer than a card shows: each stops at its rows and says "…and N more" with
the right N (the digest's sections, `list`, `contracts` and the reminders card), so no row is
dropped silently."""

import json
import re
from datetime import UTC, date, datetime, timedelta

from bot.schedule import Schedule
from handlers.teams.cards import LIST_ROWS
from storage import schedule as ledger
from tests.conftest import need
from tests.contract_samples import contract_form
from tests.handlers.teams.conftest import BUYER, CHANNEL, IT

TODAY = date(2026, 11, 16)  # the test clock: Monday 09:00 UTC, when the digest and the sweep are due
MORE = re.compile(r"…and (\d+) more")
HEADING = re.compile(r"\*\*[^*]+\*\* \(\d+\)")
DEADLINES, UNCLAIMED, NEEDED_SOON, STALE = 17, 20, 16, 19  # each over LIST_ROWS, each different


def texts(card: dict) -> list[str]:
    """Every TextBlock of an Adaptive Card in order, however deeply nested."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def section(lines: list[str], title: str) -> tuple[int, list[str], int | None]:
    """A digest section: its count from the heading, its rows, and N of its "…and N more"."""
    [start] = [i for i, line in enumerate(lines) if line.startswith(f"**{title}")]
    count = int(re.search(r"\((\d+)\)$", lines[start]).group(1))
    rows, more = [], None
    for line in lines[start + 1:]:
        if HEADING.fullmatch(line) or line.startswith("**The week in numbers"):
            break
        if (match := MORE.fullmatch(line)) is not None:
            more = int(match.group(1))
            break
        rows.append(line)
    return count, rows, more


def fill(bot, clock) -> None:
    """17 notice deadlines owned by Ivy; 20 unclaimed needs (16 of them needed within 3 days)
    and 19 claims quiet for 11 days."""
    for number in range(DEADLINES):
        end = TODAY + timedelta(days=20 + number)
        bot.core.contracts.add(BUYER.aad, contract_form(vendor=f"Vendor {number:02}", end_date=end.isoformat(),
                                                        notice_days="0", it_owner=IT.email,
                                                        procurement_owner=BUYER.email))
    clock.set(datetime(2026, 11, 5, 9, 0, tzinfo=UTC))
    for number in range(UNCLAIMED):
        soon = number < NEEDED_SOON
        bot.core.requests.create(IT.aad, need(title=f"Unclaimed {number:02}",
                                              needed_by="2026-11-18" if soon else "2027-03-01"))
    for number in range(STALE):
        request = bot.core.requests.create(IT.aad, need(title=f"Quiet {number:02}", needed_by="2027-03-01"))
        bot.core.requests.claim(BUYER.aad, request.id)
    clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))


def test_every_long_teams_list_says_how_many_more_there_are(teams, connector, bot, clock):
    teams.install_in_team()
    teams.say(IT, "help")
    teams.say_in_channel(BUYER, "help")
    fill(bot, clock)
    connector.reset()

    Schedule(bot.core).tick()

    # The digest: each section shows LIST_ROWS rows and counts the rest.
    [digest] = connector.of("send", CHANNEL)
    lines = texts(digest.cards[0])
    for title, total in (("Notice deadlines in the next 90 days", DEADLINES), ("Waiting to be claimed", UNCLAIMED),
                         ("Claimed, quiet for 5+ days", STALE), ("Needed within 3 days or overdue", NEEDED_SOON)):
        count, rows, more = section(lines, title)
        assert (count, len(rows), more) == (total, LIST_ROWS, total - LIST_ROWS), title
    shown = json.dumps(digest.cards, ensure_ascii=False)
    assert "Vendor 14" in shown and "Vendor 15" not in shown, "the soonest deadlines are the ones shown"

    # Ivy's reminders: one card, LIST_ROWS of them with buttons, and the rest counted.
    [ivy] = connector.of("send", IT.chat)
    due = [entry for entry in ledger.entries(bot.core.store.db) if entry.person == IT.aad and entry.delivered]
    assert len(due) >= DEADLINES
    lines = texts(ivy.cards[0])
    assert lines[0] == f"{len(due)} things need you"
    assert [int(m.group(1)) for m in map(MORE.fullmatch, lines) if m] == [len(due) - LIST_ROWS]
    assert json.dumps(ivy.cards).count('"Snooze 3 days"') == LIST_ROWS

    # `list all`: LIST_ROWS rows and "…and N more" for the rest of every request.
    connector.reset()
    teams.say(IT, "list all")
    [listed] = connector.of("reply", IT.chat)
    lines = texts(listed.cards[0])
    total = UNCLAIMED + STALE
    assert lines[0].endswith(f"({total})")
    assert sum(1 for line in lines if re.match(r"\*\*#\d+\*\* ", line)) == LIST_ROWS
    assert [int(m.group(1)) for m in map(MORE.fullmatch, lines) if m] == [total - LIST_ROWS]

    # `contracts`: the same for notice deadlines.
    connector.reset()
    teams.say(IT, "contracts")
    [contracts] = connector.of("reply", IT.chat)
    lines = texts(contracts.cards[0])
    assert lines[0] == f"Notice deadlines in the next 90 days ({DEADLINES})"
    assert sum(1 for line in lines if line.startswith("**Vendor")) == LIST_ROWS
    assert [int(m.group(1)) for m in map(MORE.fullmatch, lines) if m] == [DEADLINES - LIST_ROWS]
