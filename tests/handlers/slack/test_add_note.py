"""Add note in Slack runs through dispatch like the card's other buttons: the core decides who
may add a note (the same rule as the typed `/procure note`), and the note form's field and
limits are the core's (``bot.forms.NOTE_FORM``)."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

from bot.requests import NOTE_MAX
from handlers.slack.ids import Actions, Views
from tests.conftest import BUYER, IT, IT2
from tests.handlers.slack.test_confidential import secret_need
from tests.handlers.slack.test_lifecycle import post_need


def note_state(text: str) -> dict:
    return {"note": {"value": {"type": "plain_text_input", "value": text}}}


def test_someone_who_may_not_add_a_note_is_refused_with_the_cores_words_and_gets_no_form(slack, fake, bot, caplog):
    secret_need(slack, fake)
    fake.reset()
    caplog.set_level(logging.INFO)
    slack.click(IT2, Actions.ADD_NOTE, "1")
    [refusal] = fake.calls_to("response_url")
    assert refusal.args["response_type"] == "ephemeral" and refusal.args["replace_original"] is False
    assert fake.calls_to("views.open") == [], "no note form for someone who may not add a note"
    # The typed command is refused by the same rule, in the same words.
    slack.command("/procure", "note 1 let me in", IT2)
    typed = fake.calls_to("response_url")[-1]
    assert refusal.args["text"] == typed.args["text"] and refusal.args["text"].startswith(":no_entry: ")
    assert "confidential" in refusal.args["text"]
    assert bot.core.requests.show(IT, 1).notes == []
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    assert any("action:request_add_note" in r.getMessage() and "outcome=refused" in r.getMessage()
               for r in caplog.records)


def test_the_note_form_is_the_cores_field_for_someone_who_may(slack, fake, bot):
    secret_need(slack, fake)
    slack.click(IT, Actions.ADD_NOTE, "1")
    [opened] = fake.wait_for("views.open")
    view = opened.args["view"]
    assert (view["callback_id"], view["private_metadata"]) == (Views.NOTE, "1")
    [header, field] = view["blocks"]
    assert header["text"]["text"] == "*#1 Acquire Acme Corp*"
    assert (field["block_id"], field["label"]["text"], field["element"]["max_length"]) == ("note", "Note", NOTE_MAX)
    assert field["element"]["multiline"] is True and not field.get("optional")


def test_a_note_over_the_limit_is_refused_in_the_form_and_nothing_is_saved(slack, fake, bot):
    secret_need(slack, fake)
    status, body = slack.submit(IT, Views.NOTE, note_state("n" * (NOTE_MAX + 1)), "1")
    assert status == 200
    assert json.loads(body) == {"response_action": "errors",
                                "errors": {"note": f"Keep notes under {NOTE_MAX} characters."}}
    assert bot.core.requests.show(IT, 1).notes == []


def test_a_note_submitted_twice_is_applied_once(slack, fake, bot):
    """Slack may deliver the same submission twice (a double click on Add note, a retry): the
    same view, hash and values. The note is added, and posted in the card's thread, once."""
    post_need(slack, fake)
    fake.reset()
    payload = {
        "type": "view_submission", "team": {"id": "T0TEAM"}, "user": {"id": BUYER}, "api_app_id": "A0TANDEM",
        "token": "legacy",
        "view": {"id": "V0NOTE", "hash": "1700000000.abc", "type": "modal", "callback_id": Views.NOTE,
                 "private_metadata": "1", "state": {"values": note_state("Quote asked from Zoom")}},
    }
    for trigger in ("trigger.a", "trigger.b"):
        body = urlencode({"payload": json.dumps({**payload, "trigger_id": trigger})})
        assert slack.post(body, "application/x-www-form-urlencoded") == (200, "")
    assert [note.text for note in bot.core.requests.show(IT, 1).notes] == ["Quote asked from Zoom"]
    threaded = [c for c in fake.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(threaded) == 1 and "Quote asked from Zoom" in threaded[0].args["text"]
