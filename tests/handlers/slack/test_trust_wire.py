"""Hostile requests and faults through the wire (signed Slack requests to the running app):
logs never carry a request body or user text at INFO and no line is huge; titles and vendor
names are one clean line; unparseable bodies get 400; replayed commands and form
submissions are applied once; deleted thread replies leave Tandem; /healthz says 503 when
the database cannot be written or nobody runs the schedule."""

from __future__ import annotations

import http.client
import json
import logging
import sqlite3
import time
import urllib.parse

import pytest

from bot.logs import MAX_LINE, ClippedFormatter
from bot.schedule import Schedule
from handlers.slack.ids import Views
from tests.conftest import BUYER, IT, IT2
from tests.handlers.slack.conftest import CHANNEL, need_values
from tests.handlers.slack.test_contracts import add_contract
from tests.handlers.slack.test_lifecycle import post_need

TITLE = "Acquire Acme Corp"


def submission(values: dict, user: str = IT, trigger: str = "trigger.replay", view_id: str = "V0NEED",
               view_hash: str = "1700000000.abcd") -> str:
    payload = {
        "type": "view_submission", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
        "token": "legacy", "trigger_id": trigger,
        "view": {"id": view_id, "hash": view_hash, "type": "modal", "callback_id": Views.NEED,
                 "private_metadata": "", "state": {"values": values}},
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


FORM = "application/x-www-form-urlencoded"


def at_least_info(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.INFO]


# --- logs -------------------------------------------------------------------------------------------


def test_a_late_signed_request_is_refused_without_its_body_in_any_log(slack, bot, caplog):
    caplog.set_level(logging.DEBUG)
    body = submission(need_values(title=TITLE, details="board only", sensitivity="confidential"))
    status, _ = slack.post(body, FORM, timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    assert bot.core.requests.list(BUYER, "all").total == 0
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Invalid request signature detected" in logged, "the refusal itself is still logged (at DEBUG)"
    assert TITLE not in logged and "board only" not in logged
    assert [r for r in at_least_info(caplog) if "signature" in r.getMessage()] == []


def declared_only(base: str, length: int) -> int:
    """The status of a POST that declares a ``length``-byte body and sends none of it: the
    server must answer from the headers alone. (Sending the 2 MB too races the server's
    close: the refusal goes out before the body is read, and a busy machine's client can get
    the connection reset while still writing, never reading the 413.)"""
    host, port = urllib.parse.urlsplit(base).netloc.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("POST", "/slack/events")
        for name, value in {"Content-Type": FORM, "Content-Length": str(length), "X-Slack-Signature": "v0=" + "0" * 64,
                            "X-Slack-Request-Timestamp": str(int(time.time()))}.items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_an_unsigned_huge_post_gets_413_and_writes_no_huge_log_line(slack, bot, caplog):
    caplog.set_level(logging.DEBUG)
    assert declared_only(slack.base, 2 * 1024 * 1024) == 413
    status, _ = slack.post("text=" + "y" * 900_000, FORM, signature="v0=" + "0" * 64)
    assert status == 401
    formatter = ClippedFormatter("%(levelname)s %(name)s %(message)s")
    assert max(len(line) for record in caplog.records for line in formatter.format(record).split("\n")) <= MAX_LINE
    assert all("y" * 100 not in record.getMessage() for record in caplog.records)


def test_no_user_text_is_logged_at_info_while_people_work(slack, fake, bot, caplog):
    caplog.set_level(logging.INFO)
    post_need(slack, fake, title="Secret merger laptops", details="Project Falcon")
    slack.command("/procure", "note 1 the quote from Falcon Corp", BUYER)
    fake.wait_until("chat.postMessage", lambda a: a.get("thread_ts"))
    slack.command("/procure", "show 1", IT2)
    fake.wait_for("response_url")
    lines = [record.getMessage() for record in at_least_info(caplog)]
    assert any("handled kind=/procure" in line for line in lines)
    assert [line for line in lines if "Falcon" in line or "merger" in line] == []


def test_the_formatter_clips_every_line():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", ("z" * 16_000_000,), None)
    assert len(ClippedFormatter("%(message)s").format(record)) <= MAX_LINE


# --- input hygiene ------------------------------------------------------------------------------------


def test_a_title_with_newlines_cannot_draw_a_fake_status_on_the_card(slack, fake, bot):
    title = "Mouse\n*Status*\n:white_check_mark: Approved by CFO"
    slack.submit(IT, Views.NEED, need_values(title=title))
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    headline = card.args["blocks"][0]["text"]["text"]
    assert "\n" not in headline and headline.startswith("*#1 Mouse *Status* :white_check_mark:")
    assert bot.core.requests.get(1).title == "Mouse *Status* :white_check_mark: Approved by CFO"


def test_bidi_controls_and_zero_width_characters_are_removed_and_vendor_matching_uses_the_clean_name(
        slack, fake, bot):
    add_contract(bot, vendor="Zoom", product="Meetings Pro")
    slack.submit(IT, Views.NEED, need_values(title="Invoice \u202egpj.exe\u202c\u200b", preferred_vendor="Zo\u200bom\u2066"))
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    request = bot.core.requests.get(1)
    assert (request.title, request.preferred_vendor) == ("Invoice gpj.exe", "Zoom")
    assert request.contract_id == 1 and "Under contract" in json.dumps(card.args["blocks"])
    assert not any(ch in json.dumps(card.args, ensure_ascii=False) for ch in "\u202e\u200b\u2066")


@pytest.mark.parametrize("body, content_type", [
    ("[" * 100_000 + "]" * 100_000, "application/json"),
    ('{"a":' * 50_000 + "1" + "}" * 50_000, "application/json"),
    ("payload=" + urllib.parse.quote("[" * 50_000), FORM),
    ("\x00\xff garbage", "application/json"),
])
def test_a_body_that_cannot_be_parsed_gets_400_signed_or_not(slack, bot, caplog, body, content_type):
    for signature in (None, "v0=" + "0" * 64):
        status, answer = slack.post(body, content_type, signature=signature)
        assert status == 400, answer[:200]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


# --- replays --------------------------------------------------------------------------------------------


def test_a_replayed_note_command_is_applied_once(slack, fake, bot):
    post_need(slack, fake)
    form = urllib.parse.urlencode({
        "team_id": "T0TEAM", "channel_id": CHANNEL, "user_id": BUYER, "command": "/procure",
        "text": "note 1 Quote received", "response_url": slack.response_url(), "trigger_id": "trigger.note",
    })
    timestamp = int(time.time())
    for _ in range(3):
        assert slack.post(form, FORM, timestamp=timestamp)[0] == 200
    fake.wait_until("chat.postMessage", lambda a: a.get("thread_ts"))
    assert [c.text for c in bot.core.requests.show(BUYER, 1).notes] == ["Quote received"]
    assert len([c for c in fake.calls if c.method == "chat.postMessage" and c.args.get("thread_ts")]) == 1


def test_a_replayed_form_submission_is_applied_once(slack, fake, bot):
    body = submission(need_values())
    for _ in range(3):
        assert slack.post(body, FORM)[0] == 200
    # The same form and values under another trigger ID (a replay that could not be signed,
    # or a double click that Slack sends twice) is still the same submission.
    assert slack.post(submission(need_values(), trigger="trigger.other"), FORM)[0] == 200
    fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)
    assert bot.core.requests.list(BUYER, "all").total == 1
    # A corrected form (other values) is a new submission.
    assert slack.post(submission(need_values(title="Headsets"), trigger="trigger.3"), FORM)[0] == 200
    fake.wait_until("chat.postMessage", lambda a: "Headsets" in json.dumps(a.get("blocks")))


# --- deleted thread replies ----------------------------------------------------------------------------


def reply_in_thread(slack, bot, card_ts: str, text: str, ts: str = "1700000200.000100") -> dict:
    event = {"type": "message", "channel": CHANNEL, "user": IT2, "text": text, "ts": ts, "thread_ts": card_ts,
             "channel_type": "channel", "event_ts": ts}
    assert slack.event(event, event_id="Ev0REPLY")[0] == 200
    return event


def deleted(card_ts: str, reply: dict) -> dict:
    """A ``message_deleted`` event for a thread reply, as Slack sends it."""
    return {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": CHANNEL,
            "ts": "1700000300.000200", "deleted_ts": reply["ts"], "event_ts": "1700000300.000200",
            "channel_type": "channel",
            "previous_message": {"type": "message", "user": reply["user"], "text": reply["text"],
                                 "ts": reply["ts"], "thread_ts": card_ts}}


def test_a_deleted_thread_reply_is_deleted_from_tandem(slack, fake, bot):
    card_ts = post_need(slack, fake).answer["ts"]
    reply = reply_in_thread(slack, bot, card_ts, "the admin password is hunter2")
    assert [c.text for c in bot.core.requests.show(BUYER, 1).notes] == ["the admin password is hunter2"]
    assert slack.event(deleted(card_ts, reply), event_id="Ev0DELETE")[0] == 200
    assert bot.core.requests.show(BUYER, 1).notes == []
    slack.command("/procure", "show 1", BUYER)
    assert "hunter2" not in json.dumps(fake.wait_for("response_url")[0].args)
    assert bot.core.requests.show(BUYER, 1).events[-1].action == "comment deleted"
    # Slack retries the original message event late: it is not stored again.
    assert slack.event(reply, event_id="Ev0REPLY", retry=1)[0] == 200
    assert slack.event({**reply, "subtype": "message_changed", "message": {**reply, "text": "edited hunter2"}},
                       event_id="Ev0EDIT")[0] == 200
    assert bot.core.requests.show(BUYER, 1).notes == []
    assert "hunter2" not in json.dumps(bot.core.store.db.execute("select * from comments").fetchall())


def test_an_edited_reply_updates_and_a_tombstoned_one_is_deleted(slack, fake, bot):
    card_ts = post_need(slack, fake).answer["ts"]
    reply = reply_in_thread(slack, bot, card_ts, "first words")
    changed = {"type": "message", "subtype": "message_changed", "hidden": True, "channel": CHANNEL,
               "ts": "1700000400.000300", "event_ts": "1700000400.000300",
               "message": {"type": "message", "user": IT2, "text": "better words", "ts": reply["ts"],
                           "thread_ts": card_ts, "edited": {"user": IT2, "ts": "1700000400.000000"}},
               "previous_message": {"type": "message", "user": IT2, "text": "first words", "ts": reply["ts"],
                                    "thread_ts": card_ts}}
    slack.event(changed, event_id="Ev0CHANGED")
    assert [c.text for c in bot.core.requests.show(BUYER, 1).notes] == ["better words"]
    tombstone = {**changed, "ts": "1700000500.000400",
                 "message": {"type": "message", "subtype": "tombstone", "text": "This message was deleted.",
                             "user": "USLACKBOT", "hidden": True, "ts": reply["ts"], "thread_ts": card_ts}}
    slack.event(tombstone, event_id="Ev0TOMB")
    assert bot.core.requests.show(BUYER, 1).notes == []


# --- /healthz ----------------------------------------------------------------------------------------


def health(slack) -> tuple[int, dict]:
    status, body = slack.get("/healthz")
    return status, json.loads(body)


def test_healthz_is_503_while_the_database_cannot_be_written(slack, bot, slack_settings):
    assert health(slack)[0] == 200
    holder = sqlite3.connect(slack_settings.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock and never lets go
    try:
        status, body = health(slack)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert status == 503 and body["ok"] is False
    assert body["problems"] == ["the database cannot be written: database is locked"]
    assert health(slack)[0] == 200


def test_healthz_is_503_when_the_database_is_read_only(slack, bot):
    probe = slack_probe(slack)
    probe.connection().execute("PRAGMA query_only = 1")  # SQLite itself refuses every write
    status, body = health(slack)
    assert status == 503 and "the database cannot be written: attempt to write a readonly database" in body["problems"]


def slack_probe(slack):
    health(slack)
    return slack.wsgi.liveness


def test_healthz_is_503_when_nobody_has_held_the_schedule_lease_for_two_heartbeats(slack, bot, clock):
    assert health(slack)[0] == 200
    clock.advance(seconds=61)
    status, body = health(slack)
    assert status == 503
    assert body["problems"] == ["no process has held the schedule lease for 61 s (digests and reminders are not sent)"]
    Schedule(bot.core).tick()
    status, body = health(slack)
    assert status == 200 and body["scheduler_lease_holder"] == bot.core.schedule.holder
    clock.advance(seconds=59)
    assert health(slack)[0] == 200, "a lapsed lease is fine for two heartbeats"
    clock.advance(seconds=2)
    assert health(slack)[0] == 503
