"""Slack's wire formats: signatures, retries, url_verification, threads, escaping, limits, App Home."""

import json
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest

from bot.schedule import Schedule
from handlers.slack import blocks
from handlers.slack.ids import Actions, Views
from testing.slack import validated
from tests.conftest import BUYER, IT, IT2, need
from tests.handlers.slack.conftest import CHANNEL, need_values
from tests.handlers.slack.test_lifecycle import post_need
from testing.notifier import card_id


def test_url_verification_answers_the_challenge(slack):
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "legacy"})
    status, answer = slack.post(body, "application/json")
    assert status == 200 and json.loads(answer) == {"challenge": "abc123"}


@pytest.mark.parametrize(
    "kind, overrides",
    [
        ("forged signature", {"signature": "v0=" + "0" * 64}),
        ("stale timestamp", {"timestamp": int(time.time()) - 6 * 60}),
    ],
)
def test_forged_or_stale_requests_get_401_and_change_nothing(slack, fake, bot, kind, overrides):
    form = urlencode({"command": "/need", "text": "x", "user_id": IT, "trigger_id": "t", "team_id": "T0TEAM",
                      "channel_id": CHANNEL, "response_url": slack.response_url()})
    status, _ = slack.post(form, "application/x-www-form-urlencoded", **overrides)
    assert status == 401, kind
    payload = {"type": "view_submission", "user": {"id": IT}, "view": {"callback_id": "need_modal", "state": {"values": {}}}}
    status, _ = slack.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **overrides)
    assert status == 401
    assert bot.core.requests.list(IT, "all").total == 0
    assert [c.method for c in fake.calls if c.method != "auth.test"] == []


def test_a_body_that_is_not_json_or_form_is_refused(slack, bot):
    status, _ = slack.post("{not json", "application/json")
    assert 400 <= status < 500
    status, _ = slack.post(urlencode({"payload": "{broken"}), "application/x-www-form-urlencoded")
    assert 400 <= status < 500
    assert bot.core.requests.list(IT, "all").total == 0


def test_a_retried_thread_event_is_stored_once(slack, fake, bot):
    ts = post_need(slack, fake).answer["ts"]
    event = {"type": "message", "channel": CHANNEL, "user": IT, "text": "Any news?", "ts": "1700000200.000100",
             "thread_ts": ts}
    assert slack.event(event, event_id="Ev0RETRY")[0] == 200
    assert slack.event(event, event_id="Ev0RETRY", retry=1)[0] == 200
    assert slack.event(event, event_id="Ev0RETRY", retry=2)[0] == 200
    _wait_comments(bot, 1)
    assert [c.text for c in bot.core.requests.show(IT, 1).notes] == ["Any news?"]


def _wait_comments(bot, count):
    """Waits for the listener pool to drain; the listeners are what we are testing."""
    bot.executor.shutdown(wait=True)
    assert len(bot.core.requests.show(IT, 1).notes) == count


def test_thread_messages_bots_edits_and_other_threads(slack, fake, bot):
    ts = post_need(slack, fake).answer["ts"]
    base = {"type": "message", "channel": CHANNEL, "thread_ts": ts}
    slack.event({**base, "user": IT, "text": "first", "ts": "1700000300.000001"})
    slack.event({**base, "bot_id": "B0OTHER", "subtype": "bot_message", "text": "bot says", "ts": "1700000300.000002"})
    slack.event({**base, "user": IT, "subtype": "channel_join", "text": "joined", "ts": "1700000300.000003"})
    slack.event({"type": "message", "channel": CHANNEL, "user": IT, "text": "not in a thread", "ts": "1700000300.000004"})
    slack.event({"type": "message", "channel": CHANNEL, "user": IT, "text": "other thread",
                 "ts": "1700000300.000005", "thread_ts": "1600000000.000001"})
    slack.event({"type": "message", "channel": CHANNEL, "subtype": "message_changed", "ts": "1700000300.000006",
                 "message": {"user": IT, "text": "first (edited)", "ts": "1700000300.000001", "thread_ts": ts}})
    _wait_comments(bot, 1)
    assert [c.text for c in bot.core.requests.show(IT, 1).notes] == ["first (edited)"]


def test_a_title_can_never_ping_the_channel_or_forge_a_link(slack, fake, bot):
    card = post_need(slack, fake, title="<!channel> urgent <https://evil.example|click> & more",
                     details="see <@U0BOSS> & <!here>")
    text = json.dumps(card.args["blocks"]) + card.args["text"]
    assert "<!channel>" not in text and "<!here>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt; urgent &lt;https://evil.example|click&gt; &amp; more" in text
    assert "<@U0BOSS>" not in text
    slack.command("/procure", "list", IT)
    listing = json.dumps(fake.wait_for("response_url")[0].args)
    assert "<!channel>" not in listing and "&lt;!channel&gt;" in listing


def test_long_lists_stay_inside_block_kit_limits_and_say_how_many_more(slack, fake, bot):
    for n in range(70):
        bot.core.requests.create(IT, need(title=f"Need number {n} " + "x" * 120))
    fake.reset()
    slack.command("/procure", "list all", IT)
    answer = fake.wait_for("response_url")[0].args
    assert len(answer["blocks"]) == 50
    assert "…and 22 more" in json.dumps(answer["blocks"], ensure_ascii=False)


def test_a_long_history_fits_in_one_message(bot):
    request = bot.core.requests.create(IT, need(details="d" * 3000))
    for n in range(120):
        bot.core.requests.note(IT2, request.id, f"comment {n} " + "y" * 900, source="command")
    rendered = blocks.request_details(bot.core.requests.show(IT, request.id))
    assert len(rendered) <= 50
    for block in validated(rendered):  # slack-sdk's models validate 3000-character sections
        assert len((block.get("text") or {}).get("text", "")) <= 3000


def test_app_home_shows_my_needs_my_claims_and_the_queue_for_procurement(slack, fake, bot):
    post_need(slack, fake, title="Laptop")
    post_need(slack, fake, title="Headsets")
    slack.click(BUYER, Actions.CLAIM, "1")
    fake.wait_for("chat.update")
    fake.reset()
    slack.event({"type": "app_home_opened", "user": BUYER, "tab": "home", "channel": "D0PROC0001"})
    home = json.dumps(fake.wait_until("views.publish", lambda a: a["user_id"] == BUYER).args["view"])
    assert "Your claims* (1)" in home and "#1 Laptop" in home
    assert "Unclaimed queue* (1)" in home and "#2 Headsets" in home
    slack.event({"type": "app_home_opened", "user": IT2, "tab": "home", "channel": "D0IT000002"})
    it_home = json.dumps(fake.wait_until("views.publish", lambda a: a["user_id"] == IT2).args["view"])
    assert "Unclaimed queue" not in it_home and "Your open needs* (0)" in it_home
    # a change to the queue refreshes the Home of procurement members who look at it
    fake.reset()
    slack.click(BUYER, Actions.CLAIM, "2")
    refreshed = fake.wait_until("views.publish", lambda a: a["user_id"] == BUYER and "Your claims* (2)" in json.dumps(a))
    assert "Unclaimed queue* (0)" in json.dumps(refreshed.args["view"])


def test_open_button_shows_the_request_in_a_modal(slack, fake, bot):
    post_need(slack, fake)
    slack.click(IT2, Actions.OPEN, "1", container={"type": "view", "view_id": "V0HOME"})
    modal = fake.wait_until("views.open", lambda a: a["view"]["callback_id"] == "request_details")
    assert "#1 50 Zoom licences" in json.dumps(modal.args["view"])


def test_a_refusal_from_app_home_arrives_as_a_dm(slack, fake, bot):
    post_need(slack, fake)
    slack.click(IT2, Actions.CLAIM, "1", container={"type": "view", "view_id": "V0HOME"})
    refusal = fake.wait_until("chat.postMessage", lambda a: a["channel"] == IT2)
    assert refusal.args["text"] == ":no_entry: Only procurement members can claim requests."


def test_healthz_reports_database_lease_holder_and_last_digest(slack, bot):
    status, body = slack.get("/healthz")
    health = json.loads(body)
    assert status == 200 and health["database"] == "ok"
    assert health["scheduler_lease_holder"] is None and health["last_digest_slot"] is None
    schedule = Schedule(bot.core, holder="test-holder")
    bot.core.clock.set(datetime(2026, 11, 16, 9, 5, tzinfo=timezone.utc))  # a Monday, after the 09:00 digest slot
    schedule.tick(bot.core.clock.now())
    health = json.loads(slack.get("/healthz")[1])
    assert health["scheduler_lease_holder"] == "test-holder"
    assert health["last_digest_slot"] is not None and health["last_digest_sent_at"] is not None


def test_rate_limited_calls_wait_for_retry_after_and_succeed(slack, fake, bot, monkeypatch):
    waits = []
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.time.sleep", waits.append)
    fake.fail("chat.postMessage", "ratelimited", status=429, times=1, Retry_After="7")
    post_need(slack, fake)
    bot.executor.shutdown(wait=True)  # the listener has finished, retries included
    posts = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == CHANNEL]
    assert len(posts) == 2, "the 429 was retried once"
    assert len(waits) == 1 and 7 <= waits[0] < 8, "waited Retry-After seconds (plus jitter)"
    assert card_id(bot.core, 1, "slack") is not None


def test_a_slack_outage_never_loses_the_request_and_the_card_resyncs(slack, fake, bot, monkeypatch):
    monkeypatch.setattr("slack_sdk.http_retry.handler.time.sleep", lambda seconds: None)
    fake.fail("chat.postMessage", "channel_not_found", times=1)
    slack.submit(IT, Views.NEED, need_values())
    fake.wait_for("chat.postMessage")
    bot.executor.shutdown(wait=True)
    request = bot.core.requests.get(1)
    assert card_id(bot.core, request.id, "slack") is None and request.title == "50 Zoom licences"
    bot.core.requests.claim(BUYER, 1)
    assert card_id(bot.core, 1, "slack") is not None, "posted on the next change"


def test_one_log_line_per_handled_request_without_bodies(slack, fake, bot, caplog):
    caplog.set_level("INFO", logger="tandem.requests")
    post_need(slack, fake, title="Secret project Falcon")
    slack.command("/procure", "claim 1", IT2)
    fake.wait_for("response_url")
    bot.executor.shutdown(wait=True)
    lines = [r.getMessage() for r in caplog.records if r.name == "tandem.requests"]
    assert any(line.startswith(f"handled kind=view:need_modal user={IT} outcome=ok ms=") for line in lines)
    assert any(line.startswith(f"handled kind=/procure user={IT2} outcome=refused ms=") for line in lines)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "Falcon" not in everything and "xoxb-test" not in everything


def test_homes_are_refreshed_only_for_people_who_look_at_them(slack, fake, bot):
    post_need(slack, fake, title="Laptop")
    bot.executor.shutdown(wait=True)
    bot.home.close()  # every queued refresh has run
    assert fake.calls_to("views.publish") == [], "nobody has opened their Home yet"


def test_a_burst_of_changes_refreshes_each_home_at_most_once_per_pass(bot, fake):
    bot.home.opened(BUYER)
    fake.reset()
    for _ in range(5):
        bot.core.requests.create(IT, need())
    bot.home.close()
    published = [c.args["user_id"] for c in fake.calls_to("views.publish")]
    assert set(published) == {BUYER} and 1 <= len(published) <= 5
    assert "Unclaimed queue* (5)" in json.dumps(fake.calls_to("views.publish")[-1].args["view"])
