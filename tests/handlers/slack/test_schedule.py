"""Digests and reminders through Slack: what the fake Slack sees, buttons by signed requests."""

import json
from datetime import date, timedelta


from bot.reminders import Kind, Reminder
from bot.schedule import Schedule
from handlers.slack import schedule_blocks
from handlers.slack.ids import Actions, ContractActions, ReminderActions
from storage import schedule as ledger
from testing.slack import validated
from tests.conftest import BUYER, BUYER2, IT, need
from tests.contract_samples import contract_form
from tests.handlers.slack.conftest import CHANNEL

TODAY = date(2026, 11, 16)


def deadline_in(days: int, **overrides) -> dict:
    return contract_form(end_date=(TODAY + timedelta(days=days)).isoformat(), notice_days="0", **overrides)


def dms(fake) -> dict[str, list]:
    """Reminder DMs by channel."""
    found: dict[str, list] = {}
    for call in fake.calls_to("chat.postMessage"):
        if call.args["channel"].startswith("D") and "reminder" in call.args.get("text", ""):
            found.setdefault(call.args["channel"], []).append(call)
    return found


def dm_of(user: str) -> str:
    return "D" + user.lstrip("UW")


def test_the_digest_and_one_reminder_dm_per_person_arrive_in_slack(bot, fake):
    bot.core.contracts.add(BUYER, deadline_in(20, vendor="<!channel> Zoom"))
    bot.core.requests.create(IT, need(title="Laptops <@U0BOSS>", needed_by=(TODAY + timedelta(days=2)).isoformat()))
    fake.reset()
    Schedule(bot.core).tick()

    [digest] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    shown = json.dumps(digest.args["blocks"], ensure_ascii=False)
    assert "Tandem digest · Mon 16 Nov 2026" in shown
    assert "Notice deadlines in the next 90 days* (1)" in shown and "*20 days left*" in shown
    assert "&lt;!channel&gt; Zoom" in shown and "<!channel>" not in shown
    assert "Needed within 3 days or overdue* (1)" in shown and "&lt;@U0BOSS&gt;" in shown
    assert "USD 12,000/yr" in shown and "auto-renews (12 mo)" in shown
    assert digest.args["text"] == "Tandem digest: 1 notice deadline, 1 unclaimed request, 1 need due soon"

    opened = sorted(c.args["users"] for c in fake.calls_to("conversations.open"))
    assert opened == sorted([IT, BUYER])
    by_channel = dms(fake)
    assert sorted(by_channel) == [dm_of(IT), dm_of(BUYER)] and all(len(v) == 1 for v in by_channel.values())
    [it_dm] = by_channel[dm_of(IT)]
    actions = [e for b in it_dm.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in actions] == [ReminderActions.SNOOZE, ReminderActions.DONE] * 2
    opens = [b["accessory"]["action_id"] for b in it_dm.args["blocks"] if b.get("accessory")]
    assert opens == [ContractActions.OPEN, Actions.OPEN]
    assert "<@U0BOSS>" not in json.dumps(it_dm.args["blocks"])
    assert all(entry.delivered for entry in ledger.entries(bot.core.store.db))

    # the digest carries the flow chart in its thread (and, as the month's first, the scorecard's)
    flow, scorecard = fake.calls_to("files.completeUploadExternal")
    assert flow.args["channel_id"] == CHANNEL and flow.args["thread_ts"] == digest.answer["ts"]
    assert scorecard.args["thread_ts"] == digest.answer["ts"] and "Scorecard" in shown
    assert fake.calls_to("file_upload")[0].args["bytes"][:8] == b"\x89PNG\r\n\x1a\n"


def test_a_chart_that_cannot_be_uploaded_does_not_repeat_the_digest(bot, fake):
    fake.fail("files.getUploadURLExternal", "not_allowed")
    Schedule(bot.core).tick()
    Schedule(bot.core).tick()
    assert len([c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]) == 1
    assert all(entry.delivered for entry in ledger.entries(bot.core.store.db) if entry.kind == "digest")


def click_in_dm(slack, user: str, action_id: str, value: str, dm, block_id: str | None = None) -> tuple[int, str]:
    """A button press on a DM from Tandem (a reminder's, unless ``block_id`` says otherwise),
    as Slack sends it: with the message and its blocks."""
    payload = {
        "type": "block_actions", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
        "token": "legacy", "trigger_id": f"trigger.dm.{next(slack._ids)}", "response_url": slack.response_url(),
        "container": {"type": "message", "channel_id": dm.answer["channel"], "message_ts": dm.answer["ts"]},
        "channel": {"id": dm.answer["channel"]},
        "message": {"ts": dm.answer["ts"], "text": dm.args["text"], "blocks": dm.args["blocks"]},
        "actions": [{"action_id": action_id, "block_id": block_id or f"reminder_{value}", "type": "button",
                     "value": value, "action_ts": "1700000000.2"}],
    }
    return slack.interact(payload)


def test_snooze_and_done_buttons_update_the_dm_in_place(slack, fake, bot):
    bot.core.contracts.add(BUYER, deadline_in(20))
    bot.core.requests.create(IT, need(needed_by=(TODAY + timedelta(days=2)).isoformat()))
    fake.reset()
    Schedule(bot.core).tick()
    [dm] = dms(fake)[dm_of(IT)]
    notice, needed = [b["block_id"].removeprefix("reminder_") for b in dm.args["blocks"] if b["type"] == "actions"]

    assert click_in_dm(slack, IT, ReminderActions.SNOOZE, notice, dm)[0] == 200
    update = fake.wait_for("chat.update")[0]
    assert (update.args["channel"], update.args["ts"]) == (dm.answer["channel"], dm.answer["ts"])
    blocks = update.args["blocks"]
    assert (blocks[2]["type"], blocks[2]["block_id"]) == ("context", f"reminder_{notice}")
    assert "Snoozed — I'll remind you again on Thu 19 Nov." in json.dumps(blocks, ensure_ascii=False)
    assert [b["block_id"] for b in blocks if b["type"] == "actions"] == [f"reminder_{needed}"], "the other stays"

    assert click_in_dm(slack, IT, ReminderActions.DONE, needed, dm)[0] == 200
    done = fake.wait_for("chat.update", 2)[1]
    assert "Done — no more reminders about this for you." in json.dumps(done.args["blocks"], ensure_ascii=False)
    marks = ledger.marks(bot.core.store.db)
    assert marks[("notice", "contract:1", "2026-12-06", IT)].snoozed_until is not None
    assert marks[("needed_by", "request:1", "2026-11-18", IT)].done_at is not None

    click_in_dm(slack, BUYER, ReminderActions.DONE, needed, dm)  # not BUYER's reminder
    refusal = fake.wait_for("response_url")[0]
    assert "only they can snooze it or mark it done" in refusal.args["text"]
    assert len(fake.calls_to("chat.update")) == 2


def test_a_429_is_waited_out_and_the_digest_posted_once(bot, fake, monkeypatch):
    waits = []
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.time.sleep", waits.append)
    fake.fail("chat.postMessage", "ratelimited", status=429, Retry_After="1")
    tick = Schedule(bot.core).tick()
    assert tick.digest is True
    posts = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert [c.answer["ok"] for c in posts] == [False, True]
    assert len(waits) == 1 and 1 <= waits[0] < 2, "waited Retry-After seconds (plus jitter)"
    Schedule(bot.core).tick()
    assert len([c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]) == 2


def test_a_failed_dm_to_one_person_does_not_stop_the_others(bot, fake, clock):
    bot.core.contracts.add(BUYER, deadline_in(20))
    fake.reset()
    fake.fail("conversations.open", "user_not_found")  # IT comes first
    result = Schedule(bot.core).tick().sweep
    assert result.failed == {IT: "user_not_found"} and list(result.sent) == [BUYER]
    clock.advance(days=1)
    result = Schedule(bot.core).tick().sweep
    assert list(result.sent) == [IT], "retried on the next sweep; BUYER is not sent it twice"
    assert sorted(dms(fake)) == [dm_of(IT), dm_of(BUYER)]


def test_procure_digest_sends_the_preview_by_dm(slack, fake, bot):
    bot.core.requests.create(IT, need(title="Headsets", needed_by=""))
    fake.reset()
    slack.command("/procure", "digest", BUYER)
    reply = fake.wait_for("response_url")[0]
    assert reply.args["text"] == "The digest preview is in your DMs." and reply.args["response_type"] == "ephemeral"
    preview = fake.wait_until("chat.postMessage", lambda args: args["channel"] == dm_of(BUYER))
    assert "Digest preview" in json.dumps(preview.args["blocks"])
    assert ledger.entries(bot.core.store.db) == [], "a preview records nothing"


def test_an_empty_digest_is_one_friendly_line():
    from bot.digest import Digest, WeekNumbers

    empty = Digest(TODAY, 90, 5, [], [], [], [], WeekNumbers(0, 0, None, None), True)
    blocks = schedule_blocks.digest_blocks(empty)
    assert [b.type for b in blocks] == ["header", "section"]
    assert blocks[1].text.text.startswith(":sunny: All quiet")


def test_long_digests_and_many_reminders_stay_inside_block_kit_limits(core, clock):
    for n in range(40):
        core.contracts.add(BUYER, deadline_in(1 + n, vendor=f"Vendor {n} " + "v" * 90, product="p" * 90))
        core.requests.create(IT, need(title=f"Need {n} " + "t" * 140, needed_by=(TODAY + timedelta(days=1)).isoformat()))
    clock.advance(days=2)
    digest = core.schedule.digest()
    blocks = schedule_blocks.digest_blocks(digest)
    assert len(blocks) <= 50
    for block in validated(blocks):
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    shown = json.dumps(validated(blocks), ensure_ascii=False)
    # 10 shown of each: 39 deadlines still ahead, 40 unclaimed, 40 needed soon
    assert [shown.count(f"…and {n} more") for n in (29, 30)] == [1, 2]

    reminders = [Reminder(Kind.UNCLAIMED, BUYER2, f"request:{w.request.id}", "e", "1", 2, request=w.request, id=n)
                 for n, w in enumerate(digest.unclaimed, start=1)]
    blocks = schedule_blocks.reminder_blocks(reminders)
    assert len(blocks) <= 50 and "…and 16 more" in json.dumps(validated(blocks), ensure_ascii=False)


def test_a_missed_deadline_in_slack_list_digest_dm_and_home(slack, bot, fake):
    bot.core.contracts.add(BUYER, contract_form(vendor="Acme", product="CRM", annual_cost="5000", notice_days="30",
                                                end_date=(TODAY + timedelta(days=27)).isoformat()))
    bot.core.contracts.add(BUYER, deadline_in(20))
    fake.reset()
    slack.command("/procure", "contracts", IT)
    listed = fake.wait_until("response_url", lambda a: "Notice deadlines" in a.get("text", ""))
    rows = [b["text"]["text"] for b in listed.args["blocks"] if b["type"] == "section"]
    assert rows[0].startswith("*Acme — CRM* (contract 1)\n:rotating_light: *Missed:* notice deadline passed 3 days "
                              "ago; it auto-renews on 2026-12-13 for 12 months, USD 5,000 — talk to the vendor now")
    assert "notice by *2026-12-06*" in rows[1]

    fake.reset()
    Schedule(bot.core).tick()
    [digest] = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    sections = [b["text"]["text"] for b in digest.args["blocks"] if b["type"] == "section"]
    assert sections[0].startswith(":rotating_light: *Missed notice deadlines — the contract still runs* (1)")
    assert digest.args["text"].startswith("Tandem digest: 1 missed notice deadline, 1 notice deadline")
    [it_dm] = dms(fake)[dm_of(IT)]
    shown = json.dumps(it_dm.args["blocks"], ensure_ascii=False)
    assert "*Missed notice deadline* · *Acme — CRM* (contract 1)" in shown
    assert "Notice deadline passed 3 days ago; it auto-renews on 2026-12-13 for 12 months, USD 5,000" in shown

    fake.reset()
    Schedule(bot.core).tick()
    assert dms(fake) == {}, "reminded once"

    # The App Home's "Contracts you own" puts it first, even before an earlier-listed one.
    from handlers.slack.contract_blocks import home_contracts
    owned = bot.core.contracts.owned_by(IT)
    home = [b["text"]["text"] for b in validated(home_contracts(list(reversed(owned)), TODAY))
            if b["type"] == "section"]
    assert home[1].startswith("*Acme — CRM* (contract 1)\n:rotating_light: *Missed:* notice deadline passed 3 days")


def test_snooze_or_done_clicked_twice_is_applied_once_and_the_second_click_told_so(slack, fake, bot, clock):
    bot.core.contracts.add(BUYER, deadline_in(20))
    bot.core.requests.create(IT, need(needed_by=(TODAY + timedelta(days=2)).isoformat()))
    fake.reset()
    Schedule(bot.core).tick()
    [dm] = dms(fake)[dm_of(IT)]
    notice, needed = [b["block_id"].removeprefix("reminder_") for b in dm.args["blocks"] if b["type"] == "actions"]
    notice_key, needed_key = ("notice", "contract:1", "2026-12-06", IT), ("needed_by", "request:1", "2026-11-18", IT)
    fake.reset()

    # Both clicks carry the DM as it was before the first rewrote it (a double click).
    click_in_dm(slack, IT, ReminderActions.SNOOZE, notice, dm)
    [update] = fake.wait_for("chat.update")
    assert "Snoozed — I'll remind you again on Thu 19 Nov." in json.dumps(update.args["blocks"], ensure_ascii=False)
    snoozed = ledger.marks(bot.core.store.db)[notice_key]
    clock.advance(hours=5)
    click_in_dm(slack, IT, ReminderActions.SNOOZE, notice, dm)
    [again] = fake.wait_for("response_url")
    assert again.args["text"] == "This reminder is already snoozed until Thu 19 Nov; nothing was changed."
    assert again.args["response_type"] == "ephemeral" and again.args["replace_original"] is False
    assert ledger.marks(bot.core.store.db)[notice_key] == snoozed, "not snoozed again, not moved"

    click_in_dm(slack, IT, ReminderActions.DONE, needed, dm)
    fake.wait_for("chat.update", 2)
    done = ledger.marks(bot.core.store.db)[needed_key]
    click_in_dm(slack, IT, ReminderActions.DONE, needed, dm)
    assert fake.wait_for("response_url", 2)[1].args["text"] == \
        "You already marked this reminder done; nothing was changed."
    click_in_dm(slack, IT, ReminderActions.SNOOZE, needed, dm)
    assert fake.wait_for("response_url", 3)[2].args["text"] == \
        "You already marked this reminder done, so there is nothing to snooze; nothing was changed."
    assert ledger.marks(bot.core.store.db)[needed_key] == done, "Snooze after Done does not undo Done"

    assert len(fake.calls_to("chat.update")) == 2, "the DM was rewritten once per change"
    assert fake.calls_to("chat.postMessage") == [], "nothing was sent again"
