"""Digests and reminders through Teams: proactive messages from stored conversation
references, sent by the schedule (a fake clock and Schedule.tick, no sleeping)."""

import json
from datetime import date, timedelta

from bot.schedule import Schedule
from handlers.teams.ids import Verbs
from storage import schedule as ledger
from tests.contract_samples import contract_form
from tests.handlers.teams.conftest import BUYER, CHANNEL, IT, invoke_text

TODAY = date(2026, 11, 16)  # the test clock: Monday 09:00 UTC, when the digest and the sweep are due


def deadline_in(days: int, **overrides) -> dict:
    return contract_form(end_date=(TODAY + timedelta(days=days)).isoformat(), notice_days="0", **overrides)


def meet(teams) -> None:
    """Tandem is installed in the team; Ivy talks to it in her chat, Bo only in the channel."""
    teams.install_in_team()
    teams.say(IT, "help")
    teams.say_in_channel(BUYER, "help")


def test_the_digest_goes_to_the_channel_and_each_person_gets_one_reminder_dm(teams, connector, bot):
    meet(teams)
    # Owners given as e-mail addresses become the people Tandem met with those addresses.
    bot.core.contracts.add(BUYER.aad, deadline_in(20, it_owner=IT.email, procurement_owner=BUYER.email))
    connector.reset()

    tick = Schedule(bot.core).tick()
    assert tick.digest is True and sorted(tick.sweep.sent) == sorted([IT.aad, BUYER.aad])

    [digest] = connector.of("send", CHANNEL)
    shown = json.dumps(digest.cards, ensure_ascii=False)
    assert "Tandem digest · Mon 16 Nov 2026" in shown and "Notice deadlines in the next 90 days" in shown
    assert "20 days left" in shown and digest.body["summary"] == "Tandem digest: 1 notice deadline"

    [ivy] = connector.of("send", IT.chat)  # her chat with Tandem, from the stored reference
    assert "Notice deadline" in ivy.text and "Snooze 3 days" in ivy.text
    [opened] = connector.of("create")  # Bo never wrote to Tandem one-to-one: a chat is opened
    assert opened.body["members"] == [{"id": BUYER.id}] and opened.body["isGroup"] is False
    [bo] = connector.of("send", opened.answer["id"])
    assert "Notice deadline" in bo.text
    assert all(entry.delivered for entry in ledger.entries(bot.core.store.db))

    # Exactly once: the next tick sends nothing, and the new chat is remembered.
    connector.reset()
    Schedule(bot.core).tick()
    assert connector.of("send") == [] and connector.of("create") == []


def test_snooze_and_done_rewrite_the_reminder_card_in_place(teams, connector, bot):
    meet(teams)
    bot.core.contracts.add(BUYER.aad, deadline_in(20, it_owner=IT.email, procurement_owner=BUYER.email))
    bot.core.contracts.add(BUYER.aad, deadline_in(7, it_owner=IT.email, procurement_owner=BUYER.email,
                                                  vendor="Slack", product="Enterprise Grid"))
    connector.reset()
    Schedule(bot.core).tick()
    [sent] = connector.of("send", IT.chat)
    card_id = sent.answer["id"]
    first, second = sorted((e for e in ledger.entries(bot.core.store.db) if e.person == IT.aad), key=lambda e: e.id)

    status, answer = teams.click(IT, Verbs.SNOOZE, {"reminder": first.id}, card=card_id, where="personal")
    assert status == 200 and answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    card = json.dumps(answer["value"], ensure_ascii=False)
    assert "Snoozed — I'll remind you again on Thu 19 Nov." in card
    assert card.count('"Snooze 3 days"') == 1, "only the other reminder keeps its buttons"

    # Done on the other one: the card now shows both states (it was kept as rewritten).
    answer = teams.click(IT, Verbs.DONE, {"reminder": second.id}, card=card_id, where="personal")[1]
    card = json.dumps(answer["value"], ensure_ascii=False)
    assert "Snoozed — I'll remind you" in card and "Done — no more reminders about this for you." in card
    assert '"Snooze 3 days"' not in card and card.count('"Open"') == 2

    answer = teams.click(BUYER, Verbs.DONE, {"reminder": first.id}, card=card_id, where="personal")[1]
    assert "only they can snooze it or mark it done" in invoke_text(answer)
    marks = ledger.marks(bot.core.store.db)
    assert marks[(first.kind, first.subject, first.episode, IT.aad)].snoozed_until is not None
    # A card Tandem does not have (sent by an older version) gets the state as a message.
    bos = min(e.id for e in ledger.entries(bot.core.store.db) if e.person == BUYER.aad)
    answer = teams.click(BUYER, Verbs.SNOOZE, {"reminder": bos}, card="1699999999999", where="personal")[1]
    assert invoke_text(answer).startswith("💤 Snoozed")


def test_a_reminder_teams_refuses_is_retried_at_the_next_sweep(teams, connector, bot, clock):
    meet(teams)
    bot.core.contracts.add(BUYER.aad, deadline_in(20, it_owner=IT.email, procurement_owner=BUYER.email))
    connector.fail("send", 503, times=2)  # the digest, then Ivy's DM
    tick = Schedule(bot.core).tick()
    assert tick.digest is False and list(tick.sweep.failed) == [IT.aad] and list(tick.sweep.sent) == [BUYER.aad]
    clock.advance(days=1)
    connector.reset()
    tick = Schedule(bot.core).tick()
    assert list(tick.sweep.sent) == [IT.aad]
    assert len(connector.of("send", IT.chat)) == 1


def test_contracts_list_and_details_in_teams(teams, connector, bot):
    meet(teams)
    bot.core.contracts.add(BUYER.aad, deadline_in(20, vendor="Zoom <at>x</at>"))
    connector.reset()
    teams.say(IT, "contracts")
    [listed] = connector.of("reply", IT.chat)
    shown = json.dumps(listed.cards, ensure_ascii=False)
    assert "Notice deadlines in the next 90 days (1)" in shown and "20 days left" in shown
    assert "\\\\<at\\\\>x\\\\</at\\\\>" in shown, "user text is escaped"

    connector.reset()
    teams.say(IT, "contract show 1")
    shown = json.dumps(connector.of("reply", IT.chat)[0].cards, ensure_ascii=False)
    assert "Notice deadline" in shown and "auto-renews (12 mo)" in shown and "History" in shown


def test_digest_preview_and_calendar_come_by_dm(teams, connector, bot):
    meet(teams)
    bot.core.contracts.add(BUYER.aad, deadline_in(20))
    connector.reset()
    teams.say(IT, "digest")
    [preview] = connector.of("send", IT.chat)
    assert "Digest preview (only you see this)" in preview.text
    assert "The digest preview is in your DMs." in connector.of("reply", IT.chat)[0].text
    assert ledger.entries(bot.core.store.db) == [], "a preview records nothing"

    connector.reset()
    teams.say(IT, "calendar")
    [file] = connector.of("send", IT.chat)
    [attachment] = file.body["attachments"]
    assert attachment["name"] == "tandem-contracts.ics"
    assert attachment["contentType"] == "application/vnd.microsoft.teams.card.file.consent"


def test_the_digest_preview_carries_the_scorecard_only_while_the_next_digest_is_the_months_first(teams, connector,
                                                                                             bot, clock):
    meet(teams)
    teams.install_in_team()
    connector.reset()
    teams.say(IT, "digest")  # Mon 16 Nov, before November's first digest
    [preview] = connector.of("send", IT.chat)
    assert "Digest preview (only you see this)" in preview.text
    assert "Scorecard: working together, measured" in json.dumps(preview.cards, ensure_ascii=False)
    assert ledger.entries(bot.core.store.db) == [], "a preview records nothing"
    Schedule(bot.core).tick()  # November's first digest, with the scorecard
    clock.advance(hours=2)
    connector.reset()
    teams.say(IT, "digest")
    [preview] = connector.of("send", IT.chat)
    assert "Digest preview (only you see this)" in preview.text
    assert "Scorecard" not in json.dumps(preview.cards, ensure_ascii=False)


def test_snooze_or_done_clicked_twice_is_applied_once_and_the_second_click_told_so(teams, connector, bot, clock):
    meet(teams)
    bot.core.contracts.add(BUYER.aad, deadline_in(20, it_owner=IT.email, procurement_owner=BUYER.email))
    bot.core.contracts.add(BUYER.aad, deadline_in(7, it_owner=IT.email, procurement_owner=BUYER.email,
                                                  vendor="Slack", product="Enterprise Grid"))
    Schedule(bot.core).tick()
    [sent] = connector.of("send", IT.chat)
    card_id = sent.answer["id"]
    first, second = sorted((e for e in ledger.entries(bot.core.store.db) if e.person == IT.aad), key=lambda e: e.id)
    key = (first.kind, first.subject, first.episode, IT.aad)
    connector.reset()

    # Snooze twice (a double click; the second comes from the card as it was, with its buttons).
    answer = teams.click(IT, Verbs.SNOOZE, {"reminder": first.id}, card=card_id, where="personal")[1]
    assert "Snoozed — I'll remind you again on Thu 19 Nov." in json.dumps(answer["value"], ensure_ascii=False)
    snoozed = ledger.marks(bot.core.store.db)[key]
    clock.advance(hours=5)
    status, answer = teams.click(IT, Verbs.SNOOZE, {"reminder": first.id}, card=card_id, where="personal")
    assert status == 200 and answer["type"] == "application/vnd.microsoft.activity.message", "the card stays"
    assert invoke_text(answer) == "This reminder is already snoozed until Thu 19 Nov; nothing was changed."
    assert ledger.marks(bot.core.store.db)[key] == snoozed, "not snoozed again, not moved"

    # Done twice on the other reminder, then Snooze after Done.
    answer = teams.click(IT, Verbs.DONE, {"reminder": second.id}, card=card_id, where="personal")[1]
    rewritten = answer["value"]
    kept = json.dumps(rewritten, ensure_ascii=False)
    assert "Snoozed — I'll remind you" in kept and "Done — no more reminders about this for you." in kept
    done = ledger.marks(bot.core.store.db)[(second.kind, second.subject, second.episode, IT.aad)]
    answer = teams.click(IT, Verbs.DONE, {"reminder": second.id}, card=card_id, where="personal")[1]
    assert invoke_text(answer) == "You already marked this reminder done; nothing was changed."
    answer = teams.click(IT, Verbs.SNOOZE, {"reminder": second.id}, card=card_id, where="personal")[1]
    assert invoke_text(answer) == ("You already marked this reminder done, so there is nothing to snooze; "
                                   "nothing was changed.")
    assert ledger.marks(bot.core.store.db)[(second.kind, second.subject, second.episode, IT.aad)] == done
    stored = json.loads(bot.core.store.db["teams_reminder_cards"].get(card_id)["content"])
    assert stored == rewritten, "the stored card is the one the first clicks made"
    assert connector.calls == [], "nothing was sent: each answer is the invoke's own"

    # The snooze ends on Thursday: the reminder comes back once, and may be snoozed afresh.
    clock.advance(days=3)
    Schedule(bot.core).tick()
    [back] = [e for e in ledger.entries(bot.core.store.db) if e.person == IT.aad and e.id not in (first.id, second.id)]
    answer = teams.click(IT, Verbs.SNOOZE, {"reminder": back.id}, where="personal")[1]
    assert invoke_text(answer).startswith("💤 Snoozed — I'll remind you again on Sun 22 Nov.")
