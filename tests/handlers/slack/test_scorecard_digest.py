"""The scorecard's monthly section in the channel digest, through Slack: the first digest
posted in a month carries it and its chart, exactly once, whatever the scheduler does."""

import json
from datetime import datetime, timezone

import pytest

from bot.config import Settings
from bot.schedule import Schedule
from storage import schedule as ledger
from tests.conftest import ADMIN, BUYER, IT, need
from tests.contract_samples import contract_form
from tests.handlers.slack.conftest import CHANNEL, SECRET


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": BUYER, "TANDEM_ADMINS": ADMIN,
        "TANDEM_DB": str(tmp_path / "tandem.db"), "TANDEM_HIDE_COSTS": "yes",
    })


def digests(fake) -> list:
    """The digests Slack took (a refused post is recorded too, with ``ok: false``)."""
    return [call for call in fake.calls_to("chat.postMessage") if call.args["channel"] == CHANNEL
            and call.answer["ok"] and "Tandem digest" in json.dumps(call.args.get("blocks"))]


def monday(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=timezone.utc)


def test_the_first_digest_of_a_month_carries_the_scorecard_and_its_chart_once(bot, fake, clock):
    core = bot.core
    core.contracts.add(BUYER, contract_form(seats="150", seats_used="62", end_date="2027-01-31"))
    core.requests.create(IT, need(title="Payroll export", sensitivity="confidential", estimated_cost="90000"))
    schedule = Schedule(core, holder="one")
    schedule.tick()  # Mon 16 Nov, 09:00: the first digest of November

    [digest] = digests(fake)
    shown = json.dumps(digest.args["blocks"], ensure_ascii=False)
    assert "Scorecard: working together, measured" in shown
    assert "Procurement is part of IT's planning meetings" in shown
    assert "From the work:" in shown and "Largest gap between data and feeling" in shown
    # What the channel may see: no need named, and with TANDEM_HIDE_COSTS no amount.
    assert "Payroll export" not in shown and "USD" not in shown and "90,000" not in shown
    assert "1 contract with unused seats come up for renewal in the next 90 days" in shown
    threads = [call.args["thread_ts"] for call in fake.calls_to("files.completeUploadExternal")]
    assert threads == [digest.answer["ts"]] * 2, "the flow chart and the scorecard's chart, in the digest's thread"
    assert [call.args["bytes"][:4] for call in fake.calls_to("file_upload")] == [b"\x89PNG"] * 2

    # The scheduler fires again, and a restarted process (another holder) ticks the same slot.
    schedule.tick()
    Schedule(core, holder="two").tick()
    assert len(digests(fake)) == 1

    # The next Monday's digest has no scorecard: November has had it.
    clock.set(monday(11, 23))
    Schedule(core, holder="two").tick()
    second = digests(fake)[-1]
    assert len(digests(fake)) == 2 and "Scorecard" not in json.dumps(second.args["blocks"])
    assert len(fake.calls_to("files.completeUploadExternal")) == 3  # only the flow chart

    # December's first digest carries December's scorecard.
    clock.set(monday(12, 7))
    Schedule(core, holder="two").tick()
    assert "Scorecard: working together, measured" in json.dumps(digests(fake)[-1].args["blocks"])
    months = sorted(entry.threshold for entry in ledger.entries(core.store.db, "scorecard") if entry.delivered)
    assert months == ["2026-11", "2026-12"]


def test_a_refused_digest_leaves_the_scorecard_for_the_next_digest_of_the_month(bot, fake, clock):
    core = bot.core
    fake.fail("chat.postMessage", "channel_not_found")
    Schedule(core, holder="one").tick()
    assert digests(fake) == []
    [entry] = ledger.entries(core.store.db, "scorecard")
    assert not entry.delivered and entry.last_error == "channel_not_found"

    clock.set(monday(11, 16).replace(hour=9, minute=6))  # the digest is retried after five minutes
    Schedule(core, holder="one").tick()
    [digest] = digests(fake)
    assert "Scorecard: working together, measured" in json.dumps(digest.args["blocks"])
    assert [entry.delivered for entry in ledger.entries(core.store.db, "scorecard")] == [True]


def preview(slack, fake, user: str = BUYER) -> str:
    """``/procure digest``: the preview DM's blocks as text."""
    fake.reset()
    assert slack.command("/procure", "digest", user)[0] == 200
    assert fake.wait_for("response_url")[0].args["text"] == "The digest preview is in your DMs."
    sent = fake.wait_until("chat.postMessage", lambda args: args["channel"] == "D" + user.lstrip("U"))
    return json.dumps(sent.args["blocks"], ensure_ascii=False)


def test_the_digest_preview_shows_the_scorecard_when_the_next_digest_is_the_months_first(slack, bot, fake, clock):
    core = bot.core
    # Mon 16 Nov, 09:00, before November's first digest: the preview shows the scorecard it will carry,
    # and takes nothing: the month's entry is still there for the digest, which carries it.
    shown = preview(slack, fake)
    assert "Digest preview · Mon 16 Nov 2026" in shown and "Scorecard: working together, measured" in shown
    assert "Procurement is part of IT's planning meetings" in shown
    assert ledger.entries(core.store.db) == [], "a preview records nothing"
    assert fake.calls_to("files.completeUploadExternal") == []  # the preview is the message, no charts
    Schedule(core, holder="one").tick()
    assert "Scorecard: working together, measured" in json.dumps(digests(fake)[-1].args["blocks"])

    # November has had its scorecard: the next digest (Mon 23 Nov) has none, nor has its preview.
    clock.set(monday(11, 16).replace(hour=15))
    shown = preview(slack, fake)
    assert "Digest preview" in shown and "Scorecard" not in shown

    # Mon 30 Nov: the next digest is Mon 7 Dec, December's first, so the preview shows December's scorecard.
    clock.set(monday(11, 30).replace(hour=10))
    assert "Scorecard: working together, measured" in preview(slack, fake)
    assert [entry.threshold for entry in ledger.entries(core.store.db, "scorecard")] == ["2026-11"]
